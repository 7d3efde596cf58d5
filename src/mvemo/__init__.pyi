# The public top level of mvemo. Read by lazy_loader.attach_stub (names load on first use)
# and by type checkers. Keep it to relative imports.
from . import (
    audio,
    bench,
    cli,
    conversion,
    data,
    errors,
    features,
    io,
    metrics,
    models,
    predict,
    records,
    representation,
    train,
)
from ._version import __version__
from .audio import load_audio
from .conversion import (
    label_to_quadrant,
    label_to_va,
    quadrant_to_label,
    resample_to_grid,
    va_series_to_labels,
    va_to_label,
    word_to_label,
)
from .errors import DataError, MissingExtraError, MvemoError, ParameterError
from .metrics import error_rate, evaluate, evaluate_dynamic, parse_response
from .models.registry import ModelEntry, Predictor, list_model_entries, load_model, model_entry
from .predict.music import load_music_model
from .records import EmotionFrame, PredictionRecord, Report, StaticPrediction
from .representation import (
    CATEGORIES,
    INTENSITY_LEVELS,
    Circumplex,
    EmotionLabel,
    default_circumplex,
    quantize_intensity,
    weighted_circular_mean,
)
