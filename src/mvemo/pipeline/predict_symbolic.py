"""Predict the emotion of MIDI files with the shipped symbolic model: static and every 0.5 s.

A file is read once (:func:`mvemo.features.midi.midi_features`); the static label scores
the whole file, each dynamic label the notes and chords within ±2.5 s of its grid time
(``2.5, 3.0, ...`` up to ``duration - 2.5``, duration = end of the last note).  Files
shorter than 5 s get a static label and an empty dynamic list.  The shipped weights hold
several seeds' networks; their outputs are averaged.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from mvemo._extras import require
from mvemo.conversion.dynamic import WINDOW_HALF_WIDTH, grid_times
from mvemo.conversion.quadrant import QUADRANTS
from mvemo.errors import DataError
from mvemo.representation import default_circumplex, quantize_intensity

__all__ = ["MODEL_NAME", "SymbolicEmotionModel", "load_symbolic_model", "save_symbolic_model"]

MODEL_NAME = "symbolic-emopia-vgmidi-v1"
_WEIGHTS = f"weights/{MODEL_NAME}.pt"


@dataclass
class SymbolicEmotionModel:
    """The shipped MIDI model: one or more :class:`~mvemo.models.symbolic.SymbolicEmotionNet`."""

    name: str
    networks: list
    meta: dict

    @property
    def categories(self) -> tuple[str, ...]:
        """The 28 categories, in output order."""
        return default_circumplex().categories

    def features(self, path: str | Path):
        """MIDI features of a file (:class:`mvemo.features.midi.MidiFeatures`)."""
        from mvemo.features.midi import midi_features

        return midi_features(path)

    def _outputs(self, feats, start: np.ndarray, stop: np.ndarray) -> dict[str, np.ndarray]:
        torch = require("torch", extra="torch")
        stats = feats.window_stats(start, stop)
        acc: dict[str, np.ndarray] = {}
        with torch.no_grad():
            for net in self.networks:
                roots, quals, mask = feats.window_chords(start, stop, max_chords=net.cfg.max_chords)
                out = net(torch.from_numpy(stats), torch.from_numpy(roots), torch.from_numpy(quals),
                          torch.from_numpy(mask), torch.full((len(start),), feats.mode, dtype=torch.float32))  # fmt: skip
                vals = {"category": torch.softmax(out["category"], -1).numpy(),
                        "quadrant": torch.softmax(out["quadrant"], -1).numpy(),
                        "va": out["va"].numpy(), "intensity": out["intensity"].numpy()}  # fmt: skip
                for k, v in vals.items():
                    acc[k] = acc.get(k, 0) + v / len(self.networks)
        return acc

    def predict_features(self, feats, *, dynamic: bool = True) -> dict[str, Any]:
        """Static and dynamic predictions from :class:`~mvemo.features.midi.MidiFeatures`."""
        cats = self.categories
        s = self._outputs(feats, np.array([0.0]), np.array([max(feats.duration, 1e-3)]))
        static = {
            "category": cats[int(s["category"][0].argmax())],
            "intensity": float(quantize_intensity(float(np.clip(s["intensity"][0], 0, 1)))),
            "probabilities": {c: round(float(p), 5) for c, p in zip(cats, s["category"][0])},
            "valence": round(float(s["va"][0, 0]), 4),
            "arousal": round(float(s["va"][0, 1]), 4),
            "quadrant": QUADRANTS[int(s["quadrant"][0].argmax())],
            "quadrant_probabilities": {q: round(float(p), 5) for q, p in zip(QUADRANTS, s["quadrant"][0])},
        }
        frames = []
        times = grid_times(feats.duration) if dynamic else np.zeros(0)
        if len(times):
            d = self._outputs(feats, times - WINDOW_HALF_WIDTH, times + WINDOW_HALF_WIDTH)
            levels = quantize_intensity(np.clip(d["intensity"], 0, 1))
            for i, t in enumerate(times):
                frames.append({"time": float(t), "category": cats[int(d["category"][i].argmax())],
                               "intensity": float(levels[i]), "valence": round(float(d["va"][i, 0]), 4),
                               "arousal": round(float(d["va"][i, 1]), 4)})  # fmt: skip
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


def load_symbolic_model(weights: str | Path | None = None) -> SymbolicEmotionModel:
    """Load the symbolic weights shipped with mvemo (or the file ``weights``)."""
    from mvemo.models.symbolic import SymbolicConfig, SymbolicEmotionNet

    from mvemo.models.checkpoint import load_checkpoint

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
    return SymbolicEmotionModel(meta["name"], nets, meta)


def save_symbolic_model(networks: list, meta: dict, path: str | Path) -> None:
    """Write the networks (float16 weights, configs) and metadata atomically."""
    from mvemo.models.checkpoint import half_state, save_checkpoint

    entries = [{"config": net.cfg.to_dict(), "state_dict": half_state(net.state_dict(), keep=("mean", "std"))}
               for net in networks]  # fmt: skip
    save_checkpoint(meta, path, networks=entries)
