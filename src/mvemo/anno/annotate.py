"""Annotation with MVAnno: static labels from MVAnno_static, dynamic labels from MVAnno_dynamic.

Records have the format of ``mvemo predict`` (docs/predict.md); :func:`make_record` is the ONE
place that builds them (plain dicts), so typed records (``mvemo.records``) can replace it.
Every field derives from the head's (28, 11) distribution through
:func:`mvemo.conversion.point.summarize_many`.

Inputs: audio (music tokens; static and dynamic), MIDI (static and dynamic) and lyrics text
files (``.txt``/``.lrc``; static, and dynamic for synced LRC).  The dynamic branch was trained
on music only: the 0.5-s labels of MIDI and LRC lyrics come from MVAnno_static on the ±2.5-s
window around each time (not validated: no dynamic MIDI or lyrics labels offline).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np

from mvemo.anno.backends import cpu_data as cd
from mvemo.anno.checkpoint import load_tensors, read_json
from mvemo.conversion.dynamic import grid_times
from mvemo.conversion.point import summarize_many
from mvemo.conversion.quadrant import QUADRANTS
from mvemo.errors import DataError, ParameterError
from mvemo.representation import CATEGORIES

__all__ = ["SHIPPED", "WEIGHTS_DIR", "Annotator", "export_weights", "make_record", "modality_of"]

WEIGHTS_DIR = Path(__file__).resolve().parent.parent / "models" / "weights"
#: The shipped model: ``<name>.json`` (settings, metrics) and ``<name>-static/-dynamic.safetensors``.
SHIPPED = "mvanno-cpu-v1"
_AUDIO = {".mp3", ".wav", ".flac", ".ogg", ".opus", ".m4a", ".aac", ".aiff", ".aif"}
_MIDI = {".mid", ".midi"}
_LYRICS = {".txt", ".lrc"}


def modality_of(path: str | Path) -> str:
    """``music``, ``symbolic`` or ``lyrics`` by suffix (``ParameterError`` otherwise)."""
    suf = Path(path).suffix.lower()
    if suf in _AUDIO:
        return "music"
    if suf in _MIDI:
        return "symbolic"
    if suf in _LYRICS:
        return "lyrics"
    raise ParameterError(
        f"{path}: mvanno annotates audio, MIDI and lyrics (.txt/.lrc) files, not {suf or 'no suffix'!r}"
    )


def _r(x: float) -> float:
    return round(float(x), 4)


def make_record(
    file: str,
    *,
    model: str,
    modality: str,
    duration: float | None,
    static: np.ndarray,
    times: np.ndarray,
    frames: np.ndarray,
    features: dict[str, Any],
) -> dict[str, Any]:
    """A prediction record (docs/predict.md) from grid distributions.

    Parameters
    ----------
    file : str
    model, modality : str
    duration : float or None
        Seconds.
    static : np.ndarray, shape (28, 11)
    times : np.ndarray, shape (T,)
        Dynamic grid times in seconds.
    frames : np.ndarray, shape (T, 28, 11)
    features : dict
    """
    s = summarize_many(static)
    rec_static = {
        "category": CATEGORIES[int(s.category)],
        "intensity": float(s.intensity),
        "probabilities": {c: _r(p) for c, p in zip(CATEGORIES, s.probabilities)},
        "valence": _r(s.valence),
        "arousal": _r(s.arousal),
        "quadrant": QUADRANTS[int(s.quadrant)],
        "quadrant_probabilities": {q: _r(p) for q, p in zip(QUADRANTS, s.quadrant_probabilities)},
    }
    dynamic = []
    if len(times):
        d = summarize_many(frames)
        dynamic = [
            {"time": _r(t), "category": CATEGORIES[int(c)], "intensity": float(i), "valence": _r(v), "arousal": _r(a)}
            for t, c, i, v, a in zip(times, d.category, d.intensity, d.valence, d.arousal)
        ]
    return {
        "file": file,
        "model": model,
        "modality": modality,
        "duration": None if duration is None else _r(duration),
        "static": rec_static,
        "dynamic": dynamic,
        "features": features,
    }


class Annotator:
    """MVAnno_static and MVAnno_dynamic of one trained model.

    Parameters
    ----------
    weights : str or Path, optional
        A run folder of ``mvemo anno train`` (the branches' last trained stages are used) or
        a ``<name>.json`` of exported weights; default the shipped ``mvanno-cpu-v1``.
    cache_dir : str, optional
        Feature cache root.

    Raises
    ------
    DataError
        Missing or unreadable weights.
    """

    def __init__(self, weights: str | Path | None = None, *, cache_dir: str | None = None) -> None:
        from mvemo.anno.backends.cpu import CpuBackend

        src = Path(weights) if weights is not None else WEIGHTS_DIR / f"{SHIPPED}.json"
        if src.is_dir():
            state = read_json(src / "state.json")
            info = _run_info(src, state)
        else:
            info = read_json(src)
            info["static"] = str(src.with_name(info["static"]))
            info["dynamic"] = str(src.with_name(info["dynamic"])) if info.get("dynamic") else None
        self.name = info.get("name", src.stem)
        self.backend = CpuBackend(model=info.get("model", {}), cache_dir=cache_dir)
        self.static = self._load(info["static"])
        self.dynamic = self._load(info["dynamic"]) if info.get("dynamic") else None

    def _load(self, path: str | Path):
        model = self.backend.new_model(seed=0)
        self.backend.load_weights(model, {k: v.astype(np.float32) for k, v in load_tensors(path).items()})
        model.eval()
        return model

    def annotate(self, path: str | Path, *, dynamic: bool = True) -> dict[str, Any]:
        """The record of one file (``DataError`` for unreadable, empty or silent input);
        ``dynamic=False`` leaves the ``dynamic`` list empty (static labels only)."""
        from mvemo.anno.backends.cpu import predict_grid

        p = Path(path)
        if not p.is_file():
            raise DataError(f"{p}: no such file")
        kind = modality_of(p)
        times, frames, duration, feats = np.zeros(0), np.zeros((0, 28, 11)), None, {}
        if kind == "music":
            blocks = self.backend.music_blocks(p)
            duration = blocks.duration
            tok = self.backend.music_static(blocks)
            static = predict_grid(self.static, {"music": tok[None]}, {"music": np.zeros((1, len(tok)), bool)})[0]
            if dynamic and self.dynamic is not None:
                times = grid_times(duration)
                if len(times):
                    wt, wp = self.backend.music_windows(blocks, times)
                    frames = predict_grid(self.dynamic, {"music": wt}, {"music": wp})
            feats = {"n_blocks": int(blocks.n_blocks)}
        elif kind == "symbolic":
            from mvemo.features.midi import midi_features

            mf = midi_features(p)
            duration = float(mf.duration)
            tok = cd.midi_tokens(mf)
            static = predict_grid(self.static, {"midi": tok[None]}, {"midi": np.zeros((1, len(tok)), bool)})[0]
            if dynamic:
                # MVAnno_static on each ±2.5-s window (the dynamic branch trained on music only);
                # not validated: no dynamic MIDI labels offline
                times = grid_times(duration)
                if len(times):
                    wt = cd.midi_window_tokens(mf, times)
                    frames = predict_grid(self.static, {"midi": wt}, {"midi": np.zeros(wt.shape[:2], bool)})
            feats = {"tempo": _r(mf.tempo)}
        else:
            try:
                text = p.read_text(encoding="utf-8")
            except (OSError, UnicodeDecodeError) as exc:
                raise DataError(f"{p}: cannot read lyrics: {exc}") from exc
            tok = cd.lyrics_tokens(*self.backend.lyrics_units(text))
            static = predict_grid(self.static, {"lyrics": tok[None]}, {"lyrics": np.zeros((1, len(tok)), bool)})[0]
            feats = {"n_chunks": len(tok)}
            if dynamic:
                times, frames, duration = self._lyrics_dynamic(text)
        return make_record(
            str(path),
            model=self.name,
            modality=kind,
            duration=duration,
            static=static,
            times=times,
            frames=frames,
            features=feats,
        )

    def _lyrics_dynamic(self, text: str) -> tuple[np.ndarray, np.ndarray, float | None]:
        """0.5-s labels of synced (LRC) lyrics: MVAnno_static on the sung lines of each ±2.5-s
        window (one token per line, the gap rule of the lyrics model), not validated (no dynamic
        lyrics labels offline); plain text gives none.  Returns (times, frames, duration)."""
        from mvemo.anno.backends.cpu import predict_grid
        from mvemo.features.lyrics import lexicon_stats
        from mvemo.predict.lyrics import line_windows, parse_text

        lyrics = parse_text(text)
        none = np.zeros(0), np.zeros((0, 28, 11)), None
        if not lyrics.synced or lyrics.duration is None:
            return none
        duration = float(lyrics.duration)
        times = grid_times(duration)
        cleaned = lyrics.cleaned_lines()
        sung = [i for i, c in enumerate(cleaned) if c]
        if not len(times) or not sung:
            return np.zeros(0), np.zeros((0, 28, 11)), duration
        line_t = np.array([ln.time for ln in lyrics.lines], dtype=np.float64)
        starts = line_t[sung]
        ends = np.array([min(line_t[line_t > line_t[i] + 1e-9], default=max(duration, line_t[i])) for i in sung])
        w, _ = line_windows(starts, ends, times)
        lines = [cleaned[i] for i in sung]
        emb = self.backend.sentence_encoder.encode(lines)
        tok_lines = np.concatenate([emb, cd.signed_log(lexicon_stats(lines))], axis=1).astype(np.float32)
        k = min(cd.LYRICS_TOKENS, int((w > 0).sum(1).max()))
        wt = np.zeros((len(times), k, tok_lines.shape[1]), np.float32)
        wp = np.ones((len(times), k), bool)
        for r in range(len(times)):
            idx = np.flatnonzero(w[r] > 0)[:k]
            wt[r, : len(idx)], wp[r, : len(idx)] = tok_lines[idx], False
        return times, predict_grid(self.static, {"lyrics": wt}, {"lyrics": wp}), duration


def _run_info(run: Path, state: dict[str, Any]) -> dict[str, Any]:
    done = [n for n in state.get("order", state["stages"]) if state["stages"].get(n, {}).get("status") == "done"]
    last = {
        b: next((n for n in reversed(done) if state["stages"][n]["branch"] == b), None) for b in ("static", "dynamic")
    }
    if last["static"] is None:
        raise DataError(f"{run}: no trained static stage (run `mvemo anno train` first)")
    meta = read_json(run / "stages" / last["static"] / "meta.json")
    return {
        "name": f"mvanno-cpu ({run.name})",
        "model": meta.get("backend_options", {}).get("model", {}),
        "static": str(run / "stages" / last["static"] / "model.safetensors"),
        "dynamic": str(run / "stages" / last["dynamic"] / "model.safetensors") if last["dynamic"] else None,
    }


def export_weights(run: str | Path, out_dir: str | Path, *, name: str, extra: dict[str, Any] | None = None) -> Path:
    """Write a run's MVAnno_static/_dynamic as float16 safetensors + ``<name>.json``; returns the JSON path."""
    from mvemo.anno.checkpoint import save_tensors, write_json

    run, out_dir = Path(run), Path(out_dir)
    info = _run_info(run, read_json(run / "state.json"))
    files = {}
    for branch in ("static", "dynamic"):
        if info[branch] is None:
            continue
        arrays = {
            k: v.astype(np.float16) if v.dtype == np.float32 else v for k, v in load_tensors(info[branch]).items()
        }
        files[branch] = f"{name}-{branch}.safetensors"
        save_tensors(out_dir / files[branch], arrays, metadata={"name": name, "branch": branch})
    meta = {"name": name, "backend": "mvanno-cpu", "model": info["model"], **files, **(extra or {})}
    return write_json(out_dir / f"{name}.json", json.loads(json.dumps(meta)))
