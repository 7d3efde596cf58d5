"""The options and config loading that the ``mvemo train`` subcommands share."""

import dataclasses

import click
import pytest
from click.testing import CliRunner

from mvemo.cli._training import config_options, load_config
from mvemo.errors import DataError
from mvemo.io.config import read_toml_config


@dataclasses.dataclass(frozen=True)
class _Cfg:
    seed: int = 0
    data_home: str | None = None
    out_dir: str = "build/x"

    @classmethod
    def from_toml(cls, path):
        return read_toml_config(cls, path)


def test_load_config_overrides_only_given_options(tmp_path):
    p = tmp_path / "c.toml"
    p.write_text('seed = 4\nout_dir = "from-file"\n')
    assert load_config(_Cfg, str(p), data_home=None, out_dir=None) == _Cfg(seed=4, out_dir="from-file")
    assert load_config(_Cfg, str(p), data_home="d", out_dir="o") == _Cfg(seed=4, data_home="d", out_dir="o")
    p.write_text("sed = 4\n")
    with pytest.raises(DataError, match=r"unknown setting\(s\) \['sed'\]"):
        load_config(_Cfg, str(p))


def test_config_options_declare_the_shared_options(tmp_path):
    @click.command()
    @config_options("configs/x.toml", cache="Embedding cache")
    def cmd(config_path, data_home, cache_dir, out_dir):
        click.echo(f"{config_path}|{data_home}|{cache_dir}|{out_dir}")

    p = tmp_path / "c.toml"
    p.write_text("")
    res = CliRunner().invoke(cmd, ["--config", str(p), "--out-dir", "o"])
    assert res.exit_code == 0 and res.output.strip() == f"{p}|None|None|o"
    help_text = CliRunner().invoke(cmd, ["--help"]).output
    assert "configs/x.toml" in help_text and "Embedding cache" in help_text
    assert CliRunner().invoke(cmd, []).exit_code == 2  # --config is required
