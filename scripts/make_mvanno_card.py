"""Export a finished mvanno-cpu curriculum run as the shipped weights and write its model card.

    MVEMO_DATA=../shared/data PYTHONPATH=src .venv/bin/python scripts/compare_mvanno_separate.py \
        --out build/mvanno-separate.json
    PYTHONPATH=src .venv/bin/python scripts/make_mvanno_card.py build/mvanno-inf \
        --separate build/mvanno-separate.json --wall "2 min 13 s" --note "..."

Writes src/mvemo/models/weights/mvanno-cpu-v1{.json,-static.safetensors,-dynamic.safetensors,.md}.
The separate shipped models' validation D_e (both references) come from
``scripts/compare_mvanno_separate.py``: the models shipped when it ran, scored on the
annotator's validation items (:mod:`mvemo.anno.compare`).
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from mvemo.anno.annotate import SHIPPED, WEIGHTS_DIR, export_weights
from mvemo.anno.choice import annotator_per_dataset, compare_with_separate, comparison_table
from mvemo.anno.report import format_report, load_state
from mvemo.util import atomic_write


def _shipped(path: str) -> dict[str, dict]:
    try:
        return json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise SystemExit(
            f"cannot read the separate models' scores {path}: {exc} (run compare_mvanno_separate.py)"
        ) from exc


def spread_table(annotator: dict[str, dict], separate: dict[str, dict]) -> str:
    """Markdown rows of intensity std / levels / categories, annotator beside the separate model."""

    def cell(r: dict | None) -> str:
        if not r or "intensity_std" not in r:
            return "-"
        return f"{r['intensity_std']:.3f} / {r['intensity_levels']} / {r['categories_used']}"

    rows = ["| dataset | n | MVAnno_static | separate model |", "|---|---|---|---|"]
    for ds in sorted(set(annotator) & set(separate)):
        rows.append(f"| {ds} | {annotator[ds]['n']} | {cell(annotator[ds])} | {cell(separate[ds])} |")
    return "\n".join(rows)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("run")
    ap.add_argument("--wall", required=True, help="measured wall time of the curriculum")
    ap.add_argument("--separate", required=True, help="JSON of scripts/compare_mvanno_separate.py")
    ap.add_argument("--command", default=None, help="the training command of the run (default: the config's)")
    ap.add_argument("--note", default="", help="measurement conditions (machine load)")
    ap.add_argument("--variability", default="", help="what is known about run-to-run variation")
    args = ap.parse_args()
    run = Path(args.run)
    state = load_state(run)
    st = state["stages"]
    order = [n for n in state["order"] if st[n]["status"] == "done"]
    last_static = [n for n in order if st[n]["branch"] == "static"][-1]
    targets = state.get("targets", "paper")
    command = args.command or (
        f"MVEMO_DATA=../shared/data OMP_NUM_THREADS=1 PYTHONPATH=src .venv/bin/python -m mvemo.cli.main anno train "
        f"--config {state.get('config') or 'configs/mvanno.toml'} --out {run}"
    )
    # the numbers `mvemo predict --annotator auto` decides by (per modality, recorded in the JSON)
    shipped = _shipped(args.separate)
    validation = compare_with_separate(annotator_per_dataset(state), shipped)
    js = export_weights(run, WEIGHTS_DIR, name=SHIPPED, extra={"validation": validation, "targets": targets})
    forgetting = []
    for key, ref in (("D_e", "paper"), ("D_e_informative", "informative")):
        a, b = st["music"]["eval"]["music"].get(key), st[last_static]["eval"]["music"].get(key)
        if a is not None and b is not None:
            forgetting.append(
                f"- {ref} reference: music validation D_e after the music stage {a:.4f}, after the last "
                f"static stage (`{last_static}`) {b:.4f}: change {b - a:+.4f} (goal: no worse than +0.01; "
                + ("met" if b - a <= 0.01 else "NOT met")
                + ")"
            )
    dyn = [n for n in order if st[n]["branch"] == "dynamic"]
    dyn_line = ""
    if dyn:
        e = st[dyn[-1]]["eval"][dyn[-1]]
        dyn_line = (
            f"Dynamic branch (`{dyn[-1]}`): validation D_e {e['D_e']:.3f} (paper reference), "
            f"{e.get('D_e_informative', float('nan')):.3f} (informative reference) over {e['n']} held-out clips "
            "(per-clip mean over its 0.5-s frames); the separate music model's dynamic output has no "
            "validation number on these clips (its card: too few dynamic labels to evaluate)."
        )
    n_train = {n: st[n].get("n_train") for n in order}
    spread = spread_table(annotator_per_dataset(state), shipped)
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
to unified labels every 0.5 s (`mvemo.conversion.dynamic`, 14 clips with audio).

**Targets: `{targets}`** (the curriculum's `targets` setting, `mvemo.anno.targets`).
{TARGETS_TEXT[targets]}
Skipped stages (data absent offline) are listed under the report.

## Reproduce

```bash
{command}
MVEMO_DATA=../shared/data OMP_NUM_THREADS=1 PYTHONPATH=src .venv/bin/python scripts/compare_mvanno_separate.py \\
    --out build/mvanno-separate.json --run {run}
PYTHONPATH=src .venv/bin/python scripts/make_mvanno_card.py {run} --separate build/mvanno-separate.json --wall "<measured>"
```

Wall time of that run: {args.wall}{(" (" + args.note + ")") if args.note else ""}.

## Metrics (validation splits; lower D_e is better)

{format_report(state, fmt="md")}
Two references (docs/mvanno.md): the **paper reference** (MVEmo's conversions: every 4Q clip one
word at intensity 0.5; comparable with the paper's Table II) and the **informative reference**
(`item.informative`, issue #16: the intensity is the agreement of the source's words or raters).

**Forgetting** (MVAnno_static):

{chr(10).join(forgetting)}
{args.variability}

**Against the separate shipped models** (same validation items, `scripts/compare_mvanno_separate.py`;
MVAnno_static after `{last_static}`; `--annotator auto` decides per modality on the reference in
the "decided on" column; lower is better):

{comparison_table(validation)}
{dyn_line}

**Label spread** (validation, static labels, same items; issue #16's measures of how much of the
label space the answers use: intensity std / distinct intensity levels / categories used):

{spread}

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


TARGETS_TEXT = {
    "informative": (
        "Each item trains on its informative soft target (`item.informative`, issue #16: a von Mises\n"
        "spread over the 28 categories around the source's direction, concentrated by the agreement of\n"
        "its words / raters, times an intensity distribution with mean = the agreement), weighted by\n"
        "its rule's weight (4Q words, Emotify votes, emoMusic / lyrics valence-arousal with spread: 1;\n"
        "PMEmo valence-arousal without spread: 0.75; EMOPIA / VGMIDI bare quadrants: 0.5); dynamic\n"
        "frames use the informative frames of the same time; items or frames without one train on the\n"
        "paper label spread around its cell (`label_targets`)."
    ),
    "paper": "Every item trains on its paper-compatible unified label spread around its cell (`label_targets`).",
}


if __name__ == "__main__":
    main()
