"""``mvemo predict``: emotion of audio, MIDI, lyrics and video files, static and every 0.5 s."""

from __future__ import annotations

from pathlib import Path

import click

from mvemo.errors import ParameterError


def _parse_weights(values: tuple[str, ...]) -> dict[str, str]:
    """``PATH`` (music) or ``NAME=PATH`` (a model of :mod:`mvemo.models.registry`) -> {name: path}."""
    from mvemo.models.registry import model_entry

    out: dict[str, str] = {}
    for v in values:
        modality, sep, path = v.partition("=")
        if not sep:
            modality, path = "music", v
        if not model_entry(modality).routed:
            raise ParameterError(
                f"--weights {v!r}: files do not go to the {modality!r} model on their own (videos go to 'multimodal')"
            )
        if not Path(path).is_file():
            raise ParameterError(f"--weights {v!r}: no such file {path!r}")
        out[modality] = path
    return out


@click.command()
@click.argument("inputs", nargs=-1, required=True, type=click.Path(exists=True))
@click.option(
    "--out",
    "out_path",
    required=True,
    type=click.Path(dir_okay=False),
    help="Results: .jsonl (full records) or .csv (static columns).",
)
@click.option(
    "--lyrics",
    "lyrics_path",
    type=click.Path(exists=True, dir_okay=False),
    help="Lyrics (.lrc or .txt) of the single audio/video INPUT, fused with it.",
)
@click.option(
    "--no-sidecar", is_flag=True, help="Don't pick up lyrics files beside media files (same name, .lrc or .txt)."
)
@click.option("--resume", is_flag=True, help="Skip files already in --out and append to it.")
@click.option(
    "--plot",
    "plot_dir",
    type=click.Path(file_okay=False),
    help="Also draw a PNG per file (VA trajectory + timeline) into this folder.",
)
@click.option("--no-dynamic", is_flag=True, help="Static labels only.")
@click.option(
    "--weights",
    multiple=True,
    metavar="[MODALITY=]PATH",
    help="Other weights: PATH for the music model, or NAME=PATH for a registered model "
    "(symbolic, lyrics, multimodal; repeatable).",
)
@click.option(
    "--annotator",
    default="none",
    show_default=True,
    metavar="none|mvanno-cpu|auto|PATH",
    help="MVAnno for audio, MIDI and lyrics files: 'none' (per-modality models), 'mvanno-cpu' "
    "(the shipped annotator), 'auto' (the annotator only for the modalities where its recorded "
    "validation D_e is <= the per-modality model's), or PATH (a run folder of `mvemo anno train` "
    "or an exported <name>.json). Videos and audio with lyrics keep the fused per-modality models.",
)
@click.option("--quiet", is_flag=True, help="No progress lines.")
@click.option(
    "--allow-failures",
    is_flag=True,
    help="Exit 0 even when some files failed (they are still reported); default: exit 1.",
)
def predict(
    inputs, out_path, lyrics_path, no_sidecar, resume, plot_dir, no_dynamic, weights, annotator, quiet, allow_failures
) -> None:
    """Predict the unified emotion of files or folders.

    \b
    audio (mp3 wav flac ogg opus m4a aac aiff aif) -> the music model
    MIDI (mid midi)                                -> the symbolic model
    lyrics (lrc txt)                               -> the lyrics model
    video (mp4 mkv webm mov m4v)                   -> music + video (+ lyrics), fused
    audio with lyrics                              -> music + lyrics, fused

    Lyrics go with a media file through --lyrics or as a sidecar file with the same name
    (song.mp3 + song.lrc). Each record has file, model, modality, static {category,
    intensity, probabilities, valence, arousal, quadrant}, dynamic [{time, category,
    intensity, valence, arousal}] and features; multimodal records add modalities and
    fused. Results are written as each file finishes; a bad file is reported and the run
    goes on, and the exit status is 1 when any file failed (0 with --allow-failures).

    Example: mvemo predict song.mp3 clip.mp4 piece.mid music/ --out results.jsonl --plot plots/
    """
    from mvemo.anno.choice import AnnotatingRouter, resolve_annotator
    from mvemo.predict.batch import predict_files
    from mvemo.predict.router import Router, collect_inputs

    choice = resolve_annotator(annotator)  # a bad value fails before any file is read
    if annotator != "none" and not quiet:
        click.echo(choice.describe(), err=True)

    problems: list[tuple[str, str]] = []
    pairs = collect_inputs(inputs, sidecars=not no_sidecar, problems=problems)
    for path, why in problems:
        click.echo(f"{path}: FAILED: {why}", err=True)
    if lyrics_path is not None:
        if len(pairs) != 1:
            raise ParameterError(f"--lyrics goes with exactly one media file, got {len(pairs)} inputs")
        pairs = [(pairs[0][0], Path(lyrics_path))]
    lyrics_of = dict(pairs)
    router = AnnotatingRouter(
        choice, Router(weights=_parse_weights(weights), dynamic=not no_dynamic), dynamic=not no_dynamic
    )
    on_record = None
    if plot_dir:
        from mvemo.predict.plot import plot_names, plot_prediction

        png_of = plot_names(str(p) for p, _ in pairs)  # unique: name.suffix.png, relative path if needed

        def on_record(rec):
            plot_prediction(rec, Path(plot_dir) / png_of.get(rec["file"], Path(rec["file"]).name + ".png"))

    report = predict_files(
        [p for p, _ in pairs],
        lambda p: router.predict(p, lyrics=lyrics_of.get(p)),
        out=out_path,
        resume=resume,
        on_record=on_record,
        progress=not quiet,
    )
    report.failed[:0] = problems
    click.echo(f"{out_path}: {report.summary()}", err=True)
    for path, why in report.failed:
        click.echo(f"  failed: {path}: {why}", err=True)
    if report.failed and not allow_failures:
        raise SystemExit(1)
