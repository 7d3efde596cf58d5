"""Train the lyrics emotion model (MiniLM embeddings + lexicon features -> four heads).

Recipe:

1. Every song of the ``lyrics`` dataset (and the lyrics of PMEmo's sample records) is
   cleaned (:func:`mvemo.io.lyrics.clean_lyrics`), cut into chunks of at most
   ``max_words`` words (:func:`mvemo.features.lyrics.chunk_text`), and each chunk is
   embedded (MiniLM) and scored (VADER, NRC EmoLex) once; the results are cached on disk
   per song (a :class:`~mvemo.features.cache.FeatureCache` of kind ``lyrics-units-v1``, keyed by
   the text and chunk length; atomic writes), so a rerun resumes.
2. A song's input is the mean chunk embedding plus the combined lexicon features.
   Augmentation: ``n_aug`` runs of 1-2 consecutive chunks per song (the size of a ±2.5 s
   window of sung lines) with the song's targets, weighted ``aug_weight``.
3. Targets: ``quadrant`` from ``emotion_4Q``; ``category`` and ``intensity`` from the
   manifest's unified static label; ``va`` from the V/A ratings where the row has them
   (PMEmo, emoMusic; [0, 1] -> [-1, 1]), else the VA point of the unified label as a weak
   target weighted ``weak_va_weight``.
4. Hyper-parameters (hidden width, L2 penalty, augmentation weight) are chosen by the
   validation split's 4Q macro-F1; the test split is scored once, with the chosen model.
5. Bag-of-words channel (model ``lyrics-minilm-lex-bow-v2``): on the train split, TF-IDF
   (1-2 grams, ``min_df`` 2, sublinear tf, L2 norm, at most ``bow_max_features`` terms) +
   multinomial logistic regression for the quadrant and for the unified category, ``C``
   from ``bow_c`` chosen by validation 4Q macro-F1.  Its vocabulary, idf and coefficients
   (float16) go into the model file (:class:`mvemo.models.lyrics.LyricsBow`), so prediction
   needs no scikit-learn; the numbers below are computed with those stored values.
6. Blend: quadrant and category probabilities ``(1 - beta) * heads + beta * bag-of-words``,
   ``beta`` from ``blend_beta`` chosen by validation 4Q macro-F1; intensity and VA stay the
   heads'.  Then the static label's source (``head``: category/intensity outputs, or
   ``va``) is chosen by validation D_e.
7. Baseline on the same split: TF-IDF (1-2 grams) + logistic regression for the quadrant
   and for the unified category (C chosen on validation), intensity = the training median.

Size: about 660 lines, over the ~600 guide, kept as one module on purpose: the seven steps
above are one recipe whose parts share :class:`SongExample` and the config and are tuned
together.  The model card is :mod:`mvemo.train.lyrics_card`; shared metrics and report
writing are :mod:`mvemo.train.common`.
"""

from __future__ import annotations

import itertools
import json
import time
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from mvemo.conversion.quadrant import QUADRANTS, normalize_quadrant
from mvemo.conversion.va import labels_to_va, va_to_arrays
from mvemo.errors import DataError
from mvemo.features.bow import blend_outputs
from mvemo.features.cache import FeatureCache
from mvemo.features.lyrics import (
    EMBEDDING_DIM,
    UNIT_STATS,
    SentenceEncoder,
    chunk_text,
    combine_lexicon,
    lexicon_stats,
)
from mvemo.io.config import read_toml_config
from mvemo.io.lyrics import clean_lyrics
from mvemo.models.outputs import HeadOutputs
from mvemo.progress import track
from mvemo.representation import default_circumplex, quantize_intensity
from mvemo.train.common import macro_f1, write_report
from mvemo.train.lyrics_card import model_card  # re-exported: callers import it from here

__all__ = [
    "MODEL_NAME",
    "LyricsTrainConfig",
    "SongExample",
    "choose_beta",
    "extract_units",
    "fit_bow",
    "load_examples",
    "run_training",
    "score_outputs",
    "song_units",
]

UNITS_KIND = "lyrics-units-v1"
#: The model this trainer writes (heads + bag of words).  The shipped ``lyrics-minilm-lex-bow-v3``
#: is built from it by :mod:`mvemo.train.lyrics_v3` (temperatures, certainty-rule intensity).
MODEL_NAME = "lyrics-minilm-lex-bow-v2"


@dataclass
class LyricsTrainConfig:
    """Training settings (a TOML file gives any of them)."""

    seed: int = 0
    data_home: str | None = None
    cache_dir: str | None = None
    out_dir: str = "build/lyrics"
    max_words: int = 32
    epochs: int = 200
    lr: float = 3e-3
    dropout: float = 0.2
    weak_va_weight: float = 0.5
    n_aug: int = 4
    head_weights: dict[str, float] = field(
        default_factory=lambda: {"quadrant": 1.0, "category": 1.0, "intensity": 1.0, "va": 1.0}
    )
    # validation grid
    hidden: tuple[int, ...] = (0, 64)
    l2: tuple[float, ...] = (0.1, 0.3, 1.0)
    aug_weight: tuple[float, ...] = (0.0, 0.3)
    baseline_c: tuple[float, ...] = (0.3, 1.0, 3.0, 10.0)
    # bag-of-words channel and blend (validation grids)
    bow_c: tuple[float, ...] = (0.3, 1.0, 3.0, 10.0)
    bow_max_features: int = 20000
    blend_beta: tuple[float, ...] = (0.0, 0.25, 0.5, 0.75, 1.0)
    pmemo_samples: bool = True
    threads: int = 1

    @classmethod
    def from_toml(cls, path: str | Path) -> LyricsTrainConfig:
        """Read a TOML config; unknown keys are an error."""
        return read_toml_config(
            cls, path, tuple_keys=("hidden", "l2", "aug_weight", "baseline_c", "bow_c", "blend_beta")
        )

    def resolved_cache(self) -> Path:
        """The embedding cache folder: ``cache_dir`` or the default feature cache."""
        from mvemo.features.cache import default_cache_dir

        return Path(self.cache_dir) if self.cache_dir else default_cache_dir()


@dataclass
class SongExample:
    """One song: its chunk embeddings and lexicon statistics, and its targets."""

    id: str
    split: str
    emb: np.ndarray  # (K, 384) chunk embeddings
    stats: np.ndarray  # (K, len(UNIT_STATS))
    quadrant: int | None
    category: int
    intensity: float
    va: np.ndarray  # (2,) in [-1, 1]
    va_weak: bool
    text: str = field(default="", repr=False)  # cleaned text, kept in memory only (baseline)

    def features(self, rows: slice | None = None) -> np.ndarray:
        """Model input of the song (or of a run of its chunks): mean embedding + lexicon features."""
        e, s = (self.emb, self.stats) if rows is None else (self.emb[rows], self.stats[rows])
        return np.concatenate([e.mean(0), combine_lexicon(s)]).astype(np.float32)


def song_units(text: str, *, max_words: int) -> list[str]:
    """Chunks of a cleaned song text (see :func:`mvemo.features.lyrics.chunk_text`)."""
    return chunk_text(clean_lyrics(text), max_words=max_words)


def _units_key(cache: FeatureCache, text: str, max_words: int) -> str:
    """The cache key of a song's units: its text and the chunk length."""
    return cache.content_key(f"{max_words}\0{text}", UNITS_KIND)


def _raw_songs(cfg: LyricsTrainConfig) -> list[tuple[Any, str]]:
    """(item, raw text) of every lyrics item, plus PMEmo sample records as pseudo-items."""
    from mvemo.data import load
    from mvemo.data.labels import static_from_va
    from mvemo.data.manifest import Item

    ds = load("lyrics", data_home=cfg.data_home, seed=cfg.seed)
    songs = [(item, ds.lyrics(item)) for item in ds.index()]
    if cfg.pmemo_samples:
        have = {it.id.split("-", 1)[1] for it, _ in songs if it.custom.get("source_dataset") == "PMEmo2019"}
        folder = ds.root / "pmemo" / "data" / "samples"
        for path in sorted(folder.glob("*.json")) if folder.is_dir() else []:
            try:
                rec = json.loads(path.read_text(encoding="utf-8"))
            except (OSError, ValueError):
                continue
            if not isinstance(rec, dict) or "lyrics" not in rec or str(rec.get("id")) in have:
                continue
            v, a = float(rec["valence_mean"]), float(rec["arousal_mean"])
            static, _ = static_from_va(v, a, scale="0-1")
            q = ("Q1" if a >= 0.5 else "Q4") if v >= 0.5 else ("Q2" if a >= 0.5 else "Q3")
            item = Item(
                f"pmemo:{rec['id']}",
                "pmemo",
                "none",
                labels={"valence_mean": v, "arousal_mean": a, "emotion_4Q": q},
                label_type="va",
                scale="0-1",
                static=static,
                split="train",
            )
            songs.append((item, str(rec["lyrics"])))
    return songs


def extract_units(cfg: LyricsTrainConfig, *, log=print) -> int:
    """Embed and score the chunks of every song not yet cached; returns how many were computed."""
    from mvemo._extras import require

    require("torch", extra="torch").set_num_threads(max(1, int(cfg.threads)))
    cache = FeatureCache(cfg.resolved_cache())
    enc = SentenceEncoder()
    todo = [
        (item, text)
        for item, text in _raw_songs(cfg)
        if not cache.entry(_units_key(cache, text, cfg.max_words), UNITS_KIND).is_file()
    ]
    t0 = time.perf_counter()
    for start in range(0, len(todo), 32):
        batch = todo[start : start + 32]
        chunks = [song_units(text, max_words=cfg.max_words) for _, text in batch]
        emb = enc.encode([c for cs in chunks for c in cs]) if any(chunks) else np.zeros((0, EMBEDDING_DIM))
        k = 0
        for (_item, text), cs in zip(batch, chunks):
            e, k = emb[k : k + len(cs)], k + len(cs)
            cache.put_key(
                _units_key(cache, text, cfg.max_words),
                UNITS_KIND,
                {"emb": e.astype(np.float32), "stats": lexicon_stats(cs)},
            )
        log(f"embedded {min(start + 32, len(todo))}/{len(todo)} songs ({time.perf_counter() - t0:.0f} s)")
    return len(todo)


def load_examples(cfg: LyricsTrainConfig) -> tuple[list[SongExample], list[str]]:
    """Examples of every song whose units are cached; returns (examples, problems)."""
    cache = FeatureCache(cfg.resolved_cache())
    circ = default_circumplex()
    examples, problems = [], []
    for item, text in _raw_songs(cfg):
        z = cache.get_key(_units_key(cache, text, cfg.max_words), UNITS_KIND)
        if z is None or not {"emb", "stats"} <= set(z):
            problems.append(f"{item.id}: units not cached (run with --extract)")
            continue
        emb, stats = z["emb"], z["stats"]
        if len(emb) == 0 or item.static is None:
            problems.append(f"{item.id}: no words after cleaning or no label")
            continue
        cat = circ.index(item.static.category)
        inten = float(item.static.intensity)
        labels = item.labels
        rated = labels.get("valence_mean") is not None and labels.get("arousal_mean") is not None
        if item.label_type == "va" and rated:
            va, weak = np.array([2 * labels["valence_mean"] - 1, 2 * labels["arousal_mean"] - 1]), False
        else:
            v, a = labels_to_va(np.array([cat]), np.array([inten]))
            va, weak = np.array([v[0], a[0]]), True
        q = labels.get("emotion_4Q")
        examples.append(
            SongExample(
                item.id,
                item.split or "train",
                emb,
                stats,
                QUADRANTS.index(normalize_quadrant(q)) if q else None,
                cat,
                inten,
                va.astype(np.float32),
                weak,
                clean_lyrics(text),
            )
        )
    return examples, problems


# --------------------------------------------------------------------------- training
def _design(
    examples: list[SongExample], cfg: LyricsTrainConfig, *, aug_weight: float, rng
) -> tuple[np.ndarray, np.ndarray, np.ndarray, HeadOutputs]:
    """Inputs ``x`` (N, D), sample weights ``w`` (N,), VA weights (N,) and the targets head by
    head (quadrant -1 where unknown), with ``n_aug`` crops per song of weight ``aug_weight``."""
    rows, w = [], []
    for ex in examples:
        rows.append((ex, ex.features()))
        w.append(1.0)
        if aug_weight > 0 and len(ex.emb) > 1:
            for _ in range(cfg.n_aug):
                n = int(rng.integers(1, 3))
                s = int(rng.integers(0, max(1, len(ex.emb) - n + 1)))
                rows.append((ex, ex.features(slice(s, s + n))))
                w.append(aug_weight)
    targets = HeadOutputs(
        quadrant=np.array([-1 if r[0].quadrant is None else r[0].quadrant for r in rows]),
        category=np.array([r[0].category for r in rows]),
        intensity=np.array([r[0].intensity for r in rows], np.float32),
        va=np.stack([r[0].va for r in rows]).astype(np.float32),
    )
    va_w = np.array([cfg.weak_va_weight if r[0].va_weak else 1.0 for r in rows], np.float32)
    return np.stack([r[1] for r in rows]), np.asarray(w, np.float32), va_w, targets


def train_heads(examples: list[SongExample], cfg: LyricsTrainConfig, *, hidden: int, l2: float, aug_weight: float):
    """Fit the heads on ``examples`` (full-batch Adam, seeded); returns the network in eval mode.

    ``l2`` multiplies the sum of squared weights (not biases) added to the mean loss, as in
    L2-regularised logistic regression (``l2 = 1 / (2 C N)`` in scikit-learn's terms).
    """
    from mvemo._extras import require
    from mvemo.models.lyrics import LyricsHeads, LyricsHeadsConfig

    torch = require("torch", extra="torch")
    torch.manual_seed(cfg.seed)
    rng = np.random.default_rng(cfg.seed)
    x, w_np, va_w, targets = _design(examples, cfg, aug_weight=aug_weight, rng=rng)
    net = LyricsHeads(LyricsHeadsConfig(input_dim=x.shape[1], hidden=hidden, dropout=cfg.dropout))
    net.set_standardization(x)
    xt, w, vw = torch.from_numpy(x), torch.from_numpy(w_np), torch.from_numpy(w_np) * torch.from_numpy(va_w)
    t = targets.map(torch.from_numpy)
    opt = torch.optim.Adam(net.parameters(), lr=cfg.lr)
    penalised = [p for n, p in net.named_parameters() if n.endswith("weight")]
    hw = cfg.head_weights
    ce = torch.nn.functional.cross_entropy
    has_q = t.quadrant >= 0
    net.train()
    for _ in track(range(cfg.epochs), desc="train lyrics", unit="epoch"):
        opt.zero_grad()
        out = net(xt)
        losses = {  # summed in this order, weighted by head
            "quadrant": (ce(out.quadrant[has_q], t.quadrant[has_q], reduction="none") * w[has_q]).sum()
            / w[has_q].sum(),
            "category": (ce(out.category, t.category, reduction="none") * w).sum() / w.sum(),
            "intensity": (((out.intensity - t.intensity) ** 2) * w).sum() / w.sum(),
            "va": ((((out.va - t.va) ** 2).sum(1)) * vw).sum() / vw.sum(),
        }
        loss = sum(hw[head] * part for head, part in losses.items())
        loss = loss + l2 * sum((p**2).sum() for p in penalised)
        loss.backward()
        opt.step()
    net.eval()
    return net


def predict_heads(net, x: np.ndarray) -> HeadOutputs:
    """Probabilities and values of the heads for inputs ``x`` (N, D)."""
    from mvemo._extras import require

    torch = require("torch", extra="torch")
    with torch.no_grad():
        out = net(torch.from_numpy(np.asarray(x, np.float32)))
    return HeadOutputs(
        category=torch.softmax(out.category, -1).numpy(),
        quadrant=torch.softmax(out.quadrant, -1).numpy(),
        intensity=out.intensity.numpy(),
        va=out.va.numpy(),
    )


def score(
    examples: list[SongExample],
    quadrant: np.ndarray,
    category: np.ndarray,
    intensity: np.ndarray,
    va: np.ndarray | None = None,
) -> dict[str, Any]:
    """Metrics of predictions (indices, intensity levels) against the examples' targets."""
    from mvemo.metrics import evaluate

    cats = default_circumplex().categories
    has_q = np.array([ex.quadrant is not None for ex in examples])
    q_ref = np.array([ex.quadrant if ex.quadrant is not None else -1 for ex in examples])
    rep: dict[str, Any] = {"n": len(examples)}
    rep["quadrant"] = {
        "accuracy": float(np.mean(q_ref[has_q] == quadrant[has_q])),
        "macro_f1": macro_f1(q_ref[has_q], quadrant[has_q], 4),
    }
    u = evaluate(
        [cats[ex.category] for ex in examples],
        [ex.intensity for ex in examples],
        [cats[c] for c in category],
        [float(i) for i in intensity],
    )
    rep["unified"] = {
        k: float(u[k])
        for k in ("category_f1", "category_precision", "category_recall", "intensity_f1", "emotion_distance")
    }
    # Macro-F1 over the categories that occur in the reference (the 28-class figure above
    # averages over every class that occurs in reference or estimate).
    present = sorted({ex.category for ex in examples})
    rep["unified"]["n_reference_categories"] = len(present)
    if va is not None:
        real = np.array([not ex.va_weak for ex in examples])
        if real.any():
            ref_va = np.stack([ex.va for ex in examples])[real]
            err = va[real] - ref_va
            rep["va_rated"] = {
                "n": int(real.sum()),
                "rmse_valence": float(np.sqrt(np.mean(err[:, 0] ** 2))),
                "rmse_arousal": float(np.sqrt(np.mean(err[:, 1] ** 2))),
                "pearson_valence": _pearson(va[real, 0], ref_va[:, 0]),
                "pearson_arousal": _pearson(va[real, 1], ref_va[:, 1]),
            }
    return rep


def _pearson(a: np.ndarray, b: np.ndarray) -> float | None:
    if len(a) < 3 or np.std(a) == 0 or np.std(b) == 0:
        return None
    return float(np.corrcoef(a, b)[0, 1])


def evaluate_heads(net, examples: list[SongExample], *, static_from: str = "head") -> dict[str, Any]:
    """Score the network on song-level inputs; ``static_from`` "head" (category/intensity
    heads) or "va" (the unified label of the predicted VA point)."""
    return score_outputs(
        examples, predict_heads(net, np.stack([ex.features() for ex in examples])), static_from=static_from
    )


def score_outputs(
    examples: list[SongExample], p: HeadOutputs | Mapping[str, np.ndarray], *, static_from: str = "head"
) -> dict[str, Any]:
    """Score model outputs ``p`` (``quadrant``/``category`` probabilities, ``intensity``,
    ``va``, as from :func:`predict_heads`, possibly blended) against the examples' targets."""
    p = HeadOutputs.of(p)
    if static_from == "va":
        cat, inten = va_to_arrays(p.valence, p.arousal)
    else:
        cat, inten = p.category.argmax(1), np.asarray(quantize_intensity(np.clip(p.intensity, 0, 1)))
    return score(examples, p.quadrant.argmax(1), cat, inten, p.va)


def _tfidf_logreg(
    train: list[SongExample], val: list[SongExample], cs: tuple[float, ...], *, max_features: int
) -> dict[str, Any]:
    """TF-IDF (1-2 grams, min_df 2, sublinear tf, L2 norm) + logistic regression for the quadrant
    and the unified category, fitted on ``train`` for each ``C`` in ``cs`` and scored on ``val``.

    Returns ``vectorizer``, ``x_val`` (the validation TF-IDF matrix), ``median_level`` (the
    training median intensity level, used as the intensity of every prediction), ``tried``
    (``(C, validation report)`` per C) and ``best`` ``(validation report, C, quadrant model,
    category model)``: the first C with the best validation 4Q macro-F1.
    """
    from mvemo._extras import require

    require("sklearn", extra="symbolic")
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression

    vec = TfidfVectorizer(
        ngram_range=(1, 2), min_df=2, sublinear_tf=True, norm="l2", lowercase=True, max_features=int(max_features)
    )
    xtr = vec.fit_transform([ex.text for ex in train])
    xva = vec.transform([ex.text for ex in val])
    qtr = np.array([ex.quadrant if ex.quadrant is not None else -1 for ex in train])
    ctr = np.array([ex.category for ex in train])
    median_level = float(quantize_intensity(float(np.median([ex.intensity for ex in train]))))
    best, tried = None, []
    for c in cs:
        mq = LogisticRegression(C=c, max_iter=2000).fit(xtr[qtr >= 0], qtr[qtr >= 0])
        mc = LogisticRegression(C=c, max_iter=2000).fit(xtr, ctr)
        rep = score(val, mq.predict(xva), mc.predict(xva), np.full(len(val), median_level))
        tried.append((c, rep))
        if best is None or rep["quadrant"]["macro_f1"] > best[0]["quadrant"]["macro_f1"]:
            best = (rep, c, mq, mc)
    return {"vectorizer": vec, "x_val": xva, "median_level": median_level, "tried": tried, "best": best}


def run_baseline(
    train: list[SongExample], val: list[SongExample], test: list[SongExample], cfg: LyricsTrainConfig
) -> dict[str, Any]:
    """TF-IDF + logistic regression (quadrant, unified category), C chosen on validation."""
    fit = _tfidf_logreg(train, val, cfg.baseline_c, max_features=50000)
    rep_val, c, mq, mc = fit["best"]
    xte = fit["vectorizer"].transform([ex.text for ex in test])
    median_level = fit["median_level"]
    rep_test = score(test, mq.predict(xte), mc.predict(xte), np.full(len(test), median_level))
    tried = [{"C": c_, "val_quadrant_macro_f1": rep["quadrant"]["macro_f1"]} for c_, rep in fit["tried"]]
    return {
        "name": "tfidf-logreg",
        "C": c,
        "intensity": median_level,
        "grid": tried,
        "validation": rep_val,
        "test": rep_test,
    }


def fit_bow(train: list[SongExample], val: list[SongExample], cfg: LyricsTrainConfig, *, log=print):
    """Fit the bag-of-words channel on ``train`` (``C`` chosen by validation 4Q macro-F1).

    Returns ``(channel, info)``: a :class:`~mvemo.models.lyrics.LyricsBow` (``beta`` 0)
    rebuilt from its stored form (float16 coefficients), so that what is scored is what
    ships, and a dict with the grid, ``C``, the number of terms and the largest
    difference between the stored channel's and scikit-learn's validation probabilities.

    Raises
    ------
    MissingExtraError
        If scikit-learn (extra ``symbolic``) is missing.
    """
    from mvemo.features.bow import BowClassifier, TfidfTransform
    from mvemo.models.lyrics import LyricsBow

    fit = _tfidf_logreg(train, val, cfg.bow_c, max_features=cfg.bow_max_features)
    vec = fit["vectorizer"]
    grid = []
    for c, rep in fit["tried"]:
        grid.append(
            {
                "C": c,
                "val_quadrant_macro_f1": rep["quadrant"]["macro_f1"],
                "val_category_f1": rep["unified"]["category_f1"],
            }
        )
        log(
            f"  bag of words C {c:g}: val 4Q macro-F1 {rep['quadrant']['macro_f1']:.3f}, "
            f"category F1 {rep['unified']['category_f1']:.3f}"
        )
    _, c, mq, mc = fit["best"]
    xva = fit["x_val"]
    n_cat = len(default_circumplex().categories)
    info = {
        "C": c,
        "min_df": 2,
        "max_features": int(cfg.bow_max_features),
        "n_terms": len(vec.vocabulary_),
        "selected_by": "validation 4Q macro-F1",
    }
    fitted = LyricsBow(
        TfidfTransform.from_sklearn(vec),
        BowClassifier.from_sklearn(mq, n_outputs=len(QUADRANTS)),
        BowClassifier.from_sklearn(mc, n_outputs=n_cat),
        0.0,
        info,
    )
    bow = LyricsBow.from_checkpoint(*fitted.to_checkpoint(), n_quadrants=len(QUADRANTS), n_categories=n_cat)
    ours = bow.predict([ex.text for ex in val])
    diff = max(
        float(np.abs(ours.quadrant[:, mq.classes_] - mq.predict_proba(xva)).max()),
        float(np.abs(ours.category[:, mc.classes_] - mc.predict_proba(xva)).max()),
    )
    log(f"  bag of words: C {c:g}, {info['n_terms']} terms; stored channel vs scikit-learn: max |dp| {diff:.2e}")
    return bow, {**info, "grid": grid, "max_abs_diff_vs_sklearn": diff}


def choose_beta(
    examples: list[SongExample], p_heads: HeadOutputs, p_bow: HeadOutputs, betas: tuple[float, ...]
) -> tuple[float, list[dict[str, Any]]]:
    """The blend weight with the best 4Q macro-F1 on ``examples`` (first of ties), and the grid."""
    if not betas:
        raise DataError("blend_beta is empty: give at least one blend weight in [0, 1]")
    grid, best = [], None
    for b in betas:
        rep = score_outputs(examples, blend_outputs(p_heads, p_bow, b), static_from="head")
        grid.append(
            {
                "beta": float(b),
                "val_quadrant_macro_f1": rep["quadrant"]["macro_f1"],
                "val_category_f1": rep["unified"]["category_f1"],
                "val_emotion_distance": rep["unified"]["emotion_distance"],
            }
        )
        if best is None or rep["quadrant"]["macro_f1"] > best[1]:
            best = (float(b), rep["quadrant"]["macro_f1"])
    return best[0], grid


def run_training(cfg: LyricsTrainConfig, *, log=print) -> dict[str, Any]:
    """Choose settings on validation, train, score test once, write weights, card and report."""
    from mvemo._extras import require
    from mvemo.models.lyrics import save_lyrics_heads

    torch = require("torch", extra="torch")
    torch.set_num_threads(max(1, int(cfg.threads)))
    t0 = time.perf_counter()
    examples, problems = load_examples(cfg)
    for p in problems[:10]:
        log(f"  skipped: {p}")
    if not examples:
        raise DataError("no training examples: embed the lyrics first (mvemo train lyrics --extract)")
    train = [ex for ex in examples if ex.split == "train"]
    val = [ex for ex in examples if ex.split == "validation"]
    test = [ex for ex in examples if ex.split == "test"]
    log(f"{len(train)} train, {len(val)} validation, {len(test)} test songs")
    grid = []
    best = None
    for hidden, lam, aug in itertools.product(cfg.hidden, cfg.l2, cfg.aug_weight):
        net = train_heads(train, cfg, hidden=hidden, l2=lam, aug_weight=aug)
        rep = evaluate_heads(net, val)
        row = {
            "hidden": hidden,
            "l2": lam,
            "aug_weight": aug,
            "val_quadrant_macro_f1": rep["quadrant"]["macro_f1"],
            "val_category_f1": rep["unified"]["category_f1"],
            "val_emotion_distance": rep["unified"]["emotion_distance"],
        }
        grid.append(row)
        log(
            f"  hidden {hidden:>3} l2 {lam:g} aug {aug:g}: val 4Q macro-F1 {row['val_quadrant_macro_f1']:.3f}, "
            f"category F1 {row['val_category_f1']:.3f}, D_e {row['val_emotion_distance']:.3f}"
        )
        if best is None or row["val_quadrant_macro_f1"] > best[0]["val_quadrant_macro_f1"]:
            best = (row, net)
    chosen, net = best
    texts = {"validation": [ex.text for ex in val], "test": [ex.text for ex in test]}
    ph_val = predict_heads(net, np.stack([ex.features() for ex in val]))
    # Static unified label from the category/intensity outputs or from the VA head: chosen on validation D_e.
    heads_by = {s: score_outputs(val, ph_val, static_from=s)["unified"]["emotion_distance"] for s in ("head", "va")}
    heads_from = min(heads_by, key=heads_by.get)
    # Bag-of-words channel, then the blend weight, both on validation.
    bow, bow_info = fit_bow(train, val, cfg, log=log)
    pb_val = bow.predict(texts["validation"])
    beta, beta_grid = choose_beta(val, ph_val, pb_val, tuple(cfg.blend_beta))
    bow.beta = beta
    by = {
        s: score_outputs(val, blend_outputs(ph_val, pb_val, beta), static_from=s)["unified"]["emotion_distance"]
        for s in ("head", "va")
    }
    static_from = min(by, key=by.get)
    log(f"  chosen: beta {beta:g} (validation 4Q macro-F1), static label from {static_from!r} (validation D_e)")
    # The test split is scored once, with the settings chosen above.
    ph_te = predict_heads(net, np.stack([ex.features() for ex in test]))
    pb_te = bow.predict(texts["test"])
    variants: dict[str, Any] = {}
    for name, b, sf in (("heads", 0.0, heads_from), ("bow", 1.0, "head"), ("blend", beta, static_from)):
        variants[name] = {
            "beta": b,
            "static_from": sf,
            "validation": score_outputs(val, blend_outputs(ph_val, pb_val, b), static_from=sf),
            "test": score_outputs(test, blend_outputs(ph_te, pb_te, b), static_from=sf),
        }
    report: dict[str, Any] = {
        "model": MODEL_NAME,
        "config": asdict(cfg),
        "n_train": len(train),
        "n_validation": len(val),
        "n_test": len(test),
        "skipped": len(problems),
        "grid": grid,
        "chosen": {k: chosen[k] for k in ("hidden", "l2", "aug_weight")},
        "static_from": static_from,
        "static_from_val_emotion_distance": by,
        "heads_static_from_val_emotion_distance": heads_by,
        "bow": bow_info,
        "beta": beta,
        "beta_grid": beta_grid,
        "variants": variants,
        "validation": variants["blend"]["validation"],
        "test": variants["blend"]["test"],
    }
    report["baseline"] = run_baseline(train, val, test, cfg)
    report["seconds"] = round(time.perf_counter() - t0, 1)
    out = Path(cfg.out_dir)
    meta = {
        "name": MODEL_NAME,
        "embedding": "all-MiniLM-L6-v2",
        "max_words": cfg.max_words,
        "static_from": static_from,
        "quadrants": list(QUADRANTS),
        "unit_stats": list(UNIT_STATS),
        "blend": {"beta": beta, "selected_by": "validation 4Q macro-F1", "outputs": ["quadrant", "category"]},
        "train": {
            "datasets": ["lyrics", "pmemo samples"] if cfg.pmemo_samples else ["lyrics"],
            "seed": cfg.seed,
            "n_train": len(train),
            **report["chosen"],
            "bow_C": bow_info["C"],
        },
    }
    save_lyrics_heads(net, meta, out / f"{MODEL_NAME}.pt", bow=bow)
    report["checkpoint_bytes"] = (out / f"{MODEL_NAME}.pt").stat().st_size
    write_report(out, report, card=model_card(report), card_name=MODEL_NAME)
    log(f"wrote {out / (MODEL_NAME + '.pt')}, its card and {out / 'report.json'} ({report['seconds']} s)")
    return report
