"""The model card (Markdown) of a symbolic training report."""

from __future__ import annotations

import json
from typing import Any

import numpy as np

from mvemo.train.common import fmt_share, render_template

__all__ = ["model_card"]


def model_card(report: dict[str, Any]) -> str:
    """Markdown model card from a training report."""
    cfg = report["config"]
    has_nets = cfg.get("n_seeds", 1) > 0
    linear_text: list[str] = []
    if cfg.get("linear"):
        lw = cfg.get("linear_weight", 1.0) if has_nets else 1.0
        chosen = report.get("linear", {})
        linear_text = [
            "",
            "**Valence x arousal factorisation.** A linear two-factor model gives the 4Q probabilities"
            + (
                f" (blended with the networks' 4Q output, weight {lw} on the linear part; the category,"
                " intensity and VA outputs are the networks')"
                if has_nets and lw < 1
                else ""
                if has_nets
                else " (category, intensity and VA are derived from them: the quadrant's"
                " unified category, the expected VA of the four quadrant labels, intensity 0.5)"
            )
            + ":",
            f"a **valence** logistic regression (Q1/Q4 vs Q2/Q3) on `{'+'.join(cfg.get('valence_inputs', ()))}` and",
            f"an **arousal** logistic regression (Q1/Q2 vs Q3/Q4) on `{'+'.join(cfg.get('arousal_inputs', ()))}`,",
            "standardised, C per factor by song/piece-grouped "
            f"{cfg.get('linear_folds', 5)}-fold cross-validation on train"
            + (
                f" (valence C = {chosen['valence']['C']}, arousal C = {chosen['arousal']['C']})"
                if "valence" in chosen
                else ""
            )
            + f", trained on {', '.join(cfg.get('linear_datasets', ()))} train clips;",
            "P(Q1) = pv pa, P(Q2) = (1 - pv) pa, P(Q3) = (1 - pv)(1 - pa), P(Q4) = pv (1 - pa).",
            "`stats` = the window statistics above; `valence` = `mvemo.features.midi.valence_features`:",
            "windowed (4 s / 8 s) Krumhansl-Schmuckler major vs minor correlations, the interval-class",
            "vector of simultaneous notes, top-voice melodic steps and leaps, dynamics (velocity over",
            "notes and 1-s bins, melodic accent), articulation (legato / staccato) and outer-voice register.",
            "The factors are numpy arrays in the weights file (no scikit-learn needed to predict).",
        ]
    lines = [
        f"# Model card: {report['model']}",
        "",
        "**What it is.** mvemo's symbolic-music (MIDI) emotion model: MIDI note statistics (pitch, rhythm,",
        "density, velocity, key mode, tempo) and the key-normalised chord sequence (half-bar template",
        "chords, encoded like the audio model's chord input) through the Music2Emo chord Transformer",
        "and MLP heads"
        + (
            " -- ensembled with a frame-sequence encoder over the notes (8 frames/s of sounding / onset /"
            " bass pitch classes and loudness, register and density scalars; a 2-D convolution circular over"
            " the 12 pitch classes and pooled over them, so exactly transposition-invariant but mode-sensitive;"
            " dilated temporal convolutions, attention pooling, joined with the statistics), outputs averaged"
            f" with weight {cfg.get('frame_weight', 0.5)} on the frame encoder."
            if cfg.get("frame_seeds")
            else "."
        )
        + " It predicts the unified MVEmo label (28 categories + intensity), valence-arousal",
        "and the 4Q quadrant, for a whole file and every 0.5 s (windows of +-2.5 s).",
        *linear_text,
        "",
        "## Training data",
        "",
        "| dataset | clips used for training | labels |",
        "|---|---|---|",
        f"| EMOPIA 1.0 (Hung et al. 2021) | official train split ({report['n_train_by_dataset'].get('emopia', 0)}) | "
        "4Q |",
        f"| VGMIDI labelled phrases (Ferreira & Whitehead 2019) | seeded 8:1:1 train split by piece "
        f"({report['n_train_by_dataset'].get('vgmidi', 0)}) | valence/arousal signs = 4Q |",
        "",
        "Category/intensity targets are the manifests' unified labels (4Q class -> excited/distressed/",
        "depressed/relaxed at 0.5), VA targets the points of those labels: the category head has seen",
        "4 of the 28 categories and VA is weakly supervised.",
        "",
        f"Config: `{json.dumps({k: v for k, v in cfg.items() if k not in ('data_home', 'cache_dir', 'out_dir')})}`.",
        *(
            []
            if "networks_from" not in report
            else [
                "",
                f"The networks are those of `{report['networks_from']['model']}` (`networks_from`: trained by this",
                "trainer with the network settings above on the same train splits), reused as they are; only the",
                "linear model is fitted in this run. Leave `networks_from` out to train them again.",
            ]
        ),
        "",
        "## Reproduce",
        "",
        "```bash",
        "MVEMO_DATA=../shared/data .venv/bin/mvemo train symbolic --config configs/symbolic.toml",
        "```",
        "",
        "## Metrics (held-out splits)",
        "",
        "| split | dataset | n | 4Q accuracy | 4Q macro-F1 | valence acc. | arousal acc. | category F1 | D_e |"
        " category in quadrant |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    for split in ("validation", "test"):
        for ds, rep in report.get(split, {}).items():
            q, u = rep["quadrant"], rep["unified"]
            lines.append(
                f"| {split} | {ds} | {q['n']} | {q['accuracy']:.3f} | {q['macro_f1']:.3f} | "
                f"{q['valence_accuracy']:.3f} | {q['arousal_accuracy']:.3f} | {u['category_f1']:.3f} | "
                f"{u['emotion_distance']:.3f} | {fmt_share(u.get('quadrant_agreement'))} |"
            )
    if "components" in report:
        names = {
            "stats_chord": "stats + chords",
            "frames": "frame sequence",
            "networks": "networks",
            "linear": "linear V x A",
        }
        keys = [
            k for k in names if any(k in comp for by_ds in report["components"].values() for comp in by_ds.values())
        ]
        lines += [
            "",
            "The parts alone (4Q accuracy; same seeds):",
            "",
            "| split | dataset | " + " | ".join(names[k] for k in keys) + " | shipped combination |",
            "|---|---|" + "---|" * (len(keys) + 1),
        ]
        for split, by_ds in report["components"].items():
            for ds, comp in by_ds.items():
                cells = " | ".join(f"{comp[k]['accuracy']:.3f}" if k in comp else "" for k in keys)
                lines.append(f"| {split} | {ds} | {cells} | {report[split][ds]['quadrant']['accuracy']:.3f} |")
    ablation = [
        (split, ds, comp[k])
        for split, by_ds in report.get("components", {}).items()
        for ds, comp in by_ds.items()
        for k in ("unified_conform_on", "unified_conform_off")
        if k in comp
    ]
    if ablation:
        on = bool(cfg.get("conform_categories"))
        lines += [
            "",
            (
                "**Categories conformed to the quadrant** (`conform_categories`): the networks' 28 category"
                " probabilities are rescaled so that their mass per quadrant equals the blended 4Q"
                " probabilities (`mvemo.conversion.quadrant.conform_categories`), so the category follows"
                " the predicted quadrant (the share of clips where it lies in it is the last figure)."
                if on
                else "**Categories not conformed** to the blended quadrant (`conform_categories = false`)."
            ),
            "",
            "| split | dataset | category F1 / D_e / category in quadrant, shipped | with conform_categories "
            + ("off" if on else "on")
            + " |",
            "|---|---|---|---|",
        ]
        for split, ds, other in ablation:
            u = report[split][ds]["unified"]
            lines.append(
                f"| {split} | {ds} | {u['category_f1']:.3f} / {u['emotion_distance']:.3f} / "
                f"{fmt_share(u.get('quadrant_agreement'))} | {other['category_f1']:.3f} / "
                f"{other['emotion_distance']:.3f} / {fmt_share(other.get('quadrant_agreement'))} "
                "|"
            )
    t = report.get("test", {}).get("emopia")
    if t:
        acc, n = t["quadrant"]["accuracy"], t["quadrant"]["n"]
        lines += [
            "",
            f"EMOPIA test 4Q accuracy {acc:.3f} on {n} clips (standard error "
            f"{np.sqrt(acc * (1 - acc) / n):.3f}); the project's goal of 0.75 is "
            f"{'met' if acc >= 0.75 else 'not met'}. Choices were made on validation; test was read "
            "once.",
        ]
    if "baselines" in report:
        lines += [
            "",
            "Baselines on the same whole-clip features (4Q accuracy / macro-F1):",
            "",
            "| model | split | dataset | accuracy | macro-F1 |",
            "|---|---|---|---|---|",
        ]
        for name, by_split in report["baselines"].items():
            for split, by_ds in by_split.items():
                for ds, q in by_ds.items():
                    lines.append(f"| {name} | {split} | {ds} | {q['accuracy']:.3f} | {q['macro_f1']:.3f} |")
    tail = render_template(
        "symbolic_tail",
        linear_inputs=" (and valence features, through a linear valence x arousal model)" if cfg.get("linear") else "",
        frame_inputs=" (and an 8-frames/s note-frame sequence)" if cfg.get("frame_seeds") else "",
        frame_windows=" (40 frames for the frame encoder, trained on whole clips and random crops of >= 5 s)"
        if cfg.get("frame_seeds")
        else "",
    )
    return "\n".join(lines) + "\n\n" + tail
