"""A built dataset as a registered-style loader, so ``mvemo data`` can list, validate and describe it.

Put (or link) the dataset folder as ``DATA_HOME/mvemo_built`` and register the loader once::

    from mvemo.data import register
    register("mvemo_built", "mvemo.dataset.loader:BuiltDataset")

(the lead adds this line to ``mvemo.data.registry`` so that the ``mvemo data`` commands
know it without the call).  The items are the builder's manifest with media paths made
relative to the data root; the splits are the builder's (``official_splits``).
"""

from __future__ import annotations

from mvemo.data.dataset import Dataset
from mvemo.data.manifest import Item, read_manifest
from mvemo.errors import DataError

__all__ = ["BuiltDataset"]


class BuiltDataset(Dataset):
    """A dataset written by ``mvemo dataset build`` (music videos, model-annotated unified labels).

    Notes
    -----
    Reads ``mvemo_built/manifest.parquet`` (else ``manifest.jsonl``) under the data root.
    The labels are an annotator's predictions (see the dataset's ``README.md``), not ratings.
    """

    name = "mvemo_built"
    title = "A dataset built by mvemo dataset build"
    citation = "Built with mvemo (MVEmo section IV pipeline); see the dataset's README.md"
    license = "as the source videos' licences allow"
    homepage = ""
    modality = "video"
    label_type = "unified"
    scale = None
    folder = "mvemo_built"
    official_splits = True
    exclusions = "Videos filtered (static, eq. 12) or failed are listed in dropped.jsonl, not here."

    def _load_items(self) -> list[Item]:
        man = next((self.file(n) for n in ("manifest.parquet", "manifest.jsonl") if self.file(n).is_file()), None)
        if man is None:
            raise DataError(f"{self.file()}: no manifest.parquet or manifest.jsonl (build the dataset first)")
        items = read_manifest(man, data_home=self.root)
        for it in items:
            it.media = {role: f"{self.folder}/{rel}" for role, rel in it.media.items()}
        return items

    def _official_split(self, items: list[Item]) -> dict[str, str]:
        return {it.id: it.split for it in items if it.split}
