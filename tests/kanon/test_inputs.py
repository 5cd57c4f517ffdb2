from records.errors import EncodingError, MalformedInputError
from kanon.inputs import read_jsonl


def test_bad_lines_become_errors_with_line_numbers(tmp_path):
    p = tmp_path / "in.jsonl"
    p.write_bytes(
        b'{"id": "a", "text": "fine"}\n'
        b'not json\n'
        b'\n'
        b'{"id": "c", "text": "caf\xe9 broken"}\n'
        b'{"id": "d"}\n'
        b'[1, 2]\n'
    )
    lines = list(read_jsonl(p))
    assert [ln.line_no for ln in lines] == [1, 2, 4, 5, 6]
    assert lines[0].error is None and lines[0].text == "fine"
    assert isinstance(lines[1].error, MalformedInputError) and "line 2" in lines[1].error.message
    assert isinstance(lines[2].error, EncodingError) and "line 4" in lines[2].error.message
    assert lines[2].id == "line-4"
    assert isinstance(lines[3].error, MalformedInputError) and lines[3].id == "d"
    assert isinstance(lines[4].error, MalformedInputError)
    # No error message repeats the line's content.
    assert all("broken" not in (ln.error.message if ln.error else "") for ln in lines)
