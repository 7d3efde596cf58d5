# Public names and submodules of mvemo.features, loaded on first use (lazy_loader.attach_stub):
# importing the package loads neither torch nor librosa.
from . import (
    blocks,
    bow,
    cache,
    extract,
    faces,
    harmony,
    lyrics,
    midi,
    music,
    musicnn,
    tempo,
    tf_checkpoint,
    transcription,
    visual,
)
from .blocks import musicnn_blocks
from .harmony import analyze_harmony, encode_chords, estimate_key, normalize_chords, recognize_chords
from .musicnn import MSD_MUSICNN, MSD_MUSICNN_BIG, MTT_MUSICNN, Musicnn, MusicnnBundle, load_musicnn
from .tempo import estimate_tempo
from .tf_checkpoint import list_variables, read_checkpoint
