"""Chord and key features from audio, for Music2Emo-style harmony inputs.

The pipeline is classic template matching:

1. **Chroma** — a constant-Q transform (7 octaves from C1, 3 bins per semitone,
   tuning estimated) of the harmonic component of librosa's median-filtering HPSS
   (margin 2; suppresses drums), peak-normalised, log-compressed
   (``log(1 + 100 x)``) and folded into 12 pitch classes, one frame per
   ``hop_length`` samples.  A bass chroma folds only C1-B2.  ``method="stft"`` (what the
   music model uses; about 10x cheaper) computes the same chroma from three STFTs of the
   signal resampled to 11025 Hz, with the median over an octave of pitches subtracted per
   frame instead of HPSS (see ``docs/harmony.md``).
2. **Frame posteriors** — cosine similarity between each chroma frame and one
   template per chord (12 roots x the chosen qualities, plus ``N``).  Templates are
   binary chord-tone vectors with harmonic weighting: each chord tone adds its first
   six partials with weights ``0.6 ** (h - 1)``.  A chord whose root is the loudest
   bass pitch class gets a small bonus (0.03), which breaks ties between chords
   with the same pitch classes (Csus2 = Gsus4).  ``N`` is matched by a flat template
   (with a 0.1 handicap) and forced on frames 40 dB below the loudest frame or under
   -60 dBFS.  A softmax with temperature 0.05 turns similarities into posteriors.
3. **Viterbi smoothing** over the frame posteriors with a transition matrix that
   stays on the same chord with probability ``self_prob`` and moves to any other
   chord with equal probability.
4. **Key** — Krumhansl-Schmuckler: the mean chroma of the sounding frames is
   correlated with major and minor key profiles rotated to all 12 tonics; the best of
   the 24 correlations is the key and its confidence.  Audio uses the Albrecht-Shanahan
   (2013) corpus profiles (:data:`AUDIO_KEY_PROFILES`; Krumhansl-Kessler before, which
   read the dominant for the tonic, e.g. the Maple Leaf Rag as E-flat), passed through
   the same partial model as the chord templates, because audio chroma holds overtones
   (the 3rd partial, a fifth up, otherwise pulls estimates towards the dominant key).
   MIDI pitch-class counts keep Krumhansl-Kessler without partials.
5. **Normalisation** — as Music2Emo does, chord roots are transposed so that a major
   key becomes C major and a minor key A minor, and chords are encoded as a root
   index (0-11, 12 for ``N``) and a quality index into :data:`CHORD_QUALITIES`.

Step 1 lives in :mod:`mvemo.features.chroma` (re-exported here).

Size: about 720 lines, over the ~600 guide on purpose: steps 2-5 share the chord
vocabulary (:data:`CHORD_INTERVALS`, :data:`CHORD_QUALITIES`), the label parser and the
partial-weighted templates, and the MIDI features use the same labels, key and encoding;
splitting them would spread one vocabulary over several modules.

Accuracy on synthesised progressions is measured by ``scripts/eval_harmony.py``
(see ``docs/harmony.md``).

Chord labels use the mir_eval / Harte syntax (``"C:maj"``, ``"A:min7"``, ``"N"``),
with sharps for roots.  The heavy dependency (librosa) is imported inside the
functions and needs the ``audio`` extra.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Sequence
from typing import NamedTuple

import numpy as np

from mvemo.errors import ParameterError
from mvemo.features.chroma import (  # the audio front end (step 1), re-exported
    _SILENCE_ABS_DB,
    _SILENCE_REL_DB,
    CHROMA_METHODS,
    STFT_SR,
    _chroma_bass,
    chroma,
    resample_for_stft,
)
from mvemo.features.spelling import spell_chords, spell_key

__all__ = [
    "CHROMA_METHODS",
    "CHORD_QUALITIES",
    "CHORD_INTERVALS",
    "DEFAULT_QUALITIES",
    "KRUMHANSL_MAJOR",
    "KRUMHANSL_MINOR",
    "ALBRECHT_SHANAHAN_MAJOR",
    "ALBRECHT_SHANAHAN_MINOR",
    "KEY_PROFILES",
    "AUDIO_KEY_PROFILES",
    "NO_CHORD",
    "N_ROOTS",
    "PITCH_CLASSES",
    "ChordPosteriors",
    "ChordSegment",
    "HarmonyAnalysis",
    "Key",
    "analyze_harmony",
    "chord_posteriors",
    "chord_templates",
    "chroma",
    "decode_chords",
    "encode_chords",
    "estimate_key",
    "key_from_chroma",
    "key_scores",
    "normalize_chords",
    "parse_chord",
    "parse_key",
    "recognize_chords",
    "resample_for_stft",
    "STFT_SR",
]

#: Pitch-class names, index = semitones above C (sharps, as Music2Emo writes them).
PITCH_CLASSES: tuple[str, ...] = ("C", "C#", "D", "D#", "E", "F", "F#", "G", "G#", "A", "A#", "B")
#: The no-chord label.
NO_CHORD = "N"
#: Size of the root vocabulary of :func:`encode_chords`: 12 pitch classes, then ``N``.
N_ROOTS = 13

#: Chord-tone intervals (semitones above the root) of every supported quality.
CHORD_INTERVALS: dict[str, tuple[int, ...]] = {
    "maj": (0, 4, 7),
    "min": (0, 3, 7),
    "dim": (0, 3, 6),
    "aug": (0, 4, 8),
    "min6": (0, 3, 7, 9),
    "maj6": (0, 4, 7, 9),
    "min7": (0, 3, 7, 10),
    "minmaj7": (0, 3, 7, 11),
    "maj7": (0, 4, 7, 11),
    "7": (0, 4, 7, 10),
    "dim7": (0, 3, 6, 9),
    "hdim7": (0, 3, 6, 10),
    "sus2": (0, 2, 7),
    "sus4": (0, 5, 7),
}

#: Quality vocabulary of :func:`encode_chords` (the 14 qualities of the large-vocabulary
#: chord model that Music2Emo uses, then ``"N"``); quality index = position here.
CHORD_QUALITIES: tuple[str, ...] = (*CHORD_INTERVALS, NO_CHORD)

#: Qualities that :func:`recognize_chords` looks for unless told otherwise.
DEFAULT_QUALITIES: tuple[str, ...] = ("maj", "min", "dim", "aug", "sus2", "sus4", "7", "maj7", "min7")

#: Krumhansl-Kessler probe-tone profiles, index 0 = tonic (Krumhansl 1990).
KRUMHANSL_MAJOR = np.array([6.35, 2.23, 3.48, 2.33, 4.38, 4.09, 2.52, 5.19, 2.39, 3.66, 2.29, 2.88])
KRUMHANSL_MINOR = np.array([6.33, 2.68, 3.52, 5.38, 2.60, 3.53, 2.54, 4.75, 3.98, 2.69, 3.34, 3.17])

#: Albrecht & Shanahan (2013) major/minor profiles, index 0 = tonic: pitch-class shares in a
#: corpus of 490 major- and minor-mode pieces ("The use of large corpora to train a new type of
#: key-finding algorithm: an improved treatment of the minor mode", Music Perception 31(1)).
ALBRECHT_SHANAHAN_MAJOR = np.array([0.238, 0.006, 0.111, 0.006, 0.137, 0.094, 0.016, 0.214, 0.009, 0.080, 0.008, 0.081])
ALBRECHT_SHANAHAN_MINOR = np.array([0.220, 0.006, 0.104, 0.123, 0.019, 0.103, 0.012, 0.214, 0.062, 0.022, 0.061, 0.052])

#: Key profiles by name (``profiles=`` of :func:`key_scores`): (major, minor).
KEY_PROFILES: dict[str, tuple[np.ndarray, np.ndarray]] = {
    "krumhansl": (KRUMHANSL_MAJOR, KRUMHANSL_MINOR),
    "albrecht": (ALBRECHT_SHANAHAN_MAJOR, ALBRECHT_SHANAHAN_MINOR),
}

#: The profiles of the audio key (:func:`analyze_harmony`, :func:`estimate_key`): on rendered Bach
#: chorales (``scripts/eval_key.py``) mir_eval's weighted key score rose from about 0.84 with
#: Krumhansl-Kessler to about 0.95, mostly tonic/dominant confusions fixed (docs/harmony.md).
AUDIO_KEY_PROFILES = "albrecht"

# Spellings that map onto the vocabulary (Harte shorthands and common extensions).
_QUALITY_ALIASES = {
    "": "maj",
    "M": "maj",
    "m": "min",
    "maj9": "maj7",
    "min9": "min7",
    "9": "7",
    "11": "7",
    "13": "7",
    "min11": "min7",
    "min13": "min7",
    "maj13": "maj7",
    "5": "maj",
    "1": "maj",
    "aug7": "7",
    "sus4(b7)": "sus4",
    "sus4(b7,9)": "sus4",
}
_NOTE_RE = re.compile(r"^([A-Ga-g])([#b]*)$")

# Analysis constants (see the module docstring).
_N_PARTIALS = 6
_PARTIAL_DECAY = 0.6
_TEMPERATURE = 0.05  # softmax temperature on cosine similarities
_N_PENALTY = 0.1  # the flat N template must beat chords by this cosine margin
_BASS_WEIGHT = 0.03  # cosine bonus for a chord whose root is the bass note


class ChordSegment(NamedTuple):
    """One chord: ``start`` and ``end`` in seconds and a mir_eval ``label``."""

    start: float
    end: float
    label: str


class Key(NamedTuple):
    """An estimated key: ``tonic`` (``"C"``, ``"F#"``...), ``mode`` and ``confidence``.

    ``confidence`` is the Pearson correlation of the best key profile (-1..1).
    """

    tonic: str
    mode: str
    confidence: float = 1.0

    @property
    def label(self) -> str:
        """The key in mir_eval syntax, e.g. ``"A minor"``."""
        return f"{self.tonic} {self.mode}"


class ChordPosteriors(NamedTuple):
    """Frame-wise chord posteriors.

    Attributes
    ----------
    labels : tuple of str
        Chord label of each row, ``K`` of them (``N`` last).
    probs : np.ndarray
        Posteriors, shape ``(K, T)``; each column sums to 1.
    times : np.ndarray
        Centre of each frame in seconds, shape ``(T,)``.
    hop : float
        Frame hop in seconds.
    duration : float
        Duration of the analysed audio in seconds.
    """

    labels: tuple[str, ...]
    probs: np.ndarray
    times: np.ndarray
    hop: float
    duration: float


class HarmonyAnalysis(NamedTuple):
    """Everything :func:`analyze_harmony` computes from one chroma pass.

    ``roots`` and ``qualities`` encode ``normalized`` (see :func:`encode_chords`).
    """

    key: Key
    chords: list[ChordSegment]
    normalized: list[ChordSegment]
    roots: np.ndarray
    qualities: np.ndarray


# --------------------------------------------------------------------------- labels
def _pitch_class(name: str) -> int:
    m = _NOTE_RE.match(name.strip())
    if m is None:
        raise ParameterError(f"not a note name: {name!r}")
    pc = PITCH_CLASSES.index(m.group(1).upper())
    return (pc + m.group(2).count("#") - m.group(2).count("b")) % 12


def parse_chord(label: str) -> tuple[int | None, str]:
    """Split a mir_eval chord label into a root pitch class and a vocabulary quality.

    Inversions (``/3``) are dropped; a few extended qualities reduce to the
    vocabulary (``9`` -> ``7``, ``maj9`` -> ``maj7``...); a bare root means ``maj``.

    Parameters
    ----------
    label : str
        E.g. ``"C:maj"``, ``"Bb:min7/b7"``, ``"G"``, ``"N"`` or ``"X"``.

    Returns
    -------
    root : int or None
        Pitch class 0-11, None for ``N`` (and ``X``, unknown chord).
    quality : str
        A key of :data:`CHORD_INTERVALS`, or ``"N"``.

    Raises
    ------
    ParameterError
        The label cannot be parsed or its quality is not in the vocabulary.

    Examples
    --------
    >>> parse_chord("Bb:min7/b7")
    (10, 'min7')
    >>> parse_chord("N")
    (None, 'N')
    """
    text = str(label).strip()
    if text in ("N", "X", ""):
        return None, NO_CHORD
    root_txt, _, quality = text.partition(":")
    quality = quality.split("/")[0].strip()
    if not quality and "/" in root_txt:
        root_txt = root_txt.split("/")[0]
    quality = _QUALITY_ALIASES.get(quality, quality)
    if quality not in CHORD_INTERVALS:
        raise ParameterError(f"chord {label!r}: quality {quality!r} is not in the vocabulary {list(CHORD_INTERVALS)}")
    return _pitch_class(root_txt), quality


def _chord_label(root: int | None, quality: str) -> str:
    return NO_CHORD if root is None or quality == NO_CHORD else f"{PITCH_CLASSES[root % 12]}:{quality}"


def parse_key(key: Key | str | tuple[str, str]) -> tuple[int, str]:
    """Tonic pitch class and mode of a key given as :class:`Key`, ``"G major"`` or ``("G", "major")``.

    Examples
    --------
    >>> parse_key("Eb minor")
    (3, 'minor')
    """
    if isinstance(key, str):
        parts = key.replace(":", " ").split()
        if len(parts) != 2:
            raise ParameterError(f"key must look like 'G major' or 'E minor', got {key!r}")
        tonic, mode = parts
    else:
        tonic, mode = key[0], key[1]
    mode = str(mode).lower()
    if mode in ("maj", "min"):
        mode = {"maj": "major", "min": "minor"}[mode]
    if mode not in ("major", "minor"):
        raise ParameterError(f"key mode must be 'major' or 'minor', got {mode!r}")
    return _pitch_class(str(tonic)), mode


# --------------------------------------------------------------------------- templates
def chord_templates(qualities: Sequence[str] = DEFAULT_QUALITIES) -> tuple[tuple[str, ...], np.ndarray]:
    """Unit-norm chroma templates for 12 roots x ``qualities``, plus a flat ``N``.

    Parameters
    ----------
    qualities : sequence of str
        Keys of :data:`CHORD_INTERVALS`.

    Returns
    -------
    labels : tuple of str
        ``K = 12 * len(qualities) + 1`` labels, root-major order (``C:maj``,
        ``C#:maj``, ... then the next quality), ``N`` last.
    templates : np.ndarray
        Shape ``(K, 12)``, each row of unit L2 norm.

    Examples
    --------
    >>> labels, t = chord_templates(["maj"])
    >>> labels[0], labels[-1], t.shape
    ('C:maj', 'N', (13, 12))
    """
    qualities = tuple(qualities)
    if not qualities:
        raise ParameterError("qualities must name at least one chord quality")
    for q in qualities:
        if q not in CHORD_INTERVALS:
            raise ParameterError(f"unknown chord quality {q!r}; choose from {list(CHORD_INTERVALS)}")
    # pitch class of partial h (1-based) relative to its fundamental, and its weight
    partial_pc = [round(12 * math.log2(h)) % 12 for h in range(1, _N_PARTIALS + 1)]
    partial_w = [_PARTIAL_DECAY ** (h - 1) for h in range(1, _N_PARTIALS + 1)]
    labels, rows = [], []
    for q in qualities:
        base = np.zeros(12)
        for iv in CHORD_INTERVALS[q]:
            for pc, w in zip(partial_pc, partial_w):
                base[(iv + pc) % 12] += w
        for root in range(12):
            labels.append(_chord_label(root, q))
            rows.append(np.roll(base, root))
    labels.append(NO_CHORD)
    rows.append(np.ones(12))
    t = np.asarray(rows)
    return tuple(labels), t / np.linalg.norm(t, axis=1, keepdims=True)


def _posteriors_from_chroma(
    ch: np.ndarray,
    level_db: np.ndarray,
    qualities: Sequence[str],
    temperature: float,
    bass: np.ndarray | None = None,
) -> tuple[tuple[str, ...], np.ndarray]:
    labels, templates = chord_templates(qualities)
    norm = np.linalg.norm(ch, axis=0, keepdims=True)
    unit = np.divide(ch, norm, out=np.zeros_like(ch), where=norm > 0)
    sim = templates @ unit  # (K, T) cosine similarities
    if bass is not None and _BASS_WEIGHT:
        # tie-break towards the chord whose root is in the bass (Csus2 vs Gsus4)
        sim[:-1] += _BASS_WEIGHT * np.tile(bass, (len(labels) // 12, 1))
    sim[-1] -= _N_PENALTY
    silent = (level_db < _SILENCE_ABS_DB) | (level_db < level_db.max() + _SILENCE_REL_DB) | (norm[0] == 0)
    sim[:, silent] = -1.0
    sim[-1, silent] = 1.0
    logits = sim / temperature
    logits -= logits.max(axis=0, keepdims=True)
    p = np.exp(logits)
    return labels, p / p.sum(axis=0, keepdims=True)


def chord_posteriors(
    y: np.ndarray,
    sr: int,
    *,
    hop_length: int = 2048,
    qualities: Sequence[str] = DEFAULT_QUALITIES,
    harmonic: bool = True,
    temperature: float = _TEMPERATURE,
) -> ChordPosteriors:
    """Frame-wise posteriors over 12 roots x ``qualities`` + ``N``.

    Parameters
    ----------
    y : np.ndarray
        Mono signal, shape ``(n,)``.
    sr : int
        Sample rate in Hz (at least 11025).
    hop_length : int
        Frame hop in samples (multiple of 64).
    qualities : sequence of str
        Chord qualities to recognise (keys of :data:`CHORD_INTERVALS`).
    harmonic : bool
        Analyse the harmonic component of an HPSS split (suppresses drums).
    temperature : float
        Softmax temperature on cosine similarities (smaller = peakier).

    Returns
    -------
    ChordPosteriors
        ``probs`` has shape ``(12 * len(qualities) + 1, T)``.
    """
    if not (temperature > 0):
        raise ParameterError(f"temperature must be > 0, got {temperature!r}")
    ch, bass, level_db = _chroma_bass(y, sr, hop_length=hop_length, harmonic=harmonic)
    labels, probs = _posteriors_from_chroma(ch, level_db, qualities, temperature, bass)
    return _wrap_posteriors(labels, probs, hop_length, sr, len(y))


def _wrap_posteriors(labels, probs, hop_length: int, sr: int, n: int) -> ChordPosteriors:
    hop = hop_length / sr
    times = np.arange(probs.shape[1]) * hop
    return ChordPosteriors(labels, probs, times, hop, n / sr)


# --------------------------------------------------------------------------- decoding
def _viterbi_loop(log_obs: np.ndarray, self_prob: float) -> np.ndarray:
    """Most likely state path under a uniform 'loop' transition matrix.

    ``log_obs`` is ``(K, T)``; stay has probability ``self_prob``, each other state
    ``(1 - self_prob) / (K - 1)``.  O(K T): the best 'move' predecessor of a state is
    the best state overall, or the second best for that state itself.
    """
    k, t_len = log_obs.shape
    if k == 1:
        return np.zeros(t_len, dtype=np.intp)
    log_stay = math.log(self_prob)
    log_move = math.log((1 - self_prob) / (k - 1))
    states = np.arange(k)
    back = np.empty((t_len, k), dtype=np.intp)
    delta = log_obs[:, 0] - math.log(k)
    for t in range(1, t_len):
        order = np.argpartition(delta, -2)[-2:]
        first, second = (order[1], order[0]) if delta[order[1]] >= delta[order[0]] else (order[0], order[1])
        src = np.full(k, first)
        src[first] = second
        move = delta[src] + log_move
        stay = delta + log_stay
        take_stay = stay >= move
        back[t] = np.where(take_stay, states, src)
        delta = np.where(take_stay, stay, move) + log_obs[:, t]
    path = np.empty(t_len, dtype=np.intp)
    path[-1] = int(np.argmax(delta))
    for t in range(t_len - 1, 0, -1):
        path[t - 1] = back[t, path[t]]
    return path


def decode_chords(posteriors: ChordPosteriors, *, self_prob: float | None = 0.95) -> list[ChordSegment]:
    """Turn frame posteriors into chord segments.

    Parameters
    ----------
    posteriors : ChordPosteriors
        From :func:`chord_posteriors`.
    self_prob : float or None
        Probability of staying on the same chord from one frame to the next, in
        (0, 1); None takes the frame-wise argmax (no smoothing).

    Returns
    -------
    list of ChordSegment
        Contiguous segments covering ``[0, duration]``; frame ``t`` covers
        ``[(t - 0.5) hop, (t + 0.5) hop]``.
    """
    probs = posteriors.probs
    if probs.shape[1] == 0:
        return []
    if self_prob is None:
        path = np.argmax(probs, axis=0)
    else:
        if not (0 < self_prob < 1):
            raise ParameterError(f"self_prob must be in (0, 1) or None, got {self_prob!r}")
        path = _viterbi_loop(np.log(np.maximum(probs, 1e-30)), float(self_prob))
    change = np.flatnonzero(np.diff(path)) + 1
    starts = np.r_[0, change]
    ends = np.r_[change, len(path)]
    hop, dur = posteriors.hop, posteriors.duration
    out = []
    for a, b in zip(starts, ends):
        t0 = 0.0 if a == 0 else (a - 0.5) * hop
        t1 = dur if b == len(path) else (b - 0.5) * hop
        label = posteriors.labels[path[a]]
        out.append(ChordSegment(round(float(t0), 6), round(float(max(t1, t0)), 6), label))
    return out


def recognize_chords(
    y: np.ndarray,
    sr: int,
    *,
    hop_length: int = 2048,
    self_prob: float | None = 0.95,
    qualities: Sequence[str] = DEFAULT_QUALITIES,
    harmonic: bool = True,
) -> list[ChordSegment]:
    """Recognise chords: chroma templates, then Viterbi smoothing.

    Parameters
    ----------
    y : np.ndarray
        Mono signal, shape ``(n,)``.
    sr : int
        Sample rate in Hz (at least 11025).
    hop_length : int
        Frame hop in samples (multiple of 64; 2048 = 93 ms at 22050 Hz).
    self_prob : float or None
        Self-transition probability of the smoothing HMM; None disables smoothing.
    qualities : sequence of str
        Chord qualities to recognise.
    harmonic : bool
        Analyse the harmonic component of an HPSS split (suppresses drums).

    Returns
    -------
    list of ChordSegment
        ``(start, end, label)`` in seconds with mir_eval labels such as ``"C:maj"``.
    """
    post = chord_posteriors(y, sr, hop_length=hop_length, qualities=qualities, harmonic=harmonic)
    return decode_chords(post, self_prob=self_prob)


# --------------------------------------------------------------------------- key
def _with_partials(profile: np.ndarray) -> np.ndarray:
    """Expected chroma of a pitch-class distribution whose notes carry partials."""
    out = np.zeros(12)
    for h in range(1, _N_PARTIALS + 1):
        out += _PARTIAL_DECAY ** (h - 1) * np.roll(profile, round(12 * math.log2(h)) % 12)
    return out


def key_scores(chroma_mean: np.ndarray, *, partials: bool = True, profiles: str = "krumhansl") -> np.ndarray:
    """Pearson correlation of a 12-bin chroma vector with the 24 rotated key profiles.

    Parameters
    ----------
    chroma_mean : np.ndarray
        Shape ``(12,)``, pitch classes C..B.
    partials : bool
        Pass the key profiles through the same partial model as the
        chord templates before correlating (default).  Audio chroma holds every
        note's overtones (the 3rd partial is a fifth up), which otherwise pulls the
        estimate towards the dominant key; False gives the textbook
        Krumhansl-Schmuckler correlation (right for symbolic pitch-class counts).
    profiles : {"krumhansl", "albrecht"}
        Krumhansl-Kessler probe-tone profiles (default; the MIDI features use them) or
        the Albrecht-Shanahan corpus profiles (:data:`AUDIO_KEY_PROFILES`, the audio key).

    Returns
    -------
    np.ndarray
        Shape ``(24,)``: entries 0-11 are C..B major, 12-23 C..B minor.
    """
    if profiles not in KEY_PROFILES:
        raise ParameterError(f"profiles must be one of {sorted(KEY_PROFILES)}, got {profiles!r}")
    v = np.asarray(chroma_mean, dtype=float).reshape(-1)
    if v.shape != (12,):
        raise ParameterError(f"chroma_mean must have 12 values, got shape {np.shape(chroma_mean)}")
    scores = np.zeros(24)
    if np.ptp(v) == 0:
        return scores
    for m, prof in enumerate(KEY_PROFILES[profiles]):
        if partials:
            prof = _with_partials(prof)
        for tonic in range(12):
            scores[12 * m + tonic] = np.corrcoef(v, np.roll(prof, tonic))[0, 1]
    return scores


def key_from_chroma(ch: np.ndarray, *, partials: bool = True, profiles: str = "krumhansl") -> Key:
    """Krumhansl-Schmuckler key of a chromagram.

    Parameters
    ----------
    ch : np.ndarray
        Shape ``(12, T)`` (frames are averaged) or ``(12,)``.
    partials : bool
        Model overtones in the key profiles (see :func:`key_scores`).
    profiles : {"krumhansl", "albrecht"}
        The key profiles (see :func:`key_scores`); the audio key uses :data:`AUDIO_KEY_PROFILES`.

    Returns
    -------
    Key
        Best of the 24 keys; ``confidence`` is its correlation.  An empty or flat
        chromagram gives ``Key("C", "major", 0.0)``.

    Examples
    --------
    >>> key_from_chroma(np.roll(KRUMHANSL_MINOR, 9), partials=False)
    Key(tonic='A', mode='minor', confidence=1.0)
    """
    ch = np.asarray(ch, dtype=float)
    mean = ch.mean(axis=1) if ch.ndim == 2 and ch.shape[1] else ch if ch.ndim == 1 else np.zeros(12)
    scores = key_scores(mean, partials=partials, profiles=profiles)
    best = int(np.argmax(scores))
    mode = "major" if best < 12 else "minor"
    return Key(spell_key(best % 12, mode), mode, round(float(scores[best]), 6))  # A♭ major, not G# major


def estimate_key(y: np.ndarray, sr: int, *, hop_length: int = 2048, harmonic: bool = True) -> Key:
    """Estimate the key of a signal (Krumhansl-Schmuckler on the mean chroma, :data:`AUDIO_KEY_PROFILES`).

    Parameters
    ----------
    y : np.ndarray
        Mono signal, shape ``(n,)``.
    sr : int
        Sample rate in Hz (at least 11025).
    hop_length : int
        Frame hop in samples (multiple of 64).
    harmonic : bool
        Analyse the harmonic component of an HPSS split (suppresses drums).

    Returns
    -------
    Key
        E.g. ``Key("A", "minor", 0.83)``; ``key.label`` is ``"A minor"``.
    """
    ch, level_db = chroma(y, sr, hop_length=hop_length, harmonic=harmonic)
    return key_from_chroma(ch[:, _sounding(level_db)], profiles=AUDIO_KEY_PROFILES)


def _sounding(level_db: np.ndarray) -> np.ndarray:
    if level_db.size == 0:
        return np.zeros(0, dtype=bool)
    return (level_db >= _SILENCE_ABS_DB) & (level_db >= level_db.max() + _SILENCE_REL_DB)


# --------------------------------------------------------------------------- normalisation
def _as_segments(segments: Iterable) -> list[ChordSegment]:
    out = []
    for seg in segments:
        try:
            start, end, label = seg
        except (TypeError, ValueError):
            raise ParameterError(f"chord segments must be (start, end, label), got {seg!r}") from None
        out.append(ChordSegment(float(start), float(end), str(label)))
    return out


def normalize_chords(segments: Iterable, key: Key | str | tuple[str, str]) -> list[ChordSegment]:
    """Transpose chords so that the key becomes C major (major keys) or A minor (minor keys).

    This is Music2Emo's key normalisation: every root moves down by the interval from
    C (or A) to the key's tonic; qualities and times are unchanged.

    Parameters
    ----------
    segments : iterable of (start, end, label)
        Chord segments with mir_eval labels.
    key : Key, str or (tonic, mode)
        E.g. ``Key("G", "major")``, ``"G major"`` or ``("E", "minor")``.

    Returns
    -------
    list of ChordSegment
        Labels re-spelled as ``root:quality`` (sharps, inversions dropped); ``N``
        and ``X`` become ``N``.

    Examples
    --------
    >>> [s.label for s in normalize_chords([(0, 1, "G:maj"), (1, 2, "D:7")], "G major")]
    ['C:maj', 'G:7']
    >>> normalize_chords([(0, 1, "E:min")], ("E", "minor"))[0].label
    'A:min'
    """
    tonic, mode = parse_key(key)
    shift = tonic if mode == "major" else (tonic - 9) % 12
    out = []
    for seg in _as_segments(segments):
        root, quality = parse_chord(seg.label)
        new_root = None if root is None else (root - shift) % 12
        out.append(ChordSegment(seg.start, seg.end, _chord_label(new_root, quality)))
    return out


def encode_chords(segments: Iterable) -> tuple[np.ndarray, np.ndarray]:
    """Encode chord segments for a chord Transformer.

    Parameters
    ----------
    segments : iterable of (start, end, label)
        Chord segments (typically from :func:`normalize_chords`).

    Returns
    -------
    roots : np.ndarray of int64
        Shape ``(n,)``: pitch class 0-11 of each root, 12 for ``N``
        (vocabulary size :data:`N_ROOTS`).
    qualities : np.ndarray of int64
        Shape ``(n,)``: index into :data:`CHORD_QUALITIES` (``N`` is the last).

    Examples
    --------
    >>> roots, quals = encode_chords([(0, 1, "C:maj"), (1, 2, "A:min7"), (2, 3, "N")])
    >>> roots.tolist(), [CHORD_QUALITIES[q] for q in quals]
    ([0, 9, 12], ['maj', 'min7', 'N'])
    """
    roots, quals = [], []
    for seg in _as_segments(segments):
        root, quality = parse_chord(seg.label)
        roots.append(12 if root is None else root)
        quals.append(CHORD_QUALITIES.index(quality))
    return np.asarray(roots, dtype=np.int64), np.asarray(quals, dtype=np.int64)


# --------------------------------------------------------------------------- all at once
def analyze_harmony(
    y: np.ndarray,
    sr: int,
    *,
    hop_length: int = 2048,
    self_prob: float | None = 0.95,
    qualities: Sequence[str] = DEFAULT_QUALITIES,
    harmonic: bool = True,
    method: str = "cqt",
    y_stft: np.ndarray | None = None,
) -> HarmonyAnalysis:
    """Key, chords, key-normalised chords and their encoding from one chroma pass.

    Parameters are those of :func:`recognize_chords`, plus:

    method : {"cqt", "stft"}
        Chroma from the CQT (default) or from two STFTs of the signal resampled to
        11025 Hz (about 10x faster; see ``docs/harmony.md`` for the accuracy of both).
    y_stft : np.ndarray, optional
        ``y`` already resampled to 11025 Hz (:func:`resample_for_stft`), to share it
        with other analyses (method "stft" only).

    Returns
    -------
    HarmonyAnalysis
        ``key``, ``chords``, ``normalized`` (C major / A minor), ``roots`` and
        ``qualities`` (int64 arrays of shape ``(n_segments,)``).
    """
    ch, bass, level_db = _chroma_bass(y, sr, hop_length=hop_length, harmonic=harmonic, method=method, y_stft=y_stft)
    key = key_from_chroma(ch[:, _sounding(level_db)], profiles=AUDIO_KEY_PROFILES)
    labels, probs = _posteriors_from_chroma(ch, level_db, qualities, _TEMPERATURE, bass)
    chords = decode_chords(_wrap_posteriors(labels, probs, hop_length, sr, len(y)), self_prob=self_prob)
    chords = spell_chords(chords, key.tonic, key.mode)  # names by key; pitch classes unchanged
    normalized = normalize_chords(chords, key)
    roots, quals = encode_chords(normalized)
    return HarmonyAnalysis(key, chords, normalized, roots, quals)
