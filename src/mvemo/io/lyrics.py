"""Lyrics readers: plain text and time-synced LRC, and the MVEmo cleaning rule.

LRC (``.lrc``) support:

* time tags ``[mm:ss]``, ``[mm:ss.xx]``, ``[mm:ss.xxx]`` and ``[mm:ss:xx]`` (minutes may
  exceed 59; seconds must be 00-59; a third colon field is a fraction, never seconds; no
  time may pass :data:`mvemo.limits.MAX_TIMELINE_SECONDS`, or ``max_time`` when the lyrics go
  with media of known duration), several per line (``[00:12.00][01:30.50]text`` is the same line sung twice: it yields
  two :class:`LyricLine` with the same text);
* metadata tags ``[ar:]``, ``[ti:]``, ``[al:]``, ``[au:]``, ``[by:]``, ``[length:]``,
  ``[re:]``, ``[ve:]``, ``[#:]`` and any other ``[key:value]`` tag whose key is not a
  number, kept in :attr:`Lyrics.metadata`;
* ``[offset:+/-ms]``: a positive offset makes the lyrics appear sooner (the LRC
  convention), so every time becomes ``t - offset / 1000`` (clipped at 0);
* enhanced (A2) word-time tags ``<mm:ss.xx>`` inside a line are tolerated and removed
  from the text; the line time is its ``[..]`` tag;
* a timed line with no text marks the end of the previous line (an instrumental gap);
  it is kept with ``text == ""``;
* lines without a time tag (other than metadata) are not lyrics of the timeline; they are
  counted in :attr:`Lyrics.n_untimed` and otherwise ignored;
* a line that starts like a time tag but is not a valid one (``[00:99]``, ``[1:2:3:4]``,
  ``[00:1a]``, ``[-1:00]``), or a time past the bound, is an error naming the line: nothing
  is dropped silently.

Plain text: one lyric line per non-blank line; section headers such as ``[Chorus]`` or
``[Verse 1]`` (Genius style) are removed by :func:`clean_lyrics`.  A ``.txt`` file whose
lines mostly start with LRC time tags is read as LRC.

Files are decoded as UTF-8 (with or without BOM), UTF-16 with a BOM, or else
Windows-1252; a file with NUL bytes or undecodable content is binary and refused.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from mvemo.errors import DataError, ParameterError
from mvemo.limits import MAX_TIMELINE_SECONDS

__all__ = [
    "LYRICS_SUFFIXES",
    "LyricLine",
    "Lyrics",
    "clean_lyrics",
    "looks_like_lrc",
    "parse_lrc",
    "parse_plain",
    "read_lyrics",
]

#: Suffixes the lyrics reader accepts.
LYRICS_SUFFIXES = (".lrc", ".txt")
_MAX_BYTES = 16 * 1024 * 1024

_TIME_TAG = re.compile(r"\[(\d{1,3}):(\d{1,2})(?:[.:](\d{1,3}))?\]")
_LEADING_TAGS = re.compile(r"^\s*((?:\[\d{1,3}:\d{1,2}(?:[.:]\d{1,3})?\]\s*)+)(.*)$")
_META_TAG = re.compile(r"^\s*\[([A-Za-z#][A-Za-z0-9_# -]*):(.*)\]\s*$")
_TAG_LIKE = re.compile(r"^\s*\[\s*[-+]?\d[^\]]*\]?")  # starts like a time tag: must be a valid one
_WORD_TAG = re.compile(r"<\d{1,3}:\d{1,2}(?:[.:]\d{1,3})?>")
_SECTION = re.compile(r"\[[^\[\]\n]{0,60}\]")
# What survives cleaning: word characters (any script) and the allowed punctuation.
_QUOTES = "'\"\u2018\u2019\u201c\u201d"
_KEEP_PUNCT = _QUOTES + ",:;.?!"
_DISALLOWED = re.compile(rf"[^\w\s{re.escape(_KEEP_PUNCT)}]|_")
_SPACE = re.compile(r"\s+")


@dataclass(frozen=True)
class LyricLine:
    """One lyric line.

    Attributes
    ----------
    text : str
        The line as written (word-time tags removed, not yet cleaned); ``""`` for a timed
        end-of-line marker.
    time : float or None
        Start in seconds (offset applied), None for plain text.
    number : int
        1-based line number in the source text (repeated LRC tags share it).
    """

    text: str
    time: float | None = None
    number: int = 0


@dataclass
class Lyrics:
    """Lyrics read from a file or a string.

    Attributes
    ----------
    lines : tuple of LyricLine
        In time order for LRC (stable for equal times), file order for plain text.
    metadata : dict of str to str
        LRC tags (``ar``, ``ti``, ``al``, ``offset``, ...), keys lower-cased.
    synced : bool
        True when the lines carry times (LRC).
    source : str or None
        The file the lyrics came from.
    offset : float
        Seconds subtracted from every LRC time (``[offset:]`` / 1000).
    n_untimed : int
        LRC lines without a time tag that were ignored.
    """

    lines: tuple[LyricLine, ...]
    metadata: dict[str, str] = field(default_factory=dict)
    synced: bool = False
    source: str | None = None
    offset: float = 0.0
    n_untimed: int = 0

    @property
    def duration(self) -> float | None:
        """Time of the last timed line in seconds (LRC), else None."""
        times = [ln.time for ln in self.lines if ln.time is not None]
        return max(times) if times else None

    @property
    def text(self) -> str:
        """The non-empty lines joined by newlines (LRC repeats included, in time order)."""
        return "\n".join(ln.text for ln in self.lines if ln.text.strip())

    def cleaned_lines(self) -> list[str]:
        """:func:`clean_lyrics` of each line (empty strings where nothing is left)."""
        return [clean_lyrics(ln.text) for ln in self.lines]

    def __len__(self) -> int:
        return len(self.lines)


def clean_lyrics(text: str, *, drop_sections: bool = True) -> str:
    """The MVEmo cleaning rule: keep words and only quotes, ``, : ; . ? !``.

    Every other character (brackets, dashes, parentheses, symbols, emoji, underscores)
    becomes a space, then whitespace runs collapse to one space.  Letters and digits of
    any script are words.  With ``drop_sections``, bracketed headers like ``[Chorus]``
    or ``[Verse 2: Artist]`` (up to 60 characters) are removed first, with their words.

    Examples
    --------
    >>> clean_lyrics("[Chorus] Oh-oh (yeah), I'm #1 -- \\"free\\"!  <3")
    'Oh oh yeah , I\\'m 1 "free"! 3'
    """
    if not isinstance(text, str):
        raise ParameterError(f"lyrics text must be a string, got {type(text).__name__}")
    if drop_sections:
        text = _SECTION.sub(" ", text)
    text = _DISALLOWED.sub(" ", text)
    return _SPACE.sub(" ", text).strip()


def _decode(data: bytes, source: str) -> str:
    if not data:
        raise DataError(f"{source}: the file is empty")
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError as exc:
            raise DataError(f"{source}: not readable as UTF-16 text ({exc.reason})") from exc
    if b"\x00" in data:
        raise DataError(f"{source}: binary content (NUL bytes), not a lyrics text file")
    for enc in ("utf-8-sig", "cp1252"):
        try:
            text = data.decode(enc)
        except UnicodeDecodeError:
            continue
        controls = sum(1 for ch in text if ord(ch) < 32 and ch not in "\n\r\t\f")
        if controls > max(2, len(text) // 100):
            raise DataError(f"{source}: binary content (control characters), not a lyrics text file")
        return text
    raise DataError(f"{source}: not decodable as UTF-8 or Windows-1252 text")


def _tag_seconds(m: re.Match) -> float:
    minutes, seconds, frac = m.group(1), m.group(2), m.group(3)
    t = int(minutes) * 60 + int(seconds)
    if frac:
        t += int(frac) / (10 ** len(frac))
    return float(t)


def looks_like_lrc(text: str) -> bool:
    """True when at least half of the non-blank, non-metadata lines start with a time tag."""
    timed = other = 0
    for raw in text.splitlines():
        if not raw.strip() or (_META_TAG.match(raw) and not _LEADING_TAGS.match(raw)):
            continue
        if _LEADING_TAGS.match(raw):
            timed += 1
        else:
            other += 1
    return timed > 0 and timed >= other


def parse_lrc(text: str, *, source: str | None = None, max_time: float | None = None) -> Lyrics:
    """Parse LRC text (see the module notes for the supported tags).

    Parameters
    ----------
    text : str
    source : str, optional
        Named in errors.
    max_time : float, optional
        Latest time (seconds, after the offset) a line may have, e.g. the duration of the
        audio plus :data:`mvemo.limits.LRC_AUDIO_SLACK`; at most (and by default)
        :data:`mvemo.limits.MAX_TIMELINE_SECONDS`.

    Raises
    ------
    DataError
        If no timed line holds any text, a time tag is malformed or out of range, or a time
        is past the bound (the message names ``source`` and the line).

    Examples
    --------
    >>> lyr = parse_lrc("[ti:Song]\\n[offset:+500]\\n[00:12.00][00:30.50]Hello\\n[00:20.00]World")
    >>> [(ln.time, ln.text) for ln in lyr.lines], lyr.metadata["ti"], lyr.duration
    ([(11.5, 'Hello'), (19.5, 'World'), (30.0, 'Hello')], 'Song', 30.0)
    """
    name = source or "<lrc text>"
    bound = MAX_TIMELINE_SECONDS if max_time is None else min(float(max_time), MAX_TIMELINE_SECONDS)
    meta: dict[str, str] = {}
    raw_lines: list[tuple[float, int, str]] = []
    untimed = 0
    for number, raw in enumerate(text.splitlines(), start=1):
        if not raw.strip():
            continue
        m = _LEADING_TAGS.match(raw)
        if m:
            body = _WORD_TAG.sub("", m.group(2)).strip()
            if _TAG_LIKE.match(body):  # a valid tag followed by a broken one: [00:12.00][00:99]
                raise DataError(f"{name}: line {number}: malformed time tag {_TAG_LIKE.match(body).group(0)!r}")
            for tag in _TIME_TAG.finditer(m.group(1)):
                if int(tag.group(2)) > 59:
                    raise DataError(
                        f"{name}: line {number}: time tag {tag.group(0)!r} has {tag.group(2)} seconds (00-59 allowed)"
                    )
                raw_lines.append((_tag_seconds(tag), number, body))
            continue
        if _TAG_LIKE.match(raw):
            raise DataError(
                f"{name}: line {number}: malformed time tag {_TAG_LIKE.match(raw).group(0)!r} "
                "(expected [mm:ss], [mm:ss.xx] or [mm:ss:xx])"
            )
        mm = _META_TAG.match(raw)
        if mm:
            meta[mm.group(1).strip().lower()] = mm.group(2).strip()
            continue
        untimed += 1
    offset = 0.0
    if "offset" in meta:
        try:
            offset = float(meta["offset"].replace(" ", "")) / 1000.0
        except ValueError as exc:
            raise DataError(f"{name}: bad [offset:] tag {meta['offset']!r} (expected milliseconds)") from exc
        if not abs(offset) <= MAX_TIMELINE_SECONDS:  # also NaN
            raise DataError(
                f"{name}: [offset:] tag {meta['offset']!r} out of range (at most "
                f"{MAX_TIMELINE_SECONDS * 1000:.0f} ms either way)"
            )
    for t, number, _ in raw_lines:
        if t - offset > bound:
            what = "the maximum LRC time" if max_time is None else "the end of the media it goes with"
            raise DataError(f"{name}: line {number}: time {t - offset:.2f} s is past {what} ({bound:g} s)")
    if not any(body for _, _, body in raw_lines):
        raise DataError(f"{name}: no timed lyric lines found (not an LRC file, or empty)")
    raw_lines.sort(key=lambda r: (r[0], r[1]))
    lines = tuple(LyricLine(body, max(0.0, round(t - offset, 6)), number) for t, number, body in raw_lines)
    return Lyrics(lines, meta, synced=True, source=source, offset=offset, n_untimed=untimed)


def parse_plain(text: str, *, source: str | None = None) -> Lyrics:
    """Plain lyrics: one line per non-blank line, no times.

    Raises
    ------
    DataError
        If no line has any word left after cleaning (the message names ``source``).

    Examples
    --------
    >>> [ln.text for ln in parse_plain("Hello\\n\\n  World  \\n").lines]
    ['Hello', 'World']
    """
    lines = tuple(LyricLine(raw.strip(), None, n) for n, raw in enumerate(text.splitlines(), start=1) if raw.strip())
    if not any(clean_lyrics(ln.text) for ln in lines):
        raise DataError(f"{source or '<lyrics text>'}: no lyrics text (empty after cleaning)")
    return Lyrics(lines, {}, synced=False, source=source)


def read_lyrics(path: str | Path, *, format: str | None = None, max_time: float | None = None) -> Lyrics:
    """Read a lyrics file: ``.lrc`` as LRC, ``.txt`` as plain text unless it looks like LRC.

    Parameters
    ----------
    path : str or Path
    format : {"lrc", "plain"}, optional
        Force a format instead of choosing by suffix and content.
    max_time : float, optional
        Latest LRC time accepted (see :func:`parse_lrc`).

    Raises
    ------
    DataError
        If the file cannot be read, is empty, binary, or holds no lyrics (the message names it).
    ParameterError
        If ``format`` is not ``"lrc"``, ``"plain"`` or None.
    """
    if format not in (None, "lrc", "plain"):
        raise ParameterError(f"format must be 'lrc', 'plain' or None, got {format!r}")
    p = Path(path)
    try:
        size = p.stat().st_size
        if size > _MAX_BYTES:
            raise DataError(f"{p}: {size} bytes is too large for a lyrics file (limit {_MAX_BYTES})")
        data = p.read_bytes()
    except IsADirectoryError as exc:
        raise DataError(f"{p}: is a folder, not a lyrics file") from exc
    except OSError as exc:
        raise DataError(f"cannot read lyrics file {p}: {exc.strerror or exc}") from exc
    text = _decode(data, str(p))
    if not text.strip():
        raise DataError(f"{p}: the file holds no text")
    if format is None:
        format = "lrc" if p.suffix.lower() == ".lrc" or looks_like_lrc(text) else "plain"
    return parse_lrc(text, source=str(p), max_time=max_time) if format == "lrc" else parse_plain(text, source=str(p))
