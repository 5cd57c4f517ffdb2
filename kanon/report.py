"""How an assessment is shown: the JSON contract of ``kanon assess --json`` and the risk words.

The JSON holds the post's own spans (the caller gave the text, and gets it
back annotated); nothing here is ever logged.
"""

from __future__ import annotations

from typing import Any

from records.types import Assessment, Estimate, Post

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


def _borrowed(est: Estimate | None) -> dict[str, str | None] | None:
    """A figure of another country (or the world's) standing in for the question's own."""
    if est is None or est.provenance.borrowed_from is None:
        return None
    p = est.provenance
    return {"from": p.borrowed_from, "for": p.used_for}


def borrowed_words(b: dict[str, str | None]) -> str:
    """"a figure for the United States, standing in for France (interval widened)"."""
    from reasoners.questions import country_name

    def name(code: str | None) -> str:
        if code is None or code.lower() == "world":
            return "the world"
        n = country_name(code)
        return f"the {n}" if n in ("United States", "United Kingdom", "Netherlands", "Philippines") else n

    return f"a figure for {name(b['from'])}, standing in for {name(b['for'])} (interval widened)"


def assessment_to_json(post: Post | None, a: Assessment) -> dict[str, Any]:
    text = post.text if post is not None else None
    disclosures = [
        {
            "id": i,
            "start": d.start,
            "end": d.end,
            "label": d.label,
            "label_name": label_words(d.label),
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
                    "borrowed": _borrowed(e),
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
        # A history's superseded values: which post's value counts, and where each was said.
        "contradictions": [
            {**c.model_dump(), "kept_at": _where(a, c.kept_disclosure_ids),
             "dropped_at": _where(a, c.dropped_disclosure_ids)}
            for c in a.contradictions
        ],
        "usage": a.usage,
    }


def _where(a: Assessment, ids) -> list[dict]:
    """Post id and offsets of disclosures, by their index in the assessment: never their text."""
    return [{"post_id": a.disclosures[i].post_id, "start": a.disclosures[i].start, "end": a.disclosures[i].end}
            for i in ids if 0 <= i < len(a.disclosures)]


# --- reading for people: the words, and the report at 80 columns ------------------

# What a person reads instead of a label code.
LABEL_WORDS: dict[str, str] = {
    "Age": "age", "Age_Gender": "age and gender", "Appearance": "appearance", "Contact": "contact",
    "Gender": "gender", "Husband_BF": "partner (husband or boyfriend)", "Wife_GF": "partner (wife or girlfriend)",
    "Location": "place", "Name": "name", "Pet": "pet", "Race_Nationality": "ethnicity or nationality",
    "Relationship_Status": "relationship", "Sexual_Orientation": "sexual orientation", "Education": "education",
    "Family": "family", "Finance": "money or housing", "Health": "health", "Mental_Health": "mental health",
    "Occupation": "job",
}


def label_words(label: str | None) -> str:
    return LABEL_WORDS.get(label or "", (label or "?").replace("_", " ").lower())


def fmt_k(x: float) -> str:
    return f"{x:,.0f}" if x >= 10 else f"{x:.2g}"


def _fmt_value(f: dict[str, Any]) -> str:
    v = f["value"]
    if v is None:
        return "-"
    return f"{v:,.0f}" if f["kind"] == "count" else f"{v:.3g}"


def _source_words(source: str) -> str:
    head, _, rest = source.partition(": ")
    head = head.rsplit(".v", 1)[0].replace("-", " ")
    return f"{head}: {rest}" if rest else head


def print_report(out: Any, data: dict[str, Any]) -> None:
    """The readable report of ``kanon assess``, laid out for an 80-column terminal first."""
    from rich.markup import escape

    out.rule("[bold]kanon[/bold]")
    out.print(f"[bold]{escape(data['summary'])}[/bold]")
    r = data["risk"]
    out.print(f"k = {fmt_k(data['k'])} (interval {fmt_k(data['k_low'])} – {fmt_k(data['k_high'])})")
    out.print(f"risk: [bold]{r['level']}[/bold] — {r['meaning']}")
    if data["floor_applied"]:
        out.print("[yellow]k is floored at 1: the disclosures together fit fewer than one person, "
                  "and the author exists.[/yellow]")
    out.print()
    if data["disclosures"]:
        out.print("[bold]What the text discloses[/bold]")
        for d in data["disclosures"]:
            where = f" (post {d['post_index'] + 1})" if d.get("post_index") is not None else ""
            shown = escape(d["text"]) if d.get("text") else "…"
            _item(out, "  •", f"{label_words(d['label'])}: “{shown}”{where}  [dim]{d['score']:.2f}[/dim]")
    else:
        out.print("No self-disclosures found.")
    out.print()
    out.print("[bold]How k is built[/bold] (a count, then the share of it that matches each detail)")
    for i, f in enumerate(data["factors"], 1):
        iv = "" if f["value"] is None else f"  [dim]({f['low']:.3g} – {f['high']:.3g})[/dim]"
        borrowed = f"\n[yellow]{escape(borrowed_words(f['borrowed']))}[/yellow]" if f.get("borrowed") else ""
        _item(out, f" {i:>2}.", f"{escape(f['question'])}\n{_fmt_value(f)}{iv}  "
              f"[dim]{escape(_source_words(f['source']))}[/dim]{borrowed}")
    attrs = {a["id"]: a for a in data["attributes"]}
    if data["contributions"]:
        out.print()
        out.print("[bold]What drives k[/bold] (k with each detail left out)")
        for c in data["contributions"]:
            a = attrs.get(c["attribute_id"], {})
            _item(out, "  •", f"{label_words(a.get('category'))} ({escape(str(a.get('value', '')))}): "
                  f"without it about {fmt_k(c['k_without'])} match (× {c['factor']:,.1f})")
        rk = data["riskiest"]
        if rk:
            a = attrs.get(rk["attribute_id"], {})
            out.print(f"Riskiest detail: [bold]{label_words(a.get('category'))}[/bold] "
                      f"({escape(str(a.get('value')))}); without it, k ≈ {fmt_k(rk['k_without'])}.")
    for w in data["warnings"]:
        _item(out, "[yellow]note:[/yellow]", escape(w))


def _item(out: Any, marker: str, body: str) -> None:
    """A list item whose wrapped lines stay indented under its first (a hanging indent)."""
    from rich.table import Table

    grid = Table.grid(padding=(0, 1))
    grid.add_column(no_wrap=True)
    grid.add_column(overflow="fold")
    grid.add_row(marker, body)
    out.print(grid)


def print_demo_post(out: Any, post: Post, stored: Any) -> None:
    """One sample of ``kanon demo``: its text (the user's own file), spans, factors and k."""
    from rich.markup import escape

    out.rule(f"[bold]{escape(post.id)}[/bold]")
    out.print(post.text, markup=False)
    if stored is None:
        out.print("[yellow]not assessed yet[/yellow] (another worker holds it, or run `kanon batch`)")
        return
    if stored.assessment is None:
        err = stored.error or {}
        out.print(f"[red]not assessed[/red] ({err.get('type')}): {escape(err.get('message') or '')}")
        return
    data = assessment_to_json(post, stored.assessment)
    if data["disclosures"]:
        out.print("discloses: " + "; ".join(f"[cyan]{label_words(d['label'])}[/cyan] “{escape(d['text'])}”"
                                            for d in data["disclosures"]))
    else:
        out.print("discloses: nothing found")
    for i, f in enumerate(data["factors"], 1):
        out.print(f" {i:>2}. {escape(f['question'])}  {_fmt_value(f)}  [dim]({escape(_source_words(f['source']))})[/dim]")
    out.print(f"[bold]k ≈ {fmt_k(data['k'])}[/bold]  (interval {fmt_k(data['k_low'])} – {fmt_k(data['k_high'])}); "
              f"{escape(data['summary'])}")
    rk = data["riskiest"]
    if rk:
        attrs = {a["id"]: a for a in data["attributes"]}
        a = attrs[rk["attribute_id"]]
        out.print(f"riskiest detail: [bold]{label_words(a['category'])}[/bold] ({escape(str(a['value']))}) "
                  f"— without it k ≈ {fmt_k(rk['k_without'])}")


def results_table(rows: Any) -> Any:
    """``kanon results``: one row per stored outcome (a Rich table), or None when there is none."""
    from rich.table import Table

    t = Table(title="Stored assessments")
    for c in ("post", "k", "interval", "risk", "riskiest detail"):
        t.add_column(c, overflow="fold")
    n = 0
    for row in rows:
        n += 1
        if "error" in row:
            t.add_row(row["id"], "failed", row["error"].get("type") or "", "", "")
            continue
        attrs = {a["id"]: a for a in row["attributes"]}
        rk = row["riskiest"]
        riskiest = ""
        if rk:
            a = attrs.get(rk["attribute_id"], {})
            riskiest = f"{label_words(a.get('category'))} ({a.get('value')})"
        t.add_row(row["id"], fmt_k(row["k"]), f"{fmt_k(row['k_low'])} – {fmt_k(row['k_high'])}",
                  row["risk"]["level"], riskiest)
    return t if n else None


K_METRICS = ("n", "within_0.5", "within_1.0", "mean_abs_log10_error", "spearman", "interval_coverage",
             "risk_understatement", "calls_per_text", "tokens_per_text", "cache_hit_rate")


def _fmt_metric(v: object) -> str:
    if v is None:
        return "-"
    return f"{v:.3f}" if isinstance(v, float) else str(v)


def k_evaluation_tables(title: str, report: dict[str, Any]) -> list[Any]:
    """``kanon evaluate k``: the metrics side by side, then each reasoner's cases."""
    from rich.table import Table

    t = Table(title=f"k on {title}")
    t.add_column("metric")
    for name in report["reasoners"]:
        t.add_column(name)
    for m in K_METRICS:
        t.add_row(m, *[_fmt_metric(report["reasoners"][r]["metrics"].get(m)) for r in report["reasoners"]])
    tables = [t]
    for name, rep in report["reasoners"].items():
        t = Table(title=f"cases — {name}")
        for c in ("id", "k_ref", "k̂", "interval", "log10 err"):
            t.add_column(c)
        for c in rep["cases"]:
            if "error" in c:
                t.add_row(c["id"], fmt_k(c["k_ref"]), "error", c["error"]["type"], "")
                continue
            t.add_row(c["id"], fmt_k(c["k_ref"]), fmt_k(c["k"]), f"{fmt_k(c['k_low'])}–{fmt_k(c['k_high'])}",
                      f"{c['log10_error']:.2f}")
        tables.append(t)
    return tables


def detector_evaluation_tables(title: str, report: dict[str, Any]) -> list[Any]:
    """``kanon evaluate detect``: F1 per label for each detector, and its false-positive rate."""
    from rich.table import Table

    out: list[Any] = []
    for name, m in report["detectors"].items():
        t = Table(title=f"{name} on {title} ({m['posts']} posts, {m['posts_per_second']:.0f} posts/s)")
        for c in ("label", "exact F1", "partial F1", "char F1", "support"):
            t.add_column(c)
        t.add_row("[bold]all[/bold]", f"{m['exact']['f1']*100:.1f}", f"{m['partial']['f1']*100:.1f}",
                  f"{m['char']['f1']*100:.1f}", str(m['exact']['support']))
        for lab, v in sorted(m["partial"]["per_label"].items()):
            t.add_row(lab, f"{m['exact']['per_label'].get(lab, {}).get('f1', 0)*100:.1f}", f"{v['f1']*100:.1f}",
                      f"{m['char']['per_label'].get(lab, {}).get('f1', 0)*100:.1f}", str(v["support"]))
        out.append(t)
        fpr = m["false_positive_rate_on_empty"]
        out.append(f"false-positive rate on posts that disclose nothing: "
                   f"{'-' if fpr is None else f'{fpr*100:.1f}%'} ({m['empty_posts']} posts)")
        h = m.get("hard_negatives")
        if h:
            alarm = h["false_alarm_rate_without_gold"]
            out.append(f"hard negatives ({h['posts']} posts): partial-span precision {h['precision_partial']*100:.1f}%, "
                       f"{h['spans_predicted']} spans found for {h['spans_gold']} of the author's; "
                       f"a span on {'-' if alarm is None else f'{alarm*100:.0f}%'} of the "
                       f"{h['posts_without_gold']} that disclose nothing")
    return out
