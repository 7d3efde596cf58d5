"""Predict the emotion of lyrics (plain text or LRC) with the shipped lyrics model.

* **Static:** the cleaned lines are packed into chunks of at most 32 words (the training
  units), each chunk is embedded once (MiniLM) and scored (VADER, NRC EmoLex); the song's
  input is the mean chunk embedding + the combined lexicon features.
* **Bag-of-words blend:** the model file also holds a TF-IDF + logistic-regression channel
  (:class:`mvemo.models.lyrics.LyricsBow`, applied in numpy, no scikit-learn): the
  quadrant and category probabilities are ``(1 - beta) * heads + beta * bag-of-words``
  (``beta`` chosen on validation, stored in the file); intensity and VA are the heads'.
  The static bag-of-words text is the cleaned lines joined by spaces.
* **Dynamic (LRC only):** on the MVEmo grid ``2.5, 3.0, ... duration - 2.5`` (duration =
  the last LRC time, or the ``duration`` given, e.g. the audio's), each grid time ``t``
  gets the model's output for the lines *sung* within ``[t - 2.5, t + 2.5]``: a line is
  sung from its time to the next time tag (the last line to the end of the media), and
  the window's input is the overlap-weighted mean of those lines' embeddings and lexicon
  statistics.  Each distinct line is embedded once.  The window's bag-of-words text is the
  concatenation of those lines in time order (no overlap weighting).  **Gaps** (no line
  sung in the window, e.g. an instrumental break): the nearest *preceding* sung line is
  used; before the first line (an intro), the first sung line.  ``features.dynamic_gap_frames`` counts
  the grid times filled this way.
* **Plain text:** ``duration`` null and ``dynamic`` [] unless a ``duration`` is given to
  :meth:`LyricsEmotionModel.predict_lyrics` (then still [] : plain text has no times).
* **Non-English lyrics:** nothing fails; MiniLM and the lexicons are English, so the
  label is of little value.  ``features.language_hint`` reports the share of ASCII
  letters and of English function words, and ``likely_english``.
* **One emotion point per window:** the static answer and every frame are one distribution
  over the 28 categories x 11 intensity levels (:func:`mvemo.conversion.grids.heads_to_grid`:
  the blended category probabilities conformed to the blended quadrant probabilities, times
  an intensity-level distribution whose mean is the intensity head's output, or the
  model's 11-level head when it has one).  Category, intensity, valence-arousal, quadrant
  and both probability tables all derive from it (:mod:`mvemo.conversion.point`), so they
  agree by construction.
* **Version 3** (``lyrics-minilm-lex-bow-v3``, the default) keeps v2's heads and bag of words and
  adds ``meta["quadrant_temperature"]`` and ``meta["category_temperature"]`` (fitted on
  validation NLL, :mod:`mvemo.train.lyrics_v3`), applied to the blended probabilities before
  the grid, and ``meta["intensity_rule"] = "certainty"``: the intensity factor of every window
  is :func:`mvemo.conversion.grids.certainty_grid` of its grid (the mean resultant length of
  its own category distribution on the circumplex) instead of the intensity head's output.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np

from mvemo.conversion.dynamic import WINDOW_HALF_WIDTH, grid_times
from mvemo.conversion.grids import certainty_grid, heads_to_grid
from mvemo.conversion.point import summarize_many
from mvemo.errors import DataError, ParameterError
from mvemo.features.lyrics import (
    LEXICON_FEATURES,
    NRC_AFFECTS,
    SentenceEncoder,
    chunk_text,
    combine_lexicon,
    language_hint,
    lexicon_stats,
)
from mvemo.io.lyrics import Lyrics, looks_like_lrc, parse_lrc, parse_plain, read_lyrics
from mvemo.models.outputs import HeadOutputs
from mvemo.models.registry import model_entry, version_of
from mvemo.predict.inputs import names_lyrics_file
from mvemo.predict.records import frame, static_label
from mvemo.records import EmotionFrame, PredictionRecord
from mvemo.representation import default_circumplex

__all__ = ["INTENSITY_RULES", "MODEL_NAME", "LyricsEmotionModel", "line_windows", "load_lyrics_model"]

_ENTRY = model_entry("lyrics")
MODEL_NAME = _ENTRY.model_name
#: Where the intensity factor of the grid may come from (``meta["intensity_rule"]``).
INTENSITY_RULES = ("head", "certainty")


def line_windows(
    starts: np.ndarray, ends: np.ndarray, times: np.ndarray, *, half_width: float = WINDOW_HALF_WIDTH
) -> tuple[np.ndarray, np.ndarray]:
    """Overlap (seconds) of each sung line with each grid window, with the gap rule applied.

    Parameters
    ----------
    starts, ends : np.ndarray, shape (L,)
        When each sung line starts and ends (seconds), sorted by start.
    times : np.ndarray, shape (T,)
        Grid times.
    half_width : float
        Window half-width in seconds.

    Returns
    -------
    weights : np.ndarray, shape (T, L)
        Seconds of overlap; in a gap row, 1 for the nearest preceding line (or the first
        line, before any line starts) and 0 elsewhere.
    gap : np.ndarray of bool, shape (T,)
        Rows filled by the gap rule.

    Examples
    --------
    >>> w, gap = line_windows(np.array([0.0, 20.0]), np.array([4.0, 24.0]), np.array([2.5, 12.0]))
    >>> w.tolist(), gap.tolist()
    ([[4.0, 0.0], [1.0, 0.0]], [False, True])
    """
    s, e, t = (np.asarray(a, dtype=np.float64) for a in (starts, ends, times))
    lo, hi = t[:, None] - half_width, t[:, None] + half_width
    w = np.clip(np.minimum(e[None, :], hi) - np.maximum(s[None, :], lo), 0.0, None)
    gap = ~(w > 1e-9).any(axis=1)
    if gap.any() and len(s):
        prev = np.searchsorted(s, t[gap], side="right") - 1
        w[np.flatnonzero(gap), np.maximum(prev, 0)] = 1.0
    return w, gap


@dataclass
class LyricsEmotionModel:
    """The shipped lyrics model: MiniLM + lexicon features (+ bag of words) -> unified label, VA, 4Q.

    Attributes
    ----------
    name : str
    network : LyricsHeads
    meta : dict
    encoder : SentenceEncoder
    bow : LyricsBow or None
        Bag-of-words channel blended into the quadrant and category probabilities
        (None: the heads alone).
    """

    name: str
    network: Any
    meta: dict
    encoder: SentenceEncoder = field(default_factory=SentenceEncoder)
    bow: Any = None

    @property
    def categories(self) -> tuple[str, ...]:
        """The 28 categories, in output order."""
        return default_circumplex().categories

    @property
    def version(self) -> str:
        """The model's version (``"v3"``), from its name."""
        return version_of(self.name)

    @property
    def max_words(self) -> int:
        """Words per embedded chunk (MiniLM truncates long inputs), as trained."""
        return int(self.meta.get("max_words", 32))

    # -- model ------------------------------------------------------------------------
    def _heads(self, x: np.ndarray, texts: list[str] | None = None) -> HeadOutputs:
        """Outputs for inputs ``x`` (N, D); with ``texts`` (N cleaned texts) and a
        bag-of-words channel, the quadrant/category probabilities are blended."""
        from mvemo._extras import require

        torch = require("torch", extra="torch")
        with torch.no_grad():
            out = self.network(torch.from_numpy(np.asarray(x, np.float32)))
        p = HeadOutputs(
            category=torch.softmax(out.category, -1).numpy(),
            quadrant=torch.softmax(out.quadrant, -1).numpy(),
            intensity=out.intensity.numpy(),
            va=out.va.numpy(),
            levels=torch.softmax(out.levels, -1).numpy() if out.has("levels") else None,
        )
        if self.bow is not None and texts is not None:
            p = self.bow.blend(p, texts)
        p = _tempered(p, self.meta)
        grid = heads_to_grid(p.category, p.intensity, quadrant=p.quadrant, levels=p.levels)
        rule = self.meta.get("intensity_rule", "head")
        if rule not in INTENSITY_RULES:
            raise ParameterError(
                f"model {self.name}: meta['intensity_rule'] is {rule!r}; choose from {INTENSITY_RULES}"
            )
        if rule == "certainty":
            grid = certainty_grid(grid)
        return p.replace(grid=grid)

    # -- prediction -------------------------------------------------------------------
    def predict_lyrics(
        self, lyrics: Lyrics | str, *, dynamic: bool = True, duration: float | None = None, file: str | None = None
    ) -> PredictionRecord:
        """The record of already-parsed lyrics (a :class:`~mvemo.io.lyrics.Lyrics` or plain text).

        Parameters
        ----------
        lyrics : Lyrics or str
            Parsed lyrics, or a plain-text string (parsed with
            :func:`~mvemo.io.lyrics.parse_plain`).
        dynamic : bool
            Compute the 0.5-s labels (LRC only).
        duration : float, optional
            Seconds of the media the lyrics go with (e.g. the audio's, for fusion); default
            the last LRC time.  The grid and the last line's end follow it.
        file : str, optional
            Value of the record's ``file`` (default ``lyrics.source``).

        Raises
        ------
        DataError
            If no word is left after cleaning.
        ParameterError
            If ``duration`` is negative or not finite.
        """
        if isinstance(lyrics, str):
            lyrics = parse_plain(lyrics)
        if not isinstance(lyrics, Lyrics):
            raise ParameterError(f"lyrics must be a Lyrics object or a string, got {type(lyrics).__name__}")
        if duration is not None and not (np.isfinite(duration) and duration >= 0):
            raise ParameterError(f"duration must be a finite number >= 0 seconds, got {duration!r}")
        name = file if file is not None else (lyrics.source or "<lyrics>")
        cleaned = lyrics.cleaned_lines()
        if not any(cleaned):
            raise DataError(f"{name}: no lyrics text left after cleaning")
        # Static: chunks of the distinct-order text (repeats included: a chorus weighs more).
        chunks = chunk_text([c for c in cleaned if c], max_words=self.max_words)
        stats = lexicon_stats(chunks)
        x = np.concatenate([self.encoder.encode(chunks).mean(0), combine_lexicon(stats)])[None]
        text = " ".join(c for c in cleaned if c)
        s = self._heads(x, [text])
        static = static_label(s)
        dur = duration if duration is not None else lyrics.duration
        frames, n_gap = [], 0
        if dynamic and lyrics.synced and dur is not None:
            frames, n_gap = self._dynamic(lyrics, cleaned, float(dur))
        whole = combine_lexicon(stats)
        features = {
            "n_lines": int(sum(1 for c in cleaned if c)),
            "n_distinct_lines": len({c for c in cleaned if c}),
            "n_words": len(text.split()),
            "n_chunks": len(chunks),
            "synced": bool(lyrics.synced),
            "language_hint": language_hint(text),
            "vader_compound": round(float(whole[LEXICON_FEATURES.index("vader_compound")]), 4),
            "nrc_per_token": {k: round(float(v), 4) for k, v in zip(NRC_AFFECTS, whole[: len(NRC_AFFECTS)])},
            "metadata": dict(lyrics.metadata),
        }
        if lyrics.synced:
            features["dynamic_gap_frames"] = n_gap
        return PredictionRecord(
            file=str(name),
            model=self.name,
            modality="lyrics",
            duration=None if dur is None else round(float(dur), 3),
            static=static,
            dynamic=frames,
            features=features,
        )

    def _dynamic(self, lyrics: Lyrics, cleaned: list[str], duration: float) -> tuple[list[EmotionFrame], int]:
        times = grid_times(duration)
        line_t = np.array([ln.time for ln in lyrics.lines], dtype=np.float64)
        sung = [i for i, c in enumerate(cleaned) if c]
        if not len(times) or not sung:
            return [], 0
        starts = line_t[sung]
        ends = np.empty(len(sung))
        for k, i in enumerate(sung):
            later = line_t[line_t > line_t[i] + 1e-9]
            ends[k] = later.min() if len(later) else max(duration, line_t[i])
        texts = [cleaned[i] for i in sung]
        distinct = list(dict.fromkeys(texts))
        pos = {t: j for j, t in enumerate(distinct)}
        emb = self.encoder.encode(distinct)
        stats = lexicon_stats(distinct)
        col = np.array([pos[t] for t in texts])
        w, gap = line_windows(starts, ends, times)
        # Sum the weights of repeated texts onto their distinct row.
        wd = np.zeros((len(times), len(distinct)))
        np.add.at(wd.T, col, w.T)
        x = np.empty((len(times), emb.shape[1] + len(LEXICON_FEATURES)), dtype=np.float32)
        for r in range(len(times)):
            nz = wd[r] > 0
            ww = wd[r, nz]
            x[r, : emb.shape[1]] = (emb[nz] * ww[:, None]).sum(0) / ww.sum()
            x[r, emb.shape[1] :] = combine_lexicon(stats[nz], ww)
        # Bag-of-words text of a window: its sung lines (gap rule included), in time order.
        window_texts = (
            None
            if self.bow is None
            else [" ".join(texts[k] for k in np.flatnonzero(w[r] > 0)) for r in range(len(times))]
        )
        d = self._heads(x, window_texts)
        cats = self.categories
        f = summarize_many(d.grid)
        frames = [
            frame(t, cats[int(f.category[i])], f.intensity[i], f.valence[i], f.arousal[i]) for i, t in enumerate(times)
        ]
        return frames, int(gap.sum())

    def predict(
        self, path: str | Path | Lyrics, *, dynamic: bool = True, max_time: float | None = None
    ) -> PredictionRecord:
        """The record of one lyrics file (``.lrc`` or ``.txt``), or of lyrics in memory: their
        text (LRC when it has time tags, else plain) or a :class:`~mvemo.io.lyrics.Lyrics`
        (``file`` is then ``"<lyrics>"``, or the lyrics' source).

        A string is a file's path when it is one line that ends in ``.lrc`` or ``.txt`` or names
        an existing file; any other string is the lyrics' text.

        ``max_time``: the latest LRC time accepted (the media's duration plus
        :data:`mvemo.limits.LRC_AUDIO_SLACK` when the lyrics go with media).

        Raises
        ------
        DataError
            For unreadable, empty or binary files, files with no lyrics, or LRC times out of range
            (the message names the file and the line).
        """
        from mvemo.predict.checks import language_warning, with_warnings

        if isinstance(path, Path) or (isinstance(path, str) and names_lyrics_file(path)):
            rec = self.predict_lyrics(read_lyrics(path, max_time=max_time), dynamic=dynamic, file=str(path))
        elif isinstance(path, str):
            rec = self.predict_lyrics(parse_text(path), dynamic=dynamic)
        else:
            rec = self.predict_lyrics(path, dynamic=dynamic)
        return with_warnings(rec, [w for w in [language_warning(rec.features["language_hint"])] if w])

    def predict_features(self, features: Lyrics | str, *, dynamic: bool = True) -> PredictionRecord:
        """The record of parsed lyrics (the lyrics model's features are computed from the text)."""
        return self.predict_lyrics(features, dynamic=dynamic)


def _tempered(p: HeadOutputs, meta: dict) -> HeadOutputs:
    """``p`` with ``meta["category_temperature"]`` / ``meta["quadrant_temperature"]`` applied
    to its (blended) category / quadrant probabilities (absent: unchanged)."""
    from mvemo.metrics.calibration import apply_temperature

    out = {}
    for head in ("category", "quadrant"):
        t = meta.get(f"{head}_temperature")
        if t is not None:
            x = np.clip(np.nan_to_num(np.asarray(p.head(head), np.float64)), 1e-12, None)
            out[head] = apply_temperature(x / x.sum(-1, keepdims=True), float(t), probabilities=True)
    return p.replace(**out) if out else p


def parse_text(text: str) -> Lyrics:
    """Lyrics from text in memory: LRC when it looks like LRC, else plain lines."""
    return parse_lrc(text) if looks_like_lrc(text) else parse_plain(text)


def load_lyrics_model(weights: str | Path | None = None) -> LyricsEmotionModel:
    """Load the lyrics heads shipped with mvemo (or ``weights``); MiniLM loads on first use.

    Raises
    ------
    DataError
        If the weights are missing or unreadable.
    MissingExtraError
        If torch (extra ``torch``) is missing; the ``text`` extra is needed at prediction.
    """
    from mvemo.models.lyrics import load_lyrics_checkpoint

    if weights is None:
        ref = resources.files("mvemo.models").joinpath(_ENTRY.weights)
        if not ref.is_file():
            raise DataError(f"the packaged lyrics model weights {_ENTRY.weights} are missing from this installation")
        with resources.as_file(ref) as p:
            net, meta, bow = load_lyrics_checkpoint(p)
    else:
        if not Path(weights).is_file():
            raise DataError(f"lyrics model weights {weights} not found")
        net, meta, bow = load_lyrics_checkpoint(weights)
    return LyricsEmotionModel(str(meta.get("name", MODEL_NAME)), net, meta, bow=bow)
