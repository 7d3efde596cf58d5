"""The musicnn audio-tagging network (Pons & Serra, 2019) in PyTorch, without TensorFlow.

musicnn ships TF1 checkpoints of "musically motivated" CNNs trained on MagnaTagATune
(``MTT_musicnn``) and the Million Song Dataset (``MSD_musicnn``; ``MSD_musicnn_big`` only
in source installs).  This module re-implements the network and its preprocessing and
loads those weights with :mod:`mvemo.features.tf_checkpoint`, so the package is used
only as a weight store: install it with ``pip install --no-deps musicnn`` (its declared
dependencies, TensorFlow 1.x and numpy < 1.17, are neither needed nor usable).

Pipeline (as musicnn's ``extractor.py``/``models.py``; see ``docs/musicnn.md``):

1. mono float32 audio, resampled to 16 kHz (librosa, soxr);
2. mel power spectrogram: n_fft 512, hop 256, 96 Slaney mel bands, Hann window,
   centred frames (librosa >= 0.10 defaults, zero padding);
3. quantised to float16 as musicnn does, then ``log10(10000 * x + 1)`` in float32
   (musicnn evaluates it in float16, which overflows for mel power > 6.55);
4. patches of 187 frames (3 s) every ``hop`` frames; a clip shorter than one patch is
   repeat-padded to one patch (musicnn's training setting ``pad_short: repeat-pad``);
5. the network: input batch norm; front end of timbral (7x38 and 7x67 conv, valid in
   frequency) and temporal (128x1, 64x1, 32x1 conv, TF "same") filters, each ReLU ->
   batch norm -> max over frequency (561 channels); mid end of three 7-tap 1-D convs
   (ReLU -> batch norm, residual for the second and third); back end of max and mean
   over time of the dense-connected 753 (= 561 + 3 x 64) channels, batch norm, a
   200-unit ReLU dense layer, batch norm (the "penultimate" features) and a sigmoid
   output layer over 50 tags.  All batch norms use epsilon 1e-3 (tf.layers default).

Size: about 680 lines, over the ~600 guide on purpose: it is one re-implementation of
one published network (bundles, preprocessing, the torch module, the TF-checkpoint
variable mapping and the wrapper), whose parts must match musicnn's shapes and names
exactly and change together; the generic TF1 checkpoint reader is already apart
(:mod:`mvemo.features.tf_checkpoint`).

Examples
--------
>>> from mvemo.features.musicnn import MTT_MUSICNN, patch_frames
>>> MTT_MUSICNN.sample_rate, len(MTT_MUSICNN.tags), patch_frames(3.0)
(16000, 50, 187)
"""

from __future__ import annotations

import importlib.util
import os
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import numpy as np

from mvemo._extras import require
from mvemo.errors import DataError, MissingExtraError, ParameterError

__all__ = [
    "SAMPLE_RATE",
    "N_FFT",
    "HOP_LENGTH",
    "N_MELS",
    "PATCH_FRAMES",
    "MTT_TAGS",
    "MSD_TAGS",
    "FEATURE_NAMES",
    "MusicnnBundle",
    "MTT_MUSICNN",
    "MSD_MUSICNN",
    "MSD_MUSICNN_BIG",
    "BUNDLES",
    "Musicnn",
    "load_musicnn",
    "log_mel",
    "patch_frames",
    "hop_frames",
    "make_patches",
    "musicnn_checkpoint",
    "convert_checkpoint",
]

SAMPLE_RATE = 16000  # Hz
N_FFT = 512  # samples (32 ms)
HOP_LENGTH = 256  # samples (16 ms)
N_MELS = 96
PATCH_FRAMES = 187  # frames in a 3-s patch
BN_EPSILON = 1e-3  # tf.compat.v1.layers.batch_normalization default
_FLOAT16_MAX = float(np.finfo(np.float16).max)

# Tag lists of musicnn/configuration.py (MTT_LABELS, MSD_LABELS), in output order.
MTT_TAGS: tuple[str, ...] = (
    "guitar",
    "classical",
    "slow",
    "techno",
    "strings",
    "drums",
    "electronic",
    "rock",
    "fast",
    "piano",
    "ambient",
    "beat",
    "violin",
    "vocal",
    "synth",
    "female",
    "indian",
    "opera",
    "male",
    "singing",
    "vocals",
    "no vocals",
    "harpsichord",
    "loud",
    "quiet",
    "flute",
    "woman",
    "male vocal",
    "no vocal",
    "pop",
    "soft",
    "sitar",
    "solo",
    "man",
    "classic",
    "choir",
    "voice",
    "new age",
    "dance",
    "male voice",
    "female vocal",
    "beats",
    "harp",
    "cello",
    "no voice",
    "weird",
    "country",
    "metal",
    "female voice",
    "choral",
)
MSD_TAGS: tuple[str, ...] = (
    "rock",
    "pop",
    "alternative",
    "indie",
    "electronic",
    "female vocalists",
    "dance",
    "00s",
    "alternative rock",
    "jazz",
    "beautiful",
    "metal",
    "chillout",
    "male vocalists",
    "classic rock",
    "soul",
    "indie rock",
    "Mellow",
    "electronica",
    "80s",
    "folk",
    "90s",
    "chill",
    "instrumental",
    "punk",
    "oldies",
    "blues",
    "hard rock",
    "ambient",
    "acoustic",
    "experimental",
    "female vocalist",
    "guitar",
    "Hip-Hop",
    "70s",
    "party",
    "country",
    "easy listening",
    "sexy",
    "catchy",
    "funk",
    "electro",
    "heavy metal",
    "Progressive rock",
    "60s",
    "rnb",
    "indie pop",
    "sad",
    "House",
    "happy",
)

# Intermediate outputs, named as musicnn's extractor names them.
FRAME_FEATURES = ("timbral", "temporal", "cnn1", "cnn2", "cnn3")  # one vector per frame
PATCH_FEATURES = ("mean_pool", "max_pool", "penultimate")  # one vector per patch
FEATURE_NAMES = FRAME_FEATURES + PATCH_FEATURES

# Front end: int(1.6 * 128) timbral and int(1.6 * 32) temporal filters per branch.
_TIMBRAL_FILTERS = 204
_TIMBRAL_WIDTHS = (int(0.4 * N_MELS), int(0.7 * N_MELS))  # 38, 67 mel bands
_TEMPORAL_FILTERS = 51
_TEMPORAL_LENGTHS = (128, 64, 32)  # frames
_FRONTEND_CHANNELS = 2 * _TIMBRAL_FILTERS + 3 * _TEMPORAL_FILTERS  # 561


def patch_frames(seconds: float) -> int:
    """Frames in a patch of ``seconds``, as musicnn computes it.

    ``librosa.time_to_frames(seconds, sr=16000, n_fft=512, hop_length=256) + 1``, i.e.
    ``floor((int(seconds * 16000) - 256) / 256) + 1``; 3 s gives 187 frames.
    """
    return (int(seconds * SAMPLE_RATE) - N_FFT // 2) // HOP_LENGTH + 1


def hop_frames(seconds: float) -> int:
    """Frames between patch starts for a hop of ``seconds`` (musicnn's ``input_overlap``).

    ``librosa.time_to_frames(seconds, sr=16000, n_fft=512, hop_length=256)``; 1 s gives 61.
    """
    return (int(seconds * SAMPLE_RATE) - N_FFT // 2) // HOP_LENGTH


# --------------------------------------------------------------------------- bundles


def musicnn_checkpoint(name: str) -> str:
    """Checkpoint prefix of model ``name`` inside the installed ``musicnn`` package.

    The package is located with :func:`importlib.util.find_spec` (it is not imported:
    its modules import TensorFlow).  The checkpoints were saved under ``"<name>/"``, so
    the files are ``musicnn/<name>/.index`` and ``musicnn/<name>/.data-00000-of-00001``.

    Raises
    ------
    MissingExtraError
        musicnn is not installed, or does not ship this model.
    """
    spec = importlib.util.find_spec("musicnn")
    if spec is None or not spec.submodule_search_locations:
        raise MissingExtraError(
            "'musicnn' (the pretrained musicnn weights) is needed for this feature but is not installed; "
            "install the audio extra with: pip install 'mvemo[audio]', then the weights with: "
            "pip install --no-deps musicnn  (--no-deps: its TensorFlow 1.x requirement is not needed)"
        )
    folder = Path(next(iter(spec.submodule_search_locations))) / name
    if not (folder / ".index").is_file():
        hint = (
            (
                " (MSD_musicnn_big is not in musicnn's PyPI wheel: install musicnn from its git source, "
                "or pass checkpoint= to load_musicnn)"
            )
            if name == "MSD_musicnn_big"
            else ""
        )
        raise MissingExtraError(f"the installed musicnn package has no {name} checkpoint at {folder}{hint}")
    return os.path.join(str(folder), "")


@dataclass(frozen=True)
class MusicnnBundle:
    """A pretrained musicnn model: its sizes, tags and audio parameters (torchaudio style).

    Attributes
    ----------
    name : str
        musicnn's model name, e.g. ``"MTT_musicnn"``.
    tags : tuple of str
        Output tags, in output order.
    midend_filters : int
        Filters of each mid-end conv layer (64; 512 for the big model).
    backend_units : int
        Units of the penultimate dense layer (200; 500 for the big model).
    sample_rate : int
        Input sample rate, Hz (16000).
    n_fft, hop_length, n_mels : int
        Mel spectrogram parameters (512, 256, 96).
    patch_frames : int
        Frames per 3-s patch (187).
    """

    name: str
    tags: tuple[str, ...]
    midend_filters: int = 64
    backend_units: int = 200
    sample_rate: int = SAMPLE_RATE
    n_fft: int = N_FFT
    hop_length: int = HOP_LENGTH
    n_mels: int = N_MELS
    patch_frames: int = PATCH_FRAMES

    @property
    def feature_dims(self) -> dict[str, int]:
        """Width of every intermediate feature, e.g. ``{"timbral": 408, ..., "penultimate": 200}``."""
        m = self.midend_filters
        pooled = _FRONTEND_CHANNELS + 3 * m
        return {
            "timbral": 2 * _TIMBRAL_FILTERS,
            "temporal": 3 * _TEMPORAL_FILTERS,
            "cnn1": m,
            "cnn2": m,
            "cnn3": m,
            "mean_pool": pooled,
            "max_pool": pooled,
            "penultimate": self.backend_units,
        }

    def get_model(self, *, checkpoint: str | os.PathLike | None = None, device: str = "cpu") -> Musicnn:
        """Build the network and load the weights; see :func:`load_musicnn`."""
        return load_musicnn(self.name, checkpoint=checkpoint, device=device)


MTT_MUSICNN = MusicnnBundle("MTT_musicnn", MTT_TAGS)
MSD_MUSICNN = MusicnnBundle("MSD_musicnn", MSD_TAGS)
MSD_MUSICNN_BIG = MusicnnBundle("MSD_musicnn_big", MSD_TAGS, midend_filters=512, backend_units=500)
BUNDLES: dict[str, MusicnnBundle] = {b.name: b for b in (MTT_MUSICNN, MSD_MUSICNN, MSD_MUSICNN_BIG)}


# --------------------------------------------------------------------------- preprocessing


def _check_audio(audio: Any, sr: Any) -> np.ndarray:
    y = np.asarray(audio)
    if y.ndim != 1:
        raise ParameterError(f"audio must be a mono 1-D array, got shape {y.shape}; average the channels first")
    if not np.issubdtype(y.dtype, np.floating):
        hint = " (scale integer PCM to [-1, 1], e.g. int16 / 32768)" if np.issubdtype(y.dtype, np.integer) else ""
        raise ParameterError(f"audio must be a real float array, got dtype {y.dtype}{hint}")
    if isinstance(sr, bool) or not isinstance(sr, (int, np.integer)) or sr <= 0:
        raise ParameterError(f"sr must be a positive integer sample rate in Hz, got {sr!r}")
    y = y.astype(np.float32, copy=False)  # musicnn works on librosa.load's float32
    if not np.all(np.isfinite(y)):
        raise ParameterError("audio holds NaN or infinite samples")
    return y


def log_mel(audio: np.ndarray, sr: int) -> np.ndarray:
    """musicnn's log-compressed mel spectrogram of mono audio.

    Parameters
    ----------
    audio : numpy.ndarray, shape (n_samples,)
        Mono float audio in [-1, 1].
    sr : int
        Sample rate of ``audio`` in Hz; resampled to 16 kHz (soxr) when different.

    Returns
    -------
    numpy.ndarray, shape (n_frames, 96), float32
        ``log10(10000 * mel + 1)``, one row per 16-ms frame,
        ``n_frames = 1 + n_samples_16k // 256``.

    Raises
    ------
    ParameterError
        Not 1-D float, non-finite, or shorter than one FFT window (512 samples at 16 kHz).
    """
    # librosa's resampling and mel spectrogram (window hann, centred, constant padding, power 2,
    # slaney mels), computed without importing librosa (mvemo.audio.dsp; same float16 mels)
    from mvemo.audio.dsp import melspectrogram, resample

    y = _check_audio(audio, sr)
    if sr != SAMPLE_RATE:
        y = resample(y, int(sr), SAMPLE_RATE, quality="soxr_hq")
    if y.size < N_FFT:
        raise ParameterError(f"audio is {y.size} samples at 16 kHz; musicnn needs at least {N_FFT} (32 ms)")
    mel = melspectrogram(y, sr=SAMPLE_RATE, n_fft=N_FFT, hop_length=HOP_LENGTH, n_mels=N_MELS).T
    # musicnn stores float16 mels; clip first so loud input saturates instead of becoming inf.
    mel = np.minimum(mel, _FLOAT16_MAX).astype(np.float16).astype(np.float32)
    return np.log10(np.float32(10000) * mel + np.float32(1))


def make_patches(logmel: np.ndarray, *, n_frames: int = PATCH_FRAMES, hop: int | None = None) -> np.ndarray:
    """Cut a log-mel spectrogram into patches, as musicnn's ``batch_data`` does.

    Patches start at frames ``0, hop, 2 hop, ...`` while a whole patch fits; trailing
    frames that do not fill a patch are dropped (as in musicnn).  A spectrogram shorter
    than one patch is repeat-padded (tiled in time) to one patch, as in musicnn's
    training (``pad_short: repeat-pad``); musicnn's extractor crashes on such input.

    Parameters
    ----------
    logmel : numpy.ndarray, shape (n_frames_total, n_mels)
    n_frames : int, default 187
        Frames per patch.
    hop : int, optional
        Frames between patch starts; default ``n_frames`` (no overlap).

    Returns
    -------
    numpy.ndarray, shape (n_patches, n_frames, n_mels), float32
    """
    logmel = np.asarray(logmel, dtype=np.float32)
    if logmel.ndim != 2 or logmel.shape[0] == 0:
        raise ParameterError(f"logmel must have shape (n_frames, n_mels) with n_frames >= 1, got {logmel.shape}")
    if n_frames < 1:
        raise ParameterError(f"n_frames must be >= 1, got {n_frames}")
    hop = n_frames if hop is None else int(hop)
    if hop < 1:
        raise ParameterError(f"hop must be >= 1 frame, got {hop}")
    total = logmel.shape[0]
    if total < n_frames:
        return logmel[np.arange(n_frames) % total][None].copy()
    starts = np.arange(0, total - n_frames + 1, hop)
    return logmel[starts[:, None] + np.arange(n_frames)]


# --------------------------------------------------------------------------- network


@cache
def _network_class() -> type:
    """Define the torch module on first use, so importing this module stays cheap."""
    torch = require("torch", extra="torch")
    nn = torch.nn
    F = torch.nn.functional

    class MusicnnNet(nn.Module):
        """musicnn's "7774timbraltemporal" front end, dense mid end and global-pool back end.

        ``forward(x)`` takes log-mel patches ``(B, T, 96)`` and returns a dict of
        ``logits (B, n_tags)``, frame features ``timbral (B, T, 408)``,
        ``temporal (B, T, 153)``, ``cnn1/cnn2/cnn3 (B, T, m)`` and patch features
        ``mean_pool, max_pool (B, 561 + 3 m)``, ``penultimate (B, units)``.
        """

        def __init__(self, n_tags: int, midend_filters: int, backend_units: int) -> None:
            super().__init__()
            m = midend_filters
            self.bn_input = nn.BatchNorm2d(1, eps=BN_EPSILON)
            self.timbral = nn.ModuleList(nn.Conv2d(1, _TIMBRAL_FILTERS, (7, w)) for w in _TIMBRAL_WIDTHS)
            self.timbral_bn = nn.ModuleList(nn.BatchNorm2d(_TIMBRAL_FILTERS, eps=BN_EPSILON) for _ in range(2))
            self.temporal = nn.ModuleList(nn.Conv2d(1, _TEMPORAL_FILTERS, (k, 1)) for k in _TEMPORAL_LENGTHS)
            self.temporal_bn = nn.ModuleList(nn.BatchNorm2d(_TEMPORAL_FILTERS, eps=BN_EPSILON) for _ in range(3))
            self.midend = nn.ModuleList(nn.Conv1d(c, m, 7, padding=3) for c in (_FRONTEND_CHANNELS, m, m))
            self.midend_bn = nn.ModuleList(nn.BatchNorm1d(m, eps=BN_EPSILON) for _ in range(3))
            pooled = _FRONTEND_CHANNELS + 3 * m
            self.pool_bn = nn.BatchNorm1d(2 * pooled, eps=BN_EPSILON)
            self.dense = nn.Linear(2 * pooled, backend_units)
            self.dense_bn = nn.BatchNorm1d(backend_units, eps=BN_EPSILON)
            self.output = nn.Linear(backend_units, n_tags)

        @staticmethod
        def _conv_relu_bn_maxpool(x, conv, bn):
            """``max over frequency of bn(relu(conv(x)))`` -> (B, C, T), without the full-size bn/relu.

            In eval mode batch norm is a per-channel affine map, increasing where
            ``gamma > 0`` and decreasing where ``gamma < 0``; ReLU is increasing.  So the
            max over frequency equals ``bn(relu(max conv))`` for the first channels and
            ``bn(relu(min conv))`` for the others, and ``min z = -max(-z)``: one convolution
            with the weights and biases of the ``gamma < 0`` channels negated, a max, and the
            sign restored (exact: negation is exact and rounding is monotonic).  One
            convolution instead of a split by sign matters for MSD musicnn, whose split is
            lopsided (170 of 204 timbral filters have ``gamma < 0``).
            """
            sign = torch.where(bn.weight >= 0, 1.0, -1.0).to(x.dtype)
            y = F.conv2d(x, conv.weight * sign[:, None, None, None], conv.bias * sign)
            out = y.amax(dim=3) * sign[:, None]
            return bn(F.relu(out)[..., None])[..., 0]

        def forward(self, x):  # noqa: D102 (documented on the class)
            x = self.bn_input(x[:, None])  # (B, 1, T, 96)
            front = []
            padded = F.pad(x, (0, 0, 3, 3))  # timbral: 3 zero frames each side, then 'valid' (as TF)
            for conv, bn in zip(self.timbral, self.timbral_bn, strict=True):
                front.append(self._conv_relu_bn_maxpool(padded, conv, bn))
            for conv, bn in zip(self.temporal, self.temporal_bn, strict=True):
                k = conv.kernel_size[0]
                # TF 'same' for an even kernel puts the extra padding row at the end
                front.append(self._conv_relu_bn_maxpool(F.pad(x, (0, 0, (k - 1) // 2, k - 1 - (k - 1) // 2)), conv, bn))
            frontend = torch.cat(front, dim=1)  # (B, 561, T)
            cnn1 = self.midend_bn[0](F.relu(self.midend[0](frontend)))
            cnn2 = self.midend_bn[1](F.relu(self.midend[1](cnn1))) + cnn1
            cnn3 = self.midend_bn[2](F.relu(self.midend[2](cnn2))) + cnn2
            midend = torch.cat([frontend, cnn1, cnn2, cnn3], dim=1)  # (B, 753, T)
            max_pool = midend.amax(dim=2)
            mean_pool = midend.mean(dim=2)
            # TF concatenates (B, C, 1) max and mean on a last axis, then flattens: interleaved.
            pooled = torch.stack([max_pool, mean_pool], dim=2).flatten(1)
            penultimate = self.dense_bn(F.relu(self.dense(self.pool_bn(pooled))))
            return {
                "logits": self.output(penultimate),
                "timbral": torch.cat(front[:2], dim=1).transpose(1, 2),
                "temporal": torch.cat(front[2:], dim=1).transpose(1, 2),
                "cnn1": cnn1.transpose(1, 2),
                "cnn2": cnn2.transpose(1, 2),
                "cnn3": cnn3.transpose(1, 2),
                "mean_pool": mean_pool,
                "max_pool": max_pool,
                "penultimate": penultimate,
            }

    return MusicnnNet


# TF variable scope -> (torch module path, kind), in the order tf.layers created them.
_VARIABLE_MAP: tuple[tuple[str, str, str], ...] = (
    ("batch_normalization", "bn_input", "bn"),
    ("conv2d", "timbral.0", "conv2d"),  # 7 x 38
    ("batch_normalization_1", "timbral_bn.0", "bn"),
    ("conv2d_1", "timbral.1", "conv2d"),  # 7 x 67
    ("batch_normalization_2", "timbral_bn.1", "bn"),
    ("conv2d_2", "temporal.0", "conv2d"),  # 128 x 1
    ("batch_normalization_3", "temporal_bn.0", "bn"),
    ("conv2d_3", "temporal.1", "conv2d"),  # 64 x 1
    ("batch_normalization_4", "temporal_bn.1", "bn"),
    ("conv2d_4", "temporal.2", "conv2d"),  # 32 x 1
    ("batch_normalization_5", "temporal_bn.2", "bn"),
    ("conv2d_5", "midend.0", "conv1d"),  # 7 x 561 over a 1-channel image == 1-D conv, 561 channels
    ("batch_normalization_6", "midend_bn.0", "bn"),
    ("conv2d_6", "midend.1", "conv1d"),
    ("batch_normalization_7", "midend_bn.1", "bn"),
    ("conv2d_7", "midend.2", "conv1d"),
    ("batch_normalization_8", "midend_bn.2", "bn"),
    ("batch_normalization_9", "pool_bn", "bn"),
    ("dense", "dense", "dense"),
    ("batch_normalization_10", "dense_bn", "bn"),
    ("dense_1", "output", "dense"),
)


def convert_checkpoint(variables: dict[str, np.ndarray], *, where: str = "checkpoint") -> dict[str, np.ndarray]:
    """Map musicnn's TF variables to :class:`MusicnnNet` parameter names and layouts.

    Conv kernels go from TF's HWIO to torch's OIHW (1-D mid-end kernels ``(7, C, 1, O)``
    to ``(O, C, 7)``), dense kernels are transposed, and batch-norm
    ``gamma/beta/moving_mean/moving_variance`` become ``weight/bias/running_mean/running_var``.
    Optimiser slots (``*/Adam*``, ``beta*_power``) are ignored.

    Parameters
    ----------
    variables : dict of str to numpy.ndarray
        As returned by :func:`mvemo.features.tf_checkpoint.read_checkpoint`.
    where : str
        Name of the checkpoint, for error messages.

    Returns
    -------
    dict of str to numpy.ndarray
        A state dict (float32 arrays) for :class:`MusicnnNet`.
    """
    state: dict[str, np.ndarray] = {}

    def get(name: str) -> np.ndarray:
        if name not in variables:
            raise DataError(f"{where}: variable {name!r} is missing; not a musicnn checkpoint?")
        return np.asarray(variables[name], dtype=np.float32)

    for scope, module, kind in _VARIABLE_MAP:
        if kind == "bn":
            for tf_name, torch_name in (
                ("gamma", "weight"),
                ("beta", "bias"),
                ("moving_mean", "running_mean"),
                ("moving_variance", "running_var"),
            ):
                state[f"{module}.{torch_name}"] = get(f"{scope}/{tf_name}")
            continue
        kernel = get(f"{scope}/kernel")
        if kind == "conv2d":
            weight = kernel.transpose(3, 2, 0, 1)  # HWIO -> OIHW
        elif kind == "conv1d":
            if kernel.ndim != 4 or kernel.shape[2] != 1:
                raise DataError(f"{where}: {scope}/kernel has shape {kernel.shape}, expected (7, C, 1, O)")
            weight = kernel[:, :, 0, :].transpose(2, 1, 0)  # (7, C, O) -> (O, C, 7)
        else:
            weight = kernel.T  # (in, out) -> (out, in)
        state[f"{module}.weight"] = np.ascontiguousarray(weight)
        state[f"{module}.bias"] = get(f"{scope}/bias")
    return state


class Musicnn:
    """A pretrained musicnn model on CPU (or another torch device), in inference mode.

    Build it with :func:`load_musicnn`.  All methods take mono float audio and its
    sample rate, and return numpy float32 arrays.

    Attributes
    ----------
    bundle : MusicnnBundle
    name : str
    tags : tuple of str
    sample_rate : int
        16000; other rates are resampled.
    network : torch.nn.Module
        The network (eval mode); ``network(x)`` maps log-mel patches ``(B, T, 96)`` to a
        dict of tensors (see :meth:`forward_patches`).
    """

    def __init__(self, bundle: MusicnnBundle, network: Any, *, device: str = "cpu") -> None:
        self.bundle = bundle
        self.network = network
        self.device = device

    @property
    def name(self) -> str:
        """musicnn's model name, e.g. ``"MTT_musicnn"``."""
        return self.bundle.name

    @property
    def tags(self) -> tuple[str, ...]:
        """Output tags, in taggram column order."""
        return self.bundle.tags

    @property
    def sample_rate(self) -> int:
        """Sample rate the network expects, Hz (16000)."""
        return self.bundle.sample_rate

    def __repr__(self) -> str:
        return f"Musicnn({self.name!r}, tags={len(self.tags)}, device={self.device!r})"

    def forward_patches(self, patches: np.ndarray, *, batch_size: int = 8) -> dict[str, np.ndarray]:
        """Run the network on log-mel patches.

        Parameters
        ----------
        patches : numpy.ndarray, shape (n_patches, T, 96)
            Log-mel patches (:func:`log_mel` then :func:`make_patches`); any ``T >= 1``
            works (the network is fully convolutional), 187 is what it was trained on.
        batch_size : int, default 8
            Patches per forward pass (memory: about 30 MB per 3-s patch).

        Returns
        -------
        dict of str to numpy.ndarray
            ``taggram (n, n_tags)`` sigmoid probabilities, ``logits (n, n_tags)``, frame
            features ``timbral (n, T, 408)``, ``temporal (n, T, 153)``, ``cnn1``,
            ``cnn2``, ``cnn3 (n, T, 64)`` and patch features ``mean_pool``,
            ``max_pool (n, 753)``, ``penultimate (n, 200)`` (big model: 64 -> 512,
            753 -> 2097, 200 -> 500).
        """
        torch = require("torch", extra="torch")
        x = np.asarray(patches, dtype=np.float32)
        if x.ndim != 3 or x.shape[2] != N_MELS or x.shape[0] == 0 or x.shape[1] == 0:
            raise ParameterError(f"patches must have shape (n_patches >= 1, T >= 1, {N_MELS}), got {x.shape}")
        if batch_size < 1:
            raise ParameterError(f"batch_size must be >= 1, got {batch_size}")
        parts: dict[str, list[np.ndarray]] = {}
        with torch.inference_mode():
            for i in range(0, len(x), batch_size):
                out = self.network(torch.from_numpy(x[i : i + batch_size]).to(self.device))
                out["taggram"] = torch.sigmoid(out["logits"])
                for key, value in out.items():
                    parts.setdefault(key, []).append(value.float().cpu().numpy())
        return {key: np.concatenate(values) for key, values in parts.items()}

    def _patches(self, audio: np.ndarray, sr: int, input_length: float, hop: float | None) -> np.ndarray:
        n = patch_frames(input_length)
        if n < 1:
            raise ParameterError(f"input_length={input_length} s is shorter than one frame")
        step = None if hop is None else hop_frames(hop)
        if step is not None and step < 1:
            raise ParameterError(f"a hop of {hop} s is less than one 16-ms frame")
        return make_patches(log_mel(audio, sr), n_frames=n, hop=step)

    def embed(
        self,
        audio: np.ndarray,
        sr: int,
        *,
        hop: float | None = None,
        input_length: float = 3.0,
        frame_level: bool = False,
        batch_size: int = 8,
    ) -> dict[str, np.ndarray]:
        """Per-patch embeddings and tag probabilities of a track, in one pass.

        Parameters
        ----------
        audio : numpy.ndarray, shape (n_samples,)
            Mono float audio.
        sr : int
            Its sample rate in Hz.
        hop : float, optional
            Seconds between patch starts (rounded down to 16-ms frames, as musicnn does);
            default: the patch length (no overlap).  Patch ``i`` starts at
            ``i * hop_frames(hop) * 256 / 16000`` s.
        input_length : float, default 3.0
            Patch length in seconds (187 frames for 3 s, the training length).
        frame_level : bool, default False
            Return frame features (``timbral``, ``temporal``, ``cnn1..3``) per frame,
            ``(n_patches, T, dim)``, instead of their mean over the patch's frames.
        batch_size : int, default 8

        Returns
        -------
        dict of str to numpy.ndarray
            ``taggram (n_patches, n_tags)``, ``timbral (n_patches, 408)``,
            ``temporal (n_patches, 153)``, ``cnn1``, ``cnn2``, ``cnn3 (n_patches, 64)``,
            ``mean_pool``, ``max_pool (n_patches, 753)``, ``penultimate (n_patches, 200)``.
            Audio shorter than one patch gives one repeat-padded patch.
        """
        out = self.forward_patches(self._patches(audio, sr, input_length, hop), batch_size=batch_size)
        out.pop("logits")
        if not frame_level:
            for key in FRAME_FEATURES:
                out[key] = out[key].mean(axis=1)
        return out

    def extractor(
        self,
        audio: np.ndarray,
        sr: int,
        *,
        input_length: float = 3.0,
        input_overlap: float | bool = False,
        extract_features: bool = True,
        batch_size: int = 8,
    ) -> tuple[np.ndarray, list[str], dict[str, np.ndarray]] | tuple[np.ndarray, list[str]]:
        """musicnn's ``extractor()`` on an array instead of a file.

        Parameters
        ----------
        audio : numpy.ndarray, shape (n_samples,)
        sr : int
        input_length : float, default 3.0
            Patch length in seconds.
        input_overlap : float or False, default False
            As in musicnn, despite its name this is the *hop* between patch starts in
            seconds; ``False`` means hop = ``input_length``.
        extract_features : bool, default True
        batch_size : int, default 8

        Returns
        -------
        taggram : numpy.ndarray, shape (n_patches, n_tags)
        tags : list of str
        features : dict of str to numpy.ndarray, only if ``extract_features``
            musicnn's layout: frame features concatenated over patches,
            ``(n_patches * T, dim)``; ``mean_pool``, ``max_pool``, ``penultimate``
            ``(n_patches, dim)``.  (musicnn itself repeats the first patch's ``cnn1..3``
            and ``penultimate`` for later patches, a bug not reproduced here.)
        """
        hop = None if input_overlap is False or input_overlap is None else float(input_overlap)
        out = self.forward_patches(self._patches(audio, sr, input_length, hop), batch_size=batch_size)
        taggram = out["taggram"]
        if not extract_features:
            return taggram, list(self.tags)
        features = {k: out[k].reshape(-1, out[k].shape[-1]) for k in FRAME_FEATURES}
        features.update({k: out[k] for k in PATCH_FEATURES})
        return taggram, list(self.tags), features

    def tag(self, audio: np.ndarray, sr: int, *, top: int = 3, hop: float | None = None) -> list[tuple[str, float]]:
        """The ``top`` tags of a track by mean taggram probability, best first."""
        mean = self.embed(audio, sr, hop=hop)["taggram"].mean(axis=0)
        order = np.argsort(-mean, kind="stable")[:top]
        return [(self.tags[i], float(mean[i])) for i in order]


def load_musicnn(
    name: str = "MTT_musicnn", *, checkpoint: str | os.PathLike | None = None, device: str = "cpu"
) -> Musicnn:
    """Build a pretrained musicnn model from the weights in the installed ``musicnn`` package.

    Parameters
    ----------
    name : {"MTT_musicnn", "MSD_musicnn", "MSD_musicnn_big"}
        Model (the VGG baselines musicnn also ships are not ported).
    checkpoint : str or path-like, optional
        A checkpoint prefix or folder to read instead of the installed package's
        (e.g. ``MSD_musicnn_big/`` of a musicnn source checkout).
    device : str, default "cpu"
        Torch device.

    Returns
    -------
    Musicnn

    Raises
    ------
    MissingExtraError
        torch is missing (extra "torch"), or musicnn is not installed / lacks the model
        (``pip install --no-deps musicnn``).
    DataError
        The checkpoint is unreadable or does not fit the network.

    Examples
    --------
    >>> model = load_musicnn("MTT_musicnn")  # doctest: +SKIP
    >>> model.embed(audio, 44100)["penultimate"].shape  # doctest: +SKIP
    (80, 200)
    """
    if name not in BUNDLES:
        raise ParameterError(
            f"unknown musicnn model {name!r}; choose one of {sorted(BUNDLES)} (the VGG baselines are not ported)"
        )
    bundle = BUNDLES[name]
    torch = require("torch", extra="torch")
    from mvemo.features.tf_checkpoint import list_variables, read_checkpoint

    prefix = musicnn_checkpoint(name) if checkpoint is None else checkpoint
    # Read only the network's variables, not the optimiser's slots (2/3 of the file).
    wanted = {
        f"{scope}/{v}"
        for scope, _, kind in _VARIABLE_MAP
        for v in (("gamma", "beta", "moving_mean", "moving_variance") if kind == "bn" else ("kernel", "bias"))
    }
    present = [n for n in list_variables(prefix) if n in wanted]
    state = convert_checkpoint(read_checkpoint(prefix, names=present), where=str(prefix))
    network = _network_class()(len(bundle.tags), bundle.midend_filters, bundle.backend_units)
    expected = network.state_dict()
    for key, value in state.items():
        if tuple(expected[key].shape) != value.shape:
            raise DataError(
                f"{prefix}: {key} has shape {value.shape}, the {name} network needs {tuple(expected[key].shape)}"
            )
    tensors = {k: torch.from_numpy(v) for k, v in state.items()}
    tensors.update({k: v for k, v in expected.items() if k.endswith("num_batches_tracked")})
    network.load_state_dict(tensors, strict=True)
    network.eval().requires_grad_(False).to(device)
    return Musicnn(bundle, network, device=device)
