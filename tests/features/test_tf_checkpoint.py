"""The TF1 checkpoint reader, on bundles written by a minimal writer below and on musicnn's."""

from __future__ import annotations

import importlib.util
import struct
from pathlib import Path

import numpy as np
import pytest

from mvemo.errors import DataError
from mvemo.features.tf_checkpoint import crc32c, list_variables, mask_crc, read_checkpoint, unmask_crc

# --------------------------------------------------------------------------- a minimal writer
# Independent of the reader: its own CRC, varint and protobuf encoders, LevelDB block layout.

_DT = {
    np.dtype("float32"): 1,
    np.dtype("float64"): 2,
    np.dtype("int32"): 3,
    np.dtype("uint8"): 4,
    np.dtype("int64"): 9,
    np.dtype("bool"): 10,
    np.dtype("float16"): 19,
}


def _crc_bitwise(data: bytes) -> int:
    crc = 0xFFFFFFFF
    for b in data:
        crc ^= b
        for _ in range(8):
            crc = (crc >> 1) ^ (0x82F63B78 if crc & 1 else 0)
    return crc ^ 0xFFFFFFFF


def _mask(crc: int) -> int:
    return ((((crc >> 15) | (crc << 17)) & 0xFFFFFFFF) + 0xA282EAD8) & 0xFFFFFFFF


def _varint(n: int) -> bytes:
    out = bytearray()
    while True:
        low = n & 0x7F
        n >>= 7
        out.append(low | (0x80 if n else 0))
        if not n:
            return bytes(out)


def _field(number: int, value: int | bytes, *, fixed32: bool = False) -> bytes:
    if isinstance(value, bytes):
        return _varint(number << 3 | 2) + _varint(len(value)) + value
    if fixed32:
        return _varint(number << 3 | 5) + struct.pack("<I", value)
    return _varint(number << 3) + _varint(value)


def _block(entries: list[tuple[bytes, bytes]], restart_interval: int = 2) -> bytes:
    out, restarts, prev = bytearray(), [], b""
    for i, (key, value) in enumerate(entries):
        shared = 0
        if i % restart_interval == 0:
            restarts.append(len(out))
        else:
            while shared < min(len(key), len(prev)) and key[shared] == prev[shared]:
                shared += 1
        out += _varint(shared) + _varint(len(key) - shared) + _varint(len(value)) + key[shared:] + value
        prev = key
    for r in restarts or [0]:
        out += struct.pack("<I", r)
    out += struct.pack("<I", len(restarts or [0]))
    return bytes(out)


def _add_block(buf: bytearray, contents: bytes, kind: int = 0) -> bytes:
    """Append block + trailer; return its encoded BlockHandle."""
    handle = _varint(len(buf)) + _varint(len(contents))
    buf += contents + bytes([kind]) + struct.pack("<I", _mask(_crc_bitwise(contents + bytes([kind]))))
    return handle


def write_bundle(prefix: str, tensors: dict[str, np.ndarray], *, per_block: int = 3, kind: int = 0) -> None:
    """Write ``prefix.index`` and ``prefix.data-00000-of-00001`` like a TF1 saver."""
    data, entries = bytearray(), []
    for name in sorted(tensors):
        arr = np.asarray(tensors[name])
        raw = arr.astype(arr.dtype.newbyteorder("<")).tobytes()
        shape = b"".join(_field(2, _field(1, d)) for d in arr.shape)
        entry = (
            _field(1, _DT[arr.dtype])
            + _field(2, shape)
            + _field(4, len(data))
            + _field(5, len(raw))
            + _field(6, _mask(_crc_bitwise(raw)), fixed32=True)
        )
        entries.append((name.encode(), entry))
        data += raw
    header = _field(1, 1) + _field(3, _field(1, 1))  # num_shards 1, version {producer: 1}
    entries.insert(0, (b"", header))
    table, index = bytearray(), []
    for i in range(0, len(entries), per_block):
        chunk = entries[i : i + per_block]
        index.append((chunk[-1][0], _add_block(table, _block(chunk), kind)))
    meta_handle = _add_block(table, _block([]))
    index_handle = _add_block(table, _block(index, restart_interval=1))
    footer = (meta_handle + index_handle).ljust(40, b"\0") + struct.pack("<Q", 0xDB4775248B80FB57)
    Path(prefix + ".index").write_bytes(bytes(table) + footer)
    Path(prefix + ".data-00000-of-00001").write_bytes(bytes(data))


TENSORS = {
    "conv2d/kernel": np.arange(2 * 3 * 1 * 4, dtype=np.float32).reshape(2, 3, 1, 4) / 7,
    "conv2d/bias": np.array([1.5, -2.0, 0.25, 3.0], dtype=np.float32),
    "dense/kernel": np.linspace(-1, 1, 12, dtype=np.float64).reshape(3, 4),
    "global_step": np.array(1234567890123, dtype=np.int64),
    "half": np.array([0.5, 65504.0, -1e-3], dtype=np.float16),
    "ints": np.array([[1, -2], [3, 2**31 - 1]], dtype=np.int32),
    "mask": np.array([True, False, True]),
    "empty": np.zeros((0, 5), dtype=np.float32),
}


@pytest.fixture
def bundle(tmp_path: Path) -> str:
    prefix = str(tmp_path / "model.ckpt")
    write_bundle(prefix, TENSORS)
    return prefix


# --------------------------------------------------------------------------- tests


def test_crc32c_known_values_and_mask():
    assert crc32c(b"") == 0
    assert crc32c(b"123456789") == 0xE3069283
    assert crc32c(bytes(32)) == 0x8A9136AA  # RFC 3720 test vector
    data = np.random.default_rng(0).bytes(70_001)  # long enough for the numpy lane path
    assert crc32c(data) == _crc_bitwise(data)
    assert unmask_crc(mask_crc(0xDEADBEEF)) == 0xDEADBEEF


def test_round_trip(bundle):
    out = read_checkpoint(bundle)
    assert sorted(out) == sorted(TENSORS)
    for name, expected in TENSORS.items():
        assert out[name].dtype == expected.dtype and out[name].shape == expected.shape, name
        np.testing.assert_array_equal(out[name], expected)
    assert out["conv2d/bias"].flags.writeable
    infos = list_variables(bundle)
    assert infos["dense/kernel"].shape == (3, 4) and infos["dense/kernel"].dtype == np.float64
    subset = read_checkpoint(bundle, names=["ints"])
    assert list(subset) == ["ints"]


def test_directory_prefix_means_empty_stem(tmp_path):
    write_bundle(str(tmp_path) + "/", {"x": np.ones(3, np.float32)})  # files tmp/.index, tmp/.data-...
    np.testing.assert_array_equal(read_checkpoint(tmp_path)["x"], np.ones(3))


def test_unknown_name_is_an_error(bundle):
    with pytest.raises(DataError, match="nope"):
        read_checkpoint(bundle, names=["nope"])


@pytest.mark.parametrize("cut", [1, 20, 48, 200])
def test_truncated_index_names_the_file(bundle, cut):
    index = Path(bundle + ".index")
    index.write_bytes(index.read_bytes()[:-cut])
    with pytest.raises(DataError, match=r"model\.ckpt\.index"):
        read_checkpoint(bundle)


def test_corrupt_index_block_fails_crc(bundle):
    index = Path(bundle + ".index")
    raw = bytearray(index.read_bytes())
    raw[12] ^= 0x40  # inside the first data block
    index.write_bytes(bytes(raw))
    with pytest.raises(DataError, match=r"model\.ckpt\.index.*CRC"):
        read_checkpoint(bundle)


def test_garbage_index(tmp_path):
    prefix = tmp_path / "junk"
    Path(str(prefix) + ".index").write_bytes(b"not a table" * 10)
    with pytest.raises(DataError, match=r"junk\.index.*magic"):
        read_checkpoint(prefix)


def test_truncated_data_names_the_file(bundle):
    data = Path(bundle + ".data-00000-of-00001")
    data.write_bytes(data.read_bytes()[:-5])
    with pytest.raises(DataError, match=r"model\.ckpt\.data-00000-of-00001.*truncated"):
        read_checkpoint(bundle)


def test_corrupt_data_fails_crc(bundle):
    data = Path(bundle + ".data-00000-of-00001")
    raw = bytearray(data.read_bytes())
    raw[3] ^= 0x01
    data.write_bytes(bytes(raw))
    with pytest.raises(DataError, match=r"data-00000-of-00001.*CRC"):
        read_checkpoint(bundle)
    assert read_checkpoint(bundle, verify_checksums=False)["conv2d/bias"].shape == (4,)


def test_missing_files(tmp_path, bundle):
    with pytest.raises(DataError, match=r"nothing\.index"):
        read_checkpoint(tmp_path / "nothing")
    Path(bundle + ".data-00000-of-00001").unlink()
    with pytest.raises(DataError, match=r"data-00000-of-00001"):
        read_checkpoint(bundle)


def test_compressed_blocks_are_refused(tmp_path):
    prefix = str(tmp_path / "snappy")
    write_bundle(prefix, {"x": np.ones(2, np.float32)}, kind=1)
    with pytest.raises(DataError, match=r"snappy\.index.*snappy-compressed"):
        read_checkpoint(prefix)


def _musicnn_dir(name: str) -> Path:
    spec = importlib.util.find_spec("musicnn")
    if spec is None or not spec.submodule_search_locations:
        pytest.skip("musicnn is not installed (pip install --no-deps musicnn)")
    return Path(next(iter(spec.submodule_search_locations))) / name


def test_real_musicnn_checkpoint():
    infos = list_variables(_musicnn_dir("MTT_musicnn"))
    shapes = {name: info.shape for name, info in infos.items() if "Adam" not in name}
    assert shapes["conv2d/kernel"] == (7, 38, 1, 204)
    assert shapes["conv2d_1/kernel"] == (7, 67, 1, 204)
    assert [shapes[f"conv2d_{i}/kernel"][0] for i in (2, 3, 4)] == [128, 64, 32]
    assert shapes["conv2d_5/kernel"] == (7, 561, 1, 64)
    assert shapes["batch_normalization_9/moving_variance"] == (1506,)
    assert shapes["dense/kernel"] == (1506, 200) and shapes["dense_1/kernel"] == (200, 50)
    assert sum(n.startswith("batch_normalization") for n in shapes) == 11 * 4
    assert all(info.dtype == np.float32 for info in infos.values())
    weights = read_checkpoint(_musicnn_dir("MTT_musicnn"), names=["batch_normalization_9/moving_variance"])
    assert np.all(weights["batch_normalization_9/moving_variance"] > 0)
