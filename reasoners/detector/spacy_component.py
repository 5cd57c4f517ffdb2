"""spaCy adapter: ``nlp.add_pipe("kanon_disclosures")`` writes ``doc.spans["disclosures"]``.

The factory name carries the package's name, as spaCy asks of third-party
components (``self_disclosure``, its earlier name, still works). Like a
spaCy span categorizer it tells its ``labels`` (kanon's taxonomy), and its
device defaults to ``auto`` as the command line's does (a GPU when there is
one).

The detector works on kanon ``Post``s; this component only adapts it for
people who live in spaCy. Score and source travel in the span extension
``span._.disclosure`` (declared here, once).
"""

from __future__ import annotations

from pathlib import Path

from spacy.language import Language
from spacy.tokens import Doc, Span

from records.types import LABELS, Post

SPANS_KEY = "disclosures"
FACTORY = "kanon_disclosures"
_OLD_FACTORY = "self_disclosure"


def _declare_extensions() -> None:
    if not Span.has_extension("disclosure"):
        Span.set_extension("disclosure", default=None)


class SelfDisclosureComponent:
    def __init__(self, nlp: Language, name: str, detector: str, model_path: str | None,
                 device: str, spans_key: str, overwrite: bool) -> None:
        from reasoners import registry

        _declare_extensions()
        kw = {} if detector == "rules.v1" else {"model_path": Path(model_path) if model_path else None, "device": device}
        self.detector = registry.detectors.create(detector, **kw)
        self.detector.load()
        self.name = name
        self.spans_key = spans_key
        self.overwrite = overwrite

    @property
    def labels(self) -> tuple[str, ...]:
        """The labels the spans can carry: kanon's disclosure taxonomy."""
        return tuple(getattr(self.detector, "labels", None) or LABELS)

    def __call__(self, doc: Doc) -> Doc:
        return self.set_annotations([doc], self.predict([doc]))[0]

    def pipe(self, docs, batch_size: int = 64):
        batch: list[Doc] = []
        for doc in docs:
            batch.append(doc)
            if len(batch) >= batch_size:
                yield from self.set_annotations(batch, self.predict(batch))
                batch = []
        if batch:
            yield from self.set_annotations(batch, self.predict(batch))

    def predict(self, docs: list[Doc]):
        """Compute without touching the docs."""
        return self.detector.detect([Post(id=str(i), text=d.text) for i, d in enumerate(docs)])

    def set_annotations(self, docs: list[Doc], found) -> list[Doc]:
        for doc, disclosures in zip(docs, found):
            spans = [] if self.overwrite else list(doc.spans.get(self.spans_key, []))
            for d in disclosures:
                # Character offsets to tokens; expand to whole tokens when a span cuts one.
                span = doc.char_span(d.start, d.end, label=d.label, alignment_mode="expand")
                if span is None:
                    continue
                span._.disclosure = {"score": d.score, "source": d.provenance.component}
                spans.append(span)
            doc.spans[self.spans_key] = spans
        return docs


_CONFIG = {"detector": "minilm-bio.v1", "model_path": None, "device": "auto", "spans_key": SPANS_KEY,
           "overwrite": True}


@Language.factory(FACTORY, assigns=["doc.spans"], default_config=_CONFIG)
def make_self_disclosure(nlp: Language, name: str, detector: str, model_path: str | None, device: str,
                         spans_key: str, overwrite: bool) -> SelfDisclosureComponent:
    return SelfDisclosureComponent(nlp, name, detector, model_path, device, spans_key, overwrite)


if not Language.has_factory(_OLD_FACTORY):  # the earlier name, for pipelines that use it
    Language.factory(_OLD_FACTORY, assigns=["doc.spans"], default_config=_CONFIG, func=make_self_disclosure)
