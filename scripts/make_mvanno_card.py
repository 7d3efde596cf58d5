"""Export a finished mvanno-cpu curriculum run as the shipped weights and write its model card.

    .venv/bin/python scripts/make_mvanno_card.py build/mvanno --wall "9 min 12 s" --note "..."

Writes src/mvemo/models/weights/mvanno-cpu-v1{.json,-static.safetensors,-dynamic.safetensors,.md}.
The separate shipped models' validation D_e come from their model cards / reports (same splits:
the registered loaders' seeded splits, seed 0).
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from mvemo.anno.annotate import SHIPPED, WEIGHTS_DIR, export_weights
from mvemo.anno.choice import compare_with_separate
from mvemo.anno.report import format_report, load_state
from mvemo.util import atomic_write

# Validation D_e of the separate shipped models (their cards: music2emo-musicnn-msd-v3.md,
# lyrics-minilm-lex-bow-v2.md, symbolic-emopia-vgmidi-v3.json "validation").
SHIPPED_DE = {
    "4q_panda2018": ("music2emo-musicnn-msd-v3", 0.160),
    "emotify": ("music2emo-musicnn-msd-v3", 0.184),
    "lyrics": ("lyrics-minilm-lex-bow-v2", 0.354),
}


def _shipped() -> dict[str, tuple[str, float]]:
    out = dict(SHIPPED_DE)
    sym = json.loads((WEIGHTS_DIR / "symbolic-emopia-vgmidi-v3.json").read_text())
    for ds in ("emopia", "vgmidi"):
        out[ds] = ("symbolic-emopia-vgmidi-v3", sym["validation"][ds]["unified"]["emotion_distance"])
    return out


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("run")
    ap.add_argument("--wall", required=True, help="measured wall time of the curriculum")
    ap.add_argument("--note", default="", help="measurement conditions (machine load)")
    ap.add_argument("--variability", default="", help="what is known about run-to-run variation")
    args = ap.parse_args()
    run = Path(args.run)
    state = load_state(run)
    st = state["stages"]
    order = [n for n in state["order"] if st[n]["status"] == "done"]
    last_static = [n for n in order if st[n]["branch"] == "static"][-1]
    # the numbers `mvemo predict --annotator auto` decides by (per modality, recorded in the JSON)
    per_dataset = {
        ds: {"stage": stage, "n": s["n"], "D_e": s["D_e"]}
        for stage in order
        if st[stage]["branch"] == "static"
        for ds, s in st[last_static]["eval"].get(stage, {}).get("datasets", {}).items()
    }
    validation = compare_with_separate(per_dataset, _shipped())
    js = export_weights(run, WEIGHTS_DIR, name=SHIPPED, extra={"validation": validation})
    music_after_music = st["music"]["eval"]["music"]["D_e"]
    music_after_last = st[last_static]["eval"]["music"]["D_e"]
    rows = []
    shipped = _shipped()
    for stage in order:
        if st[stage]["branch"] != "static":
            continue
        for ds, s in st[last_static]["eval"].get(stage, {}).get("datasets", {}).items():
            ref = shipped.get(ds)
            verdict = (
                "" if ref is None else ("annotator better or equal" if s["D_e"] <= ref[1] else "separate model better")
            )
            rows.append(
                f"| {stage} | {ds} | {s['n']} | {s['D_e']:.3f} | "
                + (f"{ref[1]:.3f} ({ref[0]}) | {verdict} |" if ref else "- | no separate model on this split |")
            )
    dyn = [n for n in order if st[n]["branch"] == "dynamic"]
    dyn_line = ""
    if dyn:
        e = st[dyn[-1]]["eval"][dyn[-1]]
        dyn_line = (
            f"Dynamic branch (`{dyn[-1]}`): validation D_e {e['D_e']:.3f} over {e['n']} held-out clips "
            "(per-clip mean over its 0.5-s frames); the separate music model's dynamic output has no "
            "validation number on these clips (its card: too few dynamic labels to evaluate)."
        )
    n_train = {n: st[n].get("n_train") for n in order}
    card = f"""# Model card: {SHIPPED}

**What it is.** MVAnno on the CPU (`mvanno-cpu` backend, docs/mvanno.md): mvemo's frozen encoders
(musicnn MSD blocks + back end, MiniLM lyrics chunks, MIDI statistics) -> per-encoder projectors ->
one shared 2-layer Transformer trunk (width 128) with `LoRA_v`/`LoRA_m` rank-8 adapters -> a
distribution over the 28 x 11 grid of `mvemo.conversion.point`, from which category, intensity,
valence-arousal and quadrant derive. Two branches: MVAnno_static (`{SHIPPED}-static.safetensors`,
after stage `{last_static}`) and MVAnno_dynamic (`{SHIPPED}-dynamic.safetensors`, after
`{dyn[-1] if dyn else "-"}`), float16, {sum((WEIGHTS_DIR / f"{SHIPPED}-{b}.safetensors").stat().st_size for b in ("static", "dynamic") if (WEIGHTS_DIR / f"{SHIPPED}-{b}.safetensors").is_file()) / 1e6:.1f} MB together.
It is NOT the default of `mvemo predict`; use it with `mvemo anno annotate`.

## Training data (../shared/data, registered loaders, seeded splits, seed 0)

Stages that trained (training examples): {", ".join(f"{n} ({n_train[n]})" for n in order)}.
Music: 4Q audio, Emotify, emoMusic and PMEmo clips with audio (static unified labels);
lyrics: the lyrics set; MIDI: EMOPIA, VGMIDI; dynamic: emoMusic/PMEmo dynamic V/A converted
to unified labels every 0.5 s (`mvemo.conversion.dynamic`, 14 clips with audio). Targets: the
unified labels spread softly around their cell (`mvemo.anno.targets.label_targets`; to be
replaced by the informative targets of issue #16). Skipped stages (data absent offline) are
listed under the report.

## Reproduce

```bash
MVEMO_DATA=../shared/data .venv/bin/mvemo anno train --config configs/mvanno.toml
.venv/bin/python scripts/make_mvanno_card.py build/mvanno --wall "<measured>"
```

Wall time of that run: {args.wall}{(" (" + args.note + ")") if args.note else ""}.

## Metrics (validation splits; lower D_e is better)

{format_report(state, fmt="md")}
**Forgetting.** Music validation D_e after the music stage {music_after_music:.4f}, after the last
static stage (`{last_static}`) {music_after_last:.4f}: change {music_after_last - music_after_music:+.4f}
(goal: no worse than +0.01).
{args.variability}

**Against the separate shipped models** (same validation items; MVAnno_static after `{last_static}`):

| stage | dataset | n | D_e MVAnno_static | D_e separate model | |
|---|---|---|---|---|---|
{chr(10).join(rows)}

{dyn_line}

## Limits

- Where the separate model is better (see the table), keep it as the default; this annotator
  does not change `mvemo predict`.
- Image and video stages did not train (no image-emotion or labelled-video files offline), so
  `LoRA_v` only learnt from lyrics; the multimodal stages were skipped (no item has two
  modalities with labels).
- 4Q labels are class-derived (4 categories at intensity 0.5), Emotify's are the vote-weighted
  GEMS mapping; the category head has effectively seen few of the 28 categories and intensity is
  weakly supervised. The dynamic branch learnt from 14 clips.
- Trained on 30-60 s previews re-encoded at 24-32 kbit/s; expect lower accuracy elsewhere.
"""
    atomic_write(WEIGHTS_DIR / f"{SHIPPED}.md", card)
    for f in WEIGHTS_DIR.glob(f"{SHIPPED}*"):
        f.chmod(0o644)  # package data, like the other shipped weights
    print(f"wrote {js} and {WEIGHTS_DIR / (SHIPPED + '.md')}")


if __name__ == "__main__":
    main()
