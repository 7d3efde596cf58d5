"""Write the musicnn golden files ``tests/features/golden/musicnn_{mtt,msd}.npz``.

The goldens hold musicnn's outputs on a deterministic synthetic clip (:func:`synth_clip`,
10 s of chords at 16 kHz): the taggram and per-patch features, so that
``tests/features/test_musicnn.py`` checks the PyTorch port against them.

Two ways to run it:

``.venv/bin/python scripts/make_musicnn_golden.py --tf-python /tmp/tfenv/bin/python``
    Reference = the original TensorFlow network.  The script runs :data:`TF_REFERENCE`
    with that interpreter: it builds musicnn's graph from the *installed package's own*
    ``musicnn/models.py`` (``define_model``, TF1 ``tf.compat.v1.layers`` code, run
    unchanged under ``tf.compat.v1`` with graph mode and the legacy ``tf_keras``),
    restores the shipped checkpoint with ``tf.compat.v1.train.Saver`` and feeds it the
    log-mel patches that mvemo computes; it also runs musicnn's unmodified
    ``extractor()`` end to end on the clip written as a float32 WAV.  The goldens store
    the TF numbers; the port's max abs differences are printed and stored as metadata.
    The throwaway TF environment was made with (outside the repo)::

        python3.11 -m venv /tmp/tfenv
        /tmp/tfenv/bin/pip install tensorflow-cpu librosa tf_keras  # TF 2.21.0, numpy 2

    Result (TF 2.21.0, oneDNN off): port vs TF max abs diff 4.8e-7 (MTT) / 2.7e-7 (MSD) on
    the taggram, <= 1.8e-4 on any feature (values up to ~100, i.e. float32 round-off).
    musicnn's own extractor gives NaN tags on the clip (its float16 log overflows); on the
    clip at 0.3x level it differs from the port by 2.3e-4 (MTT) / 4.9e-5 (MSD) in the
    taggram, which is the float16-vs-float32 log (see ``docs/musicnn.md``).

``.venv/bin/python scripts/make_musicnn_golden.py``
    Without TensorFlow: the goldens store the port's own numbers (``reference`` says so),
    which makes them a regression test only.

Rerun (and review the diff) after an intended change to the preprocessing.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np

GOLDEN_DIR = Path(__file__).resolve().parents[1] / "tests" / "features" / "golden"
MODELS = {"MTT_musicnn": "musicnn_mtt.npz", "MSD_musicnn": "musicnn_msd.npz"}
CLIP_SR = 16000
CLIP_SECONDS = 10.0
# Stored per patch: the taggram, the patch features, and frame features averaged over frames.
STORED = ("taggram", "penultimate", "mean_pool", "max_pool", "timbral", "temporal", "cnn3")


def synth_clip(seed: int = 20261122, *, sr: int = CLIP_SR, seconds: float = CLIP_SECONDS) -> np.ndarray:
    """Deterministic test music: four chords of harmonic tones, a pulse, and a little noise.

    Each 2.5-s chord (C, Am, F, G) has a bass note and three chord tones with eight
    harmonics (amplitude ``1/k``, slightly inharmonic), an attack-decay envelope, a
    noise-burst "hi-hat" every 0.25 s, and white noise at about -50 dB; peak 0.5.

    Parameters
    ----------
    seed : int
        Seed of the noise and the small random detunings.
    sr : int
        Sample rate, Hz.
    seconds : float
        Length.

    Returns
    -------
    numpy.ndarray, shape (round(seconds * sr),), float32
    """
    rng = np.random.default_rng(seed)
    n = int(round(seconds * sr))
    t = np.arange(n) / sr
    y = np.zeros(n)
    chords = [(48, (60, 64, 67)), (45, (57, 60, 64)), (41, (53, 57, 60)), (43, (55, 59, 62))]
    span = seconds / len(chords)
    for i, (bass, notes) in enumerate(chords):
        local = t - i * span
        inside = np.flatnonzero((local >= 0) & (local < span))
        sl = slice(inside[0], inside[-1] + 1)  # the envelope is zero elsewhere
        env = np.minimum(local[sl] / 0.02, 1.0) * np.exp(-local[sl] / 1.2)
        for midi in (bass, *notes):
            f0 = 440.0 * 2 ** ((midi - 69) / 12) * (1 + 0.002 * rng.standard_normal())
            for k in range(1, 9):
                if k * f0 < sr / 2:
                    phase = rng.uniform(0, 2 * np.pi)
                    y[sl] += env * np.sin(2 * np.pi * k * f0 * (1 + 1e-4 * k * k) * t[sl] + phase) / k
    hats = np.zeros(n)
    for start in np.arange(0, seconds, 0.25):
        a = int(start * sr)
        length = min(int(0.05 * sr), n - a)
        hats[a : a + length] += rng.standard_normal(length) * np.exp(-np.arange(length) / (0.01 * sr))
    y = y / np.abs(y).max() + 0.15 * np.diff(hats, prepend=0.0) + 0.003 * rng.standard_normal(n)
    return (0.5 * y / np.abs(y).max()).astype(np.float32)


# Run by the TensorFlow interpreter: argv = [musicnn package parent, work dir].
TF_REFERENCE = r"""
import json, os, sys
os.environ.setdefault("TF_USE_LEGACY_KERAS", "1")  # tf.compat.v1.layers needs tf_keras under TF 2.16+
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
os.environ.setdefault("TF_ENABLE_ONEDNN_OPTS", "0")  # plain Eigen kernels: a steadier reference
sys.path.insert(0, sys.argv[1])
import numpy as np
import soundfile as sf
import tensorflow as tf
tf.compat.v1.disable_eager_execution()
from musicnn import models, configuration
import musicnn.extractor as mx

work = sys.argv[2]
spec = json.load(open(os.path.join(work, "spec.json")))
patches = np.load(os.path.join(work, "patches.npy"))
result = {"tensorflow": tf.__version__, "numpy": np.__version__}
names = ["logits", "timbral", "temporal", "cnn1", "cnn2", "cnn3", "mean_pool", "max_pool", "penultimate"]
for model in spec["models"]:
    labels = configuration.MTT_LABELS if "MTT" in model else configuration.MSD_LABELS
    tf.compat.v1.reset_default_graph()
    with tf.name_scope("model"):
        x = tf.compat.v1.placeholder(tf.float32, [None, patches.shape[1], configuration.N_MELS])
        is_training = tf.compat.v1.placeholder(tf.bool)
        outs = models.define_model(x, is_training, model, len(labels))
        taggram = tf.nn.sigmoid(outs[0])
    with tf.compat.v1.Session() as sess:
        tf.compat.v1.train.Saver().restore(sess, os.path.join(os.path.dirname(models.__file__), model, ""))
        values = sess.run([taggram, *outs], feed_dict={x: patches, is_training: False})
    arrays = {"taggram": values[0]}
    arrays.update({k: np.asarray(v) for k, v in zip(names, values[1:])})
    np.savez(os.path.join(work, model + "_graph.npz"), **arrays)
    # musicnn's own extractor, unmodified, on each clip written as a float32 WAV
    for clip in spec["clips"]:
        wav = os.path.join(work, clip + ".wav")
        sf.write(wav, np.load(os.path.join(work, clip + ".npy")), spec["sr"], subtype="FLOAT")
        tg, _, feats = mx.extractor(wav, model=model, extract_features=True)
        np.savez(os.path.join(work, model + "_extractor_" + clip + ".npz"), taggram=tg,
                 mean_pool=feats["mean_pool"], max_pool=feats["max_pool"], timbral=feats["timbral"])
json.dump(result, open(os.path.join(work, "result.json"), "w"))
"""


def _musicnn_parent() -> str:
    import importlib.util

    spec = importlib.util.find_spec("musicnn")
    if spec is None or not spec.submodule_search_locations:
        raise SystemExit("musicnn is not installed: pip install --no-deps musicnn")
    return str(Path(next(iter(spec.submodule_search_locations))))


def run_tf_reference(
    tf_python: str, clips: dict[str, np.ndarray], patches: np.ndarray, models: list[str], work: Path
) -> dict:
    """Run :data:`TF_REFERENCE` with ``tf_python``; return its metadata (outputs land in ``work``)."""
    # Put only the musicnn package on the TF interpreter's path (not our venv's site-packages).
    shim = work / "path"
    shim.mkdir()
    os.symlink(_musicnn_parent(), shim / "musicnn")
    for name, clip in clips.items():
        np.save(work / f"{name}.npy", clip)
    np.save(work / "patches.npy", patches)
    (work / "spec.json").write_text(json.dumps({"models": models, "clips": list(clips), "sr": CLIP_SR}))
    (work / "tf_reference.py").write_text(TF_REFERENCE)
    subprocess.run([tf_python, str(work / "tf_reference.py"), str(shim), str(work)], check=True)
    return json.loads((work / "result.json").read_text())


def _finite_or_str(x: float) -> float | str:
    return float(x) if np.isfinite(x) else str(float(x))


def _summary(out: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """What a golden stores: per-patch arrays; frame features averaged over the patch's frames."""
    return {k: (out[k].mean(axis=1) if out[k].ndim == 3 else out[k]).astype(np.float32) for k in STORED}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tf-python", help="python of a venv with tensorflow-cpu, tf_keras and librosa")
    args = parser.parse_args()

    import librosa
    import torch

    from mvemo.features.musicnn import load_musicnn, log_mel, make_patches

    clip = synth_clip()
    logmel = log_mel(clip, CLIP_SR)
    patches = make_patches(logmel)
    print(
        f"clip: {clip.size / CLIP_SR:.1f} s, log-mel {logmel.shape}, patches {patches.shape}, "
        f"log-mel max {logmel.max():.3f}"
    )
    GOLDEN_DIR.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        # musicnn's float16 log overflows on this clip (mel power > 6.55); at 0.3 x it does not.
        clips = {"clip": clip, "quiet": (0.3 * clip).astype(np.float32)}
        meta_tf = run_tf_reference(args.tf_python, clips, patches, list(MODELS), work) if args.tf_python else None
        for model, filename in MODELS.items():
            net = load_musicnn(model)
            port = net.forward_patches(patches)
            meta = {
                "model": model,
                "clip": "scripts/make_musicnn_golden.py:synth_clip(seed=20261122)",
                "patching": "187-frame patches, hop 187",
                "librosa": librosa.__version__,
                "torch": torch.__version__,
            }
            if meta_tf is None:
                ref = _summary(port)
                meta["reference"] = "mvemo PyTorch port (TensorFlow not run)"
            else:
                graph = {k: v.reshape(port[k].shape) for k, v in np.load(work / f"{model}_graph.npz").items()}
                ref = _summary(graph)
                meta["reference"] = (
                    f"TensorFlow {meta_tf['tensorflow']} tf.compat.v1 graph of the installed "
                    "musicnn/models.py, shipped checkpoint, fed mvemo's log-mel patches"
                )
                full_diff = {k: float(np.abs(port[k] - graph[k]).max()) for k in graph}
                meta["port_vs_tf_max_abs_diff"] = full_diff
                print(f"{model}: port vs TF graph, max abs diff per output (all frames/patches):")
                for k, v in full_diff.items():
                    print(f"  {k:12s} {v:.3g}  (max |TF value| {np.abs(graph[k]).max():.3g})")
                for name, audio in clips.items():
                    ext = np.load(work / f"{model}_extractor_{name}.npz")
                    mine = net.forward_patches(make_patches(log_mel(audio, CLIP_SR)))
                    # NaN/inf (musicnn's float16 overflow) are recorded as strings: meta is strict JSON
                    ext_diff = {
                        k: _finite_or_str(np.abs(mine[k].reshape(ext[k].shape) - ext[k]).max())
                        for k in ("taggram", "mean_pool", "max_pool", "timbral")
                    }
                    meta[f"port_vs_musicnn_extractor_max_abs_diff_{name}"] = ext_diff
                    print(f"  vs musicnn's own extractor on {name!r} (file input, float16 log): {ext_diff}")
            arrays = dict(ref)
            port_summary = _summary(port)
            gap = max(float(np.abs(port_summary[k] - ref[k]).max()) for k in STORED)
            meta["stored_max_abs_diff_port"] = gap
            np.savez_compressed(
                GOLDEN_DIR / filename, **arrays, meta=np.array(json.dumps(meta, sort_keys=True, allow_nan=False))
            )
            size = (GOLDEN_DIR / filename).stat().st_size
            print(
                f"wrote {GOLDEN_DIR / filename} ({size / 1024:.0f} kB), reference: {meta['reference']}; "
                f"port max abs diff on stored arrays: {gap:.3g}"
            )


if __name__ == "__main__":
    sys.exit(main())
