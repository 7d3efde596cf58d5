# Public names of mvemo.audio, loaded on first use (lazy_loader.attach_stub).
from . import io
from .io import SILENCE_DBFS, audio_duration, check_audio, load_audio, pad_to, rms_dbfs
