"""Scripted "models" for the BRANCH tests: handlers for the scripted server."""

from __future__ import annotations

import json
from pathlib import Path
import re
from typing import Any

from records.types import Attribute
from tests.support.scripted_server import Reply, is_repair, last_user, question_of, step_of

K_DEV = Path(__file__).with_name("data") / "k_dev.jsonl"  # a copy of the shared dev cases


def attributes_of(case: dict[str, Any]) -> list[Attribute]:
    return [Attribute(id=f"a{i + 1}", category=a["category"], value=a["value"])
            for i, a in enumerate(case["attributes"])]


def attribute_ids(body: dict[str, Any]) -> list[str]:
    return re.findall(r"^- (a\d+) \(", last_user(body), re.M)


def chain_answer(ids: list[str], questions: list[str]) -> dict[str, Any]:
    """A decomposition: factor i conditioned on every earlier factor, attributes spread over factors 2..k."""
    nodes = [f"n{i + 1}" for i in range(len(questions))]
    holders = nodes[1:] or nodes
    order = [{"node": n, "attributes": []} for n in nodes]
    for j, a in enumerate(ids):
        order[nodes.index(holders[min(j, len(holders) - 1)])]["attributes"].append(a)
    return {
        "select": {"use": ids, "ignore": []},
        "order": order,
        "parents": {n: nodes[:i] for i, n in enumerate(nodes) if i},
        "questions": dict(zip(nodes, questions)),
    }


class ReferenceModel:
    """Answers as a careful analyst would: the k_dev cases' own factors.

    Questions are made self-contained (the base question in brackets), as the
    decompose prompt asks, so identical wording across cases means the same thing.
    """

    def __init__(self, cases: list[dict[str, Any]]) -> None:
        self.by_attrs = {}
        self.values: dict[str, float] = {}
        for c in cases:
            key = tuple(a["value"] for a in c["attributes"])
            base = c["factors"][0]["question"]
            qs = [base] + [f"{f['question']} [{base}]" for f in c["factors"][1:]]
            self.by_attrs[key] = qs
            for q, f in zip(qs, c["factors"]):
                self.values[q] = f["value"]

    def __call__(self, body: dict[str, Any]) -> Reply:
        step = step_of(body)
        if step == "decompose":
            values = tuple(re.findall(r"^- a\d+ \([A-Za-z_]+\): (.*)$", last_user(body), re.M))
            return Reply(text=json.dumps(chain_answer(attribute_ids(body), self.by_attrs[values])))
        if step == "estimate":
            v = self.values[question_of(body)]
            return Reply(text=json.dumps({"value": v, "low": v, "high": v, "confidence": 0.9}))
        raise AssertionError(step)


class ChainModel:
    """Answers any text: a chain (the world, then one factor per attribute), fixed answers.

    A count question gets ``count``, a share ``share`` (the same for every
    factor, so the k a network implies is ``count * share ** factors``), and
    a chain-of-thought call ``k``. ``networks`` records, per decompose call,
    the number of attributes it was given, so a test can say what k must be.
    """

    def __init__(self, count: float = 1_000_000, share: float = 0.5, k: float = 1000) -> None:
        self.count, self.share, self.k = count, share, k
        self.networks: list[int] = []

    def expected_k(self, attributes: int) -> float:
        return self.count * self.share ** attributes

    def __call__(self, body: dict[str, Any]) -> Reply:
        step = step_of(body)
        if step == "decompose":
            found = re.findall(r"^- (a\d+) \(([A-Za-z_]+)\): (.*)$", last_user(body), re.M)
            self.networks.append(len(found))
            questions = ["How many people live in the world?"] + [
                f"What share of the people of the earlier factors match {cat.lower()} {value}?"
                for _, cat, value in found
            ]
            return Reply(text=json.dumps(chain_answer([i for i, _, _ in found], questions)))
        if step == "estimate":
            count = question_of(body).startswith("How many")
            return Reply(text=json.dumps({"value": self.count if count else self.share}))
        if step == "cot":
            return Reply(text=json.dumps({"reasoning": "scripted", "k": self.k}))
        raise AssertionError(step)
