"""DEAM (Aljanaki, Yang & Soleymani 2017): static song-level valence-arousal on 1-9, labels only."""

from __future__ import annotations

from mvemo.conversion import informative as inf
from mvemo.data._tables import parse_float, parse_int, read_csv
from mvemo.data.dataset import Dataset
from mvemo.data.labels import informative, static_from_va
from mvemo.data.manifest import Item

#: Songs up to this id are the 2013 set, shared with emoMusic (column-order caveat).
LAST_2013_ID = 1000
_FILES = ("static_annotations_averaged_songs_1_2000.csv", "static_annotations_averaged_songs_2000_2058.csv")


def id_range_split(song_id: int) -> str:
    """DEAM's sets by id: 2-1000 ``"2013"``, 1001-2000 ``"2014"``, 2001-2058 ``"2015"``."""
    if song_id <= LAST_2013_ID:
        return "2013"
    return "2014" if song_id <= 2000 else "2015"


class DEAM(Dataset):
    """DEAM static annotations for 1,802 songs (no audio, no dynamic labels here).

    Notes
    -----
    Files: ``deam/annotations_song_level/static_annotations_averaged_songs_1_2000.csv``
    (1,744 songs; header with leading spaces; CRLF) and ``..._2000_2058.csv`` (58 songs,
    also max/min columns).

    Decisions:

    * **Column order for ids <= 1000 (unresolved upstream).**  For these songs the file's
      ``valence_*`` and ``arousal_*`` columns hold the numbers that emoMusic calls arousal
      and valence.  Following the data README's rule ("prefer emoMusic's naming for
      those songs; treat DEAM ids >= 1001 as named"), the unified label of ids <= 1000 is
      computed with the columns **swapped**: valence = the file's ``arousal_mean``,
      arousal = the file's ``valence_mean``.  ``labels`` keeps the columns exactly as the
      file names them, and ``custom["va_columns"]`` says ``"swapped (emoMusic naming)"``
      or ``"as named"``.  Do not pool these songs with emoMusic by column name.
    * Static label: ``va_to_label(valence, arousal, scale="1-9")``.
    * Informative target: the rating spread (``*_std``, swapped like the means) sets the
      certainty (:func:`mvemo.conversion.informative.from_va`, rule ``va-spread``).
    * Splits by id range (the source's sets): ``2013`` (ids 2-1000), ``2014``
      (1001-2000), ``2015`` (2001-2058, the full-length evaluation songs).
    * Label-only: modality ``none``, no media.
    """

    name = "deam"
    title = "DEAM (Aljanaki et al. 2017), static annotations"
    citation = (
        'A. Aljanaki, Y.-H. Yang, M. Soleymani, "Developing a benchmark for emotional analysis of '
        'music", PLoS ONE 12(3) e0173392 (2017)'
    )
    license = "none stated in the source repos"
    homepage = "https://github.com/ArmaanMistry/ai-music-generation-for-mental-therapy (copy of the DEAM release files)"
    modality = "none"
    label_type = "va"
    scale = "1-9"
    folder = "deam"
    exclusions = "No audio and no dynamic labels are in the folder."
    official_splits = True

    def _load_items(self) -> list[Item]:
        items = []
        for fname in _FILES:
            path = self.file("annotations_song_level", fname)
            rows = read_csv(path, required=("song_id", "valence_mean", "valence_std", "arousal_mean", "arousal_std"))
            for row in rows:
                sid = parse_int(row["song_id"], path=path, column="song_id", row=row)
                labels = {
                    k.replace(" ", ""): parse_float(v, path=path, column=k, row=row)
                    for k, v in row.items()
                    if k not in ("song_id", "__line__", "__extra__", "")
                }
                swapped = sid <= LAST_2013_ID
                v_col, a_col = ("arousal_mean", "valence_mean") if swapped else ("valence_mean", "arousal_mean")
                static, problems = static_from_va(labels[v_col], labels[a_col], scale=self.scale)
                target = None
                if labels[v_col] is not None and labels[a_col] is not None:
                    v_sd, a_sd = (labels[c.replace("_mean", "_std")] for c in (v_col, a_col))
                    target, tprob = informative(
                        inf.from_va, labels[v_col], labels[a_col], scale=self.scale, valence_std=v_sd, arousal_std=a_sd
                    )
                    problems += tprob
                custom = {
                    "va_columns": "swapped (emoMusic naming)" if swapped else "as named",
                    "source_file": fname,
                }
                items.append(
                    self.item(
                        str(sid),
                        modality="none",
                        labels=labels,
                        static=static,
                        problems=problems,
                        custom=custom,
                        informative=target,
                    )
                )
        return items

    def _official_split(self, items: list[Item]) -> dict[str, str]:
        return {it.id: id_range_split(int(it.id.split(":", 1)[1])) for it in items}
