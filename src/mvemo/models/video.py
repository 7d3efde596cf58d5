"""Video emotion from visual features: a data-free colour prior and a trainable head.

**Colour prior** (no training data; ``video-colour-prior-v1``).  Valdez & Mehrabian (1994,
*J. Exp. Psychol. Gen.* 123(4)) regressed pleasure and arousal ratings of colour samples
on their brightness B and saturation S (standardised Munsell value and chroma):

    pleasure = 0.69 B + 0.22 S,        arousal = -0.31 B + 0.60 S.

mvemo applies the equations to a frame's mean HSV value and saturation, both in [0, 1]
(substitution: HSV instead of Munsell, and raw instead of standardised values, since no
reference population of music-video frames is available offline).  Over B, S in [0, 1]
the outputs span pleasure [0, 0.91] and arousal [-0.31, 0.60]; each is mapped linearly
onto [-1, 1] (min-max over that span, MVEmo eq. 5), so a mid-grey-and-half-saturated
frame (B = S = 0.5) sits at the origin:

    valence   = 2 (pleasure) / 0.91 - 1
    a_colour  = 2 (arousal + 0.31) / 0.91 - 1

Arousal also rises with movement and editing pace, each mapped onto [-1, 1] by a
saturating curve ``1 - 2 * 2^(-x / x_half)`` (-1 at 0, 0 at ``x_half``, -> 1):

* motion energy ``m`` (grey levels per 1/30 s, :mod:`mvemo.features.visual`), ``m_half = 3``;
* cut rate ``c`` (cuts per minute), ``c_half = 12`` (a 5-s mean shot length);

    arousal = 0.5 a_colour + 0.25 a_motion + 0.25 a_cuts.

The weights and the two half-points are mvemo's choices, not fitted (documented in
``docs/video.md``).  The point ``(valence, arousal)`` goes to the unified label with
:func:`mvemo.conversion.va_to_label`, and to a 28-category distribution with
:func:`mvemo.models.fusion.category_distribution` (whose entropy, and so its fusion
weight, is high near the origin).

**Trainable head** (:func:`VideoHead`): standardised feature vectors
(:data:`mvemo.features.visual.FEATURE_NAMES`) -> MLP -> 28 category logits, VA (tanh) and
intensity (sigmoid); static vectors and per-window vectors share the head.
"""

from __future__ import annotations

import numpy as np

from mvemo._extras import require
from mvemo.errors import ParameterError
from mvemo.features.visual import FEATURE_NAMES
from mvemo.models.outputs import HeadOutputs
from mvemo.representation import N_CATEGORIES

__all__ = ["PRIOR_NAME", "MOTION_HALF", "CUTS_HALF", "colour_prior_va", "prior_from_features", "VideoHead"]

PRIOR_NAME = "video-colour-prior-v1"
MOTION_HALF = 3.0  #: grey levels per 1/30 s at which the motion term is 0
CUTS_HALF = 12.0  #: cuts per minute at which the cut term is 0
_P_SPAN = (0.0, 0.91)
_A_SPAN = (-0.31, 0.60)
AROUSAL_WEIGHTS = (0.5, 0.25, 0.25)  #: colour, motion, cuts


def _saturating(x: np.ndarray, half: float) -> np.ndarray:
    return 1.0 - 2.0 * np.power(2.0, -np.maximum(np.asarray(x, dtype=np.float64), 0.0) / half)


def colour_prior_va(brightness, saturation, motion=None, cut_rate=None) -> tuple[np.ndarray, np.ndarray]:
    """Valence and arousal in [-1, 1] from the Valdez & Mehrabian equations (+ motion, cuts).

    Parameters
    ----------
    brightness, saturation : array_like in [0, 1]
        Mean HSV value and saturation.
    motion : array_like, optional
        Motion energy (grey levels per 1/30 s); without it (and ``cut_rate``) arousal is
        the colour term alone.
    cut_rate : array_like, optional
        Cuts per minute.

    Examples
    --------
    >>> v, a = colour_prior_va(0.5, 0.5)
    >>> abs(round(float(v), 6)), abs(round(float(a), 6))
    (0.0, 0.0)
    >>> v, a = colour_prior_va(0.9, 0.1, motion=0.0, cut_rate=0.0)
    >>> bool(v > 0), bool(a < -0.5)
    (True, True)
    """
    b = np.clip(np.asarray(brightness, dtype=np.float64), 0, 1)
    s = np.clip(np.asarray(saturation, dtype=np.float64), 0, 1)
    p = 0.69 * b + 0.22 * s
    a = -0.31 * b + 0.60 * s
    v = 2 * (p - _P_SPAN[0]) / (_P_SPAN[1] - _P_SPAN[0]) - 1
    ac = 2 * (a - _A_SPAN[0]) / (_A_SPAN[1] - _A_SPAN[0]) - 1
    if motion is None and cut_rate is None:
        return np.clip(v, -1, 1), np.clip(ac, -1, 1)
    if motion is None or cut_rate is None:
        raise ParameterError("give both motion and cut_rate, or neither")
    wc, wm, wk = AROUSAL_WEIGHTS
    arousal = wc * ac + wm * _saturating(motion, MOTION_HALF) + wk * _saturating(cut_rate, CUTS_HALF)
    return np.clip(v, -1, 1), np.clip(arousal, -1, 1)


def prior_from_features(x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """:func:`colour_prior_va` of feature vectors in :data:`FEATURE_NAMES` order, shape (N, F) -> (N,), (N,)."""
    x = np.atleast_2d(np.asarray(x, dtype=np.float64))
    if x.shape[1] != len(FEATURE_NAMES):
        raise ParameterError(f"feature vectors must have {len(FEATURE_NAMES)} columns, got {x.shape[1]}")
    col = {n: x[:, i] for i, n in enumerate(FEATURE_NAMES)}
    return colour_prior_va(col["brightness"], col["saturation"], col["motion"], col["cut_rate"])


def VideoHead(n_features: int = len(FEATURE_NAMES), hidden: int = 64, dropout: float = 0.2):  # noqa: N802
    """The trainable video head: ``n_features`` -> ``hidden`` (ReLU, dropout) -> 28 + 2 + 1.

    Returns
    -------
    torch.nn.Module
        ``forward(x (N, F) standardised) ->`` :class:`~mvemo.models.outputs.HeadOutputs` with
        ``category`` (N, 28) logits, ``va`` (N, 2) in [-1, 1], ``intensity`` (N,) in [0, 1].
    """
    torch = require("torch", extra="torch")
    nn = torch.nn

    class _Head(nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.body = nn.Sequential(
                nn.Linear(n_features, hidden), nn.ReLU(), nn.Dropout(dropout), nn.Linear(hidden, N_CATEGORIES + 3)
            )

        def forward(self, x):
            y = self.body(x)
            k = N_CATEGORIES
            return HeadOutputs(category=y[:, :k], va=torch.tanh(y[:, k : k + 2]), intensity=torch.sigmoid(y[:, k + 2]))

    return _Head()
