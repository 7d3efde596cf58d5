#!/usr/bin/env bash
# The main job on files shipped in the repo:
#   0. predict the emotion of the example audio, MIDI, lyrics and music video (static + every
#      0.5 s; the video is fused with its music and its sidecar lyrics), with plots;
#   0a. an interactive offline page of the results (mvemo view);
#   1-3. convert invented valence-arousal ratings (1-9) to unified labels, then score an LLM's
#        raw answers against them with MVEmo-Bench metrics.
# Usage: bash examples/run_example.sh [OUTDIR]   (default: out/example)
set -euo pipefail
cd "$(dirname "$0")/.."
MVEMO=${MVEMO:-.venv/bin/mvemo}
OUT=${1:-out/example}
mkdir -p "$OUT"
echo "== 0. emotion of examples/{audio,midi,lyrics,video} -> $OUT/predictions.jsonl, plots in $OUT/plots"
"$MVEMO" predict examples/audio examples/midi examples/lyrics examples/video \
    --out "$OUT/predictions.jsonl" --plot "$OUT/plots"
echo
echo "== 0a. an interactive page of those results (play, seek, follow the emotion): $OUT/view.html"
"$MVEMO" view "$OUT/predictions.jsonl" --out "$OUT/view.html"
echo
echo "== 0b. a lead sheet transcribed from the Bach chorale: $OUT/bach_lead_sheet.mid"
"$MVEMO" transcribe examples/audio/bach_chorale_bwv66.6.mp3 --out "$OUT/bach_lead_sheet.mid"
echo
echo "== 1. valence-arousal ratings (1-9) -> unified labels: $OUT/reference.csv"
"$MVEMO" convert table examples/ratings_va.csv --kind va --scale 1 9 --out "$OUT/reference.csv"
cut -d, -f1,5-8 "$OUT/reference.csv"
echo
echo "== 2. the rows that converted become the reference: $OUT/reference_ok.csv"
"$MVEMO" convert table examples/ratings_va.csv --kind va --scale 1 9 --only-converted --out "$OUT/reference_ok.csv"
echo
echo "== 3. an LLM's raw responses scored against the reference"
"$MVEMO" evaluate --ref "$OUT/reference_ok.csv" --est examples/responses.jsonl
"$MVEMO" evaluate --ref "$OUT/reference_ok.csv" --est examples/responses.jsonl --json > "$OUT/scores.json"
echo "scores also in $OUT/scores.json"
