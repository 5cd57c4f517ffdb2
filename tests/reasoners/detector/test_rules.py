import pytest

from records.types import Post
from reasoners.detector.rules import RuleDetector, RuleDetectorConfig


@pytest.fixture(scope="module")
def det():
    d = RuleDetector()
    d.load()
    return d


def spans(det, text):
    return [(text[d.start:d.end], d.label) for d in det.detect([Post(id="p", text=text)])[0]]


def test_contact_rules(det):
    found = spans(det, "email me at jo.smith@example.com or call +44 7700 900123")
    assert ("jo.smith@example.com", "Contact") in found
    assert ("+44 7700 900123", "Contact") in found


def test_age_gender_tags(det):
    assert spans(det, "[28F] need advice")[0] == ("28F", "Age_Gender")
    assert ("34m", "Age_Gender") in spans(det, "me (34m) and my wife")


def test_self_reference_required(det):
    found = spans(det, "My coworker is a nurse and her sister lives in Leeds.")
    assert not any(lab == "Occupation" for _, lab in found)


def test_partners_and_family(det):
    found = dict((lab, t) for t, lab in spans(det, "my bf and my wife and my 3 kids"))
    assert found["Husband_BF"] == "my bf"
    assert found["Wife_GF"] == "my wife"
    assert found["Family"] == "my 3 kids"


def test_name_from_ner(det):
    found = spans(det, "Hi all, my name is Priya and I live in Leeds.")
    assert ("my name is Priya", "Name") in found  # the introduction is part of the span (docs/annotation.md)
    assert any(lab == "Location" and "Leeds" in t for t, lab in found)


def test_offsets_valid_on_odd_input():
    det = RuleDetector(RuleDetectorConfig(use_ner=False))
    for text in ["😀😀😀", "http://a.example/x?y=1", "\x00\x01 I'm 34 \x07", "Ich bin 34 Jahre alt"]:
        post = Post(id="p", text=text)
        for d in det.detect([post])[0]:
            assert 0 <= d.start < d.end <= len(text)


def contact(det, text):
    return [text[a:b] for a, b, lab in det._spans(text, None) if lab == "Contact"]


def test_phone_numbers_and_what_is_not_one():
    det = RuleDetector(RuleDetectorConfig(use_ner=False))
    assert contact(det, "Ph (02) 5550 1234 after 6pm") == ["(02) 5550 1234"]
    assert contact(det, "call (720) 555-0147 or +27 82 555 0164.") == ["(720) 555-0147", "+27 82 555 0164"]
    # year ranges, amounts and short numbers are not phone numbers
    assert contact(det, "I worked there 2019 - 2023 and paid 1,250,000 for a 555-0147 plate") == []


def test_handles_without_their_lead_in():
    det = RuleDetector(RuleDetectorConfig(use_ner=False))
    assert contact(det, "discord: kasz_pl") == ["kasz_pl"]
    assert contact(det, "DM me on Discord, meiplays_, or reply") == ["meiplays_"]
    assert contact(det, "find me on tiktok @clayby_mei 🌈") == ["@clayby_mei"]
    assert contact(det, "connect: linkedin.com/in/jo-bloggs-01. Thanks") == ["linkedin.com/in/jo-bloggs-01"]
    assert contact(det, "I'm on discord a lot, and my insta is 3 years old") == []


def test_name_span_holds_its_introduction(det):
    found = spans(det, "Hi all, my name is Tomasz and I need advice.")
    assert ("my name is Tomasz", "Name") in found


def test_contact_and_name_agree_with_the_full_pass(det):
    texts = ["My name is Priya, email priya.k@example.com", "nothing here", "Selling a bike.\n\n— Kate",
             "call 0412 555 019, I'm Dave"]
    fast = det.contact_and_name(texts)
    for text, got in zip(texts, fast):
        full = [s for s in det._spans(text, det._nlp(text)) if s[2] in ("Contact", "Name")]
        assert got == full
