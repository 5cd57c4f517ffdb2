"""Versioned prompt templates: ``prompts/<step>.v<N>.j2`` with few-shot examples beside them.

A template has two Jinja blocks, ``system`` and ``user``; its examples file
(``<step>.v<N>.examples.json``) holds user/assistant pairs, sent as earlier
turns of the chat. A prompt is cited as ``<step>@v<N>`` with the sha256 of
both files; ``prompts/manifest.toml`` records those hashes, and a test fails
when a file changes without a new version.
"""

from __future__ import annotations

import hashlib
import json
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import jinja2

from reasoners.llm.base import Message

__all__ = ["Prompt", "load_prompt", "manifest_problems", "manifest_text", "current_hashes", "PROMPT_DIR"]

PROMPT_DIR = Path(__file__).with_name("prompts")
_env = jinja2.Environment(
    loader=jinja2.FileSystemLoader(str(PROMPT_DIR)),
    undefined=jinja2.StrictUndefined,
    autoescape=False,
    keep_trailing_newline=False,
)


def _hash_files(*paths: Path) -> str:
    h = hashlib.sha256()
    for p in paths:
        h.update(p.name.encode())
        h.update(b"\0")
        h.update(p.read_bytes())
        h.update(b"\0")
    return h.hexdigest()


@dataclass(frozen=True)
class Prompt:
    step: str
    version: int
    sha256: str
    template: jinja2.Template = field(repr=False, compare=False)
    examples: tuple[tuple[str, str], ...] = field(default=(), repr=False, compare=False)

    @property
    def id(self) -> str:
        return f"{self.step}@v{self.version}"

    @property
    def ref(self) -> str:
        """How provenance cites the prompt: id@version and a short hash."""
        return f"{self.id}#{self.sha256[:12]}"

    def render(self, **context: Any) -> tuple[Message, ...]:
        ctx = self.template.new_context(context)
        system = "".join(self.template.blocks["system"](ctx)).strip()
        ctx = self.template.new_context(context)
        user = "".join(self.template.blocks["user"](ctx)).strip()
        msgs = [Message(role="system", content=system)]
        for u, a in self.examples:
            msgs += [Message(role="user", content=u), Message(role="assistant", content=a)]
        msgs.append(Message(role="user", content=user))
        return tuple(msgs)


_cache: dict[tuple[str, int], Prompt] = {}


def load_prompt(step: str, version: int = 1) -> Prompt:
    key = (step, version)
    if key not in _cache:
        tpl_path = PROMPT_DIR / f"{step}.v{version}.j2"
        ex_path = PROMPT_DIR / f"{step}.v{version}.examples.json"
        paths = [tpl_path] + ([ex_path] if ex_path.exists() else [])
        examples: tuple[tuple[str, str], ...] = ()
        if ex_path.exists():
            raw = json.loads(ex_path.read_text(encoding="utf-8"))
            examples = tuple((e["user"], json.dumps(e["assistant"], ensure_ascii=False)) for e in raw)
        _cache[key] = Prompt(
            step=step,
            version=version,
            sha256=_hash_files(*paths),
            template=_env.get_template(tpl_path.name),
            examples=examples,
        )
    return _cache[key]


def current_hashes(folder: Path = PROMPT_DIR) -> dict[str, str]:
    """sha256 of every template in the folder (with its examples), by ``step.vN``."""
    out = {}
    for tpl in sorted(folder.glob("*.v*.j2")):
        stem = tpl.name[: -len(".j2")]
        ex = tpl.with_name(stem + ".examples.json")
        out[stem] = _hash_files(*([tpl] + ([ex] if ex.exists() else [])))
    return out


def manifest_text(folder: Path = PROMPT_DIR) -> str:
    """The manifest for the templates now in ``folder`` (for adding a new version)."""
    lines = [
        "# sha256 of each prompt template and its few-shot examples. A changed file needs",
        "# a new version (<step>.v<N+1>.j2); old versions stay while stored results cite them.",
        "[prompts]",
    ]
    lines += [f'"{k}" = "{v}"' for k, v in current_hashes(folder).items()]
    return "\n".join(lines) + "\n"


def manifest_problems(folder: Path = PROMPT_DIR) -> list[str]:
    """Templates whose hash differs from the manifest, or that it lacks: each needs a new version."""
    recorded = tomllib.loads((folder / "manifest.toml").read_text(encoding="utf-8")).get("prompts", {})
    current = current_hashes(folder)
    problems = []
    for stem, digest in current.items():
        if stem not in recorded:
            problems.append(f"{stem}: not in manifest.toml")
        elif recorded[stem] != digest:
            problems.append(f"{stem}: changed without a version bump (add {stem.split('.v')[0]}.v<N+1>)")
    for stem in recorded:
        if stem not in current:
            problems.append(f"{stem}: in manifest.toml but its file is gone")
    return problems
