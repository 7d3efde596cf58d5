"""Reports of a curriculum run (``state.json``): the Table II rows, the forgetting matrix and
per-dataset D_e, as Markdown, CSV or LaTeX (the formats of ``mvemo bench report``).

* **Table II** (MVEmo's form): one column per stage, one row per branch; a cell is D_e on
  that stage's own validation data after the stage (``own``), and a second row per branch
  pools the validation data of all trained stages of its lineage so far (``all so far``).
  Skipped stages read ``skipped``; stages of the other branch ``-``.
* **Forgetting matrix** per branch: row = after stage, column = validation data of an
  earlier (or the same) stage, cell = D_e.
* **Per dataset**: D_e per validation dataset after its stage and after the branch's last stage.

Each D_e table comes twice: against the paper-compatible reference (``D_e``, comparable with
MVEmo's Table II) and against the informative reference (``D_e_informative``, the items'
``informative`` labels of issue #16; runs recorded before it have only the first).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from mvemo.anno.checkpoint import read_json
from mvemo.bench.report import FORMATS, _fmt, _latex_escape
from mvemo.errors import DataError, ParameterError

__all__ = ["REFERENCES", "forgetting", "format_report", "load_state", "per_dataset", "render_table", "table2"]

#: Recorded D_e keys of the two references, with their names in the report.
REFERENCES = {"D_e": "paper reference", "D_e_informative": "informative reference"}


def _key(key: str) -> str:
    if key not in REFERENCES:
        raise ParameterError(f"reference key must be one of {list(REFERENCES)}, got {key!r}")
    return key


def _has(state: dict[str, Any], key: str) -> bool:
    """Whether any stage recorded D_e under ``key``."""
    return any(key in ev for rec in state["stages"].values() for ev in rec.get("eval", {}).values())


def load_state(path: str | Path) -> dict[str, Any]:
    """A run's state: ``path`` is the run folder or its ``state.json``."""
    p = Path(path)
    if p.is_dir():
        p = p / "state.json"
    if not p.is_file():
        raise DataError(f"no curriculum state at {p} (run `mvemo anno train` first)")
    return read_json(p)


def _order(state: dict[str, Any]) -> list[str]:
    return [n for n in state.get("order", list(state["stages"])) if n in state["stages"]] or list(state["stages"])


def _lineage(state: dict[str, Any], name: str) -> list[str]:
    out, cur = [], name
    while cur is not None and cur in state["stages"]:
        out.append(cur)
        cur = state["stages"][cur].get("parent")
    return out[::-1]


def table2(state: dict[str, Any], key: str = "D_e") -> tuple[list[str], list[list[Any]]]:
    """Header and rows of the Table II form (``key``: ``D_e`` or ``D_e_informative``)."""
    key = _key(key)
    order = _order(state)
    head = ["branch", "D_e on"] + order
    body = []
    for branch in ("static", "dynamic"):
        if not any(state["stages"][n].get("branch") == branch for n in order):
            continue
        own, pooled = [branch, "own data"], [branch, "all data so far"]
        for n in order:
            rec = state["stages"][n]
            if rec.get("branch") != branch:
                own.append("-")
                pooled.append("-")
            elif rec["status"] != "done":
                own.append(rec["status"])
                pooled.append(rec["status"])
            else:
                ev = rec.get("eval", {})
                own.append(ev.get(n, {}).get(key))
                tot = sum(s["n"] for s in ev.values() if s.get(key) is not None)
                pooled.append(
                    sum(s[key] * s["n"] for s in ev.values() if s.get(key) is not None) / tot if tot else None
                )
        body += [own, pooled]
    return head, body


def forgetting(state: dict[str, Any], branch: str, key: str = "D_e") -> tuple[list[str], list[list[Any]]]:
    """Header and rows of one branch's forgetting matrix (trained stages only)."""
    key = _key(key)
    done = [n for n in _order(state) if state["stages"][n]["status"] == "done"]
    rows = [n for n in done if state["stages"][n].get("branch") == branch]
    cols: list[str] = []
    for n in rows:
        for m in _lineage(state, n):
            if m in done and m not in cols:
                cols.append(m)
    head = [f"{branch}: after \\ data of"] + cols
    body = [[n] + [state["stages"][n].get("eval", {}).get(c, {}).get(key) for c in cols] for n in rows]
    return head, body


def per_dataset(state: dict[str, Any], key: str = "D_e") -> tuple[list[str], list[list[Any]]]:
    """D_e per validation dataset after its own stage and after the branch's last trained stage."""
    key = _key(key)
    order = _order(state)
    done = [n for n in order if state["stages"][n]["status"] == "done"]
    last = {
        b: next((n for n in reversed(done) if state["stages"][n].get("branch") == b), None)
        for b in ("static", "dynamic")
    }
    head = ["branch", "stage", "dataset", "n", "D_e after stage", "final stage", "D_e after final"]
    body = []
    for b, fin in last.items():
        if fin is None:
            continue
        for n in _lineage(state, fin):
            if n not in done:
                continue
            mine = state["stages"][n]["eval"].get(n, {}).get("datasets", {})
            final = state["stages"][fin]["eval"].get(n, {}).get("datasets", {})
            for ds, s in mine.items():
                body.append([b, n, ds, s["n"], s.get(key), fin, final.get(ds, {}).get(key)])
    return head, body


def render_table(head: Sequence[str], body: Sequence[Sequence[Any]], *, fmt: str, caption: str = "") -> str:
    """One table as Markdown, CSV or LaTeX (booktabs); numbers to 4 decimals."""
    if fmt not in FORMATS:
        raise ParameterError(f"format must be one of {FORMATS}, got {fmt!r}")
    if fmt == "csv":
        buf = io.StringIO()
        w = csv.writer(buf, lineterminator="\n")
        w.writerow(head)
        for line in body:
            w.writerow(["" if v is None else (f"{v:.6f}" if isinstance(v, float) else v) for v in line])
        return buf.getvalue()
    if fmt == "md":
        lines = ["| " + " | ".join(head) + " |", "|" + "|".join("---" for _ in head) + "|"]
        lines += ["| " + " | ".join(_fmt(v, 4) for v in line) + " |" for line in body]
        return "\n".join(lines) + "\n"
    n_id = sum(1 for v in (body[0] if body else []) if isinstance(v, str) and v not in ("skipped", "-")) or 1
    cols = "l" * n_id + "r" * (len(head) - n_id)
    out = [
        r"\begin{table}[t]",
        r"\centering",
        rf"\caption{{{_latex_escape(caption)}}}",
        rf"\begin{{tabular}}{{{cols}}}",
        r"\toprule",
        " & ".join(_latex_escape(h) for h in head) + r" \\",
        r"\midrule",
    ]
    out += [" & ".join(_latex_escape(_fmt(v, 4)) for v in line) + r" \\" for line in body]
    out += [r"\bottomrule", r"\end{tabular}", r"\end{table}"]
    return "\n".join(out) + "\n"


def format_report(state: dict[str, Any], *, fmt: str = "md") -> str:
    """Table II, the forgetting matrix of each branch and the per-dataset table, as one text."""
    parts = []
    skipped = [
        f"{n}: {state['stages'][n].get('reason', '')}"
        for n in _order(state)
        if state["stages"][n]["status"] == "skipped"
    ]
    keys = [k for k in REFERENCES if k == "D_e" or _has(state, k)]
    tables = []
    for k in keys:
        ref = REFERENCES[k]
        tables.append((f"Table II form: validation D_e after each stage ({ref})", *table2(state, k)))
        for b in ("static", "dynamic"):
            head, body = forgetting(state, b, k)
            if body:
                tables.append(
                    (f"Forgetting matrix ({b} branch): D_e on each stage's validation data ({ref})", head, body)
                )
        tables.append((f"Validation D_e per dataset ({ref})", *per_dataset(state, k)))
    for title, head, body in tables:
        text = render_table(head, body, fmt=fmt, caption=title)
        if fmt == "md":
            text = f"### {title}\n\n{text}"
        elif fmt == "csv":
            text = f"# {title}\n{text}"
        parts.append(text)
    if skipped:
        if fmt == "md":
            parts.append("Skipped stages:\n\n" + "\n".join(f"- {s}" for s in skipped) + "\n")
        elif fmt == "csv":
            parts.append("# skipped\n" + "\n".join(f"# {s}" for s in skipped) + "\n")
        else:
            parts.append("% skipped: " + "; ".join(skipped) + "\n")
    return "\n".join(parts)
