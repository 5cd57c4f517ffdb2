"""``kanon demo``: the main job on a handful of shipped posts, with the embedded defaults.

The same path as production, in small: the SQLite store under ``./.kanon/``
is created or migrated, the sample posts are ingested (deduplicated by
their text, so a second demo adds nothing), ``assess_batch`` runs through
Prefect (a temporary local server unless ``PREFECT_API_URL`` is set) over
whatever is pending, and each sample's assessment is read back from the
store and printed.
"""

from __future__ import annotations

from pathlib import Path

from rich.console import Console

from kanon.settings import Settings

SAMPLES = Path(__file__).resolve().parents[1] / "data" / "samples" / "posts.jsonl"


def run_demo(settings: Settings, samples: Path | None, out: Console, err: Console) -> None:
    from kanon.store import quiet_prefect

    quiet_prefect()  # before Prefect is imported
    from flows.common import engine_for
    from flows.ingest import read_posts
    from kanon.store import flow_database_url, run_batch, shown_url, upgrade
    from storage import repository as repo

    url = flow_database_url(settings.database_url)
    upgrade(url)
    posts = list(read_posts(samples or SAMPLES, max_chars=settings.max_text_chars))
    engine = engine_for(url)
    added = repo.add_posts(engine, posts)
    # A sample whose text was stored earlier (under any id) is shown under the stored id.
    stored_ids = list(added.new) + list(added.existing)
    err.print(f"kanon demo: {len(posts)} sample posts ({len(added.new)} new, {len(added.existing)} already stored) "
              f"in {shown_url(url)}")
    # The statistical reasoner; the bundled detector (the rules where no trained one is found).
    counts = run_batch(url, err=err, options={"reasoner": "statistical"}, batch_size=50, chunk_size=4,
                       task_runner="threads", max_workers=2)
    if counts["runs"]:
        err.print(f"assess_batch: {counts['done']} assessed, {counts['failed']} failed, "
                  f"in {counts['runs']} flow run(s)")
    by_id = {p.id: p for p in repo.load_posts(engine, stored_ids)}
    outcomes = {}
    for r in repo.results(engine, post_ids=stored_ids, include_failed=True):
        outcomes[r.post_id] = r  # the latest pipeline version wins (results are ordered)
    for pid in dict.fromkeys(stored_ids):
        _print_post(out, by_id[pid], outcomes.get(pid))


def _print_post(out: Console, post, stored) -> None:
    from kanon.cli import _fmt_k
    from kanon.report import assessment_to_json

    out.rule(f"[bold]{post.id}[/bold]")
    out.print(post.text, markup=False)
    if stored is None:
        out.print("[yellow]not assessed yet[/yellow] (another worker holds it, or run `kanon batch`)")
        return
    if stored.assessment is None:
        err = stored.error or {}
        out.print(f"[red]not assessed[/red] ({err.get('type')}): {err.get('message') or ''}")
        return
    data = assessment_to_json(post, stored.assessment)
    if data["disclosures"]:
        out.print("disclosures: " + "; ".join(f"[cyan]{d['label']}[/cyan] “{_esc(d['text'])}”" for d in data["disclosures"]))
    else:
        out.print("disclosures: none found")
    for f in data["factors"]:
        v = f["value"]
        shown = "-" if v is None else (f"{v:,.0f}" if f["kind"] == "count" else f"{v:.3g}")
        out.print(f"  {f['node_id']:>10}  {shown:>14}  {_esc(f['question'])}  [dim]({_esc(f['source'])})[/dim]")
    out.print(f"[bold]k ≈ {_fmt_k(data['k'])}[/bold]  (interval {_fmt_k(data['k_low'])} – {_fmt_k(data['k_high'])}); {data['summary']}")
    rk = data["riskiest"]
    if rk:
        attrs = {a["id"]: a for a in data["attributes"]}
        a = attrs[rk["attribute_id"]]
        out.print(f"riskiest disclosure: [bold]{a['category']}[/bold] ({_esc(str(a['value']))}) — without it k ≈ {_fmt_k(rk['k_without'])}")


def _esc(text: str) -> str:
    from rich.markup import escape

    return escape(text)
