"""Soundtracks (Eerola & Vuoskoski 2011): film-music excerpts rated on 1-9 scales."""

from __future__ import annotations

from mvemo.conversion import informative as inf
from mvemo.data._tables import parse_float, parse_int, read_csv
from mvemo.data.dataset import Dataset
from mvemo.data.labels import informative, static_from_va
from mvemo.data.manifest import Item

_SCALES1 = ("valence", "energy", "tension", "anger", "fear", "happy", "sad", "tender")
_SCALES2 = ("Valence", "Energy", "Tension", "Anger", "Fear", "Happy", "Sad", "Tender", "Beauty", "Liking")


def _excerpt_seconds(text: str) -> float | None:
    """Length of a ``"mm:ss-mm:ss"`` excerpt, or None."""
    try:
        start, end = (int(m) * 60 + int(s) for m, s in (p.strip().split(":") for p in text.split("-")))
    except ValueError:
        return None
    return float(end - start) if end > start else None


class Soundtracks(Dataset):
    """Soundtracks Set 1 (360 excerpts) and Set 2 (110), mean ratings on 1-9 (no audio).

    Notes
    -----
    Files: ``soundtracks_eerola2011/mean_ratings_set{1,2}.csv`` (UTF-8 BOM, CRLF) and
    ``set{1,2}_tracklist.csv``.

    Decisions:

    * Ids ``set1-<nnn>`` and ``set2-<nnn>``; all rating columns are kept in ``labels``
      (lower-case names) with ``TARGET`` (the intended emotion or pole).
    * Unified static label: ``va_to_label(valence, energy, scale="1-9")``, i.e. the rated
      **energy** stands in for arousal (the study's dimensional model is valence, energy,
      tension; tension is not used).  Energy and tension arousal are distinct constructs,
      so this is an approximation.
    * Informative target: mean ratings only (no spread), so the paper label at the
      ``va`` weight (:func:`mvemo.conversion.informative.from_va`).
    * Set 2 excerpts link to Set 1 numbers (``link``; several share one), so the seeded
      8:1:1 split groups them with their Set 1 excerpt; it is stratified by the Set 1
      ``TARGET`` (12 classes, 30 each).
    * ``duration`` from the tracklist's ``Min:Sec`` range (about 15 s); audio is on OSF
      and not included: modality ``none``.
    """

    name = "soundtracks_eerola2011"
    title = "Soundtracks (Eerola & Vuoskoski 2011)"
    citation = (
        'T. Eerola, J. K. Vuoskoski, "A comparison of the discrete and dimensional models of '
        'emotion in music", Psychology of Music 39(1), 2011'
    )
    license = "MusicScienceData: MIT; TAIL copy: none stated; audio on OSF (osf.io/p6vkg), not included"
    homepage = "https://osf.io/p6vkg/"
    modality = "none"
    label_type = "va"
    scale = "1-9"
    folder = "soundtracks_eerola2011"
    exclusions = (
        "No audio (on OSF); soundtrack.csv and soundtrack_features.csv (the MusicScienceData copy of Set "
        "2, with features) are not used."
    )

    def _load_items(self) -> list[Item]:
        items = []
        set1_target: dict[int, str] = {}
        for k, number_col, cols in ((1, "number", _SCALES1), (2, "Number", _SCALES2)):
            path = self.file(f"mean_ratings_set{k}.csv")
            rows = read_csv(path, required=(number_col, *cols, "TARGET", *(("link",) if k == 2 else ())))
            tl_path = self.file(f"set{k}_tracklist.csv")
            tracks = {
                parse_int(r["Nro"], path=tl_path, column="Nro", row=r): r
                for r in read_csv(tl_path, required=("Nro", "Album name", "Track", "Min:Sec"))
            }
            for row in rows:
                num = parse_int(row[number_col], path=path, column=number_col, row=row)
                ratings = {c.lower(): parse_float(row[c], path=path, column=c, row=row) for c in cols}
                static, problems = static_from_va(ratings["valence"], ratings["energy"], scale=self.scale)
                target = None  # mean ratings only (no spread): the paper label at the "va" weight
                if static is not None:
                    target = informative(inf.from_va, ratings["valence"], ratings["energy"], scale=self.scale)[0]
                labels = {**ratings, "target": row["TARGET"]}
                custom = {"set": k, "number": num}
                if k == 1:
                    set1_target[num] = row["TARGET"]
                    custom["group"] = num
                else:
                    link = parse_int(row["link"], path=path, column="link", row=row)
                    custom.update(link=link, group=link, soundtrack=row.get("soundtrack", ""))
                track = tracks.get(num)
                duration = None
                if track is None:
                    problems.append(f"no row in set{k}_tracklist.csv")
                else:
                    duration = _excerpt_seconds(track["Min:Sec"])
                    custom.update(album=track["Album name"], track=track["Track"], excerpt=track["Min:Sec"])
                items.append(
                    self.item(
                        f"set{k}-{num:03d}",
                        modality="none",
                        duration=duration,
                        labels=labels,
                        static=static,
                        problems=problems,
                        custom=custom,
                        informative=target,
                    )
                )
        for it in items:  # stratify Set 2 by its linked Set 1 excerpt's target
            it.custom["stratum"] = set1_target.get(it.custom["group"], it.labels["target"])
        return items

    def _stratify_key(self, item: Item) -> str:
        return str(item.custom["stratum"])

    def _group_key(self, item: Item) -> str:
        return str(item.custom["group"])
