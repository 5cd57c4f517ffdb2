"""The self-disclosure corpus: inline markup in, checked character offsets out.

Annotators write ``<Label>span</Label>`` inline (docs/annotation.md); the build
step turns that into the JSONL with offsets the trainer and the evaluator
read. Every error names the file and line, never the text.
"""

from __future__ import annotations

import argparse
import json
import random
import re
import sys
from dataclasses import dataclass
from pathlib import Path

from records.types import LABELS  # the 19 labels, defined once

_LABEL_SET = frozenset(LABELS)
_TAG = re.compile(r"<(/?)([A-Za-z_]+)>")

CORPUS_DIR = Path(__file__).resolve().parents[2] / "data" / "disclosures"


class CorpusError(ValueError):
    """A corpus line breaks a rule of docs/annotation.md (the message names where)."""


@dataclass(frozen=True)
class Span:
    start: int
    end: int
    label: str
    text: str


@dataclass(frozen=True)
class Example:
    id: str
    text: str
    spans: tuple[Span, ...]

    def to_json(self) -> dict:
        return {
            "id": self.id,
            "text": self.text,
            "spans": [
                {"start": s.start, "end": s.end, "label": s.label, "text": s.text}
                for s in self.spans
            ],
        }


def parse_markup(marked: str, where: str = "") -> tuple[str, list[Span]]:
    """Strip ``<Label>..</Label>`` tags, returning plain text and spans."""
    out: list[str] = []
    spans: list[Span] = []
    pos = 0
    open_label: str | None = None
    open_at = 0
    length = 0
    for m in _TAG.finditer(marked):
        closing, name = m.group(1) == "/", m.group(2)
        if name not in _LABEL_SET:
            # Not one of ours (e.g. "<3" never matches; "<b>" would): keep it as text.
            continue
        chunk = marked[pos:m.start()]
        out.append(chunk)
        length += len(chunk)
        pos = m.end()
        if not closing:
            if open_label is not None:
                raise CorpusError(f"{where}: nested tag <{name}> inside <{open_label}>")
            open_label, open_at = name, length
        else:
            if open_label != name:
                raise CorpusError(f"{where}: closing </{name}> does not match <{open_label}>")
            if length == open_at:
                raise CorpusError(f"{where}: empty <{name}> span")
            spans.append(Span(open_at, length, name, ""))
            open_label = None
    if open_label is not None:
        raise CorpusError(f"{where}: unclosed <{open_label}>")
    out.append(marked[pos:])
    text = "".join(out)
    fixed = []
    for s in spans:
        # Annotators sometimes include edge whitespace inside a tag; trim it.
        a, b = s.start, s.end
        while a < b and text[a].isspace():
            a += 1
        while b > a and text[b - 1].isspace():
            b -= 1
        fixed.append(Span(a, b, s.label, text[a:b]))
    return text, fixed


def check_example(ex: Example, where: str) -> None:
    """Raise CorpusError unless offsets, labels and order follow the rules."""
    if not ex.text.strip():
        raise CorpusError(f"{where}: empty text")
    prev_end = -1
    for s in ex.spans:
        if s.label not in _LABEL_SET:
            raise CorpusError(f"{where}: unknown label {s.label!r}")
        if not (0 <= s.start < s.end <= len(ex.text)):
            raise CorpusError(f"{where}: offsets {s.start}-{s.end} outside text of length {len(ex.text)}")
        if ex.text[s.start:s.end] != s.text:
            raise CorpusError(f"{where}: span {s.start}-{s.end} does not match its text")
        if s.start < prev_end:
            raise CorpusError(f"{where}: span {s.start}-{s.end} overlaps or is out of order")
        prev_end = s.end


def read_marked(path: Path) -> list[Example]:
    """Read an authored batch: JSONL lines ``{"id", "marked"}``."""
    examples = []
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        where = f"{path.name}:{n}"
        try:
            row = json.loads(line)
        except json.JSONDecodeError as e:
            raise CorpusError(f"{where}: not JSON ({e.msg})") from None
        if not isinstance(row, dict) or "id" not in row or "marked" not in row:
            raise CorpusError(f"{where}: needs keys 'id' and 'marked'")
        text, spans = parse_markup(row["marked"], where)
        ex = Example(str(row["id"]), text, tuple(spans))
        check_example(ex, where)
        examples.append(ex)
    return examples


def read_jsonl(path: Path) -> list[Example]:
    """Read a built split (offsets), checking every line."""
    examples = []
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        where = f"{path.name}:{n}"
        try:
            row = json.loads(line)
            spans = tuple(
                Span(int(s["start"]), int(s["end"]), str(s["label"]), str(s["text"]))
                for s in row["spans"]
            )
            ex = Example(str(row["id"]), str(row["text"]), spans)
        except (json.JSONDecodeError, KeyError, TypeError, ValueError) as e:
            raise CorpusError(f"{where}: malformed line ({type(e).__name__})") from None
        check_example(ex, where)
        examples.append(ex)
    return examples


SPLITS = ("train", "dev", "test")


def split_of(example_id: str, dev: float = 0.12, test: float = 0.18) -> str:
    """A stable split from a hash of the id: adding posts never moves old ones."""
    import hashlib

    h = int(hashlib.sha256(example_id.encode()).hexdigest()[:8], 16) / 0xFFFFFFFF
    return "test" if h < test else "dev" if h < test + dev else "train"


def build(corpus_dir: Path = CORPUS_DIR, generated: int = 900, seed: int = 0) -> dict[str, int]:
    """Build train/dev/test from the authored batches, plus generated posts (train only).

    The test split holds authored posts only; generated posts never leave train.
    """
    from reasoners.detector.generate import generate

    authored: list[Example] = []
    seen: set[str] = set()
    hard: list[str] = []
    for path in sorted((corpus_dir / "authored").glob("*.jsonl")):
        examples = read_marked(path)  # checks every line first, naming file and line
        hard.extend(_hard_negative_ids(path))
        for ex in examples:
            if ex.id in seen:
                raise CorpusError(f"{path.name}: duplicate id {ex.id}")
            seen.add(ex.id)
            authored.append(ex)
    parts: dict[str, list[Example]] = {s: [] for s in SPLITS}
    for ex in authored:
        parts[split_of(ex.id)].append(ex)
    counts = {}
    for name, exs in parts.items():
        _write(corpus_dir / f"{name}.jsonl", exs)
        counts[name] = len(exs)
    (corpus_dir / "hard_negatives.txt").write_text(
        "# ids of the authored hard negatives (negation, hypotheticals, quotations, other people, code, URLs);\n"
        "# written by the build from the batches' \"hard_negative\" flags\n" + "".join(f"{i}\n" for i in sorted(hard)),
        encoding="utf-8")
    counts["hard_negatives"] = len(hard)
    gen = generate(generated, seed=seed)
    _write(corpus_dir / "generated.jsonl", gen)
    counts["generated"] = len(gen)
    return counts


def _hard_negative_ids(path: Path) -> list[str]:
    """Ids an authored batch flags ``"hard_negative": true`` (checked lines; see ``read_marked``)."""
    out = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip():
            row = json.loads(line)
            if isinstance(row, dict) and row.get("hard_negative") is True:
                out.append(str(row["id"]))
    return out


def _write(path: Path, examples: list[Example]) -> None:
    with path.open("w", encoding="utf-8") as fh:
        for ex in examples:
            fh.write(json.dumps(ex.to_json(), ensure_ascii=False) + "\n")


def _cmd_check(paths: list[str]) -> int:
    total = spans = 0
    counts: dict[str, int] = {}
    ids: set[str] = set()
    for p in paths:
        for ex in read_marked(Path(p)):
            if ex.id in ids:
                raise CorpusError(f"{p}: duplicate id {ex.id}")
            ids.add(ex.id)
            total += 1
            spans += len(ex.spans)
            for s in ex.spans:
                counts[s.label] = counts.get(s.label, 0) + 1
    print(f"{total} posts, {spans} spans")
    for label in LABELS:
        print(f"  {label:20s} {counts.get(label, 0)}")
    return 0


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description="Check or build the self-disclosure corpus.")
    sub = ap.add_subparsers(dest="cmd", required=True)
    c = sub.add_parser("check", help="check authored batch files (inline markup)")
    c.add_argument("paths", nargs="+")
    b = sub.add_parser("build", help="build train/dev/test (+ generated) from the authored batches")
    b.add_argument("--generated", type=int, default=900, help="generated posts added to train")
    b.add_argument("--seed", type=int, default=0)
    args = ap.parse_args(argv)
    try:
        if args.cmd == "check":
            return _cmd_check(args.paths)
        if args.cmd == "build":
            counts = build(generated=args.generated, seed=args.seed)
            print(", ".join(f"{k}: {v}" for k, v in counts.items()))
            return 0
    except CorpusError as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
