"""Reading and writing label tables (CSV, TSV, JSONL)."""

from mvemo.io.tables import atomic_write, iter_jsonl, iter_jsonl_lines, read_records, write_records

__all__ = ["atomic_write", "iter_jsonl", "iter_jsonl_lines", "read_records", "write_records"]
