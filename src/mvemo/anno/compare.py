"""The separate shipped models scored on the annotator's validation items, both references.

``mvemo predict --annotator auto`` sends a modality to the annotator only where its validation
D_e against the *informative* reference is at most the separate shipped model's on the same
items (:mod:`mvemo.anno.choice`).  :func:`separate_scores` gives the separate models' side:
it re-reads the models shipped *now* (``load_music_model()``, ``load_lyrics_model()``,
``load_symbolic_model()`` without arguments), so rerunning it after new weights are merged
rescores them.  The items are the annotator's validation items of each dataset
(:func:`mvemo.anno.backends.cpu_data.assign_splits` on the items usable by its stage):

* **music** (4Q, Emotify): :func:`mvemo.train.music_v4.evaluate_grid`, the predictor's static
  grid on the cached musicnn blocks (as ``scripts/eval_music_grid.py``);
* **lyrics**: the lyrics predictor's static label of each song's text;
* **symbolic** (EMOPIA, VGMIDI): the symbolic predictor's static label of each MIDI file.

D_e is :func:`mvemo.metrics.evaluate`'s ``emotion_distance``: against the paper reference
(``item.static``) and the informative reference (``item.informative``; the paper label for
an item without one).

Run it with ``scripts/compare_mvanno_separate.py``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

__all__ = ["COMPARED", "reference_labels", "score_labels", "separate_scores", "validation_items"]

#: modality -> (annotator stage, datasets, stage modalities)
COMPARED = {
    "music": ("music", ("4q_panda2018", "emotify"), ("music",)),
    "lyrics": ("lyrics", ("lyrics",), ("lyrics",)),
    "symbolic": ("midi", ("emopia", "vgmidi"), ("midi",)),
}


def validation_items(dataset: str, modalities: tuple[str, ...], *, data_home: str | None = None) -> tuple[Any, list]:
    """The loader and the annotator's static validation items of ``dataset``."""
    from mvemo.anno.backends.cpu_data import assign_splits, usable
    from mvemo.data import load

    ds = load(dataset, data_home=data_home)
    items = [it for it in ds.index() if usable(it, modalities, "static")]
    splits, _ = assign_splits(items)
    return ds, [it for it in items if splits[it.id] == "validation"]


def reference_labels(item: Any, reference: str) -> tuple[str, float]:
    """(category, intensity) of ``item`` under the ``paper`` or ``informative`` reference."""
    if reference == "informative" and item.informative:
        return str(item.informative["category"]), float(item.informative["intensity"])
    return str(item.static.category), float(item.static.intensity)


def score_labels(items: list, predicted: list[tuple[str, float]]) -> dict[str, float]:
    """``n``, ``D_e`` (paper reference), ``D_e_informative`` and the
    :func:`mvemo.metrics.label_spread` of predicted static labels."""
    from mvemo.metrics import evaluate, label_spread

    pc, pi = [c for c, _ in predicted], [float(i) for _, i in predicted]
    out: dict[str, float] = {"n": len(items), **label_spread(pc, pi)}
    for key, ref in (("D_e", "paper"), ("D_e_informative", "informative")):
        truth = [reference_labels(it, ref) for it in items]
        out[key] = float(evaluate([c for c, _ in truth], [i for _, i in truth], pc, pi)["emotion_distance"])
    return out


def _music(datasets, data_home, log) -> dict[str, dict[str, Any]]:
    import numpy as np

    from mvemo.metrics import LABEL_SPREAD_KEYS
    from mvemo.predict.music import load_music_model
    from mvemo.train.music import TrainConfig, build_bank, load_examples
    from mvemo.train.music_v4 import evaluate_grid

    model = load_music_model()
    want = {ds: {it.id for it in validation_items(ds, ("music",), data_home=data_home)[1]} for ds in datasets}
    cfg = TrainConfig(datasets=tuple(datasets), backbone=model.meta["backbone"], data_home=data_home)
    examples, _ = load_examples(cfg)
    rng = np.random.default_rng(0)
    out = {}
    for ds in datasets:
        part = [ex for ex in examples if ex.dataset == ds and ex.id in want[ds]]
        for ex in part:
            ex.bank = build_bank(
                ex, model.musicnn, rng, n_random=0, min_segment=5.0, std=bool(model.meta.get("std_pooling", False))
            )
        r = evaluate_grid(
            model.network,
            part,
            quadrant_channel=model.quadrant_channel,
            musicnn=model.musicnn,
            temperature=float(model.meta.get("temperature", 1.0)),
        )
        out[ds] = {
            "model": model.name,
            "n": int(r["n"]),
            "n_annotator_items": len(want[ds]),
            "D_e": float(r["static"]["emotion_distance"]),
            "D_e_informative": float(r["informative"]["emotion_distance"]),
            **{k: r[k] for k in LABEL_SPREAD_KEYS},
        }
        log(f"music {ds}: {out[ds]}")
    return out


def _per_item(kind, datasets, data_home, log) -> dict[str, dict[str, Any]]:
    if kind == "lyrics":
        from mvemo.predict.lyrics import load_lyrics_model, parse_text

        model = load_lyrics_model()

        def predict(ds, it):
            text = ds.lyrics(it) if hasattr(ds, "lyrics") else open(it.path("lyrics"), encoding="utf-8").read()
            return model.predict_lyrics(parse_text(text), dynamic=False).static
    else:
        from mvemo.predict.symbolic import load_symbolic_model

        model = load_symbolic_model()

        def predict(ds, it):
            return model.predict(str(it.path("midi")), dynamic=False).static

    mods = COMPARED[kind][2]
    out = {}
    for name in datasets:
        ds, items = validation_items(name, mods, data_home=data_home)
        got, kept = [], []
        for it in items:
            s = predict(ds, it)
            got.append((s.category, float(s.intensity)))
            kept.append(it)
        out[name] = {"model": model.name, **score_labels(kept, got), "n_annotator_items": len(items)}
        log(f"{kind} {name}: {out[name]}")
    return out


def separate_scores(
    modalities: tuple[str, ...] = tuple(COMPARED), *, data_home: str | None = None, log: Callable[[str], None] = print
) -> dict[str, dict[str, Any]]:
    """``dataset -> {"model", "n", "D_e", "D_e_informative", "n_annotator_items"}`` of the
    currently shipped separate models on the annotator's validation items.

    ``n`` is the number of items scored (``n_annotator_items`` the annotator's; they differ only
    where the separate model's pipeline lacks an item's features).
    """
    out: dict[str, dict[str, Any]] = {}
    for m in modalities:
        datasets = COMPARED[m][1]
        out.update(_music(datasets, data_home, log) if m == "music" else _per_item(m, datasets, data_home, log))
    return out
