"""Synthesise a small corpus of music videos for the dataset builder (``mvemo dataset build``).

The corpus (all short, 6-10 s, small frames so the tests stay fast):

* ``mv_XX.mp4``: example music (``examples/audio``, cut into segments) or synthesised chord
  music under coloured shots with a moving disc, cut at known times; some have a sidecar
  ``.lrc`` (time-synced) or ``.txt`` lyrics file; one gets its lyrics from the catalogue;
* ``static_XX.mp4``: one still image over music (MVEmo's eq. 12 filter drops it);
* ``bad_corrupt.mp4`` (random bytes), ``bad_truncated.mp4`` (the first half of a valid file),
  ``bad_audio_only.mp4`` (an AAC track and no video), ``bad_silent.mp4`` (shots over digital
  silence), which the builder must fail with a reason and go past;
* ``catalogue.csv``: one row per video (path, title, artist, genre, country, language,
  lyrics, key, tempo), the way TheoryTab-like metadata comes;
* ``truth.json``: the cut times and the expected outcome of every file.

Usage::

    PYTHONPATH=src .venv/bin/python scripts/make_mv_corpus.py --out /tmp/mvcorpus [--n 6] [--seconds 8]
"""

from __future__ import annotations

import argparse
import csv
import io
import json
from fractions import Fraction
from pathlib import Path

import numpy as np

from mvemo._extras import require
from mvemo.util import atomic_write

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE_AUDIO = sorted((ROOT / "examples" / "audio").glob("*.mp3"))
SR = 22050
FPS = 15
SIZE = (192, 108)
GENRES = ["pop", "rock", "classical", "jazz", "electronic", "hip hop", "country", "folk"]
COUNTRIES = ["US", "GB", "KR", "JP", "FR", "BR"]
LANGUAGES = ["en", "en", "ko", "ja", "fr", "pt"]
KEYS = ["C major", "A minor", "G major", "E minor", "D major", "B minor"]
LYRICS = [
    ["Morning light on the river, we run along the shore", "Sing it louder, brighter, happy as before",
     "Dancing in the open, laughing at the sky"],
    ["The rain keeps falling slowly, the night is cold and long", "I hear your name in silence, in every empty song",
     "Alone beside the window, waiting for the dawn"],
    ["Fire in the engine, thunder in my chest", "We will never stop now, we will never rest"],
]  # fmt: skip


def _shot_frame(shot: int, t: float, w: int, h: int, seed: int) -> np.ndarray:
    """A coloured field (hue by shot) with a moving disc."""
    rng = np.random.default_rng(seed * 101 + shot)
    base = rng.integers(30, 250, size=3).astype(np.float32)
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
    shade = 0.75 + 0.25 * np.sin(xx / w * np.pi * (1 + shot % 3) + t * 2.0)
    img = base[None, None, :] * shade[..., None]
    cx = w * (0.5 + 0.35 * np.sin(t * 2.4 + shot))
    cy = h * (0.5 + 0.30 * np.cos(t * 3.1 + shot))
    img[(xx - cx) ** 2 + (yy - cy) ** 2 < (0.15 * h) ** 2] = 255.0 - base
    return np.clip(img, 0, 255).astype(np.uint8)


def synth_music(seconds: float, *, seed: int, bpm: float = 110.0) -> np.ndarray:
    """Chord music: a I-V-vi-IV progression of sine triads with a plucked envelope, one chord a bar."""
    rng = np.random.default_rng(seed)
    root = 48 + int(rng.integers(0, 12))
    prog = [(0, 4, 7), (7, 11, 14), (9, 12, 16), (5, 9, 12)]
    beat = 60.0 / bpm
    n = int(seconds * SR)
    y = np.zeros(n, dtype=np.float64)
    t_beat = np.arange(int(beat * SR)) / SR
    env = np.exp(-3.0 * t_beat)
    for b in range(int(seconds / beat) + 1):
        chord = prog[(b // 4) % len(prog)]
        start = int(b * beat * SR)
        seg = np.zeros_like(t_beat)
        for iv in chord:
            f = 440.0 * 2 ** ((root + iv - 69) / 12)
            seg += np.sin(2 * np.pi * f * t_beat)
        melody = root + 12 + chord[b % 3]
        seg += 0.8 * np.sin(2 * np.pi * 440.0 * 2 ** ((melody - 69) / 12) * t_beat)
        seg *= env
        stop = min(start + len(seg), n)
        if stop > start:
            y[start:stop] += seg[: stop - start]
    return (0.2 * y / max(np.abs(y).max(), 1e-9)).astype(np.float32)


def example_music(seconds: float, *, index: int) -> np.ndarray:
    """A segment of one of the example recordings (a different offset per index)."""
    from mvemo.audio import audio_duration, load_audio

    src = EXAMPLE_AUDIO[index % len(EXAMPLE_AUDIO)]
    room = max(audio_duration(src) - seconds, 0.0)  # offsets wrap around inside the recording
    offset = (5.0 * (index // len(EXAMPLE_AUDIO))) % max(room, 1e-9) if room > 0 else 0.0
    y, _ = load_audio(src, sr=SR, offset=offset, duration=seconds)
    return y.astype(np.float32)


def write_mv(
    path: Path,
    seconds: float,
    audio: np.ndarray | None,
    *,
    cuts: list[float],
    seed: int,
    still: bool = False,
    video: bool = True,
    size: tuple[int, int] = SIZE,
) -> None:
    """Encode shots (cut at ``cuts``) and ``audio`` to an MP4 (MPEG-4 Part 2 video, AAC audio)."""
    av = require("av", extra="audio")
    w, h = size
    buf = io.BytesIO()
    with av.open(buf, "w", format="mp4") as oc:
        vs = None
        if video:
            vs = oc.add_stream("mpeg4", rate=FPS)
            vs.width, vs.height, vs.pix_fmt = w, h, "yuv420p"
            vs.bit_rate = max(300_000, w * h * 4)
        aus = None
        if audio is not None:
            aus = oc.add_stream("aac", rate=SR, layout="mono")
            aus.bit_rate = 48_000
        if vs is not None:
            still_img = _shot_frame(0, 0.0, w, h, seed)
            for i in range(int(round(seconds * FPS))):
                t = i / FPS
                shot = int(np.searchsorted(cuts, t, side="right"))
                start = ([0.0] + cuts)[shot]
                img = still_img if still else _shot_frame(shot, t - start, w, h, seed)
                fr = av.VideoFrame.from_ndarray(img, format="rgb24")
                fr.pts, fr.time_base = i, Fraction(1, FPS)
                for pkt in vs.encode(fr):
                    oc.mux(pkt)
            for pkt in vs.encode(None):
                oc.mux(pkt)
        if aus is not None:
            y = np.ascontiguousarray(audio[: int(seconds * SR)], dtype=np.float32)
            for k in range(0, len(y), 1024):
                fr = av.AudioFrame.from_ndarray(y[None, k : k + 1024], format="flt", layout="mono")
                fr.sample_rate, fr.pts, fr.time_base = SR, k, Fraction(1, SR)
                for pkt in aus.encode(fr):
                    oc.mux(pkt)
            for pkt in aus.encode(None):
                oc.mux(pkt)
    atomic_write(path, buf.getvalue())


def _lrc(lines: list[str], seconds: float) -> str:
    step = seconds / (len(lines) + 1)
    out = ["[ti:synthetic]", "[ar:mvemo corpus]"]
    for i, line in enumerate(lines):
        t = 0.5 + i * step
        out.append(f"[{int(t // 60):02d}:{t % 60:05.2f}]{line}")
    return "\n".join(out) + "\n"


def make_corpus(
    out: str | Path,
    *,
    n: int = 6,
    seconds: float = 8.0,
    n_static: int = 1,
    bad: bool = True,
    seed: int = 0,
    size: tuple[int, int] = SIZE,
) -> dict:
    """Write the corpus into ``out``; returns the truth (also written to ``truth.json``).

    Parameters
    ----------
    out : path
    n : int
        Good music videos.
    seconds : float
        Length of each video (the paper's are 4.1 min on average; tests use 6-10 s).
    n_static : int
        Still-image videos (to be filtered by eq. 12).
    bad : bool
        Also write the corrupt, truncated, audio-only and silent files.
    seed : int
    size : (width, height)
        Frame size of the good and still videos (default 192 x 108; MVEmo's are mostly 720p+).
    """
    root = Path(out)
    root.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(seed)
    truth: dict[str, dict] = {}
    rows = []
    for i in range(n):
        name = f"mv_{i:02d}"
        dur = float(seconds + (i % 3) * 0.5)
        cuts = sorted({round(float(c), 2) for c in rng.uniform(1.0, dur - 1.0, size=int(rng.integers(1, 4)))})
        cuts = [c for k, c in enumerate(cuts) if k == 0 or c - cuts[k - 1] > 0.8]
        audio = example_music(dur, index=i) if i % 2 == 0 else synth_music(dur, seed=seed + i, bpm=90 + 10 * i)
        write_mv(root / f"{name}.mp4", dur, audio, cuts=cuts, seed=seed + i, size=size)
        lyr = None
        if i % 3 == 0:
            atomic_write(root / f"{name}.lrc", _lrc(LYRICS[i % len(LYRICS)], dur))
            lyr = "sidecar-lrc"
        elif i % 3 == 1 and i > 1:
            atomic_write(root / f"{name}.txt", "\n".join(LYRICS[i % len(LYRICS)]) + "\n")
            lyr = "sidecar-txt"
        row = {
            "path": f"{name}.mp4",
            "title": f"Synthetic {i}",
            "artist": f"Artist {i % 3}",
            "genre": GENRES[i % len(GENRES)],
            "country": COUNTRIES[i % len(COUNTRIES)],
            "language": LANGUAGES[i % len(LANGUAGES)],
            "lyrics": "",
            "key": "",
            "tempo": "",
        }
        if i == 1:  # lyrics from the catalogue's column (a file beside the catalogue)
            atomic_write(root / "lyrics_src" / f"{name}.lrc", _lrc(LYRICS[1], dur))
            row["lyrics"] = f"lyrics_src/{name}.lrc"
            lyr = "catalogue"
        if i % 2 == 1:  # TheoryTab-like metadata for the synthesised songs
            row["key"], row["tempo"] = KEYS[i % len(KEYS)], str(90 + 10 * i)
        rows.append(row)
        truth[name] = {"expect": "done", "cuts": cuts, "duration": dur, "lyrics": lyr}
    for j in range(n_static):
        name = f"static_{j:02d}"
        write_mv(
            root / f"{name}.mp4",
            seconds,
            synth_music(seconds, seed=seed + 50 + j),
            cuts=[],
            seed=seed + 50 + j,
            still=True,
            size=size,
        )
        rows.append(
            {
                "path": f"{name}.mp4",
                "title": f"Still {j}",
                "artist": "Still",
                "genre": "ambient",
                "country": "DE",
                "language": "de",
                "lyrics": "",
                "key": "",
                "tempo": "",
            }
        )
        truth[name] = {"expect": "filtered", "cuts": [], "duration": seconds, "lyrics": None}
    if bad:
        atomic_write(root / "bad_corrupt.mp4", np.random.default_rng(seed + 7).bytes(40_000))
        write_mv(root / "bad_tmp.mp4", seconds, synth_music(seconds, seed=seed + 9), cuts=[2.0], seed=seed + 9)
        data = (root / "bad_tmp.mp4").read_bytes()
        (root / "bad_tmp.mp4").unlink()
        atomic_write(root / "bad_truncated.mp4", data[: len(data) // 2])
        write_mv(
            root / "bad_audio_only.mp4", seconds, synth_music(seconds, seed=seed + 11), cuts=[], seed=0, video=False
        )
        write_mv(root / "bad_silent.mp4", seconds, np.zeros(int(seconds * SR), np.float32), cuts=[3.0], seed=seed + 13)
        for name in ("bad_corrupt", "bad_truncated", "bad_audio_only", "bad_silent"):
            truth[name] = {"expect": "failed", "cuts": [], "duration": seconds, "lyrics": None}
            rows.append(
                {
                    "path": f"{name}.mp4",
                    "title": name,
                    "artist": "",
                    "genre": "",
                    "country": "",
                    "language": "",
                    "lyrics": "",
                    "key": "",
                    "tempo": "",
                }
            )
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=list(rows[0]), lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    atomic_write(root / "catalogue.csv", buf.getvalue())
    atomic_write(root / "truth.json", json.dumps(truth, indent=2, sort_keys=True) + "\n")
    return truth


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--out", required=True)
    ap.add_argument("--n", type=int, default=6, help="good music videos")
    ap.add_argument("--seconds", type=float, default=8.0)
    ap.add_argument("--static", type=int, default=1, help="still-image videos")
    ap.add_argument("--no-bad", action="store_true", help="leave out the corrupt/truncated/audio-only/silent files")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--size", type=int, nargs=2, default=list(SIZE), metavar=("W", "H"), help="frame size")
    a = ap.parse_args()
    truth = make_corpus(
        a.out, n=a.n, seconds=a.seconds, n_static=a.static, bad=not a.no_bad, seed=a.seed, size=tuple(a.size)
    )
    print(f"wrote {len(truth)} videos to {a.out}")


if __name__ == "__main__":
    main()
