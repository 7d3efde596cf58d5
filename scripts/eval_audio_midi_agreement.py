"""Do a piece's audio and its MIDI get the same key, chords and tempo?  (mir_eval scores)

    PYTHONPATH=src .venv/bin/python scripts/eval_audio_midi_agreement.py [--json OUT.json]

Two sets:

1. **examples**: ``examples/audio/*.mp3`` against ``examples/midi/*.mid`` (the same scores;
   the MIDI notes are the reference for the chords, since they are what was rendered).
2. **rendered**: MIDI pieces written here with a known key, chord progression and tempo
   (block chords plus a melody in eighth notes; keys with flats and sharps, 72-140 BPM),
   rendered to audio with fluidsynth and the FluidR3 GM soundfont (Debian packages
   ``fluidsynth`` and ``fluid-soundfont-gm``; the set is skipped without them).  Both the
   audio analysis and the MIDI analysis are scored against the truth.

Audio analysis = what ``mvemo predict`` reports (``mvemo.features.music.compute_harmony``);
MIDI analysis = ``mvemo.features.midi.midi_features``.  Scores: ``mir_eval.key.weighted_score``
(1 same key, 0.5 fifth, 0.3 relative, 0.2 parallel), ``mir_eval.chord`` majmin (duration
weighted), ``mir_eval.tempo.detection`` (p-score with an 8% tolerance; the second tempo is
the double, weight 1 on the first) and ``mvemo.features.tempo.tempo_agreement`` (same /
octave / metrical / no).
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

SOUNDFONT = Path("/usr/share/sounds/sf2/FluidR3_GM.sf2")
SR = 22050
# name, tonic pc, mode, BPM, progression (scale-degree roots, quality), GM program
_MAJOR_SCALE = (0, 2, 4, 5, 7, 9, 11)
_MINOR_SCALE = (0, 2, 3, 5, 7, 8, 10)
RENDERED = [
    ("Ab_major_96", 8, "major", 96.0, [(0, "maj"), (5, "min"), (3, "maj"), (4, "maj")], 0),
    ("E_major_120", 4, "major", 120.0, [(0, "maj"), (3, "maj"), (4, "maj"), (0, "maj")], 0),
    ("Bb_major_140", 10, "major", 140.0, [(0, "maj"), (3, "maj"), (5, "min"), (4, "maj")], 24),
    ("C_minor_72", 0, "minor", 72.0, [(0, "min"), (5, "maj"), (3, "min"), (4, "maj")], 19),
    ("F#_minor_100", 6, "minor", 100.0, [(0, "min"), (3, "min"), (4, "maj"), (0, "min")], 0),
    ("Eb_major_84", 3, "major", 84.0, [(0, "maj"), (4, "maj"), (5, "min"), (3, "maj")], 48),
]
EXAMPLES = [("bach_chorale_bwv66.6", "F# minor"), ("joplin_maple_leaf_rag", "Ab major")]


def _write_rendered_midi(path: Path, tonic: int, mode: str, bpm: float, prog, program: int, bars: int = 8):
    """Block chords (one per 4/4 bar) in octave 4 plus a melody of chord tones in eighth notes."""
    import pretty_midi

    from mvemo.features.harmony import CHORD_INTERVALS
    from mvemo.features.spelling import spell_pitch_class

    scale = _MAJOR_SCALE if mode == "major" else _MINOR_SCALE
    pm = pretty_midi.PrettyMIDI(initial_tempo=bpm)
    chords_inst = pretty_midi.Instrument(program=program)
    mel = pretty_midi.Instrument(program=program)
    beat = 60.0 / bpm
    truth = []
    for b in range(bars):
        degree, quality = prog[b % len(prog)]
        root = (tonic + scale[degree]) % 12
        t0, t1 = b * 4 * beat, (b + 1) * 4 * beat
        for iv in CHORD_INTERVALS[quality]:
            chords_inst.notes.append(pretty_midi.Note(70, 48 + root + iv, t0, t1 - 0.02))
        chords_inst.notes.append(pretty_midi.Note(80, 36 + root, t0, t0 + 2 * beat))  # bass on 1 and 3
        chords_inst.notes.append(pretty_midi.Note(75, 36 + root, t0 + 2 * beat, t1 - 0.02))
        tones = [root + iv for iv in CHORD_INTERVALS[quality]]
        for k in range(8):
            p = 60 + (tones[(k * 2 + b) % len(tones)] % 12) + (12 if k in (3, 6) else 0)
            mel.notes.append(
                pretty_midi.Note(95 if k % 2 == 0 else 75, p, t0 + k * beat / 2, t0 + (k + 0.9) * beat / 2)
            )
        truth.append((t0, t1, f"{spell_pitch_class(root, tonic, mode)}:{quality}"))
    pm.instruments += [chords_inst, mel]
    pm.write(str(path))
    return truth, f"{spell_pitch_class(tonic, tonic, mode)} {mode}"


def _render(mid: Path, wav: Path) -> None:
    subprocess.run(
        ["fluidsynth", "-ni", "-q", "-g", "0.8", "-r", str(SR), "-F", str(wav), str(SOUNDFONT), str(mid)],
        check=True,
        capture_output=True,
    )


def _audio_analysis(path: Path):
    from mvemo.audio.io import load_audio
    from mvemo.features.music import compute_harmony
    from mvemo.features.spelling import spell_chord, spell_key

    y, sr = load_audio(path, sr=SR)
    h = compute_harmony(y, sr)
    tonic = spell_key(h.key_tonic, h.key_mode)
    chords = [
        (float(a), float(b), spell_chord(lab, tonic, h.key_mode))
        for a, b, lab in zip(h.chord_start, h.chord_end, h.chord_labels)
    ]
    # chord times of compute_harmony are those of the normalised segments (same boundaries)
    return f"{tonic} {h.key_mode}", chords, float(h.tempo)


def _midi_analysis(path: Path):
    from mvemo.features.midi import midi_features

    m = midi_features(path)
    s = m.summary()
    return s["key"], [(c["start"], c["end"], c["label"]) for c in s["chords"]], float(s["tempo"]), float(s["tempo_map"])


def _chord_score(ref, est) -> float:
    """mir_eval majmin, duration-weighted, over the reference's span."""
    import mir_eval

    if not ref or not est:
        return float("nan")
    ri = np.array([[a, b] for a, b, _ in ref])
    ei = np.array([[a, b] for a, b, _ in est])
    rl, el_ = [lab for *_, lab in ref], [lab for *_, lab in est]
    ei, el_ = mir_eval.util.adjust_intervals(
        ei, el_, ri.min(), ri.max(), mir_eval.chord.NO_CHORD, mir_eval.chord.NO_CHORD
    )
    intervals, r, e = mir_eval.util.merge_labeled_intervals(ri, rl, ei, el_)
    durations = mir_eval.util.intervals_to_durations(intervals)
    return float(mir_eval.chord.weighted_accuracy(mir_eval.chord.majmin(r, e), durations))


def _key_score(ref: str, est: str) -> float:
    import mir_eval

    return float(mir_eval.key.weighted_score(ref, est))


def _tempo_scores(ref: float, est: float) -> tuple[float, str]:
    import mir_eval

    from mvemo.features.tempo import tempo_agreement

    p, _, _ = mir_eval.tempo.detection(np.array([ref, 2 * ref]), 1.0, np.array([est, 2 * est]), tol=0.08)
    return float(p), tempo_agreement(est, ref)


def evaluate_examples() -> list[dict]:
    rows = []
    for name, truth_key in EXAMPLES:
        a_key, a_chords, a_tempo = _audio_analysis(ROOT / "examples" / "audio" / f"{name}.mp3")
        m_key, m_chords, m_tempo, m_map = _midi_analysis(ROOT / "examples" / "midi" / f"{name}.mid")
        p, agree = _tempo_scores(m_tempo, a_tempo)
        rows.append(
            {
                "set": "examples",
                "piece": name,
                "truth_key": truth_key,
                "audio_key": a_key,
                "midi_key": m_key,
                "key_audio_vs_midi": _key_score(m_key, a_key),
                "key_audio_vs_truth": _key_score(truth_key, a_key),
                "key_midi_vs_truth": _key_score(truth_key, m_key),
                "chords_majmin_audio_vs_midi": _chord_score(m_chords, a_chords),
                "audio_tempo": round(a_tempo, 2),
                "midi_tempo": round(m_tempo, 2),
                "midi_tempo_map": m_map,
                "tempo_p_audio_vs_midi": p,
                "tempo_agreement": agree,
            }
        )
    return rows


def evaluate_rendered() -> list[dict]:
    if shutil.which("fluidsynth") is None or not SOUNDFONT.is_file():
        print("rendered set skipped: needs fluidsynth and fluid-soundfont-gm", file=sys.stderr)
        return []
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for name, tonic, mode, bpm, prog, program in RENDERED:
            mid, wav = Path(tmp) / f"{name}.mid", Path(tmp) / f"{name}.wav"
            truth_chords, truth_key = _write_rendered_midi(mid, tonic, mode, bpm, prog, program)
            _render(mid, wav)
            a_key, a_chords, a_tempo = _audio_analysis(wav)
            m_key, m_chords, m_tempo, _ = _midi_analysis(mid)
            pa, aa = _tempo_scores(bpm, a_tempo)
            pm_, am = _tempo_scores(bpm, m_tempo)
            rows.append(
                {
                    "set": "rendered",
                    "piece": name,
                    "truth_key": truth_key,
                    "audio_key": a_key,
                    "midi_key": m_key,
                    "key_audio_vs_truth": _key_score(truth_key, a_key),
                    "key_midi_vs_truth": _key_score(truth_key, m_key),
                    "key_audio_vs_midi": _key_score(m_key, a_key),
                    "chords_majmin_audio_vs_truth": _chord_score(truth_chords, a_chords),
                    "chords_majmin_midi_vs_truth": _chord_score(truth_chords, m_chords),
                    "truth_tempo": bpm,
                    "audio_tempo": round(a_tempo, 2),
                    "midi_tempo": round(m_tempo, 2),
                    "tempo_p_audio_vs_truth": pa,
                    "tempo_p_midi_vs_truth": pm_,
                    "tempo_agreement_audio": aa,
                    "tempo_agreement_midi": am,
                    "spelled_like_truth": a_key == truth_key or m_key == truth_key,
                }
            )
    return rows


def _table(rows: list[dict]) -> str:
    lines = []
    for r in rows:
        if r["set"] == "examples":
            lines.append(
                f"| examples | {r['piece']} | {r['truth_key']} | {r['audio_key']} | {r['midi_key']} | "
                f"{r['key_audio_vs_midi']:.2f} | {r['chords_majmin_audio_vs_midi']:.2f} (vs MIDI) | "
                f"{r['audio_tempo']:.1f} | {r['midi_tempo']:.1f} (map {r['midi_tempo_map']:.0f}) | "
                f"{r['tempo_agreement']} |"
            )
        else:
            lines.append(
                f"| rendered | {r['piece']} | {r['truth_key']} | {r['audio_key']} | {r['midi_key']} | "
                f"{r['key_audio_vs_midi']:.2f} | {r['chords_majmin_audio_vs_truth']:.2f} / "
                f"{r['chords_majmin_midi_vs_truth']:.2f} (vs truth) | {r['audio_tempo']:.1f} | "
                f"{r['midi_tempo']:.1f} (truth {r['truth_tempo']:.0f}) | "
                f"{r['tempo_agreement_audio']}/{r['tempo_agreement_midi']} |"
            )
    head = (
        "| set | piece | true key | audio key | MIDI key | key score audio vs MIDI | chords majmin (audio / MIDI) | "
        "audio BPM | MIDI BPM | tempo agreement |\n|---|---|---|---|---|---|---|---|---|---|"
    )
    return head + "\n" + "\n".join(lines)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--json", type=Path, help="also write the rows as JSON")
    ap.add_argument("--examples-only", action="store_true")
    args = ap.parse_args()
    rows = evaluate_examples() + ([] if args.examples_only else evaluate_rendered())
    print(_table(rows))
    rend = [r for r in rows if r["set"] == "rendered"]
    if rend:
        for what in (
            "key_audio_vs_truth",
            "key_midi_vs_truth",
            "chords_majmin_audio_vs_truth",
            "chords_majmin_midi_vs_truth",
            "tempo_p_audio_vs_truth",
            "tempo_p_midi_vs_truth",
        ):
            print(f"rendered mean {what}: {np.mean([r[what] for r in rend]):.3f}")
    if args.json:
        from mvemo.util import atomic_write

        atomic_write(args.json, json.dumps(rows, indent=1))


if __name__ == "__main__":
    main()
