"""``mvemo transcribe``: audio -> lead-sheet MIDI (melody, chords, key, tempo)."""

from __future__ import annotations

import click

__all__ = ["transcribe"]


@click.command("transcribe")
@click.argument("audio", type=click.Path(exists=True, dir_okay=False))
@click.option("--out", "out_path", type=click.Path(dir_okay=False), required=True, help="MIDI file to write.")
@click.option("--no-quantize", is_flag=True, help="Keep basic-pitch's note times (no tempo grid).")
@click.option(
    "--grid",
    "grid_divisions",
    type=click.IntRange(1, 12),
    default=4,
    show_default=True,
    help="Grid steps per beat (4 = 16th notes).",
)
@click.option("--onset-threshold", type=click.FloatRange(0, 1), default=0.5, show_default=True)
@click.option("--frame-threshold", type=click.FloatRange(0, 1), default=0.3, show_default=True)
def transcribe(audio, out_path, no_quantize, grid_divisions, onset_threshold, frame_threshold) -> None:
    """Transcribe AUDIO into a lead sheet MIDI file (MVEmo section IV-A3).

    Notes come from basic-pitch's ONNX model, quantised to the estimated tempo; velocities
    from frame RMS energy; chords and key from mvemo's harmony features.

    Example: mvemo transcribe song.mp3 --out song.mid
    """
    from mvemo.features.transcription import transcribe_file
    from mvemo.progress import busy

    with busy(f"transcribe {audio}"):
        sheet = transcribe_file(
            audio,
            quantize=not no_quantize,
            grid_divisions=grid_divisions,
            onset_threshold=onset_threshold,
            frame_threshold=frame_threshold,
        )
    sheet.write(out_path)
    click.echo(
        f"{out_path}: {len(sheet.melody)} melody + {len(sheet.accompaniment)} other notes, "
        f"{len(sheet.chords)} chords, {sheet.key}, {sheet.tempo:.1f} BPM"
    )
