"""Write the non-audio example files: MIDI, lyrics and a small music video.

* ``examples/midi/*.mid``: the first 45 s of the two public-domain scores of
  ``scripts/make_example_audio.py`` (music21's corpus), written to MIDI.
* ``examples/lyrics/*.lrc``: two short time-synced lyrics written for mvemo (our own text,
  MIT like the code).
* ``examples/video/rag_clip.mp4`` (+ its sidecar ``rag_clip.lrc``): 30 s of coloured shots with
  moving shapes and cuts every 3.75 s (two bars at the rag's tempo), over the first 30 s of
  ``examples/audio/joplin_maple_leaf_rag.mp3``; MPEG-4 video, AAC audio, encoded with PyAV.

    .venv/bin/python scripts/make_examples.py

The files are committed, so users need none of this to run the examples.
"""

from __future__ import annotations

import tempfile
from fractions import Fraction
from pathlib import Path

import numpy as np

from mvemo._extras import require

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "examples"
# corpus path, output name, seconds to keep, tempo scale (as in make_example_audio.py)
SCORES = [
    ("joplin/maple_leaf_rag.mxl", "joplin_maple_leaf_rag.mid", 45.0, 1.0),
    ("bach/bwv66.6.mxl", "bach_chorale_bwv66.6.mid", 45.0, 0.75),
]

LYRICS = {
    "lyrics/rainy_platform.lrc": """[ti:Rainy Platform]
[ar:mvemo examples]
[00:00.50]The last train left without me, the station lights are grey
[00:05.20]I hold your letter in the rain and watch the ink give way
[00:10.00]Every empty bench remembers how you used to stay
[00:15.40]I am alone and tired now, and sorrow fills the day
[00:21.00]Cold wind along the tracks, I miss you, I am lost
[00:26.30]Tears on a broken promise, and I counted every cost
""",
    "lyrics/sunday_parade.lrc": """[ti:Sunday Parade]
[ar:mvemo examples]
[00:01.00][00:16.00]Clap your hands, the sun is up, we're dancing in the street!
[00:05.50]Drums and golden trumpets, oh, the happy crowd is sweet
[00:10.50]Jump and shout and laugh with me, tonight we celebrate
[00:20.50]Love is bright and wonderful, come on, it's not too late!
""",
    "video/rag_clip.lrc": """[ti:Rag Clip]
[ar:mvemo examples]
[00:02.00]Bright lights on the avenue, the piano starts to play
[00:07.50]Kick your shoes and twirl around, we're dancing all the way
[00:13.00]Happy feet and smiling faces, let the music win
[00:18.50]Jump, jump, jump, the party's on, so let the fun begin!
[00:24.00]Laugh and sing, oh, what a joy, the rag is in our skin
""",
}


def write_midi() -> None:
    music21 = require("music21", extra="symbolic")
    pretty_midi = require("pretty_midi", extra="symbolic")
    out_dir = EXAMPLES / "midi"
    out_dir.mkdir(parents=True, exist_ok=True)
    for corpus_path, name, seconds, tempo_scale in SCORES:
        with tempfile.TemporaryDirectory() as tmp:
            mid = Path(tmp) / "score.mid"
            music21.corpus.parse(corpus_path).write("midi", fp=str(mid))
            pm = pretty_midi.PrettyMIDI(str(mid))
        for inst in pm.instruments:
            kept = []
            for note in inst.notes:
                note.start /= tempo_scale
                note.end = min(note.end / tempo_scale, seconds)
                if note.start < seconds and note.end > note.start:
                    kept.append(note)
            inst.notes = kept
        tmp_out = out_dir / (name + ".tmp")
        pm.write(str(tmp_out))
        tmp_out.replace(out_dir / name)
        print(f"wrote {out_dir / name}")


def write_lyrics() -> None:
    for rel, text in LYRICS.items():
        path = EXAMPLES / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        print(f"wrote {path}")


def _shot_frame(shot: int, t: float, w: int, h: int) -> np.ndarray:
    """One RGB frame of shot ``shot`` at time ``t`` within it: a coloured field with a moving disc."""
    palette = [
        (250, 190, 40),
        (230, 60, 70),
        (60, 170, 230),
        (250, 120, 30),
        (120, 220, 90),
        (240, 80, 200),
        (255, 220, 120),
        (90, 90, 240),
    ]
    base = np.array(palette[shot % len(palette)], dtype=np.float32)
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
    shade = 0.75 + 0.25 * np.sin(xx / w * np.pi * (1 + shot % 3) + t * 2.0)
    img = base[None, None, :] * shade[..., None]
    cx = w * (0.5 + 0.35 * np.sin(t * 2.4 + shot))
    cy = h * (0.5 + 0.30 * np.cos(t * 3.1 + shot))
    disc = (xx - cx) ** 2 + (yy - cy) ** 2 < (0.12 * h) ** 2
    img[disc] = 255.0 - base
    return np.clip(img, 0, 255).astype(np.uint8)


def write_video(
    seconds: float = 30.0, fps: int = 15, size: tuple[int, int] = (320, 180), shot_seconds: float = 3.75
) -> None:
    av = require("av", extra="audio")
    from mvemo.audio import load_audio

    out = EXAMPLES / "video" / "rag_clip.mp4"
    out.parent.mkdir(parents=True, exist_ok=True)
    sr = 44100
    y, _ = load_audio(EXAMPLES / "audio" / "joplin_maple_leaf_rag.mp3", sr=sr)
    y = y[: int(seconds * sr)]
    fade = int(1.0 * sr)
    y = y.astype(np.float32)
    y[-fade:] *= np.linspace(1.0, 0.0, fade, dtype=np.float32)
    w, h = size
    tmp_out = out.with_suffix(".tmp.mp4")
    with av.open(str(tmp_out), "w", format="mp4") as container:
        vs = container.add_stream("mpeg4", rate=fps)
        vs.width, vs.height, vs.pix_fmt = w, h, "yuv420p"
        vs.bit_rate = 400_000
        aus = container.add_stream("aac", rate=sr, layout="mono")
        aus.bit_rate = 64_000
        for i in range(int(seconds * fps)):
            t = i / fps
            shot = int(t // shot_seconds)
            frame = av.VideoFrame.from_ndarray(_shot_frame(shot, t - shot * shot_seconds, w, h), format="rgb24")
            frame.pts = i
            frame.time_base = Fraction(1, fps)
            for packet in vs.encode(frame):
                container.mux(packet)
        for packet in vs.encode(None):
            container.mux(packet)
        hop = 1024
        for start in range(0, len(y), hop):
            chunk = y[start : start + hop]
            frame = av.AudioFrame.from_ndarray(chunk[None, :], format="flt", layout="mono")
            frame.sample_rate = sr
            frame.pts = start
            frame.time_base = Fraction(1, sr)
            for packet in aus.encode(frame):
                container.mux(packet)
        for packet in aus.encode(None):
            container.mux(packet)
    tmp_out.replace(out)
    print(f"wrote {out} ({out.stat().st_size / 1024:.0f} KiB)")


def main() -> None:
    write_midi()
    write_lyrics()
    write_video()


if __name__ == "__main__":
    main()
