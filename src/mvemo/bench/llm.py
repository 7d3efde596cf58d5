"""An adapter for any OpenAI-compatible chat endpoint (vLLM, llama.cpp server, Ollama, hosted APIs).

The model is asked for MVEmo's fixed answer format::

    Emotion Category: <category>, Emotion Intensity: <intensity>

with the 28 categories and the levels 0.0, 0.1, ..., 1.0 listed in the prompt; answers
are read with :func:`mvemo.metrics.parse_response`, and an answer that fails the parser
(or a request that failed for good) counts in the Error Rate.

* **Inputs**: lyrics as text; audio as ``input_audio`` parts (base64 WAV or MP3); video
  frames as ``image_url`` parts with ``data:image/jpeg;base64`` URIs.  Which of these the
  endpoint accepts is an option (``accepts``); a task whose main input the endpoint
  does not accept is refused before any request.
* **Connection**: ``base_url``, ``model`` and ``api_key`` from the options, else from
  ``MVEMO_LLM_BASE_URL``, ``MVEMO_LLM_MODEL`` and ``MVEMO_LLM_API_KEY`` (or
  ``OPENAI_API_KEY``).  The key is sent only in the ``Authorization`` header; it is
  never written to logs, records or error messages.
* **Safety**: no redirect is followed (a 3xx is an error), so the key never reaches another
  server; every secret (the key, a password inside ``base_url``) is redacted by value from
  answers, errors, logs, the cache and run records; each attempt has an overall
  ``deadline`` and a ``max_response_bytes`` cap on the body; a response of any shape gives
  an answer or an invalid entry (recorded, never cached), never a traceback.
* **Robustness**: at most ``concurrency`` requests in flight (a thread pool); retries
  with exponential backoff (``backoff * 2**k``, capped, honouring ``Retry-After``) on
  HTTP 429 and 5xx, timeouts and dropped connections; other 4xx fail at once.
* **Resume and audit**: every response is stored in an on-disk cache keyed by the
  SHA-256 of (base URL, model, request body with the media replaced by their hashes, media
  hashes), so a rerun sends no request twice; every raw response (and every failure) is
  appended to a JSONL log.

Only the standard library is used for HTTP (``http.client``).
"""

from __future__ import annotations

import base64
import contextlib
import copy
import http.client
import io
import json
import logging
import os
import socket
import tempfile
import threading
import time
import urllib.parse
import wave
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Sequence

import numpy as np

from mvemo.bench.cache import ResponseCache, media_hash, request_key
from mvemo.bench.registry import Prediction
from mvemo.bench.tasks import Task, media_role
from mvemo.conversion.dynamic import WINDOW_HALF_WIDTH
from mvemo.data.manifest import Item
from mvemo.errors import DataError, MvemoError, ParameterError
from mvemo.metrics import parse_response
from mvemo.representation import INTENSITY_LEVELS, default_circumplex

__all__ = [
    "ENV_BASE_URL",
    "ENV_MODEL",
    "ENV_API_KEY",
    "MEDIA_KINDS",
    "LLMConfig",
    "LLMRequestError",
    "ChatClient",
    "Request",
    "build_prompt",
    "LLMModel",
]

log = logging.getLogger("mvemo.bench.llm")

ENV_BASE_URL = "MVEMO_LLM_BASE_URL"
ENV_MODEL = "MVEMO_LLM_MODEL"
ENV_API_KEY = "MVEMO_LLM_API_KEY"
MEDIA_KINDS = ("text", "audio", "image")
_AUDIO_SR = 16000
_RETRY_STATUS = frozenset({408, 409, 425, 429}) | frozenset(range(500, 600))

# Which input kinds each task sends, the first being the one it cannot do without.
_TASK_MEDIA: dict[str, tuple[str, ...]] = {
    "lyrics-static": ("text",),
    "music-static": ("audio",),
    "music-dynamic": ("audio",),
    "video-static": ("image",),
    "video-dynamic": ("image",),
    "multimodal-static": ("image", "audio", "text"),
    "multimodal-dynamic": ("image", "audio", "text"),
    "symbolic-static": ("text",),  # the MIDI as a note list (text)
}


class LLMRequestError(MvemoError):
    """A request failed for good (after the retries); the message never holds the key."""


@dataclass
class LLMConfig:
    """Connection and request options of the LLM adapter.

    Attributes
    ----------
    base_url : str
        E.g. ``http://127.0.0.1:8000/v1``; requests go to ``{base_url}/chat/completions``.
    model : str
    api_key : str or None
        Not shown by ``repr`` and never written anywhere.
    accepts : tuple of str
        Input kinds the endpoint takes, of :data:`MEDIA_KINDS`.
    concurrency : int
        Requests in flight at most.
    max_retries : int
        Retries after the first attempt (so ``max_retries + 1`` attempts at most).
    backoff, max_backoff : float
        Seconds before retry ``k`` (0-based): ``min(max_backoff, backoff * 2**k)``.
    timeout : float
        Seconds of silence allowed per socket operation (connect, each read).
    deadline : float
        Seconds per attempt in all (connect, headers, body), however slowly the server sends.
    max_response_bytes : int
        Cap on a response body; a larger one fails the request (no retry).
    temperature : float
    max_tokens : int
    n_frames : int
        Video frames sent per request (evenly spaced over the clip or window).
    max_text_chars : int
        Lyrics longer than this are cut (the cut is said in the prompt).
    max_audio_seconds : float or None
        Static tasks send at most this much audio (from the start); None: all of it.
    system_prompt : str
    """

    base_url: str
    model: str
    api_key: str | None = field(default=None, repr=False)
    accepts: tuple[str, ...] = MEDIA_KINDS
    concurrency: int = 4
    max_retries: int = 5
    backoff: float = 1.0
    max_backoff: float = 30.0
    timeout: float = 120.0
    deadline: float = 300.0
    max_response_bytes: int = 2_000_000
    temperature: float = 0.0
    max_tokens: int = 64
    n_frames: int = 4
    max_text_chars: int = 6000
    max_audio_seconds: float | None = 30.0
    system_prompt: str = "You are an expert in music emotion recognition."

    def __post_init__(self) -> None:
        if not self.base_url:
            raise ParameterError(f"no LLM base URL: pass --llm-base-url or set {ENV_BASE_URL}")
        if not self.base_url.startswith(("http://", "https://")):
            raise ParameterError(f"the LLM base URL must start with http:// or https://, got {self.base_url!r}")
        if not self.model:
            raise ParameterError(f"no LLM model: pass --llm-model or set {ENV_MODEL}")
        bad = [k for k in self.accepts if k not in MEDIA_KINDS]
        if bad or not self.accepts:
            raise ParameterError(f"accepts must be a non-empty subset of {MEDIA_KINDS}, got {self.accepts!r}")
        if int(self.concurrency) < 1:
            raise ParameterError(f"concurrency must be >= 1, got {self.concurrency!r}")
        if int(self.max_retries) < 0 or self.backoff < 0 or self.timeout <= 0:
            raise ParameterError(
                "max_retries and backoff must be >= 0 and timeout > 0, got "
                f"{self.max_retries!r}, {self.backoff!r}, {self.timeout!r}"
            )
        if int(self.n_frames) < 1:
            raise ParameterError(f"n_frames must be >= 1, got {self.n_frames!r}")
        if not float(self.deadline) > 0 or int(self.max_response_bytes) < 1:
            raise ParameterError(
                f"deadline must be > 0 and max_response_bytes >= 1, got {self.deadline!r}, {self.max_response_bytes!r}"
            )

    def secrets(self) -> list[str]:
        """Values never to write anywhere: the key and a password inside ``base_url``."""
        password = _split_credentials(self.base_url)[2]
        return [s for s in (self.api_key, password) if s]

    @classmethod
    def from_env(
        cls, *, base_url: str | None = None, model: str | None = None, api_key: str | None = None, **options: Any
    ) -> "LLMConfig":
        """Options first, then ``MVEMO_LLM_BASE_URL``, ``MVEMO_LLM_MODEL``, ``MVEMO_LLM_API_KEY``/``OPENAI_API_KEY``."""
        names = {f for f in cls.__dataclass_fields__} - {"base_url", "model", "api_key"}
        unknown = set(options) - names
        if unknown:
            raise ParameterError(f"unknown LLM option(s) {sorted(unknown)}; known: {sorted(names)}")
        return cls(
            base_url=(base_url or os.environ.get(ENV_BASE_URL, "")).rstrip("/"),
            model=model or os.environ.get(ENV_MODEL, ""),
            api_key=api_key or os.environ.get(ENV_API_KEY) or os.environ.get("OPENAI_API_KEY") or None,
            **options,
        )

    def public(self) -> dict[str, Any]:
        """The options without the key (for run records)."""
        out = {k: getattr(self, k) for k in self.__dataclass_fields__ if k != "api_key"}
        out["base_url"] = redact(self.base_url, self.secrets())
        out["accepts"] = list(self.accepts)
        out["api_key_set"] = bool(self.api_key)
        return out


# -- HTTP ------------------------------------------------------------------------------------
class _Expired(Exception):
    """The overall deadline of one attempt passed."""


class _TooLarge(Exception):
    """The response body passed the size cap."""


def _split_credentials(url: str) -> tuple[str, str | None, str | None]:
    """``(url without user:password@, user, password)``."""
    u = urllib.parse.urlsplit(url)
    if u.username is None and u.password is None:
        return url, None, None
    host = u.hostname or ""
    if ":" in host:
        host = f"[{host}]"
    netloc = host + (f":{u.port}" if u.port else "")
    return urllib.parse.urlunsplit((u.scheme, netloc, u.path, u.query, u.fragment)), u.username, u.password


def redact(value: Any, secrets: Sequence[str]) -> Any:
    """``value`` (a string, or JSON-like nesting of them) with every secret replaced by ``***``.

    Examples
    --------
    >>> redact({"a": ["key sk-1 echoed"], "b": 2}, ["sk-1"])
    {'a': ['key *** echoed'], 'b': 2}
    """
    if isinstance(value, str):
        for s in secrets:
            value = value.replace(s, "***")
        return value
    if isinstance(value, dict):
        return {redact(k, secrets): redact(v, secrets) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [redact(v, secrets) for v in value]
    return value


class ChatClient:
    """Sends chat-completion requests with retries; thread-safe.

    Each attempt is one POST with :mod:`http.client` (no redirect is ever followed: a 3xx
    answer is an error, so the key never goes to another server), bounded by
    ``config.deadline`` seconds in all (connect, headers and body together, however slowly the
    server trickles) and by ``config.max_response_bytes`` of body.

    Parameters
    ----------
    config : LLMConfig
    sleep : callable
        ``sleep(seconds)`` between retries (tests pass a fake).
    """

    def __init__(self, config: LLMConfig, *, sleep: Callable[[float], None] = time.sleep) -> None:
        self.config = config
        self.sleep = sleep
        base, user, password = _split_credentials(config.base_url)
        self.url = base.rstrip("/") + "/chat/completions"
        self.secrets = config.secrets()
        self._basic = None
        if password is not None:
            self._basic = base64.b64encode(f"{user or ''}:{password}".encode()).decode("ascii")
            self.secrets.append(self._basic)

    def _redact(self, text: Any) -> Any:
        return redact(text, self.secrets)

    def _delay(self, attempt: int, retry_after: str | None) -> float:
        c = self.config
        delay = min(c.max_backoff, c.backoff * (2.0**attempt))
        if retry_after:
            try:
                delay = min(c.max_backoff, max(delay, float(retry_after)))
            except ValueError:
                pass  # an HTTP-date Retry-After: keep the exponential delay
        return delay

    def _post(self, data: bytes, headers: dict[str, str]) -> tuple[int, str, Any, bytes]:
        """One attempt: ``(status, reason, headers, body)``; raises _Expired, _TooLarge, OSError, HTTPException."""
        c = self.config
        u = urllib.parse.urlsplit(self.url)
        deadline = time.monotonic() + float(c.deadline)
        cls = http.client.HTTPSConnection if u.scheme == "https" else http.client.HTTPConnection
        conn = cls(u.hostname, u.port, timeout=min(float(c.timeout), float(c.deadline)))
        expired = threading.Event()
        held: list[socket.socket] = []

        def cut() -> None:  # the watchdog: unblock any read in progress at the deadline
            expired.set()
            for sock in held:
                with contextlib.suppress(OSError):
                    sock.shutdown(socket.SHUT_RDWR)

        timer = threading.Timer(float(c.deadline), cut)
        timer.daemon = True
        timer.start()
        try:
            path = (u.path or "/") + (f"?{u.query}" if u.query else "")
            conn.connect()
            sock = conn.sock
            held.append(sock)
            if expired.is_set():
                raise _Expired
            conn.request("POST", path, body=data, headers=headers)
            resp = conn.getresponse()
            length = resp.getheader("Content-Length")
            if length and length.isdigit() and int(length) > int(c.max_response_bytes):
                raise _TooLarge
            chunks, n = [], 0
            while True:
                left = deadline - time.monotonic()
                if left <= 0 or expired.is_set():
                    raise _Expired
                sock.settimeout(min(float(c.timeout), left))
                chunk = resp.read1(65536)
                if not chunk:
                    break
                n += len(chunk)
                if n > int(c.max_response_bytes):
                    raise _TooLarge
                chunks.append(chunk)
            if expired.is_set():
                raise _Expired
            return resp.status, resp.reason, resp.headers, b"".join(chunks)
        except (OSError, http.client.HTTPException):
            # A read cut by the watchdog, or timed out because its timeout was the time left.
            if expired.is_set() or time.monotonic() >= deadline - 0.05:
                raise _Expired from None
            raise
        finally:
            timer.cancel()
            conn.close()

    def complete(self, body: dict[str, Any]) -> dict[str, Any]:
        """POST one request body; returns ``{"text", "status", "attempts", "seconds", "response"}``.

        ``text`` is a string, or None with ``invalid`` set when the response is not a
        chat completion with a text message (any shape is accepted without a traceback).
        Everything returned is redacted (each secret by value).

        Raises
        ------
        LLMRequestError
            After the last retry, or at once for a non-retryable status (3xx: redirects are
            not followed; 4xx other than 408/409/425/429), or a body over the size cap.
        """
        c = self.config
        data = json.dumps(body).encode("utf-8")
        headers = {"Content-Type": "application/json", "Accept": "application/json", "Connection": "close"}
        if c.api_key:
            headers["Authorization"] = f"Bearer {c.api_key}"
        elif self._basic:
            headers["Authorization"] = f"Basic {self._basic}"
        t0 = time.perf_counter()
        last = "no attempt"
        for attempt in range(int(c.max_retries) + 1):
            retry_after = None
            try:
                status, reason, resp_headers, raw = self._post(data, headers)
            except _TooLarge:
                raise LLMRequestError(
                    f"{self.url}: response body over the cap of {int(c.max_response_bytes)} bytes (max_response_bytes)"
                ) from None
            except _Expired:
                last = f"no complete answer within the deadline of {c.deadline:g} s"
            except (OSError, http.client.HTTPException) as exc:
                last = f"{type(exc).__name__}: {exc}"
            else:
                if 300 <= status < 400:
                    where = self._redact(str(resp_headers.get("Location", "?")))
                    raise LLMRequestError(
                        f"{self.url}: HTTP {status} redirect to {where} refused (redirects are "
                        "not followed, so the key is never sent elsewhere; use the final URL)"
                    )
                if status != 200:
                    # Redact first, then cut: a cut can never leave part of a key behind.
                    detail = self._redact(raw.decode("utf-8", "replace"))[:300]
                    last = f"HTTP {status} {reason}: {detail}".strip()
                    if status not in _RETRY_STATUS:
                        raise LLMRequestError(self._redact(f"{self.url}: {last}"))
                    retry_after = resp_headers.get("Retry-After")
                else:
                    try:
                        payload = json.loads(raw.decode("utf-8"))
                    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
                        payload, text, invalid = None, None, f"not JSON ({exc})"
                    else:
                        text, invalid = _message_text(payload)
                    return {
                        "text": self._redact(text),
                        "status": status,
                        "attempts": attempt + 1,
                        "seconds": round(time.perf_counter() - t0, 3),
                        "response": self._redact(payload),
                        "invalid": None if invalid is None else f"not a chat-completion answer: {invalid}",
                    }
            if attempt < int(c.max_retries):
                delay = self._delay(attempt, retry_after)
                log.info(
                    "LLM request failed (%s); retry %d/%d in %.1f s",
                    self._redact(last),
                    attempt + 1,
                    c.max_retries,
                    delay,
                )
                self.sleep(delay)
        raise LLMRequestError(self._redact(f"{self.url}: failed after {int(c.max_retries) + 1} attempts ({last})"))


def _message_text(payload: Any) -> tuple[str | None, str | None]:
    """``(text, None)`` for a chat-completion response with a text message (parts joined), else ``(None, why)``."""
    if not isinstance(payload, dict):
        return None, f"a JSON {type(payload).__name__}, not an object"
    choices = payload.get("choices")
    if not isinstance(choices, list) or not choices:
        return None, "no 'choices' list"
    message = choices[0].get("message") if isinstance(choices[0], dict) else None
    if not isinstance(message, dict):
        return None, f"'message' is {type(message).__name__}, not an object"
    content = message.get("content")
    if isinstance(content, list):
        texts = [p.get("text") for p in content if isinstance(p, dict)]
        if texts and all(isinstance(t, str) for t in texts):
            return "".join(texts), None
        return None, "'content' parts without text"
    if not isinstance(content, str):
        return None, f"'content' is {type(content).__name__}, not a string"
    return content, None


# -- prompts and media ---------------------------------------------------------------------------
_SUBJECT = {
    "lyrics-static": "the lyrics below",
    "music-static": "the music in the audio clip",
    "music-dynamic": "the music in the audio clip",
    "video-static": "the music video, shown as frames",
    "video-dynamic": "the music video, shown as frames",
    "multimodal-static": "the music video: its frames, its audio and its lyrics where given",
    "multimodal-dynamic": "the music video: its frames, its audio and its lyrics where given",
    "symbolic-static": "the piece of music given below as a list of MIDI notes",
}


def build_prompt(
    task: Task,
    *,
    window: tuple[float, float] | None = None,
    text: str | None = None,
    text_label: str = "Lyrics",
    truncated: bool = False,
) -> str:
    """The user prompt of one request.

    Parameters
    ----------
    task : Task
    window : (start, stop) in seconds, optional
        The segment a dynamic request is about (its media are cut to it).
    text : str, optional
        Lyrics (or a note list) appended after the instructions.
    truncated : bool
        Say that ``text`` was cut.

    Examples
    --------
    >>> from mvemo.bench.tasks import get_task
    >>> p = build_prompt(get_task("lyrics-static"), text="la la")
    >>> "Emotion Category: <category>, Emotion Intensity: <intensity>" in p, "at ease" in p
    (True, True)
    """
    cats = ", ".join(default_circumplex().categories)
    levels = ", ".join(f"{x:.1f}" for x in INTENSITY_LEVELS)
    what = _SUBJECT.get(task.name, "the music")
    seg = f" (the segment from {window[0]:.1f} s to {window[1]:.1f} s)" if window else ""
    lines = [
        f"Recognise the emotion expressed by {what}{seg}.",
        f"Emotion Category: choose exactly one of: {cats}.",
        f"Emotion Intensity: choose exactly one of: {levels} (0.0 = neutral, 1.0 = the strongest).",
        "Answer in exactly this format and nothing else:",
        "Emotion Category: <category>, Emotion Intensity: <intensity>",
    ]
    if text is not None:
        lines += ["", f"{text_label}{' (cut)' if truncated else ''}:", text]
    return "\n".join(lines)


def _wav_bytes(y: np.ndarray, sr: int) -> bytes:
    pcm = (np.clip(y, -1.0, 1.0) * 32767.0).astype("<i2")
    buf = io.BytesIO()
    with wave.open(buf, "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(sr)
        w.writeframes(pcm.tobytes())
    return buf.getvalue()


def _audio_part(path: Path, window: tuple[float, float] | None, max_seconds: float | None) -> tuple[dict, bytes]:
    suffix = path.suffix.lower()
    if window is None and max_seconds is None and suffix in (".wav", ".mp3"):
        data, fmt = path.read_bytes(), suffix[1:]
    else:
        from mvemo.audio.io import load_audio

        offset, dur = (window[0], window[1] - window[0]) if window else (0.0, max_seconds)
        y, _ = load_audio(path, sr=_AUDIO_SR, offset=max(0.0, offset), duration=dur)
        data, fmt = _wav_bytes(np.asarray(y, dtype=np.float64), _AUDIO_SR), "wav"
    part = {"type": "input_audio", "input_audio": {"data": base64.b64encode(data).decode("ascii"), "format": fmt}}
    return part, data


_IMAGE_SUFFIXES = {".jpg": "jpeg", ".jpeg": "jpeg", ".png": "png", ".webp": "webp"}


def _image_parts(path: Path, window: tuple[float, float] | None, n_frames: int) -> list[tuple[dict, bytes]]:
    def part(data: bytes, kind: str) -> tuple[dict, bytes]:
        uri = f"data:image/{kind};base64,{base64.b64encode(data).decode('ascii')}"
        return {"type": "image_url", "image_url": {"url": uri}}, data

    suffix = path.suffix.lower()
    if suffix in _IMAGE_SUFFIXES:  # a still image stands for the video
        return [part(path.read_bytes(), _IMAGE_SUFFIXES[suffix])]
    from mvemo._extras import require

    cv2 = require("cv2", extra="video")
    cap = cv2.VideoCapture(str(path))
    try:
        if not cap.isOpened():
            raise DataError(f"{path}: cannot open the video")
        fps = cap.get(cv2.CAP_PROP_FPS) or 25.0
        n = int(cap.get(cv2.CAP_PROP_FRAME_COUNT))
        if n <= 0:
            raise DataError(f"{path}: no video frames")
        lo, hi = (0.0, n / fps) if window is None else window
        times = lo + (np.arange(n_frames) + 0.5) * (hi - lo) / n_frames
        out = []
        for t in times:
            cap.set(cv2.CAP_PROP_POS_FRAMES, min(n - 1, max(0, int(t * fps))))
            ok, frame = cap.read()
            if not ok:
                continue
            ok, jpg = cv2.imencode(".jpg", frame, [int(cv2.IMWRITE_JPEG_QUALITY), 85])
            if ok:
                out.append(part(jpg.tobytes(), "jpeg"))
        if not out:
            raise DataError(f"{path}: no frame could be read")
        return out
    finally:
        cap.release()


def _midi_text(path: Path, max_chars: int) -> str:
    pretty_midi = require_pretty_midi()
    try:
        pm = pretty_midi.PrettyMIDI(str(path))
    except (OSError, ValueError, EOFError, IndexError, KeyError) as exc:
        raise DataError(f"{path}: cannot read MIDI ({exc})") from None
    notes = sorted(
        (n.start, n.pitch, n.end - n.start, n.velocity)
        for inst in pm.instruments
        if not inst.is_drum
        for n in inst.notes
    )
    lines = ["onset_s pitch duration_s velocity"] + [f"{s:.2f} {p} {d:.2f} {v}" for s, p, d, v in notes]
    return "\n".join(lines)[:max_chars]


def require_pretty_midi():
    """pretty_midi (the ``symbolic`` extra)."""
    from mvemo._extras import require

    return require("pretty_midi", extra="symbolic")


@dataclass
class Request:
    """One request of a run: which item and time it is for, its body and its cache key."""

    item_id: str
    time: float | None
    body: dict[str, Any]
    key: str
    prompt: str
    media: list[str]


def _strip_media(body: dict[str, Any], hashes: list[str]) -> dict[str, Any]:
    """The body with each media payload replaced by its hash (for the cache key and the log)."""
    out = copy.deepcopy(body)
    k = 0
    for msg in out["messages"]:
        if isinstance(msg.get("content"), list):
            for part in msg["content"]:
                if part.get("type") == "input_audio":
                    part["input_audio"]["data"] = f"sha256:{hashes[k]}"
                    k += 1
                elif part.get("type") == "image_url":
                    part["image_url"]["url"] = f"sha256:{hashes[k]}"
                    k += 1
    return out


# -- the benchmark model -----------------------------------------------------------------------
class LLMModel:
    """An OpenAI-compatible chat model as a benchmark model (zero-shot; ``fit`` does nothing).

    Parameters
    ----------
    base_url, model, api_key : str, optional
        See :class:`LLMConfig` (environment variables as fallback).
    cache_dir : str, optional
        Response cache (default: ``<feature cache>/llm``).
    log_path : str, optional
        JSONL of every raw response; the runner sets it beside the run record.
    workdir : str, optional
        Where lyrics read from a dataset CSV are written as text files.
    sleep : callable, optional
        Replaces ``time.sleep`` between retries (tests).
    **options
        Other :class:`LLMConfig` fields (``accepts``, ``concurrency``, ``max_retries``,
        ``backoff``, ``timeout``, ``temperature``, ``max_tokens``, ``n_frames``, ...);
        an unknown one is an error.
    """

    trains = False

    def __init__(
        self,
        *,
        base_url: str | None = None,
        model: str | None = None,
        api_key: str | None = None,
        cache_dir: str | None = None,
        log_path: str | None = None,
        workdir: str | None = None,
        sleep: Callable[[float], None] | None = None,
        **options: Any,
    ) -> None:
        self.cfg = LLMConfig.from_env(base_url=base_url, model=model, api_key=api_key, **options)
        if cache_dir is None:
            from mvemo.features.cache import default_cache_dir

            cache_dir = str(default_cache_dir() / "llm")
        self.cache = ResponseCache(cache_dir)
        self.client = ChatClient(self.cfg, sleep=sleep or time.sleep)
        self.log_path = Path(log_path) if log_path else None
        self.workdir = workdir
        self.name = f"llm:{self.cfg.model}"
        self.stats = {"requests": 0, "cached": 0, "failed": 0}
        self._lock = threading.Lock()

    def config(self) -> dict[str, Any]:
        return {**self.cfg.public(), "cache_dir": str(self.cache.root)}

    def secrets(self) -> list[str]:
        """Values redacted from everything this model writes or returns (key, URL password)."""
        return list(self.client.secrets)

    def fit(self, items: Sequence[Item], *, task: Task) -> None:
        """No-op: the model is used zero-shot."""

    # -- requests --------------------------------------------------------------------------
    def kinds(self, task: Task) -> tuple[str, ...]:
        """Input kinds sent for ``task`` (those the endpoint accepts).

        Raises
        ------
        ParameterError
            If the endpoint does not accept the task's main input.
        """
        wanted = _TASK_MEDIA.get(task.name, ("text",))
        if wanted[0] not in self.cfg.accepts:
            raise ParameterError(
                f"task {task.name} needs {wanted[0]} input, but the LLM endpoint is set to "
                f"accept only {', '.join(self.cfg.accepts)} (option accepts)"
            )
        return tuple(k for k in wanted if k in self.cfg.accepts)

    def _text_of(self, item: Item, task: Task) -> tuple[str | None, str]:
        if task.name == "symbolic-static":
            return _midi_text(item.path(media_role(task, item)), self.cfg.max_text_chars), "Notes"
        if "lyrics" not in item.media:
            return None, "Lyrics"
        from mvemo.bench.adapters import lyrics_path

        workdir = self.workdir or tempfile.mkdtemp(prefix="mvemo-bench-")
        self.workdir = workdir
        return lyrics_path(item, workdir).read_text(encoding="utf-8"), "Lyrics"

    def build_requests(self, item: Item, task: Task) -> list[Request]:
        """The requests of one item: one (static) or one per reference grid time (dynamic)."""
        kinds = self.kinds(task)
        text, label = (None, "Lyrics")
        if "text" in kinds:
            text, label = self._text_of(item, task)
        truncated = text is not None and len(text) > self.cfg.max_text_chars
        if truncated:
            text = text[: self.cfg.max_text_chars]
        windows: list[tuple[float, float] | None]
        times: list[float | None]
        if task.dynamic:
            times = [float(p["time"]) for p in item.dynamic or []]
            windows = [(t - WINDOW_HALF_WIDTH, t + WINDOW_HALF_WIDTH) for t in times]
        else:
            times, windows = [None], [None]
        out = []
        for t, win in zip(times, windows):
            parts: list[tuple[dict, bytes]] = []
            if "image" in kinds and task.name.startswith(("video", "multimodal")):
                parts += _image_parts(item.path(media_role(task, item)), win, int(self.cfg.n_frames))
            if "audio" in kinds:
                parts.append(
                    _audio_part(item.path(media_role(task, item)), win, None if win else self.cfg.max_audio_seconds)
                )
            prompt = build_prompt(task, window=win, text=text, text_label=label, truncated=truncated)
            content: list[dict] | str = [{"type": "text", "text": prompt}] + [p for p, _ in parts] if parts else prompt
            body = {
                "model": self.cfg.model,
                "messages": [
                    {"role": "system", "content": self.cfg.system_prompt},
                    {"role": "user", "content": content},
                ],
                "temperature": self.cfg.temperature,
                "max_tokens": int(self.cfg.max_tokens),
            }
            hashes = [media_hash(data) for _, data in parts]
            key = request_key(
                self.cfg.model, _strip_media(body, hashes), hashes, base_url=_split_credentials(self.cfg.base_url)[0]
            )
            out.append(Request(item.id, t, body, key, prompt, hashes))
        return out

    def _run_one(self, req: Request) -> dict[str, Any]:
        entry = self.cache.get(req.key)
        if entry is not None and isinstance(entry.get("text"), str) and not entry.get("error"):
            with self._lock:
                self.stats["cached"] += 1
            return {**entry, "text": self.client._redact(entry["text"]), "cached": True}
        try:
            res = self.client.complete(req.body)
            entry = {
                "text": res["text"],
                "status": res["status"],
                "attempts": res["attempts"],
                "seconds": res["seconds"],
                "error": res["invalid"],
            }
            if res["invalid"] is None:  # only a real answer is cached; an invalid one is asked again next run
                self.cache.put(req.key, {**entry, "response": res["response"]})
            with self._lock:
                self.stats["requests"] += 1
                self.stats["failed"] += res["invalid"] is not None
        except LLMRequestError as exc:
            entry = {
                "text": None,
                "status": None,
                "attempts": None,
                "seconds": None,
                "error": self.client._redact(str(exc)),
            }
            with self._lock:
                self.stats["requests"] += 1
                self.stats["failed"] += 1
        return {**entry, "cached": False}

    def run_requests(self, requests: Sequence[Request]) -> list[dict[str, Any]]:
        """Send (or read from the cache) all requests, ``concurrency`` at a time; results in order.

        Each result is appended to the JSONL log as it is written (item, time, key, prompt,
        media hashes, raw text, error, attempts, whether it came from the cache).
        """
        results: list[dict[str, Any] | None] = [None] * len(requests)
        fh = None
        if self.log_path is not None:
            self.log_path.parent.mkdir(parents=True, exist_ok=True)
            fh = open(self.log_path, "a", encoding="utf-8")
        try:
            with ThreadPoolExecutor(max_workers=int(self.cfg.concurrency)) as pool:
                futures = [pool.submit(self._run_one, r) for r in requests]
                for i, (req, fut) in enumerate(zip(requests, futures)):
                    res = fut.result()
                    results[i] = res
                    if fh is not None:
                        parsed = parse_response(res["text"])
                        fh.write(
                            json.dumps(
                                self.client._redact(
                                    {
                                        "item_id": req.item_id,
                                        "time": req.time,
                                        "model": self.cfg.model,
                                        "key": req.key,
                                        "prompt": req.prompt,
                                        "media_sha256": req.media,
                                        "response": res["text"],
                                        "error": res["error"],
                                        "parse_error": parsed.error,
                                        "attempts": res["attempts"],
                                        "cached": res["cached"],
                                    }
                                ),
                                ensure_ascii=False,
                            )
                            + "\n"
                        )
                        fh.flush()
        finally:
            if fh is not None:
                fh.close()
        return results  # type: ignore[return-value]

    def predict(self, items: Sequence[Item], *, task: Task) -> list[Prediction]:
        self.kinds(task)  # refuse before any work
        per_item: list[list[Request] | str] = []
        flat: list[Request] = []
        for it in items:
            try:
                reqs = self.build_requests(it, task)
            except (MvemoError, OSError) as exc:
                per_item.append(str(exc))
                continue
            per_item.append(reqs)
            flat += reqs
        results = iter(self.run_requests(flat))
        out = []
        for it, reqs in zip(items, per_item):
            if isinstance(reqs, str):  # media could not be read
                dyn = [{"time": p["time"], "category": None, "intensity": None} for p in it.dynamic or []]
                out.append(Prediction(it.id, error=reqs, dynamic=dyn if task.dynamic else None))
                continue
            answers = [next(results) for _ in reqs]
            if task.dynamic:
                dyn = []
                for req, ans in zip(reqs, answers):
                    p = parse_response(ans["text"])
                    dyn.append(
                        {
                            "time": req.time,
                            "category": p.category,
                            "intensity": p.intensity,
                            "raw": ans["text"],
                            "error": ans["error"] or p.error,
                        }
                    )
                out.append(Prediction(it.id, dynamic=dyn))
            else:
                ans = answers[0]
                p = parse_response(ans["text"])
                out.append(Prediction(it.id, p.category, p.intensity, raw=ans["text"], error=ans["error"] or p.error))
        return out
