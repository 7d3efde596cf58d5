"""Write a file's predicted emotion into its own metadata (``mvemo tag``), without touching the audio.

=============  ==========================================================================
container      tags written
=============  ==========================================================================
MP3, WAV, AIFF ID3: ``TMOO`` (the category) and ``TXXX`` frames ``MVEMO_CATEGORY``,
               ``MVEMO_INTENSITY``, ``MVEMO_VALENCE``, ``MVEMO_AROUSAL``, ``MVEMO_MODEL``
Ogg Vorbis,    Vorbis comments ``MOOD`` plus the same ``MVEMO_*`` fields
Opus, FLAC
MP4, M4A       freeform atoms ``----:com.apple.iTunes:MOOD`` and ``----:com.apple.iTunes:MVEMO_*``
=============  ==========================================================================

The audio is never at risk: the file is copied beside itself, the copy is tagged, the tags
are read back from the copy and compared, and only then is the copy renamed over the
original (an atomic rename on the same file system).  Any failure leaves the original
byte for byte as it was.  A file whose tags already hold the values is not rewritten.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from mvemo._extras import require
from mvemo.errors import DataError, ParameterError
from mvemo.records import label_cells

__all__ = ["TAG_FIELDS", "TAGGABLE_SUFFIXES", "emotion_tags", "read_tags", "write_tags", "TagResult"]

#: record field -> tag name (ID3 TXXX description, Vorbis comment key, MP4 freeform name)
TAG_FIELDS = {"category": "MVEMO_CATEGORY", "intensity": "MVEMO_INTENSITY", "valence": "MVEMO_VALENCE",
              "arousal": "MVEMO_AROUSAL", "model": "MVEMO_MODEL"}  # fmt: skip
MOOD = "MOOD"
TAGGABLE_SUFFIXES = frozenset({".mp3", ".wav", ".aif", ".aiff", ".ogg", ".oga", ".opus", ".flac",
                               ".m4a", ".mp4", ".m4v", ".mov", ".aac"})  # fmt: skip
_MP4_PREFIX = "----:com.apple.iTunes:"


def emotion_tags(record: dict[str, Any]) -> dict[str, str]:
    """The tag values of a prediction record: ``MOOD`` and the ``MVEMO_*`` fields, as text.

    Parameters
    ----------
    record : dict
        A prediction record (``static`` with category, intensity, valence, arousal; ``model``);
        for a multimodal record the top-level (fused) ``static`` is used.

    Examples
    --------
    >>> rec = {"model": "m", "static": {"category": "calm", "intensity": 0.6, "valence": 0.41, "arousal": -0.5}}
    >>> emotion_tags(rec)["MOOD"], emotion_tags(rec)["MVEMO_INTENSITY"], emotion_tags(rec)["MVEMO_VALENCE"]
    ('calm', '0.6', '0.4100')
    """
    try:
        s = record["static"]
        category, intensity = label_cells(s)
        values = {
            "category": str(category),
            "intensity": f"{float(intensity):.1f}",
            "valence": f"{float(s['valence']):.4f}",
            "arousal": f"{float(s['arousal']):.4f}",
            "model": str(record.get("model", "")),
        }
    except (KeyError, TypeError, ValueError) as exc:
        raise DataError(f"record of {record.get('file', '?')!r} has no usable static label ({exc})") from exc
    tags = {MOOD: str(category)}
    tags.update({TAG_FIELDS[k]: v for k, v in values.items()})
    return tags


def _open(path: Path):
    mutagen = require("mutagen", extra="tag")
    try:
        f = mutagen.File(path)
    except mutagen.MutagenError as exc:
        raise DataError(f"{path}: cannot read its metadata ({exc})") from exc
    if f is None:
        raise DataError(
            f"{path}: not an audio container mutagen can tag (supported: {', '.join(sorted(TAGGABLE_SUFFIXES))})"
        )
    return f


def _kind(f) -> str:
    from mutagen.id3 import ID3
    from mutagen.mp4 import MP4

    if isinstance(f, MP4):
        return "mp4"
    if isinstance(f.tags, ID3) or type(f).__name__ in ("MP3", "EasyMP3", "WAVE", "AIFF", "TrueAudio"):
        return "id3"
    if hasattr(f.tags, "keys") and type(f).__name__ in ("OggVorbis", "OggOpus", "FLAC", "OggFLAC", "OggSpeex"):
        return "vorbis"
    if f.tags is None and type(f).__name__ in ("OggVorbis", "OggOpus", "FLAC", "OggFLAC", "OggSpeex"):
        return "vorbis"
    raise DataError(f"{f.filename}: {type(f).__name__} files are not supported by mvemo tag")


def _read(f) -> dict[str, str]:
    """Our tags as found in an opened mutagen file (absent ones left out)."""
    out: dict[str, str] = {}
    tags = f.tags
    if tags is None:
        return out
    kind = _kind(f)
    names = [MOOD, *TAG_FIELDS.values()]
    if kind == "id3":
        if "TMOO" in tags:
            out[MOOD] = str(tags["TMOO"].text[0])
        for name in TAG_FIELDS.values():
            frame = tags.get(f"TXXX:{name}")
            if frame is not None and frame.text:
                out[name] = str(frame.text[0])
    elif kind == "vorbis":
        for name in names:
            vals = tags.get(name)
            if vals:
                out[name] = str(vals[0])
    else:
        for name in names:
            vals = tags.get(_MP4_PREFIX + name)
            if vals:
                out[name] = bytes(vals[0]).decode("utf-8")
    return out


def read_tags(path: str | os.PathLike) -> dict[str, str]:
    """The ``MOOD`` and ``MVEMO_*`` tags of a file (empty when it has none).

    Raises
    ------
    DataError
        When the file is not a container mutagen can read.
    """
    return _read(_open(Path(path)))


def _set(f, tags: dict[str, str]) -> None:
    kind = _kind(f)
    if f.tags is None:
        f.add_tags()
    if kind == "id3":
        from mutagen.id3 import TMOO, TXXX

        f.tags.delall("TMOO")
        f.tags.add(TMOO(encoding=3, text=[tags[MOOD]]))
        for name in TAG_FIELDS.values():
            f.tags.delall(f"TXXX:{name}")
            f.tags.add(TXXX(encoding=3, desc=name, text=[tags[name]]))
    elif kind == "vorbis":
        for name, value in tags.items():
            f.tags[name] = [value]
    else:
        from mutagen.mp4 import MP4FreeForm

        for name, value in tags.items():
            f.tags[_MP4_PREFIX + name] = [MP4FreeForm(value.encode("utf-8"))]


@dataclass(frozen=True)
class TagResult:
    """What :func:`write_tags` did to one file: ``status`` is ``"written"``, ``"unchanged"``
    or ``"dry-run"``; ``tags`` are the values (to be) written; ``before`` the old ones."""

    path: Path
    status: str
    tags: dict[str, str]
    before: dict[str, str]


def write_tags(path: str | os.PathLike, tags: dict[str, str], *, dry_run: bool = False) -> TagResult:
    """Write ``tags`` (from :func:`emotion_tags`) into ``path`` through a tagged, verified copy.

    Parameters
    ----------
    path : path
        An audio/video file (see :data:`TAGGABLE_SUFFIXES`).
    tags : dict
        ``MOOD`` and the ``MVEMO_*`` values.
    dry_run : bool
        Only report what would change.

    Returns
    -------
    TagResult
        ``"unchanged"`` (nothing written) when the file already holds ``tags``.

    Raises
    ------
    DataError
        When the file cannot be tagged, or the tags read back from the tagged copy differ;
        the original is then left untouched.
    """
    p = Path(path)
    missing = {MOOD, *TAG_FIELDS.values()} - set(tags)
    if missing:
        raise ParameterError(f"tags for {p} lack {sorted(missing)}")
    if not p.is_file():
        raise DataError(f"no such file: {p}")
    mutagen = require("mutagen", extra="tag")
    before = _read(_open(p))
    if before == tags:
        return TagResult(p, "unchanged", dict(tags), before)
    if dry_run:
        return TagResult(p, "dry-run", dict(tags), before)
    fd, tmp_name = tempfile.mkstemp(prefix=f".{p.name}.", suffix=".mvemo-tag" + p.suffix, dir=p.parent)
    os.close(fd)
    tmp = Path(tmp_name)
    try:
        shutil.copy2(p, tmp)
        f = _open(tmp)
        _set(f, tags)
        try:
            f.save()
        except mutagen.MutagenError as exc:
            raise DataError(f"{p}: writing the tags failed ({exc}); the file is unchanged") from exc
        after = _read(_open(tmp))
        if after != tags:
            raise DataError(
                f"{p}: the tags read back differ from those written ({after} != {tags}); the file is unchanged"
            )
        with open(tmp, "rb") as fh:
            os.fsync(fh.fileno())
        os.replace(tmp, p)
    finally:
        with contextlib.suppress(FileNotFoundError):
            tmp.unlink()
    return TagResult(p, "written", dict(tags), before)
