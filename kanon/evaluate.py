"""Evaluation runs: the pipeline on gold files, and the metrics of docs/architecture.md."""

from __future__ import annotations

import json
import math
import time
from pathlib import Path
from typing import Any

from records.errors import InputError, KanonError, MalformedInputError
from records.types import Post
from flows.settings import Settings
from reasoners.metrics import KCase, k_metrics, span_metrics


def read_k_cases(path: Path) -> list[dict]:
    if not path.exists():
        raise InputError(f"gold file not found: {path}")
    cases = []
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
            float(row["k_ref"])
            if "posts" in row:  # a history: posts as {"text"} objects or strings, oldest first
                row["posts"] = [p["text"] if isinstance(p, dict) else p for p in row["posts"]]
                if not row["posts"] or not all(isinstance(t, str) for t in row["posts"]):
                    raise ValueError
            else:
                str(row["text"])
        except (json.JSONDecodeError, KeyError, TypeError, ValueError):
            raise MalformedInputError(f"{path.name} line {n}: needs 'id', 'text' (or 'posts', a history) "
                                      "and a numeric 'k_ref'") from None
        cases.append(row)
    return cases


def _short(component: str) -> str:
    """A component name without its version ("census-tables.v1" -> "census-tables")."""
    head, _, tail = component.rpartition(".v")
    return head if head and tail.isdigit() else component


def factor_sources(network) -> list[str]:
    """Per factor, "node=source": which estimator answered it ("?" marks a guess)."""
    out = []
    for n in network.nodes if network is not None else ():
        if n.estimate is not None:
            prov = n.estimate.provenance
            out.append(f"{n.id}={_short(prov.component)}{'?' if prov.guess else ''}")
        else:
            out.append(f"{n.id}=none")
    return out


def factor_details(network) -> list[dict]:
    """Per factor: node, parents, value and interval, component, source kind, dataset, year, note.

    Text-free: questions are left out (they quote attribute values).
    """
    out = []
    for n in network.nodes if network is not None else ():
        e = n.estimate
        row: dict = {"node": n.id, "parents": list(n.parents)}
        if e is not None:
            p = e.provenance
            row.update(value=e.value, low=e.low, high=e.high, component=p.component, source=p.source,
                       dataset=p.dataset, year=p.year, guess=p.guess, note=p.note)
        out.append(row)
    return out


def evaluate_k_cases(settings: Settings, gold: Path, reasoners: list[str], detector: str | None) -> dict:
    from flows.components import build_detector, build_pipeline

    cases = read_k_cases(gold)
    single = [i for i, c in enumerate(cases) if "posts" not in c]
    posts = [Post(id=str(cases[i].get("id", i)), text=cases[i]["text"]) for i in single]
    det = build_detector(settings, detector)
    det.load()
    disclosures = det.detect(posts)
    report: dict = {"gold": str(gold), "detector": det.name, "reasoners": {}}
    announced = False
    for name in reasoners:
        # The notice that text leaves the machine is said once per run, not per reasoner.
        pipe = build_pipeline(settings, reasoner=name, announce=not announced)
        announced = announced or hasattr(pipe.reasoner, "backend")
        pipe.detector = det
        pipe.with_contributions = False
        t0 = time.perf_counter()
        results: list[Any] = [None] * len(cases)
        for i, r in zip(single, pipe.assess_detected(posts, disclosures)):
            results[i] = r
        for i, c in enumerate(cases):
            if "posts" in c:  # as `kanon assess --history`: the posts assessed as one author
                try:
                    results[i] = pipe.assess_history(
                        str(c.get("id", i)), [Post(id=f"{c.get('id', i)}-{j}", text=t) for j, t in enumerate(c["posts"])])
                except KanonError as e:
                    results[i] = e
        elapsed = time.perf_counter() - t0
        rows, kcases = [], []
        for c, r in zip(cases, results):
            if isinstance(r, KanonError):
                rows.append({"id": c.get("id"), "k_ref": c["k_ref"], "error": r.to_dict()})
                continue
            kc = KCase(str(c.get("id")), float(c["k_ref"]), r.k, r.k_low, r.k_high)
            kcases.append(kc)
            rows.append({
                "id": c.get("id"), "k_ref": c["k_ref"], "k": r.k, "k_low": r.k_low, "k_high": r.k_high,
                "log10_error": kc.log_error, "sources": factor_sources(r.network),
                "factors": factor_details(r.network), "difficulty": c.get("difficulty"),
                "attributes": [a.category for a in r.attributes],
            })
        metrics = k_metrics(kcases)
        metrics["errors"] = sum("error" in r for r in rows)
        usage = reasoner_usage(pipe.reasoner)
        if usage and cases:
            metrics.update(cost_per_text(usage, len(cases)))
            report["reasoners"].setdefault(name, {})["usage"] = usage
        metrics["seconds_per_text"] = elapsed / max(1, len(cases))
        report["reasoners"][name] = {**report["reasoners"].get(name, {}), "metrics": metrics, "cases": rows}
    return report


def reasoner_usage(reasoner: object) -> dict:
    """A reasoner's counters (model calls, tokens, cache), whether ``usage`` is a property or a method."""
    usage = getattr(reasoner, "usage", None)
    if callable(usage):
        usage = usage()
    return dict(usage or {})


def cost_per_text(usage: dict, texts: int) -> dict:
    """Model calls and tokens per text (docs/architecture.md, "what is measured": cost), and the cache hit rate."""
    prompt, completion = usage.get("prompt_tokens", 0), usage.get("completion_tokens", 0)
    out = {
        "calls_per_text": usage.get("calls", 0) / texts,
        "prompt_tokens_per_text": prompt / texts,
        "completion_tokens_per_text": completion / texts,
        "tokens_per_text": (prompt + completion) / texts,
    }
    if "cache_hit_rate" in usage:
        out["cache_hit_rate"] = usage["cache_hit_rate"]
    return out


def read_hard_negatives(gold: Path, path: Path | None = None) -> set[str] | None:
    """Ids of the hard negatives: ``path``, else ``hard_negatives.txt`` beside the gold file, else None."""
    path = path or gold.parent / "hard_negatives.txt"
    if not path.exists():
        return None
    lines = path.read_text(encoding="utf-8").splitlines()
    return {x.strip() for x in lines if x.strip() and not x.startswith("#")}


def hard_negative_metrics(gold: list[list[tuple]], pred: list[list[tuple]]) -> dict:
    """On the posts that look like disclosures and mostly are not: how many predicted spans are
    right (partial-span precision), and how many posts get a span where the author discloses nothing."""
    m = span_metrics(gold, pred)
    empty = [p for g, p in zip(gold, pred) if not g]
    return {
        "posts": len(gold),
        "precision_partial": m["partial"]["precision"],
        "spans_predicted": sum(len(p) for p in pred),
        "spans_gold": sum(len(g) for g in gold),
        "posts_without_gold": len(empty),
        "false_alarm_rate_without_gold": (sum(1 for p in empty if p) / len(empty)) if empty else None,
    }


def evaluate_detectors(settings: Settings, gold: Path, names: list[str], hard_negatives: Path | None = None) -> dict:
    from flows.components import build_detector
    from reasoners.detector.corpus import CorpusError, read_jsonl

    if not gold.exists():
        raise InputError(f"gold file not found: {gold}")
    try:
        examples = read_jsonl(gold)
    except CorpusError as e:
        raise MalformedInputError(str(e)) from None
    posts = [Post(id=ex.id, text=ex.text) for ex in examples]
    gold_spans = [[(s.start, s.end, s.label) for s in ex.spans] for ex in examples]
    hard = read_hard_negatives(gold, hard_negatives)
    hard_idx = [i for i, ex in enumerate(examples) if hard is not None and ex.id in hard]
    report: dict = {"gold": str(gold), "detectors": {}}
    seen = set()
    for name in names:
        det = build_detector(settings, name)
        if det.name in seen:
            continue
        seen.add(det.name)
        det.load()
        t0 = time.perf_counter()
        pred = det.detect(posts)
        dt = time.perf_counter() - t0
        m = span_metrics(gold_spans, [[(d.start, d.end, d.label) for d in p] for p in pred])
        m["posts_per_second"] = len(posts) / dt if dt > 0 else math.inf
        if hard_idx:
            m["hard_negatives"] = hard_negative_metrics(
                [gold_spans[i] for i in hard_idx], [[(d.start, d.end, d.label) for d in pred[i]] for i in hard_idx])
        report["detectors"][det.name] = m
    return report
