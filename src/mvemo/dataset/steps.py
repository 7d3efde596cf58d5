"""The per-video steps of the builder, each a pure function of its inputs (MVEmo section IV).

=============  ============================================================  =========
step           what it does (reusing mvemo's own code)                        version
=============  ============================================================  =========
probe          duration, streams, resolution, fps; bounds the work           STEP_VERSIONS
static_filter  eq. 12 mean inter-frame MSE at 1 frame per 5 s (<= 2: drop)
transcode      MP4/H.264 at 30 fps, audio kept (:func:`mvemo.io.video.normalize_video`)
audio          the sound track as FLAC; silent audio fails
lyrics         sidecar / catalogue file, else an ASR backend, else none; cleaned
leadsheet      :func:`mvemo.features.transcription.transcribe` -> MIDI + stats
features       cuts, shot lengths, HSV dominant colours; key, tempo, chords, pitch, IOI
annotate       static + dynamic labels from the chosen annotator
=============  ============================================================  =========

A step raises :class:`mvemo.errors.DataError` with the reason when the video cannot go on
(corrupt, truncated, audio-only, silent, enormous ...).  Steps write only into the folder
they are given (a cache entry); the worker places the files in the dataset.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from mvemo._extras import require
from mvemo._version import __version__
from mvemo.errors import DataError, ParameterError

__all__ = [
    "ANNOTATORS",
    "STEPS",
    "STEP_VERSIONS",
    "Limits",
    "extract_audio",
    "features",
    "leadsheet",
    "load_annotator",
    "lyrics",
    "probe",
    "record_to_labels",
    "static_filter",
    "transcode",
]

STEPS = ("probe", "static_filter", "transcode", "audio", "lyrics", "leadsheet", "features", "annotate")
#: Bump a step's version when its output changes; its cache entries (and those after it) then miss.
STEP_VERSIONS = {"probe": "1", "static_filter": "1", "transcode": "1", "audio": "1", "lyrics": "1",
                 "leadsheet": "1", "features": "1", "annotate": "1"}  # fmt: skip
TRANSCODE_FPS = 30.0
IOI_EDGES = np.round(np.arange(0.0, 2.0001, 0.05), 3)  #: s; IOI histogram bins (last bin open)
_ROUND = 4


@dataclass(frozen=True)
class Limits:
    """Bounds on the work per video; a video outside them fails at ``probe``.

    Attributes
    ----------
    max_seconds : float
        Longest video accepted (MVEmo's average is 4.1 min; default 30 min).
    min_seconds : float
        Shortest (one dynamic window is 5 s).
    max_bytes : int
        Largest file (default 4 GiB).
    max_pixels : int
        Largest frame, width x height (default 4K UHD).
    """

    max_seconds: float = 1800.0
    min_seconds: float = 5.0
    max_bytes: int = 4 << 30
    max_pixels: int = 3840 * 2160

    def to_dict(self) -> dict[str, Any]:
        return {
            "max_seconds": self.max_seconds,
            "min_seconds": self.min_seconds,
            "max_bytes": self.max_bytes,
            "max_pixels": self.max_pixels,
        }


# --------------------------------------------------------------------------- 1. probe
def probe(path: str | Path, *, limits: Limits | None = None) -> dict[str, Any]:
    """Duration, streams, resolution and frame rate of a video, within ``limits``.

    Raises
    ------
    DataError
        Unreadable, audio-only, no sound track, too long/short/large.
    """
    from mvemo.io.video import media_streams, probe_video

    limits = limits if limits is not None else Limits()
    p = Path(path)
    size = p.stat().st_size if p.is_file() else 0
    if size > limits.max_bytes:
        raise DataError(f"{p}: enormous file ({size} bytes > limit {limits.max_bytes})")
    streams = media_streams(p)
    if not streams["video"]:
        raise DataError(f"{p}: audio-only file (no video stream)")
    if not streams["audio"]:
        raise DataError(f"{p}: no audio track (a music video needs its music)")
    info = probe_video(p)
    if info.width * info.height > limits.max_pixels:
        raise DataError(f"{p}: enormous frames {info.width}x{info.height} (> {limits.max_pixels} pixels)")
    if not np.isfinite(info.duration) or info.duration > limits.max_seconds:
        raise DataError(f"{p}: enormous duration {info.duration:.1f} s (> limit {limits.max_seconds:g} s)")
    if info.duration < limits.min_seconds:
        raise DataError(f"{p}: too short ({info.duration:.2f} s < {limits.min_seconds:g} s)")
    return {
        "duration": round(info.duration, _ROUND),
        "fps": round(info.fps, _ROUND),
        "width": info.width,
        "height": info.height,
        "has_audio": info.has_audio,
        "bytes": size,
    }


# --------------------------------------------------------------------------- 2. static filter
def static_filter(path: str | Path, *, duration: float) -> dict[str, Any]:
    """MVEmo eq. 12 on the 5-s frames (448 x 448); also catches truncated files.

    Returns
    -------
    dict
        ``static_mse`` (squared grey levels), ``is_static`` (``<= 2``), ``n_frames``,
        ``decoded_duration`` (s).

    Raises
    ------
    DataError
        When the decodable part is clearly shorter than the declared duration (truncated).
    """
    from mvemo.features.frames import STATIC_THRESHOLD, static_score, static_times
    from mvemo.io.video import sample_frames

    frames, info = sample_frames(path, static_times(duration))
    if info.duration < duration - max(1.0, 0.05 * duration):
        raise DataError(f"{path}: truncated: {info.duration:.2f} s decodable of the {duration:.2f} s declared")
    mse = static_score(frames)
    return {
        "static_mse": round(mse, 3),
        "is_static": bool(mse <= STATIC_THRESHOLD),
        "n_frames": int(len(frames)),
        "decoded_duration": round(info.duration, _ROUND),
    }


# --------------------------------------------------------------------------- 3. transcode
def transcode(
    src: str | Path, dst: str | Path, *, fps: float = TRANSCODE_FPS, encoder_threads: int | None = None
) -> dict[str, Any]:
    """MP4 (H.264 where available) at a constant ``fps``, audio kept as AAC.

    ``encoder_threads``: the video encoder's threads (None: FFmpeg's choice, one per core);
    the H.264 bit stream depends on it.
    """
    from mvemo.io.video import normalize_video

    info = normalize_video(src, dst, fps=fps, encoder_threads=encoder_threads)
    return {
        "duration": round(info.duration, _ROUND),
        "fps": round(info.fps, _ROUND),
        "width": info.width,
        "height": info.height,
    }


# --------------------------------------------------------------------------- 4. audio
def extract_audio(video: str | Path, dst: str | Path) -> dict[str, Any]:
    """The sound track as 16-bit FLAC at its own rate and channels (at most 2).

    Raises
    ------
    DataError
        Silent (below -60 dBFS) or shorter than 1 s.
    """
    from mvemo.audio.io import check_audio, load_audio
    from mvemo.util import atomic_open

    sf = require("soundfile", extra="audio")
    y, sr = load_audio(video, mono=False)
    y = y[:2]
    level = check_audio(y, sr, path=video, min_duration=1.0)
    with atomic_open(dst, "wb") as fh:
        sf.write(fh, np.ascontiguousarray(y.T), sr, format="FLAC", subtype="PCM_16")
    return {
        "sample_rate": int(sr),
        "channels": int(y.shape[0]),
        "duration": round(y.shape[1] / sr, _ROUND),
        "rms_dbfs": round(float(level), 2),
    }


# --------------------------------------------------------------------------- 5. lyrics
def _fmt_time(t: float) -> str:
    return f"{int(t // 60):02d}:{t % 60:05.2f}"


def transcribe_lyrics(audio: str | Path, *, backend: str, model_dir: str | Path) -> list[tuple[float, str]]:
    """``(start, text)`` segments of an ASR backend run offline from a local model.

    Parameters
    ----------
    backend : {"faster-whisper", "whisper"}
        ``faster-whisper`` reads a CTranslate2 model folder; ``whisper`` (openai-whisper)
        a ``.pt`` checkpoint file.
    model_dir : path
        The local model (nothing is downloaded).
    """
    model_path = Path(model_dir)
    if not model_path.exists():
        raise DataError(f"ASR model {model_path} does not exist (give a local model folder or file)")
    if backend == "faster-whisper":
        fw = require("faster_whisper", extra="asr")
        model = fw.WhisperModel(str(model_path), device="cpu", compute_type="int8", local_files_only=True)
        segments, _ = model.transcribe(str(audio), beam_size=1, vad_filter=False)
        return [(float(s.start), str(s.text).strip()) for s in segments]
    if backend == "whisper":
        whisper = require("whisper", extra="asr")
        model = whisper.load_model(str(model_path), device="cpu")
        out = model.transcribe(str(audio), fp16=False)
        return [(float(s["start"]), str(s["text"]).strip()) for s in out.get("segments", [])]
    raise ParameterError(f"unknown ASR backend {backend!r}; use 'faster-whisper' or 'whisper'")


def lyrics(
    source: str | Path | None,
    dst_stem: str | Path,
    *,
    audio: str | Path | None = None,
    asr: tuple[str, str] | None = None,
    origin: str = "sidecar",
) -> dict[str, Any]:
    """Lyrics by the paper's order (a file, else ASR, else none), cleaned by the paper's rule.

    Time-synced lyrics (LRC, ASR) are written to ``dst_stem + ".lrc"``, plain text to
    ``dst_stem + ".txt"`` (no invented times).

    Returns
    -------
    dict
        ``origin`` (``sidecar``, ``catalogue``, ``asr`` or ``none``: an ASR transcription
        without words is no lyrics), ``asr`` (whether ASR ran), ``file`` (the name
        written, or None), ``synced``, ``n_lines``, ``n_words``, ``line_words`` (words per
        cleaned line).
    """
    from mvemo.io.lyrics import clean_lyrics, read_lyrics
    from mvemo.util import atomic_write

    timed: list[tuple[float | None, str]] = []
    ran_asr = False
    if source is not None:
        lyr = read_lyrics(source)
        timed = [(ln.time, clean_lyrics(ln.text)) for ln in lyr.lines]
    elif asr is not None and audio is not None:
        timed = [(t, clean_lyrics(text)) for t, text in transcribe_lyrics(audio, backend=asr[0], model_dir=asr[1])]
        origin, ran_asr = "asr", True
    else:
        origin = "none"
    timed = [(t, s) for t, s in timed if s]
    if not timed:  # no words: from ASR (instrumental, or nothing recognised) or an empty file
        return {
            "origin": "none" if origin in ("none", "asr") else origin,
            "asr": ran_asr,
            "file": None,
            "synced": False,
            "n_lines": 0,
            "n_words": 0,
            "line_words": [],
        }
    synced = all(t is not None for t, _ in timed)
    stem = Path(dst_stem)
    if synced:
        name = stem.name + ".lrc"
        text = "".join(f"[{_fmt_time(float(t))}]{s}\n" for t, s in timed)
    else:
        name = stem.name + ".txt"
        text = "".join(f"{s}\n" for _, s in timed)
    atomic_write(stem.with_name(name), text)
    words = [len(s.split()) for _, s in timed]
    return {
        "origin": origin,
        "asr": ran_asr,
        "file": name,
        "synced": synced,
        "n_lines": len(timed),
        "n_words": int(sum(words)),
        "line_words": words,
    }


# --------------------------------------------------------------------------- 6. lead sheet
def _pitch_peaks(melody: list) -> list[float]:
    """Onset times (s) of melody notes higher than both neighbours (local pitch peaks)."""
    p = [n.pitch for n in melody]
    return [round(float(melody[i].start), 3) for i in range(1, len(p) - 1) if p[i] > p[i - 1] and p[i] > p[i + 1]]


def leadsheet(audio: str | Path, dst: str | Path) -> dict[str, Any]:
    """Transcribe the audio to a lead sheet MIDI (``mvemo transcribe``: librosa-style tempo,
    basic-pitch notes, RMS velocity eq. 13-14) and summarise it.

    Returns
    -------
    dict
        ``key``, ``mode``, ``tempo`` (BPM), ``chords`` ([start, end, label]), ``n_notes``,
        ``pitch_hist`` (128 counts of MIDI pitches), ``pitch_mean``/``pitch_std``,
        ``ioi_hist`` (counts on :data:`IOI_EDGES`, last bin open) and ``ioi_median`` (s),
        ``pitch_peaks`` (s).
    """
    from mvemo.features.transcription import transcribe_file

    ls = transcribe_file(audio)
    ls.write(dst)
    notes = ls.notes
    pitches = np.array([n.pitch for n in notes], dtype=np.int64)
    onsets = np.unique(np.round([n.start for n in notes], 4)) if notes else np.zeros(0)
    ioi = np.diff(onsets)
    ioi_hist = (
        np.histogram(np.minimum(ioi, IOI_EDGES[-1] - 1e-9), bins=IOI_EDGES)[0]
        if len(ioi)
        else np.zeros(len(IOI_EDGES) - 1, dtype=np.int64)
    )
    tonic, mode = ls.key.split()
    return {
        "key": ls.key,
        "tonic": tonic,
        "mode": mode,
        "tempo": round(float(ls.tempo), 2),
        "chords": [[round(s, 3), round(e, 3), lab] for s, e, lab in ls.chords],
        "n_notes": int(len(notes)),
        "n_melody": int(len(ls.melody)),
        "n_rests": int(ls.n_rests),
        "pitch_hist": np.bincount(pitches, minlength=128)[:128].astype(int).tolist(),
        "pitch_mean": round(float(pitches.mean()), 3) if len(pitches) else None,
        "pitch_std": round(float(pitches.std()), 3) if len(pitches) else None,
        "ioi_hist": ioi_hist.astype(int).tolist(),
        "ioi_median": round(float(np.median(ioi)), 4) if len(ioi) else None,
        "pitch_peaks": _pitch_peaks(ls.melody),
    }


# --------------------------------------------------------------------------- 7. features
def features(video: str | Path, *, sheet: dict[str, Any]) -> dict[str, Any]:
    """Visual features (shot cuts and segment lengths, dominant HSV colours, brightness ...)
    of the transcoded video, plus the music features of its lead sheet."""
    from mvemo.features.visual import extract_visual_features

    feats, _ = extract_visual_features(video, dynamic=False, face_step=None)
    vis = feats.summary()
    vis["shot_lengths"] = [round(float(x), 3) for x in feats.shot_lengths]
    music = {k: sheet[k] for k in ("key", "mode", "tempo", "n_notes", "pitch_mean", "pitch_std", "ioi_median")}
    music["n_chords"] = len(sheet["chords"])
    return {"visual": vis, "music": music}


# --------------------------------------------------------------------------- 8. annotate
def _weights_signature() -> str:
    d = Path(__file__).resolve().parents[1] / "models" / "weights"
    files = sorted((p.name, p.stat().st_size) for p in d.glob("*") if p.is_file()) if d.is_dir() else []
    return hashlib.sha256(json.dumps(files).encode()).hexdigest()[:12]


class RouterAnnotator:
    """A predictor of :class:`mvemo.predict.router.Router`: today's fused predictor (music + video
    (+ lyrics), ``modality="multimodal"``) or the music model alone on the sound track (``"music"``)."""

    def __init__(self, modality: str = "multimodal") -> None:
        from mvemo.predict.router import Router

        self.name = "fused" if modality == "multimodal" else modality
        self.modality = modality
        self.router = Router(dynamic=True)

    @property
    def version(self) -> str:
        return f"mvemo-{__version__}-weights-{_weights_signature()}"

    def predict(self, video: str | Path, lyrics: str | Path | None) -> Any:
        if self.modality == "multimodal":
            return self.router.predict(video, lyrics=lyrics)
        return self.router.model(self.modality).predict(video, dynamic=True)


class VideoAnnotator:
    """The video model alone (colour prior, no faces): fast, for tests and dry runs."""

    name = "video"

    def __init__(self) -> None:
        from mvemo.predict.video import load_video_model

        self.model = load_video_model(face_step=None)

    @property
    def version(self) -> str:
        return f"mvemo-{__version__}-{self.model.name}"

    def predict(self, video: str | Path, lyrics: str | Path | None) -> Any:
        return self.model.predict(video, dynamic=True)


#: ``--annotator`` name -> factory; the MVAnno annotator registers here when it lands.
ANNOTATORS: dict[str, Callable[[], Any]] = {"fused": RouterAnnotator, "video": VideoAnnotator,
                                            "music": lambda: RouterAnnotator("music")}  # fmt: skip
_LOADED: dict[str, Any] = {}


def load_annotator(name: str) -> Any:
    """The annotator ``name``, loaded once per process."""
    if name not in ANNOTATORS:
        raise ParameterError(f"unknown annotator {name!r}; known: {', '.join(sorted(ANNOTATORS))}")
    if name not in _LOADED:
        _LOADED[name] = ANNOTATORS[name]()
    return _LOADED[name]


def record_to_labels(record: Any) -> dict[str, Any]:
    """THE one conversion of a prediction record into the manifest's label fields.

    Parameters
    ----------
    record : dict or object with ``to_dict()``
        What the annotator's ``predict`` returns (``docs/predict.md``).

    Returns
    -------
    dict
        ``static`` ``{category, intensity}``, ``dynamic`` [``{time, category, intensity}``],
        ``labels`` (the model's VA, quadrant, probabilities and dynamic VA) and ``model``.
    """
    rec = record.to_dict() if hasattr(record, "to_dict") else dict(record)
    st = rec.get("static") or {}
    if st.get("category") is None:
        raise DataError(f"{rec.get('file')}: the annotator gave no static label")
    dyn = rec.get("dynamic") or []
    labels = {
        "model": rec.get("model"),
        "valence": st.get("valence"),
        "arousal": st.get("arousal"),
        "quadrant": st.get("quadrant"),
        "probabilities": st.get("probabilities"),
        "dynamic_va": [[round(float(d["time"]), 3), d.get("valence"), d.get("arousal")] for d in dyn],
        "used": (rec.get("features") or {}).get("used"),
    }
    return {
        "model": rec.get("model"),
        "static": {"category": st["category"], "intensity": float(st["intensity"])},
        "dynamic": [
            {
                "time": round(float(d["time"]), 3),
                "category": d.get("category"),
                "intensity": None if d.get("intensity") is None else float(d["intensity"]),
            }
            for d in dyn
        ],
        "labels": labels,
    }


def annotate(video: str | Path, *, lyrics_file: str | Path | None, annotator: str) -> dict[str, Any]:
    """Static and dynamic labels of the transcoded video (and its lyrics) by ``annotator``."""
    return record_to_labels(load_annotator(annotator).predict(video, lyrics_file))
