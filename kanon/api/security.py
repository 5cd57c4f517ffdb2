"""The API's guards, as plain ASGI middleware: errors, access log, body size, API key, rate limit.

Order, outermost first: ``GuardErrors`` (any exception becomes a typed 500
without details), ``AccessLog`` (method, path, status, duration; never a
body or a query string), ``BodyLimit`` (413), ``ApiKey`` (401) and
``RateLimit`` (429 with Retry-After).
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import math
import threading
import time
from collections import OrderedDict
from typing import Any, Awaitable, Callable

from kanon.api.errors import error_response

log = logging.getLogger(__name__)
access_log = logging.getLogger("kanon.api.access")

Scope = dict[str, Any]
Receive = Callable[[], Awaitable[dict[str, Any]]]
Send = Callable[[dict[str, Any]], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

# Open without a key: the health check and the web page with its files.
PUBLIC_PATHS = frozenset({"/health", "/", "/favicon.ico", "/openapi.json", "/docs"})
PUBLIC_PREFIXES = ("/static/", "/docs-static/")


def is_public(path: str) -> bool:
    return path in PUBLIC_PATHS or path.startswith(PUBLIC_PREFIXES)


class GuardErrors:
    """The last line: an exception that escaped everything else is a 500 with no details."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False

        async def tracking_send(message: dict[str, Any]) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, receive, tracking_send)
        except Exception as e:  # noqa: BLE001 - the point of this class
            log.error("unhandled %s on %s %s", type(e).__name__, scope.get("method"), scope.get("path"))
            if not started:
                await error_response(500, "internal_error", "internal error")(scope, receive, send)


class AccessLog:
    """One text-free line per request: method, path, status, milliseconds."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        t0 = time.perf_counter()
        status = 0

        async def logging_send(message: dict[str, Any]) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, logging_send)
        finally:
            access_log.info(
                "%s %s %d %.1fms", scope.get("method"), scope.get("path"), status, (time.perf_counter() - t0) * 1000
            )


class BodyLimit:
    """Refuse bodies over ``max_bytes`` with 413, by Content-Length or by counting what arrives."""

    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        too_big = error_response(413, "body_too_large", f"the request body is over {self.max_bytes} bytes")
        for name, value in scope.get("headers", ()):
            if name == b"content-length":
                try:
                    declared = int(value)
                except ValueError:
                    await error_response(400, "bad_request", "bad Content-Length")(scope, receive, send)
                    return
                if declared > self.max_bytes:
                    await too_big(scope, receive, send)
                    return
        # Read the whole body first (it is small by now), then replay it.
        chunks: list[bytes] = []
        size = 0
        more = scope.get("method") in ("POST", "PUT", "PATCH")
        while more:
            message = await receive()
            if message["type"] == "http.disconnect":
                return
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > self.max_bytes:
                await too_big(scope, receive, send)
                return
            chunks.append(chunk)
            more = message.get("more_body", False)
        body = b"".join(chunks)
        replayed = False

        async def replay() -> dict[str, Any]:
            nonlocal replayed
            if not replayed:
                replayed = True
                return {"type": "http.request", "body": body, "more_body": False}
            return await receive()

        await self.app(scope, replay, send)


def bearer_token(scope: Scope) -> str | None:
    for name, value in scope.get("headers", ()):
        if name == b"authorization":
            raw = value.decode("latin-1")
            scheme, _, token = raw.partition(" ")
            if scheme.lower() == "bearer" and token.strip():
                return token.strip()
    return None


def api_key_of(settings: Any) -> str | None:
    """The configured key (``settings.api_key``); an empty or blank one counts as none."""
    key = settings.api_key.get_secret_value().strip() if settings.api_key else ""
    return key or None


def client_address(scope: Scope) -> str:
    return "addr:" + str((scope.get("client") or ("?",))[0])


class ApiKey:
    """``Authorization: Bearer <key>`` on every path but the public ones, when a key is set.

    Failed attempts are limited per client address (``failed_per_minute``):
    past the limit every request from that address gets 429 until the bucket
    refills, right key or not, so a key cannot be guessed at network speed.
    """

    def __init__(self, app: ASGIApp, key: str | None, failed_per_minute: int = 10) -> None:
        self.app = app
        self.key = key.encode() if key else None
        self.failures = TokenBucket(failed_per_minute)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or self.key is None or is_public(scope["path"]) or scope.get("method") == "OPTIONS":
            await self.app(scope, receive, send)
            return
        address = client_address(scope)
        blocked = self.failures.peek(address)
        if blocked > 0:
            await _too_many(blocked, "too many failed authentications; wait and retry")(scope, receive, send)
            return
        token = bearer_token(scope)
        if token is None or not hmac.compare_digest(token.encode(), self.key):
            self.failures.take(address)
            why = "an API key is required (Authorization: Bearer <key>)" if token is None else "the API key is not valid"
            await error_response(401, "unauthorized", why, {"WWW-Authenticate": "Bearer"})(scope, receive, send)
            return
        await self.app(scope, receive, send)


def _too_many(wait: float, message: str) -> ASGIApp:
    return error_response(429, "rate_limited", message, {"Retry-After": str(max(1, math.ceil(wait)))})


class TokenBucket:
    """Per-client buckets of ``per_minute`` tokens, refilled continuously."""

    def __init__(self, per_minute: int, max_clients: int = 10_000) -> None:
        self.capacity = float(per_minute)
        self.rate = per_minute / 60.0
        self.max_clients = max_clients
        self._buckets: OrderedDict[str, tuple[float, float]] = OrderedDict()
        self._lock = threading.Lock()

    def take(self, client: str, now: float | None = None) -> float:
        """0 when a token was taken; otherwise the seconds until one is free."""
        now = time.monotonic() if now is None else now
        with self._lock:
            tokens, last = self._buckets.pop(client, (self.capacity, now))
            tokens = min(self.capacity, tokens + (now - last) * self.rate)
            wait = 0.0
            if tokens >= 1.0:
                tokens -= 1.0
            else:
                wait = (1.0 - tokens) / self.rate
            self._buckets[client] = (tokens, now)
            while len(self._buckets) > self.max_clients:
                self._buckets.popitem(last=False)
            return wait

    def peek(self, client: str, now: float | None = None) -> float:
        """0 when ``client`` has a token left; otherwise the seconds until it has one (nothing taken)."""
        now = time.monotonic() if now is None else now
        with self._lock:
            tokens, last = self._buckets.get(client, (self.capacity, now))
            tokens = min(self.capacity, tokens + (now - last) * self.rate)
            return 0.0 if tokens >= 1.0 else (1.0 - tokens) / self.rate


class RateLimit:
    """429 with Retry-After when a client runs out of tokens.

    A client is its API key when the server has one (the ``ApiKey`` guard
    before this one has checked it), else its address: a made-up bearer
    token never buys a fresh bucket.
    """

    def __init__(self, app: ASGIApp, per_minute: int, *, keyed: bool = False) -> None:
        self.app = app
        self.bucket = TokenBucket(per_minute)
        self.keyed = keyed

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or is_public(scope["path"]) or scope.get("method") == "OPTIONS":
            await self.app(scope, receive, send)
            return
        token = bearer_token(scope) if self.keyed else None
        client = "key:" + hashlib.sha256(token.encode()).hexdigest()[:16] if token else client_address(scope)
        wait = self.bucket.take(client)
        if wait > 0:
            await _too_many(wait, "too many requests; slow down")(scope, receive, send)
            return
        await self.app(scope, receive, send)
