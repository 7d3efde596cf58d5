"""Tables from run records: MVEmo Table IV (all metrics) and Table V (VA vs. unified), in Markdown, CSV, LaTeX.

* **Table IV style**: one row per model (per task family and data set), the category
  P/R/F1, intensity P/R/F1, Emotion Distance D_e and Error Rate ER of its static run and
  of its dynamic run side by side.  Values are fractions in [0, 1] (the paper prints
  percentages); D_e is in [0, 2], lower is better.
* **Table V style**: for each model registered with a dimensional twin (``pair``), the
  D_e of the same model predicting unified labels directly and predicting valence-arousal
  converted with MVEmo eq. 5-10, on the same task and data.

When a folder holds several records of the same (task, model, data, seed), the latest
(by finish time) is used.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from mvemo.errors import DataError, ParameterError

__all__ = ["METRIC_COLUMNS", "FORMATS", "load_records", "latest_records", "table4", "table5", "render", "format_report"]

RECORD_KIND = "mvemo-bench-run"

#: (score key, column label) of Table IV, per label type.
METRIC_COLUMNS: tuple[tuple[str, str], ...] = (
    ("category_precision", "Cat P"), ("category_recall", "Cat R"), ("category_f1", "Cat F1"),
    ("intensity_precision", "Int P"), ("intensity_recall", "Int R"), ("intensity_f1", "Int F1"),
    ("emotion_distance", "D_e"), ("error_rate", "ER"),
)  # fmt: skip
FORMATS = ("md", "csv", "latex")
_FAMILY_ORDER = ("lyrics", "music", "video", "multimodal", "symbolic")


def load_records(paths: Iterable[str | Path]) -> list[dict[str, Any]]:
    """Run records from files and folders (searched recursively for ``*.json``).

    Files that are not run records are skipped; an unreadable run record is an error.

    Raises
    ------
    DataError
        For a path that does not exist or a broken record.
    """
    out = []
    for path in paths:
        p = Path(path)
        if not p.exists():
            raise DataError(f"{p}: no such file or folder")
        files = sorted(p.rglob("*.json")) if p.is_dir() else [p]
        for f in files:
            try:
                rec = json.loads(f.read_text(encoding="utf-8"))
            except (OSError, json.JSONDecodeError) as exc:
                raise DataError(f"{f}: not a readable JSON run record ({exc})") from None
            if isinstance(rec, dict) and rec.get("kind") == RECORD_KIND:
                rec.setdefault("path", str(f))
                out.append(rec)
    return out


def _key(rec: dict[str, Any]) -> tuple:
    return rec["task"], rec["model"], rec["data"]["name"], rec.get("seed", 0)


def latest_records(records: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    """One record per (task, model, data, seed): the one that finished last."""
    best: dict[tuple, dict[str, Any]] = {}
    for rec in records:
        k = _key(rec)
        if k not in best or rec["timing"]["finished"] >= best[k]["timing"]["finished"]:
            best[k] = rec
    return list(best.values())


def _family(task: str) -> str:
    return task.rsplit("-", 1)[0]


def table4(records: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    """Rows of the Table IV-style table.

    Returns
    -------
    list of dict
        ``{"family", "data", "model", "seed", "static": scores or None, "dynamic": scores or None,
        "n_static", "n_dynamic"}``, ordered by family, data, model.
    """
    rows: dict[tuple, dict[str, Any]] = {}
    for rec in latest_records(records):
        fam = _family(rec["task"])
        k = (fam, rec["data"]["name"], rec["model_name"], rec.get("seed", 0))
        row = rows.setdefault(
            k,
            {
                "family": fam,
                "data": k[1],
                "model": k[2],
                "seed": k[3],
                "static": None,
                "dynamic": None,
                "n_static": None,
                "n_dynamic": None,
            },
        )
        kind = rec.get("task_labels", "dynamic" if rec["task"].endswith("dynamic") else "static")
        row[kind] = rec["scores"]
        row[f"n_{kind}"] = rec["scores"].get("n_samples", rec["scores"].get("n"))
    order = {f: i for i, f in enumerate(_FAMILY_ORDER)}
    return sorted(
        rows.values(), key=lambda r: (order.get(r["family"], 99), r["family"], r["data"], r["model"], r["seed"])
    )


def table5(records: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    """Rows of the Table V-style comparison (unified vs. VA-converted, by D_e).

    Returns
    -------
    list of dict
        ``{"task", "data", "model", "va_model", "de_unified", "de_va", "delta", "n"}``; ``delta`` is
        ``de_va - de_unified`` (positive: the unified representation is better).
    """
    recs = latest_records(records)
    index = {_key(r): r for r in recs}
    rows = []
    for rec in recs:
        if rec.get("representation") != "unified" or not rec.get("pair"):
            continue
        twin = index.get((rec["task"], rec["pair"], rec["data"]["name"], rec.get("seed", 0)))
        if twin is None:
            continue
        du, dv = rec["scores"].get("emotion_distance"), twin["scores"].get("emotion_distance")
        rows.append(
            {
                "task": rec["task"],
                "data": rec["data"]["name"],
                "model": rec["model_name"],
                "va_model": twin["model_name"],
                "de_unified": du,
                "de_va": dv,
                "delta": None if du is None or dv is None else dv - du,
                "n": rec["scores"].get("n_samples", rec["scores"].get("n")),
            }
        )
    return sorted(rows, key=lambda r: (r["task"], r["data"], r["model"]))


def _fmt(x: Any, digits: int = 3) -> str:
    if x is None:
        return "-"
    if isinstance(x, float):
        return f"{x:.{digits}f}"
    return str(x)


def _latex_escape(s: str) -> str:
    return "".join(
        {"_": r"\_", "&": r"\&", "%": r"\%", "#": r"\#", "$": r"\$", "{": r"\{", "}": r"\}"}.get(ch, ch) for ch in s
    )


def _t4_layout(rows: Sequence[dict[str, Any]]) -> tuple[list[str], list[str], list[list[Any]]]:
    kinds = [k for k in ("static", "dynamic") if any(r[k] for r in rows)] or ["static"]
    head = ["task", "data", "model"]
    sub = []
    for kind in kinds:
        head += [f"{kind} n"] + [f"{kind} {lab}" for _, lab in METRIC_COLUMNS]
        sub += [kind] * (len(METRIC_COLUMNS) + 1)
    body = []
    for r in rows:
        line: list[Any] = [r["family"], r["data"], r["model"]]
        for kind in kinds:
            s = r[kind] or {}
            line += [r[f"n_{kind}"]] + [s.get(key) for key, _ in METRIC_COLUMNS]
        body.append(line)
    return head, kinds, body


def render(rows: Sequence[dict[str, Any]], *, table: str, fmt: str) -> str:
    """One table as text.

    Parameters
    ----------
    rows : rows of :func:`table4` or :func:`table5`
    table : {"4", "5"}
    fmt : {"md", "csv", "latex"}
    """
    if fmt not in FORMATS:
        raise ParameterError(f"format must be one of {FORMATS}, got {fmt!r}")
    if table == "4":
        head, kinds, body = _t4_layout(rows)
        caption = "MVEmo-Bench results (Table IV style): static and dynamic tasks"
    elif table == "5":
        head = ["task", "data", "model (unified)", "model (VA)", "n", "D_e unified", "D_e VA->unified", "delta"]
        body = [
            [r["task"], r["data"], r["model"], r["va_model"], r["n"], r["de_unified"], r["de_va"], r["delta"]]
            for r in rows
        ]
        caption = "Dimensional (VA, converted) vs. unified representation by Emotion Distance (Table V style)"
        kinds = []
    else:
        raise ParameterError(f"table must be '4' or '5', got {table!r}")
    if fmt == "csv":
        buf = io.StringIO()
        w = csv.writer(buf, lineterminator="\n")
        w.writerow([h.replace(" ", "_").replace("->", "_to_") for h in head])
        for line in body:
            w.writerow(["" if v is None else (f"{v:.6f}" if isinstance(v, float) else v) for v in line])
        return buf.getvalue()
    if fmt == "md":
        lines = ["| " + " | ".join(head) + " |", "|" + "|".join("---" for _ in head) + "|"]
        lines += ["| " + " | ".join(_fmt(v) for v in line) + " |" for line in body]
        return "\n".join(lines) + "\n"
    # LaTeX (booktabs)
    n_id = 3 if table == "4" else 4
    cols = "l" * n_id + "r" * (len(head) - n_id)
    out = [
        r"\begin{table}[t]",
        r"\centering",
        rf"\caption{{{_latex_escape(caption)}}}",
        rf"\begin{{tabular}}{{{cols}}}",
        r"\toprule",
    ]
    if table == "4":
        width = len(METRIC_COLUMNS) + 1
        out.append(
            " & ".join([""] * n_id + [rf"\multicolumn{{{width}}}{{c}}{{{k.capitalize()}}}" for k in kinds]) + r" \\"
        )
        per_kind = ["n"] + [lab.replace("D_e", "$D_e$") for _, lab in METRIC_COLUMNS]
        labels = ["Task", "Data", "Model"] + per_kind * len(kinds)
        out.append(" & ".join(_latex_escape(x) if "$" not in x else x for x in labels) + r" \\")
    else:
        cells = (_latex_escape(h).replace(r"D\_e", "$D_e$").replace("->", r"$\to$") for h in head)
        out.append(" & ".join(cells) + r" \\")
    out.append(r"\midrule")
    for line in body:
        out.append(" & ".join(_latex_escape(_fmt(v)) for v in line) + r" \\")
    out += [r"\bottomrule", r"\end{tabular}", r"\end{table}"]
    return "\n".join(out) + "\n"


def format_report(records: Sequence[dict[str, Any]], *, fmt: str = "md", tables: Sequence[str] = ("4", "5")) -> str:
    """Both tables (or those in ``tables``) of a set of records, as one text.

    In Markdown each table gets a heading; in CSV the tables are separated by a blank line
    and a ``# table N`` comment line; in LaTeX each is a ``table`` environment.
    """
    if not records:
        raise ParameterError("no run records to report (run `mvemo bench run` first)")
    parts = []
    for t in tables:
        rows = table4(records) if t == "4" else table5(records)
        if t == "5" and not rows:
            continue
        text = render(rows, table=t, fmt=fmt)
        if fmt == "md":
            title = "Table IV style: all metrics" if t == "4" else "Table V style: VA (converted) vs. unified, D_e"
            text = f"### {title}\n\n{text}"
        elif fmt == "csv":
            text = f"# table {t}\n{text}"
        parts.append(text)
    return "\n".join(parts)
