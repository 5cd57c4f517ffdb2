"""A tiny training run on CPU writes a loadable detector folder whose card says how it was made;
the quick recipe's frozen bottom gives the model the same input as running it."""

import json
import random

import pytest

from records.types import Post
from reasoners.detector.corpus import CORPUS_DIR
from reasoners.detector.token_classifier import CARD, ClassifierConfig, TokenClassifierDetector
from records.errors import InputError
from reasoners.detector.frozen_layers import frozen_output as _frozen_output, make_stand_in as _make_stand_in
from reasoners.detector.frozen_layers import split_points as _split_points, top_only as _top_only
from reasoners.detector.train import (TrainConfig, _batches, _hash_file,
                                       _windows, resolve_recipe, train)


@pytest.mark.slow
def test_tiny_training_run(tmp_path):
    out = tmp_path / "det"
    card = train(TrainConfig(out_dir=out, kind="lora", lora_r=8, lora_alpha=16, epochs=1, limit_train=40, limit_dev=4,
                             max_length=48, batch_size=16, device="cpu", progress=False, seed=3,
                             evaluate_test=False))
    saved = json.loads((out / CARD).read_text())
    assert saved["name"] == card["name"] == "minilm-bio.v1"
    assert saved["kind"] == "lora" and saved["config"]["epochs"] == 1 and saved["config"]["seed"] == 3
    # On CPU the default recipe is the quick one: the adapter touches only the layers above the frozen two.
    assert saved["config"]["recipe"] == "quick" and saved["config"]["frozen_layers"] == 2
    from safetensors.torch import load_file

    layers = {int(k.split(".layer.")[1].split(".")[0]) for k in load_file(str(out / "adapter_model.safetensors")) if ".layer." in k}
    assert layers == {2, 3, 4, 5}
    for split in ("train", "dev", "test", "generated"):
        assert saved["data"][split]["sha256"] == _hash_file(CORPUS_DIR / f"{split}.jsonl")
    assert saved["data"]["train"]["posts"] == 40 and saved["data"]["dev"]["posts"] == 4
    # the card names the repository's corpus relatively, and a folder outside it as given
    assert saved["config"]["data_dir"] == "data/disclosures" and saved["config"]["out_dir"] == str(out)
    assert len(saved["figures"]["history"]) == 1 and saved["figures"]["dev"] is not None
    assert (out / "adapter_model.safetensors").exists() and (out / "README.md").exists()
    # a folder Hugging Face and PEFT users can load: the base by its public name, the labels, a card header
    adapter = json.loads((out / "adapter_config.json").read_text())
    assert adapter["base_model_name_or_path"] == "sentence-transformers/all-MiniLM-L6-v2"
    assert len(adapter["modules_to_save"]) == len(set(adapter["modules_to_save"]))
    assert json.loads((out / "config.json").read_text())["id2label"]["0"] == saved["tags"][0]
    assert (out / "README.md").read_text().startswith("---\nlicense: ")
    det = TokenClassifierDetector(ClassifierConfig(model_path=out, device="cpu", use_rules=False))
    det.load()
    post = Post(id="p", text="I'm 34 and I live in Leeds.")
    # One epoch learns little: the folder must load, run over a batch, and give well-formed spans.
    other = Post(id="q", text="Nothing about me here, just a question about printers.")
    batches = det.detect([post, other])
    assert len(batches) == 2  # one list per post, whatever the model found
    assert all(0 <= d.start < d.end <= len(p.text) and d.post_id == p.id for p, ds in zip((post, other), batches) for d in ds)


def test_recipes():
    cfg = TrainConfig()
    assert resolve_recipe(cfg, on_gpu=True).recipe == "full"
    assert (resolve_recipe(cfg, on_gpu=True).epochs, resolve_recipe(cfg, on_gpu=True).frozen_layers) == (20, 0)
    quick = resolve_recipe(cfg, on_gpu=False)
    assert quick.recipe == "quick" and quick.frozen_layers > 0
    assert resolve_recipe(TrainConfig(recipe="quick", epochs=3, frozen_layers=2), on_gpu=True).epochs == 3
    with pytest.raises(InputError, match="recipe"):
        resolve_recipe(TrainConfig(recipe="fast"), on_gpu=False)
    with pytest.raises(InputError, match="kind=lora"):
        resolve_recipe(TrainConfig(kind="full", recipe="quick"), on_gpu=False)
    with pytest.raises(InputError, match="epochs"):
        resolve_recipe(TrainConfig(epochs=0), on_gpu=False)


@pytest.mark.slow
def test_frozen_bottom_gives_the_same_logits():
    import torch
    from transformers import AutoModelForTokenClassification, AutoTokenizer

    from reasoners.detector.corpus import read_jsonl
    from reasoners.detector.token_classifier import packaged_encoder

    torch.manual_seed(0)
    tok = AutoTokenizer.from_pretrained(str(packaged_encoder()))
    model = AutoModelForTokenClassification.from_pretrained(str(packaged_encoder()), num_labels=5, dtype=torch.float32)
    model.eval()
    windows = _windows(tok, read_jsonl(CORPUS_DIR / "dev.jsonl")[:8], 48, 16)
    stand_in, split = _make_stand_in(), _split_points(model)
    cache = _frozen_output(split, windows, 4, pad_id=tok.pad_token_id, device="cpu", progress=False)
    checked = 0
    with torch.no_grad():
        for ids, mask, _, hidden in _batches(windows, 3, tok.pad_token_id, random.Random(0), cache):
            full = model(input_ids=ids, attention_mask=mask).logits
            with _top_only(split, 4, stand_in):
                stand_in.hidden = hidden
                top = model(input_ids=ids, attention_mask=mask).logits
            real = mask.bool()
            assert torch.allclose(full[real], top[real], atol=1e-4)
            checked += int(real.sum())
    assert checked > 100
    assert len(model.bert.encoder.layer) == 6  # the whole model is back after the block
