"""Visual features of a music video, computed in one decoding pass.

Per sampled frame (448 x 448 RGB, on the union of the static 5-s times and the shared
0.5-s dynamic grid, see :mod:`mvemo.io.video`):

* ``brightness``: mean HSV value V / 255, in [0, 1];
* ``saturation``: mean HSV saturation S / 255, in [0, 1];
* ``colourfulness``: Hasler & Suesstrunk (2003), ``sqrt(sd_rg^2 + sd_yb^2) + 0.3
  sqrt(mu_rg^2 + mu_yb^2)`` with ``rg = R - G``, ``yb = (R + G)/2 - B`` in grey levels
  (0 for grey images, about 100+ for very colourful ones);
* ``hue histogram``: 12 bins of 30 degrees, each pixel weighted by its saturation,
  normalised to sum 1 (all zero for a grey frame);
* ``faces``: frontal faces (Haar cascade, :mod:`mvemo.features.faces`), on frames at
  1-s steps by default (the cascade is the slowest step).

Per decoded frame, on 64 x 36 thumbnails of *every* frame:

* ``shot cuts``: PySceneDetect's ``ContentDetector`` (threshold 27 on the HSV content
  difference, shots of at least 0.5 s), giving cut times, shot lengths and the cut rate;
* ``motion energy``: mean absolute grey-level difference between consecutive frames,
  rescaled to a 1/30-s frame step (so it does not depend on the frame rate); the frame
  pairs across a cut are left out.

Over the static frames: the static-video score (MVEmo eq. 12, :func:`mvemo.features.frames.static_score`)
and the dominant colours (k-means, k = 5, on HSV pixels of the static frames; hue is
embedded as ``(S cos H, S sin H, V)`` so that red at 0 and 360 degrees is one colour).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from mvemo._extras import require
from mvemo.conversion.dynamic import WINDOW_HALF_WIDTH, grid_times
from mvemo.errors import ParameterError
from mvemo.features.frames import STATIC_THRESHOLD, dynamic_frame_times, static_times
from mvemo.io.video import FRAME_SIZE, VideoInfo, scan_video

__all__ = [
    "VISUAL_KIND",
    "HUE_BINS",
    "FEATURE_NAMES",
    "frame_stats",
    "colourfulness",
    "dominant_colours",
    "VisualFeatures",
    "extract_visual_features",
]

VISUAL_KIND = "visual-v1"  #: cache kind / version of these features
HUE_BINS = 12
N_DOMINANT = 5
_PIXELS_PER_STATIC_FRAME = 512
_CUT_THRESHOLD = 27.0
_MIN_SHOT = 0.5  # s

#: Names of the columns of :meth:`VisualFeatures.window_matrix` / :meth:`VisualFeatures.static_vector`.
FEATURE_NAMES: tuple[str, ...] = (
    "brightness", "saturation", "colourfulness", "motion", "cut_rate", "faces", "face_share",
    *(f"hue_{i * 30:03d}" for i in range(HUE_BINS)),
)  # fmt: skip


def colourfulness(rgb: np.ndarray) -> float:
    """Hasler & Suesstrunk's colourfulness of an RGB image (grey levels 0..255).

    Examples
    --------
    >>> colourfulness(np.full((4, 4, 3), 128, np.uint8))
    0.0
    >>> round(colourfulness(np.full((4, 4, 3), (255, 0, 0), np.uint8)), 1)
    85.5
    """
    f = np.asarray(rgb, dtype=np.float32)
    rg = f[..., 0] - f[..., 1]
    yb = 0.5 * (f[..., 0] + f[..., 1]) - f[..., 2]
    return float(np.hypot(rg.std(), yb.std()) + 0.3 * np.hypot(rg.mean(), yb.mean()))


def frame_stats(rgb: np.ndarray) -> tuple[float, float, float, np.ndarray, np.ndarray]:
    """Brightness, saturation, colourfulness, hue histogram and the HSV image of one frame.

    Returns
    -------
    brightness, saturation : float in [0, 1]
    colourfulness : float
    hue_hist : np.ndarray, shape (12,)
        Saturation-weighted share of pixels per 30-degree hue bin (sums to 1, or 0 if grey).
    hsv : np.ndarray, shape (H, W, 3), uint8
        OpenCV HSV (H in 0..179).
    """
    cv2 = require("cv2", extra="video")
    hsv = cv2.cvtColor(np.ascontiguousarray(rgb), cv2.COLOR_RGB2HSV)
    s = hsv[..., 1].ravel().astype(np.float64)
    hist = np.bincount(np.minimum(hsv[..., 0].ravel() // 15, HUE_BINS - 1), weights=s, minlength=HUE_BINS)
    total = hist.sum()
    hist = hist / total if total > 0 else hist
    return (float(hsv[..., 2].mean()) / 255.0, float(s.mean()) / 255.0, colourfulness(rgb), hist, hsv)


def dominant_colours(hsv_pixels: np.ndarray, *, k: int = N_DOMINANT, seed: int = 0) -> list[dict[str, Any]]:
    """Dominant colours by k-means on HSV pixels (circular hue embedding).

    Parameters
    ----------
    hsv_pixels : np.ndarray, shape (N, 3), OpenCV HSV uint8 (H 0..179, S and V 0..255)

    Returns
    -------
    list of dict
        ``{"hsv": [h_deg, s, v], "rgb": "#rrggbb", "share": p}``, largest share first.
    """
    scipy_vq = require("scipy.cluster.vq", extra="core")
    px = np.asarray(hsv_pixels, dtype=np.float64)
    if px.ndim != 2 or px.shape[1] != 3:
        raise ParameterError(f"hsv_pixels must be (N, 3), got {px.shape}")
    if len(px) == 0:
        return []
    h = np.deg2rad(px[:, 0] * 2.0)
    s, v = px[:, 1] / 255.0, px[:, 2] / 255.0
    x = np.column_stack([s * np.cos(h), s * np.sin(h), v])
    k = min(k, len(np.unique(x.round(3), axis=0)))
    centres, labels = scipy_vq.kmeans2(x, k, minit="++", seed=seed)
    share = np.bincount(labels, minlength=k) / len(labels)
    out = []
    for c, p in sorted(zip(centres, share), key=lambda cp: -cp[1]):
        if p <= 0:
            continue
        hue = float(np.rad2deg(np.arctan2(c[1], c[0])) % 360.0)
        sat, val = float(np.clip(np.hypot(c[0], c[1]), 0, 1)), float(np.clip(c[2], 0, 1))
        out.append(
            {
                "hsv": [round(hue, 1), round(sat, 3), round(val, 3)],
                "rgb": _hsv_hex(hue, sat, val),
                "share": round(float(p), 4),
            }
        )
    return out


def _hsv_hex(h: float, s: float, v: float) -> str:
    import colorsys

    r, g, b = colorsys.hsv_to_rgb(h / 360.0, s, v)
    return "#{:02x}{:02x}{:02x}".format(*(int(round(255 * c)) for c in (r, g, b)))


@dataclass
class VisualFeatures:
    """The visual features of one video (see the module docstring for their definitions).

    Attributes
    ----------
    duration : float
        Seconds.
    fps : float
    n_frames : int
        Decoded frames.
    times : np.ndarray, shape (M,)
        Sampled frame times (union of static and dynamic times), seconds.
    static_mask : np.ndarray of bool, shape (M,)
        Which sampled frames are static (5-s) frames.
    brightness, saturation, colourfulness : np.ndarray, shape (M,)
    hue_hist : np.ndarray, shape (M, 12)
    faces : np.ndarray, shape (M,)
        Face counts; NaN on frames the detector skipped.
    motion_times, motion : np.ndarray, shape (T,)
        Motion energy of each analysed frame pair, at the later frame's time.
    cut_times : np.ndarray, shape (C,)
        Shot boundaries in seconds.
    static_mse : float
        MVEmo eq. 12 over the static frames.
    dominant : list of dict
        Dominant colours of the static frames.
    """

    duration: float
    fps: float
    n_frames: int
    times: np.ndarray
    static_mask: np.ndarray
    brightness: np.ndarray
    saturation: np.ndarray
    colourfulness: np.ndarray
    hue_hist: np.ndarray
    faces: np.ndarray
    motion_times: np.ndarray
    motion: np.ndarray
    cut_times: np.ndarray
    static_mse: float
    dominant: list = field(default_factory=list)

    # -- derived ------------------------------------------------------------------
    @property
    def is_static(self) -> bool:
        """MVEmo's static-video filter: ``static_mse <= 2``."""
        return bool(self.static_mse <= STATIC_THRESHOLD)

    @property
    def shot_lengths(self) -> np.ndarray:
        """Seconds of each shot, from the cuts and the video's ends."""
        edges = np.concatenate([[0.0], self.cut_times, [self.duration]])
        return np.diff(edges)

    def _pool(self, mask: np.ndarray, lo: float, hi: float) -> np.ndarray:
        """Feature vector (FEATURE_NAMES order) of the sampled frames in ``mask`` and the
        motion/cuts in [lo, hi]."""
        if not np.any(mask):
            raise ParameterError(f"no sampled frames between {lo:.2f} s and {hi:.2f} s")
        span = max(hi - lo, 1e-6)
        m = (self.motion_times > lo) & (self.motion_times <= hi)
        mot = float(np.nanmean(self.motion[m])) if np.any(m & np.isfinite(self.motion)) else 0.0
        cuts = float(np.sum((self.cut_times > lo) & (self.cut_times <= hi))) * 60.0 / span
        f = self.faces[mask]
        f = f[np.isfinite(f)]
        faces = float(f.mean()) if len(f) else 0.0
        share = float(np.mean(f > 0)) if len(f) else 0.0
        return np.concatenate(
            [
                [
                    self.brightness[mask].mean(),
                    self.saturation[mask].mean(),
                    self.colourfulness[mask].mean(),
                    mot,
                    cuts,
                    faces,
                    share,
                ],
                self.hue_hist[mask].mean(axis=0),
            ]
        )

    def static_vector(self) -> np.ndarray:
        """Features of the whole video, shape (len(FEATURE_NAMES),): colour statistics over
        the static frames, motion and cuts over the whole video."""
        return self._pool(self.static_mask, 0.0, self.duration)

    def grid_times(self) -> np.ndarray:
        """The dynamic grid times of this video (2.5, 3.0, ... duration - 2.5)."""
        return grid_times(self.duration)

    def window_matrix(self, times: np.ndarray | None = None) -> np.ndarray:
        """Features of each dynamic window (the 11 frames t - 2.5 ... t + 2.5 s, motion and
        cuts in (t - 2.5, t + 2.5]), shape (W, len(FEATURE_NAMES))."""
        t = self.grid_times() if times is None else np.asarray(times, dtype=np.float64)
        out = np.zeros((len(t), len(FEATURE_NAMES)))
        for i, g in enumerate(t):
            lo, hi = g - WINDOW_HALF_WIDTH, g + WINDOW_HALF_WIDTH
            # the static times are multiples of 5 s, so this is exactly the window's 11 frames
            mask = (self.times >= lo - 1e-6) & (self.times <= hi + 1e-6)
            out[i] = self._pool(mask, lo, hi)
        return out

    def summary(self) -> dict[str, Any]:
        """JSON-ready static features (the ``features`` of a video record)."""
        vec = self.static_vector()
        named = dict(zip(FEATURE_NAMES, vec.tolist()))
        shots = self.shot_lengths
        return {
            "brightness": round(named["brightness"], 4),
            "saturation": round(named["saturation"], 4),
            "colourfulness": round(named["colourfulness"], 2),
            "hue_histogram": [round(float(x), 4) for x in vec[7:]],
            "dominant_colours": self.dominant,
            "motion_energy": round(named["motion"], 3),
            "cuts": [round(float(c), 3) for c in self.cut_times],
            "cut_rate_per_min": round(named["cut_rate"], 2),
            "shot_length_mean": round(float(shots.mean()), 3) if len(shots) else None,
            "shot_length_median": round(float(np.median(shots)), 3) if len(shots) else None,
            "faces_mean": round(named["faces"], 3),
            "face_share": round(named["face_share"], 3),
            "static_mse": round(self.static_mse, 3),
            "is_static": self.is_static,
            "n_static_frames": int(self.static_mask.sum()),
            "fps": round(self.fps, 3),
            "n_frames": self.n_frames,
        }

    # -- cache ---------------------------------------------------------------------
    def to_arrays(self) -> dict[str, np.ndarray]:
        """Arrays for :class:`mvemo.features.cache.FeatureCache`."""
        import json

        return {
            "meta": np.array([self.duration, self.fps, self.n_frames, self.static_mse]),
            "times": self.times,
            "static_mask": self.static_mask,
            "brightness": self.brightness,
            "saturation": self.saturation,
            "colourfulness": self.colourfulness,
            "hue_hist": self.hue_hist,
            "faces": self.faces,
            "motion_times": self.motion_times,
            "motion": self.motion,
            "cut_times": self.cut_times,
            "dominant": np.array(json.dumps(self.dominant)),
        }

    @classmethod
    def from_arrays(cls, a: dict[str, np.ndarray]) -> VisualFeatures:
        """Inverse of :meth:`to_arrays`."""
        import json

        d, fps, n, mse = (float(x) for x in a["meta"])
        return cls(
            d,
            fps,
            int(n),
            a["times"],
            a["static_mask"].astype(bool),
            a["brightness"],
            a["saturation"],
            a["colourfulness"],
            a["hue_hist"],
            a["faces"],
            a["motion_times"],
            a["motion"],
            a["cut_times"],
            mse,
            json.loads(str(a["dominant"])),
        )


class _CutMotion:
    """Cut detection (PySceneDetect ContentDetector) and motion energy on thumbnails."""

    def __init__(self, fps: float) -> None:
        sd = require("scenedetect", extra="video")
        from scenedetect.common import FrameTimecode

        self._tc = FrameTimecode
        self.fps = fps if fps > 0 else 30.0
        self.detector = sd.ContentDetector(threshold=_CUT_THRESHOLD, min_scene_len=max(1, round(_MIN_SHOT * self.fps)))
        self.k = 0
        self.prev_grey: np.ndarray | None = None
        self.prev_t = 0.0
        self.times: list[float] = []
        self.motion: list[float] = []
        self.cut_frames: list[int] = []
        self.frame_times: list[float] = []

    def __call__(self, t: float, bgr: np.ndarray) -> None:
        cuts = self.detector.process_frame(self._tc(self.k, fps=self.fps), bgr)
        self.cut_frames += [int(c.frame_num) for c in cuts]
        grey = bgr.astype(np.float32) @ np.array([0.114, 0.587, 0.299], dtype=np.float32)
        if self.prev_grey is not None:
            dt = max(t - self.prev_t, 1e-3)
            self.times.append(t)
            self.motion.append(float(np.abs(grey - self.prev_grey).mean()) * (1.0 / 30.0) / dt)
        self.prev_grey, self.prev_t = grey, t
        self.frame_times.append(t)
        self.k += 1

    def result(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        ft = np.asarray(self.frame_times)
        cut_times = np.array(sorted({float(ft[f]) for f in self.cut_frames if 0 < f < len(ft)}))
        mt, mv = np.asarray(self.times), np.asarray(self.motion, dtype=np.float64)
        if len(cut_times):  # the frame pair across a cut is not motion
            mv = mv.copy()
            mv[np.isin(np.round(mt, 6), np.round(cut_times, 6))] = np.nan
        return mt, mv, cut_times


def extract_visual_features(
    path: str | Path,
    *,
    dynamic: bool = True,
    size: int = FRAME_SIZE,
    face_step: float | None = 1.0,
    thumb_fps: float | None = None,
    seed: int = 0,
) -> tuple[VisualFeatures, VideoInfo]:
    """Decode a video once and compute all visual features.

    Parameters
    ----------
    path : path
    dynamic : bool
        Also sample the 0.5-s grid (for dynamic labels); else only the static frames.
    size : int
        Edge of the sampled frames (448 in MVEmo).
    face_step : float or None
        Seconds between frames given to the face detector (a multiple of 0.5; the static
        frames are always included); None turns face counting off.
    thumb_fps : float, optional
        Cap on the frame rate of cut/motion analysis (None: every decoded frame).
    seed : int
        Seed of the pixel subsample and k-means for the dominant colours.

    Raises
    ------
    DataError
        For unreadable files or files without a video stream (the message names the file).
    """
    from mvemo.features.faces import count_faces
    from mvemo.io.video import probe_video

    info0 = probe_video(path)
    duration = info0.duration
    st = static_times(duration)
    dyn = dynamic_frame_times(duration) if dynamic else np.zeros(0)
    times = np.unique(np.round(np.concatenate([st, dyn]), 6))
    static_mask = np.isin(times, np.round(st, 6))
    m = len(times)
    bright, sat, colour = np.zeros(m), np.zeros(m), np.zeros(m)
    hue = np.zeros((m, HUE_BINS))
    faces = np.full(m, np.nan)
    face_mask = static_mask.copy()
    if face_step is not None:
        if face_step <= 0:
            raise ParameterError(f"face_step must be > 0 seconds or None, got {face_step!r}")
        q = times / face_step
        face_mask |= np.abs(q - np.round(q)) < 1e-6
    else:
        face_mask[:] = False
    rng = np.random.default_rng(seed)
    pixels: list[np.ndarray] = []
    mse: list[float] = []
    prev_static: list[np.ndarray | None] = [None]

    def on_sample(i: int, _t: float, rgb: np.ndarray) -> None:
        bright[i], sat[i], colour[i], hue[i], hsv = frame_stats(rgb)
        if face_mask[i]:
            faces[i] = count_faces(rgb)
        if static_mask[i]:
            flat = hsv.reshape(-1, 3)
            pixels.append(flat[rng.choice(len(flat), size=min(_PIXELS_PER_STATIC_FRAME, len(flat)), replace=False)])
            cur = rgb.astype(np.float32)
            if prev_static[0] is not None:
                mse.append(float(np.mean((cur - prev_static[0]) ** 2)))
            prev_static[0] = cur

    cm = _CutMotion(info0.fps)
    info = scan_video(path, times, on_sample, size=size, on_thumb=cm, thumb_fps=thumb_fps)
    mt, mv, cuts = cm.result()
    feats = VisualFeatures(
        duration=info.duration,
        fps=info.fps,
        n_frames=info.n_frames,
        times=times,
        static_mask=static_mask,
        brightness=bright,
        saturation=sat,
        colourfulness=colour,
        hue_hist=hue,
        faces=faces,
        motion_times=mt,
        motion=mv,
        cut_times=cuts,
        static_mse=float(np.mean(mse)) if mse else 0.0,
        dominant=dominant_colours(np.concatenate(pixels), seed=seed) if pixels else [],
    )
    return feats, info
