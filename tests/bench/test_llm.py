"""The LLM adapter against a local OpenAI-compatible server (127.0.0.1, random port)."""

from __future__ import annotations

import base64
import json
import logging
import re
import wave

import numpy as np
import pytest

from mvemo.bench.llm import ChatClient, LLMConfig, LLMModel, LLMRequestError, build_prompt
from mvemo.bench.runner import RunConfig, run_bench
from mvemo.bench.tasks import get_task
from mvemo.data import Item, write_manifest
from mvemo.errors import ParameterError
from mvemo.metrics import error_rate, parse_response
from mvemo.representation import CATEGORIES

KEY = "sk-test-SECRET-0123456789"


def lyrics_items(tmp_path, n=6):
    items = []
    for i in range(n):
        p = tmp_path / "lyrics" / f"{i}.txt"
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_text(f"song number {i}\nla la la", encoding="utf-8")
        items.append(
            Item(
                f"ly:{i}",
                "ly",
                "lyrics",
                media={"lyrics": f"lyrics/{i}.txt"},
                static={"category": "sad", "intensity": 0.5},
                split="test",
                root=tmp_path,
            )
        )
    return items


def model(server, tmp_path, **kw):
    kw.setdefault("max_retries", 3)
    return LLMModel(
        base_url=server.url,
        model="toy-llm",
        api_key=KEY,
        cache_dir=str(tmp_path / "cache"),
        log_path=str(tmp_path / "raw.jsonl"),
        sleep=lambda s: None,
        **kw,
    )


def test_prompt_lists_the_label_sets_and_format():
    p = build_prompt(get_task("music-dynamic"), window=(2.5, 7.5))
    assert all(c in p for c in CATEGORIES)
    assert "0.0, 0.1, 0.2" in p and "1.0" in p
    assert "Emotion Category: <category>, Emotion Intensity: <intensity>" in p
    assert "2.5 s to 7.5 s" in p


def test_correct_output_parsed(chat_server, tmp_path):
    chat_server.reply = lambda body: "**Emotion Category:** Sad, **Emotion Intensity:** 0.7"
    m = model(chat_server, tmp_path)
    preds = m.predict(lyrics_items(tmp_path, 3), task=get_task("lyrics-static"))
    assert [(p.category, p.intensity, p.error) for p in preds] == [("sad", 0.7, None)] * 3
    assert preds[0].raw.startswith("**Emotion Category:**")
    # The lyrics text went into the prompt; the body is a chat-completion request.
    body = chat_server.requests[0]
    assert body["model"] == "toy-llm" and body["messages"][0]["role"] == "system"
    assert "la la la" in body["messages"][1]["content"]


def test_malformed_outputs_count_in_error_rate(chat_server, tmp_path):
    answers = {
        "0": "Emotion Category: calm, Emotion Intensity: 0.3",
        "1": "I think it is calm.",
        "2": "Emotion Category: nostalgic, Emotion Intensity: 0.5",
        "3": "Emotion Category: sad, Emotion Intensity: 0.75",
    }
    chat_server.reply = lambda body: answers[re.search(r"song number (\d)", body["messages"][1]["content"]).group(1)]
    items = lyrics_items(tmp_path, 4)
    write_manifest(items, tmp_path / "ly.jsonl")
    rec = run_bench(
        RunConfig(
            task="lyrics-static",
            model="llm",
            data=str(tmp_path / "ly.jsonl"),
            data_home=str(tmp_path),
            eval_split="all",
            model_options={
                "base_url": chat_server.url,
                "model": "toy-llm",
                "api_key": KEY,
                "cache_dir": str(tmp_path / "cache"),
            },
        ),
        out_dir=tmp_path / "out",
    )
    assert rec["scores"]["error_rate"] == pytest.approx(0.75)
    assert rec["scores"]["n_invalid"] == 3
    # The raw-response log lets the ER be recomputed from the raw text.
    raw = [json.loads(line) for line in (tmp_path / "out" / rec["raw_responses"]).read_text().splitlines()]
    assert len(raw) == 4 and {r["item_id"] for r in raw} == {it.id for it in items}
    assert error_rate([r["response"] for r in raw]) == pytest.approx(0.75)
    assert [r["parse_error"] is None for r in raw] == [parse_response(r["response"]).ok for r in raw]


def test_retries_on_500_and_429(chat_server, tmp_path):
    chat_server.fail = [500, 429, 503]
    delays = []
    m = LLMModel(
        base_url=chat_server.url,
        model="toy-llm",
        cache_dir=str(tmp_path / "c"),
        max_retries=3,
        backoff=0.5,
        sleep=delays.append,
    )
    preds = m.predict(lyrics_items(tmp_path, 1), task=get_task("lyrics-static"))
    assert preds[0].category == "calm"
    assert len(chat_server.requests) == 4
    assert delays == [0.5, 1.0, 2.0]  # exponential backoff (Retry-After 0 does not shorten it)


def test_gives_up_after_retries_and_fails_fast_on_400(chat_server, tmp_path):
    cfg = LLMConfig(base_url=chat_server.url, model="m", max_retries=2, backoff=0.0)
    chat_server.fail = [500, 500, 500, 500]
    with pytest.raises(LLMRequestError, match="3 attempts"):
        ChatClient(cfg, sleep=lambda s: None).complete({"model": "m", "messages": []})
    assert len(chat_server.requests) == 3
    chat_server.fail = [400]
    with pytest.raises(LLMRequestError, match="HTTP 400"):
        ChatClient(cfg, sleep=lambda s: None).complete({"model": "m", "messages": []})
    assert len(chat_server.requests) == 4
    # A failed request is an invalid answer, not a crash.
    chat_server.fail = [500] * 10
    m = model(chat_server, tmp_path, max_retries=1)
    pred = m.predict(lyrics_items(tmp_path, 1), task=get_task("lyrics-static"))[0]
    assert pred.category is None and "attempts" in pred.error


def test_cache_on_rerun_sends_no_request(chat_server, tmp_path):
    items = lyrics_items(tmp_path, 5)
    task = get_task("lyrics-static")
    first = model(chat_server, tmp_path).predict(items, task=task)
    assert len(chat_server.requests) == 5
    m2 = model(chat_server, tmp_path)
    second = m2.predict(items, task=task)
    assert len(chat_server.requests) == 5
    assert m2.stats == {"requests": 0, "cached": 5, "failed": 0}
    assert [p.to_dict() for p in first] == [p.to_dict() for p in second]
    # Another model name or prompt (text) is another key.
    (tmp_path / "lyrics" / "0.txt").write_text("changed", encoding="utf-8")
    model(chat_server, tmp_path).predict(items, task=task)
    assert len(chat_server.requests) == 6


def test_concurrency_bound(chat_server, tmp_path):
    chat_server.delay = 0.05
    m = model(chat_server, tmp_path, concurrency=3)
    m.predict(lyrics_items(tmp_path, 12), task=get_task("lyrics-static"))
    assert len(chat_server.requests) == 12
    assert 2 <= chat_server.max_in_flight <= 3


def test_key_sent_but_never_logged(chat_server, tmp_path, caplog):
    chat_server.fail = [500, 500]
    caplog.set_level(logging.DEBUG)
    items = lyrics_items(tmp_path, 2)
    write_manifest(items, tmp_path / "ly.jsonl")
    rec = run_bench(
        RunConfig(
            task="lyrics-static",
            model="llm",
            data=str(tmp_path / "ly.jsonl"),
            data_home=str(tmp_path),
            eval_split="all",
            model_options={
                "base_url": chat_server.url,
                "model": "toy-llm",
                "api_key": KEY,
                "cache_dir": str(tmp_path / "cache"),
                "backoff": 0.0,
            },
        ),
        out_dir=tmp_path / "out",
    )
    assert chat_server.headers[0]["Authorization"] == f"Bearer {KEY}"
    assert "retry" in caplog.text  # the retries were logged ...
    assert KEY not in caplog.text  # ... without the key
    for f in (tmp_path / "out").iterdir():
        assert KEY not in f.read_text(encoding="utf-8"), f
    for f in (tmp_path / "cache").rglob("*.json"):
        assert KEY not in f.read_text(encoding="utf-8")
    assert rec["model_config"]["api_key_set"] is True
    assert "SECRET" not in repr(LLMConfig(base_url=chat_server.url, model="m", api_key=KEY))


def test_key_from_environment(chat_server, tmp_path, monkeypatch):
    monkeypatch.setenv("MVEMO_LLM_BASE_URL", chat_server.url)
    monkeypatch.setenv("MVEMO_LLM_MODEL", "env-model")
    monkeypatch.delenv("MVEMO_LLM_API_KEY", raising=False)
    monkeypatch.setenv("OPENAI_API_KEY", "sk-env")
    m = LLMModel(cache_dir=str(tmp_path / "c"))
    m.predict(lyrics_items(tmp_path, 1), task=get_task("lyrics-static"))
    assert chat_server.requests[0]["model"] == "env-model"
    assert chat_server.headers[0]["Authorization"] == "Bearer sk-env"


def _write_wav(path, seconds=8.0, sr=8000):
    t = np.arange(int(seconds * sr)) / sr
    pcm = (0.3 * np.sin(2 * np.pi * 440 * t) * 32767).astype("<i2")
    with wave.open(str(path), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(sr)
        w.writeframes(pcm.tobytes())


def test_audio_input_parts_and_dynamic_requests(chat_server, tmp_path):
    _write_wav(tmp_path / "a.wav")
    dyn = [{"time": t, "category": "calm", "intensity": 0.3} for t in (2.5, 3.0, 3.5)]
    item = Item(
        "au:0",
        "au",
        "audio",
        media={"audio": "a.wav"},
        duration=8.0,
        static={"category": "calm", "intensity": 0.3},
        dynamic=dyn,
        root=tmp_path,
    )
    m = model(chat_server, tmp_path, max_audio_seconds=None)
    pred = m.predict([item], task=get_task("music-static"))[0]
    assert pred.category == "calm"
    part = chat_server.requests[0]["messages"][1]["content"][1]
    assert part["type"] == "input_audio" and part["input_audio"]["format"] == "wav"
    assert base64.b64decode(part["input_audio"]["data"]) == (tmp_path / "a.wav").read_bytes()
    pred = m.predict([item], task=get_task("music-dynamic"))[0]
    assert [f["time"] for f in pred.dynamic] == [2.5, 3.0, 3.5]
    assert len(chat_server.requests) == 4  # one per grid time, each with its own 5-s segment
    texts = {
        re.search(r"from (.*?) s to (.*?) s", r["messages"][1]["content"][0]["text"]).groups()
        for r in chat_server.requests[1:]
    }
    assert texts == {("0.0", "5.0"), ("0.5", "5.5"), ("1.0", "6.0")}
    seg = chat_server.requests[1]["messages"][1]["content"][1]["input_audio"]["data"]
    with wave.open(__import__("io").BytesIO(base64.b64decode(seg))) as w:
        assert abs(w.getnframes() / w.getframerate() - 5.0) < 0.05


def test_refuses_tasks_the_endpoint_cannot_take(chat_server, tmp_path):
    m = model(chat_server, tmp_path, accepts=("text",))
    with pytest.raises(ParameterError, match="needs audio input"):
        m.predict([], task=get_task("music-static"))
    assert chat_server.requests == []
    with pytest.raises(ParameterError, match="unknown LLM option"):
        LLMModel(base_url=chat_server.url, model="m", temprature=0.1)
    with pytest.raises(ParameterError, match="base URL"):
        LLMConfig(base_url="", model="m")


def test_video_frames_as_image_parts(chat_server, tmp_path):
    cv2 = pytest.importorskip("cv2")
    path = tmp_path / "v.avi"
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*"MJPG"), 10.0, (32, 24))
    for k in range(80):  # 8 s
        writer.write(np.full((24, 32, 3), 3 * k, dtype=np.uint8))
    writer.release()
    item = Item(
        "vi:0",
        "vi",
        "video",
        media={"video": "v.avi"},
        duration=8.0,
        static={"category": "calm", "intensity": 0.3},
        root=tmp_path,
    )
    m = model(chat_server, tmp_path, n_frames=3, accepts=("image", "text"))
    assert m.predict([item], task=get_task("video-static"))[0].category == "calm"
    parts = chat_server.requests[0]["messages"][1]["content"]
    images = [p for p in parts if p["type"] == "image_url"]
    assert len(images) == 3 and all(p["image_url"]["url"].startswith("data:image/jpeg;base64,") for p in images)
    assert not any(p["type"] == "input_audio" for p in parts)  # not accepted: not sent


def test_cli_llm_options(chat_server, tmp_path):
    from click.testing import CliRunner

    from mvemo.cli.bench import bench

    write_manifest(lyrics_items(tmp_path, 3), tmp_path / "ly.jsonl")
    r = CliRunner().invoke(
        bench,
        [
            "run",
            "--task",
            "lyrics-static",
            "--model",
            "llm",
            "--data",
            str(tmp_path / "ly.jsonl"),
            "--eval-split",
            "all",
            "--out",
            str(tmp_path / "out"),
            "--llm-base-url",
            chat_server.url,
            "--llm-model",
            "cli-llm",
            "--llm-api-key",
            KEY,
            "--llm-accepts",
            "text",
            "--llm-concurrency",
            "2",
            "--option",
            f"cache_dir={tmp_path / 'cache'}",
            "--option",
            "temperature=0.5",
        ],
    )
    assert r.exit_code == 0, r.output
    assert "llm:cli-llm" in r.output and KEY not in r.output
    body = chat_server.requests[0]
    assert body["model"] == "cli-llm" and body["temperature"] == 0.5
    rec = json.loads(next((tmp_path / "out").glob("*__seed0.json")).read_text())
    assert rec["model_config"]["accepts"] == ["text"] and rec["model_config"]["concurrency"] == 2
    assert rec["config"]["model_options"]["api_key"] == "***"
