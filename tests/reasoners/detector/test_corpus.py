"""The corpus: checked offsets with file:line errors, the generator, and the split of authored posts."""

import json

import pytest

from reasoners.detector.corpus import (
    CORPUS_DIR, LABELS, CorpusError, Example, Span, build, check_example, parse_markup, read_jsonl, read_marked, split_of,
)
from reasoners.detector.generate import generate

SECRET = "Zebulon-from-Tromsø"


def write_lines(path, rows):
    path.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in rows) + "\n", encoding="utf-8")
    return path


def jsonl_error(tmp_path, bad_row):
    ok = {"id": "a", "text": f"I'm 34 {SECRET}", "spans": [{"start": 0, "end": 6, "label": "Age", "text": "I'm 34"}]}
    path = write_lines(tmp_path / "split.jsonl", [ok, bad_row])
    with pytest.raises(CorpusError) as e:
        read_jsonl(path)
    msg = str(e.value)
    assert msg.startswith("split.jsonl:2:"), msg
    assert SECRET not in msg and "I'm 34" not in msg  # errors name the place, never the text
    return msg


@pytest.mark.parametrize("spans,expected", [
    ([{"start": 0, "end": 6, "label": "Age", "text": "I'm 34"}, {"start": 4, "end": 10, "label": "Location", "text": f"34 {SECRET}"[:6]}], "overlaps"),
    ([{"start": 0, "end": 6, "label": "Age", "text": "I am 3"}], "does not match"),
    ([{"start": 0, "end": 6, "label": "Age_Range", "text": "I'm 34"}], "unknown label"),
    ([{"start": 0, "end": 600, "label": "Age", "text": "I'm 34"}], "outside text"),
    ([{"start": 0, "label": "Age", "text": "I'm 34"}], "malformed"),
])
def test_jsonl_checker_names_file_and_line(tmp_path, spans, expected):
    assert expected in jsonl_error(tmp_path, {"id": "b", "text": f"I'm 34 {SECRET}", "spans": spans})


def test_jsonl_checker_rejects_bad_json(tmp_path):
    path = tmp_path / "split.jsonl"
    path.write_text('{"id": "a", "text": "x", "spans": []}\n{not json\n')
    with pytest.raises(CorpusError, match=r"^split.jsonl:2: malformed"):
        read_jsonl(path)


@pytest.mark.parametrize("marked,expected", [
    (f"<Age>I'm 34 <Location>in {SECRET}</Location></Age>", "nested"),
    (f"<Age>I'm 34 in {SECRET}", "unclosed"),
    (f"<Age>I'm 34</Location> in {SECRET}", "does not match"),
    (f"<Age></Age>I'm 34 in {SECRET}", "empty"),
])
def test_markup_errors_name_file_and_line(tmp_path, marked, expected):
    path = write_lines(tmp_path / "batch.jsonl", [{"id": "a-1", "marked": "<Age>I'm 34</Age>"}, {"id": "a-2", "marked": marked}])
    with pytest.raises(CorpusError) as e:
        read_marked(path)
    assert str(e.value).startswith("batch.jsonl:2:") and expected in str(e.value)
    assert SECRET not in str(e.value)


def test_markup_keeps_unknown_tags_and_trims_edges():
    text, spans = parse_markup("<3 <b>hi</b> < Age>x</ Age> <Occupation> nurse </Occupation>")
    assert text == "<3 <b>hi</b> < Age>x</ Age>  nurse "
    assert [(s.label, s.text) for s in spans] == [("Occupation", "nurse")]


def test_generator_is_valid_and_reproducible():
    a, b = generate(120, seed=7), generate(120, seed=7)
    assert a == b
    assert [e.text for e in generate(120, seed=8)] != [e.text for e in a]
    assert len({e.id for e in a}) == 120
    for ex in a:
        check_example(ex, ex.id)
        assert all(s.label in LABELS for s in ex.spans)
    assert sum(bool(e.spans) for e in a) > 60  # most posts disclose something
    assert any(not e.spans for e in a)  # some disclose nothing


def test_build_keeps_generated_posts_out_of_dev_and_test(tmp_path):
    (tmp_path / "authored").mkdir()
    rows = [{"id": f"t-{i:03d}", "marked": f"<Age>I'm {20 + i % 50}</Age> and I like bikes."} for i in range(60)]
    write_lines(tmp_path / "authored" / "batch-01.jsonl", rows)
    counts = build(tmp_path, generated=25, seed=1)
    assert counts["generated"] == 25 and counts["train"] + counts["dev"] + counts["test"] == 60
    assert counts["dev"] > 0 and counts["test"] > 0
    for split in ("train", "dev", "test"):
        for ex in read_jsonl(tmp_path / f"{split}.jsonl"):
            assert not ex.id.startswith("gen-")
            assert split_of(ex.id) == split
    assert all(ex.id.startswith("gen-") for ex in read_jsonl(tmp_path / "generated.jsonl"))


def test_build_lists_the_flagged_hard_negatives(tmp_path):
    (tmp_path / "authored").mkdir()
    write_lines(tmp_path / "authored" / "b.jsonl", [
        {"id": "n-1", "marked": "I'm not a nurse, my sister is", "hard_negative": True, "kind": "negation"},
        {"id": "n-2", "marked": "<Occupation>I'm a nurse</Occupation>", "hard_negative": False},
        {"id": "n-3", "marked": "age = 42"},
    ])
    counts = build(tmp_path, generated=0)
    listed = [x for x in (tmp_path / "hard_negatives.txt").read_text().splitlines() if not x.startswith("#")]
    assert listed == ["n-1"] and counts["hard_negatives"] == 1


def test_the_shipped_hard_negatives_are_a_quarter_of_the_authored_batches_that_flag_them():
    ids = [x for x in (CORPUS_DIR / "hard_negatives.txt").read_text().splitlines() if x and not x.startswith("#")]
    flagged = [p for p in (CORPUS_DIR / "authored").glob("*.jsonl") if '"hard_negative"' in p.read_text()]
    posts = sum(len(p.read_text().splitlines()) for p in flagged)
    assert len(ids) == len(set(ids)) and len(ids) >= posts / 4


def test_duplicate_ids_are_refused(tmp_path):
    (tmp_path / "authored").mkdir()
    write_lines(tmp_path / "authored" / "a.jsonl", [{"id": "x", "marked": "hi"}])
    write_lines(tmp_path / "authored" / "b.jsonl", [{"id": "x", "marked": "hello"}])
    with pytest.raises(CorpusError, match="duplicate id"):
        build(tmp_path, generated=0)


def test_split_of_is_stable():
    # Pinned: a change of the hash or the thresholds would move posts between splits.
    assert split_of("mix-01-023") == "dev" and split_of("zeta-02-050") == "test" and split_of("life-03-011") == "test"
    shares = [split_of(f"post-{i}") for i in range(4000)]
    assert 0.14 < shares.count("test") / 4000 < 0.22 and 0.09 < shares.count("dev") / 4000 < 0.15


def test_shipped_splits_are_authored_and_where_split_of_puts_them():
    for split in ("train", "dev", "test"):
        for ex in read_jsonl(CORPUS_DIR / f"{split}.jsonl"):
            assert not ex.id.startswith("gen-") and split_of(ex.id) == split
    assert all(ex.id.startswith("gen-") for ex in read_jsonl(CORPUS_DIR / "generated.jsonl"))


def test_check_example_refuses_empty_text():
    with pytest.raises(CorpusError, match="empty text"):
        check_example(Example("x", "  ", ()), "f.jsonl:3")
    check_example(Example("x", "I'm 34", (Span(0, 6, "Age", "I'm 34"),)), "f.jsonl:1")
