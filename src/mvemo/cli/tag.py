"""``mvemo tag``: write the predicted emotion into audio files' own metadata."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import click

from mvemo.errors import DataError, MvemoError


def _load_results(path: Path) -> dict[str, dict[str, Any]]:
    """Records of a results JSONL by resolved file path (relative paths resolved from the cwd,
    then from the results file's folder)."""
    out: dict[str, dict[str, Any]] = {}
    with path.open(encoding="utf-8") as fh:
        for n, line in enumerate(fh, 1):
            if not line.strip():
                continue
            try:
                rec = json.loads(line)
                name = rec["file"]
            except (json.JSONDecodeError, KeyError, TypeError) as exc:
                raise DataError(f"{path}:{n}: not a prediction record ({exc})") from exc
            for base in (Path.cwd(), path.parent):
                out.setdefault(str((base / name).resolve()), rec)
    return out


@click.command()
@click.argument("files", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False))
@click.option(
    "--from",
    "from_path",
    type=click.Path(exists=True, dir_okay=False),
    help="Take the emotion from these results (.jsonl of `mvemo predict`) instead of predicting.",
)
@click.option("--dry-run", is_flag=True, help="Show what would be written; change nothing.")
@click.option("--quiet", is_flag=True, help="Only report failures.")
def tag(files, from_path, dry_run, quiet) -> None:
    """Write the emotion (MOOD/TMOO plus MVEMO_* fields) into the metadata of audio FILES.

    \b
    MP3/WAV/AIFF : ID3 TMOO + TXXX:MVEMO_CATEGORY, _INTENSITY, _VALENCE, _AROUSAL, _MODEL
    Ogg/Opus/FLAC: Vorbis comments MOOD + the same MVEMO_* fields
    M4A/MP4      : freeform atoms ----:com.apple.iTunes:MOOD and :MVEMO_*

    The audio stream is never rewritten: a copy is tagged, read back, and renamed over the
    original only when the tags match. A file that already has the tags is left alone.

    Example: mvemo tag music/*.mp3 --from results.jsonl --dry-run
    """
    from mvemo.tag import emotion_tags, write_tags

    results = _load_results(Path(from_path)) if from_path else None
    router = None
    failed = 0
    for name in files:
        p = Path(name)
        try:
            if results is not None:
                rec = results.get(str(p.resolve()))
                if rec is None:
                    raise DataError(f"not in {from_path}")
            else:
                if router is None:
                    from mvemo.predict.router import Router

                    router = Router()
                rec = router.predict(p)
            res = write_tags(p, emotion_tags(rec), dry_run=dry_run)
        except MvemoError as exc:
            failed += 1
            click.echo(f"{p}: FAILED: {exc}", err=True)
            continue
        if not quiet:
            t = res.tags
            click.echo(
                f"{p}: {res.status}: MOOD={t['MOOD']} intensity={t['MVEMO_INTENSITY']} "
                f"valence={t['MVEMO_VALENCE']} arousal={t['MVEMO_AROUSAL']} model={t['MVEMO_MODEL']}"
            )
    if failed:
        raise SystemExit(1)
