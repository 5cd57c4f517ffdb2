"""The bundled classifier (minilm-bio.v1): obvious spans, bad input, long posts, the merge with the rules."""

import pytest

from records.types import LABELS, Post
from reasoners.detector.token_classifier import ClassifierConfig, TokenClassifierDetector, _merge_with_rules

# Loading torch, transformers and the model takes several seconds; the tests share one load.
pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def clf():
    det = TokenClassifierDetector(ClassifierConfig(device="cpu"))
    det.load()
    return det


def found(det, text):
    return [(text[d.start:d.end], d.label) for d in det.detect([Post(id="p", text=text)])[0]]


def assert_valid(post, disclosures):
    for d in disclosures:
        assert 0 <= d.start < d.end <= len(post.text)
        assert d.label in LABELS
        assert 0.0 <= d.score <= 1.0
        assert d.post_id == post.id
    starts = [d.start for d in disclosures]
    assert starts == sorted(starts)


def test_bundled_model_finds_the_obvious_spans(clf):
    got = found(clf, "28F, nurse in Leeds, my bf and I have two cats")
    assert ("28F", "Age_Gender") in got
    assert ("my bf", "Husband_BF") in got
    assert any(lab == "Occupation" and "nurse" in t for t, lab in got)
    assert any(lab == "Location" and "Leeds" in t for t, lab in got)
    assert any(lab == "Pet" and "cats" in t for t, lab in got)
    assert clf.card["name"] == "minilm-bio.v1"


def test_contact_comes_from_the_rules(clf):
    text = "Selling my bike, text 0412 555 019 or email film.kate@example.com"
    post = Post(id="p", text=text)
    ds = clf.detect([post])[0]
    contact = [(text[d.start:d.end], d.provenance.component) for d in ds if d.label == "Contact"]
    assert contact == [("0412 555 019", "rules.v1"), ("film.kate@example.com", "rules.v1")]


def test_bad_input_gives_valid_offsets(clf):
    texts = ["", "   ", "\n\n\t", "😀😀😀 🙃", "http://a.example/x?y=1 https://b.example/path",
             "\x00\x01 I'm 34 \x07\u200b and my wife\x1b[0m", "Ich bin 34 Jahre alt und wohne in München.",
             "我今年三十四岁，住在上海。", "Tengo 34 años y vivo en Lima con mi esposo."]
    posts = [Post(id=str(i), text=t) for i, t in enumerate(texts)]
    out = clf.detect(posts)
    assert len(out) == len(posts)
    for post, ds in zip(posts, out):
        assert_valid(post, ds)
    # nothing to find in nothing, in emojis or in bare addresses
    assert out[0] == out[1] == out[2] == out[3] == out[4] == []
    assert clf.detect([]) == []


def test_a_100k_character_post(clf):
    head = "28F here, I live in Leeds with my wife. "
    tail = " Anyway, my dad has dementia and I'm a nurse."
    # Unbroken 199-letter "words" are one token each: many windows at little cost.
    body = ("q" * 199 + " ") * ((100_000 - len(head) - len(tail)) // 200)
    text = head + body
    text = text + "z" * (100_000 - len(text) - len(tail)) + tail
    assert len(text) == 100_000
    post = Post(id="long", text=text)
    ds = clf.detect([post])[0]
    assert_valid(post, ds)
    labels_start = {d.label for d in ds if d.end <= len(head)}
    labels_end = {d.label for d in ds if d.start >= len(text) - len(tail)}
    assert {"Age_Gender", "Wife_GF"} <= labels_start
    assert {"Family", "Occupation"} <= labels_end


def test_windows_merge_back(clf):
    text = ("I'm 34 and I live in Ohio with my husband. " + "The bus was late again and the shop was closed. " * 8
            + "My son has autism and I work as a teacher.")
    small = TokenClassifierDetector(ClassifierConfig(device="cpu", max_length=32, stride=8, batch_size=8))
    small.load()
    assert small.runtime == clf.runtime == "onnx"
    assert len(small._loaded[1].encode(text).ids) > 3 * 32  # several windows of 32 tokens
    one = clf.predict([text])[0]
    many = small.predict([text])[0]
    for spans in (one, many):
        labels = {lab for _, _, lab, _ in spans}
        assert {"Age", "Location", "Husband_BF", "Family", "Occupation"} <= labels
        assert all(0 <= a < b <= len(text) for a, b, _, _ in spans)
        # no span twice from two overlapping windows
        assert len({(a, b) for a, b, _, _ in spans}) == len(spans)
    # the windows agree with the single pass on the spans away from any window edge
    assert {(a, b, lab) for a, b, lab, _ in one if a < 40 or a > len(text) - 45} <= {(a, b, lab) for a, b, lab, _ in many}


def test_batch_results_do_not_depend_on_the_batch(clf):
    # int8's scales are per run: with several windows a run, a text's spans changed with its batch-mates
    from reasoners.detector.corpus import CORPUS_DIR, read_jsonl

    texts = ["I'm 34 and I live in Ohio.", "my gf and I adopted a dog", "nothing here at all"]
    texts += [e.text for e in read_jsonl(CORPUS_DIR / "dev.jsonl")[:30]]
    alone = [clf.detect([Post(id="p", text=t)])[0] for t in texts]
    together = clf.detect([Post(id="p", text=t) for t in texts])
    assert [[(d.start, d.end, d.label) for d in x] for x in alone] == [[(d.start, d.end, d.label) for d in x] for x in together]


def test_merge_with_rules():
    model = [(0, 8, "Contact", 0.9), (10, 20, "Location", 0.8), (30, 34, "Name", 0.7), (50, 60, "Age", 0.9)]
    rules = [(12, 25, "Contact"), (30, 40, "Name"), (70, 75, "Name")]
    merged = _merge_with_rules(model, rules, 0.6)
    assert [(a, b, lab, src) for a, b, lab, _, src in merged] == [
        (12, 25, "Contact", "rule"),  # the rule's address replaces the model span it overlaps
        (30, 34, "Name", "model"),  # the model's name is kept over the rule's ...
        (50, 60, "Age", "model"),
        (70, 75, "Name", "rule"),  # ... and a name only the rules found is added
    ]  # the model's own Contact span (0, 8) is dropped: the rules own Contact
