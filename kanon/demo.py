"""``kanon demo``: the main job on a handful of shipped posts, with the embedded defaults."""

from __future__ import annotations

from pathlib import Path

from rich.console import Console

from kanon.errors import KanonError
from kanon.settings import Settings

SAMPLES = Path(__file__).resolve().parents[1] / "data" / "samples" / "posts.jsonl"


def run_demo(settings: Settings, samples: Path | None, out: Console, err: Console) -> None:
    from kanon.cli import _fmt_k
    from kanon.components import build_pipeline
    from kanon.inputs import read_jsonl
    from kanon.records import Post
    from kanon.report import assessment_to_json

    path = samples or SAMPLES
    lines = [ln for ln in read_jsonl(path) if ln.error is None]
    posts = [Post(id=ln.id or f"#{i}", text=ln.text or "") for i, ln in enumerate(lines)]
    pipe = build_pipeline(settings)
    err.print(f"kanon demo: {len(posts)} sample posts; detector {pipe.detector.name}, reasoner {pipe.reasoner.name}, store {settings.database_url}")
    results = pipe.assess(posts)
    for post, res in zip(posts, results):
        out.rule(f"[bold]{post.id}[/bold]")
        out.print(post.text)
        if isinstance(res, KanonError):
            out.print(f"[red]not assessed[/red] ({res.code}): {res.message}")
            continue
        data = assessment_to_json(post, res)
        if data["disclosures"]:
            out.print("disclosures: " + "; ".join(f"[cyan]{d['label']}[/cyan] “{d['text']}”" for d in data["disclosures"]))
        else:
            out.print("disclosures: none found")
        for f in data["factors"]:
            v = f["value"]
            shown = "-" if v is None else (f"{v:,.0f}" if f["kind"] == "count" else f"{v:.3g}")
            out.print(f"  {f['node_id']:>10}  {shown:>14}  {f['question']}  [dim]({f['source']})[/dim]")
        out.print(f"[bold]k ≈ {_fmt_k(data['k'])}[/bold]  (interval {_fmt_k(data['k_low'])} – {_fmt_k(data['k_high'])}); {data['summary']}")
        rk = data["riskiest"]
        if rk:
            attrs = {a["id"]: a for a in data["attributes"]}
            a = attrs[rk["attribute_id"]]
            out.print(f"riskiest disclosure: [bold]{a['category']}[/bold] ({a['value']}) — without it k ≈ {_fmt_k(rk['k_without'])}")
