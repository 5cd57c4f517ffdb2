"""The store commands as a user runs them: ``kanon db upgrade``, ``ingest``, ``batch``, ``results``, ``forget``.

Each runs ``kanon`` in a subprocess with its own store and its own
``PREFECT_HOME``; ``batch`` goes through Prefect (a temporary server of its
own, or the session's test server through ``PREFECT_API_URL``).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import uuid
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
import kanon_test_databases as databases  # registered by tests/conftest.py

# The installed console script, as a user runs it (the module where it is not installed).
_SCRIPT = Path(sys.executable).with_name("kanon")
KANON = [str(_SCRIPT)] if _SCRIPT.exists() else [sys.executable, "-m", "kanon.cli"]
# Contract fields of `kanon assess --json` that every stored result must carry.
ASSESS_FIELDS = {"k", "k_low", "k_high", "disclosures", "attributes", "factors", "contributions", "riskiest"}


def kanon(*args: str, env: dict[str, str], timeout: float = 300) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*KANON, *args], env=env, cwd=env["KANON_TEST_CWD"], capture_output=True,
                          text=True, timeout=timeout)


def make_env(tmp_path: Path, database_url: str, api_url: str | None = None) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PREFECT_", "KANON_", "PG"))}
    env.update({
        "KANON_DATABASE_URL": database_url,
        "PREFECT_HOME": str(tmp_path / "prefect-home"),
        "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
        "DO_NOT_TRACK": "1",
        "PYTHONPATH": str(ROOT),
        "KANON_TEST_CWD": str(tmp_path),
    })
    if api_url:
        env["PREFECT_API_URL"] = api_url
    return env


def write_posts(path: Path, marker: str) -> Path:
    rows = [
        {"id": "c1", "text": f"I'm a 34 year old nurse living in Leeds {marker}", "author": "u1"},
        {"id": "c2", "text": f"28F, software engineer in Austin {marker}", "author": "u1"},
        {"id": "c3", "text": f"Dad of three here, 41M, electrician in Queensland {marker}", "author": "u2"},
    ]
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    return path


def check_results(lines: list[str], texts: dict[str, str]) -> None:
    rows = [json.loads(ln) for ln in lines]
    assert [r["id"] for r in rows] == sorted(texts)
    for r in rows:
        assert ASSESS_FIELDS <= set(r), r.keys()
        assert r["k_low"] <= r["k"] <= r["k_high"]
        assert r["disclosures"], "the rule detector finds the age, job and place"
        for d in r["disclosures"]:
            assert d["text"] == texts[r["id"]][d["start"]:d["end"]]
        assert all(f["source"] for f in r["factors"])


def the_whole_job(tmp_path: Path, env: dict[str, str], secret: str | None = None) -> None:
    marker = f"MARK{uuid.uuid4().hex}"
    f = write_posts(tmp_path / "posts.jsonl", marker)
    texts = {r["id"]: r["text"] for r in map(json.loads, f.read_text().splitlines())}

    r = kanon("ingest", str(f), env=env)
    assert r.returncode == 2 and "kanon db upgrade" in r.stderr  # not migrated yet
    r = kanon("db", "upgrade", env=env)
    assert r.returncode == 0, r.stderr
    assert kanon("ingest", str(f), env=env).stdout.strip() == "3 new, 0 already there"
    assert kanon("ingest", str(f), env=env).stdout.strip() == "0 new, 3 already there"

    r = kanon("batch", "--detector", "rules.v1", "--reasoner", "statistical", "--json", env=env)
    assert r.returncode == 0, r.stderr[-3000:]
    counts = json.loads(r.stdout)
    assert counts["done"] == 3 and counts["failed"] == 0 and counts["pending"] == 0
    assert "assessing" in r.stderr  # the progress bar
    assert marker not in r.stderr and marker not in r.stdout
    r = kanon("batch", "--detector", "rules.v1", "--json", env=env)
    assert json.loads(r.stdout)["done"] == 0  # nothing pending: nothing assessed twice

    r = kanon("results", "--json", env=env)
    assert r.returncode == 0, r.stderr
    check_results(r.stdout.splitlines(), texts)
    human = kanon("results", env=env)
    assert human.returncode == 0 and "c3" in human.stdout

    assert kanon("forget", env=env).returncode == 2  # one of --author or --post
    assert "forgot 1 post" in kanon("forget", "--post", "c3", env=env).stdout
    assert "forgot 2 post" in kanon("forget", "--author", "u1", env=env).stdout
    assert kanon("results", "--json", env=env).stdout.strip() == ""

    # Nothing of the text (nor the password) reached Prefect's home or its logs.
    home = Path(env["PREFECT_HOME"])
    needles = [marker.encode()] + ([secret.encode()] if secret else [])
    for p in (p for p in home.rglob("*") if p.is_file()):
        data = p.read_bytes()
        assert not any(n in data for n in needles), p


@pytest.mark.slow
def test_ingest_batch_results_forget_on_sqlite_with_a_temporary_prefect_server(tmp_path):
    env = make_env(tmp_path, f"sqlite:///{tmp_path / 'store' / 'kanon.db'}")
    the_whole_job(tmp_path, env)
    assert (tmp_path / "prefect-home").is_dir()  # the temporary server used the given PREFECT_HOME


@pytest.mark.slow
@pytest.mark.postgres
def test_the_same_on_postgresql_with_a_password_in_the_url(tmp_path, prefect_server):
    why = databases.pg_available()
    if why is not None:
        pytest.skip(why)
    secret = f"pw{uuid.uuid4().hex}"  # trust auth ignores it; the CLI must keep it out of Prefect
    with databases.pg_database() as url:
        from sqlalchemy.engine import make_url

        with_password = make_url(url).set(password=secret).render_as_string(hide_password=False)
        env = make_env(tmp_path, with_password, api_url=prefect_server["api_url"])
        the_whole_job(tmp_path, env, secret=secret)
        from prefect.client.orchestration import get_client

        with get_client(sync_client=True) as client:
            params = " ".join(str(r.parameters) for r in client.read_flow_runs())
        assert make_url(url).database in params  # the batch ran on this server...
        assert secret not in params  # ...without the password


@pytest.mark.slow
def test_bad_lines_are_reported_by_number_and_nothing_is_stored(tmp_path):
    env = make_env(tmp_path, f"sqlite:///{tmp_path / 'kanon.db'}")
    assert kanon("db", "upgrade", env=env).returncode == 0
    f = tmp_path / "bad.jsonl"
    f.write_bytes(b'{"text": "fine words"}\n{"text": "SECRETWORDS", oops}\n{"text": "  "}\n\xff\xfe\n')
    r = kanon("ingest", str(f), env=env)
    assert r.returncode == 2
    for expected in ("line 2: not valid JSON", "line 3: text is empty", "line 4: not valid UTF-8"):
        assert expected in r.stderr
    assert "SECRET" not in r.stderr and "Traceback" not in r.stderr
    r = kanon("results", "--json", env=env)
    assert r.returncode == 0 and r.stdout == ""


def test_the_cli_moves_a_password_out_of_the_url(monkeypatch):
    from records.errors import InputError
    from flows.jobs import flow_database_url

    monkeypatch.delenv("PGPASSWORD", raising=False)
    assert flow_database_url("postgresql+psycopg://kanon:s3cret@db:5432/kanon") == "postgresql+psycopg://kanon@db:5432/kanon"
    assert os.environ["PGPASSWORD"] == "s3cret"
    assert flow_database_url("sqlite:///x.db") == "sqlite:///x.db"
    with pytest.raises(InputError):
        flow_database_url("mysql://u:p@h/db")


def _claimer(database_url: str, n: int, then: str) -> subprocess.Popen[str]:
    """A worker process that claims ``n`` posts, then dies by ``kill -9`` or keeps running."""
    code = (
        "import os, signal, sys, time\n"
        "from storage.engine import create_engine\n"
        "from storage import repository as repo\n"
        f"print(len(repo.claim_pending(create_engine(sys.argv[1]), {n}).post_ids), flush=True)\n"
        + ("os.kill(os.getpid(), signal.SIGKILL)\n" if then == "die" else "time.sleep(600)\n")
    )
    p = subprocess.Popen([sys.executable, "-c", code, database_url], stdout=subprocess.PIPE, text=True,
                         cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert p.stdout.readline().strip() == str(n)
    return p


@pytest.mark.slow
def test_a_rerun_after_kill_9_finishes_every_post_at_once(tmp_path, prefect_server):
    url = f"sqlite:///{tmp_path / 'kanon.db'}"
    env = make_env(tmp_path, url, api_url=prefect_server["api_url"])
    assert kanon("db", "upgrade", env=env).returncode == 0
    assert kanon("ingest", str(write_posts(tmp_path / "posts.jsonl", "m")), env=env).returncode == 0
    dead = _claimer(url, 1, "die")
    dead.wait(30)
    alive = _claimer(url, 1, "live")
    try:
        r = kanon("batch", "--detector", "rules.v1", "--json", env=env)
        counts = json.loads(r.stdout)
        # the dead worker's post is assessed now; the live worker's is its own, and said so
        assert counts["done"] == 2 and counts["in_flight"] == 1 and counts["pending"] == 1
        assert r.returncode == 1  # work is left: not a success
    finally:
        alive.kill()
        alive.wait(30)
    r = kanon("batch", "--detector", "rules.v1", "--json", env=env)
    assert r.returncode == 0, r.stderr[-2000:]
    counts = json.loads(r.stdout)
    assert counts["done"] == 1 and counts["pending"] == 0
