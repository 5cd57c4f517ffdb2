"""A bounded queue in front of the work: past ``max_in_flight`` requests, 503 and Retry-After.

Assessments run one at a time (the pipelines share a lock), each in a worker
thread. Without a bound, a burst of long texts queues without limit: every
caller waits longer and longer, the thread pool fills, and a single key
within its rate limit can keep the server overloaded. So at most
``max_in_flight`` work requests are admitted (one running, the rest
waiting); the next is refused at once with 503 and a Retry-After from the
recent service time, which a client can act on. ``/health`` and the page
are not work and are never queued here.
"""

from __future__ import annotations

import math
import time
from kanon.api.errors import error_response
from kanon.api.security import ASGIApp, Receive, Scope, Send

WORK_PATHS = frozenset({"/v1/assess", "/v1/rewrite"})


class Admission:
    """Admit up to ``max_in_flight`` POSTs to the work paths; refuse the rest with 503."""

    def __init__(self, app: ASGIApp, max_in_flight: int) -> None:
        self.app = app
        self.max_in_flight = max_in_flight
        self.in_flight = 0  # touched only on the event loop: no lock needed
        self._mean_s = 1.0  # recent service time per request, for Retry-After

    def retry_after(self) -> int:
        # the queue ahead drains one request at a time
        return max(1, math.ceil(self._mean_s * self.in_flight))

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope.get("method") != "POST" or scope["path"] not in WORK_PATHS:
            await self.app(scope, receive, send)
            return
        if self.in_flight >= self.max_in_flight:
            busy = error_response(503, "busy", "the server is at capacity; retry after the time in Retry-After",
                                  {"Retry-After": str(self.retry_after())})
            await busy(scope, receive, send)
            return
        self.in_flight += 1
        t0 = time.monotonic()
        try:
            await self.app(scope, receive, send)
        finally:
            self.in_flight -= 1
            took = time.monotonic() - t0
            # each admitted request waited for those ahead of it; its share is the service time
            self._mean_s = 0.8 * self._mean_s + 0.2 * took / max(1, self.in_flight + 1)
