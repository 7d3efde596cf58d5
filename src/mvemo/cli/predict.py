"""``mvemo predict``: emotion of audio files, static and every 0.5 s."""

from __future__ import annotations

from pathlib import Path

import click


@click.command()
@click.argument("inputs", nargs=-1, required=True, type=click.Path(exists=True))
@click.option("--out", "out_path", required=True, type=click.Path(dir_okay=False),
              help="Results: .jsonl (full records) or .csv (static columns).")
@click.option("--resume", is_flag=True, help="Skip files already in --out and append to it.")
@click.option("--plot", "plot_dir", type=click.Path(file_okay=False),
              help="Also draw a PNG per file (VA trajectory + timeline) into this folder.")
@click.option("--no-dynamic", is_flag=True, help="Static labels only.")
@click.option("--weights", type=click.Path(exists=True, dir_okay=False), help="Other Music2Emo weights (.pt).")
@click.option("--quiet", is_flag=True, help="No progress lines.")
def predict(inputs, out_path, resume, plot_dir, no_dynamic, weights, quiet) -> None:
    """Predict the unified emotion of audio files or folders (mp3, wav, flac, ogg/opus, m4a, mp4).

    Each record has file, model, static {category, intensity, probabilities, valence,
    arousal, quadrant, ...}, dynamic [{time, category, intensity, valence, arousal}] and
    features {key, tempo, chords}. Results are written as each file finishes; a bad file is
    reported and the run goes on.

    Example: mvemo predict song.mp3 music/ --out results.jsonl --plot plots/
    """  # fmt: skip
    from mvemo.pipeline.batch import collect_files, predict_files
    from mvemo.pipeline.predict_music import load_music_model

    files = collect_files(inputs)
    model = load_music_model(weights)
    on_record = None
    if plot_dir:
        from mvemo.pipeline.plot import plot_prediction

        def on_record(rec):
            plot_prediction(rec, Path(plot_dir) / (Path(rec["file"]).stem + ".png"))

    report = predict_files(files, lambda p: model.predict(p, dynamic=not no_dynamic), out=out_path, resume=resume,
                           on_record=on_record, progress=not quiet)  # fmt: skip
    click.echo(f"{out_path}: {report.summary()}", err=True)
    for path, why in report.failed:
        click.echo(f"  failed: {path}: {why}", err=True)
    if report.failed and not report.done and not report.skipped:
        raise SystemExit(1)
