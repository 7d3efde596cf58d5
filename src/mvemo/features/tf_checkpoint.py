"""Read TensorFlow 1.x checkpoint bundles (``.index`` + ``.data-*``) with numpy alone.

A TF1 checkpoint saved under the prefix ``P`` consists of

* ``P.index``: a LevelDB-style sorted-string table (SSTable).  Its keys are variable
  names; each value is a serialised ``BundleEntryProto`` (dtype, shape, shard id, byte
  offset and size in the data shard, masked CRC-32C).  The empty key holds the
  ``BundleHeaderProto`` (number of shards, endianness, format version).
* ``P.data-00000-of-0000N``: the raw little-endian tensor bytes, one shard per file.

This module decodes both from the file formats (SSTable blocks with restart points and
prefix-compressed keys, block trailers with compression type and CRC, the footer with
the metaindex/index block handles; protobuf varint wire format) without TensorFlow or
the protobuf library.  Only uncompressed blocks are supported, which is what TF writes
for bundle indexes; partitioned (sliced) variables and string tensors are refused.

Examples
--------
>>> from mvemo.features.tf_checkpoint import crc32c, mask_crc
>>> hex(crc32c(b"123456789"))
'0xe3069283'
>>> hex(mask_crc(0))
'0xa282ead8'
"""

from __future__ import annotations

import functools
import os
import struct
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from mvemo.errors import DataError

__all__ = [
    "TensorInfo",
    "read_checkpoint",
    "list_variables",
    "checkpoint_paths",
    "crc32c",
    "mask_crc",
    "unmask_crc",
]

TABLE_MAGIC = 0xDB4775248B80FB57  # LevelDB/TF table magic number (little-endian fixed64)
FOOTER_SIZE = 48  # two BlockHandles padded to 40 bytes + 8-byte magic
BLOCK_TRAILER_SIZE = 5  # 1-byte compression type + 4-byte masked CRC-32C
_CRC_MASK_DELTA = 0xA282EAD8

# TF DataType enum -> numpy dtype (None: known but not readable here).
_DTYPES: dict[int, np.dtype | None] = {
    1: np.dtype("float32"),
    2: np.dtype("float64"),
    3: np.dtype("int32"),
    4: np.dtype("uint8"),
    5: np.dtype("int16"),
    6: np.dtype("int8"),
    7: None,  # DT_STRING
    8: np.dtype("complex64"),
    9: np.dtype("int64"),
    10: np.dtype("bool"),
    14: np.dtype("uint16"),  # DT_BFLOAT16: read as raw bits, widened to float32 below
    17: np.dtype("uint16"),
    18: np.dtype("complex128"),
    19: np.dtype("float16"),
    22: np.dtype("uint32"),
    23: np.dtype("uint64"),
}
_DT_BFLOAT16 = 14
_DTYPE_NAMES = {
    7: "string",
    11: "qint8",
    12: "quint8",
    13: "qint32",
    15: "qint16",
    16: "quint16",
    20: "resource",
    21: "variant",
}


# --------------------------------------------------------------------------- CRC-32C


@functools.cache
def _crc_table() -> np.ndarray:
    """Byte-wise table of the reflected CRC-32C (Castagnoli) polynomial, shape (256,)."""
    poly = 0x82F63B78
    table = []
    for n in range(256):
        c = n
        for _ in range(8):
            c = (c >> 1) ^ poly if c & 1 else c >> 1
        table.append(c)
    return np.array(table, dtype=np.uint32)


def _crc_update(reg: int, data: bytes | memoryview, table: list[int]) -> int:
    for b in bytes(data):
        reg = table[(reg ^ b) & 0xFF] ^ (reg >> 8)
    return reg


def _shift_tables(n_bytes: int) -> list[list[int]]:
    """Byte-sliced tables of the linear map "run ``n_bytes`` zero bytes through the register"."""
    table = _crc_table()
    reg = (np.uint32(1) << np.arange(32, dtype=np.uint32)).astype(np.uint32)  # basis vectors
    for _ in range(n_bytes):
        reg = table[reg & 0xFF] ^ (reg >> np.uint32(8))
    basis = [int(v) for v in reg]
    out = []
    for k in range(4):
        t = [0] * 256
        for v in range(1, 256):
            low = v & -v  # lowest set bit: t[v] = t[v without it] ^ image of that bit
            t[v] = t[v ^ low] ^ basis[8 * k + low.bit_length() - 1]
        out.append(t)
    return out


def crc32c(data: bytes | bytearray | memoryview) -> int:
    """CRC-32C (Castagnoli) of ``data``, as used by LevelDB tables and TF bundles.

    Large inputs are split into equal lanes that numpy processes in parallel; the lane
    CRCs are then chained with the (linear) zero-extension map, so the cost is a few
    tens of milliseconds for ~10 MB.

    Parameters
    ----------
    data : bytes-like
        The bytes to checksum.

    Returns
    -------
    int
        The unmasked CRC in ``[0, 2**32)``.
    """
    buf = memoryview(data).cast("B")
    n = len(buf)
    table = _crc_table()
    lanes = 4096
    if n < 16 * lanes:
        return _crc_update(0xFFFFFFFF, buf, table.tolist()) ^ 0xFFFFFFFF
    width = n // lanes
    block = np.frombuffer(buf[: lanes * width], dtype=np.uint8).reshape(lanes, width).T.copy()
    reg = np.zeros(lanes, dtype=np.uint32)
    reg[0] = 0xFFFFFFFF  # the initial register value only enters through the first lane
    eight = np.uint32(8)
    for row in block:
        reg = table[(reg ^ row) & 0xFF] ^ (reg >> eight)
    t0, t1, t2, t3 = _shift_tables(width)
    acc = 0
    for lane in reg.tolist():
        acc = t0[acc & 0xFF] ^ t1[(acc >> 8) & 0xFF] ^ t2[(acc >> 16) & 0xFF] ^ t3[acc >> 24] ^ lane
    acc = _crc_update(acc, buf[lanes * width :], table.tolist())
    return acc ^ 0xFFFFFFFF


def mask_crc(crc: int) -> int:
    """LevelDB's CRC mask (rotate right by 15, add a constant), used for stored CRCs."""
    return ((((crc >> 15) | (crc << 17)) & 0xFFFFFFFF) + _CRC_MASK_DELTA) & 0xFFFFFFFF


def unmask_crc(masked: int) -> int:
    """Inverse of :func:`mask_crc`."""
    rot = (masked - _CRC_MASK_DELTA) & 0xFFFFFFFF
    return ((rot >> 17) | (rot << 15)) & 0xFFFFFFFF


# --------------------------------------------------------------------------- wire formats


def _varint(buf: bytes, pos: int, where: str) -> tuple[int, int]:
    """Decode one base-128 varint at ``pos``; return (value, new position)."""
    result = 0
    shift = 0
    while True:
        if pos >= len(buf):
            raise DataError(f"{where}: truncated varint")
        b = buf[pos]
        pos += 1
        result |= (b & 0x7F) << shift
        if not b & 0x80:
            return result, pos
        shift += 7
        if shift > 63:
            raise DataError(f"{where}: varint longer than 10 bytes")


def _proto_fields(buf: bytes, where: str) -> dict[int, list[int | bytes]]:
    """Decode a protobuf message into ``{field number: [values]}`` (varint/fixed as int, bytes as bytes)."""
    fields: dict[int, list[int | bytes]] = {}
    pos = 0
    n = len(buf)
    while pos < n:
        tag, pos = _varint(buf, pos, where)
        number, wire = tag >> 3, tag & 7
        if number == 0:
            raise DataError(f"{where}: invalid protobuf field number 0")
        if wire == 0:
            value, pos = _varint(buf, pos, where)
        elif wire == 1:
            if pos + 8 > n:
                raise DataError(f"{where}: truncated fixed64 field")
            value = int.from_bytes(buf[pos : pos + 8], "little")
            pos += 8
        elif wire == 2:
            length, pos = _varint(buf, pos, where)
            if pos + length > n:
                raise DataError(f"{where}: truncated length-delimited field")
            value = bytes(buf[pos : pos + length])
            pos += length
        elif wire == 5:
            if pos + 4 > n:
                raise DataError(f"{where}: truncated fixed32 field")
            value = int.from_bytes(buf[pos : pos + 4], "little")
            pos += 4
        else:
            raise DataError(f"{where}: unsupported protobuf wire type {wire}")
        fields.setdefault(number, []).append(value)
    return fields


def _last_int(fields: dict, number: int, default: int = 0) -> int:
    values = fields.get(number)
    if not values:
        return default
    value = values[-1]  # protobuf: the last occurrence of a scalar wins
    if not isinstance(value, int):
        raise TypeError(number)
    return value


def _signed64(v: int) -> int:
    return v - (1 << 64) if v >= 1 << 63 else v


@dataclass(frozen=True)
class TensorInfo:
    """One ``BundleEntryProto``: where a tensor lives and what it holds.

    Attributes
    ----------
    name : str
        Variable name (the SSTable key), e.g. ``"conv2d/kernel"``.
    dtype : numpy.dtype
        Element type after decoding (bfloat16 is widened to float32).
    shape : tuple of int
    shard_id, offset, size : int
        Data shard index, byte offset and byte length of the tensor in it.
    crc32c : int
        The masked CRC-32C of the tensor bytes as stored.
    """

    name: str
    dtype: np.dtype
    shape: tuple[int, ...]
    shard_id: int
    offset: int
    size: int
    crc32c: int
    tf_dtype: int


def _parse_entry(name: str, value: bytes, where: str) -> TensorInfo:
    label = f"{where}: entry {name!r}"
    try:
        f = _proto_fields(value, label)
        tf_dtype = _last_int(f, 1)
        dims: list[int] = []
        for shape_msg in f.get(2, []):
            if not isinstance(shape_msg, bytes):
                raise TypeError(2)
            shape_fields = _proto_fields(shape_msg, label)
            if _last_int(shape_fields, 3):
                raise DataError(f"{label}: tensor of unknown rank")
            dims = []
            for dim_msg in shape_fields.get(2, []):
                if not isinstance(dim_msg, bytes):
                    raise TypeError(2)
                dims.append(_signed64(_last_int(_proto_fields(dim_msg, label), 1)))
        shard_id = _last_int(f, 3)
        offset = _signed64(_last_int(f, 4))
        size = _signed64(_last_int(f, 5))
        crc = _last_int(f, 6)
    except TypeError as exc:
        raise DataError(f"{label}: field {exc.args[0]} has the wrong wire type") from None
    if f.get(7):
        raise DataError(f"{label}: partitioned (sliced) variables are not supported")
    if tf_dtype not in _DTYPES or _DTYPES[tf_dtype] is None:
        kind = _DTYPE_NAMES.get(tf_dtype, f"DataType {tf_dtype}")
        raise DataError(f"{label}: unsupported dtype {kind}")
    if any(d < 0 for d in dims) or offset < 0 or size < 0:
        raise DataError(f"{label}: negative dimension, offset or size")
    np_dtype = _DTYPES[tf_dtype]
    expected = int(np.prod(dims, dtype=np.int64)) * np_dtype.itemsize
    if expected != size:
        raise DataError(f"{label}: shape {tuple(dims)} of {np_dtype} needs {expected} bytes, entry says {size}")
    out_dtype = np.dtype("float32") if tf_dtype == _DT_BFLOAT16 else np_dtype
    return TensorInfo(name, out_dtype, tuple(dims), shard_id, offset, size, crc, tf_dtype)


# --------------------------------------------------------------------------- SSTable


def _block_handle(buf: bytes, pos: int, where: str) -> tuple[tuple[int, int], int]:
    offset, pos = _varint(buf, pos, where)
    size, pos = _varint(buf, pos, where)
    return (offset, size), pos


def _read_block(data: bytes, handle: tuple[int, int], where: str, *, verify: bool) -> bytes:
    offset, size = handle
    end = offset + size + BLOCK_TRAILER_SIZE
    if end > len(data) - FOOTER_SIZE:
        raise DataError(f"{where}: block at offset {offset} (+{size} bytes) runs past the end of the file (truncated?)")
    contents = data[offset : offset + size]
    kind = data[offset + size]
    if verify:
        (stored,) = struct.unpack_from("<I", data, offset + size + 1)
        if unmask_crc(stored) != crc32c(data[offset : offset + size + 1]):
            raise DataError(f"{where}: block at offset {offset} fails its CRC-32C check (corrupt file)")
    if kind == 1:
        raise DataError(
            f"{where}: block at offset {offset} is snappy-compressed; only uncompressed index blocks are supported"
        )
    if kind != 0:
        raise DataError(f"{where}: block at offset {offset} has unknown compression type {kind}")
    return contents


def _block_entries(block: bytes, where: str) -> list[tuple[bytes, bytes]]:
    """Decode the (key, value) entries of one block (prefix-compressed keys, restart array at the end)."""
    if len(block) < 4:
        raise DataError(f"{where}: block shorter than its restart count")
    (n_restarts,) = struct.unpack_from("<I", block, len(block) - 4)
    limit = len(block) - 4 - 4 * n_restarts
    if limit < 0:
        raise DataError(f"{where}: restart array larger than its block")
    entries = []
    key = b""
    pos = 0
    while pos < limit:
        shared, pos = _varint(block, pos, where)
        non_shared, pos = _varint(block, pos, where)
        value_len, pos = _varint(block, pos, where)
        if shared > len(key) or pos + non_shared + value_len > limit:
            raise DataError(f"{where}: corrupt block entry at byte {pos}")
        key = key[:shared] + block[pos : pos + non_shared]
        pos += non_shared
        entries.append((key, block[pos : pos + value_len]))
        pos += value_len
    return entries


def _table_entries(data: bytes, where: str, *, verify: bool) -> list[tuple[bytes, bytes]]:
    """All (key, value) pairs of an SSTable held in ``data``, in key order."""
    if len(data) < FOOTER_SIZE:
        raise DataError(f"{where}: {len(data)} bytes is too short for an SSTable footer (truncated?)")
    footer = data[-FOOTER_SIZE:]
    (magic,) = struct.unpack_from("<Q", footer, FOOTER_SIZE - 8)
    if magic != TABLE_MAGIC:
        raise DataError(f"{where}: bad table magic number (not a TF checkpoint index, or truncated)")
    _metaindex, pos = _block_handle(footer, 0, where)
    index_handle, _ = _block_handle(footer, pos, where)
    entries = []
    for _sep, handle_bytes in _block_entries(_read_block(data, index_handle, where, verify=verify), where):
        handle, _ = _block_handle(handle_bytes, 0, where)
        entries.extend(_block_entries(_read_block(data, handle, where, verify=verify), where))
    return entries


# --------------------------------------------------------------------------- public API


def checkpoint_paths(prefix: str | os.PathLike) -> tuple[Path, str]:
    """Resolve a checkpoint prefix to its ``.index`` path and the data-shard prefix.

    A prefix naming an existing directory means "files with an empty stem inside it"
    (``dir/.index``), which is how a TF saver writes when given ``"dir/"``; that is the
    layout of the checkpoints the musicnn package ships.

    Parameters
    ----------
    prefix : str or path-like
        What was passed to ``tf.train.Saver.save``/``restore``.

    Returns
    -------
    index_path : pathlib.Path
    data_prefix : str
        Append ``".data-00000-of-00001"`` etc. to get the shard paths.
    """
    p = os.fspath(prefix)
    if os.path.isdir(p):
        p = os.path.join(p, "")
    return Path(p + ".index"), p + ".data"


def _load_index(prefix: str | os.PathLike, *, verify: bool) -> tuple[Path, str, int, list[TensorInfo]]:
    index_path, data_prefix = checkpoint_paths(prefix)
    where = str(index_path)
    try:
        data = index_path.read_bytes()
    except OSError as exc:
        raise DataError(f"cannot read checkpoint index {where}: {exc.strerror or exc}") from exc
    header: dict | None = None
    infos = []
    for key, value in _table_entries(data, where, verify=verify):
        if key == b"":
            header = _proto_fields(value, f"{where}: bundle header")
            continue
        try:
            name = key.decode("utf-8")
        except UnicodeDecodeError:
            raise DataError(f"{where}: variable name {key!r} is not UTF-8") from None
        infos.append(_parse_entry(name, value, where))
    if header is None:
        raise DataError(f"{where}: no bundle header (empty key) in the index")
    try:
        num_shards = _last_int(header, 1, 1)
        endianness = _last_int(header, 2, 0)
    except TypeError:
        raise DataError(f"{where}: malformed bundle header") from None
    if endianness != 0:
        raise DataError(f"{where}: big-endian bundles are not supported")
    if num_shards < 1:
        raise DataError(f"{where}: bundle header says {num_shards} shards")
    for info in infos:
        if not 0 <= info.shard_id < num_shards:
            raise DataError(f"{where}: entry {info.name!r} points at shard {info.shard_id} of {num_shards}")
    return index_path, data_prefix, num_shards, infos


def list_variables(prefix: str | os.PathLike) -> dict[str, TensorInfo]:
    """Read only the index: variable name -> :class:`TensorInfo`, in key order.

    Parameters
    ----------
    prefix : str or path-like
        Checkpoint prefix (see :func:`checkpoint_paths`).

    Raises
    ------
    DataError
        The index is missing, truncated or corrupt; the message names the file.
    """
    _, _, _, infos = _load_index(prefix, verify=True)
    return {info.name: info for info in infos}


def read_checkpoint(
    prefix: str | os.PathLike, *, verify_checksums: bool = True, names: list[str] | None = None
) -> dict[str, np.ndarray]:
    """Read every tensor (or the ``names`` given) of a TF1 checkpoint bundle.

    Parameters
    ----------
    prefix : str or path-like
        Checkpoint prefix: ``P`` for the files ``P.index`` and ``P.data-00000-of-00001``;
        a directory means the files ``dir/.index`` etc. (see :func:`checkpoint_paths`).
    verify_checksums : bool, default True
        Check the CRC-32C of every index block and tensor.
    names : list of str, optional
        Read only these variables; an unknown name is an error.

    Returns
    -------
    dict of str to numpy.ndarray
        Variable name -> writable array of the stored shape (bfloat16 widened to float32).

    Raises
    ------
    DataError
        A file is missing, truncated or corrupt, or holds an unsupported tensor; the
        message names the file.
    """
    index_path, data_prefix, num_shards, infos = _load_index(prefix, verify=verify_checksums)
    if names is not None:
        by_name = {info.name: info for info in infos}
        missing = [n for n in names if n not in by_name]
        if missing:
            raise DataError(f"{index_path}: no variable(s) {missing} in the checkpoint")
        infos = [by_name[n] for n in names]
    shards: dict[int, bytes] = {}
    out: dict[str, np.ndarray] = {}
    for info in infos:
        shard_path = f"{data_prefix}-{info.shard_id:05d}-of-{num_shards:05d}"
        if info.shard_id not in shards:
            try:
                shards[info.shard_id] = Path(shard_path).read_bytes()
            except OSError as exc:
                raise DataError(f"cannot read checkpoint data {shard_path}: {exc.strerror or exc}") from exc
        shard = shards[info.shard_id]
        if info.offset + info.size > len(shard):
            raise DataError(
                f"{shard_path}: tensor {info.name!r} needs bytes {info.offset}..{info.offset + info.size}"
                f" but the file has {len(shard)} (truncated?)"
            )
        raw = shard[info.offset : info.offset + info.size]
        if verify_checksums and unmask_crc(info.crc32c) != crc32c(raw):
            raise DataError(f"{shard_path}: tensor {info.name!r} fails its CRC-32C check (corrupt file)")
        arr = np.frombuffer(raw, dtype=_DTYPES[info.tf_dtype].newbyteorder("<")).reshape(info.shape)
        if info.tf_dtype == _DT_BFLOAT16:
            arr = (arr.astype(np.uint32) << 16).view(np.float32)
        out[info.name] = arr.astype(arr.dtype.newbyteorder("="), copy=True)
    return out
