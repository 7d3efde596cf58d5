"""Cost of the expressive descriptors (mvemo.features.expressive) per minute of audio.

    .venv/bin/python benchmarks/bench_expressive.py                       # 0.5, 1, 4 minutes
    .venv/bin/python benchmarks/bench_expressive.py --minutes 4 --max-duration 240 --repeat 3

The track is the repo's example piece (examples/audio/joplin_maple_leaf_rag.mp3) looped to each
length, decoded at 22.05 kHz (as music prediction does); decoding is not timed.  With the default
``max_duration`` (30 s) a longer track costs what its middle 30 s cost; ``--max-duration`` large
times the whole track.  Prints best wall seconds, their CPU seconds, both per minute of analysed
audio, the stage split of one run (CPU seconds) and the load average (the machine is shared: compare
figures taken back to back only).
"""

from __future__ import annotations

import argparse
import os
import time
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]
EXAMPLE = REPO / "examples" / "audio" / "joplin_maple_leaf_rag.mp3"


def stages(y: np.ndarray, sr: int, max_duration: float) -> dict[str, float]:
    """CPU seconds of each stage of :func:`~mvemo.features.expressive.expressive_features` (single-threaded,
    so on an idle machine the wall time; on a busy one CPU seconds are the comparable figure)."""
    import librosa

    from mvemo.features import expressive as ex

    out = {}
    t = time.process_time()
    y11, stft = ex._prepare(y, sr, max_duration=max_duration)
    out["resample + STFT"] = time.process_time() - t
    t = time.process_time()
    harm, _ = librosa.decompose.hpss(stft, kernel_size=(7, 17))
    h = librosa.istft(harm, hop_length=ex.HOP, length=len(y11))
    out["HPSS"] = time.process_time() - t
    t = time.process_time()
    track = ex.pitch_track(h)
    out["pitch track (pyin + yin)"] = time.process_time() - t
    t = time.process_time()
    ex.melody_descriptors(track, ex._frame_rms(h)[: len(track.midi)])
    out["melody descriptors"] = time.process_time() - t
    t = time.process_time()
    ex.dynamics_descriptors(y11, h)
    out["dynamics"] = time.process_time() - t
    t = time.process_time()
    ex.tonal_descriptors(h, mag=np.abs(harm))
    out["tonal"] = time.process_time() - t
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--minutes", type=float, nargs="+", default=[0.5, 1.0, 4.0])
    parser.add_argument("--max-duration", type=float, default=30.0, help="seconds analysed at most (default 30)")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--threads", type=int, default=1, help="torch/numba threads (default 1)")
    args = parser.parse_args()
    os.environ.setdefault("NUMBA_NUM_THREADS", str(args.threads))

    from mvemo.audio.io import load_audio
    from mvemo.features.expressive import expressive_features

    base, sr = load_audio(EXAMPLE, sr=22050)
    expressive_features(base[: 5 * sr], sr)  # warm-up: numba compiles pyin's kernels once per process
    print(f"load average {os.getloadavg()[0]:.1f}")
    for minutes in args.minutes:
        y = np.resize(base, int(minutes * 60 * sr)).astype(np.float32)
        runs = []
        for _ in range(args.repeat):
            t, c = time.perf_counter(), time.process_time()
            expressive_features(y, sr, max_duration=args.max_duration)
            runs.append((time.perf_counter() - t, time.process_time() - c))
        wall, cpu = min(runs)
        analysed = min(minutes * 60, args.max_duration) / 60
        print(
            f"{minutes:g}-minute track, {analysed * 60:.0f} s analysed: {wall:.2f} s wall best of {args.repeat} "
            f"({cpu:.2f} s CPU); per analysed minute {wall / analysed:.2f} s wall, {cpu / analysed:.2f} s CPU"
        )
    split = stages(
        np.resize(base, int(min(args.minutes[-1] * 60, args.max_duration) * sr)).astype(np.float32),
        sr,
        args.max_duration,
    )
    print("stages (one run, CPU s): " + ", ".join(f"{k} {v:.2f} s" for k, v in split.items()))
    print(f"load average {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
