"""Time musicnn embeddings of a 4-minute synthetic track on the CPU.

Prints the seconds to embed the track (log-mel + network, after one warm-up call),
patches per second, the real-time factor (compute time / audio time) and the peak
resident memory of the process.  Run:

    .venv/bin/python benchmarks/bench_musicnn.py [--model MTT_musicnn] [--hop 1.0] [--batch-size 8]
"""

from __future__ import annotations

import argparse
import resource
import time

import numpy as np

SR = 16000
SECONDS = 240.0


def make_track(seed: int = 0, *, seconds: float = SECONDS, sr: int = SR) -> np.ndarray:
    """A synthetic 'song': a chord every 2 s (harmonic tones, decaying), a pulse and noise; peak 0.5."""
    rng = np.random.default_rng(seed)
    n = int(seconds * sr)
    y = np.zeros(n)
    t = np.arange(int(2.0 * sr)) / sr
    env = np.minimum(t / 0.02, 1.0) * np.exp(-t / 1.2)
    for start in range(0, n - t.size + 1, t.size):
        root = rng.integers(40, 52)
        for midi in (root, root + 12, root + 16, root + 19):
            f0 = 440.0 * 2 ** ((midi - 69) / 12)
            y[start : start + t.size] += env * sum(np.sin(2 * np.pi * k * f0 * t) / k for k in range(1, 6))
    y /= np.abs(y).max()
    beat = np.zeros(n)
    beat[:: sr // 2] = 1.0
    y += 0.2 * np.convolve(beat, np.exp(-np.arange(400) / 40.0) * rng.standard_normal(400))[:n]
    y += 0.003 * rng.standard_normal(n)
    return (0.5 * y / np.abs(y).max()).astype(np.float32)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", default="MTT_musicnn")
    parser.add_argument("--hop", type=float, default=None, help="seconds between patches (default: 3, no overlap)")
    parser.add_argument("--batch-size", type=int, default=8)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--threads", type=int, default=None, help="torch threads (default: torch's choice)")
    args = parser.parse_args()

    import torch

    from mvemo.features.musicnn import load_musicnn, log_mel

    if args.threads:
        torch.set_num_threads(args.threads)
    audio = make_track()
    t0 = time.perf_counter()
    model = load_musicnn(args.model)
    load_s = time.perf_counter() - t0
    t0 = time.perf_counter()
    model.embed(audio[: 3 * SR], SR)  # warm-up: librosa/numba imports, torch kernels
    warm_s = time.perf_counter() - t0

    times, mel_times = [], []
    for _ in range(args.repeat):
        t0 = time.perf_counter()
        log_mel(audio, SR)
        mel_times.append(time.perf_counter() - t0)
        t0 = time.perf_counter()
        out = model.embed(audio, SR, hop=args.hop, batch_size=args.batch_size)
        times.append(time.perf_counter() - t0)
    n_patches = out["taggram"].shape[0]
    best = min(times)
    peak_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux: KiB
    print(
        f"model {args.model}, torch {torch.__version__}, {torch.get_num_threads()} threads, "
        f"batch {args.batch_size}, hop {args.hop or 3.0} s"
    )
    print(f"load {load_s:.2f} s, first call (warm-up) {warm_s:.2f} s")
    print(
        f"{SECONDS / 60:.0f}-min track: {n_patches} patches, embed best {best:.2f} s, "
        f"median {np.median(times):.2f} s over {args.repeat} runs (log-mel {min(mel_times):.2f} s of it)"
    )
    print(
        f"{n_patches / best:.1f} patches/s, real-time factor {best / SECONDS:.4f} "
        f"({SECONDS / best:.0f}x faster than real time)"
    )
    print(f"peak RSS {peak_mib:.0f} MiB")


if __name__ == "__main__":
    main()
