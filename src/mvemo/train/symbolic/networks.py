"""The chord/statistics networks and the frame-sequence networks: examples, batches, fitting, whole-clip outputs."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from mvemo._extras import require
from mvemo.models.outputs import HeadOutputs
from mvemo.progress import track
from mvemo.train.symbolic.config import Clip, SymbolicTrainConfig

__all__ = ["clip_windows", "predict_clips", "train_frame_network", "train_network"]


@dataclass
class _Bank:
    stats: np.ndarray  # (W, F)
    roots: list  # W arrays
    quals: list
    clip: np.ndarray  # (W,) index into the clip list


def clip_windows(clip: Clip, rng: np.random.Generator | None, n_random: int, min_window: float):
    """The whole clip, then (with ``rng``) ``n_random`` random crops of >= ``min_window`` s.

    Returns
    -------
    start, stop : np.ndarray
        ``(1 + n,)`` window bounds in seconds.
    """
    d = clip.features.duration
    starts, stops = [0.0], [d]
    if rng is not None:
        for _ in range(n_random):
            if d <= min_window:
                break
            length = rng.uniform(min_window, d)
            s = rng.uniform(0.0, d - length)
            starts.append(s)
            stops.append(s + length)
    return np.array(starts), np.array(stops)


def _bank(clips: list[Clip], rng, *, n_random: int, min_window: float) -> _Bank:
    stats, roots, quals, idx = [], [], [], []
    for i, c in enumerate(clips):
        s, e = clip_windows(c, rng, n_random, min_window)
        stats.append(c.features.window_stats(s, e))
        r, q, m = c.features.window_chords(s, e)
        for k in range(len(s)):
            roots.append(r[k][m[k]])
            quals.append(q[k][m[k]])
        idx += [i] * len(s)
    return _Bank(np.concatenate(stats), roots, quals, np.asarray(idx))


def _batch(bank: _Bank, rows: np.ndarray, clips: list[Clip], max_chords: int):
    torch = require("torch", extra="torch")
    length = max(1, min(max_chords, max(len(bank.roots[r]) for r in rows)))
    roots = np.full((len(rows), length), 12, np.int64)
    quals = np.zeros((len(rows), length), np.int64)
    mask = np.zeros((len(rows), length), bool)
    for j, r in enumerate(rows):
        n = min(length, len(bank.roots[r]))
        roots[j, :n], quals[j, :n], mask[j, :n] = bank.roots[r][:n], bank.quals[r][:n], True
    cl = [clips[i] for i in bank.clip[rows]]
    x = (
        torch.from_numpy(bank.stats[rows]),
        torch.from_numpy(roots),
        torch.from_numpy(quals),
        torch.from_numpy(mask),
        torch.tensor([c.features.mode for c in cl], dtype=torch.float32),
    )
    y = HeadOutputs(  # the targets, head by head
        quadrant=torch.tensor([c.quadrant for c in cl]),
        category=torch.tensor([c.category for c in cl]),
        intensity=torch.tensor([c.intensity for c in cl], dtype=torch.float32),
        va=torch.from_numpy(np.stack([c.va for c in cl])),
    )
    return x, y


def train_network(train: list[Clip], cfg: SymbolicTrainConfig, *, seed: int, log=print):
    """Fit one :class:`~mvemo.models.symbolic.SymbolicEmotionNet` on ``train``; returns it in eval mode."""
    torch = require("torch", extra="torch")
    from mvemo.features.midi import STAT_NAMES
    from mvemo.models.symbolic import SymbolicConfig, SymbolicEmotionNet

    torch.manual_seed(seed)
    rng = np.random.default_rng(seed)
    bank = _bank(train, rng, n_random=cfg.n_random, min_window=cfg.min_window)
    net_cfg = SymbolicConfig(
        n_stats=len(STAT_NAMES),
        chord_dim=cfg.chord_dim,
        hidden=cfg.hidden,
        head_hidden=cfg.head_hidden,
        dropout=cfg.dropout,
        use_chords=cfg.use_chords,
        max_chords=cfg.max_chords,
    )
    net = SymbolicEmotionNet(net_cfg)
    net.set_normalization(bank.stats.mean(0), bank.stats.std(0))
    opt = torch.optim.AdamW(net.parameters(), lr=cfg.lr, weight_decay=cfg.weight_decay)
    steps = cfg.epochs * int(np.ceil(len(bank.stats) / cfg.batch_size))
    sched = torch.optim.lr_scheduler.OneCycleLR(opt, max_lr=cfg.lr, total_steps=max(steps, 1))
    ce, mse = torch.nn.functional.cross_entropy, torch.nn.functional.mse_loss
    hw = cfg.head_weights
    for epoch in track(range(cfg.epochs), desc=f"train symbolic (seed {seed})", unit="epoch"):
        net.train()
        order = rng.permutation(len(bank.stats))
        total = 0.0
        for b in range(0, len(order), cfg.batch_size):
            x, y = _batch(bank, order[b : b + cfg.batch_size], train, net_cfg.max_chords)
            out = net(*x)
            loss = (
                ce(out.quadrant, y.quadrant)
                + hw.get("category", 0) * ce(out.category, y.category)
                + hw.get("va", 0) * mse(out.va, y.va)
                + hw.get("intensity", 0) * mse(out.intensity, y.intensity)
            )
            opt.zero_grad()
            loss.backward()
            opt.step()
            sched.step()
            total += float(loss.detach()) * len(y.quadrant)
        if log and (epoch + 1) % 10 == 0:
            log(f"  seed {seed} epoch {epoch + 1}/{cfg.epochs}: loss {total / len(order):.4f}")
    net.eval()
    return net


def _frame_batch(
    frames: list,
    rows: np.ndarray,
    stats: np.ndarray,
    rng: np.random.Generator | None,
    stretch: float,
    max_frames: int = 400,
):
    """Pad the frame sequences of ``rows``; in training (``rng``) each is time-stretched by a
    random factor in ``[1 - stretch, 1 + stretch]`` (nearest-frame resampling) and cut to a
    random excerpt of ``max_frames`` when longer."""
    torch = require("torch", extra="torch")
    seqs = []
    for r in rows:
        f = frames[r]
        if rng is not None and stretch > 0:
            factor = rng.uniform(1 - stretch, 1 + stretch)
            idx = np.minimum((np.arange(max(1, round(len(f) * factor))) / factor).astype(np.int64), len(f) - 1)
            f = f[idx]
            if len(f) > max_frames:  # long clips: a random excerpt per step
                a = int(rng.integers(0, len(f) - max_frames + 1))
                f = f[a : a + max_frames]
        seqs.append(f)
    length = max(len(f) for f in seqs)
    x = np.zeros((len(rows), length, seqs[0].shape[1]), np.float32)
    m = np.zeros((len(rows), length), bool)
    for j, f in enumerate(seqs):
        x[j, : len(f)], m[j, : len(f)] = f, True
    return torch.from_numpy(x), torch.from_numpy(m), torch.from_numpy(stats[rows])


def _frame_bank(clips: list[Clip], rng, *, n_random: int, min_window: float):
    """Frames, statistics and clip index of the whole clips (+ ``n_random`` crops each)."""
    from mvemo.features.midi import FRAME_RATE

    frames, stats, idx = [], [], []
    for i, c in enumerate(clips):
        s, e = clip_windows(c, rng, n_random, min_window)
        st = c.features.window_stats(s, e)
        whole = c.features.frames(fps=FRAME_RATE)
        for k in range(len(s)):
            a, b = (
                int(np.floor(s[k] * FRAME_RATE)),
                max(int(np.ceil(e[k] * FRAME_RATE)), int(np.floor(s[k] * FRAME_RATE)) + 1),
            )
            frames.append(whole[a:b])
            stats.append(st[k])
            idx.append(i)
    return frames, np.asarray(stats, np.float32), np.asarray(idx)


def train_frame_network(train: list[Clip], cfg: SymbolicTrainConfig, *, seed: int, log=print):
    """Fit one :class:`~mvemo.models.symbolic.FrameEmotionNet` on ``train``; returns it in eval mode."""
    torch = require("torch", extra="torch")
    from mvemo.features.midi import STAT_NAMES
    from mvemo.models.symbolic import FrameConfig, FrameEmotionNet

    torch.manual_seed(seed)
    rng = np.random.default_rng(seed + 1000)
    frames, stats, idx = _frame_bank(train, rng, n_random=cfg.frame_n_random, min_window=cfg.min_window)
    net = FrameEmotionNet(
        FrameConfig(
            n_stats=len(STAT_NAMES),
            pc_channels=cfg.frame_pc_channels,
            channels=cfg.frame_channels,
            hidden=cfg.hidden,
            dropout=cfg.dropout,
        )
    )
    net.set_normalization(stats.mean(0), stats.std(0))
    opt = torch.optim.AdamW(net.parameters(), lr=cfg.lr, weight_decay=cfg.weight_decay)
    bs = cfg.frame_batch_size
    steps = cfg.frame_epochs * int(np.ceil(len(frames) / bs))
    sched = torch.optim.lr_scheduler.OneCycleLR(opt, max_lr=cfg.lr, total_steps=max(steps, 1))
    ce, mse = torch.nn.functional.cross_entropy, torch.nn.functional.mse_loss
    hw = cfg.head_weights
    for epoch in track(range(cfg.frame_epochs), desc=f"train frame net (seed {seed})", unit="epoch"):
        net.train()
        order = rng.permutation(len(frames))
        total = 0.0
        for b in range(0, len(order), bs):
            rows = order[b : b + bs]
            x, m, st = _frame_batch(frames, rows, stats, rng, cfg.tempo_stretch)
            cl = [train[i] for i in idx[rows]]
            out = net(x, m, st)
            loss = (
                ce(out.quadrant, torch.tensor([c.quadrant for c in cl]))
                + hw.get("category", 0) * ce(out.category, torch.tensor([c.category for c in cl]))
                + hw.get("va", 0) * mse(out.va, torch.from_numpy(np.stack([c.va for c in cl])))
                + hw.get("intensity", 0)
                * mse(out.intensity, torch.tensor([c.intensity for c in cl], dtype=torch.float32))
            )
            opt.zero_grad()
            loss.backward()
            opt.step()
            sched.step()
            total += float(loss.detach()) * len(rows)
        if log and (epoch + 1) % 5 == 0:
            log(f"  frame net seed {seed} epoch {epoch + 1}/{cfg.frame_epochs}: loss {total / len(order):.4f}")
    net.eval()
    return net


def predict_clips(
    nets: list,
    clips: list[Clip],
    *,
    frame_nets: list = (),
    frame_weight: float = 0.5,
    linear=None,
    linear_weight: float = 1.0,
    conform: bool = False,
) -> HeadOutputs:
    """Whole-clip outputs averaged over ``nets`` (probabilities for class heads); with
    ``frame_nets``, ``(1 - frame_weight) * mean(nets) + frame_weight * mean(frame_nets)``; with
    ``linear`` (:class:`~mvemo.models.symbolic.TwoFactorLinear`), combined as the predictor does
    (:func:`mvemo.predict.symbolic.combine_outputs`)."""
    torch = require("torch", extra="torch")
    from mvemo.predict.symbolic import _accumulate, combine_outputs
    from mvemo.train.symbolic.linear import linear_design

    lin = None
    if linear is not None:
        lin = linear.quadrant_proba(linear_design(clips, linear.inputs)[0])
    if not nets and not frame_nets:
        return combine_outputs(None, lin)
    families = []
    with torch.no_grad():
        if nets:
            bank = _bank(clips, None, n_random=0, min_window=0.0)
            acc: dict[str, np.ndarray] = {}
            for net in nets:
                parts: dict[str, list] = {}
                for b in range(0, len(clips), 128):
                    x, _ = _batch(bank, np.arange(b, min(b + 128, len(clips))), clips, net.cfg.max_chords)
                    one: dict[str, np.ndarray] = {}
                    _accumulate(one, net(*x), 1)
                    for k, v in one.items():
                        parts.setdefault(k, []).append(v)
                for k, v in parts.items():
                    acc[k] = acc.get(k, 0) + np.concatenate(v) / len(nets)
            families.append(HeadOutputs(**acc))
        if frame_nets:
            frames, stats, _ = _frame_bank(clips, None, n_random=0, min_window=0.0)
            acc = {}
            for net in frame_nets:
                parts = {}
                for b in range(0, len(clips), 64):
                    one = {}
                    _accumulate(
                        one, net(*_frame_batch(frames, np.arange(b, min(b + 64, len(clips))), stats, None, 0.0)), 1
                    )
                    for k, v in one.items():
                        parts.setdefault(k, []).append(v)
                for k, v in parts.items():
                    acc[k] = acc.get(k, 0) + np.concatenate(v) / len(frame_nets)
            families.append(HeadOutputs(**acc))
    if len(families) == 1:
        out = families[0]
    else:
        w = frame_weight
        out = HeadOutputs(**{k: (1 - w) * families[0].head(k) + w * families[1].head(k) for k in families[0]})
    return combine_outputs(out, lin, linear_weight=linear_weight, conform=conform)
