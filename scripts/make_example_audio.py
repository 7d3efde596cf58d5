"""Render the example audio files in examples/audio/ from public-domain scores.

The scores come from music21's corpus (Joplin's "Maple Leaf Rag", 1899, and Bach's chorale
BWV 66.6; both public domain). Each is written to MIDI with music21, rendered to audio with
fluidsynth and the FluidR3 General MIDI soundfont (Debian packages ``fluidsynth`` and
``fluid-soundfont-gm``), trimmed, and encoded to mono MP3 with PyAV:

    .venv/bin/python scripts/make_example_audio.py

The MP3s are committed, so users need none of these tools to run the examples.
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from pathlib import Path

import numpy as np

from mvemo._extras import require

OUT_DIR = Path(__file__).resolve().parents[1] / "examples" / "audio"
SOUNDFONT = Path("/usr/share/sounds/sf2/FluidR3_GM.sf2")
SR = 22050
# corpus path, output name, seconds to keep, tempo scale (1 = as written), GM program
PIECES = [
    ("joplin/maple_leaf_rag.mxl", "joplin_maple_leaf_rag.mp3", 45.0, 1.0, 0),  # acoustic piano
    ("bach/bwv66.6.mxl", "bach_chorale_bwv66.6.mp3", 45.0, 0.75, 19),  # church organ, slower
]


def render(corpus_path: str, out: Path, seconds: float, tempo_scale: float, program: int) -> None:
    """Score -> MIDI -> WAV (fluidsynth) -> trimmed mono MP3 (PyAV)."""
    music21 = require("music21", extra="symbolic")
    pretty_midi = require("pretty_midi", extra="symbolic")
    av = require("av", extra="audio")
    sf = require("soundfile", extra="audio")
    score = music21.corpus.parse(corpus_path)
    with tempfile.TemporaryDirectory() as tmp:
        mid = Path(tmp) / "score.mid"
        score.write("midi", fp=str(mid))
        pm = pretty_midi.PrettyMIDI(str(mid))
        for inst in pm.instruments:
            inst.program = program
            for note in inst.notes:
                note.start /= tempo_scale
                note.end /= tempo_scale
        pm.write(str(mid))
        wav = Path(tmp) / "score.wav"
        subprocess.run(
            ["fluidsynth", "-ni", "-q", "-g", "0.8", "-r", str(SR), "-F", str(wav), str(SOUNDFONT), str(mid)],
            check=True,
            capture_output=True,
        )
        y, sr = sf.read(str(wav), dtype="float32", always_2d=True)
    y = y.mean(axis=1)[: int(seconds * sr)]
    fade = int(1.5 * sr)
    y[-fade:] *= np.linspace(1.0, 0.0, fade, dtype=np.float32)
    y *= 0.89 / max(float(np.abs(y).max()), 1e-9)
    tmp_out = out.with_suffix(".tmp.mp3")
    with av.open(str(tmp_out), "w", format="mp3") as container:
        stream = container.add_stream("mp3", rate=sr, layout="mono")
        stream.bit_rate = 64000
        frame = av.AudioFrame.from_ndarray(y[None, :], format="flt", layout="mono")
        frame.sample_rate = sr
        for packet in stream.encode(frame):
            container.mux(packet)
        for packet in stream.encode(None):
            container.mux(packet)
    tmp_out.replace(out)
    print(f"wrote {out} ({len(y) / sr:.1f} s, {out.stat().st_size / 1024:.0f} KiB)")


def main() -> None:
    if shutil.which("fluidsynth") is None or not SOUNDFONT.is_file():
        raise SystemExit("needs fluidsynth and fluid-soundfont-gm: apt-get install fluidsynth fluid-soundfont-gm")
    OUT_DIR.mkdir(parents=True, exist_ok=True)
    for corpus_path, name, seconds, tempo_scale, program in PIECES:
        render(corpus_path, OUT_DIR / name, seconds, tempo_scale, program)


if __name__ == "__main__":
    main()
