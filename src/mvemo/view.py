"""``mvemo view``: one self-contained, offline HTML page to explore prediction results.

The page holds the records (JSON), its own plain JavaScript and SVG (no library, no CDN,
no network), and the media:

* an audio/video file up to ``embed_max_mb`` (default 20 MB; at most 100 MB in all) is
  embedded as a ``data:`` URI, so the page works when moved or mailed alone;
* a larger file is referenced by its path *relative to the page* (the page then works as
  long as it stays beside the media, e.g. in the results folder);
* MIDI and lyrics have nothing a browser can play: their play button runs a clock instead.

What it shows: the list of files of the batch (click one), the player, a timeline (category
lane ordered by circumplex angle and coloured by quadrant; intensity, valence and arousal
per modality and fused) with a cursor that follows the playback, clicking it seeks, and the
circumplex with the current point moving along the trajectory.
"""

from __future__ import annotations

import base64
import html
import json
import os
from pathlib import Path
from typing import Any
from urllib.parse import quote

from mvemo.errors import DataError, ParameterError
from mvemo.representation import default_circumplex
from mvemo.util import atomic_write

__all__ = ["read_results", "build_view", "write_view", "MIME_TYPES"]

MIME_TYPES = {".mp3": "audio/mpeg", ".wav": "audio/wav", ".flac": "audio/flac", ".ogg": "audio/ogg",
              ".oga": "audio/ogg", ".opus": "audio/ogg", ".m4a": "audio/mp4", ".aac": "audio/aac",
              ".mp4": "video/mp4", ".m4v": "video/mp4", ".mov": "video/quicktime", ".webm": "video/webm",
              ".mkv": "video/x-matroska"}  # fmt: skip
_TOTAL_EMBED_MB = 100.0


def read_results(path: str | os.PathLike) -> list[dict[str, Any]]:
    """The records of a ``mvemo predict`` JSONL file (blank lines skipped).

    Raises
    ------
    DataError
        For a line that is not a JSON record with ``file`` and ``static``; names file and line.
    """
    p = Path(path)
    out = []
    try:
        lines = p.read_text(encoding="utf-8").splitlines()
    except OSError as exc:
        raise DataError(f"{p}: cannot read ({exc})") from exc
    for n, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            rec = json.loads(line)
        except json.JSONDecodeError as exc:
            raise DataError(f"{p}:{n}: not JSON ({exc.msg})") from exc
        if not isinstance(rec, dict) or "file" not in rec or "static" not in rec:
            raise DataError(f"{p}:{n}: not a prediction record (needs 'file' and 'static')")
        out.append(rec)
    if not out:
        raise DataError(f"{p}: no records")
    return out


def _find_media(name: str, roots: list[Path]) -> Path | None:
    p = Path(name)
    if p.is_absolute():
        return p if p.is_file() else None
    for root in roots:
        if (root / p).is_file():
            return (root / p).resolve()
    return None


def _series(rec: dict[str, Any]) -> list[dict[str, Any]]:
    """``[{name, dynamic, static}]``: each present modality, then fused (or the record itself)."""
    if "modalities" in rec and "fused" in rec:
        out = [
            {"name": m, "dynamic": r.get("dynamic", []), "static": r["static"]}
            for m, r in rec["modalities"].items()
            if "static" in r
        ]
        out.append({"name": "fused", "dynamic": rec["fused"].get("dynamic", []), "static": rec["static"]})
        return out
    return [{"name": rec.get("modality") or "prediction", "dynamic": rec.get("dynamic", []), "static": rec["static"]}]


def _notes(rec: dict[str, Any]) -> list[str]:
    notes = []
    for m, r in (rec.get("modalities") or {}).items():
        if "static" not in r:
            notes.append(f"{m}: failed: {r['error']}" if "error" in r else f"{m}: missing: {r.get('missing', '')}")
    return notes


def build_view(
    records: list[dict[str, Any]],
    *,
    media_roots: list[Path],
    out_dir: Path,
    embed_max_mb: float = 20.0,
    title: str = "mvemo results",
) -> str:
    """The HTML text of the page.

    Parameters
    ----------
    records : list of dict
        Prediction records (as read from JSONL).
    media_roots : list of Path
        Folders a record's relative ``file`` is looked up in, in order.
    out_dir : Path
        The folder the page will be written to (for relative media links).
    embed_max_mb : float
        Media files up to this size are embedded; larger ones are linked relatively.
    """
    if embed_max_mb < 0:
        raise ParameterError(f"embed_max_mb must be >= 0, got {embed_max_mb}")
    circ = default_circumplex()
    budget = _TOTAL_EMBED_MB * 2**20
    items = []
    for rec in records:
        media = _find_media(str(rec["file"]), media_roots)
        suffix = Path(str(rec["file"])).suffix.lower()
        item = {
            "file": str(rec["file"]),
            "model": rec.get("model", ""),
            "modality": rec.get("modality", ""),
            "duration": rec.get("duration"),
            "static": rec["static"],
            "series": _series(rec),
            "notes": _notes(rec),
            "key": (rec.get("features") or {}).get("key"),
            "tempo": (rec.get("features") or {}).get("tempo"),
            "media": None,
            "kind": None,
            "media_note": "",
        }
        if suffix in MIME_TYPES:
            item["kind"] = "video" if MIME_TYPES[suffix].startswith("video") else "audio"
            if media is None:
                item["media_note"] = f"media not found under {', '.join(map(str, media_roots))} (use --media-root)"
            else:
                size = media.stat().st_size
                if size <= embed_max_mb * 2**20 and size <= budget:
                    budget -= size
                    item["media"] = f"data:{MIME_TYPES[suffix]};base64," + base64.b64encode(media.read_bytes()).decode()
                    item["media_note"] = f"embedded ({size / 2**20:.1f} MB)"
                else:
                    rel = os.path.relpath(media, out_dir.resolve())
                    item["media"] = quote(Path(rel).as_posix())
                    item["media_note"] = f"linked: {Path(rel).as_posix()} (keep the page beside it)"
        else:
            item["media_note"] = "nothing to play for this file type: the play button runs a clock"
        items.append(item)
    data = {"items": items, "categories": list(circ.categories), "angles": [float(a) for a in circ.angles]}
    payload = json.dumps(data, ensure_ascii=False).replace("</", "<\\/")
    return _PAGE.replace("__TITLE__", html.escape(title)).replace("__DATA__", payload).replace("__SCRIPT__", _SCRIPT)


def write_view(
    results: str | os.PathLike,
    out: str | os.PathLike,
    *,
    media_root: str | os.PathLike | None = None,
    embed_max_mb: float = 20.0,
) -> Path:
    """Read ``results`` (JSONL) and write the page to ``out`` atomically; returns ``out``.

    Media are looked up in ``media_root`` when given, else the working directory, then
    the results file's folder.
    """
    results, out = Path(results), Path(out)
    if out.suffix.lower() not in (".html", ".htm"):
        raise ParameterError(f"--out must end in .html, got {out.name!r}")
    if media_root is not None and not Path(media_root).is_dir():
        raise DataError(f"--media-root {media_root}: not a folder")
    roots = [Path(media_root)] if media_root is not None else [Path.cwd(), results.resolve().parent]
    page = build_view(
        read_results(results),
        media_roots=roots,
        out_dir=out.parent,
        embed_max_mb=embed_max_mb,
        title=f"mvemo: {results.name}",
    )
    return atomic_write(out, page)


_PAGE = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>__TITLE__</title>
<style>
body{font:14px system-ui,sans-serif;margin:0;display:flex;height:100vh;color:#222}
#files{width:250px;overflow:auto;border-right:1px solid #ccc;background:#f7f7f7;margin:0;padding:0}
#files li{list-style:none;padding:6px 8px;border-bottom:1px solid #e4e4e4;cursor:pointer;font-size:12px}
#files li.sel{background:#dde8f7}#files li b{display:block;font-size:13px;word-break:break-all}
#main{flex:1;overflow:auto;padding:10px 14px}
#head{font-size:15px;margin-bottom:6px}#note{color:#777;font-size:12px}
#player video{max-width:480px;max-height:270px;display:block}#player audio{width:480px}
#row{display:flex;gap:8px;align-items:flex-start}
svg text{font-size:10px;fill:#555}#now{font:13px monospace;margin:6px 0}
#timeline{cursor:crosshair;background:#fff;border:1px solid #ddd}
button{font-size:13px}
</style></head>
<body>
<ul id="files"></ul>
<div id="main">
 <div id="head"></div><div id="note"></div>
 <div id="player"></div>
 <div id="now"></div>
 <div id="row"><svg id="circ" width="400" height="400"></svg><svg id="timeline" width="600" height="420"></svg></div>
</div>
<script type="application/json" id="mvemo-data">__DATA__</script>
<script>
__SCRIPT__
</script>
</body></html>
"""

# Plain JavaScript (ours): no library.
_SCRIPT = r"""
"use strict";
const DATA = JSON.parse(document.getElementById("mvemo-data").textContent);
const NS = "http://www.w3.org/2000/svg";
const QCOL = {Q1: "#d62728", Q2: "#ff7f0e", Q3: "#1f77b4", Q4: "#2ca02c"};
const MCOL = {music: "#1f77b4", video: "#2ca02c", lyrics: "#9467bd", symbolic: "#8c564b", fused: "#000"};
const ANG = {}; DATA.categories.forEach((c, i) => ANG[c] = DATA.angles[i]);
const quadOf = c => { const a = ANG[c]; return a < 90 ? "Q1" : a < 180 ? "Q2" : a < 270 ? "Q3" : "Q4"; };
function el(tag, attrs, parent, text) {
  const e = document.createElementNS(NS, tag);
  for (const k in attrs) e.setAttribute(k, attrs[k]);
  if (text !== undefined) e.textContent = text;
  if (parent) parent.appendChild(e);
  return e;
}
const state = {item: null, media: null, clock: null, t: 0, T: 1, x0: 100, x1: 590};
window.mvemoView = state;

function duration(item) {
  let T = item.duration || 0;
  for (const s of item.series) if (s.dynamic.length) T = Math.max(T, s.dynamic[s.dynamic.length - 1].time + 2.5);
  return Math.max(T, 1);
}
function primary(item) { return item.series[item.series.length - 1]; }
function at(dyn, t) {  // the label of the grid time nearest t
  if (!dyn.length) return null;
  let best = dyn[0];
  for (const d of dyn) if (Math.abs(d.time - t) < Math.abs(best.time - t)) best = d;
  return best;
}
function X(t) { return state.x0 + (state.x1 - state.x0) * t / state.T; }

function drawTimeline(item) {
  const svg = document.getElementById("timeline"); svg.innerHTML = "";
  const p = primary(item), cats = [];
  for (const s of item.series) for (const d of s.dynamic) if (!cats.includes(d.category)) cats.push(d.category);
  cats.sort((a, b) => ANG[a] - ANG[b]);
  const laneH = Math.max(60, 16 * cats.length), panels = [];
  let y = 10;
  panels.push({name: "category", y0: y, h: laneH}); y += laneH + 22;
  for (const name of ["intensity", "valence", "arousal"]) { panels.push({name, y0: y, h: 70}); y += 92; }
  svg.setAttribute("height", y);
  for (const pn of panels) {
    el("rect", {x: state.x0, y: pn.y0, width: state.x1 - state.x0, height: pn.h, fill: "#fafafa", stroke: "#ddd"}, svg);
    el("text", {x: 4, y: pn.y0 + 12, "font-weight": "bold"}, svg, pn.name);
  }
  const lane = panels[0];
  const rowY = c => lane.y0 + lane.h * (cats.length - cats.indexOf(c) - 0.5) / Math.max(cats.length, 1);
  cats.forEach(c => el("text", {x: state.x0 - 4, y: rowY(c) + 3, "text-anchor": "end"}, svg, c));
  if (!p.dynamic.length) el("text", {x: state.x0 + 10, y: lane.y0 + lane.h / 2}, svg,
      item.modality === "lyrics" && item.duration == null ? "no dynamic labels: no timing in plain-text lyrics"
                                                          : "no dynamic labels in this record");
  item.series.forEach((s, k) => {
    const fused = s === p, off = fused ? 0 : (k + 1) * 3 - 6;
    for (const d of s.dynamic) {
      if (fused) el("circle", {cx: X(d.time), cy: rowY(d.category), r: 3, fill: QCOL[quadOf(d.category)]}, svg);
      else el("circle", {cx: X(d.time), cy: rowY(d.category) + off, r: 2, fill: "none",
                         stroke: MCOL[s.name] || "#888", "stroke-width": 0.8}, svg);
    }
  });
  for (const pn of panels.slice(1)) {
    const lo = pn.name === "intensity" ? 0 : -1, Y = v => pn.y0 + pn.h * (1 - (v - lo) / (1 - lo));
    if (lo < 0) el("line", {x1: state.x0, x2: state.x1, y1: Y(0), y2: Y(0), stroke: "#bbb"}, svg);
    el("text", {x: state.x0 - 4, y: pn.y0 + 9, "text-anchor": "end"}, svg, "1");
    el("text", {x: state.x0 - 4, y: pn.y0 + pn.h, "text-anchor": "end"}, svg, String(lo));
    // fused first (thick, translucent, underneath), then each modality (thin) on top
    const drawOrder = item.series.length > 1 ? [p].concat(item.series.slice(0, -1)) : item.series;
    drawOrder.forEach(s => {
      if (!s.dynamic.length) return;
      const fused = s === p && item.series.length > 1;
      el("polyline", {points: s.dynamic.map(d => X(d.time) + "," + Y(d[pn.name])).join(" "), fill: "none",
                      stroke: MCOL[s.name] || "#e67e22", "stroke-width": fused ? 4 : 1.4,
                      "stroke-opacity": fused ? 0.35 : 1, "class": "series-" + s.name}, svg);
    });
  }
  for (let t = 0; t <= state.T; t += state.T > 60 ? 10 : 5)
    el("text", {x: X(t), y: y - 8, "text-anchor": "middle"}, svg, t + " s");
  let lx = state.x0;
  item.series.forEach(s => { el("line", {x1: lx, x2: lx + 14, y1: y - 24, y2: y - 24, stroke: MCOL[s.name] || "#e67e22",
                                         "stroke-width": 3}, svg); el("text", {x: lx + 17, y: y - 21}, svg, s.name); lx += 80; });
  el("line", {id: "cursor", x1: X(0), x2: X(0), y1: 4, y2: y - 30, stroke: "#c0392b", "stroke-width": 2}, svg);
}

function drawCircumplex(item) {
  const svg = document.getElementById("circ"); svg.innerHTML = "";
  const C = 200, R = 86, P = v => [C + R * v[0], C - R * v[1]];
  el("rect", {x: C - R, y: C - R, width: 2 * R, height: 2 * R, fill: "none", stroke: "#aaa"}, svg);
  el("line", {x1: C - R - 10, x2: C + R + 10, y1: C, y2: C, stroke: "#bbb"}, svg);
  el("line", {x1: C, x2: C, y1: C - R - 10, y2: C + R + 10, stroke: "#bbb"}, svg);
  const order = DATA.categories.map((c, i) => i).sort((a, b) => DATA.angles[a] - DATA.angles[b]);
  const boxes = [], hit = (a, b) => a.x < b.x + b.width && b.x < a.x + a.width && a.y < b.y + b.height && b.y < a.y + a.height;
  for (const i of order) {  // each word at the smallest radius where it overlaps no word placed before
    const a = DATA.angles[i] * Math.PI / 180, c = Math.cos(a), s = Math.sin(a);
    let t = null;
    // crowded words step away from the valence axis by one line height (sideways near it)
    const vert = Math.abs(s) > 0.3, r0 = R * 1.04 + 3;
    let x = 0, y = 0;
    for (let level = 0; level < 10; level++) {
      x = C + r0 * c + (vert ? 2 * level * Math.sign(c) : 28 * level * Math.sign(c));
      y = C - r0 * s + 3 + (vert ? -12 * level * Math.sign(s) : 0);
      if (t) t.remove();
      t = el("text", {x: x, y: y, "text-anchor": c > 0.25 ? "start" : c < -0.25 ? "end" : "middle", "font-size": 9,
                      "class": "cat-label"}, svg, DATA.categories[i]);
      const b = t.getBBox();
      if (!boxes.some(o => hit(o, b))) break;
    }
    boxes.push(t.getBBox());
    svg.insertBefore(el("polyline", {points: [C, C, C + R * 1.02 * c, C - R * 1.02 * s, x, y - 3].join(" "),
                                     fill: "none", stroke: "#e6e6e6"}), svg.firstChild);
  }
  for (const s of item.series) {
    if (!s.dynamic.length) continue;
    el("polyline", {points: s.dynamic.map(d => P([d.valence, d.arousal]).join(",")).join(" "), fill: "none",
                    stroke: MCOL[s.name] || "#4682b4", "stroke-opacity": 0.6}, svg);
  }
  const st = P([item.static.valence, item.static.arousal]);
  el("text", {x: st[0], y: st[1] + 5, "text-anchor": "middle", "font-size": 16, fill: "crimson"}, svg, "\u2605");
  const first = primary(item).dynamic[0] || item.static;
  const q = P([first.valence, first.arousal]);
  el("circle", {id: "point", cx: q[0], cy: q[1], r: 7, fill: "#c0392b", stroke: "#fff", "stroke-width": 2}, svg);
  el("text", {x: 10, y: 392}, svg, "valence \u2192   arousal \u2191   \u2605 static   \u25cf now");
}

function update(t) {
  const item = state.item; state.t = t;
  const cur = document.getElementById("cursor");
  cur.setAttribute("x1", X(t)); cur.setAttribute("x2", X(t));
  const d = at(primary(item).dynamic, t) || item.static;
  const C = 200, R = 86;
  const pt = document.getElementById("point");
  pt.setAttribute("cx", C + R * d.valence); pt.setAttribute("cy", C - R * d.arousal);
  document.getElementById("now").textContent = t.toFixed(1) + " s  " + (d.category || "") + "  intensity " +
      Number(d.intensity).toFixed(1) + "  valence " + Number(d.valence).toFixed(2) + "  arousal " + Number(d.arousal).toFixed(2);
}
function now() { return state.media ? state.media.currentTime : state.t; }
function seek(t) {
  t = Math.max(0, Math.min(state.T, t));
  if (state.media) state.media.currentTime = t; else state.t = t;
  update(t);
}
function tick() {
  if (state.clock && state.clock.running) {
    const t = state.clock.t0 + (performance.now() - state.clock.since) / 1000;
    state.t = Math.min(t, state.T);
    if (state.t >= state.T) state.clock.running = false;
  }
  if (state.item) update(now());
  requestAnimationFrame(tick);
}
function select(k) {
  const item = DATA.items[k]; state.item = item; state.T = duration(item); state.t = 0;
  document.querySelectorAll("#files li").forEach((li, j) => li.classList.toggle("sel", j === k));
  const s = item.static, facts = [item.key && "key " + item.key, item.tempo && Math.round(item.tempo) + " BPM"].filter(Boolean);
  document.getElementById("head").textContent = item.file + ": " + s.category + " (intensity " + Number(s.intensity).toFixed(1) +
      "), " + s.quadrant + (facts.length ? "; " + facts.join(", ") : "") + "  [" + item.model + "]";
  document.getElementById("note").textContent = [item.media_note].concat(item.notes).filter(Boolean).join(" \u00b7 ");
  const player = document.getElementById("player"); player.innerHTML = ""; state.media = null; state.clock = null;
  if (item.kind && item.media) {
    const m = document.createElement(item.kind); m.controls = true; m.preload = "auto"; m.src = item.media; m.id = "media";
    player.appendChild(m); state.media = m;
    m.addEventListener("loadedmetadata", () => { if (isFinite(m.duration)) state.T = Math.max(state.T, m.duration); drawTimeline(item); update(now()); });
  } else {
    const b = document.createElement("button"); b.id = "play"; b.textContent = "\u25b6 play timeline";
    state.clock = {running: false, t0: 0, since: 0};
    b.onclick = () => { const c = state.clock; c.running = !c.running; c.t0 = state.t; c.since = performance.now();
                        b.textContent = c.running ? "\u275a\u275a pause" : "\u25b6 play timeline"; };
    player.appendChild(b);
  }
  drawTimeline(item); drawCircumplex(item); update(0);
}
window.mvemoPlay = () => state.media ? state.media.play() : document.getElementById("play").click();
const list = document.getElementById("files");
DATA.items.forEach((item, k) => {
  const li = document.createElement("li"), b = document.createElement("b");
  b.textContent = item.file; li.appendChild(b);
  li.appendChild(document.createTextNode(item.modality + ": " + item.static.category + " " + Number(item.static.intensity).toFixed(1)));
  li.onclick = () => select(k); list.appendChild(li);
});
document.getElementById("timeline").addEventListener("click", ev => {
  const svg = ev.currentTarget, r = svg.getBoundingClientRect();
  const x = (ev.clientX - r.left) * svg.width.baseVal.value / r.width;
  seek((x - state.x0) / (state.x1 - state.x0) * state.T);
  if (state.clock) { state.clock.t0 = state.t; state.clock.since = performance.now(); }
});
select(0);
requestAnimationFrame(tick);
"""
