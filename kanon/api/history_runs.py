"""Long posting histories of the API: stored in kanon's store, assessed in the background, polled.

``HistoryRuns.submit`` stores the texts as ``held`` posts under an author key
unique to the request and starts ``flows.history.assess_history`` with their
ids only (``flows.history.run_history_in_background``): a Prefect flow run
when the Prefect API answers, its body on a plain thread otherwise (the run
then says ``runner: "thread"``). The shell holds no Prefect code: the flows
do the orchestration.

``HistoryRuns.status`` reads the outcome from kanon's store (the assessment,
or a text-free reason). Once a finished run is read, its texts and result are
deleted (``forget_author``); runs never read are deleted after
``RETENTION_S``.
"""

from __future__ import annotations

import logging
import threading
import uuid
from dataclasses import dataclass
from datetime import timedelta
from typing import Any, Callable, Literal

from records.errors import InputError
from records.types import Assessment, Post

log = logging.getLogger(__name__)

RETENTION_S = 600  # texts and results of a history run never read are deleted after this

Runner = Literal["prefect", "thread"]


class RunNotFound(InputError):
    code = "not_found"


@dataclass
class _Run:
    author_key: str
    runner: Runner
    status: str = "running"  # running | done | failed (of the background work; the store has the result)


@dataclass
class Accepted:
    run_id: str
    runner: Runner


class HistoryRuns:
    """History runs of the API: submit (store + background run) and status (store)."""

    def __init__(self, database_url: str, *, use_prefect: bool = True, retention_s: float = RETENTION_S) -> None:
        from flows.history import PrefectProbe

        self.database_url = database_url
        self.use_prefect = use_prefect
        self.retention_s = retention_s
        self._engine: Any = None
        self._lock = threading.Lock()
        self._runs: dict[str, _Run] = {}
        self._probe = PrefectProbe()

    # --- the store ------------------------------------------------------------------

    def engine(self) -> Any:
        with self._lock:
            if self._engine is None:
                from flows.common import engine_for
                from storage.migrate import upgrade

                upgrade(self.database_url)
                self._engine = engine_for(self.database_url)
            return self._engine

    def purge(self) -> int:
        """Delete the texts and results of history runs older than the retention period."""
        from flows.history import HISTORY_SOURCE
        from storage import held_posts, repository as repo
        from storage.models import utcnow

        n = held_posts.forget_source_before(self.engine(), HISTORY_SOURCE, utcnow() - timedelta(seconds=self.retention_s))
        if n:
            log.info("history retention: %d stored posts deleted", n)
        return n

    def _start_sweeper(self) -> None:
        """Purge on a timer too, so that unread texts go after the retention period even when no
        further history request comes."""
        with self._lock:
            if getattr(self, "_sweeper", None) is not None:
                return
            stop = threading.Event()
            self._sweeper = stop

        def sweep() -> None:
            while not stop.wait(min(60.0, max(1.0, self.retention_s / 4))):
                try:
                    self.purge()
                except Exception as e:  # noqa: BLE001 - a busy or dropped store: the next sweep will do
                    log.warning("history retention sweep failed (%s)", type(e).__name__)

        threading.Thread(target=sweep, name="kanon-history-sweeper", daemon=True).start()

    def close(self) -> None:
        stop = getattr(self, "_sweeper", None)
        if stop is not None:
            stop.set()

    def prefect_ready(self) -> bool:
        return self.use_prefect and self._probe.answers()

    # --- submit ----------------------------------------------------------------------

    def submit(self, texts: list[str], pipeline: str, options: dict[str, Any]) -> Accepted:
        from flows.history import HISTORY_SOURCE, run_history_in_background
        from storage import held_posts, repository as repo

        engine = self.engine()
        self.purge()
        self._start_sweeper()
        author_key = f"history-{uuid.uuid4().hex}"
        posts = [Post(id=f"{author_key}-{i}", text=t, author=author_key, source=HISTORY_SOURCE) for i, t in enumerate(texts)]
        post_ids = held_posts.hold_posts(engine, posts)
        params = {"database_url": self.database_url, "post_ids": post_ids, "author_key": author_key,
                  "pipeline": pipeline, "options": options}
        run_id = str(uuid.uuid4())
        via_prefect = self.prefect_ready()
        run = _Run(author_key, "prefect" if via_prefect else "thread")
        with self._lock:
            self._runs[run_id] = run

        def ended(ok: bool) -> None:
            run.status = "done" if ok else "failed"

        run_history_in_background(params, via_prefect=via_prefect, on_end=ended)
        log.info("history run %s: %d posts, %s", run_id, len(post_ids), run.runner)
        return Accepted(run_id, run.runner)

    # --- status ----------------------------------------------------------------------

    def status(self, run_id: str, render: Callable[[Assessment, dict[str, Post]], dict[str, Any]]) -> dict[str, Any]:
        """``{run_id, status, runner, result?, error?}``; a finished run is deleted once read."""
        from flows.history import result_post_id
        from storage import held_posts, repository as repo

        with self._lock:
            run = self._runs.get(run_id)
        if run is None:
            raise RunNotFound("no such run (unknown, expired, or its result was read)")
        engine = self.engine()
        out: dict[str, Any] = {"run_id": run_id, "status": "running" if run.status == "running" else run.status,
                               "runner": run.runner}
        stored = list(repo.results(engine, post_ids=[result_post_id(run.author_key)], include_failed=True))
        if stored and stored[0].assessment is not None:
            a = stored[0].assessment
            ids = sorted({d.post_id for d in a.disclosures if d.post_id})
            try:
                posts = {p.id: p for p in repo.load_posts(engine, ids)}
            except Exception:  # a shared text deleted meanwhile: spans without their text
                posts = {}
            out.update(status="done", result=render(a, posts))
        elif stored and stored[0].error:
            out.update(status="failed", error={k: v or "" for k, v in (stored[0].error or {}).items()})
        elif run.status == "failed":
            out.update(status="failed", error={"type": "run_failed", "message": "the history run failed"})
        elif run.status == "done":  # finished, yet no result: expired meanwhile
            raise RunNotFound("no such run (unknown, expired, or its result was read)")
        if out["status"] in ("done", "failed"):
            repo.forget_author(engine, run.author_key)
            with self._lock:
                self._runs.pop(run_id, None)
        return out
