"""``assess_history``: one assessment for everything a posting history reveals together.

The API stores the texts of a long history in kanon's store (as ``held``
posts under an author key unique to the request, so that no batch claims
them) and starts this flow with their ids. The flow loads the texts itself,
assesses them together (``Pipeline.assess_history``: detection per post,
attributes merged across posts) and writes the text-free assessment to the
store as the assessment of a placeholder post, ``result_post_id(author_key)``
(same author key, so that ``forget_author`` removes it with the texts). A
failure is stored on that post as a text-free reason. Parameters, results
and log lines hold ids, counts and component names only.
"""

from __future__ import annotations

import time
from typing import Any

from prefect import flow

from flows.common import check_database_url, engine_for, run_logger, text_free
from flows.pipeline_factory import DEFAULT_FACTORY, load_pipeline
from records.errors import InputError, KanonError
from records.types import Post
from storage import held_posts, repository as repo

HISTORY_SOURCE = "api-history"


def result_post_id(author_key: str) -> str:
    """The id of the placeholder post that holds a history run's assessment."""
    return f"{author_key}-result"


def placeholder(author_key: str) -> Post:
    """The placeholder post: its text names the run, never the user's texts."""
    return Post(
        id=result_post_id(author_key), text=f"[history result {author_key}]",
        author=author_key, source=HISTORY_SOURCE,
    )


def assess_stored_history(
    database_url: str, post_ids: list[str], author_key: str, pipeline: str, options: dict[str, Any]
) -> dict[str, Any]:
    """The flow's body, callable without Prefect (the API's fallback runs it in a thread)."""
    check_database_url(database_url)
    if not post_ids:
        raise InputError("a history run needs at least one post id")
    engine = engine_for(database_url)
    result_id = result_post_id(author_key)
    held_posts.hold_posts(engine, [placeholder(author_key)])
    log = run_logger()
    t0 = time.perf_counter()
    try:
        pipe = load_pipeline(pipeline, dict(options))
        posts = repo.load_posts(engine, post_ids)
        a = pipe.assess_history(result_id, posts)
        repo.save_assessment(engine, result_id, a, pipe.version, timings={"assess_s": time.perf_counter() - t0},
                            own_disclosures=False, texts=[p.text for p in posts])
    except KanonError as e:
        repo.mark_failed(engine, result_id, e)
        log.warning("history %s failed: %s", result_id, e.code)
        return {"result_post_id": result_id, "status": "failed", "posts": len(post_ids)}
    except Exception as e:  # a defect: stored by class name only, and the run fails
        repo.mark_failed(engine, result_id, e)
        log.error("history %s raised %s", result_id, type(e).__name__)
        raise
    log.info("history %s: %d posts, %d disclosures, %.2fs", result_id, len(posts), len(a.disclosures),
             time.perf_counter() - t0)
    return {"result_post_id": result_id, "status": "done", "posts": len(post_ids)}


@flow(name="assess-history", persist_result=False, log_prints=False, validate_parameters=True)
@text_free
def assess_history(
    database_url: str,
    post_ids: list[str],
    author_key: str,
    pipeline: str = DEFAULT_FACTORY,
    options: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """Assess stored posts together as one author's history; the result goes to the store.

    Returns ids and a status only; the assessment is read with
    ``storage.repository.results(post_ids=[result_post_id(author_key)])``.
    """
    return assess_stored_history(database_url, post_ids, author_key, pipeline, dict(options or {}))


# --- for the API: is Prefect there, and a run in the background ------------------------

RETRY_PREFECT_S = 60.0  # after Prefect failed to answer, ask again no sooner than this


class PrefectProbe:
    """Whether the Prefect API answers (the configured one, or an ephemeral server it starts).

    Asked once, on first use; after a failure, again no sooner than ``RETRY_PREFECT_S``.
    """

    def __init__(self) -> None:
        import threading

        self._lock = threading.Lock()
        self._ok: bool | None = None
        self._failed_at = 0.0

    def answers(self) -> bool:
        with self._lock:
            if self._ok or (self._ok is False and time.monotonic() - self._failed_at < RETRY_PREFECT_S):
                return bool(self._ok)
            try:
                from prefect.client.orchestration import get_client

                with get_client(sync_client=True) as client:
                    error = client.api_healthcheck()
                if error is not None:
                    raise error
                self._ok = True
            except Exception as e:  # noqa: BLE001 - Prefect unusable: the caller runs the body on a thread
                self._ok, self._failed_at = False, time.monotonic()
                run_logger().warning("Prefect API not usable (%s); history runs use a thread", type(e).__name__)
            return bool(self._ok)


def run_history_in_background(params: dict[str, Any], *, via_prefect: bool,
                              on_end: Any = None) -> str:
    """Start a history run on a daemon thread; ``"prefect"`` (a flow run) or ``"thread"`` (its body).

    ``params`` are ``assess_history``'s (ids and names only). ``on_end(ok)``
    is called when the run ends. The result is read from the store.
    """
    import threading

    runner = "prefect" if via_prefect else "thread"

    def work() -> None:
        ok = False
        try:
            if via_prefect:
                assess_history(**params)
            else:
                assess_stored_history(**params)
            ok = True
        except Exception as e:  # noqa: BLE001 - stored on the placeholder post by the body, by kind only
            run_logger().error("history %s raised %s", params.get("author_key"), type(e).__name__)
        finally:
            if on_end is not None:
                on_end(ok)

    threading.Thread(target=work, name=f"kanon-history-{runner}", daemon=True).start()
    return runner
