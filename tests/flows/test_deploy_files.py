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
    assert {"postgres", "prefect-server", "kanon-worker", "vllm"} <= set(services)
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
