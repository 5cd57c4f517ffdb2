"""Export a trained detector to ONNX (torch is needed here, once; never at run time).

The adapter is folded into the encoder's weights first, as the torch path
does, and the graph ends in argmax and the top probability, so that the
runtime reads two small arrays per batch. Batch and sequence length are
dynamic. The export is written to a temporary folder and renamed into
place, so that two processes exporting at once never leave half a model.
"""

from __future__ import annotations

import json
import logging
import shutil
import tempfile
import warnings
from pathlib import Path

from reasoners.detector.onnx_runtime import Export, Precision

log = logging.getLogger(__name__)
OPSET = 17


def export_onnx(model_path: Path, encoder_path: Path | None, out: Path, *, precision: Precision = "fp32") -> Path:
    import torch

    from reasoners.detector.token_classifier import CARD, load_token_model

    model, tok, card = load_token_model(model_path, encoder_path, "cpu")
    # Eager attention exports as the classic pattern ONNX Runtime fuses into one
    # Attention op per layer; the SDPA graph is left unfused and runs slower than torch.
    model.set_attn_implementation("eager")

    class Tagged(torch.nn.Module):
        def __init__(self, inner):
            super().__init__()
            self.inner = inner

        def forward(self, input_ids, attention_mask):
            logits = self.inner(input_ids=input_ids, attention_mask=attention_mask).logits
            top, tags = logits.max(-1)
            # The probability of the best tag is the softmax at its logit: exp(0) / sum exp(l - max).
            return tags, 1.0 / torch.exp(logits - top.unsqueeze(-1)).sum(-1)

    sample = tok(["I'm a nurse in Leeds", "hi"], padding=True, return_tensors="pt")
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=".export-", dir=out.parent))
    try:
        raw = tmp / "model.raw.onnx"
        fp32 = tmp / ("model.onnx" if precision == "fp32" else "model.fp32.onnx")
        with warnings.catch_warnings():
            # The tracer's notes on shape arithmetic in the attention mask: the
            # exported graph is checked against torch in the tests, at several shapes.
            warnings.simplefilter("ignore")
            torch.onnx.export(
                Tagged(model).eval(), (sample["input_ids"], sample["attention_mask"]), str(raw),
                input_names=["input_ids", "attention_mask"], output_names=["tags", "probs"],
                dynamic_axes={n: {0: "batch", 1: "tokens"} for n in ("input_ids", "attention_mask", "tags", "probs")},
                opset_version=OPSET, dynamo=False,
            )
        _fuse(raw, fp32, model.config)
        raw.unlink()
        if precision == "int8":
            import onnx
            from onnxruntime.quantization import QuantType, quantize_dynamic

            # Per-channel weights: per-tensor int8 moved the span F1 by more than
            # the half point docs/detector.md allows. The first layer's
            # feed-forward output stays fp32: its input (after GELU) has the
            # widest range of the network, and quantising it alone caused a
            # quarter of the spans int8 changed, for a tenth of int8's gain
            # (docs/detector.md). The fused ops come from ONNX Runtime's own
            # domain, which shape inference does not type.
            kept = [n.name for n in onnx.load(str(fp32)).graph.node if n.op_type == "MatMul" and _first_ffn_out(n.name)]
            quantize_dynamic(str(fp32), str(tmp / "model.onnx"), weight_type=QuantType.QInt8, per_channel=True,
                             nodes_to_exclude=kept, extra_options={"DefaultTensorType": onnx.TensorProto.FLOAT})
            fp32.unlink()
        tok.backend_tokenizer.save(str(tmp / "tokenizer.json"))
        card = dict(card, onnx={"precision": precision, "opset": OPSET, "torch": torch.__version__,
                                 "pad_id": int(tok.pad_token_id or 0)})
        (tmp / CARD).write_text(json.dumps(card, indent=1))
        if out.exists() and not Export(out).complete():
            shutil.rmtree(out, ignore_errors=True)  # half an export, from a process stopped while writing
        try:
            tmp.rename(out)
        except OSError:  # another process finished first: keep its export
            if not Export(out).complete():
                raise
        log.info("exported the detector to ONNX (%s) at %s", precision, out)
        return out
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def _first_ffn_out(node: str) -> bool:
    """The first encoder layer's feed-forward output projection (``layer.0/output/dense``, not attention's)."""
    return "/layer.0/output/dense/" in node and "/attention/" not in node


def _fuse(src: Path, dst: Path, config) -> None:
    """ONNX Runtime's BERT fusions: embeddings with their layer norm, attention, bias with GELU, skip layer norms."""
    import logging as _logging

    from onnxruntime.transformers import optimizer

    _logging.getLogger("onnxruntime.transformers").setLevel(_logging.WARNING)
    fused = optimizer.optimize_model(str(src), model_type="bert", num_heads=int(config.num_attention_heads),
                                     hidden_size=int(config.hidden_size))
    fused.save_model_to_file(str(dst))


if __name__ == "__main__":
    # ``python -m reasoners.detector.onnx_export``: the bundled detector's CPU export, made ahead of its
    # first use (deploy/install.sh runs it, so that a fresh install's first command is not the slow one).
    from reasoners.detector.onnx_runtime import export_for
    from reasoners.detector.token_classifier import BUNDLED

    print(f"ONNX export of the bundled detector: {export_for(BUNDLED, None, 'int8').folder}")
