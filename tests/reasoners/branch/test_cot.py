import json

from bayesnet.combine import point_k
from bayesnet.validate import validate
from records.types import Attribute
from reasoners.branch import CotReasoner
from reasoners.llm.openai_http import OpenAIConfig, OpenAIHTTPBackend
from tests.support.scripted_server import Reply, ScriptedServer, is_repair, step_of

ATTRS = [Attribute(id="a1", category="Gender", value="woman"),
         Attribute(id="a2", category="Location", value="Aarhus")]


def _cot(url):
    return CotReasoner(OpenAIHTTPBackend(OpenAIConfig(base_url=url, model="s", backoff_s=0.01, max_retries=1)))


def test_cot_one_call_per_text_gives_a_single_node_network():
    with ScriptedServer(lambda b: Reply(text=json.dumps({"reasoning": "...", "k": 185000}))) as srv:
        r = _cot(srv.url)
        nets = r.estimate([r.decompose(ATTRS), r.decompose(ATTRS[:1])], [ATTRS, ATTRS[:1]])
        assert len(srv.requests) == 2 and all(step_of(b) == "cot" for b in srv.requests)
    for net in nets:
        validate(net, require_estimates=True)
        assert point_k(net) == 185000
        p = net.base.estimate.provenance
        assert p.source == "llm" and p.prompt.startswith("cot@v1#")


def test_cot_unusable_answer_falls_back_to_a_flagged_small_k():
    def model(body):
        return Reply(text="I cannot say" if not is_repair(body) else '{"k": 0}')

    with ScriptedServer(model) as srv:
        r = _cot(srv.url)
        (net,) = r.estimate([r.decompose(ATTRS)], [ATTRS])
    validate(net, require_estimates=True)
    p = net.base.estimate.provenance
    assert p.guess and p.source == "prior" and net.base.estimate.value == 1.0
    assert p.fallbacks and p.fallbacks[0].startswith("cot: parse_error")
    assert r.usage["fallbacks"] == 1
