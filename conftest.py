"""Root pytest configuration: skip doctest collection of modules whose extra is missing."""

import importlib.util

collect_ignore_glob = []
if importlib.util.find_spec("torch") is None:
    collect_ignore_glob += ["src/mvemo/models/*.py"]
