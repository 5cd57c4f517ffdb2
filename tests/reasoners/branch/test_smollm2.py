"""The real path with a real (tiny) model: whatever SmolLM2 says, each assessment is valid."""

import json
import os
import time

import pytest

from bayesnet.combine import combine
from bayesnet.validate import validate
from reasoners.branch import BranchConfig, BranchReasoner
from tests.support.branch_model import K_DEV, attributes_of

pytestmark = [pytest.mark.llm, pytest.mark.slow]


@pytest.fixture(scope="module")
def smollm2():
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    from reasoners.llm import backend_from_spec

    backend = backend_from_spec("smollm2", device="cpu")
    backend.load()
    return backend


def test_smollm2_two_dev_cases_give_valid_assessments_with_provenance(smollm2):
    cases = [json.loads(line) for line in open(K_DEV, encoding="utf-8")][:2]
    sets = [attributes_of(c) for c in cases]
    # One sample per question: prefill of the few-shot prompts dominates on two shared CPU cores.
    config = BranchConfig(samples=1, first_samples=1, max_generalise=0, split=False,
                          decompose_max_tokens=64, estimate_max_tokens=24)
    r = BranchReasoner(smollm2, config)
    t0 = time.monotonic()
    nets = r.estimate(r.decompose_many(sets), sets)
    elapsed = time.monotonic() - t0
    for net in nets:
        validate(net, require_estimates=True)
        k = combine(net, draws=500)
        assert 1 <= k.k_low <= k.k <= k.k_high
        for node in net.nodes:
            p = node.estimate.provenance
            assert p.component and p.source in ("llm", "prior", "table", "facts", "microdata", "derived")
            if p.source == "llm":
                assert p.model == smollm2.model_id and p.prompt.startswith("estimate@v1#")
            else:
                assert p.fallbacks  # a fallback always says why
    u = r.usage
    assert u["calls"] >= 2 and u["completion_tokens"] > 0
    print(f"\nsmollm2: {elapsed:.1f}s for 2 texts; usage {u}")
