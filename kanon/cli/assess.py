"""``kanon assess`` and ``kanon detect``: one text, a JSONL batch, or a posting history."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated, Any, Optional

import typer

from kanon.cli.app import (
    DbOpt, DetectorOpt, DeviceOpt, LlmModelOpt, LlmOpt, ReasonerOpt, app, boundary, err, out, require_one_of,
    settings_from,
)
from records.errors import InputError, KanonError


def _pipeline(settings: Any, detector: str | None, reasoner: str | None) -> Any:
    from flows.components import build_pipeline

    return build_pipeline(settings, detector=detector, reasoner=reasoner)


def _emit(data: dict[str, Any], as_json: bool) -> None:
    from kanon.report import print_report

    if as_json:
        print(json.dumps(data, ensure_ascii=False))
    else:
        print_report(out, data)


@app.command()
@boundary
def assess(
    text: Annotated[Optional[str], typer.Argument(metavar="TEXT", show_default=False, help="The text to assess; - reads it from standard input. Use --input for a JSONL batch.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object instead of the report.")] = False,
    input: Annotated[Optional[str], typer.Option("--input", "-i", metavar="FILE", help='JSONL file of {"id", "text"} lines (- for standard input).')] = None,
    output: Annotated[Optional[str], typer.Option("--output", "-o", metavar="FILE", help="JSONL file to write, one line per input line (- for standard output).")] = None,
    network: Annotated[Optional[Path], typer.Option("--network", metavar="FILE", help="Also write the Bayesian network behind k: .bif (for pgmpy and other network tools) or .png/.svg/.pdf (a drawing).")] = None,
    history: Annotated[Optional[str], typer.Option("--history", metavar="FILE", help='A posting history (JSONL of {"text"} lines, or posts separated by blank lines), assessed as one author.')] = None,
    reasoner: ReasonerOpt = None,
    detector: DetectorOpt = None,
    device: DeviceOpt = None,
    db: DbOpt = None,
    llm: LlmOpt = None,
    llm_model: LlmModelOpt = None,
) -> None:
    """Assess one text (or a JSONL batch, or a posting history): disclosures, factors, k and what drives it."""
    from kanon.report import assessment_to_json
    from records.text import check_text
    from records.types import Post

    settings = settings_from(device=device, db=db, llm=llm, llm_model=llm_model)
    require_one_of(TEXT=text, **{"--input": input, "--history": history})
    if network is not None and network.suffix.lower() not in NETWORK_SUFFIXES:
        raise InputError(f"--network must end in one of {', '.join(NETWORK_SUFFIXES)}")
    if network is not None and input is not None:
        raise InputError("--network is for one text or one history, not for --input")
    if input is not None:
        if output is None:
            raise InputError("--input needs --output FILE (or - for standard output)")
        _assess_file(settings, _pipeline(settings, detector, reasoner), input, output)
        return
    if history is not None:
        from flows.inputs import read_history

        texts = read_history(history, max_chars=settings.max_text_chars)
        pipe = _pipeline(settings, detector, reasoner)
        posts = [Post(id=f"h{i}", text=t) for i, t in enumerate(texts)]
        a = pipe.assess_history("history", posts)
        data = assessment_to_json(None, a)
        # Span texts come from several posts: give each span its post's text back.
        by_post = {p.id: (i, p) for i, p in enumerate(posts)}
        for d, disc in zip(data["disclosures"], a.disclosures):
            i, p = by_post[disc.post_id]
            d.update(post_id=disc.post_id, post_index=i, text=disc.text_in(p))
        _write_network(a.network, network)
        _emit(data, as_json)
        return
    if text == "-":
        raw = sys.stdin.buffer.read()
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError as e:
            from records.errors import EncodingError

            raise EncodingError(f"standard input is not valid UTF-8 (byte offset {e.start})") from None
    check_text(text, settings.max_text_chars)  # before any model loads: bad bytes, empty, too long
    pipe = _pipeline(settings, detector, reasoner)
    post = Post(id="text", text=text)
    result = pipe.assess([post])[0]
    if isinstance(result, KanonError):
        raise result
    _write_network(result.network, network)
    _emit(assessment_to_json(post, result), as_json)


NETWORK_SUFFIXES = (".bif", ".png", ".svg", ".pdf")


def _write_network(net: Any, path: Path | None) -> None:
    """The network as BIF (pgmpy's writer) or as a drawing; node ids and numbers, never text."""
    if path is None or net is None:
        return
    import bayesnet

    path.parent.mkdir(parents=True, exist_ok=True)
    if path.suffix.lower() == ".bif":
        path.write_text(bayesnet.to_bif(net), encoding="utf-8")
    else:
        bayesnet.network_figure(net).savefig(path)
    err.print(f"network written to {path}")


def _assess_file(settings: Any, pipe: Any, input: str, output: str, chunk: int = 16) -> None:
    from flows.inputs import read_text_lines
    from kanon.cli.writer import check_paths, write_jsonl
    from kanon.report import assessment_to_json
    from records.types import Post

    check_paths(input, output)
    lines = list(read_text_lines(input, max_chars=settings.max_text_chars))

    def work(part: list) -> list[dict[str, Any]]:
        posts = [Post(id=f"#{j}", text=ln.text) for j, ln in enumerate(part) if ln.error is None]
        results = iter(pipe.assess(posts) if posts else [])
        post_iter = iter(posts)
        rows = []
        for ln in part:
            if ln.error is not None:
                rows.append({"id": ln.id, "error": ln.error.to_dict()})
                continue
            post, res = next(post_iter), next(results)
            if isinstance(res, KanonError):
                rows.append({"id": ln.id, "error": res.to_dict()})
            else:
                rows.append({"id": ln.id, **assessment_to_json(post, res)})
        return rows

    n, n_err = write_jsonl(lines, output, work, what="assessing", chunk=chunk, err=err)
    err.print(f"{_count(n, 'line')}, {n - n_err} assessed, {_count(n_err, 'error')} -> {output}")
    _fail_if_all_failed(n, n_err)


def _fail_if_all_failed(n: int, n_err: int) -> None:
    if n and n_err == n:
        err.print("[red]error[/red] (all_lines_failed): no line could be processed; see the error lines", markup=True)
        raise typer.Exit(1)


@app.command()
@boundary
def detect(
    input: Annotated[str, typer.Option("--input", "-i", metavar="FILE", help='JSONL file of {"id", "text"} lines (- for standard input).')],
    output: Annotated[str, typer.Option("--output", "-o", metavar="FILE", help='JSONL file of {"id", "spans": [...]} lines (- for standard output).')],
    detector: DetectorOpt = None,
    device: DeviceOpt = None,
    batch_size: Annotated[int, typer.Option(metavar="N", help="Posts per detector batch.")] = 64,
) -> None:
    """Find self-disclosure spans in each line of a JSONL file."""
    from flows.components import build_detector
    from flows.inputs import read_text_lines
    from kanon.cli.writer import check_paths, write_jsonl
    from records.types import Post

    check_paths(input, output)
    settings = settings_from(device=device)
    lines = list(read_text_lines(input, max_chars=settings.max_text_chars))
    det = build_detector(settings, detector)
    det.load()

    def work(part: list) -> list[dict[str, Any]]:
        rows: list[dict[str, Any]] = []
        posts: list[Post] = []
        for ln in part:
            if ln.error is not None:
                rows.append({"id": ln.id, "error": ln.error.to_dict()})
                continue
            posts.append(Post(id=str(len(rows)), text=ln.text or ""))
            rows.append({"id": ln.id, "spans": None})
        found = det.detect(posts) if posts else []
        for post, spans in zip(posts, found):
            rows[int(post.id)]["spans"] = [
                {"start": d.start, "end": d.end, "label": d.label, "text": d.text_in(post), "score": round(d.score, 4)}
                for d in spans
            ]
        return rows

    n, n_err = write_jsonl(lines, output, work, what="detecting", chunk=batch_size, err=err)
    err.print(f"{_count(n, 'line')}, {n - n_err} read, {_count(n_err, 'error')} -> {output}")
    _fail_if_all_failed(n, n_err)



def _count(n: int, word: str) -> str:
    return f"{n} {word}" + ("" if n == 1 else "s")
