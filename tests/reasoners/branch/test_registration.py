import pytest

import reasoners.registry as registry
from reasoners.branch import BranchReasoner, CotReasoner
from tests.support.scripted_server import ScriptedServer


@pytest.fixture
def fresh(monkeypatch):
    """Fresh tables, with register_all() treated as done: only our register() runs."""
    monkeypatch.setattr(registry, "_registered", True)
    for kind in ("reasoners", "llm_backends"):
        monkeypatch.setattr(registry, kind, registry.Registry(kind))
    return registry


def test_branch_and_cot_register_and_build_from_an_llm_spec(fresh):
    import reasoners.branch
    import reasoners.llm

    reasoners.branch.register()
    reasoners.llm.register()
    assert fresh.reasoners.names() == ["branch", "cot"]
    assert fresh.llm_backends.names() == ["openai", "smollm2", "transformers"]
    with ScriptedServer() as srv:
        b = fresh.reasoners.create("branch.v1", llm=srv.url, model="m", statistics=False)
        c = fresh.reasoners.create("cot", llm=srv.url, model="m")
    assert isinstance(b, BranchReasoner) and isinstance(c, CotReasoner)
    assert b.backend.model_id == "openai:m"


def test_branch_without_an_llm_is_a_settings_error(fresh):
    import reasoners.branch
    from records.errors import SettingsError

    reasoners.branch.register()
    with pytest.raises(SettingsError):
        fresh.reasoners.create("branch")
