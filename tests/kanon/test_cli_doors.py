"""The command line as its users expect it from Click/Typer tools: ``-`` for stdin and stdout,
``--version`` and ``-h``, exit codes that say whether work was done, one output line per
input line, typed errors (never a traceback) on bad bytes and a bad settings file."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow  # each test starts the kanon executable

KANON = str(Path(sys.executable).with_name("kanon"))


def run(*args: str | bytes, cwd: Path, stdin: bytes | None = None) -> subprocess.CompletedProcess[bytes]:
    # cwd is a fresh folder: no kanon.toml unless a test writes one; no KANON_* from outside
    env = {k: v for k, v in os.environ.items() if not k.startswith("KANON_")}
    env.update(PREFECT_SERVER_ANALYTICS_ENABLED="false", DO_NOT_TRACK="1", KANON_DETECTOR="rules.v1")
    return subprocess.run([KANON, *args], input=stdin, capture_output=True, timeout=300, cwd=cwd, env=env)


def test_version_and_short_help(tmp_path):
    from importlib.metadata import version

    r = run("--version", cwd=tmp_path)
    assert r.returncode == 0 and r.stdout.decode().strip() == f"kanon {version('kanon')}"
    r = run("-h", cwd=tmp_path)
    assert r.returncode == 0 and b"Usage: kanon" in r.stdout and b"assess" in r.stdout


def test_a_dash_reads_stdin_and_writes_stdout(tmp_path):
    r = run("assess", "--json", "-", cwd=tmp_path, stdin="I'm a 34 year old nurse in Leeds".encode())
    assert r.returncode == 0, r.stderr[-2000:]
    d = json.loads(r.stdout)
    assert {a["category"] for a in d["attributes"]} >= {"Age", "Occupation"}
    lines = b'{"text": "I am 34"}\n\n{"text": "nurse in Leeds"}\n'
    src = tmp_path / "in.jsonl"
    src.write_bytes(lines)
    r = run("assess", "--json", "--input", str(src), "--output", "-", cwd=tmp_path)
    rows = [json.loads(x) for x in r.stdout.decode().splitlines()]
    # one output line per input line: the blank line is an error line in its place
    assert len(rows) == 3 and "error" in rows[1] and "k" in rows[0] and "k" in rows[2]
    assert not (tmp_path / "-").exists()  # no file named "-"


def test_output_equal_to_input_is_refused_and_the_input_kept(tmp_path):
    src = tmp_path / "in.jsonl"
    src.write_bytes(b'{"text": "I am 34"}\n')
    r = run("assess", "--input", str(src), "--output", str(src), cwd=tmp_path)
    assert r.returncode == 2 and b"same file" in r.stderr
    assert src.read_bytes() == b'{"text": "I am 34"}\n'


def test_a_run_in_which_every_line_failed_is_a_failure(tmp_path):
    src = tmp_path / "bin.dat"
    src.write_bytes(bytes(range(256)) * 4)
    r = run("assess", "--input", str(src), "--output", str(tmp_path / "out.jsonl"), cwd=tmp_path)
    assert r.returncode != 0 and b"all_lines_failed" in r.stderr and b"Traceback" not in r.stderr


def test_bad_bytes_and_a_bad_settings_file_are_typed_errors(tmp_path):
    r = run("assess", b"I am a nurse \xff\xfe", cwd=tmp_path)
    assert r.returncode == 2 and b"bad_encoding" in r.stderr and b"Traceback" not in r.stderr
    assert b"nurse" not in r.stderr  # the message names the problem, not the text
    (tmp_path / "kanon.toml").write_text("[detector\n", encoding="utf-8")
    r = run("assess", "I am a nurse", cwd=tmp_path)
    assert r.returncode == 2 and b"bad_settings" in r.stderr and b"kanon.toml" in r.stderr
    assert b"Traceback" not in r.stderr


def _commands(group, path=()):
    for name, cmd in group.commands.items():
        yield (*path, name)
        if hasattr(cmd, "commands"):  # a group
            yield from _commands(cmd, (*path, name))


def test_every_help_reads_as_click_tools_do_at_80_columns():
    import re

    import typer
    from typer.testing import CliRunner

    from kanon.cli import _commands as load_commands, app

    load_commands()
    runner = CliRunner()
    cmd = typer.main.get_command(app)
    names = list(_commands(cmd))
    assert ("assess",) in names and ("evaluate", "k") in names
    for path in [(), *names]:
        r = runner.invoke(app, [*path, "--help"], env={"COLUMNS": "80", "TERM": "dumb"})
        assert r.exit_code == 0, (path, r.output)
        # no type labels ("<str>", "<bool>") and no braces round required arguments ("{FILE}")
        assert not re.search(r"<(str|bool|int|float|path|text)>|\{[A-Z_]+\}", r.output), (path, r.output)
        assert max(len(line) for line in r.output.splitlines()) <= 80, path


def test_a_broken_jsonl_line_is_named_in_words_and_counted_in_the_singular(tmp_path):
    src = tmp_path / "in.jsonl"
    src.write_bytes(b'{"text": "I am 34"}\n{"text": "oops\n')
    r = run("assess", "--json", "--input", str(src), "--output", "-", cwd=tmp_path)
    rows = [json.loads(x) for x in r.stdout.decode().splitlines()]
    assert rows[1]["error"]["message"] == "line 2: not valid JSON (unterminated string starting at column 10)"
    assert b"2 lines, 1 assessed, 1 error -> -" in r.stderr
