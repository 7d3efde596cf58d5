"""Datasets: loaders for the emotion datasets, one manifest format, unified labels.

Examples
--------
>>> from mvemo.data import list_datasets
>>> list_datasets()[:3]
['4q_panda2018', 'emotify', 'emomusic']

With the curated data (``data_home`` or ``$MVEMO_DATA``)::

    ds = load("emopia", data_home="/path/to/shared/data")
    items = ds.index()                 # list of Item
    ds.splits()["train"][:3]           # official or seeded 8:1:1 split
    write_manifest(items, "emopia.jsonl")
"""

from mvemo.data.dataset import ENV_VAR, UNASSIGNED, Dataset, ValidationReport, resolve_data_home
from mvemo.data.manifest import (
    MODALITIES,
    Item,
    iter_jsonl,
    read_jsonl,
    read_manifest,
    read_parquet,
    write_jsonl,
    write_manifest,
    write_parquet,
)
from mvemo.data.registry import dataset_class, list_datasets, load, register
from mvemo.data.splits import SPLIT_NAMES, SPLIT_RATIOS, stratified_split

__all__ = [
    "ENV_VAR",
    "MODALITIES",
    "SPLIT_NAMES",
    "SPLIT_RATIOS",
    "UNASSIGNED",
    "Dataset",
    "Item",
    "ValidationReport",
    "dataset_class",
    "iter_jsonl",
    "list_datasets",
    "load",
    "read_jsonl",
    "read_manifest",
    "read_parquet",
    "register",
    "resolve_data_home",
    "stratified_split",
    "write_jsonl",
    "write_manifest",
    "write_parquet",
]
