import json

import numpy as np
import pytest

pytest.importorskip("av")
pytest.importorskip("cv2")
pytest.importorskip("scenedetect")

from mvemo.features.faces import count_faces  # noqa: E402
from mvemo.features.visual import (  # noqa: E402
    FEATURE_NAMES,
    VisualFeatures,
    colourfulness,
    dominant_colours,
    extract_visual_features,
    frame_stats,
)
from mvemo.io.video import write_video  # noqa: E402

# contrasting shots (hue and brightness change at each cut)
SHOTS = [(230, 40, 40), (10, 10, 90), (250, 250, 210), (20, 120, 20)]


def _shot_video(path, cut_every=2.0, n=4, fps=15, size=(64, 36), moving=False):
    w, h = size
    frames = []
    for k in range(int(fps * cut_every * n)):
        img = np.full((h, w, 3), SHOTS[int(k / fps // cut_every) % len(SHOTS)], np.uint8)
        if moving:  # a bright square crossing the frame
            x = (3 * k) % (w - 10)
            img[10:20, x : x + 10] = 255 - img[10:20, x : x + 10]
        frames.append(img)
    return write_video(path, frames, fps=fps)


def test_frame_statistics():
    red = np.full((8, 8, 3), (255, 0, 0), np.uint8)
    b, s, c, hist, _ = frame_stats(red)
    assert b == 1.0 and s == 1.0 and hist[0] == 1.0 and hist.sum() == 1.0
    grey = np.full((8, 8, 3), 100, np.uint8)
    b, s, c, hist, _ = frame_stats(grey)
    assert abs(b - 100 / 255) < 1e-9 and s == 0 and c == 0 and hist.sum() == 0
    # Hasler-Suesstrunk: a two-colour image is more colourful than either uniform half
    half = np.concatenate([np.full((4, 8, 3), (255, 0, 0), np.uint8), np.full((4, 8, 3), (0, 0, 255), np.uint8)])
    assert colourfulness(half) > colourfulness(half[:4])


def test_dominant_colours_find_the_two_colours():
    rng = np.random.default_rng(0)
    red = np.column_stack([rng.integers(0, 3, 300), np.full(300, 250), np.full(300, 240)])  # H ~ 0 deg
    blue = np.column_stack([np.full(100, 120), np.full(100, 200), np.full(100, 100)])  # H = 240 deg
    dom = dominant_colours(np.concatenate([red, blue]).astype(np.uint8), k=2)
    assert [round(d["share"], 2) for d in dom] == [0.75, 0.25]
    assert dom[0]["hsv"][0] < 10 or dom[0]["hsv"][0] > 350
    assert abs(dom[1]["hsv"][0] - 240) < 2 and dom[1]["rgb"].startswith("#")


def test_cuts_motion_and_static_filter_on_synthetic_videos(tmp_path):
    feats, info = extract_visual_features(_shot_video(tmp_path / "shots.mp4"))
    assert info.n_frames == 120 and abs(feats.duration - 8.0) < 0.1
    assert np.allclose(feats.cut_times, [2.0, 4.0, 6.0], atol=1 / 15 + 1e-6)
    assert np.allclose(feats.shot_lengths, [2.0, 2.0, 2.0, 2.0], atol=0.1)
    s = feats.summary()
    assert s["cut_rate_per_min"] == pytest.approx(3 / 8 * 60, rel=0.01) and not s["is_static"]
    assert abs(s["shot_length_mean"] - 2.0) < 0.05 and s["faces_mean"] == 0
    assert s["motion_energy"] < 1.0  # flat shots: the cut frames are not motion
    json.dumps(s)
    # windows: the 11 frames around each grid time 2.5 ... 5.5
    win = feats.window_matrix()
    assert win.shape == (7, len(FEATURE_NAMES))
    cut_rate = win[:, FEATURE_NAMES.index("cut_rate")]
    # cuts in (t - 2.5, t + 2.5] per minute: e.g. t = 3.5 s holds the cuts at 2, 4 and 6 s
    assert (cut_rate / 12).tolist() == [2, 2, 3, 3, 2, 2, 2]
    moving, _ = extract_visual_features(_shot_video(tmp_path / "moving.mp4", moving=True), face_step=None)
    assert moving.summary()["motion_energy"] > 3 * max(s["motion_energy"], 0.1)
    assert np.all(np.isnan(moving.faces))  # face detection off


def test_still_image_video_is_static_and_cache_round_trip(tmp_path):
    img = np.zeros((36, 64, 3), np.uint8)
    img[:, :32] = (200, 180, 40)
    still = write_video(tmp_path / "still.mp4", [img] * 60, fps=5)  # 12 s: 3 static frames
    feats, _ = extract_visual_features(still, dynamic=False)
    assert feats.static_mask.sum() == 3 and len(feats.times) == 3
    assert feats.static_mse <= 2.0 and feats.is_static and len(feats.cut_times) == 0
    assert len(feats.dominant) >= 2 and abs(sum(d["share"] for d in feats.dominant) - 1) < 1e-3
    again = VisualFeatures.from_arrays(feats.to_arrays())
    assert again.summary() == feats.summary()


def test_face_counter_runs_on_a_blank_frame():
    assert count_faces(np.zeros((448, 448, 3), np.uint8)) == 0
