"""Multimodal prediction: music (audio track), video (frames) and lyrics, fused.

``load_multimodal_model().predict("clip.mp4", lyrics="clip.lrc")`` runs each modality the
file has -- the music model on its audio track, the video model on its frames, the lyrics
model on a lyrics file given beside it -- and fuses their static and dynamic labels
(:mod:`mvemo.models.fusion`).  A modality the input lacks is reported as
``{"missing": why}``, one that fails as ``{"error": why}``; the others still fuse.  An
audio-only file given with lyrics goes through here too (video then missing).

The record has the contract's fields, with ``static``/``dynamic`` equal to the fused
labels (so CSV output works unchanged), plus ``modalities`` {music, video, lyrics} and
``fused`` {static, dynamic, method, weights}; ``"modality": "multimodal"``.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from mvemo._extras import require
from mvemo.conversion.grids import heads_to_grid
from mvemo.errors import DataError, MvemoError
from mvemo.models.fusion import (
    FUSION_MODALITIES,
    FusionHead,
    confidence,
    fuse_dynamic,
    fuse_static,
    fusion_input,
    static_from_grid,
)
from mvemo.models.registry import model_entry, version_of
from mvemo.predict.checks import with_warnings
from mvemo.predict.inputs import names_lyrics_file
from mvemo.records import EmotionFrame, FusedPrediction, ModalityPrediction, PredictionRecord, StaticPrediction

__all__ = ["MODEL_NAME", "MultimodalModel", "load_multimodal_model", "save_fusion_head", "load_fusion_head"]

MODEL_NAME = model_entry("multimodal").model_name
#: Lyrics that look non-English get their confidence scaled by this (the embedding model is English).
NON_ENGLISH_LYRICS_FACTOR = 0.25
#: Errors a modality may raise that are reported instead of failing the whole file.
_MODALITY_ERRORS = (MvemoError, ImportError, OSError, ValueError, RuntimeError)


def _load_lyrics_model():
    # written by the lyrics engineer; imported only when lyrics are given
    module = importlib.import_module("mvemo.predict.lyrics")
    return module.load_lyrics_model()


def _load_music_model():
    from mvemo.predict.music import load_music_model

    return load_music_model()


def _load_video_model():
    from mvemo.predict.video import load_video_model

    return load_video_model()


@dataclass
class MultimodalModel:
    """Runs the per-modality predictors (each loaded on first use) and fuses them.

    Parameters
    ----------
    head : torch.nn.Module, optional
        A trained fusion head (``mvemo train fusion``); default: confidence-weighted fusion.
    head_meta : dict
    loaders : dict
        ``modality -> zero-argument loader`` of its predictor (for other weights or tests).
    """

    head: Any = None
    head_meta: dict = field(default_factory=dict)
    loaders: dict[str, Callable[[], Any]] = field(default_factory=dict)
    _models: dict[str, Any] = field(default_factory=dict, repr=False)

    def __post_init__(self) -> None:
        defaults = {"music": _load_music_model, "video": _load_video_model, "lyrics": _load_lyrics_model}
        self.loaders = {**defaults, **self.loaders}

    @property
    def name(self) -> str:
        """The fusion head's name, or the late-fusion model's when no head is loaded."""
        return self.head_meta.get("name", MODEL_NAME) if self.head is not None else MODEL_NAME

    @property
    def version(self) -> str:
        """The model's version (``"v3"``), from its name."""
        return version_of(self.name)

    def model(self, modality: str) -> Any:
        """The predictor of ``modality``, loaded once."""
        if modality not in self._models:
            self._models[modality] = self.loaders[modality]()
        return self._models[modality]

    # -- per modality -------------------------------------------------------------------
    def _run(self, modality: str, path: Path, dynamic: bool, **options: Any) -> dict[str, Any]:
        import inspect

        try:
            predict = self.model(modality).predict
            params = inspect.signature(predict).parameters  # a predictor may not take every option
            rec = predict(path, dynamic=dynamic, **{k: v for k, v in options.items() if k in params})
        except _MODALITY_ERRORS as exc:
            return {"error": f"{type(exc).__name__}: {exc}"}
        d = rec.to_dict() if isinstance(rec, PredictionRecord) else rec  # a stand-in may answer with JSON
        out = {
            "model": d.get("model"),
            "static": d["static"],
            "dynamic": d.get("dynamic", []),
            "features": d.get("features", {}),
            "duration": d.get("duration"),
        }
        if modality == "lyrics":
            out["file"] = str(path) if isinstance(path, Path) else d.get("file", "<lyrics>")
        if d.get("warnings"):
            out["warnings"] = list(d["warnings"])
        return out

    def modality_records(
        self, path: str | Path, *, dynamic: bool = True, lyrics: str | Path | None = None
    ) -> dict[str, dict[str, Any]]:
        """``modality -> record | {"missing": why} | {"error": why}`` for music, video, lyrics (JSON).

        ``lyrics`` is a lyrics file, or the lyrics' text (a string that does not name a
        ``.lrc``/``.txt`` file: see :meth:`mvemo.predict.lyrics.LyricsEmotionModel.predict`).
        """
        from mvemo.io.video import media_streams

        p = Path(path)
        streams = media_streams(p)
        out: dict[str, dict[str, Any]] = {}
        out["music"] = self._run("music", p, dynamic) if streams["audio"] else {"missing": "no audio track"}
        out["video"] = self._run("video", p, dynamic) if streams["video"] else {"missing": "no video stream"}
        if lyrics is None:
            out["lyrics"] = {"missing": "no lyrics given"}
        elif isinstance(lyrics, str) and not names_lyrics_file(lyrics):  # the lyrics' text, in memory
            out["lyrics"] = self._run("lyrics", lyrics, dynamic)
        elif not Path(lyrics).is_file():
            out["lyrics"] = {"error": f"DataError: {lyrics}: no such lyrics file"}
        else:
            from mvemo.limits import LRC_AUDIO_SLACK

            # LRC times are bounded by the media they go with (its decoded duration, plus a little slack).
            media = [out[m].get("duration") for m in ("music", "video") if "static" in out[m]]
            known = [float(d) for d in media if d is not None]
            bound = {"max_time": max(known) + LRC_AUDIO_SLACK} if known else {}
            out["lyrics"] = self._run("lyrics", Path(lyrics), dynamic, **bound)
        return out

    # -- fusion -------------------------------------------------------------------------
    def fuse(self, mods: dict[str, dict[str, Any]]) -> dict[str, Any]:
        """Fused ``static``, ``dynamic``, ``method`` and ``weights`` (JSON) of the available modalities.

        ``mods`` are :meth:`modality_records`' JSON records; each available one gets its
        ``confidence`` written into it.
        """
        ok = {m: ModalityPrediction.from_dict(r, where=f"modalities.{m}") for m, r in mods.items() if "static" in r}
        conf = {m: confidence(r.static.probabilities) if r.static.probabilities else 0.0 for m, r in ok.items()}
        lyr = ok.get("lyrics")
        if lyr is not None and lyr.features.get("language_hint", {}).get("likely_english") is False:
            conf["lyrics"] *= NON_ENGLISH_LYRICS_FACTOR  # the lyrics model reads English only
        for m in ok:
            mods[m]["confidence"] = round(conf[m], 4)
        if self.head is None:
            total = sum(conf.values())
            weights = {m: (c / total if total > 0 else 1.0 / len(ok)) for m, c in conf.items()}
            return {
                "method": "confidence-weighted late fusion",
                "weights": {m: round(w, 4) for m, w in weights.items()},
                "static": fuse_static({m: r.static for m, r in ok.items()}, conf),
                "dynamic": fuse_dynamic({m: r.dynamic for m, r in ok.items()}, conf),
            }
        static = self._head_labels([{m: r.static for m, r in ok.items()}], conf)[0].to_dict()
        by_time: dict[float, dict[str, EmotionFrame]] = {}
        for m, r in ok.items():
            for e in r.dynamic:
                if e.label is not None:
                    by_time.setdefault(round(float(e.time), 3), {})[m] = e
        times = sorted(by_time)
        dyn = []
        if times:
            labels = self._head_labels([by_time[t] for t in times], conf)
            for t, s in zip(times, labels):
                dyn.append(
                    EmotionFrame(
                        t, s.label, valence=s.valence, arousal=s.arousal, extra={"modalities": sorted(by_time[t])}
                    ).to_dict()
                )
        return {
            "method": "fusion head",
            "weights": {m: round(c, 4) for m, c in conf.items()},
            "static": static,
            "dynamic": dyn,
        }

    def _head_labels(self, rows: list[dict[str, Any]], conf: dict[str, float]) -> list[StaticPrediction]:
        return self._head_labels_from_x(np.stack([fusion_input(r, conf) for r in rows]))

    def _head_labels_from_x(self, x: np.ndarray) -> list[StaticPrediction]:
        """Static-style labels of the fusion head for inputs ``x`` (N, 21)."""
        torch = require("torch", extra="torch")
        with torch.no_grad():
            out = self.head(torch.from_numpy(np.asarray(x, dtype=np.float32)))
        probs = torch.softmax(out.category, -1).numpy()
        # the head's VA output is not used: VA derives from the grid
        grids = heads_to_grid(probs, out.intensity.numpy(), normalize=False)
        return [StaticPrediction.from_dict(static_from_grid(g)) for g in grids]

    # -- the record ---------------------------------------------------------------------
    def predict(self, path: str | Path, *, dynamic: bool = True, lyrics: str | Path | None = None) -> PredictionRecord:
        """The multimodal record of one file (and its lyrics, if given).

        Raises
        ------
        DataError
            If the file cannot be read at all, or no modality gives a prediction (the
            message names the file and each modality's problem).
        """
        mods = self.modality_records(path, dynamic=dynamic, lyrics=lyrics)
        in_memory = lyrics is None or (isinstance(lyrics, str) and not names_lyrics_file(lyrics))
        lyrics_file = None if in_memory else str(lyrics)
        return self.predict_features(mods, file=str(path), lyrics_file=lyrics_file)

    def predict_features(
        self,
        features: dict[str, dict[str, Any]],
        *,
        dynamic: bool = True,
        file: str = "",
        lyrics_file: str | None = None,
    ) -> PredictionRecord:
        """The fused record of per-modality records (:meth:`modality_records`' answer).

        ``dynamic`` is decided when the modality records are made; ``lyrics_file`` goes to
        ``features``.

        Raises
        ------
        DataError
            If no modality gives a prediction (the message names each modality's problem).
        """
        path, mods = file, {m: dict(r) for m, r in features.items()}
        if not any("static" in r for r in mods.values()):
            why = "; ".join(f"{m}: {r.get('error') or r.get('missing')}" for m, r in mods.items())
            raise DataError(f"{path}: no modality could be predicted ({why})")
        fused = self.fuse(mods)
        durations = [mods[m].get("duration") for m in ("video", "music", "lyrics") if "static" in mods[m]]
        duration = next((d for d in durations if d is not None), None)
        fused_rec = FusedPrediction.from_dict(fused)
        warnings = [f"{m}: {w}" for m, r in mods.items() for w in r.get("warnings", [])]
        return with_warnings(
            PredictionRecord(
                file=str(path),
                model=self.name,
                modality="multimodal",
                duration=duration,
                static=fused_rec.static,
                dynamic=fused_rec.dynamic,
                features={"used": [m for m in FUSION_MODALITIES if "static" in mods[m]], "lyrics_file": lyrics_file},
                modalities={m: ModalityPrediction.from_dict(r, where=f"modalities.{m}") for m, r in mods.items()},
                fused=fused_rec,
            ),
            warnings,
        )


def load_multimodal_model(
    weights: str | Path | None = None, *, loaders: dict[str, Callable[[], Any]] | None = None
) -> MultimodalModel:
    """The multimodal predictor: confidence-weighted fusion, or the fusion head in ``weights``.

    Parameters
    ----------
    weights : path, optional
        A fusion head written by ``mvemo train fusion``.
    loaders : dict, optional
        ``modality -> zero-argument loader`` replacing the default predictors.
    """
    head, meta = (None, {}) if weights is None else load_fusion_head(weights)
    return MultimodalModel(head=head, head_meta=meta, loaders=dict(loaders or {}))


def save_fusion_head(head, meta: dict, path: str | Path) -> Path:
    """Write a fusion head and its metadata atomically."""
    from mvemo.models.checkpoint import save_checkpoint

    return save_checkpoint(meta, path, state_dict=head.state_dict())


def load_fusion_head(path: str | Path):
    """``(head, meta)`` from :func:`save_fusion_head`'s file."""
    from mvemo.models.checkpoint import load_checkpoint

    blob = load_checkpoint(path, what="fusion weights")
    meta = blob["meta"]
    if meta.get("kind") != "fusion-head":
        raise DataError(f"{path}: not a fusion head (kind {meta.get('kind')!r})")
    head = FusionHead(hidden=int(meta["hidden"]))
    head.load_state_dict(blob["state_dict"])
    head.eval()
    return head, meta
