"""Reasoners that decompose attributes into a network and estimate its factors."""

from __future__ import annotations

from reasoners.statistical.reasoner import IndependentReasoner, StatisticalReasoner

__all__ = ["IndependentReasoner", "StatisticalReasoner", "register"]


def register() -> None:
    from reasoners.registry import reasoners

    reasoners.register("statistical", lambda **kw: StatisticalReasoner(**kw))
    reasoners.register("independent", lambda **kw: IndependentReasoner(**kw))
