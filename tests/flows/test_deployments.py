"""Deployments under a real Prefect server (``prefect server start``, its own PREFECT_HOME):
the schedule creates runs, and a REST trigger of ``assess_text`` stores an assessment."""

from __future__ import annotations

import os
import socket
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

import httpx
import pytest

from flow_support import STUB
from flows.deployments import BATCH, TEXT, build_deployments
from records.errors import InputError
from records.types import Post
from storage import repository as repo

ROOT = Path(__file__).resolve().parents[2]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _start_prefect_server(home: Path) -> tuple[subprocess.Popen, str]:
    port = _free_port()
    env = {
        **os.environ,
        "PREFECT_HOME": str(home),
        "PREFECT_API_DATABASE_CONNECTION_URL": f"sqlite+aiosqlite:///{home}/prefect.db",
        "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
        "DO_NOT_TRACK": "1",
        "PREFECT_UI_ENABLED": "false",
        "PREFECT_SERVER_SERVICES_SCHEDULER_LOOP_SECONDS": "1",
    }
    env.pop("PREFECT_API_URL", None)
    proc = subprocess.Popen(
        [sys.executable, "-m", "prefect", "server", "start", "--host", "127.0.0.1", "--port", str(port)],
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=home,
        start_new_session=True,  # its own process group: the uvicorn it starts stops with it
    )
    api = f"http://127.0.0.1:{port}/api"
    deadline = time.monotonic() + 90
    while True:
        try:
            if httpx.get(f"{api}/health", timeout=2).status_code == 200:
                return proc, api
        except httpx.HTTPError:
            pass
        if proc.poll() is not None or time.monotonic() > deadline:
            _stop(proc)
            pytest.fail("prefect server did not start")
        time.sleep(0.5)


def _stop(proc: subprocess.Popen) -> None:
    try:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=20)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass


@pytest.fixture(scope="module")
def prefect_api(tmp_path_factory):
    proc, api = _start_prefect_server(tmp_path_factory.mktemp("prefect-home"))
    try:
        yield api
    finally:
        _stop(proc)


def test_deployments_name_their_flows_in_kebab_case_and_their_entrypoints_by_module():
    import re

    for d in build_deployments("sqlite:///x.db"):
        assert re.fullmatch(r"[a-z]+(-[a-z]+)*", d.flow_name), d.flow_name
        # a module path, found from any directory, not a file path relative to the caller's
        assert not d.entrypoint.endswith(".py") and ".py:" not in d.entrypoint and d.entrypoint.startswith("flows.")


def test_deployments_refuse_a_password_and_unknown_runner():
    with pytest.raises(InputError):
        build_deployments("postgresql+psycopg://u:pw@h/db")
    with pytest.raises(InputError):
        build_deployments("sqlite:///x.db", task_runner="ray")


@pytest.mark.slow
def test_schedule_creates_runs_and_rest_trigger_assesses(prefect_api, tmp_path):
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import DeploymentFilter, DeploymentFilterId
    from prefect.settings import PREFECT_API_URL, temporary_settings
    from storage.migrate import upgrade
    from flows.common import engine_for

    database_url = f"sqlite:///{tmp_path / 'kanon.db'}"
    upgrade(database_url)
    engine = engine_for(database_url)
    repo.add_posts(engine, [Post(id="r1", text="I'm 41M, a firefighter in Hull")])

    with temporary_settings({PREFECT_API_URL: prefect_api}):
        deployments = build_deployments(database_url, pipeline=STUB, options={"nonce": uuid.uuid4().hex},
                                        interval_s=60)
        ids = {d.name: d.apply() for d in deployments}
        with get_client(sync_client=True) as client:
            deadline = time.monotonic() + 30
            scheduled = []
            while not scheduled and time.monotonic() < deadline:
                scheduled = client.read_flow_runs(
                    deployment_filter=DeploymentFilter(id=DeploymentFilterId(any_=[ids[BATCH]])))
                time.sleep(0.5)
            assert scheduled, "the scheduler created no runs for the batch deployment"
            assert all(r.state.is_scheduled() for r in scheduled)
            assert all(r.parameters["database_url"] == database_url for r in scheduled)

    # A REST trigger, as a client of the API would send it: ids only.
    resp = httpx.post(f"{prefect_api}/deployments/{ids[TEXT]}/create_flow_run",
                      json={"parameters": {"post_id": "r1"}}, timeout=10)
    assert resp.status_code == 201, resp.text
    run_id = resp.json()["id"]
    # Execute the run as a worker would (the deployment's entrypoint, in a subprocess).
    env = {**os.environ, "PREFECT_API_URL": prefect_api, "PREFECT__FLOW_RUN_ID": run_id,
           "PYTHONPATH": os.pathsep.join([str(ROOT), str(Path(__file__).parent)])}
    # from another directory: the entrypoint is a module path
    done = subprocess.run([sys.executable, "-m", "prefect.engine"], env=env, cwd=tmp_path,
                          capture_output=True, timeout=120)
    assert done.returncode == 0, done.stderr.decode()[-2000:]
    state = httpx.get(f"{prefect_api}/flow_runs/{run_id}", timeout=10).json()["state"]["type"]
    assert state == "COMPLETED"
    assert [r.post_id for r in repo.results(engine)] == ["r1"]
    # a successful run says what it did in Prefect's logs: ids and counts, no text
    logs = httpx.post(f"{prefect_api}/logs/filter", json={"logs": {"flow_run_id": {"any_": [run_id]}}},
                      timeout=10).json()
    messages = [x["message"] for x in logs]
    assert any("r1" in m and "done" in m for m in messages), messages
    assert not any("firefighter" in m for m in messages)


@pytest.mark.slow
def test_serve_ends_on_sigterm_even_when_its_prefect_server_is_gone(tmp_path):
    from storage.migrate import upgrade

    database_url = f"sqlite:///{tmp_path / 'kanon.db'}"
    upgrade(database_url)
    proc, api = _start_prefect_server(tmp_path)
    env = {**os.environ, "PREFECT_API_URL": api, "KANON_DETECTOR": "rules.v1",
           "PREFECT_SERVER_ANALYTICS_ENABLED": "false", "DO_NOT_TRACK": "1"}
    kanon = str(Path(sys.executable).with_name("kanon"))
    serving = subprocess.Popen([kanon, "serve", "--db", database_url], env=env, cwd=tmp_path,
                               stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 90
        while not httpx.post(f"{api}/deployments/filter", json={}, timeout=5).json():
            assert serving.poll() is None and time.monotonic() < deadline, "kanon serve registered nothing"
            time.sleep(0.5)
        _stop(proc)  # the server goes first
        serving.send_signal(signal.SIGTERM)
        rc = serving.wait(timeout=60)  # without the deadline it waits for the server for ever
        assert rc in (0, 128 + signal.SIGTERM)
        assert b"never awaited" not in serving.stderr.read()
    finally:
        if serving.poll() is None:
            serving.kill()
        _stop(proc)
