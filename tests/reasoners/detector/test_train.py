"""A tiny training run on CPU writes a loadable detector folder whose card says how it was made."""

import json

import pytest

from kanon.records import Post
from reasoners.detector.corpus import CORPUS_DIR
from reasoners.detector.token_classifier import CARD, ClassifierConfig, TokenClassifierDetector
from reasoners.detector.train import TrainConfig, _hash_file, train


@pytest.mark.slow
def test_tiny_training_run(tmp_path):
    out = tmp_path / "det"
    card = train(TrainConfig(out_dir=out, kind="lora", lora_r=8, lora_alpha=16, epochs=1, limit_train=40, limit_dev=4,
                             max_length=48, batch_size=16, device="cpu", progress=False, seed=3,
                             evaluate_test=False))
    saved = json.loads((out / CARD).read_text())
    assert saved["name"] == card["name"] == "minilm-bio.v1"
    assert saved["kind"] == "lora" and saved["config"]["epochs"] == 1 and saved["config"]["seed"] == 3
    for split in ("train", "dev", "test", "generated"):
        assert saved["data"][split]["sha256"] == _hash_file(CORPUS_DIR / f"{split}.jsonl")
    assert saved["data"]["train"]["posts"] == 40 and saved["data"]["dev"]["posts"] == 4
    assert len(saved["figures"]["history"]) == 1 and saved["figures"]["dev"] is not None
    assert (out / "adapter_model.safetensors").exists() and (out / "README.md").exists()
    det = TokenClassifierDetector(ClassifierConfig(model_path=out, device="cpu", use_rules=False))
    det.load()
    post = Post(id="p", text="I'm 34 and I live in Leeds.")
    for d in det.detect([post])[0]:  # one epoch learns little; the folder must load and run
        assert 0 <= d.start < d.end <= len(post.text)
