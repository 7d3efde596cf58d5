"""Collect the source emotion vocabularies and propose a category for each word.

The proposals are the first step of mvemo's reviewed word mapping
(``src/mvemo/conversion/data/word_map.csv``, see ``docs/word_mapping.md``): this
script writes them to a CSV, a person then reviews every word and records the final
category and a reason in the packaged table.

Vocabularies (``vocabulary`` column) and their sources under the data root:

- ``mtg-jamendo``: the 59 tags of ``mtg_jamendo_moodtheme/data/tags/moodtheme.txt`` (the 56 of
  the official splits plus ambiental, horror and mellow, which occur in the full subset)
  (``mood/theme---`` prefix stripped);
- ``emotify-gems9``: the nine GEMS scales of Emotify;
- ``muvi``: the 27 binary term columns of ``muvi/media_data.csv``;
- ``xlm-emo``: anger, fear, joy, sadness;
- ``mirex-clusters``: the words of the five MIREX Audio Mood Classification clusters
  (compound entries such as "amiable/good natured" kept as one word);
- ``allmusic-4q``: every distinct AllMusic mood word of the ``MoodsStr`` column of
  ``4q_panda2018/metadata.csv`` (compounds such as "calm/peaceful" kept whole).

Words are stored as :func:`mvemo.conversion.words.normalize_word` gives them.

Proposal rule
-------------
1. Look the word up in Warriner et al. (2013) (``V.Mean.Sum`` / ``A.Mean.Sum`` on
   1-9); if that lexicon has nothing for it, in NRC-VAD v1 (valence / arousal on
   [0, 1]).  One word is always scored from one lexicon.
2. Within a lexicon, a word is found by, in order: the exact entry (also with ``-``
   and space swapped); a simple lemma of a single word (strip ``-ing``, ``-ed``,
   ``-s``, ``-y``, ``-ic``, ``-ness``, ``-ity``, ``-ish`` ... variants, see
   :func:`lemma_candidates`);
   for a compound ("a/b", "a b", "good-natured", "joyful_activation",
   "filled_with_wonder") the mean of the parts found (split on ``/`` first, then on
   spaces and hyphens; function words such as "with" and "of" are skipped).
3. The mean valence and arousal are converted with
   :func:`mvemo.conversion.va.va_to_polar` on the lexicon's scale, and the proposal
   is the category whose angle (``default_circumplex().angles``) is circularly
   nearest to theta (ties go to the first category in ``CATEGORIES`` order).
4. A word found in neither lexicon gets an empty proposal and norm source ``none``.

Output columns: ``vocabulary, word, norm_source, proposed`` (``norm_source`` is
``warriner``, ``nrc-vad`` or ``none``).  The output depends only on the data files,
so it is deterministic.

Coverage and usage (``--coverage``)
-----------------------------------
The informative targets (``mvemo.conversion.informative``) place each word on the plane
through the reviewed table, so a word whose ``final`` is empty is left out.
``--coverage`` prints, per vocabulary used by a loader, how many word *occurrences* in
the data the table places (AllMusic moods of the 4Q metadata, Emotify's GEMS votes,
MuVi's term votes, MTG-Jamendo's tags), and lists the words left out with their counts.
``--usage FILE`` writes the evidence used to review AllMusic words: per word, its
occurrences, how many of them fall in clips of each 4Q quadrant, its norm direction
(theta, relative radius) and the proposed and final categories.  The 4Q quadrants were
derived from the same norms by the dataset's authors, so usage and norms are not
independent; usage is evidence of how the word reads in AllMusic's context.

Usage::

    .venv/bin/python scripts/build_word_map.py [--data DIR] [--out FILE]
    .venv/bin/python scripts/build_word_map.py --coverage [--usage build/allmusic_usage.csv]

``--data`` defaults to ``$MVEMO_DATA`` or ``../shared/data`` next to the repository.
"""

from __future__ import annotations

import argparse
import csv
import os
import re
import sys
from collections import Counter
from pathlib import Path
from typing import NamedTuple

import numpy as np

from mvemo.conversion.va import va_to_polar
from mvemo.conversion.words import normalize_word
from mvemo.errors import DataError
from mvemo.representation import default_circumplex

REPO = Path(__file__).resolve().parents[1]
DEFAULT_OUT = REPO / "build" / "word_map_proposals.csv"
OUT_COLUMNS = ("vocabulary", "word", "norm_source", "proposed")

MTG_TAGS = Path("mtg_jamendo_moodtheme/data/tags/moodtheme.txt")  # all 59; the splits use 56
MUVI_MEDIA = Path("muvi/media_data.csv")
PANDA_METADATA = Path("4q_panda2018/metadata.csv")
WARRINER = Path("warriner2013/Ratings_Warriner_et_al.csv")
NRC_VAD = Path("nrc_vad/NRC-VAD-Lexicon.txt")

GEMS9 = (
    "amazement", "solemnity", "tenderness", "nostalgia", "calmness", "power",
    "joyful_activation", "tension", "sadness",
)  # fmt: skip
XLM_EMO = ("anger", "fear", "joy", "sadness")
MIREX_CLUSTERS = (
    ("passionate", "rousing", "confident", "boisterous", "rowdy"),
    ("rollicking", "cheerful", "fun", "sweet", "amiable/good natured"),
    ("literate", "poignant", "wistful", "bittersweet", "autumnal", "brooding"),
    ("humorous", "silly", "campy", "quirky", "whimsical", "witty", "wry"),
    ("aggressive", "fiery", "tense/anxious", "intense", "volatile", "visceral"),
)
MUVI_NON_TERMS = ("participant_id", "media_id", "media_modality", "seen_previously", "overlay_type")
VOCABULARIES = ("mtg-jamendo", "emotify-gems9", "muvi", "xlm-emo", "mirex-clusters", "allmusic-4q")

# Function words skipped inside compounds ("filled with wonder", "feeling of ...").
STOP_WORDS = frozenset({"a", "an", "and", "the", "of", "with", "to", "in", "on", "for"})


# -- data root ----------------------------------------------------------------------
def default_data_root() -> Path:
    """``$MVEMO_DATA`` if set, else ``../shared/data`` next to the repository."""
    env = os.environ.get("MVEMO_DATA")
    return Path(env) if env else REPO.parent / "shared" / "data"


def _require(path: Path) -> Path:
    if not path.is_file():
        raise DataError(f"missing input file {path} (set --data or MVEMO_DATA)")
    return path


# -- vocabularies -------------------------------------------------------------------
def mtg_jamendo_tags(data: Path) -> list[str]:
    """The MTG-Jamendo mood/theme tags, prefix stripped, in file order."""
    lines = _require(data / MTG_TAGS).read_text(encoding="utf-8").splitlines()
    return [normalize_word(t) for t in lines if t.strip()]


def muvi_terms(data: Path) -> list[str]:
    """The binary emotion-term columns of MuVi's ``media_data.csv``, in column order."""
    with open(_require(data / MUVI_MEDIA), newline="", encoding="utf-8") as fh:
        header = next(csv.reader(fh))
    return [normalize_word(c) for c in header if c not in MUVI_NON_TERMS]


def allmusic_moods(data: Path) -> list[str]:
    """Distinct AllMusic mood words of the 4Q (Panda 2018) ``MoodsStr`` column, sorted."""
    words: set[str] = set()
    with open(_require(data / PANDA_METADATA), newline="", encoding="utf-8") as fh:
        reader = csv.DictReader(fh)
        if "MoodsStr" not in (reader.fieldnames or ()):
            raise DataError(f"{data / PANDA_METADATA}: no MoodsStr column")
        for row in reader:
            words.update(normalize_word(w) for w in row["MoodsStr"].split(";") if w.strip())
    return sorted(words)


def collect_vocabularies(data: Path) -> list[tuple[str, str]]:
    """All ``(vocabulary, word)`` pairs, in a fixed order, duplicates within a vocabulary dropped."""
    sources = {
        "mtg-jamendo": mtg_jamendo_tags(data),
        "emotify-gems9": [normalize_word(w) for w in GEMS9],
        "muvi": muvi_terms(data),
        "xlm-emo": [normalize_word(w) for w in XLM_EMO],
        "mirex-clusters": [normalize_word(w) for c in MIREX_CLUSTERS for w in c],
        "allmusic-4q": allmusic_moods(data),
    }
    pairs: list[tuple[str, str]] = []
    for vocab in VOCABULARIES:
        seen: set[str] = set()
        for word in sources[vocab]:
            if word not in seen:
                seen.add(word)
                pairs.append((vocab, word))
    return pairs


# -- lexicons -----------------------------------------------------------------------
class Lexicon(NamedTuple):
    """Valence-arousal norms of one lexicon: ``{word: (valence, arousal)}`` on ``scale``."""

    name: str
    scale: tuple[float, float]
    entries: dict[str, tuple[float, float]]


def load_warriner(data: Path) -> Lexicon:
    """Warriner et al. (2013): ``V.Mean.Sum``, ``A.Mean.Sum`` on 1-9."""
    path = _require(data / WARRINER)
    entries: dict[str, tuple[float, float]] = {}
    with open(path, newline="", encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            try:
                entries[row["Word"].strip().lower()] = (float(row["V.Mean.Sum"]), float(row["A.Mean.Sum"]))
            except (KeyError, ValueError) as exc:
                raise DataError(f"{path}: bad row {row.get('Word')!r}: {exc}") from exc
    return Lexicon("warriner", (1.0, 9.0), entries)


def load_nrc_vad(data: Path) -> Lexicon:
    """NRC-VAD v1 (Mohammad 2018): valence, arousal on [0, 1]."""
    path = _require(data / NRC_VAD)
    entries: dict[str, tuple[float, float]] = {}
    with open(path, newline="", encoding="utf-8") as fh:
        for row in csv.DictReader(fh, delimiter="\t"):
            try:
                entries[row["Word"].strip().lower()] = (float(row["Valence"]), float(row["Arousal"]))
            except (KeyError, ValueError) as exc:
                raise DataError(f"{path}: bad row {row.get('Word')!r}: {exc}") from exc
    return Lexicon("nrc-vad", (0.0, 1.0), entries)


def load_lexicons(data: Path) -> tuple[Lexicon, ...]:
    """The lexicons in lookup order: Warriner first, then NRC-VAD."""
    return load_warriner(data), load_nrc_vad(data)


def lemma_candidates(word: str) -> list[str]:
    """Simple lemma guesses for a single word, most specific first.

    Examples
    --------
    >>> lemma_candidates("relaxing")[:2]
    ['relax', 'relaxe']
    >>> "melancholy" in lemma_candidates("melancholic")
    True
    """
    rules = (
        ("iness", ("y",)),
        ("ness", ("",)),
        ("ity", ("", "e")),
        ("istic", ("ism", "ist")),
        ("ish", ("",)),
        ("ful", ("",)),
        ("ing", ("", "e", "ed")),
        ("ied", ("y",)),
        ("ed", ("", "e")),
        ("ies", ("y",)),
        ("es", ("",)),
        ("s", ("",)),
        ("ic", ("y", "")),
        ("ical", ("y", "ic")),
        ("ly", ("",)),
        ("y", ("", "e")),
    )
    out: list[str] = []
    for suffix, repl in rules:
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            stem = word[: -len(suffix)]
            cands = [stem + r for r in repl]
            # Doubled consonant: "trippy" -> "trip", "thuggish" -> "thug".
            if len(stem) >= 2 and stem[-1] == stem[-2] and suffix in ("ing", "ed", "y", "ish"):
                cands.append(stem[:-1])
            out.extend(c for c in cands if c != word and c not in out)
    return out


def _lookup_single(word: str, lex: Lexicon) -> tuple[float, float] | None:
    for cand in (word, word.replace("-", " "), word.replace(" ", "-")):
        if cand in lex.entries:
            return lex.entries[cand]
    if re.fullmatch(r"[a-z]+", word):
        for cand in lemma_candidates(word):
            if cand in lex.entries:
                return lex.entries[cand]
    return None


def _mean(values: list[tuple[float, float]]) -> tuple[float, float] | None:
    if not values:
        return None
    arr = np.asarray(values, dtype=np.float64)
    return float(arr[:, 0].mean()), float(arr[:, 1].mean())


def lookup(word: str, lex: Lexicon) -> tuple[float, float] | None:
    """Valence and arousal of a (possibly compound) word in one lexicon, or ``None``.

    The exact word (or a lemma) wins; a compound is the mean of its parts that are
    found, split on ``/`` first, then on spaces and hyphens.
    """
    word = normalize_word(word)
    hit = _lookup_single(word, lex)
    if hit is not None:
        return hit
    if "/" in word:
        return _mean([v for p in word.split("/") if p.strip() and (v := lookup(p, lex)) is not None])
    parts = [p for p in re.split(r"[\s\-]+", word) if p and p not in STOP_WORDS]
    if len(parts) > 1:
        return _mean([v for p in parts if (v := _lookup_single(p, lex)) is not None])
    return None


def nearest_category(theta_deg: float) -> str:
    """The category whose angle is circularly nearest to ``theta_deg`` (ties: first)."""
    circ = default_circumplex()
    diff = np.abs(np.mod(circ.angles - theta_deg + 180.0, 360.0) - 180.0)
    return circ.categories[int(np.argmin(diff))]


def propose(word: str, lexicons: tuple[Lexicon, ...]) -> tuple[str, str]:
    """``(norm_source, proposed category)`` for a word; ``("none", "")`` when not found."""
    for lex in lexicons:
        va = lookup(word, lex)
        if va is not None:
            theta, _ = va_to_polar(va[0], va[1], scale=lex.scale)
            return lex.name, nearest_category(float(theta))
    return "none", ""


def build_proposals(data: Path) -> list[dict[str, str]]:
    """One row per ``(vocabulary, word)`` with the norm source and proposed category."""
    lexicons = load_lexicons(data)
    rows = []
    for vocab, word in collect_vocabularies(data):
        source, cat = propose(word, lexicons)
        rows.append({"vocabulary": vocab, "word": word, "norm_source": source, "proposed": cat})
    return rows


def write_proposals(rows: list[dict[str, str]], out: Path) -> None:
    """Write the proposals CSV (``\\n`` line endings, UTF-8)."""
    out.parent.mkdir(parents=True, exist_ok=True)
    with open(out, "w", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(fh, fieldnames=OUT_COLUMNS, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)


# -- coverage of the data's word occurrences -----------------------------------------
def word_occurrences(data: Path) -> dict[str, Counter]:
    """Occurrences of each word in the data, per vocabulary a loader uses.

    ``allmusic-4q``: every mood of every clip (``MoodsStr``); ``emotify-gems9``: every
    rater's tick; ``muvi``: every rating's ticked term; ``mtg-jamendo``: every track's tag.
    A vocabulary whose files are absent is left out.
    """
    out: dict[str, Counter] = {}
    if (data / PANDA_METADATA).is_file():
        out["allmusic-4q"] = Counter(w for _, words in allmusic_clips(data) for w in words)
    emotify = data / "emotify" / "data.csv"
    if emotify.is_file():
        with open(emotify, newline="", encoding="utf-8") as fh:
            rows = list(csv.DictReader(fh, skipinitialspace=True))
        out["emotify-gems9"] = Counter(normalize_word(t) for r in rows for t in GEMS9 if r[t].strip() == "1")
    if (data / MUVI_MEDIA).is_file():
        with open(data / MUVI_MEDIA, newline="", encoding="utf-8") as fh:
            rows = list(csv.DictReader(fh))
        terms = [c for c in rows[0] if c not in MUVI_NON_TERMS] if rows else []
        out["muvi"] = Counter(normalize_word(t) for r in rows for t in terms if r[t].strip() == "1")
    mtg = data / "mtg_jamendo_moodtheme" / "data" / "autotagging_moodtheme.tsv"
    if mtg.is_file():
        tags: Counter = Counter()
        for line in mtg.read_text(encoding="utf-8").splitlines()[1:]:
            tags.update(normalize_word(t) for t in line.split("\t")[5:] if t.strip())
        out["mtg-jamendo"] = tags
    return out


def allmusic_clips(data: Path) -> list[tuple[str, list[str]]]:
    """``(quadrant, [normalised moods])`` per clip of the 4Q metadata."""
    with open(_require(data / PANDA_METADATA), newline="", encoding="utf-8") as fh:
        return [
            (r["Quadrant"], [normalize_word(w) for w in r["MoodsStr"].split(";") if w.strip()])
            for r in csv.DictReader(fh)
        ]


def coverage(occurrences: dict[str, Counter], word_map) -> list[dict]:
    """Per vocabulary: occurrences, how many the table places, and the words left out.

    A word is *placed* when the table maps it to a category; left out when its
    ``final`` is empty (no emotional meaning) or it is not in the table.
    """
    rows = []
    for vocab, occ in occurrences.items():
        left = Counter({w: n for w, n in occ.items() if w not in word_map or word_map.category(w) is None})
        total = sum(occ.values())
        rows.append(
            {
                "vocabulary": vocab,
                "distinct": len(occ),
                "occurrences": total,
                "placed": total - sum(left.values()),
                "share": (total - sum(left.values())) / total if total else 0.0,
                "left_out": left.most_common(),
            }
        )
    return rows


def allmusic_usage(data: Path, word_map, table_rows: dict[str, dict[str, str]]) -> list[dict[str, str]]:
    """Review evidence per AllMusic mood: occurrences, 4Q quadrant counts, norm direction, categories."""
    lexicons = load_lexicons(data)
    per_q: dict[str, Counter] = {}
    for quadrant, words in allmusic_clips(data):
        for w in words:
            per_q.setdefault(w, Counter())[quadrant] += 1
    out = []
    for word, qs in sorted(per_q.items(), key=lambda kv: (-sum(kv[1].values()), kv[0])):
        theta = radius = ""
        for lex in lexicons:
            va = lookup(word, lex)
            if va is not None:
                t, r = va_to_polar(va[0], va[1], scale=lex.scale)
                theta, radius = f"{float(t):.1f}", f"{float(r):.2f}"
                break
        row = table_rows.get(word, {})
        out.append(
            {
                "word": word,
                "occurrences": str(sum(qs.values())),
                **{q: str(qs.get(q, 0)) for q in ("Q1", "Q2", "Q3", "Q4")},
                "norm_theta": theta,
                "norm_radius": radius,
                "proposed": row.get("proposed", ""),
                "final": row.get("final", ""),
            }
        )
    return out


def _report_coverage(data: Path, usage_out: Path | None) -> int:
    from mvemo.conversion.words import default_word_map

    wm = default_word_map()
    for row in coverage(word_occurrences(data), wm):
        print(
            f"{row['vocabulary']}: {row['placed']} of {row['occurrences']} occurrences placed "
            f"({100 * row['share']:.1f} %), {row['distinct']} distinct words"
        )
        if row["left_out"]:
            print("  left out: " + ", ".join(f"{w} ({n})" for w, n in row["left_out"]))
    if usage_out is not None:
        table = {r["word"]: r for r in _packaged_table() if r["vocabulary"] == "allmusic-4q"}
        rows = allmusic_usage(data, wm, table)
        usage_out.parent.mkdir(parents=True, exist_ok=True)
        with open(usage_out, "w", newline="", encoding="utf-8") as fh:
            writer = csv.DictWriter(fh, fieldnames=list(rows[0]), lineterminator="\n")
            writer.writeheader()
            writer.writerows(rows)
        print(f"wrote {len(rows)} rows of AllMusic usage evidence to {usage_out}")
    return 0


def _packaged_table() -> list[dict[str, str]]:
    with open(REPO / "src" / "mvemo" / "conversion" / "data" / "word_map.csv", newline="", encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def main(argv: list[str] | None = None) -> int:
    """Command-line entry point."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, default=None, help="data root (default: $MVEMO_DATA or ../shared/data)")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help=f"output CSV (default: {DEFAULT_OUT})")
    parser.add_argument(
        "--coverage", action="store_true", help="report how many word occurrences of the data the packaged table places"
    )
    parser.add_argument(
        "--usage", type=Path, default=None, help="with --coverage: write the AllMusic usage evidence CSV here"
    )
    args = parser.parse_args(argv)
    data = args.data if args.data is not None else default_data_root()
    if args.coverage:
        try:
            return _report_coverage(data, args.usage)
        except DataError as exc:
            print(f"error: {exc}", file=sys.stderr)
            return 1
    try:
        rows = build_proposals(data)
    except DataError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    write_proposals(rows, args.out)
    counts: dict[str, int] = {}
    for r in rows:
        counts[r["vocabulary"]] = counts.get(r["vocabulary"], 0) + 1
    missing = sum(r["norm_source"] == "none" for r in rows)
    print(f"wrote {len(rows)} proposals to {args.out} ({counts}; {missing} not in any lexicon)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
