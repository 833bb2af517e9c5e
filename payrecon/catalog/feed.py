"""The fee catalog CSV, checked whole: every bad line is reported, nothing half-read.

Columns (DESIGN.md): procedure_code,procedure_name,agency_code,agency_name,fee_vnd,fee_kind,vat_rate
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from payrecon.csvfile import CsvRow, by_line, duplicate_problems, read_csv
from payrecon.errors import ImportRejected, InvalidInput, Problem
from payrecon.money import parse_vnd

COLUMNS = (
    "procedure_code",
    "procedure_name",
    "agency_code",
    "agency_name",
    "fee_vnd",
    "fee_kind",
    "vat_rate",
)
FEE_KINDS = ("fee", "charge")
# TSuat values of the tax authority's invoice format (reference/einvoice.md).
FIXED_VAT_RATES = ("0%", "5%", "8%", "10%", "KCT", "KKKNT")
CODE_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._\-/]{0,39}$")


@dataclass(frozen=True)
class CatalogRow:
    line: int
    procedure_code: str
    procedure_name: str
    agency_code: str
    agency_name: str
    fee_vnd: int
    fee_kind: str
    vat_rate: str


def is_valid_vat_rate(value: str) -> bool:
    return value in FIXED_VAT_RATES or bool(re.fullmatch(r"KHAC:\d{1,2}(\.\d{1,2})?%", value))


def _check_row(row: CsvRow, problems: list[Problem]) -> CatalogRow | None:
    v = row.values
    before = len(problems)

    def bad(column: str, reason: str) -> None:
        problems.append(Problem(f"line {row.line}, column {column}", reason))

    for column in ("procedure_code", "agency_code"):
        if not CODE_PATTERN.match(v[column]):
            bad(column, f"{v[column]!r} is not a code (letters, digits, . _ - /, up to 40)")
    for column in ("procedure_name", "agency_name"):
        if not v[column]:
            bad(column, "must not be empty")
    fee = 0
    try:
        fee = parse_vnd(v["fee_vnd"])
    except InvalidInput as exc:
        bad("fee_vnd", str(exc))
    if v["fee_kind"] not in FEE_KINDS:
        bad("fee_kind", f"{v['fee_kind']!r} is not one of {', '.join(FEE_KINDS)}")
    if not is_valid_vat_rate(v["vat_rate"]):
        bad("vat_rate", f"{v['vat_rate']!r} is not a VAT rate code (0%, 5%, 8%, 10%, KCT, …)")
    if len(problems) > before:
        return None
    return CatalogRow(
        line=row.line,
        procedure_code=v["procedure_code"],
        procedure_name=v["procedure_name"],
        agency_code=v["agency_code"],
        agency_name=v["agency_name"],
        fee_vnd=fee,
        fee_kind=v["fee_kind"],
        vat_rate=v["vat_rate"],
    )


def parse_catalog(data: bytes, *, source: str) -> list[CatalogRow]:
    """Every row of the file, or ImportRejected listing every bad one."""
    rows = read_csv(data, source=source, columns=COLUMNS)
    problems = duplicate_problems(rows, "procedure_code")
    checked = [_check_row(row, problems) for row in rows]
    agency_names: dict[str, tuple[str, int]] = {}
    for row in checked:
        if row is None:
            continue
        name, line = agency_names.setdefault(row.agency_code, (row.agency_name, row.line))
        if name != row.agency_name:
            problems.append(
                Problem(
                    f"line {row.line}, column agency_name",
                    f"agency {row.agency_code} is named {name!r} on line {line}",
                )
            )
    if problems:
        raise ImportRejected(source, by_line(problems))
    return [row for row in checked if row is not None]
