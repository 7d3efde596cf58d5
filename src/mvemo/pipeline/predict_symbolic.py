"""Predict the emotion of MIDI files with the shipped symbolic model: static and every 0.5 s.

A file is read once (:func:`mvemo.features.midi.midi_features`); the static label scores
the whole file, each dynamic label the notes and chords within ±2.5 s of its grid time
(``2.5, 3.0, ...`` up to ``duration - 2.5``, duration = end of the last note).  Files
shorter than 5 s get a static label and an empty dynamic list.  The shipped weights hold
several seeds' networks; their outputs are averaged.  A weights file may also hold
frame-sequence networks (``frame_networks``, :class:`~mvemo.models.symbolic.FrameEmotionNet`);
their mean is then averaged with the others' with weight ``meta["frame_weight"]``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from mvemo._extras import require
from mvemo.errors import DataError
from mvemo.pipeline.records import dynamic_labels, static_label
from mvemo.representation import default_circumplex

__all__ = ["MODEL_NAME", "SymbolicEmotionModel", "load_symbolic_model", "save_symbolic_model", "window_frames"]

MODEL_NAME = "symbolic-emopia-vgmidi-v1"
_WEIGHTS = f"weights/{MODEL_NAME}.pt"


@dataclass
class SymbolicEmotionModel:
    """The shipped MIDI model: one or more :class:`~mvemo.models.symbolic.SymbolicEmotionNet`."""

    name: str
    networks: list
    meta: dict
    frame_networks: list = field(default_factory=list)

    @property
    def categories(self) -> tuple[str, ...]:
        """The 28 categories, in output order."""
        return default_circumplex().categories

    def features(self, path: str | Path):
        """MIDI features of a file (:class:`mvemo.features.midi.MidiFeatures`)."""
        from mvemo.features.midi import midi_features

        return midi_features(path)

    def _outputs(self, feats, start: np.ndarray, stop: np.ndarray) -> dict[str, np.ndarray]:
        """Head outputs of windows ``[start, stop)``: the mean over the statistics+chord
        networks, averaged (weight ``1 - frame_weight`` / ``frame_weight``) with the mean over
        the frame-sequence networks when the model has them."""
        torch = require("torch", extra="torch")
        stats = feats.window_stats(start, stop)
        families = []
        with torch.no_grad():
            acc: dict[str, np.ndarray] = {}
            for net in self.networks:
                roots, quals, mask = feats.window_chords(start, stop, max_chords=net.cfg.max_chords)
                out = net(torch.from_numpy(stats), torch.from_numpy(roots), torch.from_numpy(quals),
                          torch.from_numpy(mask), torch.full((len(start),), feats.mode, dtype=torch.float32))  # fmt: skip
                _accumulate(acc, out, len(self.networks))
            families.append(acc)
            if self.frame_networks:
                x, m = window_frames(feats, start, stop)
                acc = {}
                for net in self.frame_networks:
                    _accumulate(acc, net(torch.from_numpy(x), torch.from_numpy(m), torch.from_numpy(stats)),
                                len(self.frame_networks))  # fmt: skip
                families.append(acc)
        if len(families) == 1:
            return families[0]
        w = float(self.meta.get("frame_weight", 0.5))
        return {k: (1 - w) * families[0][k] + w * families[1][k] for k in families[0]}

    def predict_features(self, feats, *, dynamic: bool = True) -> dict[str, Any]:
        """Static and dynamic predictions from :class:`~mvemo.features.midi.MidiFeatures`."""
        s = self._outputs(feats, np.array([0.0]), np.array([max(feats.duration, 1e-3)]))
        static = static_label(s)
        frames = dynamic_labels(lambda a, b: self._outputs(feats, a, b), feats.duration) if dynamic else []
        return {
            "model": self.name,
            "modality": "symbolic",
            "duration": round(float(feats.duration), 3),
            "static": static,
            "dynamic": frames,
            "features": feats.summary(),
        }

    def predict(self, path: str | Path, *, dynamic: bool = True) -> dict[str, Any]:
        """The JSON record of one MIDI file (see the prediction record contract).

        Raises
        ------
        DataError
            Missing or unparsable MIDI, or a file without notes (the message names it).
        """
        return {"file": str(path), **self.predict_features(self.features(path), dynamic=dynamic)}


def _accumulate(acc: dict, out: dict, n: int) -> None:
    """Add one network's outputs (probabilities for the class heads) / ``n`` to ``acc``."""
    torch = require("torch", extra="torch")
    vals = {"category": torch.softmax(out["category"], -1).numpy(), "quadrant": torch.softmax(out["quadrant"], -1).numpy(),
            "va": out["va"].numpy(), "intensity": out["intensity"].numpy()}  # fmt: skip
    for k, v in vals.items():
        acc[k] = acc.get(k, 0) + v / n


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
    """Load the symbolic weights shipped with mvemo (or the file ``weights``)."""
    from mvemo.models.checkpoint import load_checkpoint
    from mvemo.models.symbolic import (
        FrameConfig,
        FrameEmotionNet,
        SymbolicConfig,
        SymbolicEmotionNet,
    )

    blob = load_checkpoint(weights, packaged=_WEIGHTS)
    if "networks" not in blob:
        raise DataError(f"{weights or _WEIGHTS}: not a symbolic model file (needs 'meta' and 'networks')")
    meta = blob["meta"]
    nets = []
    for entry in blob["networks"]:
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
    return SymbolicEmotionModel(meta["name"], nets, meta, frame_nets)


def save_symbolic_model(networks: list, meta: dict, path: str | Path, *, frame_networks: list = ()) -> None:
    """Write the networks (float16 weights, configs) and metadata atomically."""
    from mvemo.models.checkpoint import half_state, save_checkpoint

    def entries(nets):
        return [{"config": net.cfg.to_dict(), "state_dict": half_state(net.state_dict(), keep=("mean", "std"))}
                for net in nets]  # fmt: skip

    extra = {"frame_networks": entries(frame_networks)} if frame_networks else {}
    save_checkpoint(meta, path, networks=entries(networks), **extra)
