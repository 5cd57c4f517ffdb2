"""BIO tagging and decoding: gold spans survive tags_for_offsets -> decode with a real tokenizer."""

import pytest

from reasoners.detector.bio import IGNORE, TAG_ID, TokenPrediction, decode, tags_for_offsets
from reasoners.detector.corpus import CORPUS_DIR, read_jsonl
from reasoners.detector.generate import generate


@pytest.fixture(scope="module")
def tok():
    from transformers import AutoTokenizer

    from reasoners.detector.token_classifier import packaged_encoder

    return AutoTokenizer.from_pretrained(str(packaged_encoder()))


def round_trip(tok, text, spans):
    enc = tok([text], return_offsets_mapping=True)
    offsets = enc["offset_mapping"][0]
    tags = tags_for_offsets(offsets, spans)
    tokens = [TokenPrediction(s, e, t, 1.0) for (s, e), t in zip(offsets, tags) if t != IGNORE]
    return [(a, b, lab) for a, b, lab, _ in decode(tokens, text)]


def test_round_trip_on_handwritten_cases(tok):
    def at(text, *parts):
        return [(text.index(p), text.index(p) + len(p), lab) for p, lab in parts]

    cases = [
        ("[28F] my bf (30M) and I live in Leeds.", [("28F", "Age_Gender"), ("my bf (30M)", "Husband_BF"), ("I live in Leeds", "Location")]),
        # words the tokenizer splits into pieces; an address is one span
        ("Mombasa born, Filipina, email lerato.reads@example.co.za", [("Mombasa", "Location"), ("Filipina", "Race_Nationality"), ("lerato.reads@example.co.za", "Contact")]),
        ("My toddler (2.5) has asthma", [("My toddler (2.5)", "Family"), ("asthma", "Health")]),
    ]
    cases = [(text, at(text, *parts)) for text, parts in cases]
    # two adjacent spans of the same label stay two spans
    cases += [("my mom my dad", [(0, 6, "Family"), (7, 13, "Family")]), ("", [])]
    for text, spans in cases:
        for a, b, _ in spans:
            assert text[a:b].strip() == text[a:b]
        assert round_trip(tok, text, spans) == spans, text


@pytest.mark.parametrize("source", ["generated", "train", "test"])
def test_round_trip_on_the_corpus(tok, source):
    examples = generate(200, seed=5) if source == "generated" else read_jsonl(CORPUS_DIR / f"{source}.jsonl")
    bad = [ex.id for ex in examples
           if round_trip(tok, ex.text, [(s.start, s.end, s.label) for s in ex.spans]) != [(s.start, s.end, s.label) for s in ex.spans]]
    assert bad == []


def _tok(s, e, tag):
    return TokenPrediction(s, e, TAG_ID[tag], 0.9)


def test_a_word_follows_its_first_piece():
    text = "29F, Mombasa."
    # "mom" B-Location, "##bas" O, "##a" I-Age: the whole word is one Location span.
    toks = [_tok(0, 2, "B-Age_Gender"), _tok(2, 3, "O"), _tok(3, 4, "O"), _tok(5, 8, "B-Location"),
            _tok(8, 11, "O"), _tok(11, 12, "I-Age"), _tok(12, 13, "O")]
    assert [(text[a:b], lab) for a, b, lab, _ in decode(toks, text)] == [("29F", "Age_Gender"), ("Mombasa", "Location")]


def test_a_hyphenated_word_is_one_word():
    text = "fifty-something woman"
    # "fifty" B-Age, "-" O, "something" B-Age: one Age span, not two fragments.
    toks = [_tok(0, 5, "B-Age"), _tok(5, 6, "O"), _tok(6, 15, "B-Age"), _tok(16, 21, "B-Gender")]
    assert [(text[a:b], lab) for a, b, lab, _ in decode(toks, text)] == [("fifty-something", "Age"), ("woman", "Gender")]
    text = "twenty-something - and tired"
    # The rest of the word follows its first part even when tagged O; a spaced dash is not a join.
    toks = [_tok(0, 6, "B-Age"), _tok(6, 7, "O"), _tok(7, 16, "O"), _tok(17, 18, "O"), _tok(19, 22, "B-Age")]
    assert [text[a:b] for a, b, _, _ in decode(toks, text)] == ["twenty-something", "and"]


def test_brackets_kept_only_when_they_pair():
    text = "My husband (40M) is ("
    toks = [_tok(0, 2, "B-Husband_BF"), _tok(3, 10, "I-Husband_BF"), _tok(11, 12, "I-Husband_BF"),
            _tok(12, 14, "I-Husband_BF"), _tok(14, 15, "I-Husband_BF"), _tok(15, 16, "I-Husband_BF"),
            _tok(17, 19, "O"), _tok(20, 21, "B-Family")]
    assert [(text[a:b], lab) for a, b, lab, _ in decode(toks, text)] == [("My husband (40M)", "Husband_BF")]
    text = "(I'm 34)"
    toks = [_tok(0, 1, "B-Age"), _tok(1, 2, "I-Age"), _tok(2, 3, "I-Age"), _tok(3, 4, "I-Age"), _tok(5, 7, "I-Age"), _tok(7, 8, "I-Age")]
    assert [text[a:b] for a, b, _, _ in decode(toks, text)] == ["I'm 34"]


def test_decode_tolerates_unsorted_and_stray_tags():
    text = "I live in Ohio"
    toks = [_tok(10, 14, "I-Location"), _tok(0, 1, "I-Location"), _tok(2, 6, "I-Location"), _tok(7, 9, "I-Location")]
    assert decode(toks, text)[0][:3] == (0, 14, "Location")
    assert decode([], "") == []
