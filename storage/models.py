"""kanon's tables, as SQLAlchemy 2 typed models.

The text of a post lives in exactly one column, ``posts.text``; every other
table refers to a post by id and holds offsets, numbers, component names and
text-free provenance. Deleting a post deletes everything derived from it
(``ON DELETE CASCADE`` on every foreign key; SQLite enforces it because the
engine turns foreign keys on).
"""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

# Stable constraint names, so that migrations can refer to them on every database.
NAMING = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

POST_STATUSES = ("pending", "claimed", "done", "failed")


def utcnow() -> datetime:
    return datetime.now(timezone.utc)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)
    type_annotation_map = {dict[str, Any]: JSON, datetime: DateTime(timezone=True)}


class PostRow(Base):
    """A text to assess, with its work state (pending, claimed under a lease, done, failed)."""

    __tablename__ = "posts"

    id: Mapped[str] = mapped_column(String(200), primary_key=True)
    text: Mapped[str] = mapped_column(Text)
    author_key: Mapped[str | None] = mapped_column(String(200), index=True)
    source: Mapped[str | None] = mapped_column(String(200))
    content_hash: Mapped[str] = mapped_column(String(64), unique=True)  # sha256 of the text
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    status: Mapped[str] = mapped_column(String(16), default="pending")
    lease_token: Mapped[str | None] = mapped_column(String(64))
    lease_until: Mapped[datetime | None] = mapped_column()
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    error_type: Mapped[str | None] = mapped_column(String(100))  # a KanonError code or a class name
    error_message: Mapped[str | None] = mapped_column(Text)  # text-free by the errors' contract

    disclosures: Mapped[list[DisclosureRow]] = relationship(
        back_populates="post", cascade="all, delete-orphan", passive_deletes=True
    )
    assessments: Mapped[list[AssessmentRow]] = relationship(
        back_populates="post", cascade="all, delete-orphan", passive_deletes=True
    )

    def __repr__(self) -> str:  # never the text
        return f"PostRow(id={self.id!r}, status={self.status!r}, hash={self.content_hash[:8]})"


class DisclosureRow(Base):
    __tablename__ = "disclosures"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    post_id: Mapped[str] = mapped_column(ForeignKey("posts.id", ondelete="CASCADE"), index=True)
    start: Mapped[int] = mapped_column(Integer)
    end: Mapped[int] = mapped_column(Integer)
    label: Mapped[str] = mapped_column(String(40))
    score: Mapped[float] = mapped_column(Float)
    component: Mapped[str] = mapped_column(String(200))
    provenance: Mapped[dict[str, Any]] = mapped_column(default=dict)

    post: Mapped[PostRow] = relationship(back_populates="disclosures")


class AssessmentRow(Base):
    """One post assessed by one pipeline version; a second save of the pair is a no-op."""

    __tablename__ = "assessments"
    __table_args__ = (UniqueConstraint("post_id", "pipeline_version"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    post_id: Mapped[str] = mapped_column(ForeignKey("posts.id", ondelete="CASCADE"), index=True)
    pipeline_version: Mapped[str] = mapped_column(String(200))
    k: Mapped[float] = mapped_column(Float)
    k_low: Mapped[float] = mapped_column(Float)
    k_high: Mapped[float] = mapped_column(Float)
    floor_applied: Mapped[bool] = mapped_column(Boolean, default=False)
    reasoner: Mapped[str] = mapped_column(String(200))
    detector: Mapped[str] = mapped_column(String(200))
    versions: Mapped[dict[str, Any]] = mapped_column(default=dict)  # component -> name@version, prompts
    timings: Mapped[dict[str, Any]] = mapped_column(default=dict)  # seconds per stage
    usage: Mapped[dict[str, Any]] = mapped_column(default=dict)  # model calls, tokens, cost
    # The whole Assessment as JSON. It holds no post text, but attribute values
    # and sub-questions are derived from it: it is kanon's own store, deleted
    # with the post.
    body: Mapped[dict[str, Any]] = mapped_column()
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    post: Mapped[PostRow] = relationship(back_populates="assessments")
    factors: Mapped[list[FactorRow]] = relationship(
        back_populates="assessment", cascade="all, delete-orphan", passive_deletes=True
    )


class FactorRow(Base):
    """One node of an assessment's network: its sub-question and estimate with provenance."""

    __tablename__ = "factors"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    assessment_id: Mapped[int] = mapped_column(
        ForeignKey("assessments.id", ondelete="CASCADE"), index=True
    )
    node_id: Mapped[str] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(16))
    parents: Mapped[dict[str, Any]] = mapped_column(default=dict)  # {"ids": [...]}
    question: Mapped[str] = mapped_column(Text)
    value: Mapped[float | None] = mapped_column(Float)
    low: Mapped[float | None] = mapped_column(Float)
    high: Mapped[float | None] = mapped_column(Float)
    source: Mapped[str | None] = mapped_column(String(40))
    provenance: Mapped[dict[str, Any]] = mapped_column(default=dict)

    assessment: Mapped[AssessmentRow] = relationship(back_populates="factors")


class EstimateCacheRow(Base):
    """A cached answer to a sub-question, keyed by a sha256 (the question itself is not stored)."""

    __tablename__ = "estimate_cache"

    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    model: Mapped[str] = mapped_column(String(200))
    prompt_version: Mapped[str] = mapped_column(String(200))
    value: Mapped[dict[str, Any]] = mapped_column()
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class RunRow(Base):
    """One run of a flow over the store, with its counts."""

    __tablename__ = "runs"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    flow: Mapped[str] = mapped_column(String(100))
    flow_run_id: Mapped[str | None] = mapped_column(String(64))  # Prefect's id, when run by Prefect
    started: Mapped[datetime] = mapped_column(default=utcnow)
    finished: Mapped[datetime | None] = mapped_column()
    counts: Mapped[dict[str, Any]] = mapped_column(default=dict)


Index("ix_posts_status_created_at", PostRow.status, PostRow.created_at)
