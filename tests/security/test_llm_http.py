"""#18 cases 2, 6, 7: the LLM client against a misbehaving OpenAI-compatible server on 127.0.0.1."""

from __future__ import annotations

import base64
import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from mvemo.bench.llm import ChatClient, LLMConfig, LLMRequestError
from mvemo.bench.runner import RunConfig, run_bench
from mvemo.data import Item, write_manifest

KEY = "sk-live-TOPSECRET-9f8e7d6c5b4a"
GOOD = "Emotion Category: calm, Emotion Intensity: 0.3"


def _completion(message) -> dict:
    return {"id": "x", "object": "chat.completion", "choices": [{"index": 0, "message": message}]}


class Bad:
    """A server whose behaviour is set per test by ``mode``; it records the headers it got."""

    def __init__(self) -> None:
        self.mode = "ok"
        self.headers: list[dict] = []
        self.redirect_to = ""
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):
                pass

            def _send(self, status, data: bytes, *, length=True, extra=()):
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                for k, v in extra:
                    self.send_header(k, v)
                if length:
                    self.send_header("Content-Length", str(len(data)))
                else:
                    self.send_header("Connection", "close")
                self.end_headers()
                try:
                    self.wfile.write(data)
                    self.wfile.flush()
                except OSError:
                    pass
                self.close_connection = True

            def do_POST(self):
                self.rfile.read(int(self.headers.get("Content-Length", 0)))
                server.headers.append(dict(self.headers))
                auth = self.headers.get("Authorization", "")
                m = server.mode
                if m == "ok":
                    self._send(200, json.dumps(_completion({"role": "assistant", "content": GOOD})).encode())
                elif m == "redirect":
                    self._send(302, b"", extra=[("Location", server.redirect_to)])
                elif m == "echo":  # the key comes back inside a valid answer
                    self._send(
                        200,
                        json.dumps(_completion({"role": "assistant", "content": f"{GOOD} (you sent {auth})"})).encode(),
                    )
                elif m == "error_echo":  # a 400 whose 300-character cut would split the key
                    self._send(400, ("x" * 290 + auth + "y" * 50).encode())
                elif m == "trickle":
                    body = json.dumps(_completion({"role": "assistant", "content": GOOD})).encode()
                    self.send_response(200)
                    self.send_header("Content-Length", str(len(body)))
                    self.end_headers()
                    for b in body:
                        try:
                            self.wfile.write(bytes([b]))
                            self.wfile.flush()
                        except OSError:
                            return
                        time.sleep(0.1)
                elif m == "huge":
                    self._send(
                        200, b" " * 3_000_000 + json.dumps(_completion({"content": GOOD})).encode(), length=False
                    )
                elif m == "huge_length":
                    self._send(200, b" " * 3_000_000)
                elif m in ("null", "string", "number", "parts", "list", "html"):
                    payload = {
                        "null": _completion(None),
                        "string": _completion("calm"),
                        "number": _completion({"role": "assistant", "content": 5}),
                        "parts": _completion({"content": [{"type": "text", "text": None}]}),
                        "list": [1, 2],
                    }.get(m)
                    data = b"<html>oops</html>" if m == "html" else json.dumps(payload).encode()
                    self._send(200, data)
                elif m == "500":
                    self._send(500, b'{"error": "down"}')

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.port = self.httpd.server_address[1]
        self.url = f"http://127.0.0.1:{self.port}/v1"
        threading.Thread(target=self.httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture
def bad():
    servers = [Bad(), Bad()]
    yield servers
    for s in servers:
        s.close()


def _client(url, **kw) -> ChatClient:
    kw.setdefault("max_retries", 0)
    return ChatClient(LLMConfig(base_url=url, model="m", api_key=kw.pop("api_key", KEY), **kw), sleep=lambda s: None)


BODY = {"model": "m", "messages": [{"role": "user", "content": "hi"}]}


def _items(tmp_path: Path, n=2) -> Path:
    items = []
    for i in range(n):
        p = tmp_path / "lyrics" / f"{i}.txt"
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_text(f"song {i}", encoding="utf-8")
        items.append(
            Item(
                f"ly:{i}",
                "ly",
                "lyrics",
                media={"lyrics": f"lyrics/{i}.txt"},
                static={"category": "calm", "intensity": 0.3},
                split="test",
                root=tmp_path,
            )
        )
    write_manifest(items, tmp_path / "ly.jsonl")
    return tmp_path / "ly.jsonl"


def _run(tmp_path, url, out="out", **opts):
    return run_bench(
        RunConfig(
            task="lyrics-static",
            model="llm",
            data=str(_items(tmp_path)),
            data_home=str(tmp_path),
            eval_split="all",
            model_options={
                "base_url": url,
                "model": "m",
                "api_key": KEY,
                "cache_dir": str(tmp_path / "cache"),
                "max_retries": 0,
                **opts,
            },
        ),
        out_dir=tmp_path / out,
    )


def _all_text(root: Path) -> str:
    return "\n".join(p.read_text("utf-8", "replace") for p in root.rglob("*") if p.is_file())


def test_redirect_to_another_port_is_refused_and_the_key_not_sent(bad):
    a, b = bad
    a.mode, a.redirect_to = "redirect", b.url + "/chat/completions"
    with pytest.raises(LLMRequestError, match="redirect") as exc:
        _client(a.url).complete(BODY)
    assert b.headers == []  # the other origin got nothing, least of all the key
    assert KEY not in str(exc.value)


def test_echoed_key_is_redacted_from_answer_record_log_and_cache(bad, tmp_path, caplog):
    a = bad[0]
    a.mode = "echo"
    rec = _run(tmp_path, a.url)
    assert a.headers[0]["Authorization"] == f"Bearer {KEY}"  # it was sent to the endpoint itself
    assert rec["predictions"][0]["est"]["category"] == "calm"
    dump = json.dumps(rec) + _all_text(tmp_path / "out") + _all_text(tmp_path / "cache") + caplog.text
    assert "***" in dump and KEY not in dump


def test_cut_error_body_never_holds_part_of_the_key(bad):
    a = bad[0]
    a.mode = "error_echo"
    with pytest.raises(LLMRequestError) as exc:
        _client(a.url).complete(BODY)
    assert KEY[:6] not in str(exc.value) and "***" in str(exc.value)


def test_password_in_base_url_is_used_but_never_written(bad, tmp_path):
    a = bad[0]
    url = a.url.replace("http://", "http://alice:PW-s3cr3t-77@")
    rec = _run(tmp_path, url, api_key=None)
    # api_key=None is overridden by _run's KEY; check the URL password instead.
    dump = json.dumps(rec) + _all_text(tmp_path / "out") + _all_text(tmp_path / "cache")
    assert "PW-s3cr3t-77" not in dump
    client = ChatClient(LLMConfig(base_url=url, model="m"), sleep=lambda s: None)
    assert client.complete(BODY)["text"] == GOOD
    assert a.headers[-1]["Authorization"] == "Basic " + base64.b64encode(b"alice:PW-s3cr3t-77").decode()
    assert "PW-s3cr3t-77" not in client.url and "PW-s3cr3t-77" not in json.dumps(client.config.public())


def test_trickling_server_hits_the_overall_deadline(bad):
    a = bad[0]
    a.mode = "trickle"  # 1 byte every 0.1 s: ~10 s for the whole answer
    t0 = time.monotonic()
    with pytest.raises(LLMRequestError, match="deadline"):
        _client(a.url, timeout=5.0, deadline=0.6).complete(BODY)
    assert time.monotonic() - t0 < 3.0


@pytest.mark.parametrize("mode", ["huge", "huge_length"])
def test_huge_body_is_capped(bad, mode):
    a = bad[0]
    a.mode = mode
    with pytest.raises(LLMRequestError, match="over the cap of 100000 bytes"):
        _client(a.url, max_response_bytes=100_000).complete(BODY)


@pytest.mark.parametrize("mode", ["null", "string", "number", "parts", "list", "html"])
def test_malformed_answers_are_invalid_entries_not_cached(bad, tmp_path, mode):
    a = bad[0]
    a.mode = mode
    rec = _run(tmp_path, a.url)  # no traceback; a run record is written
    est = rec["predictions"][0]["est"]
    assert est["category"] is None and "not a chat-completion answer" in est["error"]
    assert Path(rec["path"]).is_file()
    assert rec["llm_stats"]["failed"] == 2
    # The bad answer was not cached: the same run against a healthy server asks again.
    a.mode = "ok"
    n = len(a.headers)
    rec2 = _run(tmp_path, a.url, out="out2")
    assert len(a.headers) == n + 2 and rec2["predictions"][0]["est"]["category"] == "calm"


def test_cache_key_includes_base_url(bad, tmp_path):
    a, b = bad
    _run(tmp_path, a.url)
    _run(tmp_path, b.url, out="out2")
    assert len(a.headers) == 2 and len(b.headers) == 2  # another endpoint is asked, not served from a's cache


def test_500s_give_failed_entries_and_a_record(bad, tmp_path):
    a = bad[0]
    a.mode = "500"
    rec = _run(tmp_path, a.url)
    assert all(r["est"]["error"] and "HTTP 500" in r["est"]["error"] for r in rec["predictions"])
    assert rec["scores"]["error_rate"] == 1.0


def test_cli_deadline_and_size_options(bad, tmp_path):
    from click.testing import CliRunner

    from mvemo.cli.bench import bench

    a = bad[0]
    a.mode = "huge"
    r = CliRunner().invoke(
        bench,
        [
            "run",
            "--task",
            "lyrics-static",
            "--model",
            "llm",
            "--data",
            str(_items(tmp_path)),
            "--eval-split",
            "all",
            "--out",
            str(tmp_path / "out"),
            "--llm-base-url",
            a.url,
            "--llm-model",
            "m",
            "--llm-api-key",
            KEY,
            "--llm-deadline",
            "5",
            "--llm-max-response-bytes",
            "1000",
            "--option",
            f"cache_dir={tmp_path / 'c'}",
            "--option",
            "max_retries=0",
        ],
    )
    assert r.exit_code == 0, r.output
    rec = json.loads(next((tmp_path / "out").glob("*__seed0.json")).read_text())
    assert rec["model_config"]["deadline"] == 5.0 and rec["model_config"]["max_response_bytes"] == 1000
    assert "over the cap of 1000 bytes" in rec["predictions"][0]["est"]["error"]
