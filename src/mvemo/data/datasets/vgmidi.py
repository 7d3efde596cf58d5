"""VGMIDI (Ferreira & Whitehead 2019): piano MIDI phrases with valence/arousal signs (= 4Q)."""

from __future__ import annotations

from collections import defaultdict
from pathlib import PurePosixPath

import numpy as np

from mvemo.conversion import informative as inf
from mvemo.conversion.dynamic import resample_to_grid
from mvemo.data._tables import parse_int, read_csv, read_json
from mvemo.data.dataset import Dataset
from mvemo.data.labels import dynamic_from_va, informative, static_from_quadrant
from mvemo.data.manifest import Item
from mvemo.errors import DataError, ParameterError

_SIGNS_TO_Q = {(1, 1): "Q1", (-1, 1): "Q2", (-1, -1): "Q3", (1, -1): "Q4"}


def piece_traces(folder) -> dict[str, dict]:
    """Annotator-mean valence/arousal traces per full piece, from ``vgmidi_raw_{1,2}.json``.

    Returns
    -------
    dict of str to dict
        Piece MIDI file name -> ``{"time": (M,) s, "valence": (M,), "arousal": (M,),
        "n_annotators": int, "duration": s, "measures": M}``.  One value per measure,
        placed at the measure's midpoint (``duration / measures`` seconds each).  With
        two or more annotators also ``"valence_std"``, ``"arousal_std"``: the annotators'
        sample standard deviation per measure.
    """
    acc: dict[str, dict] = {}
    for k in (1, 2):
        path = folder / f"vgmidi_raw_{k}.json"
        raw = read_json(path)
        if not isinstance(raw, dict) or not {"annotations", "pieces"} <= set(raw):
            raise DataError(f"{path}: expected 'annotations' and 'pieces'")
        traces = defaultdict(list)
        for key, ann in raw["annotations"].items():
            piece = key.split("_", 1)[0]
            meta = raw["pieces"].get(piece)
            if meta is None:  # annotations of pieces without metadata cannot be placed
                continue
            v, a = ann.get("valence"), ann.get("arousal")
            if isinstance(v, list) and isinstance(a, list) and len(v) == len(a) == meta["measures"]:
                traces[piece].append((v, a))
        for piece, pairs in traces.items():
            meta = raw["pieces"][piece]
            m, dur = int(meta["measures"]), float(meta["duration"])
            arr = np.asarray(pairs, dtype=np.float64)  # (n_annotators, 2, M)
            step = dur / m
            acc[meta["midi"]] = {
                "time": ((np.arange(m) + 0.5) * step).round(4).tolist(),
                "valence": arr[:, 0].mean(axis=0).round(4).tolist(),
                "arousal": arr[:, 1].mean(axis=0).round(4).tolist(),
                "n_annotators": len(pairs),
                "duration": dur,
                "measures": m,
                "source": path.name,
            }
            if len(pairs) >= 2:
                acc[meta["midi"]].update(
                    valence_std=arr[:, 0].std(axis=0, ddof=1).round(4).tolist(),
                    arousal_std=arr[:, 1].std(axis=0, ddof=1).round(4).tolist(),
                )
    return acc


def _informative_frames(trace: dict, scale: str, *, max_gap: float) -> tuple[list[dict] | None, list[str]]:
    """Informative grid frames of a piece trace (with the annotators' spread where known)."""
    cols = ["valence", "arousal"] + (["valence_std", "arousal_std"] if "valence_std" in trace else [])
    try:
        grid, vals = resample_to_grid(
            np.asarray(trace["time"]), np.stack([trace[c] for c in cols], axis=1), max_gap=max_gap
        )
        std = (vals[:, 2].tolist(), vals[:, 3].tolist()) if len(cols) == 4 else (None, None)
        return inf.dynamic_from_va(
            grid.tolist(), vals[:, 0].tolist(), vals[:, 1].tolist(), scale=scale, valence_std=std[0], arousal_std=std[1]
        ), []
    except ParameterError as exc:
        return None, [f"informative dynamic targets not convertible: {exc}"]


class VGMIDI(Dataset):
    """VGMIDI labelled phrases: 204 MIDI phrases, valence/arousal signs.

    Notes
    -----
    Files: ``vgmidi/vgmidi_labelled.csv`` (``id, series, console, game, piece, midi,
    valence, arousal``; CRLF), ``labelled/phrases/*.mid``, ``labelled/midi/*.mid`` (the
    full pieces), ``labelled/annotations/vgmidi_raw_{1,2}.json`` (per-annotator traces).

    Decisions:

    * One item per labelled phrase, id ``"<csv id>_<k>"`` (the CSV's ``id`` is per piece:
      three pieces have 2-3 phrases); ``media["midi"]`` is the phrase, ``media["piece"]``
      the full piece it comes from (phrase file name minus its ``_<k>`` suffix).
    * Static label: the signs give the quadrant (V+A+ Q1, V-A+ Q2, V-A- Q3, V+A- Q4),
      converted as a 4Q class (intensity 0.5); ``label_type`` is ``4q``.
    * Dynamic labels come from the raw traces, which annotate the **full piece**, one value
      per measure: the annotator mean per measure, placed at measure midpoints
      (``duration / measures`` from the traces' metadata), converted on [-1, 1] and
      interpolated onto the 0.5 s grid (bridging up to one measure plus 0.5 s).  They
      refer to ``media["piece"]``, so ``custom["dynamic_media"] = "piece"``.  Where a
      piece has several phrases, each phrase carries the piece's trace.  Traces whose
      length differs from the piece's measure count, and annotations of pieces missing
      from the metadata (4 in ``vgmidi_raw_1.json``), are skipped.
    * Informative target: the signs are a bare quadrant, so the paper conversion at half
      weight (:func:`mvemo.conversion.informative.from_quadrant`); the traces annotate the
      full piece, so they give the phrase no informative certainty.  Its ``dynamic`` frames
      (on the piece, like the paper's) use the annotators' spread per measure where a
      piece has two or more annotators (rule ``va-spread``), interpolated onto the grid
      like the means; with one annotator the frames are the paper's (rule ``va``).
    * No official split: seeded 8:1:1 split by piece (phrases of one piece stay
      together), stratified by quadrant.
    * The 3,850 unlabelled pieces (no MIDI here) are not indexed.
    """

    name = "vgmidi"
    title = "VGMIDI (Ferreira & Whitehead 2019), labelled phrases"
    citation = 'L. N. Ferreira, J. Whitehead, "Learning to generate music with sentiment", ISMIR 2019'
    license = "none stated; the authors ask that the paper be cited"
    homepage = "https://github.com/lucasnfe/vgmidi"
    modality = "midi"
    label_type = "4q"
    scale = None
    #: Scale of the raw annotation traces.
    trace_scale = "-1-1"
    folder = "vgmidi"
    exclusions = (
        "The 3,850 unlabelled pieces (MIDI absent) are not indexed; raw annotations of 4 pieces without "
        "metadata are skipped."
    )

    def _load_items(self) -> list[Item]:
        path = self.file("vgmidi_labelled.csv")
        rows = read_csv(path, required=("id", "series", "console", "game", "piece", "midi", "valence", "arousal"))
        traces = piece_traces(self.file("labelled", "annotations"))
        items = []
        for row in rows:
            v = parse_int(row["valence"], path=path, column="valence", row=row)
            a = parse_int(row["arousal"], path=path, column="arousal", row=row)
            quadrant = _SIGNS_TO_Q.get((v, a))
            problems = [] if quadrant else [f"valence/arousal signs not in {{-1, +1}}: ({v}, {a})"]
            static = target = None
            if quadrant:
                static, problems = static_from_quadrant(quadrant)
                target = informative(inf.from_quadrant, quadrant)[0]
            phrase = PurePosixPath(row["midi"])
            piece_stem, _, phrase_no = phrase.stem.rpartition("_")
            piece_file = piece_stem + ".mid"
            media = {"midi": f"vgmidi/{phrase}", "piece": f"vgmidi/labelled/midi/{piece_file}"}
            labels = {"valence": v, "arousal": a, "quadrant": quadrant}
            custom = {
                "series": row["series"],
                "console": row["console"],
                "game": row["game"],
                "piece": row["piece"],
                "piece_file": piece_file,
            }
            dynamic = None
            trace = traces.get(piece_file)
            if trace is None:
                problems.append("no raw annotation trace for the piece")
            else:
                step = trace["duration"] / trace["measures"]
                dynamic, dprob = dynamic_from_va(
                    trace["time"], trace["valence"], trace["arousal"], scale=self.trace_scale, max_gap=step + 0.5
                )
                problems += dprob
                labels["piece_trace"] = {k: trace[k] for k in ("time", "valence", "arousal", "n_annotators")}
                if target is not None:
                    frames, fprob = _informative_frames(trace, self.trace_scale, max_gap=step + 0.5)
                    problems += fprob
                    if frames:
                        target["dynamic"] = frames
                custom.update(dynamic_media="piece", piece_duration=trace["duration"])
            items.append(
                self.item(
                    f"{row['id']}_{phrase_no}",
                    modality="midi",
                    media=media,
                    labels=labels,
                    static=static,
                    dynamic=dynamic,
                    problems=problems,
                    custom=custom,
                    informative=target,
                )
            )
        return items

    def _stratify_key(self, item: Item) -> str:
        return str(item.labels["quadrant"])

    def _group_key(self, item: Item) -> str:
        return item.custom["piece_file"]
