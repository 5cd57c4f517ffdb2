"""Building the language-model reasoners from settings (flows.components.build_reasoner)."""

import pytest

from flows.components import build_pipeline, build_reasoner
from records.errors import LLMRequiredError, SettingsError
from flows.settings import Settings
from reasoners.branch import BranchReasoner, CotReasoner
from reasoners.estimators import PriorEstimator

REMOTE = "https://llm.example.org/v1"


@pytest.mark.parametrize("name", ["branch", "cot", "branch.v1"])
def test_llm_reasoners_need_llm(tmp_path, name):
    with pytest.raises(LLMRequiredError) as e:
        build_reasoner(Settings(database_url=f"sqlite:///{tmp_path}/k.db"), name)
    assert isinstance(e.value, SettingsError) and e.value.code == "llm_required" and "--llm" in e.value.message


def test_branch_is_built_from_the_llm_settings(tmp_path, capsys):
    s = Settings(llm="http://127.0.0.1:9/v1", llm_model="qwen", llm_api_key="sk-test", llm_concurrency=3,
                 llm_timeout_s=7.5, llm_max_retries=1, llm_samples=4,
                 database_url=f"sqlite:///{tmp_path}/k.db")
    r = build_reasoner(s, "branch")
    assert isinstance(r, BranchReasoner)
    cfg = r.backend.config
    assert (cfg.model, cfg.api_key, cfg.concurrency, cfg.timeout_s, cfg.max_retries) == ("qwen", "sk-test", 3, 7.5, 1)
    assert r.backend.model_id == "openai:qwen"
    assert r.config.samples == 4 and r.config.first_samples == 3
    # statistics first: the statistical reasoner's estimators without the prior, which is the fallback
    names = [e.name for e in r.statistics.estimators]
    assert names and not any(isinstance(e, PriorEstimator) for e in r.statistics.estimators)
    assert isinstance(r.prior, PriorEstimator)
    assert r.cache.store is None  # no database here: memory only
    assert capsys.readouterr().err == ""  # a local endpoint: nothing to announce
    assert "sk-test" not in repr(cfg)  # the key is sent, never shown


def test_remote_endpoint_is_announced_once_per_run(tmp_path, capsys):
    s = Settings(llm=REMOTE, database_url=f"sqlite:///{tmp_path}/k.db")
    cot = build_reasoner(s, "cot")
    first = capsys.readouterr().err
    assert isinstance(cot, CotReasoner)
    assert first.count("text will be sent to a remote language model at llm.example.org") == 1
    # a second reasoner of the same run (evaluate k) stays quiet, and so does its backend
    build_pipeline(s, detector="rules.v1", reasoner="branch", announce=False)
    assert capsys.readouterr().err == ""
    assert cot.backend._announced  # the backend will not say it again when it sends


def test_an_empty_name_is_refused_not_read_as_the_default():
    from flows.components import build_detector, build_reasoner
    from flows.settings import Settings
    from records.errors import UnknownComponentError

    settings = Settings(detector="rules.v1", reasoner="statistical")
    for build in (build_detector, build_reasoner):
        with pytest.raises(UnknownComponentError):
            build(settings, "")
    assert build_reasoner(settings, None).name == "statistical"  # None: the configured one
