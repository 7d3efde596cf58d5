"""The 28 categories of the unified representation, their angles and sectors.

The MVEmo representation places 28 affect words of Russell's (1980) circumplex on a
polar plane: 0° is pleasure (positive valence), 90° is arousal, angles grow
counter-clockwise.  Each category owns a *sector*: the arc between the midpoints to
its two angular neighbours.  A direction maps to the category whose sector contains
it, and the *sector centre* (the midpoint of that arc) is the angle the Emotion
Distance uses.
"""

from __future__ import annotations

import csv
import difflib
from collections.abc import Iterable, Mapping, Sequence
from functools import cache
from importlib import resources

import numpy as np

from mvemo.errors import DataError, ParameterError

__all__ = [
    "CATEGORIES",
    "N_CATEGORIES",
    "REFERENCE_ANGLES",
    "Circumplex",
    "default_circumplex",
    "normalize_category_name",
    "weighted_circular_mean",
]

#: The 28 categories, in the order of the MVEmo paper (counter-clockwise from pleasure).
CATEGORIES: tuple[str, ...] = (
    "happy", "delighted", "excited", "astonished", "aroused", "tense", "alarmed",
    "angry", "afraid", "annoyed", "distressed", "frustrated", "miserable", "sad",
    "gloomy", "depressed", "bored", "droopy", "tired", "sleepy", "calm", "relaxed",
    "satisfied", "at ease", "content", "serene", "glad", "pleased",
)  # fmt: skip
N_CATEGORIES = len(CATEGORIES)

#: Russell's eight reference categories and their angles in degrees (MVEmo eq. 1-4).
REFERENCE_ANGLES: dict[str, float] = {
    "pleasure": 0.0,
    "excitement": 45.0,
    "arousal": 90.0,
    "distress": 135.0,
    "misery": 180.0,
    "depression": 225.0,
    "sleepiness": 270.0,
    "contentment": 315.0,
}


def normalize_category_name(name: str) -> str:
    """Fold case, underscores, hyphens and repeated spaces: ``"At_Ease"`` -> ``"at ease"``.

    Examples
    --------
    >>> normalize_category_name("  At-Ease ")
    'at ease'
    """
    if not isinstance(name, str):
        raise ParameterError(f"category name must be a string, got {name!r}")
    return " ".join(name.replace("_", " ").replace("-", " ").lower().split())


def _wrap(deg: np.ndarray | float) -> np.ndarray:
    """Shift angles in degrees into [0, 360)."""
    out = np.mod(np.asarray(deg, dtype=np.float64), 360.0)
    # np.mod(-1e-17, 360) == 360.0 in floating point; fold that back to 0.
    return np.where(out >= 360.0, 0.0, out)


def weighted_circular_mean(
    frequencies: Sequence[float] | np.ndarray,
    *,
    angles: Sequence[float] | np.ndarray | None = None,
) -> np.ndarray:
    """Angle of a word as the frequency-weighted circular mean of reference angles.

    This is MVEmo's equations 1-4: ``X = sum f_i cos(theta_i)``,
    ``Y = sum f_i sin(theta_i)``, ``theta = atan2(Y, X)`` shifted into [0°, 360°).

    Parameters
    ----------
    frequencies : array_like, shape (..., K)
        Non-negative weights, e.g. how often subjects sorted a word into each of the
        ``K`` reference categories.  Leading dimensions are batch dimensions.
    angles : array_like, shape (K,), optional
        Reference angles in degrees.  Default: the eight of :data:`REFERENCE_ANGLES`
        (pleasure 0°, excitement 45°, ..., contentment 315°).

    Returns
    -------
    theta : np.ndarray, shape (...)
        Angles in degrees in [0, 360).

    Raises
    ------
    ParameterError
        If weights are negative or not finite, shapes disagree, or the weighted
        vectors cancel out (the mean direction is undefined).

    Examples
    --------
    >>> float(weighted_circular_mean([1, 1, 0, 0, 0, 0, 0, 0]))
    22.5
    >>> weighted_circular_mean([[0, 0, 0, 0, 0, 0, 1, 1], [3, 0, 0, 0, 0, 0, 0, 1]]).round(2)
    array([292.5, 349.2])
    """
    f = np.asarray(frequencies, dtype=np.float64)
    ref = np.asarray(list(REFERENCE_ANGLES.values()) if angles is None else angles, dtype=np.float64)
    if ref.ndim != 1 or f.ndim == 0 or f.shape[-1] != ref.shape[0]:
        raise ParameterError(
            f"frequencies must have shape (..., {ref.shape[0]}) to match the reference angles, got shape {f.shape}"
        )
    if not np.all(np.isfinite(f)) or np.any(f < 0):
        raise ParameterError(f"frequencies must be finite and non-negative, got {f.tolist()}")
    rad = np.deg2rad(ref)
    x = f @ np.cos(rad)
    y = f @ np.sin(rad)
    degenerate = np.hypot(x, y) <= 1e-12 * np.maximum(f.sum(axis=-1), 1e-300)
    if np.any(degenerate):
        raise ParameterError(
            "the weighted reference vectors cancel out, so the mean direction is "
            f"undefined for frequencies {f[degenerate].tolist()}"
        )
    return _wrap(np.rad2deg(np.arctan2(y, x)))


class Circumplex:
    """Categories on the circle, with their sectors.

    Parameters
    ----------
    categories : sequence of str
        Category names (normalised with :func:`normalize_category_name`).
    angles : sequence of float
        One angle in degrees per category (any real value; wrapped into [0, 360)).
        Angles must be distinct.
    source : str, optional
        Where the angles come from, kept for provenance.

    Attributes
    ----------
    categories : tuple of str, length K
    angles : np.ndarray, shape (K,)
        Category angles in degrees, in [0, 360).
    sector_lower, sector_upper : np.ndarray, shape (K,)
        Counter-clockwise start and end of each sector in degrees, in [0, 360)
        (a sector may wrap through 0°, so ``sector_upper < sector_lower`` is possible).
    sector_centers : np.ndarray, shape (K,)
        Midpoint of each sector's arc, in [0, 360).
    sector_widths : np.ndarray, shape (K,)
        Arc length of each sector in degrees; they sum to 360.

    Notes
    -----
    Sectors are half-open, ``[lower, upper)`` counter-clockwise, so a direction on a
    boundary belongs to the category counter-clockwise of it and every direction
    belongs to exactly one sector.

    Examples
    --------
    >>> c = default_circumplex()
    >>> c.categories[c.category_index_of(50.0)]
    'excited'
    >>> round(float(c.sector_centers[c.index("happy")]), 2)
    8.44
    """

    def __init__(
        self,
        categories: Sequence[str],
        angles: Sequence[float] | np.ndarray,
        *,
        source: str = "user-supplied",
    ) -> None:
        names = tuple(normalize_category_name(c) for c in categories)
        ang = np.asarray(angles, dtype=np.float64)
        if len(names) < 2 or ang.shape != (len(names),):
            raise ParameterError(
                f"need at least 2 categories and one angle each, got {len(names)} "
                f"categories and angles of shape {ang.shape}"
            )
        if len(set(names)) != len(names):
            dup = sorted({n for n in names if names.count(n) > 1})
            raise ParameterError(f"category names must be unique, repeated: {dup}")
        if not np.all(np.isfinite(ang)):
            raise ParameterError(f"angles must be finite, got {ang.tolist()}")
        ang = _wrap(ang)
        order = np.argsort(ang, kind="stable")
        sorted_ang = ang[order]
        gaps = np.diff(np.append(sorted_ang, sorted_ang[0] + 360.0))
        if np.any(gaps <= 1e-9):
            raise ParameterError("category angles must be distinct")
        # Upper boundary of each sorted category: midpoint to its ccw neighbour.
        upper_sorted = _wrap(sorted_ang + gaps / 2.0)
        lower_sorted = np.roll(upper_sorted, 1)
        width_sorted = (gaps + np.roll(gaps, 1)) / 2.0

        self.categories = names
        self.source = source
        self.angles = ang
        self._order = order  # sorted position -> category index
        self.sector_lower = np.empty_like(ang)
        self.sector_upper = np.empty_like(ang)
        self.sector_widths = np.empty_like(ang)
        self.sector_lower[order] = lower_sorted
        self.sector_upper[order] = upper_sorted
        self.sector_widths[order] = width_sorted
        self.sector_centers = _wrap(self.sector_lower + self.sector_widths / 2.0)
        # For lookup: rotate so that the first sorted sector starts at 0.
        self._origin = float(lower_sorted[0])
        self._rotated_lower = _wrap(lower_sorted - self._origin)
        self._index = {n: i for i, n in enumerate(names)}
        for arr in (
            self.angles,
            self.sector_lower,
            self.sector_upper,
            self.sector_widths,
            self.sector_centers,
            self._rotated_lower,
        ):
            arr.setflags(write=False)

    # -- construction -------------------------------------------------------------
    @classmethod
    def from_frequencies(
        cls,
        table: Mapping[str, Sequence[float]],
        *,
        reference_angles: Sequence[float] | None = None,
        source: str = "weighted circular mean of user frequencies",
    ) -> Circumplex:
        """Build a circumplex with MVEmo's procedure from a word x reference frequency table.

        Parameters
        ----------
        table : mapping of str to sequence of float
            For each category word, the frequencies with which it was sorted into the
            reference categories (default order: those of :data:`REFERENCE_ANGLES`).
        reference_angles : sequence of float, optional
            Angles of the reference categories in degrees.

        Examples
        --------
        >>> c = Circumplex.from_frequencies({"up": [1, 1, 0, 0, 0, 0, 0, 0],
        ...                                  "down": [0, 0, 0, 0, 1, 1, 0, 0]})
        >>> c.angles.round(6).tolist()
        [22.5, 202.5]
        """
        words = list(table)
        theta = weighted_circular_mean(np.asarray([table[w] for w in words], dtype=np.float64), angles=reference_angles)
        return cls(words, theta, source=source)

    @classmethod
    def from_csv(cls, path: str, *, source: str | None = None) -> Circumplex:
        """Read ``category,angle_deg`` or ``category,valence_cos,arousal_sin`` rows from a CSV file."""
        try:
            with open(path, newline="", encoding="utf-8") as fh:
                rows = list(csv.DictReader(fh))
        except OSError as exc:
            raise DataError(f"cannot read circumplex table {path}: {exc}") from exc
        return cls._from_rows(rows, origin=str(path), source=source or str(path))

    @classmethod
    def _from_rows(cls, rows: list[dict[str, str]], *, origin: str, source: str) -> Circumplex:
        if not rows:
            raise DataError(f"{origin}: the circumplex table is empty")
        cols = set(rows[0])
        try:
            names = [r["category"] for r in rows]
            if "angle_deg" in cols:
                angles = [float(r["angle_deg"]) for r in rows]
            elif {"valence_cos", "arousal_sin"} <= cols:
                angles = [float(np.rad2deg(np.arctan2(float(r["arousal_sin"]), float(r["valence_cos"])))) for r in rows]
            else:
                raise KeyError("angle_deg or valence_cos/arousal_sin")
        except KeyError as exc:
            raise DataError(f"{origin}: missing column {exc}; have {sorted(cols)}") from exc
        except ValueError as exc:
            raise DataError(f"{origin}: non-numeric angle: {exc}") from exc
        try:
            return cls(names, angles, source=source)
        except ParameterError as exc:
            raise DataError(f"{origin}: {exc}") from exc

    # -- lookup -------------------------------------------------------------------
    @property
    def n_categories(self) -> int:
        """Number of categories ``K``."""
        return len(self.categories)

    def index(self, name: str) -> int:
        """Index of a category name; unknown names raise with close matches.

        Examples
        --------
        >>> default_circumplex().index("At_Ease")
        23
        """
        key = normalize_category_name(name)
        try:
            return self._index[key]
        except KeyError:
            close = difflib.get_close_matches(key, self.categories, n=3, cutoff=0.6)
            hint = f"; did you mean {', '.join(repr(c) for c in close)}?" if close else ""
            raise ParameterError(
                f"unknown emotion category {name!r}{hint} "
                f"(the {self.n_categories} categories are: {', '.join(self.categories)})"
            ) from None

    def indices(self, names: Iterable[str]) -> np.ndarray:
        """Vector of category indices for an iterable of names, shape (N,)."""
        return np.fromiter((self.index(n) for n in names), dtype=np.int64)

    def category_index_of(self, angle: float | np.ndarray) -> np.ndarray:
        """Index of the category whose sector contains each direction.

        Parameters
        ----------
        angle : float or np.ndarray
            Directions in degrees (any real value).

        Returns
        -------
        np.ndarray of int, same shape as ``angle``
        """
        a = np.asarray(angle, dtype=np.float64)
        if not np.all(np.isfinite(a)):
            raise ParameterError(f"angles must be finite, got {a[~np.isfinite(a)][:5].tolist()}")
        rotated = _wrap(a - self._origin)
        pos = np.searchsorted(self._rotated_lower, rotated, side="right") - 1
        # rotated >= 0 == _rotated_lower[0], so pos >= 0; clip guards rounding at 360.
        return self._order[np.clip(pos, 0, self.n_categories - 1)]

    def __repr__(self) -> str:
        return f"Circumplex({self.n_categories} categories, source={self.source!r})"


@cache
def default_circumplex() -> Circumplex:
    """The default circumplex: Russell's 28 words at their published positions.

    The angles are a substitution for MVEmo's frequency-weighted angles, whose source
    table could not be obtained; see ``representation/data/PROVENANCE.md``.
    """
    with (
        resources.files("mvemo.representation")
        .joinpath("data/russell1980_angles.csv")
        .open(encoding="utf-8", newline="") as fh
    ):
        rows = list(csv.DictReader(fh))
    circ = Circumplex._from_rows(
        rows,
        origin="mvemo/representation/data/russell1980_angles.csv",
        source="Russell (1980) 28 affect words, unit-circle positions (see PROVENANCE.md)",
    )
    if circ.categories != CATEGORIES:
        raise DataError("packaged circumplex table is out of order with CATEGORIES")
    return circ
