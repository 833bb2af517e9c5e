"""The dossier feed's optional trailing paid_at column."""

from datetime import UTC, datetime
from pathlib import Path

import pytest

from payrecon.dossiers.feed import parse_dossier_feed
from payrecon.errors import ImportRejected

FEEDS = Path(__file__).parents[2] / "fixtures" / "feeds"
KNOWN = {"1.001001", "1.001003", "4.004010"}
GOOD = (FEEDS / "dossiers_good.csv").read_bytes().decode()


def with_paid_at(*values: str) -> bytes:
    """The good feed with a paid_at column holding `values`, one per data line."""
    header, *lines = GOOD.strip().splitlines()
    rows = [f"{line},{value}" for line, value in zip(lines, values, strict=True)]
    return ("\n".join([header + ",paid_at", *rows]) + "\n").encode()


def parse(data: bytes):
    return parse_dossier_feed(data, source="d.csv", known_procedures=KNOWN)


def test_a_feed_without_the_column_says_nothing_about_payment():
    rows = parse(GOOD.encode())
    assert [(r.paid_at, r.paid_at_given) for r in rows] == [(None, False)] * 3


def test_paid_at_is_read_and_empty_means_not_paid():
    rows = parse(with_paid_at("2026-11-20T08:30:00+07:00", "", "2026-11-21T10:00:00"))
    assert [r.paid_at for r in rows] == [
        datetime(2026, 11, 20, 1, 30, tzinfo=UTC),
        None,
        datetime(2026, 11, 21, 3, 0, tzinfo=UTC),  # no offset: Vietnam time
    ]
    assert all(r.paid_at_given for r in rows)


def test_a_bad_paid_at_names_its_line_and_column_and_nothing_is_read():
    with pytest.raises(ImportRejected) as caught:
        parse(with_paid_at("2026-11-20T08:30:00+07:00", "yesterday", "20/11/2026"))
    assert [(p.where, "not an ISO 8601" in p.detail) for p in caught.value.problems] == [
        ("line 3, column paid_at", True),
        ("line 4, column paid_at", True),
    ]


def test_a_row_missing_the_paid_at_field_is_refused_when_the_header_has_it():
    data = with_paid_at("", "", "").decode().replace(",processing,2000,", ",processing,2000")
    with pytest.raises(ImportRejected) as caught:
        parse(data.encode())
    assert [p.where for p in caught.value.problems] == ["line 3"]
    assert "8 fields, expected 9" in caught.value.problems[0].detail


def test_an_unknown_extra_column_is_still_refused():
    header, *lines = GOOD.strip().splitlines()
    data = "\n".join([header + ",paid_on", *(line + "," for line in lines)]) + "\n"
    with pytest.raises(ImportRejected) as caught:
        parse(data.encode())
    [problem] = caught.value.problems
    assert problem.where == "line 1"
    assert "unexpected: paid_on" in problem.detail
    assert "optionally followed by paid_at" in problem.detail
