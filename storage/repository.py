"""The functions the flows and the shell call on kanon's store.

Each function takes an ``Engine`` and runs in its own transaction, so that a
crash between two calls leaves nothing half-written. Work is claimed under a
lease: ``claim_pending`` marks a batch of posts ``claimed`` until a deadline;
a finished post becomes ``done`` (or ``failed`` with a text-free reason) in
the same transaction that stores its result; a claim that is released, whose lease runs out, or whose owning process on
this host is gone (``storage.claim_owner``: no waiting out the lease after
``kill -9``) is claimable again.

On PostgreSQL the claim selects with ``FOR UPDATE SKIP LOCKED``, so that
concurrent workers take disjoint batches; on SQLite every writing
transaction begins ``IMMEDIATE`` (see ``storage.engine``), which serialises
claims.
"""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, NamedTuple

from sqlalchemy import Engine, delete, func, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from records.errors import InputError, KanonError, StorageError
from records.types import Assessment, Disclosure, Post
from storage.engine import reader
from storage.models import (
    AssessmentRow,
    DisclosureRow,
    EstimateCacheRow,
    FactorRow,
    PostRow,
    RunRow,
    utcnow,
)
from storage import claim_owner
from storage.text_free import text_free

DEFAULT_LEASE_S = 900


def content_hash(text: str, author: str | None = None) -> str:
    """The deduplication key of a post: its text, per author.

    Keyed by the author too, so that two people who post the same words have
    two rows, and forgetting one author never leaves (or takes) the other's.
    """
    key = (author or "") + "\x00" + text
    return hashlib.sha256(key.encode("utf-8", "surrogatepass")).hexdigest()


def new_post_id(text: str | None = None, author: str | None = None) -> str:
    """The id given to a post that arrives without one: random, so that an id never
    lets anyone confirm a guessed text (the arguments are accepted and ignored)."""
    return "p_" + uuid.uuid4().hex[:20]


class Added(NamedTuple):
    new: list[str]  # ids of posts stored now
    existing: list[str]  # ids of posts whose text was already stored (the stored id)


class Claim(NamedTuple):
    token: str
    post_ids: list[str]


@dataclass(frozen=True)
class StoredResult:
    """One post's outcome as stored: an assessment, or the reason it failed."""

    post_id: str
    status: str
    pipeline_version: str | None = None
    assessment: Assessment | None = None
    error: dict[str, str | None] | None = None


# --- posts --------------------------------------------------------------------


def add_posts(engine: Engine, posts: Iterable[Post]) -> Added:
    """Store posts not already stored, deduplicated by the sha256 of their text.

    A post whose text is already stored (under any id) counts as existing; a
    known id arriving with a different text is refused (``InputError``).
    """
    new: list[str] = []
    existing: list[str] = []
    with Session(engine) as s, s.begin():
        for post in posts:
            h = content_hash(post.text, post.author)
            known = s.scalar(select(PostRow.id).where(PostRow.content_hash == h))
            if known is not None:
                existing.append(known)
                continue
            if s.get(PostRow, post.id) is not None:
                raise InputError(f"post id {post.id!r} is already stored with a different text")
            s.add(
                PostRow(
                    id=post.id,
                    text=post.text,
                    author_key=post.author,
                    source=post.source,
                    content_hash=h,
                    created_at=utcnow(),
                )
            )
            s.flush()
            new.append(post.id)
    return Added(new, existing)


def load_posts(engine: Engine, post_ids: Sequence[str]) -> list[Post]:
    """The stored posts for ``post_ids``, in that order; an unknown id raises ``StorageError``."""
    with Session(reader(engine)) as s:
        rows = {r.id: r for r in s.scalars(select(PostRow).where(PostRow.id.in_(list(post_ids))))}
    missing = [i for i in post_ids if i not in rows]
    if missing:
        raise StorageError(f"{len(missing)} post(s) not in the store, first {missing[0]!r}")
    return [
        Post(id=r.id, text=r.text, author=r.author_key, source=r.source)
        for r in (rows[i] for i in post_ids)
    ]


def status_counts(engine: Engine) -> dict[str, int]:
    with Session(reader(engine)) as s:
        rows = s.execute(select(PostRow.status, func.count()).group_by(PostRow.status)).all()
    return {status: n for status, n in rows}


# --- claims -------------------------------------------------------------------


def claim_pending(engine: Engine, batch_size: int, *, lease_s: float = DEFAULT_LEASE_S) -> Claim:
    """Claim up to ``batch_size`` pending posts (or posts whose lease ran out), oldest first."""
    if batch_size < 1:
        raise InputError(f"batch size must be at least 1, got {batch_size}")
    token = claim_owner.new_token()
    now = utcnow()
    with Session(reader(engine)) as s:
        held = s.scalars(select(PostRow.lease_token).where(PostRow.status == "claimed").distinct()).all()
    dead = [t for t in held if claim_owner.owner_is_dead(t)]
    claimable = or_(
        PostRow.status == "pending",
        (PostRow.status == "claimed") & (PostRow.lease_until < now),
        (PostRow.status == "claimed") & PostRow.lease_token.in_(dead),  # its process is gone
    )
    # Two statements in one transaction: PostgreSQL may re-run a LIMIT subquery
    # inside an UPDATE and so claim more than asked. SKIP LOCKED lets
    # concurrent workers pass over each other's rows; the guard on the UPDATE
    # keeps a row claimed once even where the SELECT cannot lock (SQLite, whose
    # transaction holds the write lock from its start anyway).
    candidates = (
        select(PostRow.id)
        .where(claimable)
        .order_by(PostRow.created_at, PostRow.id)
        .limit(batch_size)
        .with_for_update(skip_locked=True)
    )
    with Session(engine) as s, s.begin():
        chosen = list(s.scalars(candidates))
        if not chosen:
            return Claim(token, [])
        stmt = (
            update(PostRow)
            .where(PostRow.id.in_(chosen), claimable)
            .values(
                status="claimed",
                lease_token=token,
                lease_until=now + timedelta(seconds=lease_s),
                attempts=PostRow.attempts + 1,
            )
            .returning(PostRow.id)
            .execution_options(synchronize_session=False)
        )
        ids = list(s.scalars(stmt))
    return Claim(token, sorted(ids))


def claimed_ids(engine: Engine, token: str) -> list[str]:
    """The ids of the posts still claimed under ``token``, sorted."""
    with Session(reader(engine)) as s:
        return sorted(s.scalars(select(PostRow.id).where(PostRow.status == "claimed", PostRow.lease_token == token)))


def release(engine: Engine, claim: Claim) -> int:
    """Return this claim's unfinished posts to pending; how many were released."""
    if not claim.post_ids:
        return 0
    stmt = (
        update(PostRow)
        .where(
            PostRow.id.in_(claim.post_ids),
            PostRow.status == "claimed",
            PostRow.lease_token == claim.token,
        )
        .values(status="pending", lease_token=None, lease_until=None)
        .execution_options(synchronize_session=False)
    )
    with Session(engine) as s, s.begin():
        return s.execute(stmt).rowcount or 0


def requeue_failed(engine: Engine) -> int:
    """Make every failed post pending again (after the cause was fixed)."""
    stmt = (
        update(PostRow)
        .where(PostRow.status == "failed")
        .values(status="pending", error_type=None, error_message=None)
        .execution_options(synchronize_session=False)
    )
    with Session(engine) as s, s.begin():
        return s.execute(stmt).rowcount or 0


# --- results --------------------------------------------------------------------


def save_disclosures(engine: Engine, post_id: str, disclosures: Sequence[Disclosure]) -> None:
    """Replace a post's stored disclosures by these."""
    with Session(engine) as s, s.begin():
        _replace_disclosures(s, post_id, disclosures)


def load_disclosures(engine: Engine, post_ids: Sequence[str]) -> list[list[Disclosure]]:
    """The stored disclosures of each post in ``post_ids``, one list per post."""
    from records.types import Provenance

    found: dict[str, list[Disclosure]] = {pid: [] for pid in post_ids}
    stmt = (
        select(DisclosureRow)
        .where(DisclosureRow.post_id.in_(list(post_ids)))
        .order_by(DisclosureRow.id)  # the order the detector gave them in
    )
    with Session(reader(engine)) as s:
        for r in s.scalars(stmt):
            found[r.post_id].append(
                Disclosure(post_id=r.post_id, start=r.start, end=r.end, label=r.label, score=r.score,
                           provenance=Provenance.model_validate(r.provenance))
            )
    return [found[pid] for pid in post_ids]


def _replace_disclosures(s: Session, post_id: str, disclosures: Sequence[Disclosure]) -> None:
    s.execute(delete(DisclosureRow).where(DisclosureRow.post_id == post_id))
    for d in disclosures:
        if d.post_id != post_id:
            raise StorageError(f"disclosure of post {d.post_id!r} saved under post {post_id!r}")
        s.add(
            DisclosureRow(
                post_id=post_id,
                start=d.start,
                end=d.end,
                label=d.label,
                score=d.score,
                component=d.provenance.component,
                provenance=d.provenance.model_dump(mode="json"),
            )
        )


def save_assessment(
    engine: Engine,
    post_id: str,
    assessment: Assessment,
    pipeline_version: str,
    *,
    timings: dict[str, float] | None = None,
    own_disclosures: bool = True,
    texts: Sequence[str] = (),
) -> bool:
    """Store an assessment and mark its post done, in one transaction.

    Idempotent: when this post already has an assessment by this pipeline
    version, nothing changes and the result is False. ``own_disclosures=False``
    is for an assessment of several posts (a history, stored on a placeholder
    post): its disclosures point into those posts and stay in its body only.
    """
    if assessment.post_id != post_id:
        raise StorageError(f"assessment of post {assessment.post_id!r} saved under post {post_id!r}")
    try:
        with Session(engine) as s, s.begin():
            post = s.get(PostRow, post_id)
            if post is None:
                raise StorageError(f"post {post_id!r} is not in the store")
            done = s.scalar(
                select(AssessmentRow.id).where(
                    AssessmentRow.post_id == post_id,
                    AssessmentRow.pipeline_version == pipeline_version,
                )
            )
            if done is not None:
                _finish(post, "done")
                return False
            body = text_free(assessment.model_dump(mode="json"), [post.text, *texts])
            row = AssessmentRow(
                post_id=post_id,
                pipeline_version=pipeline_version,
                k=assessment.k,
                k_low=assessment.k_low,
                k_high=assessment.k_high,
                floor_applied=assessment.floor_applied,
                reasoner=assessment.reasoner,
                detector=assessment.detector,
                versions=dict(assessment.versions),
                timings=dict(timings or {}),
                usage=jsonable(assessment.usage),
                body=body,
                created_at=utcnow(),
            )
            for node in (body.get("network") or {}).get("nodes") or ():
                est = node.get("estimate") or {}
                prov = est.get("provenance") or {}
                row.factors.append(
                    FactorRow(
                        node_id=node["id"],
                        role=node.get("role") or "factor",
                        parents={"ids": list(node.get("parents") or ())},
                        question=node.get("question") or "",
                        value=est.get("value"),
                        low=est.get("low"),
                        high=est.get("high"),
                        source=prov.get("source"),
                        provenance=prov,
                    )
                )
            s.add(row)
            if own_disclosures:
                _replace_disclosures(s, post_id, assessment.disclosures)
            _finish(post, "done")
    except IntegrityError:
        # A concurrent writer stored the same post and version first.
        return False
    return True


def _finish(post: PostRow, status: str) -> None:
    post.status = status
    post.lease_token = None
    post.lease_until = None
    if status == "done":
        post.error_type = None
        post.error_message = None


def jsonable(value: dict[str, Any]) -> dict[str, Any]:
    import json

    return json.loads(json.dumps(value, default=str))


def error_fields(error: BaseException) -> tuple[str, str | None]:
    """The stored form of an error: a code and, for kanon's own errors, their text-free message.

    Other exceptions may carry anything in their message (a library quoting
    its input), so only their class name is kept.
    """
    if isinstance(error, KanonError):
        return error.code, error.message
    return type(error).__name__, None


def mark_failed(engine: Engine, post_id: str, error: BaseException) -> None:
    """Mark a post failed with the reason; it stays failed until ``requeue_failed``."""
    code, message = error_fields(error)
    with Session(engine) as s, s.begin():
        post = s.get(PostRow, post_id)
        if post is None:
            raise StorageError(f"post {post_id!r} is not in the store")
        if post.status == "done":
            return
        _finish(post, "failed")
        post.error_type = code
        post.error_message = message


def results(
    engine: Engine,
    *,
    pipeline_version: str | None = None,
    post_ids: Sequence[str] | None = None,
    include_failed: bool = False,
    chunk: int = 200,
) -> Iterator[StoredResult]:
    """Stored assessments (and, when asked, failures), ordered by post id, streamed."""
    stmt = (
        select(PostRow.id, PostRow.status, PostRow.error_type, PostRow.error_message,
               AssessmentRow.pipeline_version, AssessmentRow.body)
        .outerjoin(AssessmentRow, AssessmentRow.post_id == PostRow.id)
        .order_by(PostRow.id, AssessmentRow.id)
    )
    if pipeline_version is not None:
        stmt = stmt.where(
            or_(AssessmentRow.pipeline_version == pipeline_version, AssessmentRow.id.is_(None))
        )
    if post_ids is not None:
        stmt = stmt.where(PostRow.id.in_(list(post_ids)))
    statuses = ["done", "failed"] if include_failed else ["done"]
    stmt = stmt.where(PostRow.status.in_(statuses))
    with Session(reader(engine)) as s:
        for pid, status, etype, emsg, version, body in s.execute(stmt.execution_options(yield_per=chunk)):
            if body is not None:
                yield StoredResult(pid, "done", version, Assessment.model_validate(body))
            elif status == "failed":
                yield StoredResult(pid, "failed", error={"type": etype, "message": emsg})


# --- deletion -------------------------------------------------------------------


def forget_post(engine: Engine, post_id: str) -> bool:
    """Delete a post and everything derived from it; False when it was not stored."""
    with Session(engine) as s, s.begin():
        return (s.execute(delete(PostRow).where(PostRow.id == post_id)).rowcount or 0) > 0


def post_ids_of(engine: Engine, author_key: str) -> list[str]:
    """The ids of an author's stored posts."""
    with Session(reader(engine)) as s:
        return sorted(s.scalars(select(PostRow.id).where(PostRow.author_key == author_key)))


def forget_author(engine: Engine, author_key: str) -> int:
    """Delete every post of an author and everything derived from them; how many posts."""
    with Session(engine) as s, s.begin():
        return s.execute(delete(PostRow).where(PostRow.author_key == author_key)).rowcount or 0


# --- the estimate cache -------------------------------------------------------------
