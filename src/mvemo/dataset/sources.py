"""The videos to build from: folders of video files and/or catalogues (CSV or JSONL).

A catalogue row has ``path`` (relative to the catalogue's folder, or absolute) and,
optionally, ``title``, ``artist``, ``genre``, ``country``, ``language``, ``lyrics`` (a
lyrics file, relative like ``path``), ``key`` and ``tempo`` (as TheoryTab metadata
comes).  A video found both in a folder and in a catalogue is listed once, with the
catalogue's metadata.

Each video gets a stable id from its file name (``mv_01.mp4`` -> ``mv_01``); names that
repeat get a short hash of their path appended, so ids never depend on the order of
``SOURCES`` or on the number of workers.
"""

from __future__ import annotations

import csv
import hashlib
import json
import os
import re
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from mvemo.errors import DataError

__all__ = ["CATALOGUE_FIELDS", "VIDEO_SUFFIXES", "VideoSource", "collect_sources", "read_catalogue"]

#: Suffixes taken as videos inside a folder.
VIDEO_SUFFIXES = frozenset({".mp4", ".m4v", ".mov", ".mkv", ".webm", ".avi", ".flv", ".mpg", ".mpeg", ".ts"})
#: Optional catalogue columns besides ``path``.
CATALOGUE_FIELDS = ("title", "artist", "genre", "country", "language", "lyrics", "key", "tempo")
_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")


@dataclass(frozen=True)
class VideoSource:
    """One input video.

    Attributes
    ----------
    id : str
        Stable, file-system-safe id (unique within a build).
    path : str
        Absolute path of the video file.
    lyrics : str or None
        Absolute path of its lyrics: the catalogue's column, else a sidecar ``.lrc``/``.txt``.
    lyrics_origin : str
        ``"catalogue"``, ``"sidecar"`` or ``"none"``.
    metadata : dict
        The catalogue's title, artist, genre, country, language, key, tempo (those given).
    """

    id: str
    path: str
    lyrics: str | None = None
    lyrics_origin: str = "none"
    metadata: dict[str, Any] = field(default_factory=dict)

    def fingerprint(self) -> str:
        """Cheap change detector for resuming: path, size and mtime of the video and its lyrics."""
        parts = []
        for p in (self.path, self.lyrics):
            if p is None:
                parts.append("-")
                continue
            try:
                st = os.stat(p)
                parts.append(f"{p}|{st.st_size}|{st.st_mtime_ns}")
            except OSError:
                parts.append(f"{p}|missing")
        parts.append(json.dumps(self.metadata, sort_keys=True))
        return hashlib.sha256("\n".join(parts).encode()).hexdigest()[:32]

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def _sidecar(video: Path) -> Path | None:
    for suffix in (".lrc", ".LRC", ".txt", ".TXT"):
        cand = video.with_suffix(suffix)
        if cand.is_file():
            return cand
    return None


def _clean_meta(row: dict[str, Any], where: str) -> dict[str, Any]:
    meta: dict[str, Any] = {}
    for k in CATALOGUE_FIELDS:
        v = row.get(k)
        if v is None or (isinstance(v, str) and not v.strip()) or k == "lyrics":
            continue
        if k == "tempo":
            try:
                v = float(v)
            except (TypeError, ValueError):
                raise DataError(f"{where}: tempo must be a number of BPM, got {v!r}") from None
        else:
            v = str(v).strip()
        meta[k] = v
    return meta


def read_catalogue(path: str | Path) -> list[tuple[Path, Path | None, dict[str, Any]]]:
    """``(video, lyrics or None, metadata)`` per row of a CSV or JSONL catalogue.

    Raises
    ------
    DataError
        For an unreadable catalogue, a row without ``path`` or a bad ``tempo`` (naming file and row).
    """
    p = Path(path)
    base = p.resolve().parent
    try:
        text = p.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise DataError(f"{p}: cannot read the catalogue ({exc})") from None
    if p.suffix.lower() in (".jsonl", ".ndjson"):
        rows = []
        for n, line in enumerate(text.splitlines(), 1):
            if not line.strip():
                continue
            try:
                rec = json.loads(line)
            except json.JSONDecodeError as exc:
                raise DataError(f"{p}:{n}: not JSON ({exc.msg})") from None
            if not isinstance(rec, dict):
                raise DataError(f"{p}:{n}: a catalogue row must be a JSON object")
            rows.append((n, rec))
    else:
        rows = [(n, r) for n, r in enumerate(csv.DictReader(text.splitlines()), 2)]
    out = []
    for n, row in rows:
        where = f"{p}:{n}"
        if not str(row.get("path") or "").strip():
            raise DataError(f"{where}: the row has no path")
        video = Path(str(row["path"]).strip())
        video = video if video.is_absolute() else base / video
        lyr = str(row.get("lyrics") or "").strip()
        lyr_path = None
        if lyr:
            lyr_path = Path(lyr) if Path(lyr).is_absolute() else base / lyr
        out.append((video, lyr_path, _clean_meta(row, where)))
    return out


def _base_id(path: Path) -> str:
    return _UNSAFE.sub("_", path.stem).strip("._") or "video"


def collect_sources(sources: Iterable[str | Path]) -> list[VideoSource]:
    """All videos of ``sources`` (folders, searched recursively, and catalogues), sorted by id.

    Raises
    ------
    DataError
        For a source that does not exist, or is neither a folder nor a ``.csv``/``.jsonl`` catalogue.
    """
    found: dict[Path, tuple[Path | None, str, dict[str, Any]]] = {}
    for src in sources:
        p = Path(src)
        if p.is_dir():
            for f in sorted(p.rglob("*")):
                if f.is_file() and f.suffix.lower() in VIDEO_SUFFIXES:
                    key = f.resolve()
                    if key not in found:
                        side = _sidecar(f)
                        found[key] = (side.resolve() if side else None, "sidecar" if side else "none", {})
        elif p.is_file() and p.suffix.lower() in (".csv", ".jsonl", ".ndjson"):
            for video, lyr, meta in read_catalogue(p):
                key = video.resolve()
                if lyr is not None:
                    found[key] = (lyr.resolve(), "catalogue", meta)
                else:
                    side = _sidecar(video)
                    found[key] = (side.resolve() if side else None, "sidecar" if side else "none", meta)
        elif p.exists():
            raise DataError(f"{p}: a source must be a folder of videos or a .csv/.jsonl catalogue")
        else:
            raise DataError(f"{p}: no such file or folder")
    by_base: dict[str, list[Path]] = {}
    for v in found:
        by_base.setdefault(_base_id(v), []).append(v)
    out = []
    for base, paths in by_base.items():
        for v in paths:
            vid = base if len(paths) == 1 else f"{base}-{hashlib.sha256(str(v).encode()).hexdigest()[:8]}"
            lyr, origin, meta = found[v]
            out.append(VideoSource(vid, str(v), str(lyr) if lyr else None, origin, meta))
    return sorted(out, key=lambda s: s.id)
