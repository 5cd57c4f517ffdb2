"""Long posting histories: stored in kanon's store, assessed by a Prefect flow run, polled.

``HistoryRuns.submit`` stores the texts as ``held`` posts under an author key
unique to the request, then starts ``flows.history.assess_history`` with
their ids only: a flow run created against the configured Prefect API
(``PREFECT_API_URL``, or Prefect's ephemeral server when none is set) and
run in this process on a background thread. Where Prefect cannot be reached
(its start-up or health check fails), the same flow body runs on a plain
thread and the run says ``runner: "thread"``.

``HistoryRuns.status`` reads the outcome from kanon's store (the assessment,
or a text-free reason) and, before there is one, the flow run's state from
Prefect. Once a finished run is read, its texts and result are deleted
(``forget_author``); runs never read are deleted after ``RETENTION_S``.
"""

from __future__ import annotations

import logging
import threading
import time
import uuid
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any, Callable, Literal

from records.errors import InputError
from records.types import Assessment, Post

log = logging.getLogger(__name__)

RETENTION_S = 3600  # texts and results of a history run never read are deleted after this
RETRY_PREFECT_S = 60.0  # after Prefect failed to answer, try it again no sooner than this
FLOW_NAME = "assess_history"

Runner = Literal["prefect", "thread"]


class RunNotFound(InputError):
    code = "not_found"


@dataclass
class _ThreadRun:
    author_key: str
    status: str = "pending"  # pending | running | done | failed


@dataclass
class Accepted:
    run_id: str
    runner: Runner


@dataclass
class _Prefect:
    """Whether Prefect answers; probed once on a background thread, again after a failure."""

    ready: threading.Event = field(default_factory=threading.Event)
    done: threading.Event = field(default_factory=threading.Event)
    failed_at: float | None = None
    lock: threading.Lock = field(default_factory=threading.Lock)
    started: bool = False


class HistoryRuns:
    """History runs of the API: submit (store + flow run) and status (store + Prefect)."""

    def __init__(self, database_url: str, *, use_prefect: bool = True, retention_s: float = RETENTION_S) -> None:
        self.database_url = database_url
        self.use_prefect = use_prefect
        self.retention_s = retention_s
        self._engine: Any = None
        self._lock = threading.Lock()
        self._threads: dict[str, _ThreadRun] = {}
        self._prefect = _Prefect()

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
        from storage import repository as repo
        from storage.models import utcnow

        n = repo.forget_source_before(self.engine(), HISTORY_SOURCE, utcnow() - timedelta(seconds=self.retention_s))
        if n:
            log.info("history retention: %d stored posts deleted", n)
        return n

    # --- Prefect ---------------------------------------------------------------------

    def _probe(self) -> None:
        p = self._prefect
        try:
            from prefect.client.orchestration import get_client

            with get_client(sync_client=True) as client:  # starts the ephemeral server when no API is set
                error = client.api_healthcheck()
            if error is not None:
                raise error
            p.failed_at = None
            p.ready.set()
        except Exception as e:  # Prefect unusable: the thread runner takes over
            p.failed_at = time.monotonic()
            log.warning("Prefect API not usable (%s); history runs use a thread", type(e).__name__)
        finally:
            p.done.set()

    def prefect_ready(self) -> bool:
        """Start (once) and wait for the probe; False when Prefect did not answer."""
        if not self.use_prefect:
            return False
        p = self._prefect
        with p.lock:
            retry = p.done.is_set() and not p.ready.is_set() and (
                p.failed_at is None or time.monotonic() - p.failed_at > RETRY_PREFECT_S
            )
            if not p.started or retry:
                p.started = True
                p.done.clear()
                threading.Thread(target=self._probe, name="kanon-prefect-probe", daemon=True).start()
        p.done.wait()  # bounded by Prefect's own start-up and request timeouts
        return p.ready.is_set()

    # --- submit ----------------------------------------------------------------------

    def submit(self, texts: list[str], pipeline: str, options: dict[str, Any]) -> Accepted:
        from flows.history import HISTORY_SOURCE, assess_history, assess_stored_history
        from storage import repository as repo

        engine = self.engine()
        self.purge()
        author_key = f"history-{uuid.uuid4().hex}"
        posts = [Post(id=f"{author_key}-{i}", text=t, author=author_key, source=HISTORY_SOURCE) for i, t in enumerate(texts)]
        post_ids = repo.hold_posts(engine, posts)
        params = {"database_url": self.database_url, "post_ids": post_ids, "author_key": author_key,
                  "pipeline": pipeline, "options": options}
        if self.prefect_ready():
            try:
                from prefect.client.orchestration import get_client
                from prefect.flow_engine import run_flow

                with get_client(sync_client=True) as client:
                    flow_run = client.create_flow_run(assess_history, parameters=params, tags=["kanon", "api"])
                threading.Thread(
                    target=run_flow, name=f"kanon-history-{str(flow_run.id)[:8]}", daemon=True,
                    kwargs={"flow": assess_history, "flow_run": flow_run, "parameters": params, "return_type": "state"},
                ).start()
                log.info("history run %s: %d posts, prefect", flow_run.id, len(post_ids))
                return Accepted(str(flow_run.id), "prefect")
            except Exception as e:
                log.warning("Prefect flow run not created (%s); history run uses a thread", type(e).__name__)
        run_id = uuid.uuid4().hex
        run = _ThreadRun(author_key)
        with self._lock:
            self._threads[run_id] = run

        def work() -> None:
            run.status = "running"
            try:
                assess_stored_history(**params)
                run.status = "done"
            except Exception as e:
                run.status = "failed"
                log.error("history run %s raised %s", run_id, type(e).__name__)

        threading.Thread(target=work, name=f"kanon-history-{run_id[:8]}", daemon=True).start()
        log.info("history run %s: %d posts, thread", run_id, len(post_ids))
        return Accepted(run_id, "thread")

    # --- status ----------------------------------------------------------------------

    def status(self, run_id: str, render: Callable[[Assessment, dict[str, Post]], dict[str, Any]]) -> dict[str, Any]:
        """``{run_id, status, runner, result?, error?}``; a finished run is deleted once read."""
        from flows.history import result_post_id
        from storage import repository as repo

        with self._lock:
            thread_run = self._threads.get(run_id)
        if thread_run is not None:
            author_key, state, runner = thread_run.author_key, thread_run.status, "thread"
        else:
            author_key, state = self._prefect_run(run_id)
            runner = "prefect"
        engine = self.engine()
        out: dict[str, Any] = {"run_id": run_id, "status": state, "runner": runner}
        stored = list(repo.results(engine, post_ids=[result_post_id(author_key)], include_failed=True))
        if stored and stored[0].assessment is not None:
            a = stored[0].assessment
            ids = sorted({d.post_id for d in a.disclosures if d.post_id})
            try:
                posts = {p.id: p for p in repo.load_posts(engine, ids)}
            except Exception:  # a shared text deleted meanwhile: spans without their text
                posts = {}
            out.update(status="done", result=render(a, posts))
        elif stored:
            out.update(status="failed", error={k: v or "" for k, v in (stored[0].error or {}).items()})
        elif state == "failed":
            out["error"] = {"type": "run_failed", "message": "the history run failed"}
        elif state == "done":  # finished, and its result already read or expired
            raise RunNotFound("no such run (unknown, expired, or its result was read)")
        if out["status"] in ("done", "failed"):
            repo.forget_author(engine, author_key)
            with self._lock:
                self._threads.pop(run_id, None)
        return out

    def _prefect_run(self, run_id: str) -> tuple[str, str]:
        """(author key, pending | running | done | failed) of a Prefect flow run of this flow."""
        try:
            rid = uuid.UUID(run_id)
        except ValueError:
            raise RunNotFound("no such run (unknown, expired, or its result was read)") from None
        if not self._prefect.ready.is_set():  # no run was submitted to Prefect by this process
            raise RunNotFound("no such run (unknown, expired, or its result was read)")
        from prefect.client.orchestration import get_client
        from prefect.exceptions import ObjectNotFound

        try:
            with get_client(sync_client=True) as client:
                fr = client.read_flow_run(rid)
        except ObjectNotFound:
            raise RunNotFound("no such run (unknown, expired, or its result was read)") from None
        author_key = fr.parameters.get("author_key") if isinstance(fr.parameters, dict) else None
        if not isinstance(author_key, str) or not author_key.startswith("history-"):
            raise RunNotFound("no such run (unknown, expired, or its result was read)")
        state = fr.state
        if state is None or state.type.value in ("SCHEDULED", "PENDING"):
            return author_key, "pending"
        if state.type.value in ("RUNNING", "PAUSED", "CANCELLING"):
            return author_key, "running"
        if state.type.value == "COMPLETED":
            return author_key, "done"
        return author_key, "failed"
