"""The bundled detector folder loads as Hugging Face and PEFT users load such folders."""

import json

import pytest

from reasoners.detector.hf_folder import PACKAGED_BASE
from reasoners.detector.token_classifier import BUNDLED, CARD, load_token_model, packaged_encoder


def test_the_folder_names_its_base_and_labels_and_has_a_model_card_header():
    import yaml
    from transformers import AutoConfig

    adapter = json.loads((BUNDLED / "adapter_config.json").read_text())
    assert adapter["base_model_name_or_path"] == PACKAGED_BASE  # not a temporary path of the training run
    assert len(adapter["modules_to_save"]) == len(set(adapter["modules_to_save"]))
    tags = json.loads((BUNDLED / CARD).read_text())["tags"]
    config = AutoConfig.from_pretrained(str(BUNDLED))
    assert [config.id2label[i] for i in range(len(tags))] == tags and config.label2id["O"] == tags.index("O")
    text = (BUNDLED / "README.md").read_text()
    assert text.startswith("---\n")
    meta = yaml.safe_load(text.split("---\n")[1])
    assert meta["base_model"] == PACKAGED_BASE and meta["library_name"] == "peft"
    assert meta["pipeline_tag"] == "token-classification" and meta["license"]


@pytest.mark.slow
def test_peft_loads_the_folder_and_predicts_what_kanon_predicts():
    import torch
    from peft import PeftModel
    from transformers import AutoConfig, AutoModelForTokenClassification

    # the base by its local copy (no hub here); a user with a hub gives PACKAGED_BASE
    base = AutoModelForTokenClassification.from_pretrained(
        str(packaged_encoder()), config=AutoConfig.from_pretrained(str(BUNDLED)))
    peft_model = PeftModel.from_pretrained(base, str(BUNDLED)).eval()
    ours, tok, _ = load_token_model(BUNDLED, None, "cpu")
    enc = tok("I'm a 34 year old nurse in Leeds and my husband is a firefighter.", return_tensors="pt")
    with torch.no_grad():
        a = peft_model(**enc).logits
        b = ours(**enc).logits
    assert torch.allclose(a, b, atol=1e-4)
    assert (a.argmax(-1) == b.argmax(-1)).all()
