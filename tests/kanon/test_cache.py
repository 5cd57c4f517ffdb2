"""The BRANCH estimate cache kept in kanon's database: a second process asks the model nothing."""

import json

import pytest

from storage.estimate_cache import RepositoryStore, store_for
from records.types import Attribute
from reasoners.branch import BranchConfig, BranchReasoner, EstimateCache
from reasoners.llm.openai_http import OpenAIConfig, OpenAIHTTPBackend
from tests.support.branch_model import ChainModel
from tests.support.scripted_server import ScriptedServer, step_of

ATTRS = [Attribute(id="a1", category="Gender", value="woman"),
         Attribute(id="a2", category="Occupation", value="firefighter")]


@pytest.fixture
def migrated(tmp_path):
    from storage.migrate import upgrade

    url = f"sqlite:///{tmp_path / 'kanon.db'}"
    upgrade(url)
    return url


def _reasoner(url: str, store) -> BranchReasoner:
    backend = OpenAIHTTPBackend(OpenAIConfig(base_url=url, model="scripted", backoff_s=0.01))
    return BranchReasoner(backend, BranchConfig(), cache=EstimateCache(store=store))


def test_no_store_without_a_migrated_database(tmp_path):
    missing = f"sqlite:///{tmp_path / 'none' / 'kanon.db'}"
    assert store_for(missing) is None
    assert not (tmp_path / "none").exists()  # asking never creates a database
    empty = tmp_path / "empty.db"
    import sqlite3

    sqlite3.connect(empty).close()
    assert store_for(f"sqlite:///{empty}") is None  # not migrated


def test_estimates_persist_across_reasoners_and_hold_no_text(migrated):
    store = store_for(migrated)
    assert isinstance(store, RepositoryStore)
    with ScriptedServer(ChainModel()) as srv:
        first = _reasoner(srv.url, store)
        first.estimate([first.decompose(ATTRS)], [ATTRS])
        asked = sum(step_of(b) == "estimate" for b in srv.requests)
        # a new process, in effect: a fresh reasoner and memory, the same database
        second = _reasoner(srv.url, store_for(migrated))
        (net,) = second.estimate([second.decompose(ATTRS)], [ATTRS])
        asked_again = sum(step_of(b) == "estimate" for b in srv.requests) - asked
    assert asked == 3 and asked_again == 0
    u = second.usage
    assert u["cache_hits"] == 3 and u["cache_store_hits"] == 3 and u["cache_hit_rate"] == 1.0
    assert all("cached" in n.estimate.provenance.note for n in net.nodes)
    # the rows hold numbers, the model and the prompt version; never a question or a value of the text
    from sqlalchemy import text

    from storage.engine import create_engine

    with create_engine(migrated).connect() as conn:
        rows = conn.execute(text("select key, model, prompt_version, value from estimate_cache")).all()
    assert len(rows) == 3
    dump = json.dumps([list(map(str, r)) for r in rows])
    assert "firefighter" not in dump and "woman" not in dump and "share" not in dump.lower()
    assert {r[1] for r in rows} == {"openai:scripted"} and all(r[2].startswith("estimate@v1#") for r in rows)


def test_a_failing_store_is_a_miss_not_a_failure(migrated, caplog):
    from records.errors import StorageError

    class Down:
        def get(self, key):
            raise StorageError("database unavailable")

        def put(self, key, value, *, model, prompt):
            raise StorageError("database unavailable")

    with ScriptedServer(ChainModel()) as srv:
        r = _reasoner(srv.url, Down())
        (net,) = r.estimate([r.decompose(ATTRS)], [ATTRS])
    assert all(n.estimate.provenance.source == "llm" for n in net.nodes)
    assert r.cache.store_errors == 6 and r.usage["cache_misses"] == 3
