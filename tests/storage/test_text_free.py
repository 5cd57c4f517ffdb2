"""Nothing of a post's words is stored beside it: the body and factors are made text-free."""

from __future__ import annotations

from storage.text_free import WITHHELD, text_free

TEXT = "I live in Zorbleton near the old mill and I work as a glorbsmith in New York City"


def body(question: str, attributes: list[dict]) -> dict:
    return {"attributes": attributes,
            "network": {"nodes": [{"id": "base", "question": question, "estimate": {"provenance": {"note": question}}}]}}


def test_an_attribute_that_did_not_normalise_loses_its_value_and_keeps_its_category():
    b = body("How many people live in the place the author names?",
             [{"id": "a0", "category": "Occupation", "value": "glorbsmith", "facets": {}},
              {"id": "a1", "category": "Age", "value": "34", "facets": {"age_low": 34, "age_high": 34}}])
    out = text_free(b, [TEXT])
    assert out["attributes"][0] == {"id": "a0", "category": "Occupation", "value": WITHHELD, "facets": {}}
    assert out["attributes"][1]["value"] == "34"
    assert b["attributes"][0]["value"] == "glorbsmith"  # the caller's copy is untouched


def test_a_question_quoting_the_post_is_withheld_wherever_it_sits():
    quoted = "What share of people who live in zorbleton near the old mill are glorbsmiths?"
    out = text_free(body(quoted, []), [TEXT])
    node = out["network"]["nodes"][0]
    assert node["question"] == WITHHELD and node["estimate"]["provenance"]["note"] == WITHHELD
    assert "zorbleton" not in str(out).lower()


def test_typed_vocabulary_that_happens_to_be_in_the_post_stays():
    place = {"id": "a0", "category": "Location", "value": "New York City",
             "facets": {"place": "New York City", "level": "city"}}
    out = text_free(body("How many people live in New York City?", [place]), [TEXT])
    assert out["network"]["nodes"][0]["question"] == "How many people live in New York City?"
    assert out["attributes"][0]["value"] == "New York City"
    # two words in common are not a quotation
    assert text_free({"s": "people who work as nurses"}, [TEXT])["s"] == "people who work as nurses"


def test_the_words_of_every_post_of_a_history_count():
    out = text_free({"s": "the author said: old mill and"}, ["nothing here", TEXT])
    assert out["s"] == WITHHELD
