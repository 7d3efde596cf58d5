"""Which files ``mvemo predict --annotator`` sends to MVAnno, and which to the per-modality models.

``--annotator`` takes:

============  ===================================================================================
``none``      today's per-modality models for everything (the default)
``mvanno-cpu``  the shipped annotator for every modality it covers (audio, MIDI, lyrics)
``auto``      the shipped annotator only for the modalities where its recorded validation D_e
              is at most the separate shipped model's (the ``validation`` record of its
              ``<name>.json``, written by ``scripts/make_mvanno_card.py``)
PATH          an annotator checkpoint (a run folder of ``mvemo anno train`` or an exported
              ``<name>.json``) for every modality it covers
============  ===================================================================================

Videos and audio that comes with lyrics (``--lyrics`` or a sidecar) always go to the fused
per-modality models: the annotator's multimodal stages did not train offline (no item has two
labelled modalities), so it has no fused output to give.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from mvemo.errors import DataError, ParameterError

__all__ = [
    "ANNOTATOR_MODALITIES",
    "STAGE_MODALITY",
    "AnnotatorChoice",
    "AnnotatingRouter",
    "compare_with_separate",
    "resolve_annotator",
]

#: Router modalities (:func:`mvemo.predict.router.modality_of`) the annotator can label alone.
ANNOTATOR_MODALITIES = ("music", "symbolic", "lyrics")
#: Curriculum stage -> router modality of its validation data.
STAGE_MODALITY = {"music": "music", "lyrics": "lyrics", "midi": "symbolic"}
_CHOICES = ("none", "mvanno-cpu", "auto")


def compare_with_separate(
    per_dataset: dict[str, dict[str, Any]], separate: dict[str, tuple[str, float]]
) -> dict[str, Any]:
    """The ``validation`` record of an exported annotator: D_e per dataset and per modality,
    the annotator beside the separate shipped model on the same validation items.

    Parameters
    ----------
    per_dataset : dict
        ``dataset -> {"stage": str, "n": int, "D_e": float}``: MVAnno_static's validation D_e
        after its last stage (stages ``music``, ``lyrics``, ``midi``; others are ignored).
    separate : dict
        ``dataset -> (model name, D_e)`` of the separate shipped model on the same split.

    Returns
    -------
    dict
        ``{"datasets": {ds: {...}}, "modalities": {modality: {"n", "annotator", "separate",
        "separate_model", "datasets", "annotator_better_or_equal"}}}``.  A modality's numbers are
        the n-weighted means over its datasets that have a separate-model number; a modality
        without any is absent (``auto`` then keeps the separate model).

    Examples
    --------
    >>> r = compare_with_separate(
    ...     {"a": {"stage": "music", "n": 3, "D_e": 0.2}, "b": {"stage": "music", "n": 1, "D_e": 0.4}},
    ...     {"a": ("m", 0.3), "b": ("m", 0.1)})
    >>> r["modalities"]["music"]["annotator"], r["modalities"]["music"]["separate"]
    (0.25, 0.25)
    >>> r["modalities"]["music"]["annotator_better_or_equal"]
    True
    """
    datasets: dict[str, Any] = {}
    sums: dict[str, list[Any]] = {}
    for ds, row in sorted(per_dataset.items()):
        modality = STAGE_MODALITY.get(str(row["stage"]))
        if modality is None:
            continue
        n, de = int(row["n"]), float(row["D_e"])
        entry: dict[str, Any] = {"stage": row["stage"], "modality": modality, "n": n, "annotator": round(de, 4)}
        ref = separate.get(ds)
        if ref is not None:
            entry.update(separate_model=ref[0], separate=round(float(ref[1]), 4))
            acc = sums.setdefault(modality, [0, 0.0, 0.0, set(), []])
            acc[0] += n
            acc[1] += n * de
            acc[2] += n * float(ref[1])
            acc[3].add(ref[0])
            acc[4].append(ds)
        datasets[ds] = entry
    modalities = {}
    for modality, (n, a, s, models, names) in sorted(sums.items()):
        if n == 0:
            continue
        ann, sep = round(a / n, 4), round(s / n, 4)
        modalities[modality] = {
            "n": n,
            "annotator": ann,
            "separate": sep,
            "separate_model": ", ".join(sorted(models)),
            "datasets": names,
            "annotator_better_or_equal": bool(ann <= sep),
        }
    return {"datasets": datasets, "modalities": modalities}


@dataclass(frozen=True)
class AnnotatorChoice:
    """What ``--annotator`` resolved to.

    Attributes
    ----------
    spec : str
        The option's value.
    weights : Path or None
        The annotator (run folder or ``<name>.json``); None for ``none`` or when ``auto``
        chose no modality.
    modalities : frozenset of str
        Router modalities sent to the annotator.
    reasons : dict
        ``modality -> why`` (for ``auto``: the recorded numbers behind each decision).
    """

    spec: str
    weights: Path | None
    modalities: frozenset[str]
    reasons: dict[str, str] = field(default_factory=dict)

    def describe(self) -> str:
        """One line per modality: which model labels it and why."""
        if not self.modalities and not self.reasons:
            return f"--annotator {self.spec}: per-modality models for every file"
        lines = [f"--annotator {self.spec}:"]
        for m in ANNOTATOR_MODALITIES:
            who = f"annotator ({self.weights.name})" if m in self.modalities and self.weights else "per-modality model"
            why = self.reasons.get(m)
            lines.append(f"  {m}: {who}" + (f" ({why})" if why else ""))
        lines.append("  video, audio + lyrics: per-modality models, fused (no multimodal annotator stage trained)")
        return "\n".join(lines)


def _read_info(path: Path) -> dict[str, Any]:
    from mvemo.anno.checkpoint import read_json

    info = read_json(path)
    if not isinstance(info, dict) or "static" not in info:
        raise DataError(f"{path}: not an exported annotator (<name>.json with 'static' weights)")
    return info


def resolve_annotator(spec: str) -> AnnotatorChoice:
    """Resolve ``--annotator`` (see the module docs).

    Raises
    ------
    ParameterError
        A value that is neither a choice nor an existing run folder / ``.json`` file.
    DataError
        ``auto`` or a path whose annotator metadata cannot be read.
    """
    from mvemo.anno.annotate import SHIPPED, WEIGHTS_DIR

    spec = str(spec).strip()
    shipped = WEIGHTS_DIR / f"{SHIPPED}.json"
    if spec == "none":
        return AnnotatorChoice(spec, None, frozenset())
    if spec == "mvanno-cpu":
        return AnnotatorChoice(spec, shipped, frozenset(ANNOTATOR_MODALITIES))
    if spec == "auto":
        record = _read_info(shipped).get("validation", {}).get("modalities", {})
        chosen, reasons = set(), {}
        for m in ANNOTATOR_MODALITIES:
            r = record.get(m)
            if r is None:
                reasons[m] = f"no validation D_e recorded in {shipped.name}"
                continue
            better = float(r["annotator"]) <= float(r["separate"])
            op = "<=" if better else ">"
            reasons[m] = (
                f"validation D_e {float(r['annotator']):.4f} {op} {float(r['separate']):.4f} of "
                f"{r['separate_model']}, n={r['n']}"
            )
            if better:
                chosen.add(m)
        return AnnotatorChoice(spec, shipped if chosen else None, frozenset(chosen), reasons)
    p = Path(spec)
    if p.is_dir() and (p / "state.json").is_file():
        from mvemo.anno.annotate import _run_info
        from mvemo.anno.checkpoint import read_json

        _run_info(p, read_json(p / "state.json"))  # a run without a trained static stage fails here
        return AnnotatorChoice(spec, p, frozenset(ANNOTATOR_MODALITIES))
    if p.is_file() and p.suffix.lower() == ".json":
        _read_info(p)
        return AnnotatorChoice(spec, p, frozenset(ANNOTATOR_MODALITIES))
    raise ParameterError(
        f"--annotator {spec!r}: expected one of {', '.join(_CHOICES)}, a run folder of `mvemo anno train` "
        "(with state.json) or an exported annotator <name>.json" + ("" if p.exists() else f" ({spec!r} does not exist)")
    )


class AnnotatingRouter:
    """``mvemo predict``'s router with the annotator in front for the chosen modalities.

    Parameters
    ----------
    choice : AnnotatorChoice
    router : mvemo.predict.router.Router
        The per-modality models (everything the annotator does not label).
    dynamic : bool
        Also the 0.5-s labels (MVAnno_dynamic for audio).
    cache_dir : str, optional
        The annotator's feature cache root.
    """

    def __init__(self, choice: AnnotatorChoice, router: Any, *, dynamic: bool = True, cache_dir: str | None = None):
        self.choice, self.router, self.dynamic, self.cache_dir = choice, router, bool(dynamic), cache_dir
        self._annotator = None

    @property
    def annotator(self):
        """The annotator, loaded on first use."""
        if self._annotator is None:
            from mvemo.anno.annotate import Annotator

            self._annotator = Annotator(self.choice.weights, cache_dir=self.cache_dir)
        return self._annotator

    def predict(self, path: str | Path, *, lyrics: str | Path | None = None) -> dict[str, Any]:
        """The record (JSON dict of ``docs/predict.md``) of one file."""
        from mvemo.predict.router import modality_of

        if self.choice.weights is not None and modality_of(path, lyrics=lyrics) in self.choice.modalities:
            return self.annotator.annotate(path, dynamic=self.dynamic)
        return self.router.predict(path, lyrics=lyrics).to_dict()
