"""Emotion words and tags -> the unified representation (MVEmo section III-A).

The mapping is a reviewed table (``data/word_map.csv``): for each source word of the
datasets in MVEmo's Table I (MTG-Jamendo tags, Emotify's GEMS-9, MuVi's terms,
XLM-EMO, the MIREX mood clusters and the AllMusic moods of the 4Q dataset), the
category proposed from word norms by ``scripts/build_word_map.py``, the final
category after review, and the reason.  A word with no emotional meaning maps
explicitly to nothing (an empty ``final``).  See ``docs/word_mapping.md``.
"""

from __future__ import annotations

import csv
import difflib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import cache
from importlib import resources
from pathlib import Path

from mvemo.errors import DataError, ParameterError
from mvemo.representation import EmotionLabel, default_circumplex

__all__ = [
    "UnknownWordError",
    "WordMap",
    "default_word_map",
    "normalize_word",
    "word_map_vocabularies",
    "word_to_label",
]

_PACKAGED = "mvemo/conversion/data/word_map.csv"


#: How to pass a mapping, in the Python API's terms (the CLI replaces it with its own option).
PYTHON_MAPPING_HINT = "Pass your own mapping (mapping=WordMap.from_dict({...}) or WordMap.from_csv(path))."
CLI_MAPPING_HINT = "Pass your own mapping CSV (columns word, category) with --mapping FILE.csv."


class UnknownWordError(ParameterError, KeyError):
    """A word is not in the mapping; the message suggests close matches."""

    def __str__(self) -> str:  # KeyError would repr() the message
        return str(self.args[0]) if self.args else ""


def normalize_word(word: str) -> str:
    """Lower-case, strip a ``mood/theme---`` prefix, fold ``_`` and repeated spaces.

    Examples
    --------
    >>> normalize_word("mood/theme---Happy"), normalize_word(" joyful_activation ")
    ('happy', 'joyful activation')
    """
    if not isinstance(word, str):
        raise ParameterError(f"an emotion word must be a string, got {word!r}")
    w = word.strip()
    if "---" in w:
        w = w.split("---", 1)[1]
    return " ".join(w.replace("_", " ").lower().split())


@dataclass(frozen=True)
class WordMap:
    """A word -> category mapping; ``None`` marks a word with no emotional meaning.

    Build one from a dict (``WordMap.from_dict({"melancholic": "sad"})``) or from a
    CSV with ``word`` and ``final`` (or ``category``) columns.  Keys are stored as
    :func:`normalize_word` gives them.

    Examples
    --------
    >>> wm = WordMap.from_dict({"Melancholic": "sad", "film": None})
    >>> wm.category("melancholic"), wm.category("film"), wm.words()
    ('sad', None, ('film', 'melancholic'))
    """

    entries: Mapping[str, str | None]
    source: str = "user-supplied"

    @classmethod
    def from_dict(cls, mapping: Mapping[str, str | None], *, source: str = "user-supplied") -> WordMap:
        """Validate and normalise a ``{word: category or None}`` dict.

        Raises
        ------
        ParameterError
            For a category that is not one of the 28, an empty word, or a word mapped
            to two different categories once normalised (``"Sad"`` and ``"sad"``).
        """
        return cls._from_pairs(mapping.items(), source=source)

    @classmethod
    def _from_pairs(cls, pairs: Iterable[tuple[str, str | None]], *, source: str) -> WordMap:
        circ = default_circumplex()
        entries: dict[str, str | None] = {}
        for word, cat in pairs:
            key = normalize_word(word)
            if not key:
                raise ParameterError(f"an empty word cannot be mapped ({source})")
            value = None if cat in (None, "") else circ.categories[circ.index(cat)]
            if key in entries and entries[key] != value:
                raise ParameterError(f"word {word!r} is mapped twice, to {entries[key]!r} and {value!r} ({source})")
            entries[key] = value
        return cls(entries, source)

    @classmethod
    def from_csv(cls, path: str | Path, *, vocabulary: str | None = None) -> WordMap:
        """Read a mapping CSV with a ``word`` column and a ``final`` or ``category`` column.

        Parameters
        ----------
        path : str or Path
            The CSV file (UTF-8, with a header row).
        vocabulary : str, optional
            Keep only the rows whose ``vocabulary`` column equals this.

        Raises
        ------
        DataError
            If the file cannot be read, lacks a column, is empty, or holds an
            invalid category or a word mapped twice (the message names the file).
        """
        try:
            with open(path, newline="", encoding="utf-8") as fh:
                rows = list(csv.DictReader(fh))
        except (OSError, UnicodeDecodeError, csv.Error) as exc:
            raise DataError(f"cannot read word mapping {path}: {exc}") from exc
        return cls._from_rows(rows, source=str(path), vocabulary=vocabulary)

    @classmethod
    def _from_rows(cls, rows: list[dict[str, str]], *, source: str, vocabulary: str | None = None) -> WordMap:
        if not rows:
            raise DataError(f"{source}: the word mapping is empty")
        col = "final" if "final" in rows[0] else "category"
        if "word" not in rows[0] or col not in rows[0]:
            raise DataError(f"{source}: need columns 'word' and 'final' (or 'category'), have {sorted(rows[0])}")
        if vocabulary is not None:
            rows = _select_vocabulary(rows, vocabulary, source=source)
        try:
            return cls._from_pairs(((r["word"] or "", (r[col] or "").strip() or None) for r in rows), source=source)
        except ParameterError as exc:
            raise DataError(f"{source}: {exc}") from exc

    def __contains__(self, word: object) -> bool:
        return isinstance(word, str) and normalize_word(word) in self.entries

    def __len__(self) -> int:
        return len(self.entries)

    def words(self) -> tuple[str, ...]:
        """All words of the mapping (normalised), sorted."""
        return tuple(sorted(self.entries))

    def category(self, word: str) -> str | None:
        """Category of ``word``, or ``None`` for a word mapped to nothing.

        Raises
        ------
        UnknownWordError
            If the word is not in the mapping (the message lists close matches).
        """
        key = normalize_word(word)
        try:
            return self.entries[key]
        except KeyError:
            close = difflib.get_close_matches(key, list(self.entries), n=5, cutoff=0.6)
            hint = f"; close matches: {', '.join(close)}" if close else ""
            raise UnknownWordError(
                f"unknown emotion word {word!r} in the mapping {self.source}{hint}. " + PYTHON_MAPPING_HINT
            ) from None


def _select_vocabulary(rows: list[dict[str, str]], vocabulary: str, *, source: str) -> list[dict[str, str]]:
    """Rows of one vocabulary; unknown names raise with the known ones."""
    if "vocabulary" not in rows[0]:
        raise DataError(f"{source}: no 'vocabulary' column to select {vocabulary!r} from")
    known = sorted({r["vocabulary"] for r in rows})
    if vocabulary not in known:
        raise ParameterError(f"unknown vocabulary {vocabulary!r} in {source}; known: {', '.join(known)}")
    return [r for r in rows if r["vocabulary"] == vocabulary]


@cache
def _packaged_rows() -> tuple[dict[str, str], ...]:
    ref = resources.files("mvemo.conversion").joinpath("data/word_map.csv")
    with ref.open(encoding="utf-8", newline="") as fh:
        return tuple(csv.DictReader(fh))


def word_map_vocabularies() -> tuple[str, ...]:
    """Names of the vocabularies in the packaged table, in table order.

    Examples
    --------
    >>> "mtg-jamendo" in word_map_vocabularies()
    True
    """
    return tuple(dict.fromkeys(r["vocabulary"] for r in _packaged_rows()))


@cache
def default_word_map(vocabulary: str | None = None) -> WordMap:
    """The reviewed mapping shipped with mvemo (``conversion/data/word_map.csv``).

    Parameters
    ----------
    vocabulary : str, optional
        Only the words of one source vocabulary (see :func:`word_map_vocabularies`),
        e.g. ``"mtg-jamendo"``; default: all words.

    Raises
    ------
    ParameterError
        For an unknown vocabulary name.

    Examples
    --------
    >>> len(default_word_map("xlm-emo")), default_word_map("xlm-emo").category("anger")
    (4, 'angry')
    """
    rows = [dict(r) for r in _packaged_rows()]
    source = _PACKAGED if vocabulary is None else f"{_PACKAGED} [{vocabulary}]"
    if vocabulary is not None:
        rows = _select_vocabulary(rows, vocabulary, source=_PACKAGED)
    return WordMap._from_rows(rows, source=source)


def word_to_label(
    word: str, *, mapping: WordMap | Mapping[str, str | None] | None = None, intensity: float = 0.5
) -> EmotionLabel | None:
    """Unified label of an emotion word or tag (intensity 0.5, as MVEmo does).

    Parameters
    ----------
    word : str
        A word or tag, e.g. ``"melancholic"`` or ``"mood/theme---calm"``.
    mapping : WordMap or dict, optional
        Your own mapping; default: the reviewed table shipped with mvemo.
    intensity : float
        Intensity of the label, default 0.5.

    Returns
    -------
    EmotionLabel or None
        ``None`` for a word that the mapping marks as having no emotional meaning.

    Raises
    ------
    UnknownWordError
        If the word is not in the mapping.

    Examples
    --------
    >>> word_to_label("sad")
    EmotionLabel(category='sad', intensity=0.5)
    """
    if mapping is None:
        wm = default_word_map()
    elif isinstance(mapping, WordMap):
        wm = mapping
    else:
        wm = WordMap.from_dict(mapping)
    cat = wm.category(word)
    return None if cat is None else EmotionLabel(cat, intensity)
