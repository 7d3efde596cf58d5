import pytest

from mvemo.data import Item
from mvemo.data.stats import label_stats, polar_plot
from mvemo.errors import ParameterError


def _items():
    return [
        Item(id="a", dataset="d", modality="audio", split="train", static={"category": "calm", "intensity": 0.3}),
        Item(
            id="b",
            dataset="d",
            modality="none",
            split="train",
            static={"category": "calm", "intensity": 0.7},
            dynamic=[
                {"time": 2.5, "category": "sad", "intensity": 0.5},
                {"time": 3.0, "category": None, "intensity": None},
            ],
        ),
        Item(id="c", dataset="d", modality="none", split="test", problems=["missing valence"]),
    ]


def test_label_stats():
    st = label_stats(_items())
    assert st["n_items"] == 3 and st["n_static"] == 2 and st["share_static"] == pytest.approx(2 / 3)
    assert st["n_dynamic"] == 1 and st["n_dynamic_points"] == 2 and st["n_with_problems"] == 1
    assert len(st["category_counts"]) == 28 and st["category_counts"]["calm"] == 2
    assert st["intensity_histogram"]["0.3"] == 1 and st["intensity_histogram"]["0.7"] == 1
    assert sum(st["intensity_histogram"].values()) == 2
    assert st["dynamic_category_counts"]["sad"] == 1
    assert st["splits"]["train"]["n_items"] == 2 and st["splits"]["test"]["n_static"] == 0
    assert st["modalities"] == {"audio": 1, "none": 2}
    assert label_stats([])["share_static"] == 0.0


def test_polar_plot(tmp_path):
    pytest.importorskip("matplotlib")
    out = polar_plot(_items(), tmp_path / "p.png", title="t")
    assert out.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert polar_plot([], tmp_path / "empty.png").is_file()
    with pytest.raises(ParameterError, match="png"):
        polar_plot(_items(), tmp_path / "p.pdf")
