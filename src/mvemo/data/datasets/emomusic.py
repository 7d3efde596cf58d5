"""emoMusic / "1000 Songs" (Soleymani et al. 2013): static 1-9 and dynamic [-1, 1] valence-arousal."""

from __future__ import annotations

import math
import re
from pathlib import Path

from mvemo.conversion import informative as inf
from mvemo.data._tables import parse_float, read_csv
from mvemo.data.dataset import Dataset
from mvemo.data.labels import dynamic_from_va, informative, static_from_va
from mvemo.data.manifest import Item
from mvemo.errors import DataError, ParameterError

_SAMPLE = re.compile(r"^sample_(\d+)ms$")


def read_dynamic(path: Path) -> tuple[list[float], dict[str, list[float | None]]]:
    """A ``{valence,arousal}_cont_*.csv`` file: sample times (s) and song id -> values."""
    rows = read_csv(path, required=("song_id",))
    cols = [c for c in rows[0] if _SAMPLE.match(c)] if rows else []
    if not cols:
        raise DataError(f"{path}: no sample_<ms>ms columns")
    times = [int(_SAMPLE.match(c).group(1)) / 1000.0 for c in cols]
    series = {r["song_id"]: [parse_float(r[c], path=path, column=c, row=r) for c in cols] for r in rows}
    return times, series


def _min_sec(text: str) -> float | None:
    """Seconds of a ``min.sec`` field such as ``"1.33"`` (1 min 33 s)."""
    try:
        minutes, _, seconds = text.strip().partition(".")
        return int(minutes) * 60 + int(seconds or 0)
    except ValueError:
        return None


class EmoMusic(Dataset):
    """emoMusic: 744 songs with static and dynamic valence-arousal; audio for 10 of them.

    Notes
    -----
    Files: ``emomusic/annotations/static_annotations.csv`` (1-9),
    ``{valence,arousal}_cont_average.csv`` (2 Hz, 15-45 s, [-1, 1]), ``songs_info.csv``;
    audio ``audio/emomusic/<song_id>.opus`` for 10 songs.

    Decisions:

    * Column names are taken as emoMusic states them (``mean_valence`` is valence):
      the README's rule prefers emoMusic's naming for these songs (see the DEAM caveat).
    * Static label: ``va_to_label(mean_valence, mean_arousal, scale="1-9")``.
    * Dynamic labels: the 61 averaged samples (15.0-45.0 s, 2 Hz) are already on the
      0.5 s grid; they are converted on the [-1, 1] scale without interpolation or
      extrapolation (grid times near the clip's end are kept as annotated).  The raw
      averages are kept in ``labels["dynamic_va"]``.
    * Informative target: the static rating spread (``std_*``) sets the certainty
      (rule ``va-spread``); its ``dynamic`` frames use the per-sample spread of
      ``{valence,arousal}_cont_std.csv`` the same way, where those files are present.
    * ``songs_info.csv`` fields carry stray tabs; they are stripped.  The split is the
      MediaEval 2013 set (``development`` 619 / ``evaluation`` 125).
    * Audio: an item has ``media`` and modality ``audio`` only if its file exists in
      ``audio/emomusic/`` (10 songs); the other 734 are label-only (modality ``none``).
    * ``duration``: from the file header where there is audio, else the segment length
      from ``songs_info.csv`` (45 s).
    """

    name = "emomusic"
    title = 'emoMusic / "1000 Songs" (Soleymani et al. 2013)'
    citation = 'M. Soleymani et al., "1000 songs for emotional analysis of music", CrowdMM \'13'
    license = (
        "music: Free Music Archive (Creative Commons) per the dataset page; the dataset's own "
        "licence text was not seen (copy from ty-martz/audiologic, MIT for its code)"
    )
    homepage = "https://cvml.unige.ch/databases/emoMusic/"
    modality = "audio"
    label_type = "va"
    scale = "1-9"
    #: Scale of the dynamic annotations.
    dynamic_scale = "-1-1"
    folder = "emomusic"
    exclusions = (
        "Audio of 734 of the 744 songs is not in the folder (those items are label-only); the per-sample "
        "std series are not loaded."
    )
    official_splits = True

    def _load_items(self) -> list[Item]:
        ann = self.file("annotations")
        static_path = ann / "static_annotations.csv"
        static_rows = read_csv(
            static_path, required=("song_id", "mean_arousal", "std_arousal", "mean_valence", "std_valence")
        )
        info_path = ann / "songs_info.csv"
        info = {r["song_id"]: r for r in read_csv(info_path, required=("song_id", "Mediaeval 2013 set", "Genre"))}
        times_v, val = read_dynamic(ann / "valence_cont_average.csv")
        times_a, aro = read_dynamic(ann / "arousal_cont_average.csv")
        if times_v != times_a:
            raise DataError(f"{ann}: valence and arousal dynamic files have different sample times")
        std_v = std_a = {}
        if (ann / "valence_cont_std.csv").is_file() and (ann / "arousal_cont_std.csv").is_file():
            (tsv, std_v), (tsa, std_a) = (
                read_dynamic(ann / "valence_cont_std.csv"),
                read_dynamic(ann / "arousal_cont_std.csv"),
            )
            if tsv != times_v or tsa != times_v:
                std_v = std_a = {}  # not aligned with the averages: the dynamic targets go without spread
        items = []
        for row in static_rows:
            sid = row["song_id"]
            num = {
                c: parse_float(row[c], path=static_path, column=c, row=row)
                for c in ("mean_valence", "std_valence", "mean_arousal", "std_arousal")
            }
            static, problems = static_from_va(num["mean_valence"], num["mean_arousal"], scale=self.scale)
            target = None
            if static is not None:
                target, tprob = informative(
                    inf.from_va,
                    num["mean_valence"],
                    num["mean_arousal"],
                    scale=self.scale,
                    valence_std=num["std_valence"],
                    arousal_std=num["std_arousal"],
                )
                problems += tprob
            labels = {
                "valence_mean": num["mean_valence"],
                "valence_std": num["std_valence"],
                "arousal_mean": num["mean_arousal"],
                "arousal_std": num["std_arousal"],
            }
            dynamic = None
            if sid in val and sid in aro:
                if any(x is None for x in val[sid] + aro[sid]):
                    problems.append("dynamic series has empty samples")
                else:
                    labels["dynamic_va"] = {"time": times_v, "valence": val[sid], "arousal": aro[sid]}
                    dynamic, dprob = dynamic_from_va(times_v, val[sid], aro[sid], scale=self.dynamic_scale)
                    problems += dprob
                    sv, sa = std_v.get(sid), std_a.get(sid)
                    if target is not None and sv is not None and sa is not None:
                        sv, sa = ([math.nan if x is None else x for x in s] for s in (sv, sa))
                        try:
                            target["dynamic"] = inf.dynamic_from_va(
                                times_v, val[sid], aro[sid], scale=self.dynamic_scale, valence_std=sv, arousal_std=sa
                            )
                        except ParameterError as exc:
                            problems.append(f"informative dynamic targets not convertible: {exc}")
            else:
                problems.append("no dynamic annotation")
            meta = info.get(sid)
            custom, split, duration = {}, None, None
            if meta is None:
                problems.append("no row in songs_info.csv")
            else:
                split = meta["Mediaeval 2013 set"]
                start = _min_sec(meta.get("start of the segment (min.sec)", ""))
                end = _min_sec(meta.get("end of the segment (min.sec)", ""))
                duration = float(end - start) if start is not None and end is not None else None
                custom = {
                    "artist": meta.get("Artist", ""),
                    "title": meta.get("Song title", ""),
                    "genre": meta["Genre"],
                    "segment_start_s": start,
                    "mediaeval2013_set": split,
                }
            media, modality, duration = self.optional_audio(f"audio/emomusic/{sid}.opus", duration)
            items.append(
                self.item(
                    sid,
                    modality=modality,
                    media=media,
                    duration=duration,
                    labels=labels,
                    static=static,
                    dynamic=dynamic,
                    problems=problems,
                    custom=custom,
                    informative=target,
                )
            )
        return items

    def _official_split(self, items: list[Item]) -> dict[str, str]:
        return {it.id: it.custom["mediaeval2013_set"] for it in items if it.custom.get("mediaeval2013_set")}
