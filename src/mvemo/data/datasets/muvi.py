"""MuVi (Chua et al. 2022): 27 binary GEMS-style terms per rating, music / video / muted video."""

from __future__ import annotations

from collections import defaultdict

from mvemo.conversion import informative as inf
from mvemo.data._tables import parse_int, read_csv
from mvemo.data.dataset import Dataset
from mvemo.data.labels import informative, static_from_words
from mvemo.data.manifest import Item
from mvemo.errors import DataError

#: The 27 terms, in the column order of ``media_data.csv``.
TERMS = ("moved", "nervous", "filled_with_wonder", "allured", "fascinated", "overwhelmed",
         "feeling_of_transcendence", "serene", "calm", "soothed", "tender", "affectionate", "mellow",
         "nostalgic", "sentimental", "dreamy", "strong", "energetic", "triumphant", "animated",
         "bouncy", "joyful", "sad", "tearful", "blue", "tense", "agitated")  # fmt: skip
CONDITIONS = ("music", "video", "muted_video")


class MuVi(Dataset):
    """MuVi static labels aggregated per medium and presentation condition (no media here).

    Notes
    -----
    Files: ``muvi/media_data.csv`` (1,494 ratings: ``participant_id, media_id,
    media_modality, seen_previously``, 27 binary terms, ``overlay_type``).

    Decisions:

    * One item per (YouTube media id, condition): ``"<media_id>:<condition>"`` with
      condition ``music`` (audio only), ``video`` or ``muted_video``; 81 x 3 = 243 items.
      ``labels["terms"]`` holds each term's share of that item's ratings ([0, 1]),
      ``labels["n_ratings"]`` the number of ratings.
    * Modality ``none`` (no media are included; YouTube ids only); the condition the
      raters saw is in ``labels["condition"]``.
    * Unified static label: the one word rule (:func:`mvemo.data.labels.static_from_words`)
      with the term shares as weights, intensity 0.5.  Unknown terms block the label.
    * The dynamic file (``av_data.csv``) is missing upstream: no dynamic labels.
    * Informative target: each rating is one rater's votes; the circular statistics over
      raters (:func:`mvemo.conversion.informative.from_votes`).
    * No official split: seeded 8:1:1 split by media id (the three conditions of a video
      stay together), stratified by the dominant term.
    """

    name = "muvi"
    title = "MuVi (Chua et al. 2022), static labels"
    citation = 'P. Chua et al., "Predicting emotion from music videos...", arXiv:2202.10453 (2022)'
    license = "no licence file in the source (AMAAI-Lab/MuVi); media on Zenodo 7127775"
    homepage = "https://github.com/AMAAI-Lab/MuVi"
    modality = "none"
    label_type = "terms"
    scale = "0-1"
    folder = "muvi"
    exclusions = (
        "No media (YouTube ids only); the dynamic V/A file is missing upstream; participant data are not loaded."
    )

    def words(self) -> list[str]:
        return list(TERMS)

    def _load_items(self) -> list[Item]:
        path = self.file("media_data.csv")
        rows = read_csv(path, required=("participant_id", "media_id", "media_modality", *TERMS))
        acc: dict[tuple[str, str], dict[str, float]] = defaultdict(lambda: defaultdict(float))
        votes: dict[tuple[str, str], list[list[str]]] = defaultdict(list)
        for row in rows:
            cond = row["media_modality"]
            if cond not in CONDITIONS:
                raise DataError(f"{path} line {row['__line__']}: unknown media_modality {cond!r}")
            a = acc[(row["media_id"], cond)]
            a["__n__"] += 1
            for term in TERMS:
                v = parse_int(row[term], path=path, column=term, row=row)
                if v not in (0, 1):
                    raise DataError(f"{path} line {row['__line__']}, column {term!r}: expected 0 or 1, got {v}")
                a[term] += v
            votes[(row["media_id"], cond)].append([t for t in TERMS if int(row[t]) == 1])
        wm = self.word_map
        items = []
        for (media_id, cond), a in sorted(acc.items()):
            n = int(a["__n__"])
            shares = {t: a[t] / n for t in TERMS}
            static, problems = static_from_words(shares, word_map=wm)
            target, tprob = informative(inf.from_votes, votes[(media_id, cond)], mapping=wm)
            problems += tprob
            items.append(
                self.item(
                    f"{media_id}:{cond}",
                    modality="none",
                    static=static,
                    problems=problems,
                    informative=target,
                    labels={"terms": shares, "n_ratings": n, "condition": cond},
                    custom={"media_id": media_id, "youtube": f"https://www.youtube.com/watch?v={media_id}"},
                )
            )
        return items

    def _stratify_key(self, item: Item) -> str:
        terms = item.labels["terms"]
        return max(TERMS, key=lambda t: (terms[t], -TERMS.index(t)))

    def _group_key(self, item: Item) -> str:
        return item.custom["media_id"]
