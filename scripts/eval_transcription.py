"""Accuracy of ``mvemo transcribe`` on audio rendered from MIDI whose truth we know.

Seeded synthetic lead sheets (a diatonic chord progression as sustained block chords, one
chord per bar, and a melody of chord and scale tones in eighth and quarter notes; random
key, mode and tempo) are written with pretty_midi, rendered with fluidsynth and the
FluidR3 GM soundfont (piano), transcribed, and scored with mir_eval:

* notes: ``mir_eval.transcription`` precision/recall/F1, onset only (50 ms) and with
  offsets (default 20 % / 50 ms rule), for all notes and for the melody track;
* chords: ``mir_eval.chord`` weighted accuracy (root, majmin) of the chord track;
* key (exact) and tempo (within 4 %, or a factor 2 off).

Run: ``.venv/bin/python scripts/eval_transcription.py [--n 8] [--seed 0]``
(needs ``fluidsynth`` and ``/usr/share/sounds/sf2/FluidR3_GM.sf2``).
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import tempfile
from pathlib import Path

import numpy as np

SOUNDFONT = Path("/usr/share/sounds/sf2/FluidR3_GM.sf2")
SR = 22050
PCS = ("C", "C#", "D", "D#", "E", "F", "F#", "G", "G#", "A", "A#", "B")
MAJOR = (0, 2, 4, 5, 7, 9, 11)
MINOR = (0, 2, 3, 5, 7, 8, 10)
PROG_MAJOR = ((0, "maj"), (9, "min"), (5, "maj"), (7, "maj"), (2, "min"), (4, "min"))  # I vi IV V ii iii
PROG_MINOR = ((0, "min"), (5, "min"), (8, "maj"), (7, "maj"), (3, "maj"), (10, "maj"))  # i iv VI V III VII


def make_piece(rng: np.random.Generator, bars: int = 8):
    """A random lead sheet: (PrettyMIDI, melody notes, all notes, chords, key label, bpm)."""
    import pretty_midi

    bpm = float(rng.uniform(80, 140))
    tonic = int(rng.integers(12))
    mode = "major" if rng.random() < 0.5 else "minor"
    scale, prog = (MAJOR, PROG_MAJOR) if mode == "major" else (MINOR, PROG_MINOR)
    beat = 60.0 / bpm
    pm = pretty_midi.PrettyMIDI(initial_tempo=bpm)
    mel = pretty_midi.Instrument(program=0, name="melody")
    acc = pretty_midi.Instrument(program=0, name="chords")
    chords = []
    degrees = [0] + [int(rng.integers(len(prog))) for _ in range(bars - 2)] + [0]
    for b, d in enumerate(degrees):
        iv, q = prog[d]
        root = (tonic + iv) % 12
        t0, t1 = b * 4 * beat, (b + 1) * 4 * beat
        chords.append((t0, t1, f"{PCS[root]}:{q}"))
        third = 4 if q == "maj" else 3
        for k in (0, third, 7):
            acc.notes.append(pretty_midi.Note(int(rng.integers(55, 75)), 48 + root + k, t0, t1 - 0.02))
        t = t0
        while t < t1 - 1e-6:
            dur = beat * (0.5 if rng.random() < 0.5 else 1.0)
            dur = min(dur, t1 - t)
            if rng.random() < 0.6:
                pc = (root + (0, third, 7)[int(rng.integers(3))]) % 12
            else:
                pc = (tonic + scale[int(rng.integers(7))]) % 12
            pitch = 72 + ((pc - 0) % 12)
            mel.notes.append(pretty_midi.Note(int(rng.integers(80, 110)), pitch, t, t + dur * 0.9))
            t += dur
    pm.instruments += [mel, acc]
    return pm, mel.notes, mel.notes + acc.notes, chords, f"{PCS[tonic]} {mode}", bpm


def render(pm, workdir: Path, name: str) -> np.ndarray:
    import soundfile as sf

    mid, wav = workdir / f"{name}.mid", workdir / f"{name}.wav"
    pm.write(str(mid))
    subprocess.run(
        ["fluidsynth", "-ni", "-q", "-g", "0.8", "-r", str(SR), "-F", str(wav), str(SOUNDFONT), str(mid)],
        check=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    y, sr = sf.read(str(wav), always_2d=True)
    if sr != SR:
        raise SystemExit(f"fluidsynth wrote {sr} Hz, expected {SR}")
    return y.mean(axis=1).astype(np.float32)


def _note_arrays(notes):
    import pretty_midi

    iv = np.array([[n.start, n.end] for n in notes], float).reshape(-1, 2)
    hz = np.array([pretty_midi.note_number_to_hz(n.pitch) for n in notes], float)
    return iv, hz


def note_scores(ref, est) -> dict[str, float]:
    import mir_eval

    ri, rp = _note_arrays(ref)
    ei, ep = _note_arrays(est)
    if len(ei) == 0:
        return {"onset_f1": 0.0, "onset_p": 0.0, "onset_r": 0.0, "offset_f1": 0.0}
    p, r, f, _ = mir_eval.transcription.precision_recall_f1_overlap(ri, rp, ei, ep, offset_ratio=None)
    _, _, f2, _ = mir_eval.transcription.precision_recall_f1_overlap(ri, rp, ei, ep)
    return {"onset_f1": f, "onset_p": p, "onset_r": r, "offset_f1": f2}


def chord_scores(ref, est) -> dict[str, float]:
    import mir_eval

    ri = np.array([[a, b] for a, b, _ in ref])
    rl = [lab for *_, lab in ref]
    ei = np.array([[a, b] for a, b, _ in est]).reshape(-1, 2)
    el = [lab for *_, lab in est]
    ei, el = mir_eval.util.adjust_intervals(
        ei, el, ri.min(), ri.max(), mir_eval.chord.NO_CHORD, mir_eval.chord.NO_CHORD
    )
    iv, r_lab, e_lab = mir_eval.util.merge_labeled_intervals(ri, rl, ei, el)
    dur = mir_eval.util.intervals_to_durations(iv)
    return {
        m: float(mir_eval.chord.weighted_accuracy(getattr(mir_eval.chord, m)(r_lab, e_lab), dur))
        for m in ("root", "majmin")
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--n", type=int, default=8, help="pieces")
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args()
    if shutil.which("fluidsynth") is None or not SOUNDFONT.is_file():
        raise SystemExit("needs fluidsynth and fluid-soundfont-gm: apt-get install fluidsynth fluid-soundfont-gm")
    from mvemo.features.transcription import transcribe

    rng = np.random.default_rng(args.seed)
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for i in range(args.n):
            pm, mel, allnotes, chords, key, bpm = make_piece(rng)
            y = render(pm, Path(tmp), f"piece{i}")
            row = {"piece": i, "key": key, "bpm": bpm}
            for quant in (True, False):
                sheet = transcribe(y, SR, quantize=quant)
                tag = "q" if quant else "raw"
                s_all = note_scores(allnotes, sheet.notes)
                s_mel = note_scores(mel, sheet.melody)
                row[f"{tag}_all_onset_f1"] = s_all["onset_f1"]
                row[f"{tag}_all_offset_f1"] = s_all["offset_f1"]
                row[f"{tag}_mel_onset_f1"] = s_mel["onset_f1"]
            row.update({f"chord_{k}": v for k, v in chord_scores(chords, sheet.chords).items()})
            row["key_ok"] = float(sheet.key == key)
            ratio = sheet.tempo / bpm
            row["tempo_ok"] = float(min(abs(ratio - 1), abs(ratio - 2) / 2, abs(ratio - 0.5) * 2) < 0.04)
            row["est_key"], row["est_bpm"] = sheet.key, sheet.tempo
            rows.append(row)
            print(
                f"piece {i}: {key:<9} {bpm:5.1f} BPM -> {sheet.key:<9} {sheet.tempo:5.1f} BPM, "
                f"notes F1 {row['q_all_onset_f1']:.3f}, melody F1 {row['q_mel_onset_f1']:.3f}, "
                f"chords majmin {row['chord_majmin']:.3f}",
                flush=True,
            )
    cols = [
        ("q_all_onset_f1", "all notes, onset F1 (quantised)"),
        ("raw_all_onset_f1", "all notes, onset F1 (raw)"),
        ("q_all_offset_f1", "all notes, onset+offset F1 (quantised)"),
        ("raw_all_offset_f1", "all notes, onset+offset F1 (raw)"),
        ("q_mel_onset_f1", "melody track, onset F1 (quantised)"),
        ("raw_mel_onset_f1", "melody, onset F1 (raw)"),
        ("chord_root", "chords, root accuracy"),
        ("chord_majmin", "chords, majmin accuracy"),
        ("key_ok", "key exact"),
        ("tempo_ok", "tempo within 4% (or x2)"),
    ]
    print(f"\n| metric ({len(rows)} rendered pieces, seed {args.seed}) | mean | min | max |")
    print("|---|---|---|---|")
    for c, title in cols:
        v = np.array([r[c] for r in rows])
        print(f"| {title} | {v.mean():.3f} | {v.min():.3f} | {v.max():.3f} |")


if __name__ == "__main__":
    main()
