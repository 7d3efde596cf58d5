"""k-fold cross-validation of the music model's 4Q head, optionally split over processes.

    .venv/bin/python scripts/cv_music.py --config configs/music2emo.toml --folds 10           # all folds
    .venv/bin/python scripts/cv_music.py ... --run 0-4 --out build/cv_a.json   # one part
    .venv/bin/python scripts/cv_music.py --merge build/cv_a.json build/cv_b.json \
        --report build/music2emo/report.json                                   # combine parts, update the card

    .venv/bin/python scripts/cv_music.py --linear --folds 10   # linear-head backbone comparison
    .venv/bin/python scripts/cv_music.py --channel --folds 10 --seeds 0 1 2   # the linear quadrant channel
    .venv/bin/python scripts/cv_music.py --extract-expressive                 # cache the expressive features
    .venv/bin/python scripts/cv_music.py --extract-logmel     # the log-mel spectrograms alone (1 min)
    .venv/bin/python scripts/cv_music.py --channels musicnn cnn-musicnn cnn --seeds 0   # the networks
    .venv/bin/python scripts/cv_music.py --channels musicnn expressive handcrafted --seeds 0 1 2 \
        --out build/cv_channels.json --table build/cv_channels.md   # channels, combinations, test split
    # the same split over processes, one per seed, then:
    .venv/bin/python scripts/cv_music.py --merge-channels build/cv_s0.json build/cv_s1.json build/cv_s2.json

Needs the datasets ($MVEMO_DATA) and cached features (`mvemo train music` extracts them;
``--linear`` also needs the MSD blocks: ``extract_features(cfg, backbones=("MTT_musicnn",
"MSD_musicnn"))``).  ``--linear`` is a comparison, not the shipped model: standardised
logistic regression on whole-clip embeddings (MTT, MSD, both, with or without std pooling),
on the 4Q clips that have both backbones cached.  ``--channel`` cross-validates the config's
linear quadrant channel alone (``quadrant_linear_*``), with the full CV's fold assignment for
the config's seed (and others with ``--seeds``): with ``quadrant_linear_weight = 1`` that is
exactly the model's static quadrant output, in seconds instead of hours.  ``--channels`` is the
issue #19 comparison: the v3 channel (``musicnn``), logistic regressions on the expressive
descriptors (``expressive``) and on those plus timbre statistics (``handcrafted``), a small
dense network on the ``handcrafted`` inputs (``dense``, Louro et al. 2024's dense branch), every
combination (weighted average or stacking, chosen by inner CV on the training folds only), paired
per-fold differences against v3, and the fixed test split (fit on ``train``).  ``cnn`` (a CNN on
the clips' log-mel spectrograms) and ``cnn-musicnn`` (a 1-D CNN on the musicnn front-end block
features) are networks trained from scratch on each training fold and cross-fitted
(:func:`mvemo.train.spectro.crossfit_channel`, settings :func:`spectro_config`).
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import numpy as np


def merge(paths: list[str]) -> dict:
    """Combine CV parts into one report with means over all folds."""
    parts = [json.loads(Path(p).read_text()) for p in paths]
    acc = sum((p["accuracy"] for p in parts), [])
    f1 = sum((p["macro_f1"] for p in parts), [])
    folds = sorted(sum((p["run_folds"] for p in parts), []))
    return {
        "folds": parts[0]["folds"],
        "run_folds": folds,
        "accuracy": acc,
        "macro_f1": f1,
        "mean_accuracy": float(np.mean(acc)),
        "mean_macro_f1": float(np.mean(f1)),
        "std_macro_f1": float(np.std(f1)),
    }


def linear_cv(cfg, *, folds: int, seed: int) -> dict:
    """Stratified k-fold 4Q macro-F1 of logistic regression on pooled whole-clip embeddings."""
    from mvemo._extras import require

    require("sklearn", extra="symbolic")
    from sklearn.linear_model import LogisticRegression
    from sklearn.metrics import f1_score
    from sklearn.model_selection import StratifiedKFold
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    from mvemo.conversion.quadrant import QUADRANTS, normalize_quadrant
    from mvemo.data import load
    from mvemo.features.blocks import BlockFeatures, pool_blocks, pool_blocks_std, window_embeddings
    from mvemo.features.cache import FeatureCache, default_cache_dir
    from mvemo.features.music import blocks_kind
    from mvemo.features.musicnn import load_musicnn

    cache = FeatureCache(cfg.cache_dir or default_cache_dir())
    ds = load("4q_panda2018", data_home=cfg.data_home)
    nets = {b: load_musicnn(b) for b in ("MTT_musicnn", "MSD_musicnn")}
    feats: dict[str, list] = {}
    labels = []
    for it in ds.index():
        arrays = {b: cache.get(ds.root / it.media["audio"], blocks_kind(b)) for b in nets}
        if any(a is None for a in arrays.values()):
            continue
        parts = {}
        for b, a in arrays.items():
            bl = BlockFeatures.from_arrays(a)
            lo, hi = np.array([0]), np.array([bl.n_blocks])
            mean, mx = pool_blocks(bl, lo, hi)
            parts[b] = (window_embeddings(nets[b], mean, mx)[0], pool_blocks_std(bl, lo, hi)[0])
        (a, sa), (m, sm) = parts["MTT_musicnn"], parts["MSD_musicnn"]
        for name, vec in (
            ("mtt", a),
            ("mtt+std", np.r_[a, sa]),
            ("msd", m),
            ("msd+std", np.r_[m, sm]),
            ("mtt+msd", np.r_[a, m]),
            ("mtt+msd+std", np.r_[a, sa, m, sm]),
        ):
            feats.setdefault(name, []).append(vec)
        labels.append(QUADRANTS.index(normalize_quadrant(it.labels["quadrant"])))
    y = np.array(labels)
    out = {"n": int(len(y)), "folds": folds}
    splitter = StratifiedKFold(folds, shuffle=True, random_state=seed)
    for name, rows in feats.items():
        x = np.array(rows)
        for c in (0.01, 0.1):
            clf = make_pipeline(StandardScaler(), LogisticRegression(C=c, max_iter=2000))
            f1 = [
                f1_score(y[te], clf.fit(x[tr], y[tr]).predict(x[te]), average="macro")
                for tr, te in splitter.split(x, y)
            ]
            out[f"{name} C={c}"] = {"mean_macro_f1": float(np.mean(f1)), "std_macro_f1": float(np.std(f1))}
    return out


def channel_cv(cfg, *, folds: int, seeds: list[int]) -> dict:
    """k-fold 4Q macro-F1 of the config's linear quadrant channel, per seed of the fold assignment."""
    from dataclasses import replace

    from sklearn.metrics import f1_score

    from mvemo.features.musicnn import load_musicnn
    from mvemo.train.music import fit_quadrant_channel, load_examples, stack_track_blocks, stratified_folds

    if cfg.quadrant_linear_c <= 0:
        raise SystemExit("the config has no linear quadrant channel (quadrant_linear_c = 0)")
    examples, _ = load_examples(replace(cfg, datasets=("4q_panda2018",)))
    musicnn = load_musicnn(cfg.backbone)
    stack_track_blocks(examples, musicnn)  # computed once, reused by every fold
    y = np.array([ex.quadrant for ex in examples])
    out = {
        "n": int(len(y)),
        "folds": folds,
        "c": cfg.quadrant_linear_c,
        "inputs": list(cfg.quadrant_linear_inputs),
        "per_seed": {},
    }
    for seed in seeds:
        fold_of = stratified_folds(examples, folds=folds, seed=seed)
        f1 = []
        for k in range(folds):
            train = [ex for ex, f in zip(examples, fold_of) if f != k]
            test = [ex for ex, f in zip(examples, fold_of) if f == k]
            lin = fit_quadrant_channel(train, musicnn, cfg).linear
            est = lin.predict_proba(stack_track_blocks(test, musicnn)).argmax(1)
            f1.append(float(f1_score(y[fold_of == k], est, average="macro")))
        out["per_seed"][str(seed)] = {
            "macro_f1": f1,
            "mean_macro_f1": float(np.mean(f1)),
            "std_macro_f1": float(np.std(f1)),
        }
    out["mean_macro_f1"] = float(np.mean([r["mean_macro_f1"] for r in out["per_seed"].values()]))
    return out


def extract_expressive(cfg, *, log=print):
    """Compute and cache :func:`mvemo.features.expressive.expressive_arrays` of every 4Q clip (resumable).

    The audio is decoded as for the model (:func:`mvemo.features.music.load_track_audio`,
    22.05 kHz); the cache kind is :data:`~mvemo.features.expressive.EXPRESSIVE_KIND`.
    """
    from mvemo.data import load
    from mvemo.features.cache import FeatureCache
    from mvemo.features.expressive import EXPRESSIVE_KIND, expressive_arrays
    from mvemo.features.extract import extract_all
    from mvemo.features.music import HARMONY_SR, load_track_audio
    from mvemo.util import cache_root

    cache = FeatureCache(cache_root(cfg.cache_dir))
    ds = load("4q_panda2018", data_home=cfg.data_home)
    paths = [ds.root / it.media["audio"] for it in ds.index() if "audio" in it.media]

    def one(path):
        return expressive_arrays(load_track_audio(path)[1], HARMONY_SR)

    report = extract_all(paths, {EXPRESSIVE_KIND: one}, cache=cache)
    log(f"expressive features: {report.summary()}")
    for path, why in report.failed:
        log(f"  failed: {path}: {why}")
    return report


def extract_logmel(cfg, *, log=print):
    """Cache :func:`mvemo.features.expressive.logmel_arrays` of every 4Q clip (resumable, fast).

    The ``cnn`` channel's input alone (kind :data:`~mvemo.features.expressive.LOGMEL_KIND`),
    without the pitch tracking of ``--extract-expressive``: the same spectrogram.
    """
    from mvemo.audio.io import load_audio
    from mvemo.data import load
    from mvemo.features.cache import FeatureCache
    from mvemo.features.expressive import LOGMEL_KIND, logmel_arrays
    from mvemo.features.extract import extract_all
    from mvemo.features.music import HARMONY_SR
    from mvemo.util import cache_root

    cache = FeatureCache(cache_root(cfg.cache_dir))
    ds = load("4q_panda2018", data_home=cfg.data_home)
    paths = [ds.root / it.media["audio"] for it in ds.index() if "audio" in it.media]

    def one(path):
        return logmel_arrays(load_audio(path, sr=HARMONY_SR)[0], HARMONY_SR)

    report = extract_all(paths, {LOGMEL_KIND: one}, cache=cache)
    log(f"log-mel spectrograms: {report.summary()}")
    for path, why in report.failed:
        log(f"  failed: {path}: {why}")
    return report


# --------------------------------------------------------------------------- 4Q channels and their ensemble
#: The research channels of ``--channels``: the feature blocks each one's logistic regression reads.
CHANNEL_INPUTS = {"musicnn": ("embedding", "segment_spread"), "expressive": ("expressive",),
                  "handcrafted": ("expressive", "timbre"), "dense": ("expressive", "timbre"),
                  "cnn": ("logmel",), "cnn-musicnn": ("musicnn_blocks",)}  # fmt: skip
#: Channels that are a small dense network (Louro et al. 2024's dense branch on hand-crafted
#: features: one hidden layer of 64 ReLU units, L2 ``alpha`` from :data:`ALPHA_GRID` by inner CV,
#: early stopping on 15 % of the training clips) instead of a logistic regression.
DENSE_CHANNELS = {"dense"}
ALPHA_GRID = (1e-2, 1e-1, 1.0)
#: Channels that are a network trained on the clips (mvemo.train.spectro), cross-fitted, not a
#: logistic regression; their SpectroConfig input.
NETWORK_CHANNELS = {"cnn": "logmel", "cnn-musicnn": "musicnn"}
#: C of a channel's standardised logistic regression: fixed for musicnn (v3's 0.01), else chosen
#: per outer fold by inner CV from this grid.
C_GRID = (0.01, 0.03, 0.1)


def load_channel_data(cfg, *, names=("musicnn", "expressive", "handcrafted"), log=print) -> dict:
    """The 4Q clips that have every cached input the channels ``names`` read: features, labels, splits.

    The expressive features (``expressive``, ``handcrafted``) come from the
    ``--extract-expressive`` cache; the log-mel spectrograms (``cnn``) from the
    ``--extract-logmel`` cache, else from the expressive one (the same arrays).
    Returns ``{"blocks": {name: (N, F)}, "y": (N,), "split": [...], "ids": [...], "examples": [...],
    "logmel": [(64, frames)] or None, "musicnn_blocks": [(753, blocks)] or None}``; ``examples``
    (:class:`~mvemo.train.music.TrackExample`) keep the fold assignment of
    :func:`~mvemo.train.music.stratified_folds` (the same order as ``--channel``).
    """
    from dataclasses import replace

    from mvemo.data import load
    from mvemo.features.cache import FeatureCache
    from mvemo.features.expressive import EXPRESSIVE_KIND, LOGMEL_KIND
    from mvemo.features.musicnn import load_musicnn
    from mvemo.train.music import load_examples, stack_track_blocks
    from mvemo.util import cache_root

    examples, _ = load_examples(replace(cfg, datasets=("4q_panda2018",)))
    ds = load("4q_panda2018", data_home=cfg.data_home)
    path_of = {it.id: ds.root / it.media["audio"] for it in ds.index() if "audio" in it.media}
    cache = FeatureCache(cache_root(cfg.cache_dir))
    if len(examples) < len(path_of):
        examples = _blocks_only_examples(ds, cache, cfg, log=log)
    need_expr = any(n in ("expressive", "handcrafted", "dense") for n in names)
    extra = [cache.get(path_of[ex.id], EXPRESSIVE_KIND) if need_expr else {} for ex in examples]
    if "cnn" in names:
        for ex, a in zip(examples, extra):
            if a is not None and "logmel" not in a:
                mel = cache.get(path_of[ex.id], LOGMEL_KIND)
                a.update(mel or {"logmel": None})
    keep = [i for i, a in enumerate(extra) if a is not None and a.get("logmel", 0) is not None]
    if len(keep) < len(examples):
        log(
            f"{len(examples) - len(keep)} of {len(examples)} clips lack cached expressive features or log-mels "
            "(scripts/cv_music.py --extract-expressive / --extract-logmel); they are left out"
        )
    if not keep:
        raise SystemExit(
            f"none of the {len(examples)} 4Q clips has the cached inputs of {', '.join(names)} in "
            f"{cache_root(cfg.cache_dir)}: run scripts/cv_music.py --extract-expressive (and --extract-logmel for cnn)"
        )
    examples, extra = [examples[i] for i in keep], [extra[i] for i in keep]
    blocks = stack_track_blocks(examples, load_musicnn(cfg.backbone))
    if need_expr:
        for k in ("expressive", "timbre"):
            blocks[k] = np.stack([a[k] for a in extra]).astype(np.float64)
    seqs = None
    if "cnn-musicnn" in names:
        from mvemo.features.music import blocks_kind

        seqs = [cache.get(path_of[ex.id], blocks_kind(cfg.backbone))["block_mean"].T for ex in examples]
    return {
        "blocks": blocks,
        "y": np.array([ex.quadrant for ex in examples]),
        "split": [ex.split for ex in examples],
        "ids": [ex.id for ex in examples],
        "examples": examples,
        "logmel": [a["logmel"] for a in extra] if "cnn" in names else None,
        "musicnn_blocks": seqs,
    }


def _blocks_only_examples(ds, cache, cfg, *, log=print) -> list:
    """4Q examples from the musicnn block cache alone (the channels never read the harmony cache).

    Same order and fields the channels use as :func:`mvemo.train.music.load_examples`, for a
    machine where ``harmony`` features were not extracted.
    """
    from mvemo.conversion.quadrant import QUADRANTS, normalize_quadrant
    from mvemo.features.blocks import BlockFeatures
    from mvemo.features.music import TrackFeatures, blocks_kind
    from mvemo.train.music import TrackExample

    examples = []
    for it in ds.index():
        if "audio" not in it.media:
            continue
        blocks = cache.get(ds.root / it.media["audio"], blocks_kind(cfg.backbone))
        if blocks is None:
            continue
        ex = TrackExample(
            it.id, "4q_panda2018", it.split or "train", TrackFeatures(BlockFeatures.from_arrays(blocks), None)
        )
        ex.quadrant = QUADRANTS.index(normalize_quadrant(it.labels["quadrant"]))
        examples.append(ex)
    log(f"harmony features not cached: {len(examples)} 4Q clips read from the musicnn block cache alone")
    return examples


def _logistic(x_train, y_train, c):
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    return make_pipeline(StandardScaler(), LogisticRegression(C=c, max_iter=5000)).fit(x_train, y_train)


def _dense(x_train, y_train, alpha, seed: int = 0):
    from sklearn.neural_network import MLPClassifier
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    net = MLPClassifier(
        hidden_layer_sizes=(64,), alpha=alpha, early_stopping=True, validation_fraction=0.15,
        n_iter_no_change=20, max_iter=500, random_state=seed,
    )  # fmt: skip
    return make_pipeline(StandardScaler(), net).fit(x_train, y_train)


def _fitter(dense: bool):
    """The model factory ``(x, y, c) -> fitted`` of a channel: logistic regression or :func:`_dense`."""
    return _dense if dense else _logistic


def _inner_folds(y, *, k: int, seed: int):
    from sklearn.model_selection import StratifiedKFold

    return list(StratifiedKFold(k, shuffle=True, random_state=seed).split(np.zeros(len(y)), y))


def _macro_f1(y, p) -> float:
    from sklearn.metrics import f1_score

    return float(f1_score(y, np.asarray(p).argmax(1) if np.ndim(p) == 2 else p, average="macro"))


def choose_c(x: np.ndarray, y: np.ndarray, *, inner: int, seed: int, dense: bool = False) -> float:
    """C of :data:`C_GRID` (``dense``: alpha of :data:`ALPHA_GRID`) with the best ``inner``-fold
    macro-F1 on ``(x, y)``."""
    folds = _inner_folds(y, k=inner, seed=seed)
    fit = _fitter(dense)
    score = {
        c: np.mean([_macro_f1(y[te], fit(x[tr], y[tr], c).predict(x[te])) for tr, te in folds])
        for c in (ALPHA_GRID if dense else C_GRID)
    }
    return max(score, key=score.get)


def channel_outputs(
    x: np.ndarray,
    y: np.ndarray,
    train: np.ndarray,
    test: np.ndarray,
    *,
    c: float | None,
    inner: int,
    seed: int,
    dense: bool = False,
) -> dict:
    """One channel fitted on ``train``: its test probabilities and its inner out-of-fold ones.

    ``c`` None: chosen on ``train`` by :func:`choose_c` (then kept for the inner fits, so the
    out-of-fold rows saw the C search but never the outer test clips).  Returns
    ``{"test": (len(test), 4), "oof": (len(train), 4), "c": float}``.
    """
    if c is None:
        c = choose_c(x[train], y[train], inner=inner, seed=seed, dense=dense)
    fit = _fitter(dense)
    oof = np.zeros((len(train), 4))
    for tr, te in _inner_folds(y[train], k=inner, seed=seed + 1):
        oof[te] = fit(x[train][tr], y[train][tr], c).predict_proba(x[train][te])
    return {"test": fit(x[train], y[train], c).predict_proba(x[test]), "oof": oof, "c": float(c)}


def combine(outs: list[dict], y_train: np.ndarray, *, inner: int, seed: int) -> tuple[np.ndarray, dict]:
    """Combine channels' :func:`channel_outputs` (same train/test), the combiner chosen on train only.

    :func:`mvemo.models.linear.choose_combination` picks, on the inner out-of-fold
    probabilities, the weighted average (0.1 simplex grid) or a stacked logistic regression on
    the log-probabilities; it is applied to the test probabilities.  Returns
    ``(test probabilities, info)``.
    """
    from mvemo.models.linear import _log_probs, choose_combination

    weights, stacker, info = choose_combination(
        [o["oof"] for o in outs], y_train, n_classes=4, inner=inner, seed=seed + 2
    )
    if stacker is not None:
        return stacker.predict_proba({"member_logp": _log_probs([o["test"] for o in outs])}), info
    return sum(w * o["test"] for w, o in zip(weights, outs)), {**info, "weights": [float(w) for w in weights]}


def spectro_config(input: str, *, seed: int):
    """The :class:`mvemo.train.spectro.SpectroConfig` of a network channel (``"logmel"`` or ``"musicnn"``).

    Sized for the CPU budget of issue #19 (10 outer folds in about 25 min on one thread):
    2 cross-fitting parts, at most 20 epochs.  The musicnn input (753 features per 0.5-s
    block, 2 blocks per second) is not pooled in time; its crops are 48 blocks (24 s).
    """
    from mvemo.train.spectro import SpectroConfig

    if input == "logmel":
        return SpectroConfig(input="logmel", epochs=20, patience=5, inner=2, seed=seed)
    return SpectroConfig(
        input="musicnn", time_pool=1, crop=48, widths=(64, 64), gain_db=0.0, band_shift=0, band_mask=0,
        time_mask=8, epochs=20, patience=5, inner=2, seed=seed,
    )  # fmt: skip


def _combos(names: list[str]) -> list[tuple[str, ...]]:
    import itertools

    return [c for r in range(1, len(names) + 1) for c in itertools.combinations(names, r)]


def channels_cv(
    cfg, *, folds: int, seeds: list[int], names: list[str], inner: int = 5, test_split: bool = True, log=print
) -> dict:
    """k-fold CV (per fold seed) of each channel alone, each combination, and the fixed test split.

    A single channel is a standardised logistic regression on its blocks
    (:data:`CHANNEL_INPUTS`; musicnn: v3's, C fixed; others: C by inner CV on the training
    folds); a combination is :func:`combine` (combiner chosen by inner CV on the training
    folds).  Fold assignment: :func:`mvemo.train.music.stratified_folds` (as ``--channel``).
    Paired per-fold differences are against ``musicnn`` (the v3 channel).  The test split
    row fits on the ``train`` split only (as the shipped channel) and scores ``test``.
    """
    from sklearn.metrics import accuracy_score

    from mvemo.train.music import stratified_folds

    data = load_channel_data(cfg, names=names, log=log)
    y, blocks = data["y"], data["blocks"]
    xs = {n: np.concatenate([blocks[b] for b in CHANNEL_INPUTS[n]], axis=1) for n in names if n not in NETWORK_CHANNELS}
    nets = {}
    for n in names:
        if n in NETWORK_CHANNELS:
            from mvemo.train.spectro import pool_time

            spec = spectro_config(NETWORK_CHANNELS[n], seed=0)
            nets[n] = [pool_time(x, spec.time_pool) for x in data[CHANNEL_INPUTS[n][0]]]
    cs = {n: (cfg.quadrant_linear_c if n == "musicnn" else None) for n in names}
    combos = _combos(names)
    out = {
        "n": int(len(y)),
        "folds": folds,
        "seeds": seeds,
        "inputs": {n: list(CHANNEL_INPUTS[n]) for n in names},
        "rows": {},
    }

    def one(n, train, test, seed):
        if n not in NETWORK_CHANNELS:
            return channel_outputs(xs[n], y, train, test, c=cs[n], inner=inner, seed=seed, dense=n in DENSE_CHANNELS)
        from mvemo.train.spectro import crossfit_channel

        o = crossfit_channel(nets[n], y, train, test, config=spectro_config(NETWORK_CHANNELS[n], seed=seed), log=log)
        log(f"  {n}: early-stopping epochs {o['epochs']}, {o['seconds']:.0f} s")
        return {**o, "c": None}

    def run(train, test, seed):
        outs = {n: one(n, train, test, seed) for n in names}
        res = {}
        for combo in combos:
            if len(combo) == 1:
                res[combo[0]] = (outs[combo[0]]["test"], {"c": outs[combo[0]]["c"]})
            else:
                res["+".join(combo)] = combine([outs[n] for n in combo], y[train], inner=inner, seed=seed)
        return res

    per = {"+".join(c): {"macro_f1": {}, "accuracy": {}, "info": {}} for c in combos}
    for seed in seeds:
        fold_of = stratified_folds(data["examples"], folds=folds, seed=seed)
        for k in range(folds):
            train, test = np.flatnonzero(fold_of != k), np.flatnonzero(fold_of == k)
            for name, (p, info) in run(train, test, seed).items():
                r = per[name]
                r["macro_f1"].setdefault(str(seed), []).append(_macro_f1(y[test], p))
                r["accuracy"].setdefault(str(seed), []).append(float(accuracy_score(y[test], p.argmax(1))))
                r["info"].setdefault(str(seed), []).append(info)
            log(
                f"seed {seed} fold {k}: " + ", ".join(f"{n} {r['macro_f1'][str(seed)][-1]:.3f}" for n, r in per.items())
            )
    split = np.array(data["split"])
    train, test = np.flatnonzero(split == "train"), np.flatnonzero(split == "test")
    fixed = run(train, test, seeds[0]) if test_split and len(train) and len(test) else {}
    for name, r in per.items():
        if name in fixed:
            p, info = fixed[name]
            r["test"] = {
                "n": int(len(test)),
                "n_train": int(len(train)),
                "info": info,
                "accuracy": float(accuracy_score(y[test], p.argmax(1))),
                "macro_f1": _macro_f1(y[test], p),
            }
    out["rows"] = per
    return summarize_channels(out)


def summarize_channels(out: dict) -> dict:
    """Means over folds and seeds, sds and paired differences vs ``musicnn`` of a :func:`channels_cv` result."""
    per = out["rows"]
    for name, r in per.items():
        seed_means = [float(np.mean(v)) for v in r["macro_f1"].values()]
        r.update(
            {
                "mean_macro_f1": float(np.mean(seed_means)),
                "sd_over_seeds": float(np.std(seed_means)),
                "sd_over_folds": float(np.mean([np.std(v) for v in r["macro_f1"].values()])),
                "mean_accuracy": float(np.mean([np.mean(v) for v in r["accuracy"].values()])),
            }
        )
        if "musicnn" in per and name != "musicnn":
            d = np.concatenate([np.subtract(r["macro_f1"][s], per["musicnn"]["macro_f1"][s]) for s in r["macro_f1"]])
            r["vs_v3"] = {
                "mean": float(d.mean()),
                "sd": float(d.std()),
                "better": int((d > 0).sum()),
                "worse": int((d < 0).sum()),
                "n": int(len(d)),
            }
    return out


def merge_channels(paths: list[str]) -> dict:
    """Combine :func:`channels_cv` results of the same clips run with different fold seeds."""
    parts = [json.loads(Path(p).read_text()) for p in paths]
    out = {k: parts[0][k] for k in ("n", "folds", "inputs")}
    if any(p["n"] != out["n"] or p["folds"] != out["folds"] for p in parts):
        raise SystemExit("the parts differ in clips or folds")
    out["seeds"] = sorted({s for p in parts for s in p["seeds"]})
    out["rows"] = {}
    for name, r in parts[0]["rows"].items():
        row = {k: {} for k in ("macro_f1", "accuracy", "info")}
        for p in parts:
            for k in row:
                row[k].update(p["rows"][name][k])
        if "test" in r:
            row["test"] = r["test"]
        out["rows"][name] = row
    return summarize_channels(out)


def format_table(result: dict) -> str:
    """Markdown table of :func:`channels_cv`."""
    lines = [
        f"| channels ({result['n']} clips) | 4Q macro-F1, {result['folds']}-fold CV, mean over seeds {result['seeds']} (sd over seeds; "
        "mean sd over folds) | accuracy | paired diff vs v3 (mean +- sd, folds better/worse) | test macro-F1 / acc |",
        "|---|---|---|---|---|",
    ]
    for name, r in result["rows"].items():
        v = r.get("vs_v3")
        diff = f"{v['mean']:+.3f} +- {v['sd']:.3f} ({v['better']}/{v['worse']} of {v['n']})" if v else ""
        t = r.get("test", {})
        test = f"{t['macro_f1']:.3f} / {t['accuracy']:.3f}" if t else ""
        lines.append(
            f"| {name} | {r['mean_macro_f1']:.3f} ({r['sd_over_seeds']:.3f}; {r['sd_over_folds']:.3f}) | "
            f"{r['mean_accuracy']:.3f} | {diff} | {test} |"
        )
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--config", default="configs/music2emo.toml")
    parser.add_argument("--folds", type=int, default=10)
    parser.add_argument("--run", help="folds to run, e.g. 0-4 (default: all)")
    parser.add_argument("--data-home")
    parser.add_argument("--cache-dir")
    parser.add_argument("--out", help="write the JSON result here")
    parser.add_argument("--merge", nargs="+", help="merge part files instead of running")
    parser.add_argument(
        "--report", help="a training report.json: add the CV to it and rewrite the model card beside it"
    )
    parser.add_argument("--threads", type=int, help="torch threads (1 per process when running parts in parallel)")
    parser.add_argument("--linear", action="store_true", help="linear-head backbone comparison instead")
    parser.add_argument("--channel", action="store_true", help="the config's linear quadrant channel alone")
    parser.add_argument(
        "--seeds", type=int, nargs="+", help="fold-assignment seeds for --channel (default: the config's)"
    )
    parser.add_argument(
        "--channels",
        nargs="+",
        choices=sorted(CHANNEL_INPUTS),
        help="CV of these 4Q channels alone, every combination (ensembles chosen by nested CV) "
        "and the test split; needs --extract-expressive first",
    )
    parser.add_argument("--extract-expressive", action="store_true", help="cache the 4Q clips' expressive features")
    parser.add_argument(
        "--extract-logmel", action="store_true", help="cache the 4Q clips' log-mel spectrograms only (for cnn)"
    )
    parser.add_argument("--table", help="with --channels: write the markdown table here")
    parser.add_argument("--no-test", action="store_true", help="with --channels: skip the fixed test split")
    parser.add_argument("--merge-channels", nargs="+", help="combine --channels results run with different --seeds")
    args = parser.parse_args()
    if args.merge:
        result = merge(args.merge)
    elif args.merge_channels:
        result = merge_channels(args.merge_channels)
        table = format_table(result)
        print(table)
        if args.table:
            from mvemo.util import atomic_write

            atomic_write(args.table, table + "\n")
    elif args.channels or args.extract_expressive or args.extract_logmel:
        from dataclasses import replace

        import torch

        from mvemo.train.music import TrainConfig

        torch.set_num_threads(args.threads or 1)
        cfg = TrainConfig.from_toml(args.config)
        cfg = replace(cfg, **{k: v for k, v in {"data_home": args.data_home, "cache_dir": args.cache_dir}.items() if v})
        if args.extract_expressive or args.extract_logmel:
            rep = (extract_expressive if args.extract_expressive else extract_logmel)(cfg)
            result = {"computed": rep.computed, "cached": rep.cached, "failed": rep.failed, "seconds": rep.seconds}
        else:
            result = channels_cv(
                cfg, folds=args.folds, seeds=args.seeds or [cfg.seed], names=args.channels, test_split=not args.no_test
            )
            table = format_table(result)
            print(table)
            if args.table:
                from mvemo.util import atomic_write

                atomic_write(args.table, table + "\n")
    elif args.linear or args.channel:
        from dataclasses import replace

        from mvemo.train.music import TrainConfig

        cfg = TrainConfig.from_toml(args.config)
        cfg = replace(cfg, **{k: v for k, v in {"data_home": args.data_home, "cache_dir": args.cache_dir}.items() if v})
        if args.channel:
            result = channel_cv(cfg, folds=args.folds, seeds=args.seeds or [cfg.seed])
        else:
            result = linear_cv(cfg, folds=args.folds, seed=cfg.seed)
    else:
        from dataclasses import replace

        import torch

        from mvemo.features.musicnn import load_musicnn

        if args.threads:
            torch.set_num_threads(args.threads)
        from mvemo.train.music import TrainConfig, build_bank, cross_validate, load_examples

        cfg = TrainConfig.from_toml(args.config)
        cfg = replace(cfg, **{k: v for k, v in {"data_home": args.data_home, "cache_dir": args.cache_dir}.items() if v})
        examples, _ = load_examples(cfg)
        musicnn = load_musicnn(cfg.backbone)
        rng = np.random.default_rng(cfg.seed)
        for ex in examples:
            ex.bank = build_bank(
                ex, musicnn, rng, n_random=cfg.n_random, min_segment=cfg.min_segment, std=cfg.std_pooling
            )
        run = None
        if args.run:
            a, _, b = args.run.partition("-")
            run = list(range(int(a), int(b or a) + 1))
        result = cross_validate(examples, cfg, folds=args.folds, run_folds=run)
    text = json.dumps(result, indent=2)
    print(text)
    if args.out:
        Path(args.out).write_text(text + "\n")
    if args.report and not args.linear:
        from mvemo.io import atomic_write
        from mvemo.train.music import model_card

        report_path = Path(args.report)
        report = json.loads(report_path.read_text())
        report["cv_channel" if args.channel else "cv_4q"] = result
        atomic_write(report_path, json.dumps(report, indent=2) + "\n")
        card = report_path.parent / f"{report['model']}.md"
        atomic_write(card, model_card(report))
        print(f"updated {report_path} and {card}")


if __name__ == "__main__":
    main()
