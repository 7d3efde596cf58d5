"""Lyrics v3: calibrated probabilities and an intensity that carries information (issue #16).

``lyrics-minilm-lex-bow-v2``'s heads and bag-of-words channel, unchanged, plus:

* a **quadrant temperature** ``T_q``, fitted on the validation split's 4Q labels by NLL
  (:func:`mvemo.metrics.calibration.fit_temperature`) on the blended (heads + bag of words)
  quadrant probabilities;
* a **category temperature** ``T_c``, fitted next on validation NLL of the *record's*
  category probabilities against the paper-compatible category: the tempered blended
  category probabilities conformed to the tempered quadrant (the grid's category marginal),
  so the temperature calibrates what the record reports;
* the **certainty rule** for the intensity (static and every frame): the lyrics datasets'
  informative targets are bare quadrants for 1,668 of 1,761 songs and a trained 11-level head
  did worse than a constant (docs/lyrics.md), so the intensity is the mean resultant length of
  the answer's own category distribution on the circumplex
  (:func:`mvemo.conversion.grids.certainty_grid`).

:func:`evaluate_lyrics_model` measures a lyrics model on songs (both references, intensity
distribution, categories used, 4Q macro-F1, ECE with its sampling floor, reliability
diagrams); :func:`build_v3` writes the weights, ``report.json``, the card and the diagrams.
The songs' inputs are those of :mod:`mvemo.train.lyrics` (cached chunk embeddings and lexicon
statistics, the cleaned text for the bag of words), run through the predictor's own
:meth:`mvemo.predict.lyrics.LyricsEmotionModel._heads`.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from mvemo.train.card_parts import (
    ECE_FLOOR_TEXT,
    fmt_at,
    fmt_ece,
    fmt_histogram,
    fmt_levels,
    intensity_summary,
    reliability_lines,
)

__all__ = ["CARD_COMMAND", "build_v3", "evaluate_lyrics_model", "fit_category_temperature", "main", "v3_card"]

#: How lyrics v3 is built and measured (:func:`main`).
CARD_COMMAND = (
    "MVEMO_DATA=../shared/data PYTHONPATH=src .venv/bin/python -m mvemo.train.lyrics_v3 --out-dir build/lyrics-v3"
)
NAME = "lyrics-minilm-lex-bow-v3"
#: The packaged weights v3 is built from.
BASE_WEIGHTS = "weights/lyrics-minilm-lex-bow-v2.safetensors"


def _final_category(cat: np.ndarray, quadrant: np.ndarray, t_cat: float, t_q: float) -> np.ndarray:
    """The record's category probabilities: tempered categories conformed to the tempered quadrant."""
    from mvemo.conversion.quadrant import conform_categories
    from mvemo.metrics.calibration import apply_temperature

    c = apply_temperature(
        np.clip(cat, 1e-12, None) / np.clip(cat, 1e-12, None).sum(1, keepdims=True), t_cat, probabilities=True
    )
    q = apply_temperature(
        np.clip(quadrant, 1e-12, None) / np.clip(quadrant, 1e-12, None).sum(1, keepdims=True), t_q, probabilities=True
    )
    return conform_categories(c, q)


def fit_category_temperature(cat: np.ndarray, quadrant: np.ndarray, labels: np.ndarray, *, t_q: float) -> float:
    """The category temperature that minimises the NLL of the record's category probabilities.

    Parameters
    ----------
    cat : np.ndarray, shape (N, 28)
        Blended category probabilities (before temperature).
    quadrant : np.ndarray, shape (N, 4)
        Blended quadrant probabilities (before temperature).
    labels : np.ndarray of int, shape (N,)
        Reference categories.
    t_q : float
        The quadrant temperature (already fitted).

    Returns
    -------
    float
        ``T_c`` in [0.01, 100] (bounded search on ``log T``).
    """
    from scipy.optimize import minimize_scalar

    y = np.asarray(labels, dtype=np.int64)
    rows = np.arange(len(y))

    def nll(log_t: float) -> float:
        p = _final_category(cat, quadrant, float(np.exp(log_t)), t_q)
        return float(-np.log(np.clip(p[rows, y], 1e-12, None)).mean())

    res = minimize_scalar(nll, bounds=(np.log(1e-2), np.log(1e2)), method="bounded", options={"xatol": 1e-5})
    return float(np.exp(res.x))


def _outputs(model, examples, *, raw: bool = False):
    """The model's outputs for song-level inputs (``raw``: before temperatures and the certainty rule)."""
    x = np.stack([ex.features() for ex in examples])
    texts = [ex.text for ex in examples]
    if not raw:
        return model._heads(x, texts)
    meta = model.meta
    saved = {k: meta.pop(k) for k in ("category_temperature", "quadrant_temperature", "intensity_rule") if k in meta}
    try:
        return model._heads(x, texts)
    finally:
        meta.update(saved)


def evaluate_lyrics_model(model, examples, informative: dict[str, dict], *, diagram_dir=None, tag: str = "") -> dict:
    """Validation metrics of a lyrics model on song-level ``examples`` (both references).

    * ``paper``: the examples' unified labels (the manifest's paper-compatible conversion);
    * ``informative``: the items' informative targets (category, intensity), where present;
    * ``quadrant``: 4Q accuracy and macro-F1 (songs with a 4Q label);
    * the static intensity distribution (std, levels, histogram), the categories used;
    * top-label ECE (15 equal-width bins) of the quadrant and of the category (paper reference)
      probabilities, each with :func:`mvemo.metrics.calibration.calibrated_ece` (mean and 95th
      percentile of the ECE of a perfectly calibrated model with the same predictions);
      reliability diagrams ``<tag>reliability-{quadrant,category}.png`` when ``diagram_dir`` is given.
    """
    from mvemo.conversion.point import summarize_many
    from mvemo.metrics import evaluate
    from mvemo.metrics.calibration import calibrated_ece, expected_calibration_error, reliability_diagram
    from mvemo.representation import CATEGORIES
    from mvemo.train.common import quadrant_report

    a = summarize_many(_outputs(model, examples).grid)
    pred_c = [CATEGORIES[k] for k in a.category]
    rep: dict[str, Any] = {"n": len(examples)}
    paper = evaluate(
        [CATEGORIES[ex.category] for ex in examples], [ex.intensity for ex in examples], pred_c, list(a.intensity)
    )
    rep["paper"] = {"emotion_distance": float(paper["emotion_distance"]), "category_f1": float(paper["category_f1"])}
    inf = [informative.get(ex.id) or {} for ex in examples]
    ic = [i.get("category", CATEGORIES[ex.category]) for i, ex in zip(inf, examples)]
    ii = [float(i.get("intensity", ex.intensity)) for i, ex in zip(inf, examples)]
    u = evaluate(ic, ii, pred_c, list(a.intensity))
    rep["informative"] = {
        "emotion_distance": float(u["emotion_distance"]),
        "category_f1": float(u["category_f1"]),
        "n_with_target": int(sum(1 for i in inf if i)),
    }
    has_q = np.array([ex.quadrant is not None for ex in examples])
    tq = np.array([ex.quadrant if ex.quadrant is not None else -1 for ex in examples])
    rep["quadrant"] = quadrant_report(tq[has_q], a.quadrant[has_q])
    rep["static_intensity"] = intensity_summary(a.intensity)
    rep["categories_used"] = len(set(pred_c))
    cat_truth = np.array([ex.category for ex in examples])
    qp, cp = a.quadrant_probabilities[has_q], a.probabilities
    rep["ece"] = {
        "quadrant": expected_calibration_error(qp, tq[has_q]),
        "quadrant_floor": calibrated_ece(qp),
        "category": expected_calibration_error(cp, cat_truth),
        "category_floor": calibrated_ece(cp),
        "n_quadrant": int(has_q.sum()),
    }
    if diagram_dir is not None:
        d = Path(diagram_dir)
        d.mkdir(parents=True, exist_ok=True)
        reliability_diagram(qp, tq[has_q], d / f"{tag}reliability-quadrant.png", title=f"{tag}quadrant (validation)")
        reliability_diagram(
            cp, cat_truth, d / f"{tag}reliability-category.png", title=f"{tag}category (validation, paper reference)"
        )
    return rep


def build_v3(*, base: str | None = None, out_dir: str = "build/lyrics-v3", name: str = NAME, data_home=None, log=print):
    """Lyrics v3 from ``base`` (default: the packaged v2, :data:`BASE_WEIGHTS`): temperatures fitted on validation,
    certainty-rule intensity.  Writes ``<out_dir>/<name>.safetensors``, ``report.json``, ``<name>.md`` and
    the reliability diagrams (``v2-...``, ``v3-...``); returns the report."""
    import json

    from mvemo.metrics.calibration import fit_temperature
    from mvemo.models.lyrics import save_lyrics_heads
    from mvemo.predict.lyrics import LyricsEmotionModel, load_lyrics_model
    from mvemo.train.lyrics import LyricsTrainConfig, load_examples
    from mvemo.train.symbolic.informative import informative_by_id
    from mvemo.util import atomic_write

    cfg = LyricsTrainConfig(data_home=data_home)
    examples, problems = load_examples(cfg)
    val = [ex for ex in examples if ex.split == "validation"]
    if not val:
        raise RuntimeError("no validation songs with cached units: run `mvemo train lyrics --extract` first")
    log(f"{len(val)} validation songs ({len(problems)} items skipped)")
    inf = informative_by_id(["lyrics"], data_home=data_home)
    if base is None:
        from importlib import resources

        base = str(resources.files("mvemo.models").joinpath(BASE_WEIGHTS))
    old = load_lyrics_model(base)
    out = Path(out_dir)
    report: dict[str, Any] = {"base": old.name, "name": name, "n_validation": len(val)}
    report["validation"] = {"base": evaluate_lyrics_model(old, val, inf, diagram_dir=out, tag="v2-")}
    raw = _outputs(old, val, raw=True)
    has_q = np.array([ex.quadrant is not None for ex in val])
    tq = np.array([ex.quadrant for ex in val if ex.quadrant is not None])
    t_q = fit_temperature(np.clip(raw.quadrant[has_q], 1e-12, None), tq, probabilities=True)
    t_c = fit_category_temperature(raw.category, raw.quadrant, np.array([ex.category for ex in val]), t_q=t_q)
    log(f"temperatures: quadrant {t_q:.3f}, category {t_c:.3f}")
    meta = {
        **old.meta,
        "name": name,
        "quadrant_temperature": t_q,
        "category_temperature": t_c,
        "intensity_rule": "certainty",
        "v3_from": old.name,
    }
    new = LyricsEmotionModel(name, old.network, meta, old.encoder, old.bow)
    report["quadrant_temperature"], report["category_temperature"] = t_q, t_c
    report["validation"]["v3"] = evaluate_lyrics_model(new, val, inf, diagram_dir=out, tag="v3-")
    report["command"] = CARD_COMMAND
    save_lyrics_heads(new.network, meta, out / f"{name}.safetensors", bow=new.bow)
    atomic_write(out / "report.json", json.dumps(report, indent=1, default=float))
    atomic_write(out / f"{name}.md", v3_card(report))
    log(f"wrote {out / (name + '.safetensors')}, {out / 'report.json'}, {out / (name + '.md')}")
    return report


def v3_card(report: dict, *, image_dir: str = "../../../../docs/img") -> str:
    """Markdown model card of :func:`build_v3`'s report (v2 and v3 side by side, validation)."""
    b, n = report["validation"]["base"], report["validation"]["v3"]

    def row(label, f):
        return f"| {label} | {f(b)} | {f(n)} |"

    g, ece = fmt_at, fmt_ece

    name = report["name"]
    lines = [
        f"# Model card: {name}",
        "",
        "mvemo's offline lyrics emotion model, issue #16. Heads (all-MiniLM-L6-v2 chunk embeddings +",
        f"lexicon features) and bag-of-words channel: those of `{report['base']}`, unchanged (see its card",
        "for the data, the training and the test figures). New in v3:",
        "",
        f"- a quadrant temperature **T_q = {report['quadrant_temperature']:.3f}** on the blended quadrant",
        "  probabilities and a category temperature",
        f"  **T_c = {report['category_temperature']:.3f}** on the blended category probabilities, fitted on",
        "  the validation split by NLL (the category one on the record's category probabilities:",
        "  tempered categories conformed to the tempered quadrant);",
        "- the **certainty rule** for the intensity (static and every LRC frame): MVEmo's intensity",
        "  is the certainty of the emotion, and the informative targets measure it as the agreement",
        "  of words or raters (mean resultant length on the circumplex); the model has no trained",
        "  intensity worth keeping (the lyrics targets are bare quadrants for 1,668 of 1,761 songs),",
        "  so its intensity is the same statistic of its own category distribution,",
        "  `R = |sum_c p_c (cos theta_c, sin theta_c)|` (`mvemo.conversion.grids.certainty_grid`).",
        "",
        "Every record field derives from one 28 x 11 grid per window (docs/lyrics.md).",
        "",
        f"Build and evaluation command: `{report['command']}`",
        "",
        f"## Validation ({report['n_validation']} songs of the lyrics set's validation split)",
        "",
        f"| metric | {report['base']} | {name} |",
        "|---|---|---|",
        row("paper reference: static D_e", lambda d: g(d, "paper", "emotion_distance")),
        row("paper reference: category F1", lambda d: g(d, "paper", "category_f1")),
        row("informative reference: static D_e", lambda d: g(d, "informative", "emotion_distance")),
        row("informative reference: category F1", lambda d: g(d, "informative", "category_f1")),
        row("4Q macro-F1", lambda d: g(d, "quadrant", "macro_f1")),
        row("4Q accuracy", lambda d: g(d, "quadrant", "accuracy")),
        row("static intensity", lambda d: fmt_levels(d, "static_intensity")),
        row("categories used", lambda d: str(d["categories_used"])),
        row("ECE quadrant (15 bins)", lambda d: ece(d, "quadrant")),
        row("ECE category, paper reference (15 bins)", lambda d: ece(d, "category")),
        "",
        *(t.format(what="songs") for t in ECE_FLOOR_TEXT),
        "",
        "Intensity distribution (validation, static):",
        "",
        f"- {report['base']}: {fmt_histogram(b, 'static_intensity')}",
        f"- {name}: {fmt_histogram(n, 'static_intensity')}",
        "",
        *reliability_lines(name, image_dir),
        "## Limits",
        "",
        "- The temperatures are fitted on the validation split that also reports the ECE.",
        "- The paper reference puts every 4Q song at intensity 0.5, so any spread of intensity costs",
        "  D_e against it; the informative reference is the same for all but the PMEmo rows with a",
        "  rating spread.",
        "- The certainty of a distribution concentrated on one quadrant's word is high even when the",
        "  model is wrong: it is the model's certainty, not a measured agreement of listeners.",
        "- The heads were not retrained on the informative soft targets: for these datasets they are",
        "  the quadrant-word spreads of bare quadrants (docs/lyrics.md).",
    ]
    return "\n".join(lines) + "\n"


def main(argv=None) -> dict:
    """Command line: build and measure lyrics v3 (see :data:`CARD_COMMAND`)."""
    import argparse
    import json

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out-dir", default="build/lyrics-v3")
    ap.add_argument("--base", default=None, help="base lyrics weights (default: the packaged v2)")
    ap.add_argument("--data-home", default=None)
    args = ap.parse_args(argv)
    rep = build_v3(base=args.base, out_dir=args.out_dir, data_home=args.data_home)
    print(json.dumps(rep["validation"], indent=1, default=float))
    return rep


if __name__ == "__main__":
    main()
