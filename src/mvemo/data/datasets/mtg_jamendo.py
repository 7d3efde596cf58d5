"""MTG-Jamendo, mood/theme subset (Bogdanov et al. 2019): multi-label tags, 5 official splits."""

from __future__ import annotations

from mvemo.conversion import informative as inf
from mvemo.data._tables import parse_float, read_csv
from mvemo.data.dataset import Dataset
from mvemo.data.labels import informative, static_from_words
from mvemo.data.manifest import Item
from mvemo.errors import DataError, ParameterError

PREFIX = "mood/theme---"
_SPLIT_FILES = {"train": "train", "validation": "validation", "test": "test"}


def read_tags_tsv(path) -> list[tuple[dict[str, str], list[str]]]:
    """Rows of an ``autotagging_moodtheme*.tsv`` file and their tags (variable trailing columns)."""
    rows = read_csv(path, required=("TRACK_ID", "ARTIST_ID", "ALBUM_ID", "PATH", "DURATION", "TAGS"), delimiter="\t")
    out = []
    for row in rows:
        tags = [t for t in [row.get("TAGS", ""), *row["__extra__"].split("\t")] if t]
        bad = [t for t in tags if not t.startswith(PREFIX)]
        if bad:
            raise DataError(f"{path} line {row['__line__']}: tags without the {PREFIX!r} prefix: {bad}")
        out.append((row, tags))
    return out


class MTGJamendoMoodTheme(Dataset):
    """MTG-Jamendo mood/theme: 18,486 tracks, multi-label tags (metadata only, no audio).

    Parameters
    ----------
    split_index : int
        Which official split to use, 0..4 (default 0).

    Notes
    -----
    Files: ``mtg_jamendo_moodtheme/data/autotagging_moodtheme.tsv`` (tab-separated,
    a variable number of trailing tag columns, CRLF) and
    ``data/splits/split-<k>/autotagging_moodtheme-{train,validation,test}.tsv``.

    Decisions:

    * ``labels["tags"]`` holds all of a track's tags from the full subset file (59 tags,
      the ``mood/theme---`` prefix removed).  The official split files drop three tags
      (ambiental, horror, mellow); the 504 tracks that have only those tags are in no
      split and get the split ``"unassigned"`` (kept, not dropped).
    * Unified static label from the tags, one rule for all word datasets
      (:func:`mvemo.data.labels.static_from_words`): every tag has weight 1; tags the word
      table marks as non-emotional (e.g. *film*, *background*) are ignored; the direction
      is the circular mean of the remaining tags' category angles; intensity 0.5.  An
      item whose tags are all non-emotional gets no label and the problem
      ``"only words without emotional meaning: ..."``; an unknown tag blocks the label.
    * Informative target: the track's tags as a bag of words, intensity their agreement
      (:func:`mvemo.conversion.informative.from_words`; one tag: 0.5).
    * Label-only: modality ``none``; ``custom["path"]`` is the audio path of the
      Jamendo release (audio not included); ``duration`` from ``DURATION``.
    """

    name = "mtg_jamendo_moodtheme"
    title = "MTG-Jamendo, mood/theme subset (Bogdanov et al. 2019)"
    citation = 'D. Bogdanov et al., "The MTG-Jamendo dataset for automatic music tagging", ML4MD @ ICML 2019'
    license = "metadata CC BY-NC-SA 4.0; code Apache-2.0; audio per-track Creative Commons (not included)"
    homepage = "https://github.com/MTG/mtg-jamendo-dataset"
    modality = "none"
    label_type = "tags"
    scale = None
    folder = "mtg_jamendo_moodtheme"
    exclusions = (
        "No audio (metadata only). 504 tracks whose only tags are ambiental/horror/mellow are in no "
        "official split: kept with split 'unassigned'."
    )
    official_splits = True
    OPTIONS = {"split_index": (int, "official split 0..4")}

    def __init__(self, *, split_index: int = 0, **kwargs) -> None:
        if split_index not in range(5):
            raise ParameterError(f"split_index must be 0..4, got {split_index!r}")
        self.split_index = split_index
        super().__init__(**kwargs)

    def words(self) -> list[str]:
        path = self.file("data", "tags", "moodtheme.txt")
        try:
            text = path.read_text(encoding="utf-8")
        except OSError as exc:
            raise DataError(f"{path}: cannot read ({exc.strerror or exc})") from exc
        return [t.strip().removeprefix(PREFIX) for t in text.splitlines() if t.strip()]

    def _load_items(self) -> list[Item]:
        path = self.file("data", "autotagging_moodtheme.tsv")
        wm = self.word_map
        cache: dict[tuple[str, ...], tuple] = {}  # many tracks share a tag set
        items = []
        for row, tags in read_tags_tsv(path):
            names = [t.removeprefix(PREFIX) for t in tags]
            key = tuple(sorted(set(names)))
            if key not in cache:
                cache[key] = (
                    *static_from_words(dict.fromkeys(key, 1.0), word_map=wm),
                    informative(inf.from_words, key, mapping=wm)[0],
                )
            static, problems, target = cache[key]
            target = dict(target) if target else None
            static, problems = (dict(static) if static else None), list(problems)
            items.append(
                self.item(
                    row["TRACK_ID"],
                    modality="none",
                    duration=parse_float(row["DURATION"], path=path, column="DURATION", row=row),
                    labels={"tags": names},
                    static=static,
                    problems=problems,
                    informative=target,
                    custom={"artist_id": row["ARTIST_ID"], "album_id": row["ALBUM_ID"], "path": row["PATH"]},
                )
            )
        return items

    def _official_split(self, items: list[Item]) -> dict[str, str]:
        out: dict[str, str] = {}
        folder = self.file("data", "splits", f"split-{self.split_index}")
        for name, stem in _SPLIT_FILES.items():
            for row, _ in read_tags_tsv(folder / f"autotagging_moodtheme-{stem}.tsv"):
                key = f"{self.name}:{row['TRACK_ID']}"
                if key in out:
                    raise DataError(f"{folder}: track {row['TRACK_ID']} is in two splits")
                out[key] = name
        return out
