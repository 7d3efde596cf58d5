"""``mvemo dataset report``: the statistics of MVEmo Figs. 2-5 for a built dataset.

Every figure is a PNG with its numbers in a CSV beside it, and all figures go into one
self-contained HTML page (PNG embedded as base64, no scripts, no network).

* **Fig. 2** durations (10-90 % range marked), genres (mapped into 11 categories by
  :data:`GENRE_CATEGORIES`), countries and languages.
* **Fig. 3** lyric line lengths in words (overall and by genre; two-step normalisation:
  each song's length distribution sums to 1, then songs are averaged, so long songs do
  not dominate), shot (segment) lengths from the scene cuts, the dominant colours
  (k-means in MVEmo's HSV embedding over every video's dominant colours, drawn in RGB),
  note pitches, inter-onset intervals, keys and major/minor by genre.
* **Fig. 4** static category x intensity on the circumplex (marker area ~ count), and
  category and intensity by genre.
* **Fig. 5** dynamic intensity by category (concentric rings: ring = intensity level,
  sector = category, shade = count); signed time lags (0.5-s bins) between video scene
  cuts and dynamic emotion change points (category changes and intensity changes), in
  both directions (cut -> nearest change, change -> nearest cut); the same for melody
  pitch peaks.

Table III of the paper (its genre mapping) is not available to us: :data:`GENRE_CATEGORIES`
is our own keyword mapping into 11 categories.
"""

from __future__ import annotations

import base64
import csv
import html
import io
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any

import numpy as np

from mvemo._extras import require
from mvemo.data.manifest import Item, read_manifest
from mvemo.errors import DataError
from mvemo.util import atomic_open, atomic_write

__all__ = ["FIGURES", "GENRE_CATEGORIES", "change_points", "genre_category", "signed_lags", "write_report"]

#: Our mapping of free genre labels into 11 categories (first keyword match wins; else "other").
GENRE_CATEGORIES: dict[str, tuple[str, ...]] = {
    "hip hop": ("hip hop", "hip-hop", "hiphop", "rap", "trap", "grime", "drill"),
    "r&b/soul": ("r&b", "rnb", "soul", "funk", "gospel", "motown"),
    "electronic": ("electronic", "edm", "house", "techno", "trance", "dubstep", "dance", "electro", "synth", "ambient"),
    "metal": ("metal", "punk", "hardcore", "grunge", "emo"),
    "rock": ("rock", "indie", "alternative", "britpop", "shoegaze"),
    "country/folk": ("country", "folk", "bluegrass", "americana", "singer-songwriter", "acoustic"),
    "jazz/blues": ("jazz", "blues", "swing", "bossa"),
    "classical": ("classical", "orchestra", "opera", "soundtrack", "score", "piano", "baroque"),
    "latin/world": ("latin", "reggaeton", "salsa", "samba", "reggae", "world", "afro", "k-pop", "j-pop", "bollywood"),
    "pop": ("pop",),
}  # fmt: skip
GENRE_ORDER = (*GENRE_CATEGORIES, "other")
FIGURES = ("fig2_durations", "fig2_genres", "fig2_country_language", "fig3_lyrics", "fig3_segments",
           "fig3_colours", "fig3_music", "fig4_static", "fig4_by_genre", "fig5_rings", "fig5_cut_lags",
           "fig5_pitch_lags")  # fmt: skip
LAG_STEP = 0.5  # s
LAG_MAX = 10.0  # s


def genre_category(label: str | None) -> str:
    """One of the 11 categories of :data:`GENRE_ORDER` for a free genre label.

    Examples
    --------
    >>> genre_category("Hip Hop"), genre_category("indie rock"), genre_category("K-Pop"), genre_category(None)
    ('hip hop', 'rock', 'latin/world', 'other')
    """
    g = (label or "").strip().lower()
    for cat, keys in GENRE_CATEGORIES.items():
        if any(k in g for k in keys):
            return cat
    return "other"


def change_points(dynamic: list[dict[str, Any]], what: str) -> np.ndarray:
    """Times (s) where the dynamic ``category`` or ``intensity`` differs from the previous label."""
    pts = [d for d in dynamic if d.get(what) is not None]
    return np.array([pts[i]["time"] for i in range(1, len(pts)) if pts[i][what] != pts[i - 1][what]], dtype=float)


def signed_lags(a: np.ndarray, b: np.ndarray, *, max_lag: float = LAG_MAX) -> np.ndarray:
    """For each event in ``a`` the signed time to the nearest event in ``b`` (``b - a``), within ``max_lag``.

    Examples
    --------
    >>> signed_lags(np.array([1.0, 5.0]), np.array([2.0, 4.5, 30.0])).tolist()
    [1.0, -0.5]
    """
    a, b = np.asarray(a, float), np.asarray(b, float)
    if not len(a) or not len(b):
        return np.zeros(0)
    d = b[None, :] - a[:, None]
    near = d[np.arange(len(a)), np.abs(d).argmin(axis=1)]
    return near[np.abs(near) <= max_lag]


# --------------------------------------------------------------------------- helpers
class _Fig:
    def __init__(self, out: Path) -> None:
        self.out = out
        self.entries: list[dict[str, Any]] = []

    def save(self, name: str, fig, caption: str, tables: dict[str, tuple[list[str], list[list[Any]]]]) -> None:
        plt = require("matplotlib.pyplot", extra="plot")
        buf = io.BytesIO()
        fig.savefig(buf, format="png", dpi=90, bbox_inches="tight")
        plt.close(fig)
        png = buf.getvalue()
        atomic_write(self.out / f"{name}.png", png)
        csvs = []
        for suffix, (header, rows) in tables.items():
            fname = f"{name}{('_' + suffix) if suffix else ''}.csv"
            with atomic_open(self.out / fname, newline="") as fh:
                w = csv.writer(fh, lineterminator="\n")
                w.writerow(header)
                w.writerows(rows)
            csvs.append(fname)
        self.entries.append({"name": name, "caption": caption, "png": png, "csvs": csvs})


def _plt():
    mpl = require("matplotlib", extra="plot")
    mpl.use("Agg")
    return require("matplotlib.pyplot", extra="plot")


def _bar(ax, labels, values, title, *, rotate=True, color="#4477aa"):
    ax.bar(range(len(values)), values, color=color)
    ax.set_xticks(range(len(values)))
    ax.set_xticklabels(labels, rotation=60 if rotate else 0, ha="right" if rotate else "center", fontsize=7)
    ax.set_title(title, fontsize=9)


def _genre(it: Item) -> str:
    return genre_category(it.custom.get("metadata", {}).get("genre"))


# --------------------------------------------------------------------------- figures
def _fig2(items: list[Item], F: _Fig) -> None:
    plt = _plt()
    dur = np.array([it.duration or 0.0 for it in items]) / 60.0
    lo, hi = np.percentile(dur, [10, 90]) if len(dur) else (0.0, 0.0)
    fig, ax = plt.subplots(figsize=(5, 3))
    counts, edges = np.histogram(dur, bins=max(5, min(40, len(dur)))) if len(dur) else (np.zeros(1), np.zeros(2))
    ax.hist(dur, bins=edges, color="#4477aa")
    for x in (lo, hi):
        ax.axvline(x, color="#cc3311", ls="--")
    ax.set_xlabel("duration (min)")
    ax.set_ylabel("videos")
    ax.set_title(f"Durations: 10-90 % range {lo:.2f}-{hi:.2f} min", fontsize=9)
    F.save(
        "fig2_durations",
        fig,
        "Fig. 2a: duration distribution with its 10-90 % range (dashed).",
        {
            "": (
                ["bin_start_min", "bin_end_min", "videos"],
                [[round(edges[i], 4), round(edges[i + 1], 4), int(c)] for i, c in enumerate(counts)],
            ),
            "range": (
                ["p10_min", "p90_min", "mean_min", "total_hours"],
                [
                    [
                        round(float(lo), 4),
                        round(float(hi), 4),
                        round(float(dur.mean()), 4) if len(dur) else 0,
                        round(float(dur.sum()) / 60, 5),
                    ]
                ],
            ),
        },
    )
    g = Counter(_genre(it) for it in items)
    fig, ax = plt.subplots(figsize=(5, 3))
    _bar(ax, GENRE_ORDER, [g.get(k, 0) for k in GENRE_ORDER], "Genres (11 categories)")
    F.save(
        "fig2_genres",
        fig,
        "Fig. 2b: genre distribution after mapping genre labels into 11 categories.",
        {"": (["genre", "videos"], [[k, g.get(k, 0)] for k in GENRE_ORDER])},
    )
    cc = Counter(it.custom.get("metadata", {}).get("country") or "unknown" for it in items)
    ll = Counter(it.custom.get("metadata", {}).get("language") or "unknown" for it in items)
    fig, axs = plt.subplots(1, 2, figsize=(8, 3))
    c_top, l_top = cc.most_common(15), ll.most_common(15)
    _bar(axs[0], [k for k, _ in c_top], [v for _, v in c_top], "Countries")
    _bar(axs[1], [k for k, _ in l_top], [v for _, v in l_top], "Languages", color="#228833")
    F.save(
        "fig2_country_language",
        fig,
        "Fig. 2c: countries and languages (top 15).",
        {
            "country": (["country", "videos"], [list(x) for x in cc.most_common()]),
            "language": (["language", "videos"], [list(x) for x in ll.most_common()]),
        },
    )


def _fig3(items: list[Item], F: _Fig) -> None:
    plt = _plt()
    # lyrics: two-step normalisation (per song, then averaged over songs)
    maxw = 20
    per_genre: dict[str, list[np.ndarray]] = defaultdict(list)
    for it in items:
        words = it.custom.get("lyrics", {}).get("line_words") or []
        if words:
            h = np.bincount(np.minimum(words, maxw), minlength=maxw + 1).astype(float)
            per_genre[_genre(it)].append(h / h.sum())
    allh = [h for hs in per_genre.values() for h in hs]
    overall = np.mean(allh, axis=0) if allh else np.zeros(maxw + 1)
    fig, axs = plt.subplots(1, 2, figsize=(9, 3))
    axs[0].bar(range(maxw + 1), overall, color="#4477aa")
    axs[0].set_title(f"Lyric line length (words), {len(allh)} songs with lyrics", fontsize=9)
    axs[0].set_xlabel(f"words per line ({maxw} = {maxw}+)")
    rows = [["all", n, round(float(overall[n]), 5)] for n in range(maxw + 1)]
    for g in GENRE_ORDER:
        if per_genre.get(g):
            m = np.mean(per_genre[g], axis=0)
            axs[1].plot(range(maxw + 1), m, label=g)
            rows += [[g, n, round(float(m[n]), 5)] for n in range(maxw + 1)]
    axs[1].set_title("by genre", fontsize=9)
    if per_genre:
        axs[1].legend(fontsize=6)
    F.save(
        "fig3_lyrics",
        fig,
        "Fig. 3a: lyric sentence (line) lengths in words, overall and by genre "
        "(each song normalised to 1, then averaged over songs).",
        {"": (["genre", "words", "share"], rows)},
    )
    # segments
    seg = np.concatenate(
        [np.asarray(it.custom.get("features", {}).get("visual", {}).get("shot_lengths") or [], float) for it in items]
        or [np.zeros(0)]
    )
    edges = np.arange(0, max(10.0, float(np.ceil(seg.max())) if len(seg) else 10.0) + 0.5, 0.5)
    counts = np.histogram(seg, bins=edges)[0]
    fig, ax = plt.subplots(figsize=(5, 3))
    ax.bar(edges[:-1], counts, width=0.5, align="edge", color="#4477aa")
    ax.set_xlabel("segment (shot) length (s)")
    ax.set_title(f"Video segment lengths from scene cuts ({len(seg)} segments)", fontsize=9)
    F.save(
        "fig3_segments",
        fig,
        "Fig. 3b: video segment lengths between scene cuts (0.5-s bins).",
        {
            "": (
                ["bin_start_s", "bin_end_s", "segments"],
                [[float(edges[i]), float(edges[i + 1]), int(c)] for i, c in enumerate(counts)],
            )
        },
    )
    # dominant colours: k-means over every video's dominant colours (weighted by share)
    pts, w = [], []
    for it in items:
        for d in it.custom.get("features", {}).get("visual", {}).get("dominant_colours") or []:
            h, s, v = d["hsv"]
            pts.append([s * np.cos(np.deg2rad(h)), s * np.sin(np.deg2rad(h)), v])
            w.append(d["share"])
    clusters = _weighted_kmeans(np.array(pts), np.array(w), k=min(8, len(pts))) if pts else []
    fig, ax = plt.subplots(figsize=(6, 2.2))
    for i, (rgb, share, _hsv) in enumerate(clusters):
        ax.bar(i, share, color=rgb, edgecolor="black")
    ax.set_xticks(range(len(clusters)))
    ax.set_xticklabels([c[0] for c in clusters], rotation=45, fontsize=7)
    ax.set_title("Dominant colours (k-means in HSV, shown in RGB)", fontsize=9)
    F.save(
        "fig3_colours",
        fig,
        "Fig. 3c: distribution of the videos' dominant colours.",
        {"": (["rgb", "share", "hue_deg", "saturation", "value"], [[c[0], round(c[1], 4), *c[2]] for c in clusters])},
    )
    # music: pitch, IOI, key, mode by genre
    from mvemo.dataset.steps import IOI_EDGES

    ph = np.zeros(128)
    ih = np.zeros(len(IOI_EDGES) - 1)
    keys: Counter = Counter()
    mode_g: dict[str, Counter] = defaultdict(Counter)
    for it in items:
        ls = it.custom.get("leadsheet") or {}
        if not ls:
            continue
        ph += np.asarray(ls.get("pitch_hist") or np.zeros(128))
        ih += np.asarray(ls.get("ioi_hist") or np.zeros(len(ih)))
        keys[ls.get("key", "?")] += 1
        mode_g[_genre(it)][ls.get("mode", "?")] += 1
    fig, axs = plt.subplots(2, 2, figsize=(9, 6))
    axs[0, 0].bar(range(128), ph / max(ph.sum(), 1), color="#4477aa")
    axs[0, 0].set_xlim(20, 110)
    axs[0, 0].set_title("Note pitch (MIDI)", fontsize=9)
    axs[0, 1].bar(IOI_EDGES[:-1], ih / max(ih.sum(), 1), width=0.05, align="edge", color="#228833")
    axs[0, 1].set_title("Inter-onset interval (s; last bin 1.95+)", fontsize=9)
    kt = keys.most_common()
    _bar(axs[1, 0], [k for k, _ in kt], [v for _, v in kt], "Keys")
    gs = [g for g in GENRE_ORDER if mode_g.get(g)]
    maj = [mode_g[g].get("major", 0) for g in gs]
    mino = [mode_g[g].get("minor", 0) for g in gs]
    axs[1, 1].bar(range(len(gs)), maj, label="major", color="#ee7733")
    axs[1, 1].bar(range(len(gs)), mino, bottom=maj, label="minor", color="#0077bb")
    axs[1, 1].set_xticks(range(len(gs)))
    axs[1, 1].set_xticklabels(gs, rotation=45, ha="right", fontsize=7)
    axs[1, 1].legend(fontsize=7)
    axs[1, 1].set_title("Major/minor by genre", fontsize=9)
    fig.tight_layout()
    F.save(
        "fig3_music",
        fig,
        "Fig. 3d: note pitch, inter-onset interval, key, and major/minor by genre (from the transcribed lead sheets).",
        {
            "pitch": (["midi_pitch", "notes"], [[p, int(ph[p])] for p in range(128) if ph[p]]),
            "ioi": (
                ["bin_start_s", "bin_end_s", "intervals"],
                [[float(IOI_EDGES[i]), float(IOI_EDGES[i + 1]), int(ih[i])] for i in range(len(ih))],
            ),
            "key": (["key", "videos"], [list(x) for x in kt]),
            "mode_by_genre": (["genre", "major", "minor"], [[g, a, b] for g, a, b in zip(gs, maj, mino)]),
        },
    )


def _weighted_kmeans(x: np.ndarray, w: np.ndarray, *, k: int, seed: int = 0, iters: int = 50):
    """``(rgb hex, share, [h, s, v])`` of k weighted clusters of the HSV embedding, largest first."""
    import colorsys

    rng = np.random.default_rng(seed)
    c = x[rng.choice(len(x), size=k, replace=False, p=w / w.sum())] if len(np.unique(x, axis=0)) >= k else x[:k]
    for _ in range(iters):
        lab = ((x[:, None, :] - c[None]) ** 2).sum(-1).argmin(1)
        new = np.array(
            [np.average(x[lab == j], axis=0, weights=w[lab == j]) if np.any(lab == j) else c[j] for j in range(len(c))]
        )
        if np.allclose(new, c):
            break
        c = new
    lab = ((x[:, None, :] - c[None]) ** 2).sum(-1).argmin(1)
    share = np.array([w[lab == j].sum() for j in range(len(c))]) / w.sum()
    out = []
    for j in np.argsort(-share):
        if share[j] <= 0:
            continue
        h = float(np.rad2deg(np.arctan2(c[j, 1], c[j, 0])) % 360)
        s, v = float(np.clip(np.hypot(c[j, 0], c[j, 1]), 0, 1)), float(np.clip(c[j, 2], 0, 1))
        r, g, b = colorsys.hsv_to_rgb(h / 360, s, v)
        out.append(
            (
                "#{:02x}{:02x}{:02x}".format(*(int(round(255 * q)) for q in (r, g, b))),
                float(share[j]),
                [round(h, 1), round(s, 3), round(v, 3)],
            )
        )
    return out


def _fig4(items: list[Item], F: _Fig) -> None:
    from mvemo.representation import default_circumplex

    plt = _plt()
    circ = default_circumplex()
    angle = dict(zip(circ.categories, np.asarray(circ.angles, dtype=float)))
    pairs = Counter((it.static.category, float(it.static.intensity)) for it in items if it.static)
    fig = plt.figure(figsize=(5, 5))
    ax = fig.add_subplot(projection="polar")
    if pairs:
        th = [np.deg2rad(angle[c]) for c, _ in pairs]
        r = [i for _, i in pairs]
        n = np.array(list(pairs.values()), float)
        ax.scatter(th, r, s=40 * n / n.max() * 10, alpha=0.6, color="#cc3311")
    ax.set_xticks(np.deg2rad([angle[c] for c in circ.categories]))
    ax.set_xticklabels(circ.categories, fontsize=6)
    ax.set_ylim(0, 1)
    ax.set_title("Static category x intensity (area ~ count)", fontsize=9)
    F.save(
        "fig4_static",
        fig,
        "Fig. 4a: static labels on the circumplex: angle = category, radius = intensity, "
        "marker area proportional to the count.",
        {
            "": (
                ["category", "angle_deg", "intensity", "videos"],
                [[c, round(angle[c], 2), i, n] for (c, i), n in sorted(pairs.items())],
            )
        },
    )
    cat_g: dict[str, Counter] = defaultdict(Counter)
    int_g: dict[str, Counter] = defaultdict(Counter)
    for it in items:
        if it.static:
            cat_g[_genre(it)][it.static.category] += 1
            int_g[_genre(it)][round(float(it.static.intensity), 1)] += 1
    gs = [g for g in GENRE_ORDER if cat_g.get(g)]
    levels = [round(0.1 * k, 1) for k in range(11)]
    cm = np.array([[cat_g[g].get(c, 0) for c in circ.categories] for g in gs]) if gs else np.zeros((0, 28))
    im = np.array([[int_g[g].get(lv, 0) for lv in levels] for g in gs]) if gs else np.zeros((0, 11))
    fig, axs = plt.subplots(1, 2, figsize=(11, 3.5))
    for ax, mat, xl, title in (
        (axs[0], cm, circ.categories, "Static category by genre"),
        (axs[1], im, levels, "Static intensity by genre"),
    ):
        ax.imshow(mat if len(mat) else np.zeros((1, len(xl))), aspect="auto", cmap="Blues")
        ax.set_xticks(range(len(xl)))
        ax.set_xticklabels(xl, rotation=90, fontsize=6)
        ax.set_yticks(range(len(gs)))
        ax.set_yticklabels(gs, fontsize=7)
        ax.set_title(title, fontsize=9)
    fig.tight_layout()
    F.save(
        "fig4_by_genre",
        fig,
        "Fig. 4b: static category and intensity distributions by genre.",
        {
            "category": (["genre", *circ.categories], [[g, *map(int, row)] for g, row in zip(gs, cm)]),
            "intensity": (["genre", *map(str, levels)], [[g, *map(int, row)] for g, row in zip(gs, im)]),
        },
    )


def _fig5(items: list[Item], F: _Fig) -> None:
    from mvemo.representation import default_circumplex

    plt = _plt()
    circ = default_circumplex()
    cats = list(circ.categories)
    levels = [round(0.1 * k, 1) for k in range(11)]
    ring = np.zeros((len(cats), len(levels)))
    for it in items:
        for d in it.dynamic or []:
            if d.category in cats and d.intensity is not None:
                ring[cats.index(d.category), int(round(d.intensity * 10))] += 1
    fig = plt.figure(figsize=(5, 5))
    ax = fig.add_subplot(projection="polar")
    widths = np.deg2rad(np.asarray(circ.sector_widths, float))  # each category's own sector
    centres = np.deg2rad(np.asarray(circ.sector_centers, float))
    ang = np.deg2rad(np.asarray(circ.angles, float))
    top = ring.max() if ring.max() > 0 else 1.0
    cmap = plt.get_cmap("viridis")
    for i in range(len(cats)):
        for j in range(len(levels)):
            if ring[i, j]:
                ax.bar(centres[i], 0.1, width=widths[i], bottom=j * 0.1, color=cmap(ring[i, j] / top), edgecolor="none")
    ax.set_xticks(ang)
    ax.set_xticklabels(cats, fontsize=6)
    ax.set_yticklabels([])
    ax.set_title("Dynamic intensity by category (rings = intensity)", fontsize=9)
    F.save(
        "fig5_rings",
        fig,
        "Fig. 5a: dynamic labels: intensity (ring) by category (sector), shade = count.",
        {"": (["category", *map(str, levels)], [[c, *map(int, ring[i])] for i, c in enumerate(cats)])},
    )
    bins = np.arange(-LAG_MAX, LAG_MAX + LAG_STEP, LAG_STEP)
    for name, label, events in (
        ("fig5_cut_lags", "video scene cuts", lambda it: it.custom.get("features", {}).get("visual", {}).get("cuts")),
        ("fig5_pitch_lags", "melody pitch peaks", lambda it: (it.custom.get("leadsheet") or {}).get("pitch_peaks")),
    ):
        series = {}
        for what in ("category", "intensity"):
            fwd, back = [], []
            for it in items:
                ev = np.asarray(events(it) or [], float)
                cp = change_points(it.dynamic or [], what)
                fwd.append(signed_lags(ev, cp))
                back.append(signed_lags(cp, ev))
            series[f"{what}: event->change"] = np.concatenate(fwd) if fwd else np.zeros(0)
            series[f"{what}: change->event"] = np.concatenate(back) if back else np.zeros(0)
        fig, axs = plt.subplots(1, 4, figsize=(13, 2.8), sharey=False)
        rows = []
        for ax, (key, lags) in zip(axs, series.items()):
            q = np.round(lags / LAG_STEP) * LAG_STEP
            counts = np.histogram(q, bins=bins - LAG_STEP / 2)[0]
            ax.bar(bins[:-1], counts, width=LAG_STEP * 0.9, color="#4477aa")
            ax.set_title(key, fontsize=8)
            ax.set_xlabel("lag (s)", fontsize=7)
            rows += [[key, float(b), int(c)] for b, c in zip(bins[:-1], counts)]
        fig.suptitle(f"Time lags between {label} and dynamic emotion change points (0.5-s bins)", fontsize=9)
        fig.tight_layout()
        F.save(
            name,
            fig,
            f"Fig. 5{'b' if 'cut' in name else 'c'}: signed time lags between {label} and the "
            "dynamic category / intensity change points, both directions (0.5-s resolution).",
            {"": (["series", "lag_s", "count"], rows)},
        )


# --------------------------------------------------------------------------- page
def _page(entries: list[dict[str, Any]], *, title: str, summary: list[str]) -> str:
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        f"<title>{html.escape(title)}</title>",
        "<style>body{font-family:sans-serif;max-width:1100px;margin:auto;padding:1em}"
        "figure{margin:1.5em 0;border-top:1px solid #ccc}img{max-width:100%}figcaption{font-size:0.9em}</style>",
        "</head><body>",
        f"<h1>{html.escape(title)}</h1>",
        "<ul>" + "".join(f"<li>{html.escape(s)}</li>" for s in summary) + "</ul>",
    ]
    section = None
    for e in entries:
        sec = e["name"].split("_")[0]
        if sec != section:
            if section is not None:
                parts.append("</section>")
            parts.append(f'<section id="{sec}"><h2>Fig. {sec[3:]}</h2>')
            section = sec
        b64 = base64.b64encode(e["png"]).decode("ascii")
        links = ", ".join(f'<a href="{html.escape(c)}">{html.escape(c)}</a>' for c in e["csvs"])
        parts.append(
            f'<figure id="{e["name"]}"><img alt="{html.escape(e["name"])}" '
            f'src="data:image/png;base64,{b64}"><figcaption>{html.escape(e["caption"])} '
            f"Numbers: {links}</figcaption></figure>"
        )
    if section is not None:
        parts.append("</section>")
    parts.append("</body></html>")
    return "\n".join(parts) + "\n"


def write_report(root: str | Path, out: str | Path) -> Path:
    """Write the figures, their CSVs and ``index.html`` for the dataset at ``root``; returns the page.

    Raises
    ------
    DataError
        When ``root`` has no ``manifest.parquet`` or ``manifest.jsonl``.
    """
    r = Path(root)
    man = next((r / f for f in ("manifest.parquet", "manifest.jsonl") if (r / f).is_file()), None)
    if man is None:
        raise DataError(f"{r}: no manifest.parquet or manifest.jsonl (build the dataset first)")
    items = read_manifest(man, data_home=r)
    o = Path(out)
    o.mkdir(parents=True, exist_ok=True)
    F = _Fig(o)
    _fig2(items, F)
    _fig3(items, F)
    _fig4(items, F)
    _fig5(items, F)
    dropped = []
    if (r / "dropped.jsonl").is_file():
        import json

        dropped = [json.loads(line) for line in (r / "dropped.jsonl").read_text(encoding="utf-8").splitlines() if line]
    hours = sum(it.duration or 0.0 for it in items) / 3600
    summary = [
        f"{len(items)} videos, {hours:.3f} hours; {len(dropped)} dropped "
        f"({sum(d['status'] == 'filtered' for d in dropped)} filtered, "
        f"{sum(d['status'] == 'failed' for d in dropped)} failed)",
        f"manifest: {man.name}; annotator: {next((it.custom.get('annotator', {}).get('name') for it in items), '?')}",
    ]
    page = o / "index.html"
    atomic_write(page, _page(F.entries, title=f"Dataset report: {r.resolve().name}", summary=summary))
    return page
