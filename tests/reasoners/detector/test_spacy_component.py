import spacy

import reasoners.detector.spacy_component  # noqa: F401  (registers the factory)


def test_component_writes_disclosure_spans():
    nlp = spacy.blank("en")
    pipe = nlp.add_pipe("kanon_disclosures", config={"detector": "rules.v1"})
    assert {"Age_Gender", "Husband_BF", "Occupation", "Health"} <= set(pipe.labels)
    doc = nlp("28F here, my bf and I live in Leeds with our two cats.")
    spans = doc.spans["disclosures"]
    labels = {s.label_ for s in spans}
    assert {"Age_Gender", "Husband_BF", "Pet"} <= labels
    for s in spans:
        assert s._.disclosure["source"] == "rules.v1"
        assert 0 <= s._.disclosure["score"] <= 1
    # pipe() gives the same result as calling one doc at a time
    docs = list(nlp.pipe(["my wife is great", "nothing to see here"]))
    assert [s.label_ for s in docs[0].spans["disclosures"]] == ["Wife_GF"]
    assert len(docs[1].spans["disclosures"]) == 0


def test_factory_defaults_follow_the_command_line_and_the_old_name_still_works():
    from spacy.language import Language

    from flows.settings import Settings

    meta = Language.get_factory_meta("kanon_disclosures")
    assert meta.default_config["device"] == Settings.model_fields["device"].default == "auto"
    nlp = spacy.blank("en")
    nlp.add_pipe("self_disclosure", config={"detector": "rules.v1"})
    doc = nlp("my wife is great")
    assert [s.label_ for s in doc.spans["disclosures"]] == ["Wife_GF"]
