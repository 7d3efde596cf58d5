"""The MVEmo dataset builder: a collection of music videos in, an annotated dataset out.

``mvemo dataset build SOURCES... --out DIR`` runs, per video and in the paper's order
(MVEmo section IV), probe -> static filter (eq. 12) -> transcode -> audio -> lyrics ->
lead sheet -> features -> annotation, on a Dask cluster; ``mvemo dataset report DIR``
draws the statistics of Figs. 2-5.

Modules: :mod:`~mvemo.dataset.sources` (folders and catalogues), :mod:`~mvemo.dataset.cache`
(step results keyed by content hash and step version), :mod:`~mvemo.dataset.steps` (the
pure per-video steps), :mod:`~mvemo.dataset.ledger` (SQLite status of every video and
step), :mod:`~mvemo.dataset.build` (the Dask driver and the manifest),
:mod:`~mvemo.dataset.card` (README.md of the dataset), :mod:`~mvemo.dataset.report`
(figures, CSVs and the offline HTML page).
"""

from __future__ import annotations

__all__ = ["build_dataset", "write_report"]


def __getattr__(name: str):  # keep `import mvemo.dataset` free of heavy imports
    if name == "build_dataset":
        from mvemo.dataset.build import build_dataset

        return build_dataset
    if name == "write_report":
        from mvemo.dataset.report import write_report

        return write_report
    raise AttributeError(name)
