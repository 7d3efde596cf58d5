"""Settings of the symbolic trainer and one labelled clip."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from mvemo.errors import ParameterError
from mvemo.io.config import read_toml_config

__all__ = ["Clip", "SymbolicTrainConfig"]


@dataclass
class SymbolicTrainConfig:
    """Training settings (a TOML file gives any of them).

    ``networks_from``: a symbolic weights file whose (frame) networks are taken as they are
    instead of training ``n_seeds`` / ``frame_seeds`` new ones (the linear model is still fitted);
    empty or None trains them.
    """

    seed: int = 0
    data_home: str | None = None
    cache_dir: str | None = None
    out_dir: str = "build/symbolic"
    datasets: tuple[str, ...] = ("emopia", "vgmidi")
    epochs: int = 60
    batch_size: int = 64
    lr: float = 2e-3
    weight_decay: float = 1e-2
    dropout: float = 0.3
    hidden: int = 128
    head_hidden: int = 64
    chord_dim: int = 32
    max_chords: int = 48
    use_chords: bool = True
    n_random: int = 8
    min_window: float = 5.0
    n_seeds: int = 1
    baselines: bool = True
    evaluate_test: bool = False
    threads: int = 1
    frame_seeds: int = 0
    frame_epochs: int = 12
    frame_batch_size: int = 32
    frame_n_random: int = 1
    frame_pc_channels: int = 16
    frame_channels: int = 48
    tempo_stretch: float = 0.1
    frame_weight: float = 0.5
    linear: bool = False
    linear_datasets: tuple[str, ...] = ("emopia",)
    valence_inputs: tuple[str, ...] = ("stats", "valence")
    arousal_inputs: tuple[str, ...] = ("stats",)
    linear_cs: tuple[float, ...] = (0.003, 0.01, 0.03, 0.1, 0.3, 1.0)
    linear_folds: int = 5
    linear_n_random: int = 0
    linear_weight: float = 1.0
    conform_categories: bool = False
    networks_from: str | None = None
    head_weights: dict[str, float] = field(default_factory=lambda: {"category": 0.3, "intensity": 0.3, "va": 0.5})

    def __post_init__(self) -> None:
        if self.conform_categories and not self.linear:
            raise ParameterError(
                "conform_categories = true needs the linear model (linear = true): it rescales "
                "the networks' categories to the blended quadrant"
            )

    @classmethod
    def from_toml(cls, path: str | Path) -> SymbolicTrainConfig:
        """Read a TOML config; unknown keys are an error."""
        return read_toml_config(
            cls, path, tuple_keys=("datasets", "linear_datasets", "valence_inputs", "arousal_inputs", "linear_cs")
        )


@dataclass
class Clip:
    """One labelled MIDI clip with its features and targets."""

    id: str
    dataset: str
    split: str
    features: Any  # MidiFeatures
    quadrant: int  # 0-3
    category: int  # index into the 28 categories
    intensity: float
    va: np.ndarray  # (2,) in [-1, 1]
