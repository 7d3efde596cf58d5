"""Speed and peak memory of the whole video pipeline on this CPU.

Synthesises a music-video-like clip (default: 4 minutes, 1280 x 720, 30 fps, H.264, cuts
every 2-4 s, a moving object, AAC audio), then runs, each in a fresh process (so peak RSS
is the pipeline's own):

* ``decode``: one decoding pass alone (no callbacks), the floor;
* ``video``: the video predictor (decode once; 448 x 448 frames on the static and 0.5-s
  grids; colour, hue, dominant colours; cuts and motion on thumbnails of every frame;
  faces every 1 s; colour prior; static + dynamic labels);
* ``video-no-faces``: the same without face counting.

Frames per second = decoded frames / wall time.  Run:

    .venv/bin/python benchmarks/bench_video.py [--minutes 4] [--threads 1]
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np


def synthesise(path: Path, minutes: float, width: int, height: int, fps: int = 30) -> None:
    from mvemo.io.video import write_video

    rng = np.random.default_rng(0)
    n = int(minutes * 60 * fps)
    base = np.zeros((height, width, 3), np.uint8)
    # shot boundaries every 2-4 s
    cuts = np.cumsum(rng.uniform(2, 4, size=int(minutes * 60 / 2) + 2))
    colours = rng.integers(0, 256, size=(len(cuts) + 1, 3), dtype=np.uint8)
    ramp = np.linspace(0.5, 1.0, width, dtype=np.float32)[None, :, None]

    def frames():
        shot = -1
        frame = base
        for k in range(n):
            s = int(np.searchsorted(cuts, k / fps))
            if s != shot:
                shot = s
                frame = (colours[s][None, None, :] * ramp).astype(np.uint8).repeat(height, axis=0)
            img = frame.copy()
            x = int((k * 7) % (width - 160))
            img[height // 3 : height // 3 + 160, x : x + 160] = 255 - img[height // 3 : height // 3 + 160, x : x + 160]
            yield img

    sr = 44100
    t = np.arange(int(minutes * 60 * sr)) / sr
    audio = (0.2 * np.sin(2 * np.pi * 220 * t) * (0.6 + 0.4 * np.sin(2 * np.pi * 0.5 * t))).astype(np.float32)
    write_video(path, frames(), fps=fps, audio=audio, sample_rate=sr, codec="libx264", preset="ultrafast", quality=28)


def measure(path: str, what: str, threads: int) -> dict:
    import cv2
    import torch

    torch.set_num_threads(threads)
    cv2.setNumThreads(threads)
    from mvemo.io.video import scan_video
    from mvemo.predict.video import load_video_model

    t0 = time.perf_counter()
    if what == "decode":
        info = scan_video(path, np.zeros(0), lambda i, t, rgb: None, threads=threads > 1)
        n = info.n_frames
        extra = {}
    else:
        model = load_video_model(face_step=None if what == "video-no-faces" else 1.0)
        rec = model.predict(path)
        n = rec["features"]["n_frames"]
        extra = {"n_windows": len(rec["dynamic"]), "n_cuts": len(rec["features"]["cuts"])}
    wall = time.perf_counter() - t0
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # MiB (Linux: KiB)
    return {
        "what": what,
        "frames": n,
        "wall_s": round(wall, 2),
        "fps": round(n / wall, 1),
        "peak_rss_mib": round(peak, 1),
        **extra,
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--minutes", type=float, default=4.0)
    ap.add_argument("--width", type=int, default=1280)
    ap.add_argument("--height", type=int, default=720)
    ap.add_argument("--threads", type=int, default=1, help="torch/OpenCV/FFmpeg threads (1 on a shared machine)")
    ap.add_argument("--video", help="Use this file instead of synthesising one.")
    ap.add_argument("--measure", nargs=2, metavar=("FILE", "WHAT"), help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.measure:
        print(json.dumps(measure(args.measure[0], args.measure[1], args.threads)))
        return
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(args.video) if args.video else Path(tmp) / "bench.mp4"
        if not args.video:
            t0 = time.perf_counter()
            synthesise(path, args.minutes, args.width, args.height)
            print(
                f"synthesised {path.name}: {args.minutes:g} min {args.width}x{args.height} 30 fps "
                f"({path.stat().st_size / 1e6:.1f} MB) in {time.perf_counter() - t0:.0f} s",
                flush=True,
            )
        env = {**os.environ, "OMP_NUM_THREADS": str(args.threads), "MKL_NUM_THREADS": str(args.threads)}
        print(f"{'step':<16} {'frames':>7} {'wall s':>8} {'fps':>7} {'peak RSS MiB':>13}")
        for what in ("decode", "video", "video-no-faces"):
            out = subprocess.run(
                [sys.executable, __file__, "--threads", str(args.threads), "--measure", str(path), what],
                capture_output=True,
                text=True,
                env=env,
                check=True,
            )
            r = json.loads(out.stdout.strip().splitlines()[-1])
            print(
                f"{r['what']:<16} {r['frames']:>7} {r['wall_s']:>8.1f} {r['fps']:>7.1f} {r['peak_rss_mib']:>13.0f}"
                + (f"   ({r['n_windows']} windows, {r['n_cuts']} cuts)" if "n_windows" in r else ""),
                flush=True,
            )


if __name__ == "__main__":
    main()
