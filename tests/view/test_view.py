"""mvemo view: the page's data and media handling, and the page itself in headless Chromium."""

from __future__ import annotations

import json
import os
import shutil
import time
from pathlib import Path

import pytest

from mvemo.cli.main import main
from mvemo.errors import DataError
from mvemo.view import build_view, read_results, write_view

REPO = Path(__file__).resolve().parents[2]
AUDIO = REPO / "examples" / "audio" / "bach_chorale_bwv66.6.mp3"
CHROMIUM, CHROMEDRIVER = "/usr/bin/chromium", "/usr/bin/chromedriver"
SCREENSHOT = Path(os.environ.get("MVEMO_VIEW_SCREENSHOT", "/tmp/view_screenshot.png"))


def _dyn(n, cats=("calm", "relaxed", "tense", "happy"), va=(0.5, -0.4)):
    return [
        {
            "time": 2.5 + 0.5 * i,
            "category": cats[(i // 8) % len(cats)],
            "intensity": round(0.1 * (i % 10), 1),
            "valence": round(va[0] * (1 - i / n) - 0.5 * i / n, 3),
            "arousal": round(va[1] + 0.9 * i / n, 3),
        }
        for i in range(n)
    ]


def _static(cat="calm"):
    return {"category": cat, "intensity": 0.5, "valence": 0.4, "arousal": -0.4, "quadrant": "Q4"}


def _results(tmp_path: Path) -> Path:
    """A batch: the Bach audio fused with lyrics, its MIDI, and a plain-text lyrics file."""
    media = tmp_path / "media"
    media.mkdir()
    shutil.copy(AUDIO, media / AUDIO.name)
    mm = {
        "file": f"media/{AUDIO.name}",
        "model": "fusion",
        "modality": "multimodal",
        "duration": 33.9,
        "static": _static(),
        "dynamic": _dyn(58),
        "features": {"key": "A major", "tempo": 96.0},
        "modalities": {
            "music": {"static": _static(), "dynamic": _dyn(58, va=(0.3, -0.2))},
            "lyrics": {"static": _static("happy"), "dynamic": _dyn(58, va=(0.7, 0.1))},
            "video": {"missing": "no video stream"},
        },
        "fused": {"static": _static(), "dynamic": _dyn(58), "weights": {"music": 0.5, "lyrics": 0.5}},
    }
    midi = {
        "file": "media/piece.mid",
        "model": "symbolic",
        "modality": "symbolic",
        "duration": 20.0,
        "static": _static("tense"),
        "dynamic": _dyn(30),
    }
    txt = {
        "file": "media/words.txt",
        "model": "lyrics",
        "modality": "lyrics",
        "duration": None,
        "static": _static("sad"),
        "dynamic": [],
    }
    out = tmp_path / "results.jsonl"
    out.write_text("".join(json.dumps(r) + "\n" for r in (mm, midi, txt)))
    return out


def _data_of(page: str) -> dict:
    start = page.index('id="mvemo-data">') + len('id="mvemo-data">')
    return json.loads(page[start : page.index("</script>", start)].replace("<\\/", "</"))


def test_page_is_self_contained_and_embeds_small_media(tmp_path):
    res = _results(tmp_path)
    out = write_view(res, tmp_path / "v" / "view.html", media_root=tmp_path)
    page = out.read_text()
    for remote in ("http://", "https://", "//cdn", "<script src", "<link"):
        assert remote not in page.replace("http://www.w3.org/2000/svg", "")
    data = _data_of(page)
    assert [i["file"] for i in data["items"]] == [
        "media/bach_chorale_bwv66.6.mp3",
        "media/piece.mid",
        "media/words.txt",
    ]
    assert data["items"][0]["media"].startswith("data:audio/mpeg;base64,")
    assert [s["name"] for s in data["items"][0]["series"]] == ["music", "lyrics", "fused"]
    assert data["items"][0]["notes"] == ["video: missing: no video stream"]
    assert data["items"][1]["media"] is None and "clock" in data["items"][1]["media_note"]


def test_large_media_is_linked_relative_to_the_page(tmp_path):
    res = _results(tmp_path)
    page = build_view(read_results(res), media_roots=[tmp_path], out_dir=tmp_path / "v", embed_max_mb=0.01)
    item = _data_of(page)["items"][0]
    assert item["media"] == "../media/bach_chorale_bwv66.6.mp3" and "linked" in item["media_note"]


def test_bad_results_name_the_line(tmp_path):
    bad = tmp_path / "r.jsonl"
    bad.write_text('{"file": "a", "static": {}}\nnot json\n')
    with pytest.raises(DataError, match="r.jsonl:2"):
        read_results(bad)
    with pytest.raises(SystemExit):
        main(["view", str(bad), "--out", str(tmp_path / "x.html")])
    assert not (tmp_path / "x.html").exists()


@pytest.fixture
def browser():
    if not (os.access(CHROMIUM, os.X_OK) and os.access(CHROMEDRIVER, os.X_OK)):
        pytest.skip("chromium/chromedriver not installed (apt-get install chromium chromium-driver)")
    webdriver = pytest.importorskip("selenium.webdriver")
    from selenium.webdriver.chrome.service import Service

    opts = webdriver.ChromeOptions()
    opts.binary_location = CHROMIUM
    for arg in (
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--autoplay-policy=no-user-gesture-required",
        "--window-size=1300,1000",
        "--mute-audio",
    ):
        opts.add_argument(arg)
    # an explicit driver path: Selenium Manager (which downloads drivers) is never run
    driver = webdriver.Chrome(service=Service(executable_path=CHROMEDRIVER), options=opts)
    yield driver
    driver.quit()


def _wait(cond, timeout=20.0):
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        value = cond()
        if value:
            return value
        time.sleep(0.1)
    raise AssertionError("timed out waiting for the page")


def test_page_plays_seeks_and_moves_in_chromium(tmp_path, browser):
    from selenium.webdriver.common.action_chains import ActionChains
    from selenium.webdriver.common.by import By

    res = _results(tmp_path)
    out = tmp_path / "view.html"
    main(["view", str(res), "--media-root", str(tmp_path), "--out", str(out)])
    browser.get(out.as_uri())
    js = browser.execute_script
    _wait(lambda: js("return document.getElementById('media') && document.getElementById('media').readyState >= 1"))
    assert len(browser.find_elements(By.CSS_SELECTOR, "#files li")) == 3
    # the 28 circumplex words: none overlaps another
    boxes = js(
        "return [...document.querySelectorAll('#circ .cat-label')].map(t => {const b = t.getBBox(); "
        "return [b.x, b.y, b.x + b.width, b.y + b.height];})"
    )
    assert len(boxes) == 28
    clashes = [
        (i, j)
        for i in range(28)
        for j in range(i)
        if boxes[i][0] < boxes[j][2]
        and boxes[j][0] < boxes[i][2]
        and boxes[i][1] < boxes[j][3]
        and boxes[j][1] < boxes[i][3]
    ]
    assert clashes == []
    outside = [b for b in boxes if not (b[0] >= 0 and b[1] >= 0 and b[2] <= 400 and b[3] <= 400)]
    assert outside == []  # all inside the drawing
    cursor = browser.find_element(By.ID, "cursor")
    point = browser.find_element(By.ID, "point")
    x0, p0 = float(cursor.get_attribute("x1")), (point.get_attribute("cx"), point.get_attribute("cy"))
    js("window.mvemoPlay()")
    _wait(lambda: js("return document.getElementById('media').currentTime") > 6.0)
    x1 = float(cursor.get_attribute("x1"))
    assert x1 > x0  # the cursor follows the playback
    assert (point.get_attribute("cx"), point.get_attribute("cy")) != p0  # the point moves on the circumplex
    js("document.getElementById('media').pause()")
    # clicking at 3/4 of the timeline's width seeks there
    svg = browser.find_element(By.ID, "timeline")
    state = js("return {x0: mvemoView.x0, x1: mvemoView.x1, T: mvemoView.T}")
    w, w_svg = svg.size["width"], float(svg.get_attribute("width"))
    x_target = state["x0"] + 0.75 * (state["x1"] - state["x0"])
    ActionChains(browser).move_to_element_with_offset(svg, int(x_target * w / w_svg - w / 2), 0).click().perform()
    t = js("return document.getElementById('media').currentTime")
    assert t == pytest.approx(0.75 * state["T"], abs=0.5)
    _wait(lambda: abs(float(cursor.get_attribute("x1")) - x_target) < 3)
    browser.save_screenshot(str(tmp_path / "view.png"))
    assert (tmp_path / "view.png").stat().st_size > 10_000
    if os.access(SCREENSHOT.parent, os.W_OK):
        browser.save_screenshot(str(SCREENSHOT))
    # a MIDI record: no media, the play button runs the clock
    browser.find_elements(By.CSS_SELECTOR, "#files li")[1].click()
    x0 = float(browser.find_element(By.ID, "cursor").get_attribute("x1"))
    browser.find_element(By.ID, "play").click()
    _wait(lambda: float(browser.find_element(By.ID, "cursor").get_attribute("x1")) > x0 + 5)
    # plain-text lyrics: the true reason for an empty timeline
    browser.find_elements(By.CSS_SELECTOR, "#files li")[2].click()
    assert "no timing in plain-text lyrics" in browser.find_element(By.ID, "timeline").text
