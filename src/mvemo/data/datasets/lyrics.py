"""Lyrics with labels (MoodyLyrics4Q + PMEmo + emoMusic rows, compiled by kenjakendi/NLP-Project)."""

from __future__ import annotations

from mvemo.conversion import informative as inf
from mvemo.data._tables import parse_float, read_csv
from mvemo.data.dataset import Dataset
from mvemo.data.labels import informative, static_from_quadrant, static_from_va
from mvemo.data.manifest import Item
from mvemo.errors import DataError

CSV_NAME = "filtered_dataset_with_lyrics.csv"
#: Scale of the V/A columns (PMEmo rows; the emoMusic row was rescaled by the compiler).
VA_SCALE = "0-1"
_REQUIRED = ("", "song_id_from_src", "dataset", "title", "artist", "arousal_mean", "valence_mean",
             "emotion_4Q", "emotion_2Q", "lyrics")  # fmt: skip


class Lyrics(Dataset):
    """1,761 English song lyrics with 4Q word labels (and V/A for the PMEmo/emoMusic rows).

    Notes
    -----
    File: ``lyrics/filtered_dataset_with_lyrics.csv`` (first column: the compiler's row
    index, unnamed; lyrics span several lines inside quotes).

    Decisions:

    * Item id ``"<source dataset>-<song_id_from_src>"`` (e.g. ``MoodyLyrics4Q-ML12``,
      ``PMEmo2019-5``); ``custom["row"]`` is the compiler's row index.
    * The lyrics text is not put in the manifest: ``media["lyrics"]`` points to the CSV and
      :meth:`lyrics` reads an item's text when called.
    * Unified static label: from the V/A columns on [0, 1] where they are filled (the 92
      PMEmo rows and the one emoMusic row; there the compiler derived ``emotion_4Q`` from
      V/A, so V/A is the primary label; ``label_type`` ``va``, ``scale`` ``0-1``), else from
      ``emotion_4Q`` as a 4Q class (happy Q1, angry Q2, sad Q3, relaxed Q4; intensity 0.5).
    * Informative target: the V/A rows with their rating spread (rule ``va-spread``; ``va``
      where a std is missing), the 4Q rows as a bare quadrant at half weight.
    * MoodyLyrics4Q labels come from last.fm tags; the PMEmo rows are skewed to happy.
      The PMEmo rows are the same songs as in the ``pmemo`` dataset.
    * No official split: seeded 8:1:1 split stratified by ``emotion_4Q``.
    * About 10% of the rows (stratified by label) are withheld upstream and absent here.
    """

    name = "lyrics"
    title = "Lyrics with 4Q labels (MoodyLyrics4Q + PMEmo + emoMusic)"
    citation = (
        'E. Çano, M. Morisio, "Music mood dataset creation based on last.fm tags" (2017); '
        'K. Zhang et al., "The PMEmo dataset for music emotion recognition", ICMR \'18'
    )
    license = "none stated; lyrics are copyrighted texts (from Genius), research use only"
    homepage = "https://github.com/kenjakendi/NLP-Project"
    modality = "lyrics"
    label_type = "4q"
    scale = None
    folder = "lyrics"
    exclusions = (
        "About 10% of the rows (stratified by label) are withheld upstream; the lyrics text is read on "
        "demand, never copied into manifests."
    )

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self._texts: dict[str, str] | None = None

    def _load_items(self) -> list[Item]:
        path = self.file(CSV_NAME)
        items = []
        for row in read_csv(path, required=_REQUIRED):
            va = {
                c: parse_float(row.get(c), path=path, column=c, row=row)
                for c in ("valence_mean", "valence_std", "arousal_mean", "arousal_std")
            }
            word = row["emotion_4Q"]
            if va["valence_mean"] is not None or va["arousal_mean"] is not None:
                static, problems = static_from_va(va["valence_mean"], va["arousal_mean"], scale=VA_SCALE)
                label_type, scale = "va", VA_SCALE
                target, tprob = (None, [])
                if static is not None:
                    target, tprob = informative(
                        inf.from_va,
                        va["valence_mean"],
                        va["arousal_mean"],
                        scale=VA_SCALE,
                        valence_std=va["valence_std"],
                        arousal_std=va["arousal_std"],
                    )
            else:
                static, problems = static_from_quadrant(word)
                label_type, scale = "4q", None
                target, tprob = (None, []) if static is None else informative(inf.from_quadrant, word)
            problems += tprob
            labels = {
                "emotion_4Q": word,
                "emotion_2Q": row["emotion_2Q"],
                **{k: v for k, v in va.items() if v is not None},
            }
            custom = {
                "row": row[""],
                "source_dataset": row["dataset"],
                "title": row["title"],
                "artist": row["artist"],
                "genre": row.get("genre", ""),
                "general_genre": row.get("general_genre", ""),
                "language": row.get("language", ""),
            }
            items.append(
                self.item(
                    f"{row['dataset']}-{row['song_id_from_src']}",
                    modality="lyrics",
                    media={"lyrics": f"{self.folder}/{CSV_NAME}"},
                    labels=labels,
                    label_type=label_type,
                    scale=scale,
                    static=static,
                    problems=problems,
                    custom=custom,
                    informative=target,
                )
            )
        return items

    def _stratify_key(self, item: Item) -> str:
        return str(item.labels["emotion_4Q"])

    def lyrics(self, item: Item | str) -> str:
        """The lyrics text of an item (the CSV is read on the first call).

        Raises
        ------
        DataError
            If the CSV cannot be read or has no row for the item.
        """
        if self._texts is None:
            path = self.file(CSV_NAME)
            self._texts = {
                f"{self.name}:{r['dataset']}-{r['song_id_from_src']}": r["lyrics"]
                for r in read_csv(path, required=("dataset", "song_id_from_src", "lyrics"))
            }
        key = item.id if isinstance(item, Item) else (item if ":" in item else f"{self.name}:{item}")
        if key not in self._texts:
            raise DataError(f"{self.file(CSV_NAME)}: no lyrics for item {key}")
        return self._texts[key]
