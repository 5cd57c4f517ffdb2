"""A scripted OpenAI-compatible chat server: a real HTTP server on 127.0.0.1, in a thread.

It answers ``POST /v1/chat/completions`` from a script: first from a queue
of canned ``Reply`` objects (for failure sequences: 500, 429 with
Retry-After, delays, malformed bodies), then from a ``handler`` called with
the request body. It records every request and the largest number of
requests in flight at once.
"""

from __future__ import annotations

import json
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


@dataclass
class Reply:
    texts: list[str] | None = None  # one choice per text; None: repeat ``text`` n times
    text: str = ""
    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0  # seconds before answering
    body: bytes | None = None  # a raw body (malformed JSON, HTML error pages)
    drop: bool = False  # close the connection without answering


Handler = Callable[[dict[str, Any]], Reply]


class _QuietServer(ThreadingHTTPServer):
    def handle_error(self, request: Any, client_address: Any) -> None:
        # A client that gave up (timeout tests) leaves a broken pipe behind: expected, not news.
        import sys

        if not isinstance(sys.exc_info()[1], (BrokenPipeError, ConnectionResetError)):
            super().handle_error(request, client_address)


class ScriptedServer:
    def __init__(self, handler: Handler | None = None, *, reject_response_format: bool = False) -> None:
        self.handler = handler
        self.queue: deque[Reply] = deque()
        self.requests: list[dict[str, Any]] = []
        self.reject_response_format = reject_response_format
        self.in_flight = 0
        self.max_in_flight = 0
        self._lock = threading.Lock()
        self._httpd: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    # --- lifecycle -------------------------------------------------------------

    def __enter__(self) -> "ScriptedServer":
        server = self

        class _H(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            # Headers and body go out in two writes: with Nagle's algorithm on, the body waits
            # for the client's delayed ACK (~40 ms on Linux), which real servers do not add.
            disable_nagle_algorithm = True

            def log_message(self, *args: Any) -> None:  # quiet
                pass

            def do_POST(self) -> None:  # noqa: N802
                server._serve(self)

        self._httpd = _QuietServer(("127.0.0.1", 0), _H)
        self._httpd.daemon_threads = True
        self._thread = threading.Thread(target=self._httpd.serve_forever, daemon=True)
        self._thread.start()
        return self

    def __exit__(self, *exc: Any) -> None:
        assert self._httpd is not None
        self._httpd.shutdown()
        self._httpd.server_close()

    @property
    def url(self) -> str:
        assert self._httpd is not None
        return f"http://127.0.0.1:{self._httpd.server_address[1]}/v1"

    def push(self, *replies: Reply) -> None:
        self.queue.extend(replies)

    # --- serving -----------------------------------------------------------------

    def _serve(self, h: BaseHTTPRequestHandler) -> None:
        length = int(h.headers.get("Content-Length") or 0)
        raw = h.rfile.read(length)
        with self._lock:
            self.in_flight += 1
            self.max_in_flight = max(self.max_in_flight, self.in_flight)
        try:
            body = json.loads(raw)
            with self._lock:
                self.requests.append(body)
                reply = self.queue.popleft() if self.queue else None
            if reply is None and self.reject_response_format and "response_format" in body:
                reply = Reply(status=400, body=b'{"error": {"message": "response_format not supported"}}')
            if reply is None:
                reply = self.handler(body) if self.handler else Reply(text="{}")
            if reply.delay:
                time.sleep(reply.delay)
            if reply.drop:
                h.close_connection = True
                h.connection.shutdown(2)
                return
            if reply.body is not None:
                payload = reply.body
            elif reply.status != 200:
                payload = json.dumps({"error": {"message": "scripted error"}}).encode()
            else:
                n = int(body.get("n") or 1)
                texts = reply.texts if reply.texts is not None else [reply.text] * n
                payload = json.dumps({
                    "id": "scripted",
                    "object": "chat.completion",
                    "model": body.get("model"),
                    "choices": [
                        {"index": i, "message": {"role": "assistant", "content": t}, "finish_reason": "stop"}
                        for i, t in enumerate(texts)
                    ],
                    "usage": {
                        "prompt_tokens": sum(len(m["content"].split()) for m in body["messages"]),
                        "completion_tokens": sum(len(t.split()) for t in texts),
                    },
                }).encode()
            h.send_response(reply.status)
            h.send_header("Content-Type", "application/json")
            h.send_header("Content-Length", str(len(payload)))
            for k, v in reply.headers.items():
                h.send_header(k, v)
            h.end_headers()
            h.wfile.write(payload)
        finally:
            with self._lock:
                self.in_flight -= 1


# --- helpers for scripting the BRANCH steps ----------------------------------------


def step_of(body: dict[str, Any]) -> str:
    """The BRANCH step a request belongs to, from its system prompt."""
    system = body["messages"][0]["content"]
    if system.startswith("You help estimate how many living people"):
        return "decompose"
    if system.startswith("You estimate one demographic quantity"):
        return "estimate"
    if system.startswith("A demographic question proved too hard"):
        return "generalise"
    if system.startswith("A demographic share is hard"):
        return "split"
    if system.startswith("You estimate how many living people"):
        return "cot"
    raise AssertionError("unknown step")


def last_user(body: dict[str, Any]) -> str:
    return [m for m in body["messages"] if m["role"] == "user"][-1]["content"]


def question_of(body: dict[str, Any]) -> str:
    """The question of the request's own prompt (a repair request repeats it further up)."""
    users = [m["content"] for m in body["messages"] if m["role"] == "user"]
    for content in reversed(users):
        for line in content.splitlines():
            if line.startswith("Question: "):
                return line[len("Question: "):]
    raise AssertionError("no question line")


def is_repair(body: dict[str, Any]) -> bool:
    return last_user(body).startswith("That answer could not be used")
