"""``mvemo view``: an interactive, self-contained HTML page of prediction results."""

from __future__ import annotations

import click


@click.command()
@click.argument("results", type=click.Path(exists=True, dir_okay=False))
@click.option("--out", "out_path", required=True, type=click.Path(dir_okay=False), help="The page (.html).")
@click.option(
    "--media-root",
    type=click.Path(file_okay=False),
    help="Folder the records' relative file paths are found in (default: the working "
    "directory, then the results' folder).",
)
@click.option(
    "--embed-max-mb",
    type=float,
    default=20.0,
    show_default=True,
    help="Embed media files up to this size in the page; link larger ones by relative path.",
)
def view(results, out_path, media_root, embed_max_mb) -> None:
    """Write an offline page to play each file of RESULTS (.jsonl of `mvemo predict`) with its
    emotion: a cursor on the timeline (category, intensity, valence, arousal; per modality
    and fused; click to seek) and a point moving on the circumplex.

    Example: mvemo view results.jsonl --out out/view.html
    """
    from mvemo.view import write_view

    out = write_view(results, out_path, media_root=media_root, embed_max_mb=embed_max_mb)
    click.echo(f"{out}: open it in a browser (works offline)", err=True)
