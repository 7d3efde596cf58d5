import pytest

from mvemo.data import Dataset, Item, dataset_class, list_datasets, load, register, resolve_data_home
from mvemo.data.registry import _REGISTRY
from mvemo.errors import DataError, ParameterError

from .fixtures import make_4q, make_deam, make_emopia, write

ALL = ["4q_panda2018", "emotify", "emomusic", "pmemo", "deam", "mtg_jamendo_moodtheme", "muvi", "vgmidi",
       "emopia", "lyrics", "moodylyrics", "soundtracks_eerola2011"]  # fmt: skip


def test_registry_lists_every_dataset():
    assert list_datasets() == ALL
    for name in ALL:
        cls = dataset_class(name)
        assert cls.name == name
        assert cls.citation and cls.license and cls.homepage and cls.folder and cls.label_type
        assert cls.modality in ("audio", "midi", "lyrics", "video", "none")
        assert cls.__doc__ and "Decisions" in cls.__doc__


def test_unknown_dataset_and_option(tmp_path):
    with pytest.raises(ParameterError, match="did you mean emopia"):
        load("emopi", data_home=tmp_path)
    make_emopia(tmp_path)
    with pytest.raises(ParameterError, match="unknown option"):
        load("emopia", data_home=tmp_path, split_index=1)


def test_missing_data_root_says_how_to_set_it(no_env, tmp_path):
    with pytest.raises(DataError) as exc:
        load("emopia")
    assert "--data-home" in str(exc.value) and "MVEMO_DATA=/path/to/shared/data" in str(exc.value)
    with pytest.raises(DataError, match="does not exist"):
        resolve_data_home(tmp_path / "nowhere")
    with pytest.raises(DataError) as exc:
        load("emopia", data_home=tmp_path)  # exists, but no emopia folder
    assert "'emopia'" in str(exc.value) and "MVEMO_DATA" in str(exc.value)


def test_env_var_is_used(monkeypatch, tmp_path):
    make_emopia(tmp_path)
    monkeypatch.setenv("MVEMO_DATA", str(tmp_path))
    assert resolve_data_home() == tmp_path
    assert len(load("emopia")) == 10
    monkeypatch.setenv("MVEMO_DATA", str(tmp_path / "nowhere"))
    with pytest.raises(DataError, match=r"\$MVEMO_DATA"):
        load("emopia")


def test_bad_csv_names_the_file(tmp_path):
    make_4q(tmp_path, audio=False)
    write(tmp_path / "4q_panda2018" / "annotations.csv", "Song,Label\nMT1,Q1\n")
    with pytest.raises(DataError, match=r"annotations\.csv.*Quadrant"):
        load("4q_panda2018", data_home=tmp_path).index()
    make_deam(tmp_path)
    path = tmp_path / "deam" / "annotations_song_level" / "static_annotations_averaged_songs_1_2000.csv"
    write(path, "song_id, valence_mean, valence_std, arousal_mean, arousal_std\n5,eight,1,2,1\n")
    with pytest.raises(DataError, match=r"songs_1_2000\.csv line 2, column 'valence_mean'"):
        load("deam", data_home=tmp_path).index()
    path.write_bytes(b"\xff\xfe\x00bad")
    with pytest.raises(DataError, match="not UTF-8"):
        load("deam", data_home=tmp_path).index()


def test_validate_reports_missing_empty_and_undecodable(tmp_path):
    make_4q(tmp_path, n_per_quadrant=2)
    ds = load("4q_panda2018", data_home=tmp_path)
    report = ds.validate()
    assert report.ok and report.n_files == 8 and report.n_items == 8
    (tmp_path / "audio/4q_panda2018/Q1/MT100000.opus").unlink()
    (tmp_path / "audio/4q_panda2018/Q2/MT200000.opus").write_bytes(b"")
    (tmp_path / "audio/4q_panda2018/Q3/MT300000.opus").write_bytes(b"garbage, not audio")
    report = load("4q_panda2018", data_home=tmp_path).validate()
    assert {(p["item"], p["problem"]) for p in report.problems} == {
        ("4q_panda2018:MT100000", "missing"),
        ("4q_panda2018:MT200000", "empty file"),
    }
    report = load("4q_panda2018", data_home=tmp_path).validate(decode=True)
    assert report.decoded and len(report.problems) == 3
    assert any(p["item"] == "4q_panda2018:MT300000" and "decode" in p["problem"] for p in report.problems)
    assert "3 problem(s)" in report.summary()


def test_validate_reports_a_bad_label_file(tmp_path):
    make_emopia(tmp_path)
    (tmp_path / "emopia" / "label.csv").unlink()
    report = load("emopia", data_home=tmp_path).validate()
    assert not report.ok and "label.csv" in report.problems[0]["problem"]


def test_midi_header_check(tmp_path):
    make_emopia(tmp_path)
    (tmp_path / "emopia/midis/Q1_song_a_0.mid").write_bytes(b"RIFFxxxx")
    report = load("emopia", data_home=tmp_path).validate(decode=True)
    assert [p["problem"] for p in report.problems] == ["not a MIDI file (no MThd header)"]


class _Tiny(Dataset):
    """A user dataset. Decisions: none."""

    name = "tiny"
    citation = license = homepage = "-"
    label_type = "4q"
    folder = "tiny"

    def _load_items(self):
        return [self.item(f"{k}", modality="none", static=None, labels={"q": "Q1"}) for k in range(20)]


def test_register_and_seeded_split(tmp_path):
    (tmp_path / "tiny").mkdir()
    register("tiny", _Tiny)
    try:
        ds = load("tiny", data_home=tmp_path, seed=5)
        splits = ds.splits()
        assert list(splits) == ["train", "validation", "test"]
        assert [len(v) for v in splits.values()] == [16, 2, 2]
        assert ds["3"].id == "tiny:3" and ds["tiny:3"] is ds["3"]
        assert all(isinstance(it, Item) and it.split for it in ds)
        assert load("tiny", data_home=tmp_path, seed=5).splits() == splits
        assert ds.items(split="test") == [ds[i] for i in splits["test"]]
        with pytest.raises(ParameterError, match="no split"):
            ds.items(split="dev")
        with pytest.raises(KeyError):
            ds["99"]
    finally:
        _REGISTRY.pop("tiny")
    with pytest.raises(ParameterError):
        register("bad", int)
