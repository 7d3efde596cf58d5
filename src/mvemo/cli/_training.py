"""What the ``mvemo train`` subcommands share: the data/config options and reading the config."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from typing import Any

import click

__all__ = ["config_options", "load_config"]


def config_options(example_config: str, *, cache: str = "Feature cache") -> Callable:
    """``--config`` (required), ``--data-home``, ``--cache-dir`` and ``--out-dir``."""

    def decorate(f: Callable) -> Callable:
        for option in reversed(
            (
                click.option(
                    "--config",
                    "config_path",
                    type=click.Path(exists=True, dir_okay=False),
                    required=True,
                    help=f"TOML training config, e.g. {example_config}.",
                ),
                click.option(
                    "--data-home",
                    type=click.Path(file_okay=False),
                    help="Data root (default: $MVEMO_DATA, then ../shared/data).",
                ),
                click.option("--cache-dir", type=click.Path(file_okay=False), help=f"{cache} (default: $MVEMO_CACHE)."),
                click.option("--out-dir", type=click.Path(file_okay=False), help="Where weights, card and report go."),
            )
        ):
            f = option(f)
        return f

    return decorate


def load_config(cls: Any, config_path: str, **overrides: Any) -> Any:
    """``cls.from_toml(config_path)`` with the options that were given (not None) replacing its values."""
    cfg = cls.from_toml(config_path)
    return replace(cfg, **{k: v for k, v in overrides.items() if v is not None})
