"""MVAnno: one multimodal annotator trained by a hierarchical continual fine-tuning curriculum
(MVEmo section III-B, Fig. 1, Table II).

* :mod:`mvemo.anno.config`: the TOML curriculum (stages, optimiser defaults of the paper).
* :mod:`mvemo.anno.runner`: the framework-agnostic runner (checkpoints, resume, skips, evaluation).
* :mod:`mvemo.anno.report`: Table II rows and the forgetting matrix (md/csv/latex).
* :mod:`mvemo.anno.backends`: ``mvanno-cpu`` (ships) and ``phi4mm`` (Phi-4-multimodal).
* :mod:`mvemo.anno.annotate`: static and dynamic annotation with the trained branches.
"""

from mvemo.anno.config import CurriculumConfig, OptimConfig, StageConfig, load_config

__all__ = ["CurriculumConfig", "OptimConfig", "StageConfig", "load_config"]
