from flows.inputs import read_text_lines
from records.errors import EmptyTextError, EncodingError, MalformedInputError


def test_every_line_gives_one_entry_and_bad_ones_name_their_line(tmp_path):
    p = tmp_path / "in.jsonl"
    p.write_bytes(
        b'{"id": "a", "text": "fine"}\n'
        b'not json\n'
        b'\n'
        b'{"id": "c", "text": "caf\xe9 broken"}\n'
        b'{"id": "d"}\n'
        b'[1, 2]\n'
    )
    lines = list(read_text_lines(p, max_chars=1000))
    assert [ln.line_no for ln in lines] == [1, 2, 3, 4, 5, 6]  # the blank line too: one output line per input line
    assert lines[0].error is None and lines[0].text == "fine"
    assert isinstance(lines[1].error, MalformedInputError) and "line 2" in lines[1].error.message
    assert isinstance(lines[2].error, EmptyTextError) and lines[2].id == "line-3"
    assert isinstance(lines[3].error, EncodingError) and "line 4" in lines[3].error.message
    assert lines[3].id == "line-4"
    assert isinstance(lines[4].error, MalformedInputError) and lines[4].id == "d"
    assert isinstance(lines[5].error, MalformedInputError)
    # No error message repeats the line's content.
    assert all("broken" not in (ln.error.message if ln.error else "") for ln in lines)


def test_texts_with_nul_or_lone_surrogates_are_typed_errors_on_their_line(tmp_path):
    p = tmp_path / "in.jsonl"
    p.write_text('{"id": "a", "text": "nurse \\u0000 here"}\n{"id": "b", "text": "bad \\ud800 half"}\n'
                 '{"id": "\\ud800", "text": "fine"}\n{"id": "ok", "text": "fine"}\n', encoding="utf-8")
    lines = list(read_text_lines(p, max_chars=1000))
    assert [type(ln.error).__name__ for ln in lines] == ["EncodingError", "EncodingError", "MalformedInputError", "NoneType"]
    assert all("here" not in ln.error.message and "half" not in ln.error.message for ln in lines[:2])
    assert lines[2].id == "line-3"  # an id that cannot be written back is replaced by the line's number
