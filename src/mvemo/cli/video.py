"""``mvemo video``: music-video utilities (normalise, inspect visual features)."""

from __future__ import annotations

import json

import click


@click.group()
def video() -> None:
    """Music-video tools: transcoding and visual features."""


@video.command()
@click.argument("src", type=click.Path(exists=True, dir_okay=False))
@click.option("--out", "dst", required=True, type=click.Path(dir_okay=False), help="Output .mp4.")
@click.option("--fps", type=float, default=30.0, show_default=True, help="Constant output frame rate.")
def normalize(src, dst, fps) -> None:
    """Transcode SRC to MPEG-4 (MP4, H.264) at a constant frame rate, keeping the audio.

    Example: mvemo video normalize clip.webm --out clip.mp4
    """
    from mvemo.io.video import normalize_video

    info = normalize_video(src, dst, fps=fps)
    click.echo(
        f"{dst}: {info.width}x{info.height}, {info.fps:g} fps, {info.duration:.2f} s, "
        f"audio {'yes' if info.has_audio else 'no'}"
    )


@video.command()
@click.argument("src", type=click.Path(exists=True, dir_okay=False))
@click.option("--no-faces", is_flag=True, help="Skip face counting (the slowest step).")
def features(src, no_faces) -> None:
    """Print the static visual features of SRC as JSON (colour, motion, cuts, faces, static filter).

    Example: mvemo video features clip.mp4
    """
    from mvemo.features.visual import extract_visual_features

    feats, _ = extract_visual_features(src, dynamic=False, face_step=None if no_faces else 1.0)
    click.echo(json.dumps(feats.summary(), indent=2))
