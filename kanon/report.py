"""How an assessment is shown: the JSON contract of ``kanon assess --json`` and the risk words.

The JSON holds the post's own spans (the caller gave the text, and gets it
back annotated); nothing here is ever logged.
"""

from __future__ import annotations

from typing import Any

from kanon.records import Assessment, Estimate, Post

# Risk levels with their thresholds stated, so that a reader knows what "high" means.
RISK_LEVELS: tuple[tuple[float, str, str], ...] = (
    (10, "severe", "10 or fewer people match: the author is practically identified"),
    (1_000, "high", "up to a thousand people match: a determined reader could find the author"),
    (100_000, "moderate", "up to a hundred thousand people match"),
    (float("inf"), "low", "more than a hundred thousand people match"),
)


def risk_level(k: float) -> dict[str, Any]:
    for bound, level, meaning in RISK_LEVELS:
        if k <= bound:
            return {
                "level": level,
                "meaning": meaning,
                "thresholds": {name: b for b, name, _ in RISK_LEVELS if b != float("inf")},
            }
    raise AssertionError("unreachable")


def describe_k(k: float, low: float, high: float) -> str:
    """k in words a non-specialist understands."""
    def fmt(x: float) -> str:
        if x < 10:
            return f"{x:.0f}"
        if x < 1_000:
            return f"{round(x, -1):,.0f}"
        if x < 1_000_000:
            return f"{round(x, -3) / 1000:,.0f} thousand"
        if x < 1_000_000_000:
            return f"{x / 1e6:,.1f} million"
        return f"{x / 1e9:,.1f} billion"

    if k <= 1.5:
        return f"you are probably the only person in the world who matches this (range {fmt(low)} to {fmt(high)})"
    return f"about {fmt(k)} people in the world match this (likely between {fmt(low)} and {fmt(high)})"


def source_of(est: Estimate | None) -> str:
    if est is None:
        return "none"
    p = est.provenance
    parts = [p.component]
    if p.dataset:
        parts.append(p.dataset + (f" ({p.year})" if p.year else ""))
    if p.guess:
        parts.append("prior guess")
    return ": ".join(parts[:2]) + (" [guess]" if p.guess else "")


def assessment_to_json(post: Post | None, a: Assessment) -> dict[str, Any]:
    text = post.text if post is not None else None
    disclosures = [
        {
            "id": i,
            "start": d.start,
            "end": d.end,
            "label": d.label,
            "text": text[d.start:d.end] if text is not None else None,
            "score": round(d.score, 4),
            "source": d.provenance.component,
        }
        for i, d in enumerate(a.disclosures)
    ]
    attributes = [
        {
            "id": at.id,
            "category": at.category,
            "value": at.value,
            "facets": at.facets,
            "disclosure_ids": list(at.disclosure_ids),
        }
        for at in a.attributes
    ]
    factors = []
    if a.network is not None:
        for n in a.network.nodes:
            e = n.estimate
            factors.append(
                {
                    "node_id": n.id,
                    "role": n.role,
                    "question": n.question,
                    "attribute_ids": list(n.attribute_ids),
                    "parents": list(n.parents),
                    "value": e.value if e else None,
                    "low": e.low if e else None,
                    "high": e.high if e else None,
                    "kind": e.kind if e else None,
                    "source": source_of(e),
                    "provenance": e.provenance.model_dump(exclude_defaults=True) if e else None,
                    "scenarios": [
                        {"question": s.question, "value": s.estimate.value if s.estimate else None}
                        for s in n.scenarios
                    ],
                }
            )
    contributions = [
        {
            "attribute_id": c.attribute_id,
            "disclosure_ids": list(c.disclosure_ids),
            "k_without": c.k_without,
            "factor": c.factor,
            "k_generalised": c.k_generalised,
            "generalised_to": c.generalised_to,
        }
        for c in sorted(a.contributions, key=lambda c: -c.factor)
    ]
    riskiest = a.riskiest
    return {
        "k": a.k,
        "k_low": a.k_low,
        "k_high": a.k_high,
        "floor_applied": a.floor_applied,
        "summary": describe_k(a.k, a.k_low, a.k_high),
        "risk": risk_level(a.k),
        "disclosures": disclosures,
        "attributes": attributes,
        "factors": factors,
        "contributions": contributions,
        "riskiest": None
        if riskiest is None
        else {"attribute_id": riskiest.attribute_id, "disclosure_ids": list(riskiest.disclosure_ids),
              "k_without": riskiest.k_without, "factor": riskiest.factor},
        "detector": a.detector,
        "reasoner": a.reasoner,
        "versions": a.versions,
        "warnings": list(a.warnings),
        "usage": a.usage,
    }
