import pytest

from payrecon.csvfile import read_csv
from payrecon.errors import ImportRejected


def test_a_bom_and_quoted_multiline_fields_keep_line_numbers():
    data = '\ufeffa,b\n1,"two\nlines"\n3,4\n'.encode()
    rows = read_csv(data, source="f.csv", columns=("a", "b"))
    assert [(r.line, r.values) for r in rows] == [
        (2, {"a": "1", "b": "two\nlines"}),
        (4, {"a": "3", "b": "4"}),
    ]


def test_rows_with_the_wrong_number_of_fields_are_all_reported():
    data = b"a,b\n1\n1,2\n1,2,3\n"
    with pytest.raises(ImportRejected) as caught:
        read_csv(data, source="f.csv", columns=("a", "b"))
    assert [p.where for p in caught.value.problems] == ["line 2", "line 4"]


def test_bytes_that_are_not_utf8_name_their_line():
    with pytest.raises(ImportRejected) as caught:
        read_csv(b"a,b\n1,2\n\xff,3\n", source="f.csv", columns=("a", "b"))
    assert caught.value.problems[0].where == "line 3"


def test_an_empty_file_is_refused():
    with pytest.raises(ImportRejected, match="1 problem"):
        read_csv(b"", source="f.csv", columns=("a",))
