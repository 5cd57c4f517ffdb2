import threading
import time

import pytest

from records.errors import BackendError, BackendRateLimited, BackendTimeout, BackendUnavailable
from reasoners.llm import backend_from_spec
from reasoners.llm.base import GenerationRequest, user_messages
from reasoners.llm.openai_http import OpenAIConfig, OpenAIHTTPBackend, is_local_url
from tests.support.scripted_server import Reply, ScriptedServer


def _backend(url: str, **kw) -> OpenAIHTTPBackend:
    cfg = dict(base_url=url, model="scripted", concurrency=4, timeout_s=2.0, max_retries=3,
               backoff_s=0.01, backoff_max_s=0.05)
    cfg.update(kw)
    return OpenAIHTTPBackend(OpenAIConfig(**cfg))


def _req(text: str = "hello", n: int = 1, schema: dict | None = None) -> GenerationRequest:
    return GenerationRequest(messages=user_messages("system", text), n=n, max_tokens=16, json_schema=schema)


def test_n_samples_and_usage_are_recorded():
    with ScriptedServer(lambda body: Reply(texts=[f"a{i}" for i in range(body["n"])])) as srv:
        b = _backend(srv.url)
        out = b.generate([_req(n=3), _req(n=1)])
    assert [[c.text for c in o] for o in out] == [["a0", "a1", "a2"], ["a0"]]
    u = b.usage.snapshot()
    assert u["calls"] == 2 and u["prompt_tokens"] > 0 and u["completion_tokens"] == 4


def test_server_ignoring_n_is_asked_again_for_the_rest():
    with ScriptedServer(lambda body: Reply(texts=["x"])) as srv:
        out = _backend(srv.url).generate([_req(n=3)])
        assert len(out[0]) == 3 and len(srv.requests) == 3


def test_500s_are_retried_then_succeed():
    with ScriptedServer(lambda body: Reply(text="ok")) as srv:
        srv.push(Reply(status=500), Reply(status=503))
        b = _backend(srv.url)
        assert b.generate([_req()])[0][0].text == "ok"
        assert len(srv.requests) == 3 and b.usage.retries == 2


def test_500s_past_the_retry_budget_raise_a_typed_transient_error():
    with ScriptedServer(lambda body: Reply(status=500)) as srv:
        with pytest.raises(BackendUnavailable) as e:
            _backend(srv.url, max_retries=2).generate([_req("secret canary text")])
        assert len(srv.requests) == 3
    assert e.value.transient and "canary" not in str(e.value)


def test_429_honours_retry_after():
    with ScriptedServer(lambda body: Reply(text="ok")) as srv:
        srv.push(Reply(status=429, headers={"Retry-After": "0.4"}))
        t0 = time.monotonic()
        assert _backend(srv.url).generate([_req()])[0][0].text == "ok"
        assert time.monotonic() - t0 >= 0.4


def test_429_forever_raises_rate_limited_with_retry_after():
    with ScriptedServer(lambda body: Reply(status=429, headers={"Retry-After": "0"})) as srv:
        with pytest.raises(BackendRateLimited) as e:
            _backend(srv.url, max_retries=1).generate([_req()])
    assert e.value.retry_after == 0.0


def test_timeouts_are_retried_then_raise_backend_timeout():
    with ScriptedServer(lambda body: Reply(text="late", delay=0.5)) as srv:
        with pytest.raises(BackendTimeout):
            _backend(srv.url, timeout_s=0.1, max_retries=1).generate([_req()])
        assert len(srv.requests) == 2


def test_one_slow_answer_then_success():
    with ScriptedServer(lambda body: Reply(text="ok")) as srv:
        srv.push(Reply(text="late", delay=0.5))
        assert _backend(srv.url, timeout_s=0.2).generate([_req()])[0][0].text == "ok"


def test_malformed_body_and_dropped_connection_are_transient():
    with ScriptedServer(lambda body: Reply(text="ok")) as srv:
        srv.push(Reply(body=b"{not json"), Reply(drop=True))
        assert _backend(srv.url).generate([_req()])[0][0].text == "ok"
        assert len(srv.requests) == 3


def test_4xx_is_not_retried():
    with ScriptedServer(lambda body: Reply(status=401)) as srv:
        with pytest.raises(BackendError) as e:
            _backend(srv.url).generate([_req()])
        assert not e.value.transient and len(srv.requests) == 1


def test_connection_refused_is_unavailable():
    with ScriptedServer() as srv:
        url = srv.url
    with pytest.raises(BackendUnavailable):
        _backend(url, max_retries=1).generate([_req()])


def test_structured_output_falls_back_to_plain_when_refused():
    schema = {"type": "object", "properties": {"value": {"type": "number"}}}
    with ScriptedServer(lambda body: Reply(text='{"value": 1}'), reject_response_format=True) as srv:
        b = _backend(srv.url)
        assert b.generate([_req(schema=schema)])[0][0].text == '{"value": 1}'
        assert b.generate([_req(schema=schema)])[0][0].text == '{"value": 1}'
        sent = [("response_format" in r) for r in srv.requests]
    assert sent == [True, False, False]  # refused once, plain from then on


def test_structured_output_sends_the_schema():
    schema = {"type": "object", "properties": {"value": {"type": "number"}}}
    with ScriptedServer(lambda body: Reply(text="{}")) as srv:
        _backend(srv.url).generate([_req(schema=schema)])
        rf = srv.requests[0]["response_format"]
    assert rf["type"] == "json_schema" and rf["json_schema"]["schema"] == schema


def test_concurrency_bound_holds():
    with ScriptedServer(lambda body: Reply(text="ok", delay=0.05)) as srv:
        b = _backend(srv.url, concurrency=3)
        out = b.generate([_req(str(i)) for i in range(12)])
        assert len(out) == 12 and srv.max_in_flight == 3


def test_concurrency_bound_is_shared_by_threads():
    # Task-runner threads share one backend: the limit holds for all of them together.
    with ScriptedServer(lambda body: Reply(text="ok", delay=0.05)) as srv:
        b = _backend(srv.url, concurrency=3)
        outs: list = []
        threads = [threading.Thread(target=lambda: outs.append(b.generate([_req(str(i)) for i in range(6)])))
                   for _ in range(4)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert [len(o) for o in outs] == [6] * 4 and srv.max_in_flight == 3
        b.close()


def test_a_small_batch_is_not_stuck_behind_a_large_one():
    with ScriptedServer(lambda body: Reply(text="ok", delay=0.05)) as srv:
        b = _backend(srv.url, concurrency=2)
        big = threading.Thread(target=lambda: b.generate([_req(str(i)) for i in range(40)]))
        big.start()
        time.sleep(0.1)
        t0 = time.perf_counter()
        b.generate([_req("small")])
        small_s = time.perf_counter() - t0
        big.join()
        # Behind the large batch it would wait for ~20 rounds of 50 ms; served next, one or two.
        assert small_s < 0.5


def test_agenerate_from_another_loop_uses_the_backend_loop():
    import asyncio

    with ScriptedServer(lambda body: Reply(text="ok")) as srv:
        b = _backend(srv.url)
        assert asyncio.run(b.agenerate([_req(), _req()]))[1][0].text == "ok"
        b.close()
        assert b.generate([_req()])[0][0].text == "ok"  # a closed backend starts a new loop


def test_sync_wrapper_works_inside_a_running_loop():
    import asyncio

    with ScriptedServer(lambda body: Reply(text="ok")) as srv:
        b = _backend(srv.url)

        async def inside():
            return b.generate([_req()])

        assert asyncio.run(inside())[0][0].text == "ok"


def test_remote_endpoint_is_announced_once_on_stderr(capsys):
    b = _backend("http://10.255.255.1:9/v1", timeout_s=0.05, max_retries=0)
    for _ in range(2):
        with pytest.raises(BackendError):
            b.generate([_req()])
    err = capsys.readouterr().err
    assert err.count("remote language model") == 1


def test_local_endpoint_is_not_announced(capsys):
    with ScriptedServer(lambda body: Reply(text="ok")) as srv:
        _backend(srv.url).generate([_req()])
    assert "remote" not in capsys.readouterr().err


@pytest.mark.parametrize("url,local", [
    ("http://127.0.0.1:8000/v1", True), ("http://localhost/v1", True), ("http://[::1]:1/v1", True),
    ("https://api.example.com/v1", False), ("http://10.0.0.5/v1", False),
])
def test_is_local_url(url, local):
    assert is_local_url(url) is local


def test_backend_from_spec(tmp_path):
    assert backend_from_spec("http://127.0.0.1:1/v1", model="m", device="cpu").name == "openai"
    assert backend_from_spec(str(tmp_path)).name == "transformers"
    assert backend_from_spec("smollm2", device="cpu").model_id.startswith("transformers:SmolLM2")
    from records.errors import SettingsError

    with pytest.raises(SettingsError):
        backend_from_spec(str(tmp_path / "missing"))


def test_request_repr_hides_text():
    r = _req("my secret canary")
    assert "canary" not in repr(r) and "canary" not in repr(r.messages[1])
