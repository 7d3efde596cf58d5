"""Which files ``mvemo predict --annotator`` sends to MVAnno, and which to the per-modality models.

``--annotator`` takes:

============  ===================================================================================
``none``      today's per-modality models for everything (the default)
``mvanno-cpu``  the shipped annotator for every modality it covers (audio, MIDI, lyrics)
``auto``      the shipped annotator only for the modalities where its recorded validation D_e
              against the informative reference is at most the separate shipped model's on
              the same items (the ``validation`` record of its ``<name>.json``, written by
              ``scripts/make_mvanno_card.py``; records without informative numbers: paper)
              *and* its labels carry information: :data:`MIN_INTENSITY_STD` and
              :data:`MIN_INTENSITY_LEVELS` (issue #16's floor for every shipped model)
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
from mvemo.metrics.emotion import LABEL_SPREAD_KEYS

__all__ = [
    "ANNOTATOR_MODALITIES",
    "STAGE_MODALITY",
    "AnnotatorChoice",
    "AnnotatingRouter",
    "annotator_per_dataset",
    "compare_with_separate",
    "comparison_table",
    "resolve_annotator",
]

#: Router modalities (:func:`mvemo.predict.router.modality_of`) the annotator can label alone.
ANNOTATOR_MODALITIES = ("music", "symbolic", "lyrics")
#: Curriculum stage -> router modality of its validation data.
STAGE_MODALITY = {"music": "music", "lyrics": "lyrics", "midi": "symbolic"}
_CHOICES = ("none", "mvanno-cpu", "auto")
#: The label-information floor an annotator must meet, per modality, to replace a separate model
#: under ``auto`` (issue #16's goal for every shipped model; a constant intensity would otherwise
#: win on D_e against references whose intensity sits near 0.5).
MIN_INTENSITY_STD = 0.10
MIN_INTENSITY_LEVELS = 6


def annotator_per_dataset(state: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """MVAnno_static's validation scores per dataset after its last trained static stage.

    Returns ``dataset -> {"stage", "n", "D_e", "D_e_informative"}`` (the last only for runs
    that recorded it; likewise the :func:`mvemo.metrics.label_spread` keys) for the datasets of
    every trained static stage.
    """
    st = state["stages"]
    order = [n for n in state.get("order", list(st)) if st.get(n, {}).get("status") == "done"]
    static = [n for n in order if st[n].get("branch") == "static"]
    if not static:
        raise DataError("the run has no trained static stage")
    last = static[-1]
    out = {}
    for stage in static:
        for ds, s in st[last]["eval"].get(stage, {}).get("datasets", {}).items():
            out[ds] = {"stage": stage, "n": s["n"], "D_e": s["D_e"]}
            for key in ("D_e_informative", *LABEL_SPREAD_KEYS):
                if key in s:
                    out[ds][key] = s[key]
    return out


def _separate(ref: Any) -> tuple[str, float, float | None]:
    """(model, paper D_e, informative D_e or None) of a separate-model entry."""
    if isinstance(ref, dict):
        inf = ref.get("D_e_informative")
        return str(ref["model"]), float(ref["D_e"]), None if inf is None else float(inf)
    return str(ref[0]), float(ref[1]), None


def compare_with_separate(per_dataset: dict[str, dict[str, Any]], separate: dict[str, Any]) -> dict[str, Any]:
    """The ``validation`` record of an exported annotator: D_e per dataset and per modality,
    the annotator beside the separate shipped model on the same validation items.

    The decision (``annotator_better_or_equal``, used by ``--annotator auto``) is on D_e against
    the informative reference (``reference: "informative"``) when both sides have it for every
    dataset of the modality, else on the paper reference (``reference: "paper"``); where the
    annotator's label spread was recorded (:func:`mvemo.metrics.label_spread` per dataset), it
    must also reach :data:`MIN_INTENSITY_STD` (n-weighted mean over the datasets) and
    :data:`MIN_INTENSITY_LEVELS` (most levels in one dataset) (``labels_informative``).

    Parameters
    ----------
    per_dataset : dict
        ``dataset -> {"stage", "n", "D_e", "D_e_informative"?}`` (:func:`annotator_per_dataset`):
        MVAnno_static's validation D_e after its last stage (stages ``music``, ``lyrics``,
        ``midi``; others are ignored).
    separate : dict
        ``dataset -> {"model", "D_e", "D_e_informative"}`` of the separate shipped model on the
        same split (:func:`mvemo.anno.compare.separate_scores`), or ``(model, paper D_e)``.

    Returns
    -------
    dict
        ``{"datasets": {ds: {...}}, "modalities": {modality: {"n", "reference", "annotator",
        "separate", "annotator_paper", "separate_paper", "annotator_informative",
        "separate_informative", "separate_model", "datasets", "annotator_intensity_std"?,
        "annotator_intensity_levels"?, "labels_informative", "annotator_better_or_equal"}}}``.
        ``annotator``/``separate`` are the deciding reference's numbers: n-weighted means over
        the modality's datasets that have a separate-model number; a modality without any is
        absent (``auto`` then keeps the separate model).

    Examples
    --------
    >>> r = compare_with_separate(
    ...     {"a": {"stage": "music", "n": 3, "D_e": 0.2, "D_e_informative": 0.3},
    ...      "b": {"stage": "music", "n": 1, "D_e": 0.4, "D_e_informative": 0.1}},
    ...     {"a": {"model": "m", "D_e": 0.3, "D_e_informative": 0.2},
    ...      "b": {"model": "m", "D_e": 0.1, "D_e_informative": 0.2}})
    >>> m = r["modalities"]["music"]
    >>> m["reference"], m["annotator"], m["separate"], m["annotator_paper"], m["separate_paper"]
    ('informative', 0.25, 0.2, 0.25, 0.25)
    >>> m["annotator_better_or_equal"]
    False
    """
    datasets: dict[str, Any] = {}
    sums: dict[str, dict[str, Any]] = {}
    for ds, row in sorted(per_dataset.items()):
        modality = STAGE_MODALITY.get(str(row["stage"]))
        if modality is None:
            continue
        n, de = int(row["n"]), float(row["D_e"])
        inf = row.get("D_e_informative")
        entry: dict[str, Any] = {"stage": row["stage"], "modality": modality, "n": n, "annotator": round(de, 4)}
        if inf is not None:
            entry["annotator_informative"] = round(float(inf), 4)
        ref = separate.get(ds)
        if ref is not None:
            model, sp, si = _separate(ref)
            entry.update(separate_model=model, separate=round(sp, 4))
            if si is not None:
                entry["separate_informative"] = round(si, 4)
            acc = sums.setdefault(
                modality,
                {
                    "n": 0,
                    "ap": 0.0,
                    "sp": 0.0,
                    "ai": 0.0,
                    "si": 0.0,
                    "inf": True,
                    "models": set(),
                    "names": [],
                    "spread": [],
                },
            )
            acc["models"].add(model)
            acc["names"].append(ds)
            acc["n"] += n
            acc["ap"] += n * de
            # (n, intensity std, levels) of the annotator's labels; None where not recorded
            acc["spread"].append((n, row["intensity_std"], row["intensity_levels"]) if "intensity_std" in row else None)
            acc["sp"] += n * sp
            if inf is None or si is None:
                acc["inf"] = False
            else:
                acc["ai"] += n * float(inf)
                acc["si"] += n * si
        datasets[ds] = entry
    modalities = {}
    for modality, acc in sorted(sums.items()):
        n = acc["n"]
        if n == 0:
            continue
        rec: dict[str, Any] = {
            "n": n,
            "annotator_paper": round(acc["ap"] / n, 4),
            "separate_paper": round(acc["sp"] / n, 4),
        }
        if acc["inf"]:
            rec.update(annotator_informative=round(acc["ai"] / n, 4), separate_informative=round(acc["si"] / n, 4))
        ref = "informative" if acc["inf"] else "paper"
        ann, sep = rec[f"annotator_{ref}"], rec[f"separate_{ref}"]
        informative = True
        if None not in acc["spread"]:  # every dataset recorded its spread
            std = round(sum(k * float(sd) for k, sd, _ in acc["spread"]) / n, 4)
            levels = max(int(lv) for _, _, lv in acc["spread"])
            rec.update(annotator_intensity_std=std, annotator_intensity_levels=levels)
            informative = std >= MIN_INTENSITY_STD and levels >= MIN_INTENSITY_LEVELS
        rec.update(
            labels_informative=informative,
            reference=ref,
            annotator=ann,
            separate=sep,
            separate_model=", ".join(sorted(acc["models"])),
            datasets=acc["names"],
            annotator_better_or_equal=bool(ann <= sep and informative),
        )
        modalities[modality] = rec
    return {"datasets": datasets, "modalities": modalities}


def comparison_table(validation: dict[str, Any]) -> str:
    """Markdown table of a :func:`compare_with_separate` record: per modality, then per dataset."""

    def f(x: Any) -> str:
        return "-" if x is None else f"{float(x):.4f}"

    lines = [
        "| modality | datasets | n | annotator D_e (informative) | separate D_e (informative) | "
        "annotator D_e (paper) | separate D_e (paper) | separate model | decided on | default |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    for m, r in validation["modalities"].items():
        who = "annotator" if r["annotator_better_or_equal"] else "separate model"
        if not r.get("labels_informative", True):
            who += (
                " (annotator's intensity std "
                + f"{r['annotator_intensity_std']:.3f}, {r['annotator_intensity_levels']} level(s))"
            )
        lines.append(
            f"| {m} | {' + '.join(r['datasets'])} | {r['n']} | {f(r.get('annotator_informative'))} | "
            f"{f(r.get('separate_informative'))} | {f(r['annotator_paper'])} | {f(r['separate_paper'])} | "
            f"{r['separate_model']} | {r['reference']} | {who} |"
        )
    lines += [
        "",
        "| dataset | stage | n | annotator D_e (informative) | separate D_e (informative) | "
        "annotator D_e (paper) | separate D_e (paper) |",
        "|---|---|---|---|---|---|---|",
    ]
    for ds, r in validation["datasets"].items():
        lines.append(
            f"| {ds} | {r['stage']} | {r['n']} | {f(r.get('annotator_informative'))} | "
            f"{f(r.get('separate_informative'))} | {f(r['annotator'])} | {f(r.get('separate'))} |"
        )
    return "\n".join(lines) + "\n"


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
            lower = float(r["annotator"]) <= float(r["separate"])
            informative = bool(r.get("labels_informative", True))
            reasons[m] = (
                f"validation D_e ({r.get('reference', 'paper')} reference) {float(r['annotator']):.4f} "
                f"{'<=' if lower else '>'} {float(r['separate']):.4f} of {r['separate_model']}, n={r['n']}"
            )
            if not informative:
                reasons[m] += (
                    f"; but the annotator's intensity std {float(r['annotator_intensity_std']):.3f} over "
                    f"{r['annotator_intensity_levels']} level(s) is below the floor ({MIN_INTENSITY_STD}, "
                    f"{MIN_INTENSITY_LEVELS} levels)"
                )
            if lower and informative:
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
