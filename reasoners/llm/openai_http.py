"""A backend for any OpenAI-compatible chat server (vLLM, SGLang, Ollama, llama.cpp, hosted APIs).

Async underneath: every request of a batch is sent at once, at most
``concurrency`` in flight — per backend, not per call. The backend runs
one event loop in a daemon thread with one HTTP client (kept-alive
connections) and one set of slots, and every ``generate`` call, from any
thread or event loop, runs its requests there: threads of a task runner
that share a pipeline share the server's limit. A free slot goes to the
smallest waiting batch first (then the oldest): a short round that ends a
task's work (a few estimates after a large decomposition round) is not
stuck behind other tasks' large rounds, so that task finishes and its
thread starts the next one while the server stays busy. Transient failures (429, 5xx, dropped
connections, timeouts, unreadable bodies) are retried with exponential
backoff and jitter, honouring ``Retry-After``; when retries run out a typed
``BackendError`` is raised. Structured output (``response_format`` with a
JSON schema) is used while the server accepts it; a server that refuses it
gets plain requests from then on and the caller's parser validates.
"""

from __future__ import annotations

import asyncio
import email.utils
import heapq
import ipaddress
import itertools
import concurrent.futures
import logging
import os
import random
import sys
import threading
import time
import weakref
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlparse

import httpx

from records.errors import BackendError, BackendRateLimited, BackendTimeout, BackendUnavailable
from reasoners.llm.base import Completion, GenerationRequest, Usage

log = logging.getLogger(__name__)

__all__ = ["OpenAIHTTPBackend", "OpenAIConfig", "is_local_url"]


@dataclass(frozen=True)
class OpenAIConfig:
    base_url: str  # e.g. http://127.0.0.1:8000/v1
    model: str = "default"  # the model name the server expects
    api_key: str | None = field(default=None, repr=False)  # a secret: kept out of repr and logs
    concurrency: int = 8  # requests in flight at once
    timeout_s: float = 60.0  # per HTTP request
    max_retries: int = 3  # retries after the first try, for transient failures only
    backoff_s: float = 0.5  # first backoff; doubles each retry, with jitter
    backoff_max_s: float = 30.0
    structured: bool = True  # send response_format while the server accepts it
    announce: bool = True  # say on stderr, once, before text goes to a non-local server


def is_local_url(url: str) -> bool:
    host = (urlparse(url).hostname or "").lower()
    if host in ("localhost", "") or host.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _retry_after(value: str | None) -> float | None:
    """Seconds from a Retry-After header (delta-seconds or an HTTP date)."""
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - time.time())


class _Transient(Exception):
    def __init__(self, error: BackendError, wait: float | None = None) -> None:
        self.error = error
        self.wait = wait


class _Slots:
    """A semaphore whose waiters are served by priority (lowest first), then in arrival order."""

    def __init__(self, size: int) -> None:
        self.free = size
        self.waiting: list[tuple[tuple[int, int], asyncio.Future[None]]] = []
        self.arrivals = itertools.count()

    async def acquire(self, priority: int) -> None:
        if self.free > 0 and not self.waiting:
            self.free -= 1
            return
        fut: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        heapq.heappush(self.waiting, ((priority, next(self.arrivals)), fut))
        try:
            await fut
        except asyncio.CancelledError:
            if fut.done() and not fut.cancelled():
                self.release()  # granted and cancelled at once: hand the slot on
            raise

    def release(self) -> None:
        while self.waiting:
            _, fut = heapq.heappop(self.waiting)
            if not fut.done():
                fut.set_result(None)
                return
        self.free += 1


class _SharedLoop:
    """An event loop in a daemon thread, holding the one client and the one limit all calls share."""

    def __init__(self) -> None:
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, name="kanon-openai-http", daemon=True)
        self.pid = os.getpid()
        self.client: httpx.AsyncClient | None = None
        self.slots: _Slots | None = None
        self.thread.start()

    def usable(self) -> bool:
        # A forked worker inherits the object but not the thread: it starts its own.
        return self.pid == os.getpid() and self.thread.is_alive() and not self.loop.is_closed()

    def stop(self) -> None:
        if not self.usable():
            return
        if threading.current_thread() is self.thread:  # collected on the loop itself
            self.loop.call_soon(self.loop.stop)
            return
        if self.client is not None:
            try:
                asyncio.run_coroutine_threadsafe(self.client.aclose(), self.loop).result(timeout=5)
            except Exception:  # closing is best effort; the sockets go with the process
                pass
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(timeout=5)
        if not self.thread.is_alive():
            self.loop.close()


class OpenAIHTTPBackend:
    name = "openai"

    def __init__(self, config: OpenAIConfig) -> None:
        if config.concurrency < 1:
            raise ValueError("concurrency must be at least 1")
        self.config = config
        self.model_id = f"openai:{config.model}"
        self.usage = Usage()
        self._structured = config.structured
        self._announced = not config.announce
        self._url = config.base_url.rstrip("/") + "/chat/completions"
        self._shared: _SharedLoop | None = None
        self._shared_lock = threading.Lock()

    # --- public, sync ----------------------------------------------------------

    def generate(self, requests: list[GenerationRequest]) -> list[list[Completion]]:
        """Sync wrapper; safe from any thread, and from inside a running event loop."""
        if not requests:
            return []
        shared = self._loop()
        try:
            running = asyncio.get_running_loop()
        except RuntimeError:
            running = None
        if running is shared.loop:
            raise RuntimeError("generate() called on the backend's own event loop; await agenerate() there")
        return self._submit(shared, requests).result()

    def close(self) -> None:
        """Stops the backend's event loop and closes its connections (a later call starts a new one)."""
        with self._shared_lock:
            shared, self._shared = self._shared, None
        if shared is not None:
            shared.stop()

    # --- async -----------------------------------------------------------------

    async def agenerate(self, requests: list[GenerationRequest]) -> list[list[Completion]]:
        """Awaitable from any event loop; the requests run on the backend's loop, under its one limit."""
        if not requests:
            return []
        shared = self._loop()
        if asyncio.get_running_loop() is shared.loop:
            return await self._run(shared, requests)
        return await asyncio.wrap_future(self._submit(shared, requests))

    def _loop(self) -> _SharedLoop:
        with self._shared_lock:
            if self._shared is None or not self._shared.usable():
                self._shared = _SharedLoop()
                weakref.finalize(self, self._shared.stop)  # no thread outlives its backend
            return self._shared

    def _submit(self, shared: _SharedLoop, requests: list[GenerationRequest]) -> concurrent.futures.Future:
        return asyncio.run_coroutine_threadsafe(self._run(shared, requests), shared.loop)

    async def _run(self, shared: _SharedLoop, requests: list[GenerationRequest]) -> list[list[Completion]]:
        self._announce()
        if shared.client is None or shared.slots is None:
            headers = {"Content-Type": "application/json"}
            if self.config.api_key:
                headers["Authorization"] = f"Bearer {self.config.api_key}"
            c = self.config.concurrency
            shared.client = httpx.AsyncClient(
                timeout=httpx.Timeout(self.config.timeout_s), headers=headers,
                limits=httpx.Limits(max_connections=c, max_keepalive_connections=c),
            )
            shared.slots = _Slots(c)
        client, slots, size = shared.client, shared.slots, len(requests)
        tasks = [asyncio.ensure_future(self._one(client, slots, size, r)) for r in requests]
        try:
            # Every request runs its course (its own retries), then the batch fails with the first
            # error, if any: the server sees the same requests however the failures interleave.
            results = await asyncio.gather(*tasks, return_exceptions=True)
        except BaseException:  # the caller gave up: the batch's requests give their slots back
            for t in tasks:
                t.cancel()
            raise
        for r in results:
            if isinstance(r, BaseException):
                raise r
        return list(results)  # type: ignore[arg-type]

    def _announce(self) -> None:
        if not self._announced and not is_local_url(self.config.base_url):
            host = urlparse(self.config.base_url).hostname
            print(f"kanon: text will be sent to a remote language model at {host}", file=sys.stderr)
        self._announced = True

    async def _one(self, client: httpx.AsyncClient, slots: _Slots, priority: int,
                   req: GenerationRequest) -> list[Completion]:
        out: list[Completion] = []
        # A server that ignores ``n`` returns fewer choices: ask again for the rest.
        for _ in range(req.n):
            missing = req.n - len(out)
            if missing <= 0:
                break
            out.extend(await self._with_retries(client, slots, priority, req, missing))
        return out[: req.n]

    async def _with_retries(self, client: httpx.AsyncClient, slots: _Slots, priority: int,
                            req: GenerationRequest, n: int) -> list[Completion]:
        attempt = 0
        while True:
            try:
                await slots.acquire(priority)
                try:
                    return await self._post(client, req, n)
                finally:
                    slots.release()
            except _Transient as t:
                if attempt >= self.config.max_retries:
                    raise t.error from None
                delay = min(self.config.backoff_max_s, self.config.backoff_s * 2 ** attempt)
                delay *= 0.5 + random.random()  # jitter: spread retries of a batch apart
                if t.wait is not None:
                    delay = max(delay, t.wait)
                attempt += 1
                self.usage.add(retries=1)
                log.info("backend %s: %s, retry %d in %.2fs", self.name, t.error.code, attempt, delay)
                await asyncio.sleep(delay)

    def _payload(self, req: GenerationRequest, n: int, structured: bool) -> dict[str, Any]:
        body: dict[str, Any] = {
            "model": self.config.model,
            "messages": [{"role": m.role, "content": m.content} for m in req.messages],
            "n": n,
            "max_tokens": req.max_tokens,
            "temperature": req.temperature,
        }
        if req.stop:
            body["stop"] = list(req.stop)
        if structured and req.json_schema is not None:
            body["response_format"] = {
                "type": "json_schema",
                "json_schema": {"name": req.schema_name, "schema": req.json_schema, "strict": False},
            }
        return body

    async def _post(self, client: httpx.AsyncClient, req: GenerationRequest, n: int) -> list[Completion]:
        structured = self._structured and req.json_schema is not None
        try:
            resp = await client.post(self._url, json=self._payload(req, n, structured))
            if structured and resp.status_code in (400, 422):
                # The server does not take response_format (or this schema): plain from now on.
                log.info("backend %s: structured output refused (HTTP %d); using plain requests",
                         self.name, resp.status_code)
                self._structured = False
                resp = await client.post(self._url, json=self._payload(req, n, False))
        except httpx.TimeoutException:
            raise _Transient(BackendTimeout(f"no answer from the server within {self.config.timeout_s}s"))
        except httpx.TransportError as e:
            raise _Transient(BackendUnavailable(f"connection failed ({type(e).__name__})"))

        status = resp.status_code
        if status == 429:
            wait = _retry_after(resp.headers.get("retry-after"))
            raise _Transient(BackendRateLimited("the server is rate limiting (HTTP 429)", wait), wait)
        if status >= 500:
            raise _Transient(BackendUnavailable(f"server error (HTTP {status})"),
                             _retry_after(resp.headers.get("retry-after")))
        if status >= 400:
            raise BackendError(f"the server refused the request (HTTP {status})")
        try:
            data = resp.json()
            choices = data["choices"]
            completions = [
                Completion(
                    text=str(c["message"].get("content") or ""),
                    finish_reason=c.get("finish_reason"),
                )
                for c in choices
            ]
        except (ValueError, KeyError, TypeError, AttributeError):
            raise _Transient(BackendUnavailable("the server's answer is not a chat completion")) from None
        usage = data.get("usage") or {}
        p_tok = int(usage.get("prompt_tokens") or 0)
        c_tok = int(usage.get("completion_tokens") or 0)
        self.usage.add(calls=1, prompt_tokens=p_tok, completion_tokens=c_tok)
        if completions:
            share = c_tok // len(completions)
            completions = [
                c.model_copy(update={"prompt_tokens": p_tok if i == 0 else 0, "completion_tokens": share})
                for i, c in enumerate(completions)
            ]
        return completions
