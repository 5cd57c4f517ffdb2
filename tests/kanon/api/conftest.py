"""A real API server process on 127.0.0.1 (``kanon api``), started once per test module or session."""

from __future__ import annotations

import os
import socket
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

API_KEY = "test-key-7f3a"
# A post that discloses an age, an occupation, a city, a partner and children.
POST = (
    "Looking for advice on night shifts. I'm a 34 year old nurse in Leeds and my husband "
    "and I have 3 kids, so sleep is precious. Any tips from people who have done this for years?"
)
STARTUP_S = 120.0


@dataclass
class Server:
    url: str
    key: str | None
    log_path: Path
    process: subprocess.Popen

    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.key}"} if self.key else {}

    def client(self, **kw) -> httpx.Client:
        return httpx.Client(base_url=self.url, headers=self.headers(), **{"timeout": 60.0, **kw})

    def log(self) -> str:
        return self.log_path.read_text(encoding="utf-8", errors="replace")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(tmp: Path, *, key: str | None, rate_per_minute: int = 1000, extra: dict[str, str] | None = None) -> Server:
    port = free_port()
    env = {
        **os.environ,
        "KANON_DETECTOR": "rules.v1",
        "KANON_REASONER": "statistical",
        "KANON_DATABASE_URL": f"sqlite:///{tmp}/kanon.db",
        "KANON_CONFIG": str(tmp / "absent.toml"),
        "KANON_API_RATE_LIMIT_PER_MINUTE": str(rate_per_minute),
        # the module's tests send many missing or wrong keys on purpose; the
        # failed-auth limit has its own test with its own server
        "KANON_API_FAILED_AUTH_PER_MINUTE": "10000",
        "KANON_API_CORS_ORIGINS": '["http://allowed.example"]',
        # Long histories run as Prefect flow runs: Prefect's ephemeral server, a home of its own
        "PREFECT_HOME": str(tmp / "prefect"),
        "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
        "DO_NOT_TRACK": "1",
        "PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS": "150",
        **(extra or {}),
    }
    env.pop("KANON_API_KEY", None)
    env.pop("PREFECT_API_URL", None)
    if key:
        env["KANON_API_KEY"] = key
    log_path = tmp / "server.log"
    fh = log_path.open("w")
    proc = subprocess.Popen(
        [sys.executable, "-m", "kanon.cli", "api", "--host", "127.0.0.1", "--port", str(port),
         *([] if key else ["--no-auth"])],
        stdout=fh, stderr=subprocess.STDOUT, env=env, cwd=tmp,
        start_new_session=True,  # its own process group: stopping it stops what it started
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + STARTUP_S
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"the API server exited with {proc.returncode}:\n{log_path.read_text()[-3000:]}")
        try:
            if httpx.get(url + "/health", timeout=2.0).status_code == 200:
                return Server(url, key, log_path, proc)
        except httpx.HTTPError:
            pass
        time.sleep(0.25)
    _signal_group(proc, signal.SIGKILL)
    raise RuntimeError("the API server did not start in time")


def _signal_group(proc: subprocess.Popen, sig: int) -> None:
    try:
        os.killpg(proc.pid, sig)
    except ProcessLookupError:
        pass


def stop_server(server: Server) -> None:
    # The whole group: a Prefect server the API started for a history run goes too.
    _signal_group(server.process, signal.SIGTERM)
    try:
        server.process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        _signal_group(server.process, signal.SIGKILL)


@pytest.fixture(scope="session")
def server(tmp_path_factory: pytest.TempPathFactory):
    s = start_server(tmp_path_factory.mktemp("api"), key=API_KEY)
    yield s
    stop_server(s)


@pytest.fixture()
def client(server: Server):
    with server.client() as c:
        yield c
