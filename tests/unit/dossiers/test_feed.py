from datetime import UTC, datetime
from pathlib import Path

import pytest

from payrecon.dossiers.feed import check_fields, parse_dossier_feed, parse_received_at
from payrecon.errors import ImportRejected

FEEDS = Path(__file__).parents[2] / "fixtures" / "feeds"
KNOWN = {"1.001001", "1.001003", "4.004010"}


def test_a_good_feed_reads_every_dossier():
    rows = parse_dossier_feed(
        (FEEDS / "dossiers_good.csv").read_bytes(), source="d.csv", known_procedures=KNOWN
    )
    assert [(r.code, r.status, r.fee_due_vnd) for r in rows] == [
        ("000.00.261120.H40-000001", "received", 200_000),
        ("000.00.261120.H40-000002", "processing", 2_000),
        ("000.00.261121.H40-000003", "done", 1_284_000),
    ]
    assert rows[1].applicant_tax_code == "5700123456"
    assert rows[0].applicant_tax_code is None


def test_three_bad_lines_are_all_reported():
    with pytest.raises(ImportRejected) as caught:
        parse_dossier_feed(
            (FEEDS / "dossiers_bad.csv").read_bytes(), source="d.csv", known_procedures=KNOWN
        )
    problems = caught.value.problems
    assert [p.where for p in problems] == [
        "line 2, column procedure_code",
        "line 3, column received_at",
        "line 4, column dossier_code",
    ]
    assert "unknown procedure '9.999999'" in problems[0].detail
    assert "not an ISO 8601" in problems[1].detail
    assert "first on line 3" in problems[2].detail


def test_a_time_without_offset_is_vietnam_local_time():
    assert parse_received_at("2026-11-20T09:40:00") == datetime(2026, 11, 20, 2, 40, tzinfo=UTC)


@pytest.mark.parametrize(
    ("column", "value", "reason"),
    [
        ("status", "lost", "not one of"),
        ("fee_due_vnd", "-5", "negative"),
        ("fee_due_vnd", "12,5", "decimal"),
        ("applicant_id", "12345", "ID"),
        ("applicant_tax_code", "57001", "tax code"),
        ("applicant_name", "", "empty"),
    ],
)
def test_each_field_rule_says_why(column, value, reason):
    values = {
        "dossier_code": "HS-1",
        "procedure_code": "1.001001",
        "applicant_name": "Nguyễn Văn An",
        "applicant_id": "022090001234",
        "applicant_tax_code": "",
        "received_at": "2026-11-20T08:15:00+07:00",
        "status": "received",
        "fee_due_vnd": "200000",
    } | {column: value}
    fields, problems = check_fields(values, KNOWN)
    assert fields is None
    assert problems[0][0] == column
    assert reason in problems[0][1]
