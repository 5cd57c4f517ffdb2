"""docker-compose.yml and prefect.yaml checked by structure (no Docker engine here)."""

from __future__ import annotations

import importlib
import inspect
import re
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def compose() -> dict:
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text())


def test_compose_has_the_production_services(compose):
    services = compose["services"]
    assert {"postgres", "prefect-server", "kanon-worker", "kanon-api", "vllm"} <= set(services)
    for name, svc in services.items():
        assert "healthcheck" in svc and svc["healthcheck"]["test"], name
        assert svc.get("image") or svc.get("build"), name
    assert services["vllm"]["profiles"] == ["gpu"]
    assert all("profiles" not in s for n, s in services.items() if n != "vllm")
    gpu = services["vllm"]["deploy"]["resources"]["reservations"]["devices"][0]
    assert gpu["capabilities"] == ["gpu"]


def test_compose_wiring(compose):
    services = compose["services"]
    server_env = services["prefect-server"]["environment"]
    assert "@postgres:5432/" in server_env["PREFECT_API_DATABASE_CONNECTION_URL"]
    worker = services["kanon-worker"]
    for dep in ("postgres", "prefect-server"):
        assert worker["depends_on"][dep]["condition"] == "service_healthy"
    assert services["prefect-server"]["depends_on"]["postgres"]["condition"] == "service_healthy"
    env = worker["environment"]
    assert env["PREFECT_API_URL"].startswith("http://prefect-server:4200")
    assert env["PREFECT_SERVER_ANALYTICS_ENABLED"] == "false" and env["DO_NOT_TRACK"] == "1"
    # the URL that reaches Prefect's parameters holds no password
    from sqlalchemy.engine import make_url

    assert make_url(env["KANON_DATABASE_URL"]).password is None and "PGPASSWORD" in env
    # every named volume used is declared
    used = {v.split(":")[0] for s in services.values() for v in s.get("volumes", []) if not v.startswith(".")}
    assert used <= set(compose["volumes"])
    for path in (v.split(":")[0] for s in services.values() for v in s.get("volumes", []) if v.startswith(".")):
        assert (ROOT / path).exists(), path


def test_prefect_yaml_matches_the_flows():
    spec = yaml.safe_load((ROOT / "prefect.yaml").read_text())
    names = set()
    for dep in spec["deployments"]:
        names.add(dep["name"])
        path, func = dep["entrypoint"].split(":")
        assert (ROOT / path).is_file()
        module = importlib.import_module(path.removesuffix(".py").replace("/", "."))
        fl = getattr(module, func)
        params = inspect.signature(fl.fn).parameters
        assert set(dep.get("parameters", {})) <= set(params), dep["name"]
        assert dep["work_pool"]["name"] == "kanon"
        for value in dep.get("parameters", {}).values():  # no secret spelled out
            assert not re.search(r"://[^/@]+:[^/@]+@", str(value))
    assert names == {"kanon-batch", "kanon-text", "kanon-ingest"}
    (batch,) = [d for d in spec["deployments"] if d["name"] == "kanon-batch"]
    assert batch["schedules"][0]["interval"] >= 60


# --- the image: what goes in, and how it is installed ---------------------------------------


def _dockerignore():
    import pathspec

    lines = [ln.strip() for ln in (ROOT / ".dockerignore").read_text().splitlines()]
    # Docker matches a pattern from the context's root (no implicit "anywhere", unlike git),
    # so each pattern is anchored unless it starts with **/
    patterns = [p if p.startswith("**/") else "/" + p for p in lines if p and not p.startswith("#")]
    return pathspec.PathSpec.from_lines("gitignore", patterns)


def test_the_build_context_holds_no_environment_history_or_store():
    spec = _dockerignore()
    for path in (".venv/bin/python", ".venv-presidio/bin/python", ".git/HEAD", ".kanon/kanon.db", "data/sub/store.db", "kanon.db",
                 "tests/conftest.py", "kanon/__pycache__/app.cpython-311.pyc", ".env"):
        assert spec.match_file(path), path
    for path in ("pyproject.toml", "README.md", "deploy/install.sh", "deploy/requirements-nodeps.txt",
                 "deploy/worker_alive.py", "kanon/cli/app.py", "data/normalise/admin1.csv", "flows/assess.py"):
        assert not spec.match_file(path), path
    # and the real tree: what the context would send is small (no environment, no store)
    import os

    sent = []
    for folder, dirs, files in os.walk(ROOT):
        rel = Path(folder).relative_to(ROOT).as_posix()
        at = "" if rel == "." else rel + "/"
        dirs[:] = [d for d in dirs if not spec.match_file(f"{at}{d}/")]
        sent += [Path(folder, f) for f in files if not spec.match_file(at + f)]
    names = {p.relative_to(ROOT).as_posix() for p in sent}
    assert {"pyproject.toml", "deploy/install.sh", "kanon/cli/app.py"} <= names
    assert sum(p.stat().st_size for p in sent) < 300 * 2**20


def test_one_install_recipe_serves_the_makefile_and_the_image():
    import subprocess
    import tomllib
    from importlib.metadata import version

    makefile = (ROOT / "Makefile").read_text()
    dockerfile = (ROOT / "Dockerfile").read_text()
    assert "sh deploy/install.sh $(BIN)/python test" in makefile
    assert "sh deploy/install.sh python" in dockerfile
    assert "pip install" not in makefile and dockerfile.count("pip install") == 0  # no second recipe
    assert "ARG TORCH_INDEX_URL=https://download.pytorch.org/whl/cpu" in dockerfile
    # the recipe's torch pin is pyproject's own
    script = (ROOT / "deploy/install.sh").read_text()
    expr = re.search(r"sed -n '([^']+)' pyproject.toml", script).group(1)
    got = subprocess.run(["sed", "-n", expr, "pyproject.toml"], cwd=ROOT, capture_output=True, text=True).stdout.strip()
    deps = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["dependencies"]
    assert got == next(d for d in deps if d.startswith("torch=="))
    # the no-deps packages are what this environment (built by the recipe) holds
    for line in (ROOT / "deploy/requirements-nodeps.txt").read_text().splitlines():
        if line.strip() and not line.startswith("#"):
            name, pin = line.split("==")
            assert version(name) == pin, name


def test_the_api_is_a_service_and_the_worker_checks_itself(compose):
    services = compose["services"]
    api = services["kanon-api"]
    assert "kanon api" in " ".join(api["command"]) and "0.0.0.0" in " ".join(api["command"])
    assert api["environment"]["KANON_API_KEY"].startswith("${KANON_API_KEY:?")  # no key, no start
    assert "8765/health" in " ".join(api["healthcheck"]["test"])
    assert "worker_alive.py" in " ".join(services["kanon-worker"]["healthcheck"]["test"])
    assert not services["vllm"]["image"].endswith(":latest")


def test_the_worker_health_check_sees_a_serving_process(tmp_path):
    import subprocess
    import sys

    sys.path.insert(0, str(ROOT / "deploy"))
    try:
        import worker_alive
    finally:
        sys.path.pop(0)
    fake = tmp_path / "bin" / "kanon"
    fake.parent.mkdir()
    fake.write_text("import time\ntime.sleep(60)\n")
    p = subprocess.Popen([sys.executable, str(fake), "serve"])
    try:
        # until the child has exec'd, /proc shows the parent's command line: wait for it
        import time

        deadline = time.monotonic() + 10
        while not worker_alive.serving() and time.monotonic() < deadline:
            time.sleep(0.05)
        assert worker_alive.serving()
    finally:
        p.kill()
        p.wait()
    proc = tmp_path / "proc"
    (proc / "42").mkdir(parents=True)
    (proc / "42" / "cmdline").write_bytes(b"/usr/bin/python\0/usr/local/bin/kanon\0api\0")
    assert not worker_alive.serving(str(proc))
    (proc / "43").mkdir()
    (proc / "43" / "cmdline").write_bytes(b"/usr/bin/python\0/usr/local/bin/kanon\0serve\0")
    assert worker_alive.serving(str(proc))
