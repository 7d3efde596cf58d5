"""Audio -> lead sheet MIDI (melody, chords, key, tempo), as MVEmo section IV-A3 describes.

Steps (all offline, on a CPU):

1. **Tempo first**: :func:`mvemo.features.tempo.estimate_tempo` (mvemo's onset-envelope
   tempo and beat tracker) gives the BPM and the beat phase that anchor the
   quantisation grid (``grid_divisions`` steps per beat, 16th notes by default).
2. **Notes**: basic-pitch's shipped ONNX model (``nmp.onnx``), run through onnxruntime
   on 2-s windows of 22.05-kHz audio with 30 overlapping frames (half of the overlap is
   cut from each side when the windows are joined); its note/onset posteriors are decoded
   into note events by basic-pitch's own polyphonic decoder
   (``basic_pitch.note_creation.output_to_notes_polyphonic``).  We do not use
   ``basic_pitch.inference``: it wants TensorFlow or loads the model per call.
3. **Quantisation**: onsets and offsets snap to the grid; every note lasts at least one step.
4. **Velocity** (MVEmo eq. 13-14): the frame RMS energy
   ``L_m = sqrt(mean(y[mH .. mH + N]^2))`` (``N = 2048``, ``H = 512`` at 22.05 kHz) of the
   frame holding a note's onset maps to ``V = 87 (L_m - min L) / (max L - min L) + 40``
   (min and max over the track), i.e. 40..127.  A note whose onset frame has zero energy
   (``L_m`` below ``1e-6``, i.e. -120 dBFS, digital silence) is a rest: it is dropped.
5. **Melody**: the skyline (highest sounding note at each onset, notes at or above
   ``melody_floor``) is the melody; the other notes are the accompaniment.
6. **Chords and key**: :func:`mvemo.features.harmony.analyze_harmony` (the audio model's
   harmony features, no HPSS: chords from the STFT chroma, the key from the CQT chroma),
   written as a block-chord track (one octave from C3, velocity 60) and as text events with
   the mir_eval chord labels.  The key becomes a MIDI key signature and the tempo the initial tempo.
"""

from __future__ import annotations

import contextlib
import logging
from dataclasses import dataclass
from importlib import util as importlib_util
from pathlib import Path

import numpy as np

from mvemo._extras import require
from mvemo.errors import DataError, ParameterError
from mvemo.util import atomic_path

__all__ = [
    "BP_SR",
    "LeadSheet",
    "NoteEvent",
    "basic_pitch_model_path",
    "frame_rms",
    "note_activations",
    "rms_velocity",
    "quantize_notes",
    "skyline",
    "transcribe",
    "transcribe_file",
]

#: basic-pitch's audio rate (Hz), frame hop (samples) and window length (samples).
BP_SR = 22050
_BP_HOP = 256
_BP_WINDOW = 2 * BP_SR - _BP_HOP  # 43844 samples
_BP_FPS = BP_SR // _BP_HOP  # 86 frames per second, as the model was trained
_BP_OVERLAP_FRAMES = 30
_MIDI_OFFSET = 21  # lowest piano key (A0) = frame bin 0

#: RMS frame length ``N`` and hop ``H`` (samples at 22.05 kHz) of MVEmo eq. 13.
RMS_FRAME = 2048
RMS_HOP = 512
_ZERO_ENERGY = 1e-6
_CHORD_VELOCITY = 60


@dataclass(frozen=True)
class NoteEvent:
    """One note: ``start``/``end`` in seconds, MIDI ``pitch``, ``velocity`` 1-127."""

    start: float
    end: float
    pitch: int
    velocity: int


@dataclass(frozen=True)
class LeadSheet:
    """A transcription: melody and accompaniment notes, chords, key and tempo.

    Attributes
    ----------
    melody, accompaniment : list of NoteEvent
    chords : list of (start, end, label)
        mir_eval chord labels in the track's key (not normalised).
    key : str
        E.g. ``"A minor"``.
    tempo : float
        BPM used for the grid.
    beat_offset : float
        Time of the grid origin in seconds (phase of the first tracked beat).
    n_rests : int
        Notes dropped as rests (onset in a zero-energy frame).
    """

    melody: list
    accompaniment: list
    chords: list
    key: str
    tempo: float
    beat_offset: float
    n_rests: int = 0

    @property
    def notes(self) -> list:
        """Melody and accompaniment, sorted by onset."""
        return sorted(self.melody + self.accompaniment, key=lambda n: (n.start, n.pitch))

    def to_midi(self):
        """A ``pretty_midi.PrettyMIDI``: tracks ``melody``, ``accompaniment`` and ``chords``."""
        pretty_midi = require("pretty_midi", extra="symbolic")
        pm = pretty_midi.PrettyMIDI(initial_tempo=float(self.tempo))
        tracks = {"melody": self.melody, "accompaniment": self.accompaniment}
        for name, notes in tracks.items():
            inst = pretty_midi.Instrument(program=0, name=name)
            inst.notes = [pretty_midi.Note(int(n.velocity), int(n.pitch), float(n.start), float(n.end)) for n in notes]
            pm.instruments.append(inst)
        chord_inst = pretty_midi.Instrument(program=0, name="chords")
        from mvemo.features.harmony import CHORD_INTERVALS, parse_chord

        for start, end, label in self.chords:
            root, quality = parse_chord(label)
            if root is None or end <= start:
                continue
            for iv in CHORD_INTERVALS[quality]:
                chord_inst.notes.append(pretty_midi.Note(_CHORD_VELOCITY, 48 + root + iv, float(start), float(end)))
            if hasattr(pretty_midi, "Text"):
                pm.text_events.append(pretty_midi.Text(label, float(start)))
            else:  # older pretty_midi: chord symbols as lyrics
                pm.lyrics.append(pretty_midi.Lyric(label, float(start)))
        pm.instruments.append(chord_inst)
        tonic, mode = self.key.split()
        pm.key_signature_changes.append(
            pretty_midi.KeySignature(pretty_midi.key_name_to_key_number(f"{tonic} {mode}"), 0.0)
        )
        return pm

    def write(self, path: str | Path) -> Path:
        """Write the MIDI file atomically; returns the path."""
        p = Path(path)
        with atomic_path(p, suffix=".mid") as tmp:
            self.to_midi().write(str(tmp))
        return p


# --------------------------------------------------------------------------- basic-pitch
def basic_pitch_model_path() -> Path:
    """Path of basic-pitch's shipped ``nmp.onnx`` (found without importing basic_pitch)."""
    spec = importlib_util.find_spec("basic_pitch")
    if spec is None or not spec.submodule_search_locations:
        raise DataError("basic-pitch is not installed (pip install basic-pitch --no-deps); it ships the note model")
    path = Path(next(iter(spec.submodule_search_locations))) / "saved_models" / "icassp_2022" / "nmp.onnx"
    if not path.is_file():
        raise DataError(f"basic-pitch's ONNX model is missing: {path}")
    return path


_SESSION = None


def _session():
    global _SESSION
    if _SESSION is None:
        ort = require("onnxruntime", extra="symbolic")
        opts = ort.SessionOptions()
        opts.intra_op_num_threads = 1
        opts.inter_op_num_threads = 1
        _SESSION = ort.InferenceSession(
            str(basic_pitch_model_path()), sess_options=opts, providers=["CPUExecutionProvider"]
        )
    return _SESSION


def note_activations(y: np.ndarray, *, batch: int = 8) -> dict[str, np.ndarray]:
    """basic-pitch posteriors of 22.05-kHz mono audio.

    Parameters
    ----------
    y : np.ndarray
        Shape ``(n,)`` at :data:`BP_SR`.
    batch : int
        Windows per ONNX call.

    Returns
    -------
    dict
        ``"note"`` and ``"onset"`` of shape ``(T, 88)`` and ``"contour"`` ``(T, 264)``,
        ``T = floor(n * 86 / 22050)`` frames (86 per second).
    """
    y = np.asarray(y, dtype=np.float32)
    if y.ndim != 1 or y.size == 0 or not np.all(np.isfinite(y)):
        raise ParameterError(f"y must be a non-empty finite mono signal, got shape {y.shape}")
    sess = _session()
    overlap = _BP_OVERLAP_FRAMES * _BP_HOP
    hop = _BP_WINDOW - overlap
    padded = np.concatenate([np.zeros(overlap // 2, np.float32), y])
    starts = range(0, padded.size, hop)
    windows = np.zeros((len(starts), _BP_WINDOW, 1), np.float32)
    for i, s in enumerate(starts):
        chunk = padded[s : s + _BP_WINDOW]
        windows[i, : chunk.size, 0] = chunk
    in_name = sess.get_inputs()[0].name
    # The exported graph's outputs are unnamed; basic-pitch documents this order.
    names = {
        "note": "StatefulPartitionedCall:1",
        "onset": "StatefulPartitionedCall:2",
        "contour": "StatefulPartitionedCall:0",
    }
    have = {o.name for o in sess.get_outputs()}
    if not set(names.values()) <= have:
        raise DataError(f"unexpected outputs of basic-pitch's ONNX model: {sorted(have)}")
    outs: dict[str, list] = {k: [] for k in names}
    for b in range(0, len(windows), batch):
        for k, v in zip(names, sess.run(list(names.values()), {in_name: windows[b : b + batch]})):
            outs[k].append(v)
    n_frames = int(np.floor(y.size * (_BP_FPS / BP_SR)))
    half = _BP_OVERLAP_FRAMES // 2
    result = {}
    for k, parts in outs.items():
        arr = np.concatenate(parts)[:, half:-half, :]
        result[k] = arr.reshape(-1, arr.shape[-1])[:n_frames]
    return result


@contextlib.contextmanager
def _quiet_import():
    """basic_pitch's __init__ logs a warning per missing backend (CoreML, TFLite, TF)."""
    logger = logging.getLogger()
    level = logger.level
    logger.setLevel(logging.ERROR)
    try:
        yield
    finally:
        logger.setLevel(level)


def _decode_notes(
    act: dict[str, np.ndarray], *, onset_threshold: float, frame_threshold: float, min_note_frames: int
) -> list[tuple[float, float, int, float]]:
    with _quiet_import():
        note_creation = require("basic_pitch.note_creation", extra="symbolic")
    events = note_creation.output_to_notes_polyphonic(
        act["note"],
        act["onset"],
        onset_thresh=onset_threshold,
        frame_thresh=frame_threshold,
        min_note_len=min_note_frames,
        infer_onsets=True,
        max_freq=None,
        min_freq=None,
        melodia_trick=True,
    )
    times = note_creation.model_frames_to_time(act["note"].shape[0])
    return [(float(times[s]), float(times[min(e, len(times) - 1)]), int(p), float(a)) for s, e, p, a in events]


# --------------------------------------------------------------------------- velocity
def frame_rms(y: np.ndarray, *, frame_length: int = RMS_FRAME, hop_length: int = RMS_HOP) -> np.ndarray:
    """``L_m = sqrt(mean(y[mH .. mH + N]^2))`` for ``m = 0 .. ceil(n / H) - 1`` (zero-padded at the end).

    Returns
    -------
    np.ndarray
        Shape ``(M,)``.
    """
    y = np.asarray(y, dtype=np.float64)
    if frame_length < 1 or hop_length < 1:
        raise ParameterError(f"frame_length and hop_length must be >= 1, got {frame_length}, {hop_length}")
    m = max(1, int(np.ceil(y.size / hop_length)))
    padded = np.concatenate([y, np.zeros(frame_length)])
    c = np.concatenate([[0.0], np.cumsum(padded**2)])
    starts = np.arange(m) * hop_length
    return np.sqrt((c[starts + frame_length] - c[starts]) / frame_length)


def rms_velocity(levels: np.ndarray) -> np.ndarray:
    """MVEmo eq. 14: ``V = 87 (L - min L) / (max L - min L) + 40``, rounded, as int64.

    A flat energy curve (max = min) gives 40 everywhere.
    """
    levels = np.asarray(levels, dtype=np.float64)
    lo, hi = float(levels.min()), float(levels.max())
    if hi - lo <= 0:
        return np.full(levels.shape, 40, dtype=np.int64)
    return np.round(87.0 * (levels - lo) / (hi - lo) + 40.0).astype(np.int64)


# --------------------------------------------------------------------------- grid, melody
def quantize_notes(
    events, *, bpm: float, offset: float = 0.0, divisions: int = 4
) -> list[tuple[float, float, int, float]]:
    """Snap ``(start, end, pitch, amplitude)`` events to a grid of ``divisions`` steps per beat.

    The grid is ``offset + k * 60 / (bpm * divisions)``; each note keeps at least one
    step; duplicates (same pitch and quantised onset) keep the longest.
    """
    if not (bpm > 0) or divisions < 1:
        raise ParameterError(f"bpm must be > 0 and divisions >= 1, got {bpm!r}, {divisions!r}")
    step = 60.0 / (bpm * divisions)
    out: dict[tuple[int, int], tuple[float, float, int, float]] = {}
    for s, e, p, a in events:
        k0 = int(np.round((s - offset) / step))
        k1 = max(int(np.round((e - offset) / step)), k0 + 1)
        t0 = max(offset + k0 * step, 0.0)
        t1 = offset + k1 * step
        prev = out.get((p, k0))
        if prev is None or t1 - t0 > prev[1] - prev[0]:
            out[(p, k0)] = (t0, t1, int(p), a)
    return sorted(out.values(), key=lambda n: (n[0], n[2]))


def skyline(notes: list, *, floor: int = 48) -> tuple[list, list]:
    """Split notes into a melody (highest note at each onset, monophonic) and the rest.

    A melody note is cut where the next melody note starts; notes below ``floor`` never
    join the melody.
    """
    by_onset: dict[float, list] = {}
    for n in notes:
        by_onset.setdefault(round(n.start, 4), []).append(n)
    melody, rest = [], []
    for t in sorted(by_onset):
        group = sorted(by_onset[t], key=lambda n: n.pitch)
        top = group[-1]
        if top.pitch >= floor:
            melody.append(top)
            rest.extend(group[:-1])
        else:
            rest.extend(group)
    mono = []
    for i, n in enumerate(melody):
        end = n.end if i + 1 == len(melody) else min(n.end, melody[i + 1].start)
        mono.append(NoteEvent(n.start, max(end, n.start + 1e-3), n.pitch, n.velocity))
    return mono, rest


# --------------------------------------------------------------------------- all together
def transcribe(
    y: np.ndarray,
    sr: int,
    *,
    onset_threshold: float = 0.5,
    frame_threshold: float = 0.3,
    min_note_ms: float = 127.7,
    grid_divisions: int = 4,
    quantize: bool = True,
    melody_floor: int = 48,
) -> LeadSheet:
    """Transcribe mono audio into a :class:`LeadSheet`.

    Parameters
    ----------
    y : np.ndarray
        Mono audio, shape ``(n,)``.
    sr : int
        Its rate in Hz (resampled to 22.05 kHz as needed).
    onset_threshold, frame_threshold : float
        basic-pitch's decoder thresholds (its defaults).
    min_note_ms : float
        Shortest note kept, in ms (basic-pitch's default 127.7 ms = 11 frames).
    grid_divisions : int
        Grid steps per beat (4 = 16th notes).
    quantize : bool
        Snap notes to the tempo grid (False keeps basic-pitch's times).
    melody_floor : int
        Lowest MIDI pitch that can be melody.
    """
    from mvemo.features.harmony import analyze_harmony, estimate_key
    from mvemo.features.tempo import estimate_tempo

    if not (isinstance(sr, (int, np.integer)) and sr > 0):
        raise ParameterError(f"sr must be a positive integer, got {sr!r}")
    y = np.asarray(y, dtype=np.float32)
    if y.ndim != 1 or y.size == 0 or not np.all(np.isfinite(y)):
        raise ParameterError(f"y must be a non-empty finite mono signal, got shape {y.shape}")
    if sr != BP_SR:
        librosa = require("librosa", extra="audio")
        y = librosa.resample(y, orig_sr=int(sr), target_sr=BP_SR, res_type="soxr_hq").astype(np.float32)
    tempo = estimate_tempo(y, BP_SR)  # 1. tempo first: it defines the grid
    bpm = tempo.bpm if tempo.bpm > 0 else 120.0
    step = 60.0 / (bpm * grid_divisions)
    offset = float(tempo.beat_times[0] % step) if tempo.beat_times.size else 0.0
    act = note_activations(y)  # 2. notes
    events = _decode_notes(
        act,
        onset_threshold=onset_threshold,
        frame_threshold=frame_threshold,
        min_note_frames=max(1, int(round(min_note_ms / 1000 * _BP_FPS))),
    )
    if quantize:  # 3. grid
        events = quantize_notes(events, bpm=bpm, offset=offset, divisions=grid_divisions)
    levels = frame_rms(y)  # 4. velocity from frame energy, rests
    vel = rms_velocity(levels)
    notes, rests = [], 0
    for s, e, p, _ in events:
        m = min(int(s * BP_SR // RMS_HOP), levels.size - 1)
        if levels[m] < _ZERO_ENERGY:
            rests += 1
            continue
        notes.append(NoteEvent(float(s), float(e), int(p), int(np.clip(vel[m], 1, 127))))
    melody, accompaniment = skyline(notes, floor=melody_floor)  # 5. melody
    # 6. chords from the STFT chroma, key from the CQT chroma: on rendered lead sheets the
    # former finds chords far better (majmin 0.81 vs 0.53), the latter keys (6/6 vs 4/6)
    chords = [
        (float(c.start), float(c.end), c.label) for c in analyze_harmony(y, BP_SR, harmonic=False, method="stft").chords
    ]
    key = estimate_key(y, BP_SR, harmonic=False)
    from mvemo.features.spelling import spell_chord

    chords = [(s, e, spell_chord(lab, key.tonic, key.mode)) for s, e, lab in chords]  # spelled in the final key
    return LeadSheet(melody, accompaniment, chords, key.label, float(bpm), offset, rests)


def transcribe_file(
    path: str | Path,
    *,
    onset_threshold: float = 0.5,
    frame_threshold: float = 0.3,
    min_note_ms: float = 127.7,
    grid_divisions: int = 4,
    quantize: bool = True,
    melody_floor: int = 48,
) -> LeadSheet:
    """Decode an audio file (mono, 22.05 kHz) and :func:`transcribe` it (same options).

    Raises
    ------
    DataError
        Unreadable, empty or silent audio (the message names the file).
    """
    from mvemo.audio.io import check_audio, load_audio

    y, _ = load_audio(path, sr=BP_SR)
    check_audio(y, BP_SR, path=path, min_duration=1.0)
    return transcribe(
        y,
        BP_SR,
        onset_threshold=onset_threshold,
        frame_threshold=frame_threshold,
        min_note_ms=min_note_ms,
        grid_divisions=grid_divisions,
        quantize=quantize,
        melody_floor=melody_floor,
    )
