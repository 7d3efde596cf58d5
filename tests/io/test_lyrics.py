"""Lyrics readers: LRC tags, offsets, repeats, plain text, cleaning, bad files."""

from __future__ import annotations

import pytest

from mvemo.errors import DataError, ParameterError
from mvemo.io.lyrics import clean_lyrics, looks_like_lrc, parse_lrc, parse_plain, read_lyrics

LRC = """[ar:Some Artist]
[ti:Some Title]
[al:Album]
[by:someone]
[length: 01:40]
[00:01.00]First line here
[00:05.50][01:10.25]Chorus line, sung twice!
[00:09.000]<00:09.00>Enhanced <00:09.50>word <00:10.00>tags
[00:12:30]Colon fraction
[00:15.00]
[00:20]No fraction
"""


def test_lrc_tags_repeats_and_metadata(tmp_path):
    p = tmp_path / "song.lrc"
    p.write_text(LRC, encoding="utf-8")
    lyr = read_lyrics(p)
    assert lyr.synced and lyr.source == str(p)
    assert lyr.metadata == {"ar": "Some Artist", "ti": "Some Title", "al": "Album", "by": "someone", "length": "01:40"}
    times = [ln.time for ln in lyr.lines]
    assert times == sorted(times)
    assert times == [1.0, 5.5, 9.0, 12.3, 15.0, 20.0, 70.25]
    texts = [ln.text for ln in lyr.lines]
    assert texts[1] == texts[-1] == "Chorus line, sung twice!"
    assert lyr.lines[1].number == lyr.lines[-1].number
    assert texts[2] == "Enhanced word tags"  # word-time tags removed
    assert texts[4] == ""  # end-of-line marker kept, empty
    assert lyr.duration == 70.25
    assert lyr.text.count("Chorus line") == 2


@pytest.mark.parametrize("offset, first", [("+500", 0.5), ("-1500", 2.5), ("+2000", 0.0)])
def test_lrc_offset_shifts_times(offset, first):
    lyr = parse_lrc(f"[offset:{offset}]\n[00:01.00]a line\n[00:03.00]b line\n")
    assert lyr.lines[0].time == pytest.approx(first)
    assert lyr.offset == pytest.approx(int(offset) / 1000)


def test_lrc_long_minutes_and_untimed_lines():
    lyr = parse_lrc("[29:02.5]late line\nstray text without tag\n[00:00.10]early\n")
    assert [ln.time for ln in lyr.lines] == [0.1, 1742.5]
    assert lyr.n_untimed == 1


def test_bad_offset_names_source():
    with pytest.raises(DataError, match="x.lrc.*offset"):
        parse_lrc("[offset:soon]\n[00:01.00]a\n", source="x.lrc")


def test_lrc_without_timed_text_is_an_error(tmp_path):
    p = tmp_path / "meta_only.lrc"
    p.write_text("[ar:A]\n[ti:T]\n[00:01.00]\n", encoding="utf-8")
    with pytest.raises(DataError, match="meta_only.lrc"):
        read_lyrics(p)


def test_txt_that_looks_like_lrc_is_read_as_lrc(tmp_path):
    p = tmp_path / "song.txt"
    p.write_text("[ti:x]\n[00:01.00]one\n[00:02.00]two\n", encoding="utf-8")
    assert read_lyrics(p).synced
    assert not read_lyrics(p, format="plain").synced
    assert looks_like_lrc("[00:01]a\n[00:02]b\nplain\n")
    assert not looks_like_lrc("[Chorus]\nplain words\nmore words\n")


def test_plain_text(tmp_path):
    p = tmp_path / "song.txt"
    p.write_text("\ufeff[Verse 1]\nHello  world\n\n  goodbye (now)  \n", encoding="utf-8")
    lyr = read_lyrics(p)
    assert not lyr.synced and lyr.duration is None and lyr.metadata == {}
    assert [ln.text for ln in lyr.lines] == ["[Verse 1]", "Hello  world", "goodbye (now)"]
    assert lyr.cleaned_lines() == ["", "Hello world", "goodbye now"]
    assert all(ln.time is None for ln in lyr.lines)


def test_encodings(tmp_path):
    p = tmp_path / "u16.txt"
    p.write_bytes("caf\u00e9 ol\u00e9\n".encode("utf-16"))
    assert read_lyrics(p).lines[0].text == "caf\u00e9 ol\u00e9"
    q = tmp_path / "latin.txt"
    q.write_bytes("caf\u00e9 \u2019quote\u2019\n".encode("cp1252"))
    assert read_lyrics(q).lines[0].text == "caf\u00e9 \u2019quote\u2019"


@pytest.mark.parametrize(
    "content, problem",
    [
        (b"", "empty"),
        (b"   \n\n", "no text"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "binary"),
        (b"[Chorus]\n--- ***\n", "no lyrics"),
    ],
)
def test_unreadable_files_name_the_file(tmp_path, content, problem):
    p = tmp_path / "bad.txt"
    p.write_bytes(content)
    with pytest.raises(DataError, match=rf"bad\.txt.*{problem}"):
        read_lyrics(p)


def test_missing_file_and_folder(tmp_path):
    with pytest.raises(DataError, match="nope.lrc"):
        read_lyrics(tmp_path / "nope.lrc")
    with pytest.raises(DataError, match="folder"):
        read_lyrics(tmp_path)
    with pytest.raises(ParameterError, match="format"):
        read_lyrics(tmp_path / "x.txt", format="srt")


def test_cleaning_rule():
    # Words and only quotes , : ; . ? ! survive; everything else becomes a space.
    assert clean_lyrics("Hey-ho (let's go) #1 & @you: \"yes\"; 'no'... why? wow! \u201cok\u201d") == (
        "Hey ho let's go 1 you: \"yes\"; 'no'... why? wow! \u201cok\u201d"
    )
    assert clean_lyrics("[Chorus: Someone] la la [x2]") == "la la"
    assert clean_lyrics("[Chorus] kept", drop_sections=False) == "Chorus kept"
    assert clean_lyrics("snake_case / slash \\ back") == "snake case slash back"
    assert clean_lyrics("Ça va? 愛してる！") == "Ça va? 愛してる"
    with pytest.raises(ParameterError):
        clean_lyrics(None)


def test_parse_plain_rejects_empty():
    with pytest.raises(DataError, match="<lyrics text>"):
        parse_plain("\n [Intro] \n")
