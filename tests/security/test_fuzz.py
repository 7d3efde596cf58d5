"""Fuzzing of every parser: whatever the bytes, only mvemo errors (never another exception).

Parsers: LRC and plain lyrics, label tables (CSV/TSV/JSONL) and the evaluator on them, LLM
answers (the text parser and the chat-completion shape), MIDI (bytes read by pretty_midi),
TOML training configs.  Kept fast: ~100-200 examples each, no deadline.
"""

from __future__ import annotations

import json
import string
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mvemo.errors import MvemoError

FUZZ = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
_TMP = Path(tempfile.mkdtemp(prefix="mvemo-fuzz-"))

# LRC-like text: tags, digits, separators and a little of everything else.
_lrc_piece = st.one_of(
    st.from_regex(r"\[[0-9]{1,4}:[0-9]{1,3}([.:][0-9]{0,4})?\]", fullmatch=True),
    st.from_regex(r"\[(ar|ti|offset|length|#):[^\]\n]{0,12}\]", fullmatch=True),
    st.from_regex(r"<[0-9]{1,2}:[0-9]{1,2}\.[0-9]{2}>", fullmatch=True),
    st.text(alphabet=string.ascii_letters + " -[]:.+0123456789\n\t\u00e9\u4e2d", max_size=20),
)
_lrc_text = st.lists(_lrc_piece, max_size=30).map("".join)


@FUZZ
@given(_lrc_text)
def test_lrc_parser(text):
    from mvemo.io.lyrics import parse_lrc, parse_plain

    for parse in (parse_lrc, parse_plain):
        try:
            lyr = parse(text, source="f.lrc")
        except MvemoError:
            continue
        if lyr.synced:
            assert lyr.duration is not None and 0 <= lyr.duration <= 1800


@FUZZ
@given(st.binary(max_size=400))
def test_lyrics_file_bytes(data):
    from mvemo.io.lyrics import read_lyrics

    p = _TMP / "fuzz.lrc"
    p.write_bytes(data)
    try:
        read_lyrics(p)
    except MvemoError:
        pass


_cell = st.one_of(
    st.sampled_from(["a", "sad", "calm", "0.5", "0.55", "", "1e309", "nan", "-1", "Q1", "x,y", '"']),
    st.text(max_size=6),
)
_json_value = st.recursive(
    st.one_of(
        st.none(),
        st.booleans(),
        st.integers(),
        st.floats(allow_nan=True),
        st.sampled_from(["sad", "calm", "0.3", "a", "b"]),
        st.text(max_size=5),
    ),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=4), inner, max_size=3),
    max_leaves=8,
)
_record = st.dictionaries(
    st.sampled_from(["id", "category", "intensity", "time", "response", "q", "extra"]), _json_value, max_size=6
)


@FUZZ
@given(st.lists(st.lists(_cell, min_size=1, max_size=5), max_size=6), st.sampled_from([",", "\t"]), st.booleans())
def test_label_tables_and_evaluate_csv(rows, sep, bom):
    from mvemo.io.tables import read_records
    from mvemo.metrics.files import evaluate_files

    suffix = ".csv" if sep == "," else ".tsv"
    header = sep.join(["id", "category", "intensity"])
    text = "\n".join([header] + [sep.join(r) for r in rows]) + "\n"
    p = _TMP / f"fuzz{suffix}"
    p.write_bytes((b"\xef\xbb\xbf" if bom else b"") + text.encode("utf-8"))
    for call in (lambda: read_records(p, required=["id"]), lambda: evaluate_files(p, p)):
        try:
            call()
        except MvemoError:
            pass


@FUZZ
@given(st.lists(st.one_of(_record.map(json.dumps), st.text(max_size=10)), max_size=6), st.booleans(), st.booleans())
def test_jsonl_records_and_evaluate(lines, bom, dynamic):
    from mvemo.conversion.table import convert_records
    from mvemo.io.tables import read_records
    from mvemo.metrics.files import evaluate_files

    p = _TMP / "fuzz.jsonl"
    p.write_bytes((b"\xef\xbb\xbf" if bom else b"") + "\n".join(lines).encode("utf-8", "surrogatepass"))
    ref = _TMP / "ref.jsonl"
    ref.write_text(
        "".join(json.dumps({"id": i, "category": "sad", "intensity": 0.5, "time": 2.5}) + "\n" for i in "abc")
    )
    try:
        recs = read_records(p)
        convert_records(recs, kind="quadrant", column="q")
    except MvemoError:
        pass
    for a, b in ((ref, p), (p, ref), (p, p)):
        try:
            evaluate_files(a, b, dynamic=dynamic)
        except MvemoError:
            pass


@FUZZ
@given(
    st.one_of(
        st.text(max_size=120),
        st.builds(
            lambda c, i, junk: f"{junk}Emotion Category: {c}, Emotion Intensity: {i}{junk}",
            st.sampled_from(["sad", "Sad", "**calm**", "at ease", "", "x" * 3]),
            st.one_of(
                st.sampled_from(["0.3", "0.75", "1", "1.0", "-0.0", "1e-1", ".5", "nan", "inf"]), st.text(max_size=5)
            ),
            st.text(max_size=8),
        ),
    )
)
def test_llm_answer_parser(text):
    from mvemo.metrics import parse_response

    p = parse_response(text)
    assert (p.error is None) == (p.category is not None and p.intensity is not None)
    if p.intensity is not None:
        assert 0.0 <= p.intensity <= 1.0 and round(p.intensity * 10) == p.intensity * 10


@FUZZ
@given(_json_value)
def test_chat_completion_shapes(payload):
    from mvemo.bench.llm import _message_text

    for shape in (
        payload,
        {"choices": payload},
        {"choices": [payload]},
        {"choices": [{"message": payload}]},
        {"choices": [{"message": {"content": payload}}]},
    ):
        text, why = _message_text(shape)
        assert (isinstance(text, str) and why is None) or (text is None and isinstance(why, str))


_VALID_MIDI = None


def _valid_midi() -> bytes:
    global _VALID_MIDI
    if _VALID_MIDI is None:
        pretty_midi = pytest.importorskip("pretty_midi")
        pm = pretty_midi.PrettyMIDI()
        inst = pretty_midi.Instrument(program=0)
        for k in range(6):
            inst.notes.append(pretty_midi.Note(velocity=80, pitch=60 + k, start=k * 0.5, end=k * 0.5 + 0.4))
        pm.instruments.append(inst)
        p = _TMP / "valid.mid"
        pm.write(str(p))
        _VALID_MIDI = p.read_bytes()
    return _VALID_MIDI


@FUZZ
@given(st.data())
def test_midi_bytes(data):
    pytest.importorskip("pretty_midi")
    from mvemo.features.midi import midi_features

    base = bytearray(_valid_midi())
    kind = data.draw(st.sampled_from(["mutate", "truncate", "random"]))
    if kind == "mutate":
        for _ in range(data.draw(st.integers(1, 8))):
            base[data.draw(st.integers(0, len(base) - 1))] = data.draw(st.integers(0, 255))
        blob = bytes(base)
    elif kind == "truncate":
        blob = bytes(base[: data.draw(st.integers(0, len(base)))])
    else:
        blob = b"MThd" + data.draw(st.binary(max_size=80))
    p = _TMP / "fuzz.mid"
    p.write_bytes(blob)
    try:
        midi_features(p)
    except MvemoError:
        pass


_toml_value = st.one_of(
    st.integers(-5, 10**6),
    st.floats(allow_nan=False, width=32),
    st.booleans(),
    st.text(alphabet=string.ascii_letters, max_size=6),
    st.lists(st.text(alphabet=string.ascii_lowercase, max_size=6), max_size=3),
)


def _toml(v) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, (int, float)):
        return repr(v) if v == v and abs(v) != float("inf") else "0"
    if isinstance(v, list):
        return "[" + ", ".join(json.dumps(x) for x in v) + "]"
    return json.dumps(v)


@FUZZ
@given(st.data())
def test_toml_training_configs(data):
    from mvemo.cli._training import load_config
    from mvemo.train.lyrics import LyricsTrainConfig
    from mvemo.train.music import TrainConfig
    from mvemo.train.symbolic import SymbolicTrainConfig

    cls = data.draw(st.sampled_from([TrainConfig, SymbolicTrainConfig, LyricsTrainConfig]))
    keys = sorted(cls.__dataclass_fields__) + ["nope"]
    doc = data.draw(st.dictionaries(st.sampled_from(keys), _toml_value, max_size=4))
    text = "\n".join(f"{k} = {_toml(v)}" for k, v in doc.items())
    if data.draw(st.booleans()):
        text += data.draw(st.text(alphabet="[]=\"'#\n ab1.", max_size=8))
    p = _TMP / "fuzz.toml"
    p.write_text(text, encoding="utf-8")
    try:
        load_config(cls, str(p))
    except MvemoError:
        pass
