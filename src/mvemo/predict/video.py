"""Predict the emotion of a video's frames: static and every 0.5 s.

The video is decoded once (:func:`mvemo.features.visual.extract_visual_features`): the
static label pools the 5-s frames (colour) and the whole video (motion, cuts); each
dynamic label pools the 11 frames t - 2.5 ... t + 2.5 s and the motion and cuts in that
window.  Each answer is one emotion distribution on the 28 x 11 grid (the category
probabilities times the intensity's level distribution) and every field derives from it
(:mod:`mvemo.conversion.point`).  Without weights the colour prior (:mod:`mvemo.models.video`) predicts; with
weights written by ``mvemo train video`` the trained head does.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from mvemo._extras import require
from mvemo.conversion.grids import heads_to_grid
from mvemo.conversion.point import summarize_many
from mvemo.conversion.va import va_to_arrays
from mvemo.errors import DataError
from mvemo.features.visual import FEATURE_NAMES, VisualFeatures, extract_visual_features
from mvemo.models.fusion import category_distribution
from mvemo.models.outputs import HeadOutputs
from mvemo.models.registry import version_of
from mvemo.models.video import PRIOR_NAME, VideoHead, prior_from_features
from mvemo.predict.records import frame, static_label
from mvemo.records import PredictionRecord
from mvemo.representation import CATEGORIES

__all__ = ["VideoEmotionModel", "load_video_model", "save_video_model"]


@dataclass
class VideoEmotionModel:
    """Video emotion predictor (colour prior, or a trained head when ``head`` is set).

    Attributes
    ----------
    name : str
    head : torch.nn.Module or None
    meta : dict
        For a head: ``feature_names``, ``mean``, ``std`` (input standardisation).
    face_step : float or None
        Seconds between frames given to the face detector (None: off).
    """

    name: str = PRIOR_NAME
    head: Any = None
    meta: dict = field(default_factory=dict)
    face_step: float | None = 1.0

    @property
    def version(self) -> str:
        """The model's version (``"v3"``), from its name."""
        return version_of(self.name)

    def features(self, path: str | Path, *, dynamic: bool = True) -> VisualFeatures:
        """Decode the video once and compute its visual features."""
        feats, _ = extract_visual_features(path, dynamic=dynamic, face_step=self.face_step)
        return feats

    def outputs(self, x: np.ndarray) -> HeadOutputs:
        """Model outputs for feature vectors ``x`` (N, F): ``category`` probabilities (N, 28),
        ``va`` (N, 2) and ``intensity`` (N,)."""
        x = np.atleast_2d(np.asarray(x, dtype=np.float64))
        if self.head is None:
            v, a = prior_from_features(x)
            _, inten = va_to_arrays(v, a)
            return HeadOutputs(
                category=category_distribution(v, a),
                va=np.column_stack([v, a]),
                intensity=np.asarray(inten, dtype=np.float64),
            )
        torch = require("torch", extra="torch")
        mean, std = np.asarray(self.meta["mean"]), np.asarray(self.meta["std"])
        z = torch.from_numpy(((x - mean) / std).astype(np.float32))
        with torch.no_grad():
            out = self.head(z)
        return HeadOutputs(
            category=torch.softmax(out.category, -1).numpy().astype(np.float64),
            va=out.va.numpy().astype(np.float64),
            intensity=out.intensity.numpy().astype(np.float64),
        )

    def grids(self, x: np.ndarray) -> np.ndarray:
        """One emotion distribution per feature vector, shape (N, 28, 11): the category
        probabilities times the level distribution of the intensity (:mod:`mvemo.conversion.grids`)."""
        o = self.outputs(x)
        return heads_to_grid(o.category, o.intensity, normalize=False)

    def predict_features(self, feats: VisualFeatures, *, dynamic: bool = True, file: str = "") -> PredictionRecord:
        """The record of computed features (``file``: the record's ``file``)."""
        static = static_label(HeadOutputs(grid=self.grids(feats.static_vector()[None])))
        frames = []
        times = feats.grid_times() if dynamic else np.zeros(0)
        if len(times) and len(feats.times) > 1:
            d = summarize_many(self.grids(feats.window_matrix(times)))
            frames = [
                frame(t, CATEGORIES[int(d.category[i])], d.intensity[i], d.valence[i], d.arousal[i])
                for i, t in enumerate(times)
            ]
        return PredictionRecord(
            file=file,
            model=self.name,
            modality="video",
            duration=round(feats.duration, 3),
            static=static,
            dynamic=frames,
            features=feats.summary(),
        )

    def predict(self, path: str | Path, *, dynamic: bool = True) -> PredictionRecord:
        """The record of one video file (the contract's fields, ``modality`` = ``"video"``).

        Raises
        ------
        DataError
            For unreadable files and files without a video stream (the message names the file).
        """
        return self.predict_features(self.features(path, dynamic=dynamic), dynamic=dynamic, file=str(path))


def load_video_model(weights: str | Path | None = None, *, face_step: float | None = 1.0) -> VideoEmotionModel:
    """The colour prior (``weights=None``) or a head trained by ``mvemo train video``."""
    if weights is None:
        return VideoEmotionModel(face_step=face_step)
    from mvemo.models.checkpoint import load_checkpoint

    blob = load_checkpoint(weights, what="video model weights")
    meta = blob["meta"]
    if meta.get("kind") != "video-head" or list(meta.get("feature_names", [])) != list(FEATURE_NAMES):
        raise DataError(f"{weights}: not a video head for these features (kind {meta.get('kind')!r})")
    head = VideoHead(len(FEATURE_NAMES), hidden=int(meta["hidden"]))
    head.load_state_dict({k: v.float() for k, v in blob["state_dict"].items()})
    head.eval()
    return VideoEmotionModel(meta["name"], head, meta, face_step=face_step)


def save_video_model(head, meta: dict, path: str | Path) -> Path:
    """Write a trained head and its metadata atomically."""
    from mvemo.models.checkpoint import save_checkpoint

    return save_checkpoint(meta, path, state_dict=head.state_dict())
