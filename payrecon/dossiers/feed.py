"""The dossier feed: CSV rows and JSON pushes checked into plain values.

Columns (DESIGN.md): dossier_code,procedure_code,applicant_name,applicant_id,
applicant_tax_code,received_at,status,fee_due_vnd, and optionally a trailing paid_at: when the
dossier system says the fee was paid (ISO 8601; empty = not paid there). A file without the
paid_at column says nothing about payment, so it leaves what an earlier file said untouched;
with the column, an empty value clears it.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from payrecon.csvfile import by_line, duplicate_problems, read_csv
from payrecon.errors import ImportRejected, InvalidInput, Problem
from payrecon.money import parse_vnd

COLUMNS = (
    "dossier_code",
    "procedure_code",
    "applicant_name",
    "applicant_id",
    "applicant_tax_code",
    "received_at",
    "status",
    "fee_due_vnd",
)
OPTIONAL_COLUMNS = ("paid_at",)
STATUSES = ("received", "processing", "done", "returned", "cancelled")
LOCAL_TIME = ZoneInfo("Asia/Ho_Chi_Minh")
DOSSIER_CODE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._\-/]{0,59}$")
# CMND (9 digits) or CCCD (12 digits); passports as 1 letter + 7–8 digits.
ID_NUMBER = re.compile(r"^(\d{9}|\d{12}|[A-Z]\d{7,8})$")
TAX_CODE = re.compile(r"^\d{10}(-\d{3})?$|^\d{12}$")


@dataclass(frozen=True)
class DossierFields:
    code: str
    procedure_code: str
    applicant_name: str
    applicant_id_number: str
    applicant_tax_code: str | None
    received_at: datetime
    status: str
    fee_due_vnd: int
    paid_at: datetime | None = None
    paid_at_given: bool = False  # False: the source had no paid_at at all; keep what we have


def parse_received_at(text: str) -> datetime:
    """ISO 8601; a time without an offset is local time in Vietnam (also used for paid_at)."""
    try:
        value = datetime.fromisoformat(text)
    except ValueError:
        raise ValueError(f"{text!r} is not an ISO 8601 date-time") from None
    return value if value.tzinfo else value.replace(tzinfo=LOCAL_TIME)


def check_fields(
    values: Mapping[str, object], known_procedures: Collection[str]
) -> tuple[DossierFields | None, list[tuple[str, str]]]:
    """Check one dossier's values; returns the fields or (column, reason) for each problem."""
    problems: list[tuple[str, str]] = []

    def text(column: str) -> str:
        value = values.get(column)
        return "" if value is None else str(value).strip()

    code = text("dossier_code")
    if not DOSSIER_CODE.match(code):
        problems.append(("dossier_code", f"{code!r} is not a dossier code"))
    procedure_code = text("procedure_code")
    if procedure_code not in known_procedures:
        problems.append(("procedure_code", f"unknown procedure {procedure_code!r}"))
    name = text("applicant_name")
    if not name:
        problems.append(("applicant_name", "must not be empty"))
    elif len(name) > 200:
        problems.append(("applicant_name", "longer than 200 characters"))
    id_number = text("applicant_id")
    if not ID_NUMBER.match(id_number):
        problems.append(
            ("applicant_id", f"{id_number!r} is not a 9/12-digit ID or passport number")
        )
    tax_code = text("applicant_tax_code") or None
    if tax_code is not None and not TAX_CODE.match(tax_code):
        problems.append(("applicant_tax_code", f"{tax_code!r} is not a tax code"))
    received_at = None
    try:
        received_at = parse_received_at(text("received_at"))
    except ValueError as exc:
        problems.append(("received_at", str(exc)))
    status = text("status")
    if status not in STATUSES:
        problems.append(("status", f"{status!r} is not one of {', '.join(STATUSES)}"))
    fee = None
    raw_fee = values.get("fee_due_vnd")
    try:
        fee = parse_vnd(raw_fee if isinstance(raw_fee, int) else text("fee_due_vnd"))
    except InvalidInput as exc:
        problems.append(("fee_due_vnd", str(exc)))
    paid_at_given = "paid_at" in values
    paid_at = None
    if paid_at_given and text("paid_at"):
        try:
            paid_at = parse_received_at(text("paid_at"))
        except ValueError as exc:
            problems.append(("paid_at", f"{exc} (leave it empty if the fee is not paid)"))
    if problems or received_at is None or fee is None:
        return None, problems
    return (
        DossierFields(
            code=code,
            procedure_code=procedure_code,
            applicant_name=name,
            applicant_id_number=id_number,
            applicant_tax_code=tax_code,
            received_at=received_at,
            status=status,
            fee_due_vnd=fee,
            paid_at=paid_at,
            paid_at_given=paid_at_given,
        ),
        [],
    )


def parse_dossier_feed(
    data: bytes, *, source: str, known_procedures: Collection[str]
) -> list[DossierFields]:
    """Every row of the file, or ImportRejected listing every bad line, column and reason."""
    rows = read_csv(data, source=source, columns=COLUMNS, optional=OPTIONAL_COLUMNS)
    problems = duplicate_problems(rows, "dossier_code")
    parsed = []
    for row in rows:
        fields, row_problems = check_fields(row.values, known_procedures)
        problems += [Problem(f"line {row.line}, column {c}", why) for c, why in row_problems]
        if fields is not None:
            parsed.append(fields)
    if problems:
        raise ImportRejected(source, by_line(problems))
    return parsed
