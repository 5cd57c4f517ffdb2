import json
import logging

import pytest

from bayesnet.combine import point_k
from bayesnet.validate import validate
from records.types import Attribute, Network
from reasoners.branch import BranchConfig, BranchReasoner
from reasoners.llm.openai_http import OpenAIConfig, OpenAIHTTPBackend
from tests.support.branch_model import K_DEV, ReferenceModel, attribute_ids, attributes_of, chain_answer
from tests.support.scripted_server import Reply, ScriptedServer, is_repair, question_of, step_of

ATTRS = [
    Attribute(id="a1", category="Gender", value="woman"),
    Attribute(id="a2", category="Occupation", value="firefighter"),
    Attribute(id="a3", category="Location", value="Aarhus"),
]
GOOD = chain_answer(["a3", "a1", "a2"], [
    "How many people live in Aarhus?",
    "What share of Aarhus residents are women?",
    "What share of women in Aarhus are firefighters?",
])
VALUES = {q: v for q, v in zip(GOOD["questions"].values(), (370000, 0.5, 0.0004))}


def _backend(url: str, **kw) -> OpenAIHTTPBackend:
    cfg = dict(base_url=url, model="scripted", concurrency=8, timeout_s=2.0, max_retries=2,
               backoff_s=0.01, backoff_max_s=0.02)
    cfg.update(kw)
    return OpenAIHTTPBackend(OpenAIConfig(**cfg))


def _reasoner(url: str, **kw) -> BranchReasoner:
    return BranchReasoner(_backend(url), BranchConfig(**kw), rule_reasoner=None)


def _run(r: BranchReasoner, sets: list[list[Attribute]]) -> list[Network]:
    nets = [r.decompose(a) for a in sets] if len(sets) == 1 else r.decompose_many(sets)
    return r.estimate(nets, sets)


def _all_provenance(net: Network) -> None:
    validate(net, require_estimates=True)
    for n in net.nodes:
        assert n.estimate is not None and n.estimate.provenance.component


def good_model(body):
    step = step_of(body)
    if step == "decompose":
        return Reply(text=json.dumps(GOOD))
    v = VALUES[question_of(body)]
    high = v * 1.2 if v > 1 else min(1.0, v * 1.2)
    return Reply(text=json.dumps({"value": v, "low": v * 0.8, "high": high, "confidence": 0.8}))


# --- the machinery check -------------------------------------------------------------


def test_reference_answers_reproduce_k_ref_on_every_dev_case():
    cases = [json.loads(line) for line in open(K_DEV, encoding="utf-8")]
    with ScriptedServer(ReferenceModel(cases)) as srv:
        r = _reasoner(srv.url)
        sets = [attributes_of(c) for c in cases]
        nets = r.estimate(r.decompose_many(sets), sets)
    for case, net in zip(cases, nets):
        _all_provenance(net)
        assert all(n.estimate.provenance.source == "llm" for n in net.nodes)
        k = point_k(net)
        # k_ref is rounded to the precision it is stated in (3.0 for 3.04).
        assert k == pytest.approx(case["k_ref"], rel=0.01, abs=0.05), case["id"]
    u = r.usage
    assert u["texts"] == len(cases) and u["runner_repairs"] == 0 and u["fallbacks"] == 0
    assert u["early_stops"] == u["llm_questions"]  # identical samples agree at once


# --- decomposition -----------------------------------------------------------------


def test_correct_decomposition_end_to_end():
    with ScriptedServer(good_model) as srv:
        r = _reasoner(srv.url)
        (net,) = _run(r, [ATTRS])
    _all_provenance(net)
    assert [n.id for n in net.nodes] == ["n1", "n2", "n3"]
    assert net.node("n3").parents == ("n1", "n2")
    assert point_k(net) == pytest.approx(370000 * 0.5 * 0.0004, rel=1e-6)
    p = net.node("n2").estimate.provenance
    assert p.source == "llm" and p.model == "openai:scripted" and p.prompt.startswith("estimate@v1#")
    assert len(p.samples) == 3 and "stopped early" in p.note


def test_malformed_output_then_repair():
    def model(body):
        if step_of(body) == "decompose" and not is_repair(body):
            return Reply(text='{"select": {"use": ["a1"], "order": [')
        return good_model(body)

    with ScriptedServer(model) as srv:
        r = _reasoner(srv.url)
        (net,) = _run(r, [ATTRS])
        decomposes = [b for b in srv.requests if step_of(b) == "decompose"]
    assert len(decomposes) == 2 and is_repair(decomposes[1])
    assert "parse_error" in decomposes[1]["messages"][-1]["content"]  # the error is shown to the model
    assert [n.id for n in net.nodes] == ["n1", "n2", "n3"]
    assert "decompose: repaired" in net.node("n2").estimate.provenance.fallbacks
    assert r.usage["runner_repaired"] == 1


def test_cycle_is_repaired_once_then_the_rule_network_is_used():
    cyclic = dict(GOOD, parents={"n2": ["n3"], "n3": ["n2"]})

    def model(body):
        if step_of(body) == "decompose":
            return Reply(text=json.dumps(cyclic))
        return Reply(text='{"value": 0.3, "low": 0.2, "high": 0.4}' if "share" in question_of(body).lower()
                     else '{"value": 370000}')

    with ScriptedServer(model) as srv:
        r = _reasoner(srv.url)
        (net,) = _run(r, [ATTRS])
        decomposes = [b for b in srv.requests if step_of(b) == "decompose"]
    assert len(decomposes) == 2 and "cycle" in decomposes[1]["messages"][-1]["content"]
    _all_provenance(net)
    # The statistical reasoner's rule network: the place merged into the base, then sex, then the job.
    assert [n.id for n in net.nodes] == ["base", "gender", "occupation"]
    assert net.node("base").attribute_ids == ("a3",)
    assert net.node("occupation").parents == ("base", "gender")
    fb = net.base.estimate.provenance.fallbacks
    assert any(f.startswith("decompose: cycle") for f in fb)
    assert "decompose -> rule network (statistical)" in fb
    assert r.usage["network_fallbacks"] == 1
    # the model still estimates the rule network's questions
    assert point_k(net) == pytest.approx(370000 * 0.3 * 0.3, rel=1e-6)


def test_without_the_statistical_reasoner_the_fallback_is_the_built_in_chain():
    from records.errors import NetworkError

    class Broken:
        def decompose(self, attributes):
            raise NetworkError("no rule network here")

    def model(body):
        return Reply(text="not JSON") if step_of(body) == "decompose" else Reply(
            text='{"value": 370000}' if "How many" in question_of(body) else '{"value": 0.3}')

    with ScriptedServer(model) as srv:
        r = BranchReasoner(_backend(srv.url), BranchConfig(), rule_reasoner=Broken())
        (net,) = _run(r, [ATTRS])
    _all_provenance(net)
    # n0 = the place as base population; every later attribute conditioned on all earlier ones
    assert [n.id for n in net.nodes] == ["n0", "n1", "n2"]
    assert net.node("n0").attribute_ids == ("a3",) and net.node("n2").parents == ("n0", "n1")
    assert "decompose -> rule network (chain)" in net.base.estimate.provenance.fallbacks


def test_unknown_attribute_ids_are_refused():
    bad = dict(GOOD, select={"use": ["a1", "a2", "a3", "a9"], "ignore": []})

    def model(body):
        return Reply(text=json.dumps(bad)) if step_of(body) == "decompose" else good_model(body)

    with ScriptedServer(model) as srv:
        r = _reasoner(srv.url)
        net = r.decompose(ATTRS)
    from reasoners.statistical import StatisticalReasoner

    assert net == StatisticalReasoner().decompose(ATTRS)  # the rule-built fallback
    assert r.usage["network_fallbacks"] == 1


# --- estimation --------------------------------------------------------------------


def test_out_of_range_fraction_is_repaired():
    def model(body):
        if step_of(body) == "estimate" and "residents are women" in question_of(body) and not is_repair(body):
            return Reply(text='{"value": 51, "low": 45, "high": 55}')  # a percentage, not a fraction
        return good_model(body)

    with ScriptedServer(model) as srv:
        r = _reasoner(srv.url)
        (net,) = _run(r, [ATTRS])
    assert net.node("n2").estimate.value == pytest.approx(0.5)
    assert r.usage["runner_repaired"] == 1


def test_out_of_range_for_good_falls_back_to_a_flagged_guess():
    def model(body):
        if step_of(body) == "estimate" and "residents are women" in question_of(body):
            return Reply(text='{"value": 1.7}')
        if step_of(body) == "estimate" and "How many" in question_of(body):
            return Reply(text='{"value": 0.2}')  # not a count of people
        return good_model(body)

    with ScriptedServer(model) as srv:
        r = _reasoner(srv.url)
        (net,) = _run(r, [ATTRS])
    _all_provenance(net)
    for node_id in ("n1", "n2"):
        p = net.node(node_id).estimate.provenance
        assert p.source == "prior" and p.guess
        assert any(f.startswith("estimate: parse_error") for f in p.fallbacks)
    assert net.node("n3").estimate.provenance.source == "llm"
    assert r.usage["fallbacks"] == 2


def test_backend_errors_are_not_repaired_and_fall_back():
    with ScriptedServer(lambda body: Reply(status=500)) as srv:
        r = _reasoner(srv.url)
        (net,) = _run(r, [ATTRS])
        # decompose: 1 try + 2 retries; each question: 3 tries; no repair calls
        assert len(srv.requests) == 3 + 3 * len(net.nodes)
    _all_provenance(net)
    assert all(n.estimate.provenance.source == "prior" for n in net.nodes)
    assert r.usage["runner_repairs"] == 0
    assert "estimate: backend_unavailable" in net.base.estimate.provenance.fallbacks


def test_early_stop_only_when_the_first_samples_agree():
    def model(body):
        if step_of(body) == "decompose":
            return Reply(text=json.dumps(GOOD))
        q, n = question_of(body), body["n"]
        if "firefighters" in q:  # disagreeing samples: a second round is needed
            return Reply(texts=[json.dumps({"value": v}) for v in (0.0002, 0.0004, 0.0008, 0.0003, 0.0005)[:n]])
        v = VALUES[q]
        return Reply(texts=[json.dumps({"value": v})] * n)

    with ScriptedServer(model) as srv:
        r = _reasoner(srv.url, samples=5, first_samples=3)
        (net,) = _run(r, [ATTRS])
        est = [b for b in srv.requests if step_of(b) == "estimate"]
    assert sorted(b["n"] for b in est) == [2, 3, 3, 3]
    assert len(net.node("n3").estimate.samples) == 5
    assert len(net.node("n2").estimate.samples) == 3
    assert r.usage["early_stops"] == 2
    e = net.node("n3").estimate
    assert e.low <= 0.0002 and e.high >= 0.0008
    assert e.value == sorted(e.samples)[2]  # the median


def test_wide_spread_is_generalised_by_dropping_a_parent():
    easier = "What share of people in Denmark are firefighters?"

    def model(body):
        step = step_of(body)
        if step == "decompose":
            return Reply(text=json.dumps(GOOD))
        if step == "generalise":
            assert "- n2: What share of Aarhus residents are women?" in body["messages"][-1]["content"]
            return Reply(text=json.dumps({"question": easier, "drop_parents": ["n2"]}))
        q, n = question_of(body), body["n"]
        if q == easier:
            return Reply(texts=[json.dumps({"value": 0.0008})] * n)
        if "firefighters" in q:
            return Reply(texts=[json.dumps({"value": v}) for v in (0.00001, 0.001, 0.1, 0.0001, 0.01)[:n]])
        return Reply(texts=[json.dumps({"value": VALUES[q]})] * n)

    with ScriptedServer(model) as srv:
        r = _reasoner(srv.url, split=False)
        (net,) = _run(r, [ATTRS])
    validate(net, require_estimates=True)
    n3 = net.node("n3")
    assert n3.parents == ("n1",) and n3.question == easier
    assert n3.estimate.value == pytest.approx(0.0008) and "generalised" in n3.estimate.provenance.note
    assert r.usage["generalised"] == 1


WIDE = (0.00001, 0.001, 0.1, 0.0001, 0.01)  # five samples over four orders of magnitude
CASES = ["What share of women in Aarhus are full-time firefighters?",
         "What share of women in Aarhus are volunteer firefighters?"]


def _wide_then(scenario_answers):
    def model(body):
        step = step_of(body)
        if step == "decompose":
            return Reply(text=json.dumps(GOOD))
        if step == "split":
            return Reply(text=json.dumps({"scenarios": CASES}))
        if step == "generalise":
            return Reply(text=json.dumps({"question": "What share of people in Denmark are firefighters?",
                                          "drop_parents": ["n2"]}))
        q, n = question_of(body), body["n"]
        if q in scenario_answers:
            return Reply(texts=[json.dumps({"value": v}) for v in scenario_answers[q]][:n])
        if "firefighters" in q and "Denmark" not in q:
            return Reply(texts=[json.dumps({"value": v}) for v in WIDE[:n]])
        return Reply(texts=[json.dumps({"value": VALUES.get(q, 0.0008)})] * n)
    return model


def test_wide_spread_is_split_into_scenarios_that_are_summed():
    answers = {CASES[0]: [0.0001] * 5, CASES[1]: [0.0003, 0.0003, 0.0003, 0.0004, 0.0002]}
    with ScriptedServer(_wide_then(answers)) as srv:
        r = _reasoner(srv.url)
        (net,) = _run(r, [ATTRS])
        steps = [step_of(b) for b in srv.requests]
    validate(net, require_estimates=True)
    n3 = net.node("n3")
    assert [sc.question for sc in n3.scenarios] == CASES and n3.parents == ("n1", "n2")
    assert n3.estimate.provenance.source == "derived" and n3.estimate.provenance.prompt.startswith("split@v1#")
    assert n3.estimate.value == pytest.approx(0.0001 + 0.0003)
    assert point_k(net) == pytest.approx(370000 * 0.5 * 0.0004, rel=1e-6)  # bayesnet sums the scenarios
    assert "generalise" not in steps and r.usage["split"] == 1 and r.usage["generalised"] == 0


def test_a_split_that_stays_wide_or_overlaps_goes_on_to_generalisation():
    answers = {CASES[0]: list(WIDE), CASES[1]: [0.0003] * 5}  # one scenario as unsure as the whole
    with ScriptedServer(_wide_then(answers)) as srv:
        r = _reasoner(srv.url)
        (net,) = _run(r, [ATTRS])
    n3 = net.node("n3")
    assert not n3.scenarios and n3.parents == ("n1",) and n3.estimate.value == pytest.approx(0.0008)
    assert r.usage["split"] == 0 and r.usage["generalised"] == 1
    overlapping = {CASES[0]: [0.7] * 5, CASES[1]: [0.6] * 5}  # not disjoint: more than the whole
    with ScriptedServer(_wide_then(overlapping)) as srv:
        r = _reasoner(srv.url)
        (net,) = _run(r, [ATTRS])
    assert not net.node("n3").scenarios and r.usage["split"] == 0 and r.usage["generalised"] == 1


def test_identical_questions_are_answered_once_and_cached():
    with ScriptedServer(good_model) as srv:
        r = _reasoner(srv.url)
        _run(r, [ATTRS, ATTRS, ATTRS])  # one batch: three texts, same questions
        first = len([b for b in srv.requests if step_of(b) == "estimate"])
        _run(r, [ATTRS])  # a later batch: from the cache
        second = len([b for b in srv.requests if step_of(b) == "estimate"])
    assert first == 3 and second == 3
    u = r.usage
    assert u["deduplicated"] == 6 and u["cache_hits"] == 3 and u["cache_hit_rate"] == 0.5


def test_cache_key_depends_on_model_and_sampling():
    from reasoners.branch import EstimateCache

    k = EstimateCache.key("What share of X?", "fraction", "m1", {"samples": 5})
    assert k == EstimateCache.key("  what share of x ", "fraction", "m1", {"samples": 5})
    assert k != EstimateCache.key("What share of X?", "fraction", "m2", {"samples": 5})
    assert k != EstimateCache.key("What share of X?", "fraction", "m1", {"samples": 3})


def test_all_requests_of_a_batch_go_out_together_within_the_concurrency_bound():
    with ScriptedServer(lambda body: Reply(text=good_model(body).text, delay=0.05)) as srv:
        b = OpenAIHTTPBackend(OpenAIConfig(base_url=srv.url, model="s", concurrency=4))
        r = BranchReasoner(b, BranchConfig(), rule_reasoner=None)
        sets = [[a.model_copy(update={"value": f"{a.value}{i}"}) for a in ATTRS] for i in range(8)]
        r.decompose_many(sets)
    assert srv.max_in_flight == 4


def test_statistics_answer_first():
    from records.types import Estimate, Provenance

    class Census:
        name = "census-tables.v1"

        def estimate(self, q):
            if q.kind == "count":
                return Estimate(kind="count", value=350000, low=340000, high=360000,
                                provenance=Provenance(component=self.name, source="table"))
            return None

    with ScriptedServer(good_model) as srv:
        r = BranchReasoner(_backend(srv.url), BranchConfig(), statistics=Census(), rule_reasoner=None)
        (net,) = _run(r, [ATTRS])
        asked = [question_of(b) for b in srv.requests if step_of(b) == "estimate"]
    assert net.base.estimate.provenance.source == "table"
    assert "How many people live in Aarhus?" not in asked and len(asked) == 2
    assert r.usage["statistics_answers"] == 1


def test_no_user_text_in_logs_or_errors(caplog):
    canary = "Zyxwvut-canary-town"
    attrs = [Attribute(id="a1", category="Location", value=canary)]

    def model(body):
        return Reply(text=f"I think {canary} is lovely, not JSON")

    caplog.set_level(logging.DEBUG)
    with ScriptedServer(model) as srv:
        r = _reasoner(srv.url)
        (net,) = _run(r, [attrs])
    _all_provenance(net)
    assert canary not in caplog.text
    assert canary not in json.dumps(r.usage)
    for n in net.nodes:
        assert canary not in n.estimate.provenance.model_dump_json()
        assert canary not in repr(n)
