"""MVEmo-Bench runner: tasks, splits, a registry of models and baselines, an LLM adapter, tables.

* :mod:`~mvemo.bench.tasks`: the task definitions (what a model gets, what is scored).
* :mod:`~mvemo.bench.splits`: the manifest's split or MVEmo's seeded 8:1:1 split; the
  seeded subset of the dynamic tasks.
* :mod:`~mvemo.bench.registry`: the model interface (``fit``/``predict``) and registry.
* :mod:`~mvemo.bench.adapters`, :mod:`~mvemo.bench.baselines`, :mod:`~mvemo.bench.llm`:
  mvemo's models, simple baselines, OpenAI-compatible chat endpoints.
* :mod:`~mvemo.bench.runner`: one run -> one JSON record; :mod:`~mvemo.bench.report`:
  Table IV and Table V style tables (Markdown, CSV, LaTeX).

Heavy modules (models, HTTP) are imported only when used.
"""

from mvemo.bench.registry import Prediction, create_model, list_models, model_spec, register_model
from mvemo.bench.splits import seeded_subset, split_items
from mvemo.bench.tasks import TASKS, Task, get_task, list_tasks

__all__ = [
    "TASKS",
    "Prediction",
    "Task",
    "create_model",
    "get_task",
    "list_models",
    "list_tasks",
    "model_spec",
    "register_model",
    "seeded_subset",
    "split_items",
]
