"""Train the symbolic (MIDI) emotion model on EMOPIA (4Q, official splits) and VGMIDI (V/A signs).

* Features: :func:`mvemo.features.midi.midi_features` of each clip, cached per data
  root in ``cache_dir/symbolic-midi-features-v1.pkl`` (recomputed when a file changes).
* Examples: the whole clip plus ``n_random`` random windows (``min_window`` s up to the
  clip) per training clip, all with the clip's label (clip labels hold for the windows
  that the dynamic predictor scores); validation and test use whole clips.
* Targets: the 4Q class (EMOPIA's label; VGMIDI's valence/arousal signs), the unified
  category and intensity of the manifests (4Q class -> excited/distressed/depressed/
  relaxed at 0.5), and valence-arousal: the point of that unified label (weak VA: no
  dataset here rates V/A on a continuous scale).
* Loss: quadrant cross-entropy + weighted category cross-entropy and VA / intensity MSE.
* Optional (``frame_seeds > 0``): :class:`~mvemo.models.symbolic.FrameEmotionNet` networks on
  the 8-frames/s note-frame sequence (:meth:`mvemo.features.midi.MidiFeatures.frames`) plus the
  statistics, with time-stretch augmentation, ensembled with weight ``frame_weight``; the
  report then has a ``components`` section (each family alone).
* Optional (``linear = true``, the v2 model): a linear valence x arousal model
  (:func:`train_linear`, :class:`~mvemo.models.symbolic.TwoFactorLinear`): a valence logistic
  regression (Q1/Q4 vs Q2/Q3) on ``valence_inputs`` (statistics + :func:`~mvemo.features.midi.valence_features`)
  and an arousal one (Q1/Q2 vs Q3/Q4) on ``arousal_inputs``, C by song/piece-grouped CV on
  train; 4Q = the product, blended with the networks' 4Q output with weight ``linear_weight``
  (``n_seeds = 0``: the linear model alone).  With ``conform_categories`` (v3) the networks'
  category probabilities are rescaled to that blended quadrant
  (:func:`mvemo.conversion.quadrant.conform_categories`).
* Baselines on the same whole-clip features (statistics + a bag of key-normalised
  chord qualities): logistic regression and gradient boosting (scikit-learn).

Seeded; validation guides choices, test is evaluated with ``evaluate_test = true``.

Modules: :mod:`.config` (settings, :class:`Clip`), :mod:`.clips` (dataset indexing and the
feature cache), :mod:`.networks` (the chord/statistics and frame networks), :mod:`.linear`
(the valence x arousal model), :mod:`.evaluation` (metrics and baselines), :mod:`.run`
(:func:`run_training`) and :mod:`.card` (the model card).
"""

from mvemo.train.symbolic.card import model_card
from mvemo.train.symbolic.clips import load_clips
from mvemo.train.symbolic.config import Clip, SymbolicTrainConfig
from mvemo.train.symbolic.evaluation import baseline_features, evaluate_network, run_baselines
from mvemo.train.symbolic.linear import clip_group, fit_linear_factor, linear_design, train_linear
from mvemo.train.symbolic.networks import predict_clips, train_frame_network, train_network
from mvemo.train.symbolic.run import run_training

__all__ = [
    "Clip",
    "SymbolicTrainConfig",
    "baseline_features",
    "clip_group",
    "evaluate_network",
    "fit_linear_factor",
    "linear_design",
    "load_clips",
    "model_card",
    "predict_clips",
    "run_baselines",
    "run_training",
    "train_frame_network",
    "train_linear",
    "train_network",
]
