"""Face counting with OpenCV's Haar cascade (the frontal-face model shipped in ``cv2.data``).

The cascade runs on a 224 x 224 grey copy of the 448 x 448 frame (scale step 1.2,
5 neighbours, faces from 24 px there, i.e. >= 11 % of the frame height): about
35 ms per frame on one core, against 150-270 ms at 448 px.  Facial *expression*
is not estimated (see ``docs/video.md``).
"""

from __future__ import annotations

from functools import cache

import numpy as np

from mvemo._extras import require
from mvemo.errors import DataError

__all__ = ["FACE_INPUT", "count_faces"]

FACE_INPUT = 224  #: pixels: edge of the grey image the cascade sees


@cache
def _cascade():
    cv2 = require("cv2", extra="video")
    path = cv2.data.haarcascades + "haarcascade_frontalface_default.xml"
    clf = cv2.CascadeClassifier(path)
    if clf.empty():
        raise DataError(f"{path}: OpenCV could not load its Haar face cascade")
    return clf


def count_faces(rgb: np.ndarray) -> int:
    """Number of frontal faces in an RGB frame.

    Parameters
    ----------
    rgb : np.ndarray, shape (H, W, 3), uint8

    Examples
    --------
    >>> count_faces(np.zeros((448, 448, 3), np.uint8))
    0
    """
    cv2 = require("cv2", extra="video")
    grey = cv2.cvtColor(np.ascontiguousarray(rgb), cv2.COLOR_RGB2GRAY)
    if grey.shape != (FACE_INPUT, FACE_INPUT):
        grey = cv2.resize(grey, (FACE_INPUT, FACE_INPUT), interpolation=cv2.INTER_AREA)
    found = _cascade().detectMultiScale(grey, scaleFactor=1.2, minNeighbors=5, minSize=(24, 24))
    return int(len(found))
