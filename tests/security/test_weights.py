"""#18 case 1: loading model weights never runs code (safetensors only; pickles refused)."""

from __future__ import annotations

import pathlib

import numpy as np
import pytest

torch = pytest.importorskip("torch")
pytest.importorskip("safetensors")

from mvemo.errors import DataError  # noqa: E402
from mvemo.models.checkpoint import load_checkpoint, save_checkpoint  # noqa: E402

ROOT = pathlib.Path(__file__).resolve().parents[2]


class _Touch:
    """Unpickling this creates ``path`` (stands for any code a hostile file could run)."""

    def __init__(self, path):
        self.path = str(path)

    def __reduce__(self):
        return (pathlib.Path.touch, (pathlib.Path(self.path),))


def _evil(tmp_path, *, legacy: bool) -> tuple[pathlib.Path, pathlib.Path]:
    marker = tmp_path / ("pwned-legacy" if legacy else "pwned-zip")
    evil = tmp_path / ("evil-legacy.pt" if legacy else "evil.pt")
    torch.save(
        {"meta": {"name": "evil"}, "networks": [], "x": _Touch(marker)}, evil, _use_new_zipfile_serialization=not legacy
    )
    return evil, marker


@pytest.mark.parametrize("legacy", [False, True], ids=["zip", "legacy"])
def test_pickle_weights_are_refused_and_run_no_code(tmp_path, legacy):
    evil, marker = _evil(tmp_path, legacy=legacy)
    with pytest.raises(DataError, match=rf"refusing to load .*{evil.name}: it is a pickle-based torch file"):
        load_checkpoint(evil)
    assert not marker.exists()


def test_cli_weights_option_refuses_a_pickle(tmp_path, capsys):
    pytest.importorskip("pretty_midi")
    from mvemo.cli.main import main

    evil, marker = _evil(tmp_path, legacy=False)
    midi = ROOT / "examples" / "midi" / "bach_chorale_bwv66.6.mid"
    with pytest.raises(SystemExit) as exc:
        main(["predict", str(midi), "--weights", f"symbolic={evil}", "--out", str(tmp_path / "o.jsonl")])
    err = capsys.readouterr().err
    assert not marker.exists()
    assert exc.value.code != 0 and "evil.pt" in err and "pickle-based" in err


def test_round_trip_keeps_dtypes_shapes_and_values(tmp_path):
    rng = np.random.default_rng(0)
    arrays = {
        "f64": rng.normal(size=(3, 4)),
        "i64": np.arange(5),
        "b": np.array([True, False]),
        "f32": rng.normal(size=7).astype(np.float32),
        "scalar": np.float64(0.1 + 0.2),
    }
    tensors = {"half": torch.randn(2, 3).half(), "f": torch.randn(4)}
    meta = {"name": "rt", "nested": {"a": [1, 2.5, None, "s"]}, "x": 1e-300}
    p = save_checkpoint(
        meta,
        tmp_path / "m.safetensors",
        state_dict=tensors,
        extra={"inputs": ["stats", "chords"], "arrays": arrays, "weight": 0.25},
        listed=[{"state_dict": tensors}],
    )
    back = load_checkpoint(p)
    assert back["meta"] == meta
    for k, v in tensors.items():
        got = back["state_dict"][k]
        assert got.dtype == v.dtype and torch.equal(got, v)
        assert torch.equal(back["listed"][0]["state_dict"][k], v)
    for k, v in arrays.items():
        got = back["extra"]["arrays"][k]
        assert type(got) is type(v) and got.dtype == v.dtype and np.shape(got) == np.shape(v)
        assert np.array_equal(got, v)
    assert back["extra"]["inputs"] == ["stats", "chords"] and back["extra"]["weight"] == 0.25


def test_shipped_weights_are_safetensors():
    from safetensors import safe_open

    from mvemo.models.registry import list_model_entries

    folder = ROOT / "src" / "mvemo" / "models" / "weights"
    assert not [f.name for f in folder.iterdir() if f.suffix in (".pt", ".pth", ".pkl", ".pickle", ".bin", ".npy")]
    for f in sorted(folder.glob("*.safetensors")):
        with safe_open(str(f), framework="numpy") as fh:  # a plain tensor file: nothing to unpickle
            assert list(fh.keys())
    shipped = [e for e in list_model_entries() if e.weights is not None]
    assert len(shipped) >= 3
    for e in shipped:
        assert e.weights.endswith(".safetensors")
        assert load_checkpoint(e.weights_path())["meta"]["name"] == e.model_name


def test_garbage_and_foreign_files_are_data_errors(tmp_path):
    bad = tmp_path / "garbage.safetensors"
    bad.write_bytes(b"\x00" * 3)
    with pytest.raises(DataError, match="garbage.safetensors"):
        load_checkpoint(bad)
    with pytest.raises(DataError, match="missing.safetensors"):
        load_checkpoint(tmp_path / "missing.safetensors")


def test_prediction_opens_no_socket(monkeypatch):
    """docs/security.md: predicting opens no network connection (only the LLM client does)."""
    pytest.importorskip("pretty_midi")
    import socket

    def refuse(*args, **kwargs):
        raise AssertionError(f"a socket was opened: {args!r}")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket.socket, "connect_ex", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    from mvemo.predict.symbolic import load_symbolic_model

    rec = load_symbolic_model().predict(ROOT / "examples" / "midi" / "bach_chorale_bwv66.6.mid")
    assert rec["static"]["category"] and rec["dynamic"]
