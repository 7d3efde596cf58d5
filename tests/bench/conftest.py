"""Fixtures of the benchmark tests: tiny manifests (no real data), an OpenAI-compatible test server."""

from __future__ import annotations

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from mvemo.data import Item, write_manifest

CATS = ("happy", "sad", "calm", "tense")


def make_items(
    root: Path, n: int = 40, *, dynamic: bool = False, split: bool = True, media: str = "audio", suffix: str = ".wav"
) -> list[Item]:
    """``n`` items with (empty) media files under ``root``, static labels cycling over 4 categories."""
    items = []
    for i in range(n):
        rel = f"media/{i:03d}{suffix}"
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_bytes(b"")
        cat = CATS[i % 4]
        dyn = None
        if dynamic:
            dyn = [
                {"time": 2.5 + 0.5 * k, "category": CATS[(i + k // 3) % 4], "intensity": 0.5 if k % 2 else 0.3}
                for k in range(6)
            ]
        sp = None
        if split:
            sp = "test" if i % 10 == 0 else "validation" if i % 10 == 1 else "train"
        items.append(
            Item(
                f"toy:{i:03d}",
                "toy",
                "audio" if media == "audio" else "video",
                media={media: rel},
                duration=6.0 if dynamic else 30.0,
                static={"category": cat, "intensity": 0.5},
                dynamic=dyn,
                split=sp,
                root=root,
            )
        )
    return items


@pytest.fixture
def toy_manifest(tmp_path) -> Path:
    """A JSONL manifest of 40 audio items (4 test, 4 validation) with static and dynamic labels."""
    path = tmp_path / "toy.jsonl"
    write_manifest(make_items(tmp_path, dynamic=True), path)
    return path


class ChatServer:
    """A tiny OpenAI-compatible ``/v1/chat/completions`` server run in a thread.

    ``reply(body) -> str`` makes the answer; ``fail`` is a list of HTTP statuses returned,
    in order, before answers; ``delay`` seconds of work per request (to see concurrency).
    """

    def __init__(self) -> None:
        self.requests: list[dict] = []
        self.headers: list[dict] = []
        self.fail: list[int] = []
        self.delay = 0.0
        self.reply = lambda body: "Emotion Category: calm, Emotion Intensity: 0.3"
        self.in_flight = 0
        self.max_in_flight = 0
        self.lock = threading.Lock()
        server = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):  # keep the test output clean
                pass

            def do_POST(self):
                n = int(self.headers.get("Content-Length", 0))
                body = json.loads(self.rfile.read(n))
                with server.lock:
                    server.requests.append(body)
                    server.headers.append(dict(self.headers))
                    server.in_flight += 1
                    server.max_in_flight = max(server.max_in_flight, server.in_flight)
                    status = server.fail.pop(0) if server.fail else 200
                try:
                    time.sleep(server.delay)  # the work; the request is in flight until its answer is ready
                finally:
                    with server.lock:
                        server.in_flight -= 1
                if self.path != "/v1/chat/completions":
                    status = 404
                if status != 200:
                    data = json.dumps({"error": {"message": f"status {status}"}}).encode()
                    self.send_response(status)
                    if status == 429:
                        self.send_header("Retry-After", "0")
                else:
                    text = server.reply(body)
                    data = json.dumps(
                        {
                            "id": "x",
                            "object": "chat.completion",
                            "model": body["model"],
                            "choices": [
                                {"index": 0, "message": {"role": "assistant", "content": text}, "finish_reason": "stop"}
                            ],
                        }
                    ).encode()
                    self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}/v1"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def __enter__(self) -> ChatServer:
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture
def chat_server():
    with ChatServer() as server:
        yield server
