"""Predict the emotion of MIDI files with the shipped symbolic model: static and every 0.5 s.

A file is read once (:func:`mvemo.features.midi.midi_features`); the static label scores
the whole file, each dynamic label the notes and chords within ±2.5 s of its grid time
(``2.5, 3.0, ...`` up to ``duration - 2.5``, duration = end of the last note).  Files
shorter than 5 s get a static label and an empty dynamic list.  The shipped weights hold
several seeds' networks; their outputs are averaged.  A weights file may also hold
frame-sequence networks (``frame_networks``, :class:`~mvemo.models.symbolic.FrameEmotionNet`);
their mean is then averaged with the others' with weight ``meta["frame_weight"]``.

Version 2, 3 and 4 files (``symbolic-emopia-vgmidi-v4`` is the default) hold a linear valence x arousal
model (``linear``, :class:`~mvemo.models.symbolic.TwoFactorLinear`: two logistic regressions
as numpy arrays over the window statistics and
:meth:`~mvemo.features.midi.MidiFeatures.valence_features`).  Its 4Q probabilities are
blended with the networks' with weight ``meta["linear_weight"]`` (1.0 = linear only).  The
other outputs come from the networks when the file has any; a file with the linear model
alone derives them from the 4Q probabilities ``P`` (:func:`heads_from_quadrant`): category
probabilities ``P(Qk)`` on the unified category of each quadrant (Q1 excited, Q2
distressed, Q3 depressed, Q4 relaxed), valence-arousal the expectation of those labels'
VA points under ``P`` (the points the networks' VA head is trained on), intensity 0.5
(the intensity of every training label).  Version 3 sets ``meta["conform_categories"]``: the
networks' category probabilities are rescaled to the blended quadrant
(:func:`mvemo.conversion.quadrant.conform_categories`), so the category lies in the quadrant.

**One emotion point per window.**  The model answers with one distribution over the 28
categories x 11 intensity levels per window (``outputs["grid"]``, :func:`mvemo.conversion.grids.heads_to_grid`):
the category probabilities, conformed to the blended quadrant (the quadrant is a prior on
the grid's quadrant marginals, not a second answer), times an intensity-level distribution
whose mean is the intensity head's output.  Every record field (category, intensity,
valence-arousal, quadrant, both probability tables) derives from that grid
(:mod:`mvemo.conversion.point`, :mod:`mvemo.predict.records`), so they agree by construction.

Version 4 files add an 11-level intensity head (``levels``: a softmax regression over the
window statistics, :func:`levels_proba`, trained on the informative level distributions,
:mod:`mvemo.train.symbolic.informative`), used for the grid's intensity factor instead of the
networks' scalar intensity, and ``meta["quadrant_temperature"]``: the blended quadrant
probabilities are tempered (:func:`mvemo.metrics.calibration.apply_temperature`, fitted on
validation) before they act as the grid's quadrant prior.  ``meta["static_levels"]`` and
``meta["dynamic_levels"]`` say where the intensity factor of the static answer and of the
0.5-s frames comes from: ``"head"`` (the level head, or the networks' intensity without one;
the default) or ``"certainty"`` (:func:`mvemo.conversion.grids.certainty_grid`: the mean
resultant length of the window's own category distribution on the circumplex, MVEmo's
"intensity is certainty").  ``symbolic-emopia-vgmidi-v4`` answers statically with the
certainty rule and per frame with the level head (chosen on validation, docs/symbolic.md).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from mvemo._extras import require
from mvemo.conversion.grids import certainty_grid, heads_to_grid
from mvemo.conversion.quadrant import conform_categories
from mvemo.errors import DataError, ParameterError
from mvemo.models.outputs import HeadOutputs
from mvemo.models.registry import model_entry, version_of
from mvemo.predict.records import dynamic_labels, static_label
from mvemo.records import PredictionRecord
from mvemo.representation import default_circumplex

__all__ = [
    "LEVEL_RULES",
    "MODEL_NAME",
    "SymbolicEmotionModel",
    "combine_outputs",
    "heads_from_quadrant",
    "levels_proba",
    "linear_blocks",
    "load_symbolic_model",
    "save_symbolic_model",
    "window_frames",
]

_ENTRY = model_entry("symbolic")
MODEL_NAME = _ENTRY.model_name
#: Where a window's intensity factor may come from (``meta["static_levels"]``, ``meta["dynamic_levels"]``).
LEVEL_RULES = ("head", "certainty")


@dataclass
class SymbolicEmotionModel:
    """The shipped MIDI model: :class:`~mvemo.models.symbolic.SymbolicEmotionNet` networks and/or
    a linear valence x arousal model (:class:`~mvemo.models.symbolic.TwoFactorLinear`)."""

    name: str
    networks: list
    meta: dict
    frame_networks: list = field(default_factory=list)
    linear: Any = None
    levels: dict | None = None

    @property
    def categories(self) -> tuple[str, ...]:
        """The 28 categories, in output order."""
        return default_circumplex().categories

    @property
    def version(self) -> str:
        """The model's version (``"v3"``), from its name."""
        return version_of(self.name)

    def features(self, path):
        """MIDI features (:class:`mvemo.features.midi.MidiFeatures`) of a file or a ``pretty_midi.PrettyMIDI``."""
        from mvemo.features.midi import midi_features

        return midi_features(path)

    def _outputs(self, feats, start: np.ndarray, stop: np.ndarray, *, static: bool = False) -> HeadOutputs:
        """Head outputs of windows ``[start, stop)``: the mean over the statistics+chord
        networks, averaged (weight ``1 - frame_weight`` / ``frame_weight``) with the mean over
        the frame-sequence networks when the model has them.  ``static``: the windows are
        whole clips (``meta["static_levels"]`` then applies, else ``meta["dynamic_levels"]``)."""
        torch = require("torch", extra="torch")
        stats = feats.window_stats(start, stop)
        lin = None
        if self.linear is not None:
            lin = self.linear.quadrant_proba(linear_blocks(feats, start, stop, self.linear.inputs, stats=stats))
        if not self.networks:
            return self._finish(combine_outputs(None, lin), stats, static=static)
        families = []
        with torch.no_grad():
            acc: dict[str, np.ndarray] = {}
            for net in self.networks:
                roots, quals, mask = feats.window_chords(start, stop, max_chords=net.cfg.max_chords)
                out = net(
                    torch.from_numpy(stats),
                    torch.from_numpy(roots),
                    torch.from_numpy(quals),
                    torch.from_numpy(mask),
                    torch.full((len(start),), feats.mode, dtype=torch.float32),
                )
                _accumulate(acc, out, len(self.networks))
            families.append(HeadOutputs(**acc))
            if self.frame_networks:
                x, m = window_frames(feats, start, stop)
                acc = {}
                for net in self.frame_networks:
                    _accumulate(
                        acc,
                        net(torch.from_numpy(x), torch.from_numpy(m), torch.from_numpy(stats)),
                        len(self.frame_networks),
                    )
                families.append(HeadOutputs(**acc))
        if len(families) == 1:
            nets = families[0]
        else:
            w = float(self.meta.get("frame_weight", 0.5))
            nets = HeadOutputs(**{k: (1 - w) * families[0].head(k) + w * families[1].head(k) for k in families[0]})
        out = combine_outputs(
            nets,
            lin,
            linear_weight=float(self.meta.get("linear_weight", 1.0)),
            conform=bool(self.meta.get("conform_categories", False)),
        )
        return self._finish(out, stats, static=static)

    def _finish(self, out: HeadOutputs, stats: np.ndarray, *, static: bool = False) -> HeadOutputs:
        """Apply the v4 parts (quadrant temperature, level head or certainty rule), then add the grid."""
        t = self.meta.get("quadrant_temperature")
        if t is not None:
            from mvemo.metrics.calibration import apply_temperature

            out = out.replace(
                quadrant=apply_temperature(np.clip(out.quadrant, 1e-12, None), float(t), probabilities=True)
            )
        key = "static_levels" if static else "dynamic_levels"
        rule = self.meta.get(key, "head")
        if rule not in LEVEL_RULES:
            raise ParameterError(f"model {self.name}: meta[{key!r}] is {rule!r}; choose from {LEVEL_RULES}")
        if self.levels is not None:
            out = out.replace(levels=levels_proba(self.levels, stats))
        out = _with_grid(out)
        if rule == "certainty":
            out = out.replace(grid=certainty_grid(out.grid))
        return out

    def predict_features(self, feats, *, dynamic: bool = True, file: str = "") -> PredictionRecord:
        """The record of :class:`~mvemo.features.midi.MidiFeatures` (``file``: the record's ``file``)."""
        s = self._outputs(feats, np.array([0.0]), np.array([max(feats.duration, 1e-3)]), static=True)
        frames = dynamic_labels(lambda a, b: self._outputs(feats, a, b), feats.duration) if dynamic else []
        return PredictionRecord(
            file=file,
            model=self.name,
            modality="symbolic",
            duration=round(float(feats.duration), 3),
            static=static_label(s),
            dynamic=frames,
            features=feats.summary(),
        )

    def predict(self, path, *, dynamic: bool = True) -> PredictionRecord:
        """The record of one MIDI file, or of a ``pretty_midi.PrettyMIDI`` in memory (``file``
        then ``"<PrettyMIDI>"``).

        Raises
        ------
        DataError
            Missing or unparsable MIDI, or a file without notes (the message names it).
        """
        file = str(path) if isinstance(path, (str, Path)) else "<PrettyMIDI>"
        return self.predict_features(self.features(path), dynamic=dynamic, file=file)


def levels_proba(model: dict, x: np.ndarray) -> np.ndarray:
    """Intensity-level probabilities ``(W, 11)`` of a level head over window statistics ``x`` (W, F).

    ``softmax(((x - mean) / scale) @ coef + intercept)`` with the arrays of ``model``
    (:func:`mvemo.train.symbolic.informative.fit_soft_softmax`).
    """
    z = ((np.asarray(x, np.float64) - model["mean"]) / model["scale"]) @ model["coef"] + model["intercept"]
    z = z - z.max(axis=-1, keepdims=True)
    e = np.exp(z)
    return e / e.sum(axis=-1, keepdims=True)


def _with_grid(out: HeadOutputs) -> HeadOutputs:
    """The outputs plus their emotion distribution ``grid`` (W, 28, 11)."""
    return out.replace(grid=heads_to_grid(out.category, out.intensity, quadrant=out.quadrant, levels=out.levels))


def _accumulate(acc: dict, out: HeadOutputs, n: int) -> None:
    """Add one network's outputs (probabilities for the class heads) / ``n`` to ``acc`` (head name -> sum)."""
    torch = require("torch", extra="torch")
    vals = HeadOutputs(
        category=torch.softmax(out.category, -1).numpy(),
        quadrant=torch.softmax(out.quadrant, -1).numpy(),
        va=out.va.numpy(),
        intensity=out.intensity.numpy(),
    )
    for k, v in vals.items():
        acc[k] = acc.get(k, 0) + v / n


def linear_blocks(
    feats, start: np.ndarray, stop: np.ndarray, inputs, *, stats: np.ndarray | None = None
) -> dict[str, np.ndarray]:
    """The feature blocks ``inputs`` (of :data:`mvemo.models.symbolic.FEATURE_BLOCKS`) of windows.

    Parameters
    ----------
    feats : MidiFeatures
    start, stop : np.ndarray
        Window bounds in seconds, shape ``(W,)``.
    inputs : sequence of str
        ``"stats"`` (:meth:`~mvemo.features.midi.MidiFeatures.window_stats`) and/or ``"valence"``
        (:meth:`~mvemo.features.midi.MidiFeatures.valence_features`).
    stats : np.ndarray, optional
        Already computed window statistics of the same windows.
    """
    out: dict[str, np.ndarray] = {}
    for b in inputs:
        if b == "stats":
            out[b] = feats.window_stats(start, stop) if stats is None else stats
        elif b == "valence":
            out[b] = feats.valence_features(start, stop)
        else:
            raise ParameterError(f"unknown feature block {b!r}; choose from ('stats', 'valence')")
    return out


def heads_from_quadrant(quadrant: np.ndarray) -> HeadOutputs:
    """All four outputs from 4Q probabilities ``(W, 4)`` (used when there are no networks).

    ``category``: ``(W, 28)`` with ``P(Qk)`` on the unified category of quadrant k;
    ``va``: the expectation of the quadrant labels' VA points; ``intensity``: 0.5.
    """
    from mvemo.conversion.quadrant import DEFAULT_INTENSITY, QUADRANTS, quadrant_to_label
    from mvemo.conversion.va import label_to_va

    q = np.asarray(quadrant, dtype=np.float64)
    cats = default_circumplex().categories
    labels = [quadrant_to_label(name) for name in QUADRANTS]
    cat = np.zeros((q.shape[0], len(cats)))
    for k, lab in enumerate(labels):
        cat[:, cats.index(lab.category)] += q[:, k]
    points = np.array([label_to_va(lab) for lab in labels], dtype=np.float64)
    return HeadOutputs(category=cat, quadrant=q, va=q @ points, intensity=np.full(q.shape[0], DEFAULT_INTENSITY))


def combine_outputs(
    nets: HeadOutputs | Mapping[str, np.ndarray] | None,
    linear: np.ndarray | None,
    *,
    linear_weight: float = 1.0,
    conform: bool = False,
) -> HeadOutputs:
    """Network outputs and/or the linear model's 4Q probabilities -> the model's outputs.

    With both, the quadrant is ``linear_weight * linear + (1 - linear_weight) * nets.quadrant``
    and the other heads are the networks'; with ``conform``, the networks' category
    probabilities are rescaled to that quadrant
    (:func:`mvemo.conversion.quadrant.conform_categories`), so that the category agrees with
    it.  With one of them, that one (:func:`heads_from_quadrant` for the linear model alone).
    """
    if linear is None:
        if nets is None:
            raise ParameterError("need network outputs or linear probabilities")
        return HeadOutputs.of(nets)
    if nets is None:
        return heads_from_quadrant(linear)
    nets = HeadOutputs.of(nets)
    if not 0.0 <= linear_weight <= 1.0:
        raise ParameterError(f"linear_weight must be in [0, 1], got {linear_weight!r}")
    quadrant = linear_weight * linear + (1 - linear_weight) * nets.quadrant
    out = nets.replace(quadrant=quadrant)
    if conform:
        out = out.replace(category=conform_categories(nets.category, quadrant))
    return out


def window_frames(feats, start: np.ndarray, stop: np.ndarray, *, fps: float | None = None):
    """Frame sequences (:meth:`~mvemo.features.midi.MidiFeatures.frames`) of windows, padded.

    Returns
    -------
    frames : np.ndarray, shape ``(W, T, C)`` float32
    mask : np.ndarray, shape ``(W, T)`` bool
        True on the frames inside each window.
    """
    from mvemo.features.midi import FRAME_RATE

    fps = FRAME_RATE if fps is None else fps
    whole = feats.frames(fps=fps)
    a = np.clip(np.floor(np.asarray(start) * fps).astype(np.int64), 0, len(whole) - 1)
    b = np.clip(np.ceil(np.asarray(stop) * fps).astype(np.int64), a + 1, len(whole))
    length = int((b - a).max())
    x = np.zeros((len(a), length, whole.shape[1]), np.float32)
    m = np.zeros((len(a), length), bool)
    for i, (s0, s1) in enumerate(zip(a, b)):
        x[i, : s1 - s0], m[i, : s1 - s0] = whole[s0:s1], True
    return x, m


def load_symbolic_model(weights: str | Path | None = None) -> SymbolicEmotionModel:
    """Load the symbolic weights shipped with mvemo (or the file ``weights``; v1 files load too)."""
    from mvemo.models.checkpoint import load_checkpoint
    from mvemo.models.symbolic import (
        FrameConfig,
        FrameEmotionNet,
        SymbolicConfig,
        SymbolicEmotionNet,
        TwoFactorLinear,
    )

    blob = load_checkpoint(weights, packaged=_ENTRY.weights)
    if not blob.get("networks") and blob.get("linear") is None:
        raise DataError(
            f"{weights or _ENTRY.weights}: not a symbolic model file (needs 'meta' and 'networks' or 'linear')"
        )
    meta = blob["meta"]
    nets = []
    for entry in blob.get("networks", []):
        net = SymbolicEmotionNet(SymbolicConfig(**entry["config"]))
        net.load_state_dict({k: v.float() for k, v in entry["state_dict"].items()})
        net.eval()
        nets.append(net)
    frame_nets = []
    for entry in blob.get("frame_networks", []):
        net = FrameEmotionNet(FrameConfig(**entry["config"]))
        net.load_state_dict({k: v.float() for k, v in entry["state_dict"].items()})
        net.eval()
        frame_nets.append(net)
    linear = TwoFactorLinear.from_dict(blob["linear"]) if blob.get("linear") is not None else None
    levels = None
    if blob.get("levels") is not None:
        levels = {k: np.asarray(blob["levels"][k], dtype=np.float64) for k in ("mean", "scale", "coef", "intercept")}
    return SymbolicEmotionModel(meta["name"], nets, meta, frame_nets, linear, levels)


def save_symbolic_model(
    networks: list, meta: dict, path: str | Path, *, frame_networks: list = (), linear=None, levels: dict | None = None
) -> None:
    """Write the networks (float16 weights, configs), the linear model (float64 numpy arrays,
    :meth:`~mvemo.models.symbolic.TwoFactorLinear.to_dict`) and metadata atomically."""
    from mvemo.models.checkpoint import half_state, save_checkpoint

    def entries(nets):
        return [
            {"config": net.cfg.to_dict(), "state_dict": half_state(net.state_dict(), keep=("mean", "std"))}
            for net in nets
        ]

    if not networks and linear is None:
        raise ParameterError("a symbolic model needs networks or a linear model")
    extra = {"frame_networks": entries(frame_networks)} if frame_networks else {}
    if linear is not None:
        extra["linear"] = linear.to_dict()
    if levels is not None:
        extra["levels"] = {k: np.asarray(levels[k], dtype=np.float64) for k in ("mean", "scale", "coef", "intercept")}
    save_checkpoint(meta, path, networks=entries(networks), **extra)
