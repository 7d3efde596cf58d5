"""Decode, sample and write music videos with PyAV (FFmpeg's libraries; no ``ffmpeg`` binary).

This module only decodes and encodes.  *Which* times MVEmo samples (static and dynamic
frame times) and the static-video score (eq. 12) are the policy of
:mod:`mvemo.features.frames`.

Frames are resized to 448 x 448 (aspect ratio not kept, as in the paper).  The frame
shown at time t is the last frame whose presentation time is <= t.

:func:`scan_video` decodes a file once and serves all of it: the sampled frames (any set
of times) and, optionally, small analysis thumbnails of every decoded frame (for shot cuts
and motion).

Threads: decoders and frame scalers use :func:`mvemo.util.codec_threads` threads (None:
FFmpeg's choice, one per core), or the ``threads`` argument.  Any thread count decodes and
scales to the same pixels.  Encoders use ``encoder_threads`` (None: FFmpeg's choice); the
H.264 bit stream *does* depend on the encoder's thread count, so callers that need
identical files on every machine give a fixed count.

All heavy imports happen inside the functions (the ``audio`` extra provides PyAV).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path

import numpy as np

from mvemo._extras import require
from mvemo.errors import DataError, ParameterError
from mvemo.util import atomic_path, codec_threads

__all__ = [
    "FRAME_SIZE",
    "VideoInfo",
    "probe_video",
    "media_streams",
    "scan_video",
    "sample_frames",
    "write_video",
    "normalize_video",
]

FRAME_SIZE = 448  #: pixels: frames are resized to FRAME_SIZE x FRAME_SIZE
_TOL = 1e-6


@dataclass(frozen=True)
class VideoInfo:
    """What a video file holds.

    Attributes
    ----------
    path : str
    duration : float
        Seconds of the video stream (container duration when the stream has none).
    fps : float
        Average frame rate of the video stream (0 when unknown).
    width, height : int
        Coded frame size in pixels.
    has_audio : bool
        Whether the file has an audio track.
    n_frames : int
        Frames decoded by :func:`scan_video` (the stream's declared count in
        :func:`probe_video`; 0 when unknown).
    """

    path: str
    duration: float
    fps: float
    width: int
    height: int
    has_audio: bool
    n_frames: int = 0


# --------------------------------------------------------------------------- opening
def _open_media(path: str | Path, *, what: str):
    """``(av, container)``; DataError naming the file when it is missing, empty or unreadable."""
    av = require("av", extra="audio")
    p = Path(path)
    if not p.is_file():
        raise DataError(f"{p}: no such file")
    if p.stat().st_size == 0:
        raise DataError(f"{p}: empty file (0 bytes)")
    try:
        return av, av.open(str(p), mode="r")
    except (av.error.FFmpegError, OSError, UnicodeDecodeError) as exc:
        raise DataError(f"{p}: not a readable {what} file ({_reason(exc)})") from None


def _open(path: str | Path):
    """``(av, container, video_stream)``; DataError naming the file for anything unreadable."""
    p = Path(path)
    av, container = _open_media(p, what="video")
    if not container.streams.video:
        container.close()
        raise DataError(f"{p}: has no video stream")
    return av, container, container.streams.video[0]


def _reason(exc: BaseException) -> str:
    return getattr(exc, "strerror", None) or str(exc) or type(exc).__name__


def _thread_count(threads: bool | int | None) -> int | None:
    """Decoder/scaler threads for a ``threads`` argument: True or None -> the process's
    :func:`~mvemo.util.codec_threads` (None: FFmpeg's choice), False -> 1, an int -> itself."""
    if threads is None or threads is True:
        return codec_threads()
    if threads is False:
        return 1
    if isinstance(threads, int) and threads >= 1:
        return threads
    raise ParameterError(f"threads must be a bool or a positive integer, got {threads!r}")


def _set_decoder_threads(stream, n: int | None) -> None:
    """Let ``stream``'s decoder use frame and slice threads, ``n`` of them (None: FFmpeg's choice)."""
    stream.thread_type = "AUTO"
    if n is not None:
        stream.codec_context.thread_count = n


def _sws(n: int | None) -> dict[str, int]:
    """Keyword for PyAV's frame scaler: ``threads=n`` (absent: FFmpeg's choice)."""
    return {} if n is None else {"threads": n}


def _stream_duration(container, stream) -> float:
    if stream.duration is not None and stream.time_base is not None:
        return float(stream.duration * stream.time_base)
    if container.duration is not None:
        return float(container.duration) / 1_000_000  # AV_TIME_BASE
    return 0.0


def probe_video(path: str | Path) -> VideoInfo:
    """Read a video's header (nothing is decoded).

    Raises
    ------
    DataError
        For a missing, empty or unreadable file, or one without a video stream.
    """
    _, container, vs = _open(path)
    with container:
        rate = vs.average_rate or vs.guessed_rate
        return VideoInfo(
            str(path),
            _stream_duration(container, vs),
            float(rate) if rate else 0.0,
            int(vs.codec_context.width),
            int(vs.codec_context.height),
            bool(container.streams.audio),
            int(vs.frames or 0),
        )


def media_streams(path: str | Path) -> dict[str, bool]:
    """Which tracks a media file has: ``{"video": bool, "audio": bool}``.

    A cover picture embedded in an audio file (an ``attached_pic`` stream, e.g. mp3 album
    art) is not a video.

    Raises
    ------
    DataError
        For a missing, empty or unreadable file.
    """
    av, container = _open_media(path, what="media")
    with container:
        attached = getattr(getattr(av.stream, "Disposition", None), "attached_pic", None)
        video = [s for s in container.streams.video if attached is None or not (s.disposition & attached)]
        return {"video": bool(video), "audio": bool(container.streams.audio)}


# --------------------------------------------------------------------------- decoding
def scan_video(
    path: str | Path,
    times: np.ndarray,
    on_sample: Callable[[int, float, np.ndarray], None],
    *,
    size: int = FRAME_SIZE,
    on_thumb: Callable[[float, np.ndarray], None] | None = None,
    thumb_size: tuple[int, int] = (64, 36),
    thumb_fps: float | None = None,
    threads: bool | int = True,
) -> VideoInfo:
    """Decode a video once, calling back with the frames needed.

    Parameters
    ----------
    path : path
    times : np.ndarray, shape (N,)
        Sample times in seconds, increasing.  Times past the last frame get the last frame.
    on_sample : callable ``(index, time, rgb)``
        Called once per sample time, in order; ``rgb`` is (size, size, 3) uint8.
    size : int
        Edge of the square sampled frames in pixels.
    on_thumb : callable ``(time, bgr)``, optional
        Called for every decoded frame (or at most ``thumb_fps`` per second) with a small
        (thumb_size[1], thumb_size[0], 3) uint8 BGR thumbnail, for cut and motion analysis.
    thumb_size : (width, height)
    thumb_fps : float, optional
        Cap on the thumbnail rate (None: every frame).
    threads : bool or int
        Decoder and scaler threads: True, the process's :func:`mvemo.util.codec_threads`
        (default; None there lets FFmpeg choose); False, one; an int, that many.

    Returns
    -------
    VideoInfo
        With ``duration`` measured from the decoded frames and ``n_frames`` counted.

    Raises
    ------
    DataError
        For unreadable files, files without a video stream or without decodable frames.
    """
    t = np.asarray(times, dtype=np.float64)
    if t.ndim != 1 or np.any(np.diff(t) < 0) or not np.all(np.isfinite(t)):
        raise ParameterError("times must be a 1-d, finite, non-decreasing array of seconds")
    if size < 8:
        raise ParameterError(f"size must be at least 8 pixels, got {size!r}")
    n_threads = _thread_count(threads)
    sws = _sws(n_threads)
    av, container, vs = _open(path)
    tw, th = (int(v) for v in thumb_size)
    with container:
        _set_decoder_threads(vs, n_threads)
        tb = vs.time_base or Fraction(1, 1)
        origin = vs.start_time if vs.start_time is not None else None
        rate = vs.average_rate or vs.guessed_rate
        fps = float(rate) if rate else 0.0
        next_i = 0
        prev = None  # last decoded frame, the one on screen until the next one starts
        n = 0
        last_time = 0.0
        next_thumb = -math.inf
        try:
            for frame in container.decode(vs):
                if frame.pts is None:
                    ft = n / fps if fps else 0.0
                else:
                    if origin is None:
                        origin = frame.pts
                    ft = float((frame.pts - origin) * tb)
                # targets before this frame's start belong to the previous frame
                while next_i < len(t) and t[next_i] < ft - _TOL:
                    src = prev if prev is not None else frame
                    on_sample(next_i, float(t[next_i]), _rgb(src, size, sws))
                    next_i += 1
                if on_thumb is not None and ft >= next_thumb - _TOL:
                    on_thumb(ft, frame.to_ndarray(width=tw, height=th, format="bgr24", **sws))
                    if thumb_fps:
                        next_thumb = ft + 1.0 / thumb_fps
                prev = frame
                last_time = ft
                n += 1
        except av.error.FFmpegError as exc:
            if n == 0:
                raise DataError(f"{path}: corrupt video data ({_reason(exc)})") from None
            # a damaged tail: keep what was decoded
        if prev is None:
            raise DataError(f"{path}: video stream has no decodable frames")
        while next_i < len(t):
            on_sample(next_i, float(t[next_i]), _rgb(prev, size, sws))
            next_i += 1
        frame_dur = 1.0 / fps if fps else 0.0
        declared = _stream_duration(container, vs)
        duration = max(last_time + frame_dur, 0.0)
        if declared > 0 and abs(declared - duration) < 2 * frame_dur + 0.05:
            duration = declared
        return VideoInfo(
            str(path),
            duration,
            fps,
            int(vs.codec_context.width),
            int(vs.codec_context.height),
            bool(container.streams.audio),
            n,
        )


def _rgb(frame, size: int, sws: dict[str, int]) -> np.ndarray:
    return frame.to_ndarray(width=size, height=size, format="rgb24", **sws)


def sample_frames(
    path: str | Path, times: Iterable[float], *, size: int = FRAME_SIZE, threads: bool | int = True
) -> tuple[np.ndarray, VideoInfo]:
    """The frames shown at ``times`` (one decoding pass).

    ``threads`` as in :func:`scan_video`.

    Returns
    -------
    frames : np.ndarray, shape (N, size, size, 3), uint8 RGB
    info : VideoInfo

    Examples
    --------
    For a 4-minute video the static frames are ``sample_frames(p, static_times(240.0))``.
    """
    t = np.asarray(list(times), dtype=np.float64)
    out = np.zeros((len(t), size, size, 3), dtype=np.uint8)

    def keep(i: int, _t: float, rgb: np.ndarray) -> None:
        out[i] = rgb

    info = scan_video(path, t, keep, size=size, threads=threads)
    return out, info


# --------------------------------------------------------------------------- writing
def _video_codec(av) -> str:
    for name in ("libx264", "h264", "mpeg4"):
        if name in av.codecs_available:
            try:
                av.codec.Codec(name, "w")
            except (av.error.FFmpegError, ValueError):
                continue
            return name
    raise DataError("this PyAV build has no H.264 or MPEG-4 video encoder")


def write_video(
    path: str | Path,
    frames: Iterable[np.ndarray],
    *,
    fps: float = 30.0,
    audio: np.ndarray | None = None,
    sample_rate: int = 44100,
    codec: str | None = None,
    quality: int = 23,
    preset: str | None = None,
) -> Path:
    """Encode RGB frames (and optional audio) into an MP4 file, atomically.

    Parameters
    ----------
    path : path
        Output ``.mp4``.
    frames : iterable of np.ndarray, each (H, W, 3) uint8 RGB
        H and W must be even (yuv420p).
    fps : float
    audio : np.ndarray, shape (n,) or (n, channels), float32 in [-1, 1], optional
        Encoded as AAC.
    sample_rate : int
        Hz of ``audio``.
    codec : str, optional
        Video encoder; default H.264 when available, else MPEG-4 Part 2.
    quality : int
        CRF for H.264 (lower = better), qscale-like for MPEG-4.
    preset : str, optional
        x264 speed preset (e.g. ``"ultrafast"``).
    """
    av = require("av", extra="audio")
    out = Path(path)
    codec = codec or _video_codec(av)
    rate = Fraction(fps).limit_denominator(1001)
    with atomic_path(out, suffix=".mp4") as tmp:
        with av.open(str(tmp), mode="w", format="mp4") as oc:
            vs = None
            for k, rgb in enumerate(frames):
                rgb = np.ascontiguousarray(rgb, dtype=np.uint8)
                if vs is None:
                    h, w = rgb.shape[:2]
                    if h % 2 or w % 2:
                        raise ParameterError(f"frame size must be even for yuv420p, got {w}x{h}")
                    vs = oc.add_stream(codec, rate=rate)
                    vs.width, vs.height, vs.pix_fmt = w, h, "yuv420p"
                    vs.options = {"crf": str(quality)} if "264" in codec else {"qscale": str(max(2, quality // 5))}
                    if preset and "264" in codec:
                        vs.options = {**vs.options, "preset": preset}
                    if audio is not None:
                        as_ = _add_audio_stream(oc, audio, sample_rate)
                frame = av.VideoFrame.from_ndarray(rgb, format="rgb24")
                frame.pts = k
                frame.time_base = 1 / rate
                for pkt in vs.encode(frame):
                    oc.mux(pkt)
            if vs is None:
                raise ParameterError("write_video needs at least one frame")
            for pkt in vs.encode(None):
                oc.mux(pkt)
            if audio is not None:
                _encode_audio(av, oc, as_, audio, sample_rate)
    return out


def _add_audio_stream(oc, audio: np.ndarray, sample_rate: int):
    y = np.asarray(audio)
    channels = 1 if y.ndim == 1 else y.shape[1]
    st = oc.add_stream("aac", rate=int(sample_rate))
    st.layout = "mono" if channels == 1 else "stereo"
    return st


def _encode_audio(av, oc, st, audio: np.ndarray, sample_rate: int) -> None:
    y = np.asarray(audio, dtype=np.float32)
    y = y[:, None] if y.ndim == 1 else y[:, :2]
    planar = np.ascontiguousarray(np.clip(y, -1, 1).T)
    chunk = 1024
    for k in range(0, planar.shape[1], chunk):
        fr = av.AudioFrame.from_ndarray(
            planar[:, k : k + chunk], format="fltp", layout="mono" if planar.shape[0] == 1 else "stereo"
        )
        fr.sample_rate = int(sample_rate)
        fr.pts = k
        fr.time_base = Fraction(1, int(sample_rate))
        for pkt in st.encode(fr):
            oc.mux(pkt)
    for pkt in st.encode(None):
        oc.mux(pkt)


def normalize_video(
    src: str | Path,
    dst: str | Path,
    *,
    fps: float = 30.0,
    codec: str | None = None,
    quality: int = 23,
    threads: bool | int = True,
    encoder_threads: int | None = None,
) -> VideoInfo:
    """Transcode to MPEG-4 (MP4 container, H.264 or MPEG-4 Part 2 video) at a constant ``fps``,
    keeping the audio (re-encoded as AAC), in one decoding pass; written atomically.

    Frames are resampled to the constant rate by the on-screen rule (output frame k shows
    the source frame displayed at k / fps), so timing is preserved.

    ``threads`` (decoders and scaler) as in :func:`scan_video`.  ``encoder_threads``: the
    video encoder's threads (None: FFmpeg's choice, which depends on the machine's cores;
    the H.264 output depends on it, so give a number for files identical everywhere).

    Raises
    ------
    DataError
        For unreadable input or input without a video stream.
    """
    if not (fps > 0 and math.isfinite(fps)):
        raise ParameterError(f"fps must be a positive number, got {fps!r}")
    if encoder_threads is not None and (isinstance(encoder_threads, bool) or encoder_threads < 1):
        raise ParameterError(f"encoder_threads must be None or a positive integer, got {encoder_threads!r}")
    n_threads = _thread_count(threads)
    sws = _sws(n_threads)
    av, container, vs = _open(src)
    out = Path(dst)
    codec = codec or _video_codec(av)
    rate = Fraction(fps).limit_denominator(1001)
    n_out = 0
    with atomic_path(out, suffix=".mp4") as tmp:
        with container, av.open(str(tmp), mode="w", format="mp4") as oc:
            w = int(vs.codec_context.width) // 2 * 2
            h = int(vs.codec_context.height) // 2 * 2
            ovs = oc.add_stream(codec, rate=rate)
            ovs.width, ovs.height, ovs.pix_fmt = w, h, "yuv420p"
            ovs.options = {"crf": str(quality)} if "264" in codec else {"qscale": str(max(2, quality // 5))}
            if encoder_threads is not None:
                ovs.codec_context.thread_count = encoder_threads
            if n_threads is not None:
                _set_decoder_threads(vs, n_threads)
            ias = container.streams.audio[0] if container.streams.audio else None
            oas = None
            if ias is not None:
                sr = int(ias.codec_context.sample_rate or 44100)
                oas = oc.add_stream("aac", rate=sr)
                n_ch = len(ias.layout.channels) if ias.layout is not None else 2
                oas.layout = "mono" if n_ch == 1 else "stereo"
                if n_threads is not None:
                    ias.codec_context.thread_count = n_threads
                resampler = av.AudioResampler(format="fltp", layout=oas.layout.name, rate=sr)
            tb = vs.time_base or Fraction(1, 1)
            origin = vs.start_time
            prev = None

            def emit(frame) -> None:
                nonlocal n_out
                f = frame.reformat(width=w, height=h, format="yuv420p", **sws)
                f.pts = n_out
                f.time_base = 1 / rate
                for pkt in ovs.encode(f):
                    oc.mux(pkt)
                n_out += 1

            streams = [vs] + ([ias] if ias is not None else [])
            try:
                for packet in container.demux(*streams):
                    for frame in packet.decode():
                        if packet.stream.type == "video":
                            if origin is None:
                                origin = frame.pts or 0
                            ft = float(((frame.pts if frame.pts is not None else origin) - origin) * tb)
                            while prev is not None and n_out / fps < ft - _TOL:
                                emit(prev)
                            prev = frame
                        elif oas is not None:
                            frame.pts = None
                            for rf in resampler.resample(frame):
                                for pkt in oas.encode(rf):
                                    oc.mux(pkt)
            except av.error.FFmpegError as exc:
                if prev is None:
                    raise DataError(f"{src}: corrupt video data ({_reason(exc)})") from None
            if prev is None:
                raise DataError(f"{src}: video stream has no decodable frames")
            end = _stream_duration(container, vs) or (n_out + 1) / fps
            emit(prev)
            while n_out / fps < end - _TOL:
                emit(prev)
            for pkt in ovs.encode(None):
                oc.mux(pkt)
            if oas is not None:
                for rf in resampler.resample(None):
                    for pkt in oas.encode(rf):
                        oc.mux(pkt)
                for pkt in oas.encode(None):
                    oc.mux(pkt)
    return probe_video(out)
