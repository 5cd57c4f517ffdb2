"""The classifier on ONNX Runtime: the same spans as torch, int8 within half a point, the export cache, no torch at run time."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from records.types import Post
from reasoners.detector import onnx_runtime
from reasoners.detector.corpus import read_jsonl
from reasoners.detector.token_classifier import BUNDLED, ClassifierConfig, TokenClassifierDetector
from reasoners.detector.windows import length_batches
from reasoners.metrics import span_metrics

pytestmark = pytest.mark.slow
ROOT = Path(__file__).resolve().parents[3]
DEV = ROOT / "data" / "disclosures" / "other_hands" / "dev.jsonl"


@pytest.fixture(scope="module")
def cache(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("onnx-cache")


def detector(runtime: str, cache: Path, precision: str = "int8", **kw) -> TokenClassifierDetector:
    det = TokenClassifierDetector(ClassifierConfig(device="cpu", runtime=runtime, precision=precision,
                                                   cache_dir=cache, **kw))
    det.load()
    return det


@pytest.fixture(scope="module")
def torch_det(cache):
    return detector("torch", cache)


@pytest.fixture(scope="module")
def gold():
    return read_jsonl(DEV)


def spans(det, texts):
    return [[(d.start, d.end, d.label) for d in ds]
            for ds in det.detect([Post(id=str(i), text=t) for i, t in enumerate(texts)])]


def test_fp32_export_gives_the_spans_of_torch(torch_det, cache, gold):
    texts = [e.text for e in gold[:80]]
    # A long post: several overlapping windows, merged back the same way on both runtimes.
    texts.append("\n\n".join(texts[:25]))
    onnx_det = detector("onnx", cache, precision="fp32")
    assert onnx_det.runtime == "onnx" and torch_det.runtime == "torch"
    assert spans(onnx_det, texts) == spans(torch_det, texts)
    scores_t = [d.score for ds in torch_det.detect([Post(id="a", text=texts[-1])]) for d in ds]
    scores_o = [d.score for ds in onnx_det.detect([Post(id="a", text=texts[-1])]) for d in ds]
    assert scores_o == pytest.approx(scores_t, abs=1e-3)


def test_int8_costs_at_most_half_a_point_of_partial_f1(torch_det, cache, gold):
    texts = [e.text for e in gold]
    truth = [[(s.start, s.end, s.label) for s in e.spans] for e in gold]
    f1_torch = span_metrics(truth, spans(torch_det, texts))["partial"]["f1"]
    int8 = detector("onnx", cache, precision="int8")
    f1_int8 = span_metrics(truth, spans(int8, texts))["partial"]["f1"]
    assert 100 * f1_int8 >= 100 * f1_torch - 0.5, (f1_int8, f1_torch)


def test_auto_is_onnx_on_a_cpu(cache):
    det = detector("auto", cache)
    assert det.runtime == "onnx"
    assert det.card["onnx"]["precision"] == "int8"
    got = [(t, lab) for t, lab in ((p.text[d.start:d.end], d.label) for p in [Post(id="p", text="28F, nurse in Leeds")]
                                    for d in det.detect([p])[0])]
    assert ("28F", "Age_Gender") in got


def test_an_export_is_reused_and_rebuilt_when_the_detector_changes(tmp_path, monkeypatch):
    from reasoners.detector import onnx_export

    calls = []
    real = onnx_export.export_onnx
    monkeypatch.setattr(onnx_export, "export_onnx", lambda *a, **kw: calls.append(a) or real(*a, **kw))
    folder = tmp_path / "det"
    shutil.copytree(BUNDLED, folder)
    first = onnx_runtime.export_for(folder, None, "fp32", tmp_path / "cache")
    again = onnx_runtime.export_for(folder, None, "fp32", tmp_path / "cache")
    assert first == again and len(calls) == 1
    # A retrained detector (here: its card changed) is a new export; the old one stays.
    card = json.loads((folder / "kanon_detector.json").read_text())
    (folder / "kanon_detector.json").write_text(json.dumps(dict(card, note="retrained")))
    changed = onnx_runtime.export_for(folder, None, "fp32", tmp_path / "cache")
    assert changed != first and len(calls) == 2 and first.complete()
    # Half an export (a process killed while writing) is not used: it is built again.
    changed.model.unlink()
    rebuilt = onnx_runtime.export_for(folder, None, "fp32", tmp_path / "cache")
    assert rebuilt == changed and rebuilt.complete() and len(calls) == 3


def test_bad_runtime_and_precision_are_refused():
    with pytest.raises(ValueError, match="runtime must be"):
        TokenClassifierDetector(ClassifierConfig(runtime="tensorrt"))
    with pytest.raises(ValueError, match="precision must be"):
        TokenClassifierDetector(ClassifierConfig(precision="int4"))


def test_length_batches_sort_and_respect_both_limits():
    lengths = [5, 300, 12, 40, 40, 7, 256, 9, 100, 3]
    batches = length_batches(lengths, batch_size=3, max_tokens=256)
    flat = [i for b in batches for i in b]
    assert sorted(flat) == list(range(len(lengths)))  # every window once
    assert [lengths[i] for i in flat] == sorted(lengths)  # shortest first
    for b in batches:
        assert len(b) <= 3
        assert len(b) == 1 or len(b) * max(lengths[i] for i in b) <= 256  # a lone long window still runs


def test_a_cold_assess_imports_neither_torch_nor_transformers(cache):
    """What makes the CLI answer in seconds: the ONNX runtime, and spaCy imported without torch."""
    onnx_runtime.export_for(BUNDLED, None, "int8", cache)  # exported here (that needs torch), used there
    code = (
        "import atexit, sys\n"
        "atexit.register(lambda: print('LOADED', 'torch' in sys.modules, 'transformers' in sys.modules,"
        " 'spacy' in sys.modules, file=sys.stderr))\n"
        "from kanon.cli import main\n"
        "sys.argv = ['kanon', 'assess', '--json', 'Hi, my name is Anna Kowalczyk. I am a nurse in Leeds.']\n"
        "main()\n"
    )
    env = dict(os.environ, KANON_CACHE_DIR=str(cache))
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, cwd=ROOT, timeout=120)
    assert "LOADED False False True" in done.stderr, done.stderr[-2000:]
    out = json.loads(done.stdout)
    assert any(d["label"] == "Name" for d in out["disclosures"]), out["disclosures"]
