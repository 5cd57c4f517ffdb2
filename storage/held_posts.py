"""Held posts: texts stored for one run only (the API's long histories), never claimed by a batch."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import Engine, delete, select
from sqlalchemy.orm import Session

from records.errors import InputError
from records.types import Post
from storage.models import PostRow, utcnow
from storage.repository import content_hash


HELD = "held"  # stored for one run, never claimed by a batch


def hold_posts(engine: Engine, posts: Sequence[Post]) -> list[str]:
    """Store texts for one run as ``held`` posts; their ids in order.

    A text already stored keeps its stored id (and its owner: forgetting this
    run's author does not delete it).
    """
    ids: list[str] = []
    with Session(engine) as s, s.begin():
        for post in posts:
            h = content_hash(post.text, post.author)
            known = s.scalar(select(PostRow.id).where(PostRow.content_hash == h))
            if known is not None:
                ids.append(known)
                continue
            if s.get(PostRow, post.id) is not None:
                raise InputError(f"post id {post.id!r} is already stored with a different text")
            s.add(PostRow(id=post.id, text=post.text, author_key=post.author, source=post.source,
                          content_hash=h, created_at=utcnow(), status=HELD))
            s.flush()
            ids.append(post.id)
    return ids


def forget_source_before(engine: Engine, source: str, before: datetime) -> int:
    """Delete the posts of ``source`` stored before ``before`` (a retention period); how many."""
    with Session(engine) as s, s.begin():
        stmt = delete(PostRow).where(PostRow.source == source, PostRow.created_at < before)
        return s.execute(stmt).rowcount or 0
