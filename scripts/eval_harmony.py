"""Measure the chord recogniser and key finder on synthesised progressions.

Builds ``--n`` seeded random progressions in random keys (diatonic chords of the
recogniser's vocabulary, 1-2 s each, random inversions and voicings, rendered as
additive harmonic tones with decaying envelopes plus noise, with 0.5 s of noise-only
``N`` at both ends), runs :func:`mvemo.features.harmony.analyze_harmony` on each and
prints duration-weighted mir_eval chord scores and key accuracy as a Markdown table.
A second rendering detunes everything by up to +-40 cents and adds a drum kit as
loud as the chords (kick, snare, hi-hat) to exercise tuning estimation and HPSS.
If ``pyfluidsynth`` and a General MIDI SoundFont (``--soundfont``) are available the
same progressions are also rendered with pretty_midi's ``fluidsynth``; otherwise that
part is skipped.

    .venv/bin/python scripts/eval_harmony.py --n 40 --seed 0
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np

from mvemo._extras import require
from mvemo.features.harmony import CHORD_INTERVALS, PITCH_CLASSES, analyze_harmony

SR = 22050
EDGE = 0.5  # seconds of noise-only N before and after the progression

# scale degree (semitones above the tonic) -> (triad, seventh) qualities
MAJOR_DEGREES = {
    0: ("maj", "maj7"),
    2: ("min", "min7"),
    4: ("min", "min7"),
    5: ("maj", "maj7"),
    7: ("maj", "7"),
    9: ("min", "min7"),
    11: ("dim", "dim"),
}
MINOR_DEGREES = {
    0: ("min", "min7"),
    2: ("dim", "dim"),
    3: ("maj", "maj7"),
    5: ("min", "min7"),
    7: ("maj", "7"),
    8: ("maj", "maj7"),
    10: ("maj", "7"),
}  # V from harmonic minor
SUS_DEGREES = {"major": (0, 2, 5, 7, 9), "minor": (3, 5, 7, 10)}  # sus2/sus4 stay diatonic here


def make_progression(rng: np.random.Generator) -> tuple[int, str, list[tuple[float, float, str]]]:
    """A random diatonic progression: tonic first, a V-I cadence last."""
    tonic = int(rng.integers(12))
    mode = "major" if rng.random() < 0.5 else "minor"
    degrees = MAJOR_DEGREES if mode == "major" else MINOR_DEGREES
    n = int(rng.integers(6, 11))
    seq = [0] + [int(d) for d in rng.choice(list(degrees), size=n - 3)] + [7, 0]
    chords, t = [], EDGE
    for deg in seq:
        triad, seventh = degrees[deg]
        quality = seventh if rng.random() < 0.3 else triad
        if deg in SUS_DEGREES[mode] and rng.random() < 0.1:
            quality = "sus4" if rng.random() < 0.5 else "sus2"
        dur = float(rng.uniform(1.0, 2.0))
        chords.append((t, t + dur, f"{PITCH_CLASSES[(tonic + deg) % 12]}:{quality}"))
        t += dur
    return tonic, mode, chords


def voicing(label: str, rng: np.random.Generator) -> list[int]:
    """MIDI notes of a random inversion and spread of ``label``."""
    root_name, quality = label.split(":")
    root = PITCH_CLASSES.index(root_name)
    pcs = [(root + iv) % 12 for iv in CHORD_INTERVALS[quality]]
    inv = int(rng.integers(len(pcs))) if rng.random() < 0.5 else 0
    bass = 36 + (pcs[inv] - 36) % 12 + 12 * int(rng.integers(0, 2))  # C2..B3
    notes, cur = [bass], 52 + int(rng.integers(0, 8))
    upper = pcs[inv:] + pcs[:inv]
    if rng.random() < 0.5:
        upper = upper[1:] + upper[:1]  # another upper-voice order
    for pc in upper:
        cur = cur + (pc - cur) % 12
        notes.append(cur)
    return notes


def render_additive(chords, total: float, rng: np.random.Generator, *, detune_cents: float = 0.0) -> np.ndarray:
    """Additive harmonic tones with decaying envelopes, plus white noise."""
    tuning = 440.0 * 2 ** (detune_cents / 1200)
    y = np.zeros(int(np.ceil(total * SR)))
    for start, end, label in chords:
        n = int(round((end - start) * SR))
        t = np.arange(n) / SR
        seg = np.zeros(n)
        rolloff = rng.uniform(0.8, 1.6)
        tau = rng.uniform(0.6, 2.5)
        for note in voicing(label, rng):
            f0 = tuning * 2 ** ((note - 69) / 12)
            amp = rng.uniform(0.6, 1.0)
            for h in range(1, 9):
                if h * f0 >= SR / 2:
                    break
                seg += amp * h**-rolloff * np.sin(2 * np.pi * h * f0 * t + rng.uniform(0, 2 * np.pi))
        env = np.minimum(t / 0.01, 1.0) * np.exp(-t / tau) * np.minimum((t[-1] - t) / 0.02 + 1e-3, 1.0)
        a = int(round(start * SR))
        y[a : a + n] += seg * env
    y /= np.abs(y).max()
    y *= 0.5
    snr_db = rng.uniform(25, 40)
    sig_rms = np.sqrt(np.mean(y[int(EDGE * SR) : -int(EDGE * SR)] ** 2))
    y += rng.standard_normal(len(y)) * sig_rms * 10 ** (-snr_db / 20)
    return y.astype(np.float32)


def render_band(chords, total: float, rng: np.random.Generator) -> np.ndarray:
    """The additive rendering detuned by up to +-40 cents, with a drum kit as loud as the chords."""
    extra = rng.spawn(1)[0]  # keeps the voicings identical to the plain rendering
    y = render_additive(chords, total, rng, detune_cents=float(extra.uniform(-40, 40)))
    drums = np.zeros_like(y)
    beat = 60.0 / extra.uniform(80, 140)
    n = int(0.15 * SR)
    t = np.arange(n) / SR
    kick = np.sin(2 * np.pi * (50 * t + 1.8 * (1 - np.exp(-t / 0.03)))) * np.exp(-t / 0.08)  # 110 -> 50 Hz
    snare = extra.standard_normal(n) * np.exp(-t / 0.05)
    hat = np.diff(extra.standard_normal(n + 1)) * np.exp(-t / 0.01)
    for i, start in enumerate(np.arange(EDGE, total - EDGE - 0.15, beat / 2)):
        a = int(start * SR)
        drums[a : a + n] += 0.3 * hat
        if i % 2 == 0:
            drums[a : a + n] += kick if i % 4 == 0 else snare
    mid = slice(int(EDGE * SR), -int(EDGE * SR))
    drums *= np.sqrt(np.mean(y[mid] ** 2) / max(np.mean(drums[mid] ** 2), 1e-12))
    out = y + drums
    return (0.5 * out / np.abs(out).max()).astype(np.float32)


def render_fluidsynth(chords, soundfont: str, rng: np.random.Generator) -> np.ndarray | None:
    """Render with pretty_midi + fluidsynth (piano); None if that is unavailable."""
    pretty_midi = require("pretty_midi", extra="symbolic")
    pm = pretty_midi.PrettyMIDI()
    inst = pretty_midi.Instrument(program=0)
    for start, end, label in chords:
        for note in voicing(label, rng):
            inst.notes.append(pretty_midi.Note(velocity=80, pitch=note, start=start, end=end))
    pm.instruments.append(inst)
    try:
        y = pm.fluidsynth(fs=SR, sf2_path=soundfont)
    except (ImportError, ValueError, OSError):
        return None
    return (0.5 * y / max(np.abs(y).max(), 1e-9)).astype(np.float32)


#: Analysis settings compared by ``--method``: (chroma method, HPSS harmonic part).
METHODS = {"cqt-hpss": ("cqt", True), "cqt": ("cqt", False), "stft": ("stft", False)}


def evaluate(items, renderer, *, method: str = "cqt-hpss") -> dict[str, float]:
    """Duration-weighted mir_eval chord scores and key scores over ``items``.

    ``method`` is a key of :data:`METHODS`: ``cqt-hpss`` (analyze_harmony's defaults),
    ``cqt`` (no HPSS) or ``stft`` (the fast chroma that ``compute_harmony`` uses).
    """
    chroma_method, harmonic = METHODS[method]
    mir_eval = require("mir_eval", extra="symbolic")
    metrics = ("root", "majmin", "mirex", "thirds", "sevenths")
    sums = dict.fromkeys(metrics, 0.0)
    weight = key_w = key_exact = 0.0
    for tonic, mode, chords, rng in items:
        total = chords[-1][1] + EDGE
        y = renderer(chords, total, rng)
        if y is None:
            return {}
        res = analyze_harmony(y, SR, method=chroma_method, harmonic=harmonic)
        ref = [(0.0, EDGE, "N"), *chords, (chords[-1][1], total, "N")]
        ref_iv = np.array([[s, e] for s, e, _ in ref])
        est_iv = np.array([[s, e] for s, e, _ in res.chords])
        scores = mir_eval.chord.evaluate(ref_iv, [lab for *_, lab in ref], est_iv, [lab for *_, lab in res.chords])
        for m in metrics:
            sums[m] += scores[m] * total
        weight += total
        ref_key = f"{PITCH_CLASSES[tonic]} {mode}"
        key_w += mir_eval.key.weighted_score(ref_key, res.key.label)
        key_exact += float(ref_key == res.key.label)
    out = {m: sums[m] / weight for m in metrics}
    out["key_weighted"] = key_w / len(items)
    out["key_exact"] = key_exact / len(items)
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--n", type=int, default=40, help="number of progressions")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--soundfont", default=None, help="GM .sf2 for the fluidsynth rendering")
    ap.add_argument(
        "--method",
        choices=sorted(METHODS),
        default="cqt-hpss",
        help="chroma: cqt-hpss (analyze_harmony defaults), cqt (no HPSS, the v1 model's), "
        "stft (fast, what compute_harmony uses)",
    )
    args = ap.parse_args(argv)
    rng = np.random.default_rng(args.seed)
    progressions = [make_progression(rng) for _ in range(args.n)]
    seeds = rng.integers(2**32, size=args.n)

    def items():  # the same voicings and noise for every renderer
        return [(t, m, c, np.random.default_rng(s)) for (t, m, c), s in zip(progressions, seeds)]

    t0 = time.perf_counter()
    rows = {
        "additive": evaluate(items(), render_additive, method=args.method),
        "additive + drums, detuned": evaluate(items(), render_band, method=args.method),
    }
    if args.soundfont and Path(args.soundfont).is_file():
        fs = evaluate(items(), lambda c, total, r: render_fluidsynth(c, args.soundfont, r), method=args.method)
        if fs:
            rows["fluidsynth"] = fs
        else:
            print("fluidsynth rendering unavailable (pyfluidsynth missing); skipped", file=sys.stderr)
    else:
        print("no --soundfont file given: fluidsynth rendering skipped", file=sys.stderr)
    seconds = sum(c[-1][1] + EDGE for _, _, c in progressions)
    cols = ["root", "majmin", "mirex", "thirds", "sevenths", "key_weighted", "key_exact"]
    print(
        f"{args.n} progressions, seed {args.seed}, {seconds:.0f} s of audio, {time.perf_counter() - t0:.1f} s to run\n"
    )
    print("| rendering | " + " | ".join(cols) + " |")
    print("|---" * (len(cols) + 1) + "|")
    for name, scores in rows.items():
        print(f"| {name} | " + " | ".join(f"{scores[c]:.3f}" for c in cols) + " |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
