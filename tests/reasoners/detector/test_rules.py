import pytest

from kanon.records import Post
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
    assert ("Priya", "Name") in found
    assert any(lab == "Location" and "Leeds" in t for t, lab in found)


def test_offsets_valid_on_odd_input():
    det = RuleDetector(RuleDetectorConfig(use_ner=False))
    for text in ["😀😀😀", "http://a.example/x?y=1", "\x00\x01 I'm 34 \x07", "Ich bin 34 Jahre alt"]:
        post = Post(id="p", text=text)
        for d in det.detect([post])[0]:
            assert 0 <= d.start < d.end <= len(text)
