"""MoodyLyrics, balanced (Çano & Morisio 2017): 2,000 artist/title pairs with weak 4Q labels."""

from __future__ import annotations

from mvemo.conversion import informative as inf
from mvemo.data._tables import read_csv
from mvemo.data.dataset import Dataset
from mvemo.data.labels import informative, static_from_quadrant
from mvemo.data.manifest import Item


class MoodyLyrics(Dataset):
    """MoodyLyrics (balanced): labels only, no lyrics text.

    Notes
    -----
    File: ``moodylyrics/ml_balanced.csv`` (``Index, Artist, Title, MoodQ4, MoodQ2``; the
    curators' CSV of the authors' ``ml_balanced.xlsx``, which is not read).

    Decisions:

    * **Weak labels.**  They were produced automatically from word-level V/A lexicons
      (no human rated the songs); ``custom["weak_labels"]`` is True.  Use them as a
      weak-label or sanity set, not as ground truth for perceived emotion.
    * Unified label from ``MoodQ4`` as a 4Q class (happy Q1, angry Q2, sad Q3, relaxed Q4;
      intensity 0.5).
    * Label-only (modality ``none``).  This is not MoodyLyrics4Q (see ``lyrics``).
    * Informative target: a bare quadrant, the paper conversion at half weight.
    * No official split: seeded 8:1:1 split stratified by ``MoodQ4``.
    """

    name = "moodylyrics"
    title = "MoodyLyrics, balanced (Çano & Morisio 2017)"
    citation = 'E. Çano, M. Morisio, "MoodyLyrics: a sentiment annotated lyrics dataset", ISMSI 2017'
    license = "none stated; lyrics were removed by the authors for copyright"
    homepage = "https://github.com/kenjakendi/NLP-Project"
    modality = "none"
    label_type = "4q"
    scale = None
    folder = "moodylyrics"
    exclusions = "No lyrics text exists in the source; ml_balanced.xlsx is not read (same rows as the CSV)."

    def _load_items(self) -> list[Item]:
        path = self.file("ml_balanced.csv")
        items = []
        for row in read_csv(path, required=("Index", "Artist", "Title", "MoodQ4", "MoodQ2")):
            static, problems = static_from_quadrant(row["MoodQ4"])
            target = None if static is None else informative(inf.from_quadrant, row["MoodQ4"])[0]
            items.append(
                self.item(
                    row["Index"],
                    modality="none",
                    labels={"MoodQ4": row["MoodQ4"], "MoodQ2": row["MoodQ2"]},
                    static=static,
                    problems=problems,
                    informative=target,
                    custom={"artist": row["Artist"], "title": row["Title"], "weak_labels": True},
                )
            )
        return items

    def _stratify_key(self, item: Item) -> str:
        return str(item.labels["MoodQ4"])
