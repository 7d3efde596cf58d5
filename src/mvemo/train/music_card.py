"""The model card (Markdown) of a training report of the Music2Emo model (:mod:`mvemo.train.music`)."""

from __future__ import annotations

import json
from typing import Any

import numpy as np

from mvemo.features.music import HARMONY_KIND, blocks_kind
from mvemo.train.common import LOCAL_KEYS

__all__ = ["model_card"]


def _scores(u: dict) -> str:
    agree = u.get("quadrant_agreement")
    return f"{u['category_f1']:.3f} / {u['emotion_distance']:.3f}" + ("" if agree is None else f" / {agree:.2f}")


_PAPER_TARGETS = [
    "Weak VA: items without ratings get the VA point of their unified label as the `va` target. The",
    "`category`/`intensity` targets are the manifests' unified static labels (4Q -> excited/distressed/",
    "depressed/relaxed at 0.5; Emotify -> the vote-weighted circular mean of the GEMS terms' categories).",
    "So the category head has effectively seen only a few of the 28 categories, and intensity is",
    "weakly supervised (0.5 for class-derived labels).",
]
_INFORMATIVE_TARGETS = [
    "Weak VA: items without ratings get the VA point of their unified label as the `va` target. The",
    "category head and an 11-level intensity head are trained on each item's *informative* soft target",
    '(`docs/representation.md`, "Informative labels"): 4Q clips from their AllMusic mood words inside',
    "the labelled quadrant (intensity from the words' agreement and `PQuad`), Emotify tracks from the",
    "raters' GEMS votes (intensity from their agreement), VA clips from the ratings and their spread;",
    "weighted soft cross-entropy (`mvemo.train.music_v4.informative_loss`).",
]


def model_card(report: dict[str, Any]) -> str:
    """The model card (Markdown) of a training report: data, command, metrics, limits."""
    lines = [
        f"# Model card: {report['model']}",
        "",
        "**What it is.** mvemo's offline music emotion model: the Music2Emo design (Kang & Herremans) on the",
        f"musicnn {report['config'].get('backbone', 'MTT_musicnn').split('_')[0]} backbone (Pons & Serra; weights "
        "from the `musicnn` PyPI package, ISC licence), with",
        "chord and key features. It predicts the unified MVEmo label (28 categories + intensity), valence-",
        "arousal, the 4Q quadrant and Emotify's GEMS-9 vote shares, for a whole track and every 0.5 s.",
        "",
        "**Substitution.** Music2Emo uses MERT/other large audio encoders on a GPU; we use musicnn (753-d",
        "frame features, 200-d penultimate, 50 tags) because its weights ship on PyPI and it runs on a CPU.",
        "",
        f"**Features.** Cache kinds `{blocks_kind(report['config'].get('backbone', 'MTT_musicnn'))}` and "
        f"`{HARMONY_KIND}`: audio decoded exactly as `mvemo predict`",
        "decodes it (22.05 kHz, soxr to 16 kHz for musicnn); harmony from the fast STFT chroma (no HPSS) and",
        "our numpy tempo estimate (docs/harmony.md)."
        + (" Embedding with std pooling (+753)." if report.get("config", {}).get("std_pooling") else ""),
        "",
        "## Training data",
        "",
        "| dataset | tracks used for training | labels | heads trained |",
        "|---|---|---|---|",
        "| 4Q audio (Panda et al. 2018) | train split (seeded 8:1:1) | 4Q classes | quadrant, category, intensity, "
        "weak VA |",
        "| Emotify (Aljanaki et al.) | train split (seeded 8:1:1) | GEMS-9 vote shares | gems, category, intensity, "
        "weak VA |",
        "| emoMusic (10 clips with audio) | all | static V/A 1-9, dynamic V/A | va (static and ±2.5 s windows), "
        "category, intensity |",
        "| PMEmo (4 clips with audio) | all | static V/A [0,1], dynamic V/A | va (static and windows), category, "
        "intensity |",
        "",
        *(_INFORMATIVE_TARGETS if report["config"].get("informative") else _PAPER_TARGETS),
        "",
        f"Training set: {report['n_train']} tracks. Config: "
        f"`{json.dumps({k: v for k, v in report['config'].items() if k not in LOCAL_KEYS}, default=str)}`.",
        "",
        "## Reproduce",
        "",
        "```bash",
        "MVEMO_DATA=../shared/data .venv/bin/mvemo train music --config "
        + ("configs/music2emo_v4.toml" if report["config"].get("informative") else "configs/music2emo.toml --cv 10"),
        "```",
        "",
        "## Metrics (held-out splits of the data in ../shared/data)",
        "",
        "| split | dataset | n | 4Q accuracy | 4Q macro-F1 | GEMS mean ROC-AUC | category F1 | D_e |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for split in ("validation", "test"):
        for ds, rep in report.get(split, {}).items():
            q = rep.get("quadrant", {})
            u = rep.get("unified", {})

            def f(x):
                return "" if x is None else f"{x:.3f}"

            lines.append(
                f"| {split} | {ds} | {rep['n']} | {f(q.get('accuracy'))} | {f(q.get('macro_f1'))} | "
                f"{f(rep.get('gems_mean_roc_auc'))} | {f(u.get('category_f1'))} | "
                f"{f(u.get('emotion_distance'))} |"
            )
    if "grid" in report:
        lines += [
            "",
            "The category F1 and D_e columns above score the raw heads (argmax category, scalar "
            "intensity); the records come from one grid per answer and are scored in "
            '"One emotion point, both references" below.',
        ]
    cfg = report.get("config", {})
    if cfg.get("quadrant_linear_c", 0) > 0:
        lines += [
            "",
            f"**Linear quadrant channel.** The static quadrant is {cfg['quadrant_linear_weight']} x a "
            "standardised "
            f"logistic regression (C = {cfg['quadrant_linear_c']}, fitted on the 4Q training tracks' whole-track "
            f"{' + '.join(f'`{b}`' for b in cfg['quadrant_linear_inputs'])}) + "
            f"{1 - cfg['quadrant_linear_weight']:g} x the network's 4Q head; the 4Q columns above are that "
            "blend. "
            "The network's 4Q head alone:",
        ]
        for split in ("validation", "test"):
            q = report.get(split, {}).get("4q_panda2018", {}).get("quadrant_network_only")
            if q:
                end = ";" if split == "validation" else "."
                lines.append(f"{split} accuracy {q['accuracy']:.3f}, macro-F1 {q['macro_f1']:.3f}" + end)
        on = bool(cfg.get("conform_categories"))
        other = "unified_conform_" + ("off" if on else "on")
        # With the grid answer (informative runs) the category is conformed to the quadrant inside
        # the grid, so the heads-level comparison below would describe no output.
        rows = [
            (split, ds, rep["unified"], rep[other])
            for split in ("validation", "test")
            for ds, rep in report.get(split, {}).items()
            if other in rep and "grid" not in report
        ]
        if rows:
            lines += [
                "",
                (
                    "The static category probabilities are conformed to the blended quadrant (`conform_categories`)."
                    if on
                    else "The static category is the network's category head (`conform_categories = "
                    "false`), "
                    "so it can fall outside the blended quadrant."
                )
                + " Category F1 / D_e / share of tracks whose category lies in the predicted quadrant, with"
                " the other setting (`mvemo.conversion.quadrant.conform_categories`):",
                "",
                "| split | dataset | shipped | conform_categories " + ("off" if on else "on") + " |",
                "|---|---|---|---|",
            ]
            for split, ds, u, o in rows:
                lines.append(f"| {split} | {ds} | {_scores(u)} | {_scores(o)} |")
    if "cv_4q" in report:
        cv = report["cv_4q"]
        what = "the blended quadrant" if cv.get("quadrant_channel") else "the network's 4Q head"
        lines += [
            "",
            f"**4Q {cv['folds']}-fold cross-validation** of {what} (stratified; each fold retrains teachers "
            "and student):",
            f"mean accuracy {cv['mean_accuracy']:.3f}, mean macro-F1 {cv['mean_macro_f1']:.3f} "
            f"(std {cv['std_macro_f1']:.3f}).",
        ]
        if "macro_f1" in cv and len(cv["macro_f1"]) == cv["folds"]:
            lines.append("Folds: " + ", ".join(f"{x:.3f}" for x in cv["macro_f1"]) + ".")
    if "cv_channel" in report:
        cv = report["cv_channel"]
        lines += [
            "",
            f"**4Q {cv['folds']}-fold cross-validation of the linear quadrant channel alone** "
            f"(`scripts/cv_music.py --channel`, same stratified fold assignment as above, on {cv['n']} clips; "
            "with weight 1 this is the static quadrant output):",
        ]
        for seed, r in cv["per_seed"].items():
            lines.append(f"fold seed {seed}: mean macro-F1 {r['mean_macro_f1']:.3f} (std {r['std_macro_f1']:.3f});")
        lines.append(f"mean over seeds {cv['mean_macro_f1']:.3f}.")
    if "grid" in report:
        lines += informative_section(report)
    test_gems = report.get("test", {}).get("emotify", {}).get("gems_roc_auc")
    if test_gems:
        lines += [
            "",
            "Emotify test ROC-AUC per GEMS term (truth: share above the term's median): "
            + ", ".join(f"{k} {v:.2f}" for k, v in test_gems.items())
            + ".",
        ]
    lines += [
        "",
        "## Limits",
        "",
        "- Trained on ~30-60 s previews and clips, re-encoded at 24-32 kbit/s Opus; Western popular and",
        "  classical music dominate. Expect lower accuracy on other repertoires and on full-length tracks.",
        "- 4Q labels come from AllMusic tags (noisy); Emotify is induced emotion; only 14 clips carry real",
        "  valence-arousal ratings, so the VA outputs are mostly shaped by the class-derived weak targets.",
        "- About 10% of the 4Q and Emotify clips were withheld from our data for independent evaluation;",
        "  the numbers above are on our own held-out splits of the rest.",
        "- Dynamic labels come from the same heads applied to ±2.5 s windows; no dataset here has enough",
        "  dynamic labels with audio to evaluate them.",
    ]
    return "\n".join(lines) + "\n"


def _f(x, nd: int = 3) -> str:
    return "" if x is None else f"{x:.{nd}f}"


def _reliability_table(bins: dict) -> list[str]:
    out = ["| confidence bin | n | mean confidence | accuracy |", "|---|---|---|---|"]
    for lo, hi, n, c, a in zip(bins["lower"], bins["upper"], bins["count"], bins["confidence"], bins["accuracy"]):
        out.append(f"| ({lo:.2f}, {hi:.2f}] | {n} | {c:.3f} | {a:.3f} |")
    return out


def informative_section(report: dict[str, Any]) -> list[str]:
    """Card lines for a v4 report's ``grid`` scores (:func:`mvemo.train.music_v4.evaluate_grid`)."""
    grid = report["grid"]
    cal = report.get("quadrant_calibration")
    lines = [
        "",
        "## One emotion point, both references (v4)",
        "",
        "Every record field comes from one distribution over 28 categories x 11 intensity levels",
        "(`docs/predict.md`). Scored as the predictor answers (static label of each track) against the",
        "paper-compatible reference (4Q: the quadrant's word at 0.5; Emotify: the votes' circular mean at",
        '0.5) and the informative reference (`docs/representation.md`, "Informative labels").',
        f"Category temperature (validation NLL): {report.get('temperature', 1.0):.3f}"
        + (
            f"; quadrant-channel temperature (out-of-fold NLL on {cal['n']} 4Q training tracks): "
            f"{cal['temperature']:.3f}, out-of-fold ECE {cal['ece_raw']:.3f} -> {cal['ece']:.3f}."
            if cal
            else "."
        ),
        "",
        "| split | dataset | n | D_e paper | D_e informative | category F1 paper | category F1 informative "
        "| 4Q macro-F1 | intensity std | levels | categories |",
        "|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for split, by_ds in grid.items():
        for ds, r in by_ds.items():
            p, i = r.get("static", {}), r.get("informative", {})
            lines.append(
                f"| {split} | {ds} | {r['n']} | {_f(p.get('emotion_distance'))} | {_f(i.get('emotion_distance'))} | "
                f"{_f(p.get('category_f1'))} | {_f(i.get('category_f1'))} | "
                f"{_f(r.get('quadrant', {}).get('macro_f1'))} | {_f(r['intensity_std'])} | "
                f"{r['intensity_levels']} | {r['categories_used']} |"
            )
    val = grid.get("validation", {}).get("all")
    if val:
        levels, counts = np.unique(np.round(val["intensities"], 1), return_counts=True)
        lines += [
            "",
            "**Intensity distribution** (validation, 4Q + Emotify, static): "
            + ", ".join(f"{lv:.1f}: {c}" for lv, c in zip(levels, counts))
            + f". Categories used: {', '.join(val['categories'])}.",
        ]
        for key, what in (
            ("category", "category probabilities (vs the informative category)"),
            ("quadrant", "quadrant probabilities (4Q)"),
        ):
            if f"ece_{key}" not in val:
                continue
            floor = val.get(f"ece_{key}_floor")
            lines += [
                "",
                f"**Reliability of the {what}**, validation, 15 equal-width bins: ECE {val[f'ece_{key}']:.3f}"
                + (
                    f" (a perfectly calibrated model with these predictions reads {floor[0]:.3f} on average at "
                    f"this N, 95th percentile {floor[1]:.3f}; `mvemo.metrics.calibration.calibrated_ece`)."
                    if floor
                    else "."
                ),
                "",
                *_reliability_table(val[f"reliability_{key}"]),
            ]
    return lines
