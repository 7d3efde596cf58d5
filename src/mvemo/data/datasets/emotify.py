"""Emotify (Aljanaki, Wiering & Veltkamp 2016): induced emotion, GEMS-9 votes per rater."""

from __future__ import annotations

from collections import defaultdict

from mvemo.conversion import informative as inf
from mvemo.data._tables import parse_int, read_csv
from mvemo.data.dataset import Dataset
from mvemo.data.labels import informative, static_from_words
from mvemo.data.manifest import Item
from mvemo.data.media import audio_duration
from mvemo.errors import DataError

#: The nine GEMS categories, in the column order of ``data.csv``.
GEMS9 = ("amazement", "solemnity", "tenderness", "nostalgia", "calmness", "power",
         "joyful_activation", "tension", "sadness")  # fmt: skip
GENRE_OFFSETS = {"classical": 0, "rock": 100, "electronic": 200, "pop": 300}


def gems_shares(rows: list[dict[str, str]], *, path) -> dict[int, dict]:
    """Per-track vote shares from per-rater rows of ``data.csv``.

    Returns
    -------
    dict of int to dict
        track id -> ``{"genre", "n_raters", <term>: share in [0, 1] for the 9 GEMS
        terms, "liked": share, "disliked": share}``.
    """
    sums: dict[int, dict[str, float]] = defaultdict(lambda: defaultdict(float))
    genre: dict[int, str] = {}
    for row in rows:
        tid = parse_int(row["track id"], path=path, column="track id", row=row)
        g = row["genre"].strip().lower()
        if genre.setdefault(tid, g) != g:
            raise DataError(f"{path} line {row['__line__']}: track {tid} has genres {genre[tid]} and {g}")
        acc = sums[tid]
        acc["n"] += 1
        for term in (*GEMS9, "liked", "disliked"):
            v = parse_int(row[term], path=path, column=term, row=row)
            if v not in (0, 1):
                raise DataError(f"{path} line {row['__line__']}, column {term!r}: expected 0 or 1, got {v}")
            acc[term] += v
    out = {}
    for tid, acc in sums.items():
        n = int(acc["n"])
        rec = {"genre": genre[tid], "n_raters": n}
        rec.update({t: acc[t] / n for t in (*GEMS9, "liked", "disliked")})
        out[tid] = rec
    return out


class Emotify(Dataset):
    """Emotify: one-minute clips, induced emotion as GEMS-9 vote shares.

    Notes
    -----
    Files: ``emotify/data.csv`` (one row per rater and track; header with a space after
    each comma), ``track_index.csv``; audio in ``audio/emotify/<genre>/<track_id>.opus``.

    Decisions:

    * Vote shares are computed here from ``data.csv`` (share of the track's raters who
      ticked each GEMS term; also ``liked``/``disliked``); ``track_labels.csv`` (the
      curators' derivation) is only used by the tests as a cross-check.
    * Genre/id: ``data.csv`` is right (see ``GENRE_ID_RESOLUTION.md``): ids are
      classical 1-100, rock 101-200, electronic 201-300, pop 301-400; audio is stored under
      its ``data.csv`` id, so the path is ``audio/emotify/<genre>/<track id>.opus``.  An id
      outside its genre's range, or a genre disagreeing with ``track_index.csv``, is
      reported in ``problems``.  ``info.csv`` of the course project is not used.
    * Unified static label (one rule for all word datasets, see
      :func:`mvemo.data.labels.static_from_words`): each GEMS term is mapped with the
      word table; the direction is the vote-share-weighted circular mean of the mapped
      categories' angles; intensity 0.5.  Any GEMS term with votes that the table does
      not know blocks the label and is reported.  Induced, not perceived, emotion.
    * Informative target (``informative``): the circular statistics of the raters'
      votes, each rater one observation (the mean of the terms they ticked), intensity
      the bias-corrected agreement (:func:`mvemo.conversion.informative.from_votes`).
    * No official split: seeded 8:1:1 split stratified by the dominant GEMS term
      (highest share; ties: first in GEMS order).
    * 40 tracks (10%, stratified by genre) are withheld upstream and absent here.
    """

    name = "emotify"
    title = "Emotify (Aljanaki et al. 2016)"
    citation = (
        'A. Aljanaki, F. Wiering, R. C. Veltkamp, "Studying emotion induced by music through '
        'a crowdsourcing game", Information Processing & Management (2016)'
    )
    license = "none stated; the authors ask that the paper be cited"
    homepage = "https://github.com/sergi-andreu/ProjectMusicInformatics (snapshot of the release)"
    modality = "audio"
    label_type = "gems"
    scale = "0-1"
    folder = "emotify"
    exclusions = (
        "40 of the release's 400 tracks (10%, stratified by genre) are withheld upstream; the course "
        "project's info.csv and label tables are not used."
    )

    def words(self) -> list[str]:
        return list(GEMS9)

    def _load_items(self) -> list[Item]:
        data_path = self.file("data.csv")
        rows = read_csv(data_path, required=("track id", "genre", *GEMS9, "liked", "disliked"))
        shares = gems_shares(rows, path=data_path)
        index_path = self.file("track_index.csv")
        index = {r["track_id"]: r for r in read_csv(index_path, required=("track_id", "genre"))}
        wm = self.word_map
        votes: dict[int, list[list[str]]] = defaultdict(list)
        for row in rows:  # values already checked by gems_shares
            votes[int(row["track id"])].append([t for t in GEMS9 if int(row[t]) == 1])
        items = []
        for tid in sorted(shares):
            rec = shares[tid]
            genre = rec["genre"]
            gems = {t: rec[t] for t in GEMS9}
            static, problems = static_from_words(gems, word_map=wm)
            target, tprob = informative(inf.from_votes, votes[tid], mapping=wm)
            problems += tprob
            offset = GENRE_OFFSETS.get(genre)
            if offset is None:
                problems.append(f"unknown genre {genre!r}")
            elif not offset < tid <= offset + 100:
                problems.append(f"track id {tid} outside the {genre} range {offset + 1}-{offset + 100}")
            idx = index.get(str(tid))
            custom = {"genre": genre}
            if idx is None:
                problems.append("no row in track_index.csv")
            else:
                if idx["genre"] != genre:
                    problems.append(f"track_index.csv says genre {idx['genre']}, data.csv says {genre}")
                custom.update(
                    file_number=idx.get("file_number"),
                    artist=idx.get("artist", ""),
                    title=idx.get("title", ""),
                    album=idx.get("album", ""),
                )
            rel = f"audio/emotify/{genre}/{tid}.opus"
            labels = {"gems": gems, "n_raters": rec["n_raters"], "liked": rec["liked"], "disliked": rec["disliked"]}
            items.append(
                self.item(
                    str(tid),
                    modality="audio",
                    media={"audio": rel},
                    duration=audio_duration(self.root / rel),
                    labels=labels,
                    static=static,
                    problems=problems,
                    custom=custom,
                    informative=target,
                )
            )
        return items

    def _stratify_key(self, item: Item) -> str:
        gems = item.labels["gems"]
        return max(GEMS9, key=lambda t: (gems[t], -GEMS9.index(t)))
