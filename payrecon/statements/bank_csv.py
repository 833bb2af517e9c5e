"""Bank statement exports as CSV or XLSX: our generic layout and the big Vietnamese banks'.

Pure: bytes in, one ``ParsedStatement`` out. The layout is recognised from its header row,
which may sit below a block of title and account rows (Techcombank puts it on row 34). Headers
are compared without diacritics, case or punctuation, and a bilingual "Ngày GD / Date" cell
matches either half. Every bad row is collected (line or row, column, reason) and the file is
refused with ``ImportRejected`` listing all of them; nothing is half-read.

Vietnamese exports write 50.000 or 50,000 for fifty thousand dong and dd/mm/yyyy dates. Only
VND is read: these layouts carry no currency per row. "Ghi nợ"/Debit is money leaving the
account and "Ghi có"/Credit money arriving, as printed on the customer's statement.
"""

from __future__ import annotations

import csv
import io
import zipfile
from dataclasses import dataclass

from payrecon.errors import ImportRejected, Problem, StatementFormatError
from payrecon.statements.bank_cells import label_parts, normalise_label, parse_bank_date, parse_vnd
from payrecon.statements.parsed import Balance, ParsedLine, ParsedStatement

DEFAULT_MAX_BYTES = 50 * 1024 * 1024
HEADER_SEARCH_ROWS = 60
GENERIC_HEADER = (
    "booking_date",
    "value_date",
    "amount",
    "direction",
    "bank_reference",
    "description",
    "counterparty_name",
    "counterparty_account",
)


@dataclass(frozen=True)
class Layout:
    """Which header labels (normalised) name which of our fields, for one bank's export."""

    name: str
    columns: dict[str, tuple[str, ...]]
    required: tuple[str, ...]
    date_order: str = "dmy"  # dmy: dd/mm/yyyy; iso: yyyy-mm-dd


_SHARED = {
    "balance": ("so du", "balance", "so du cuoi"),
    "counterparty_name": ("doi tac", "ten doi tac", "nguoi chuyen", "counterparty"),
    "counterparty_account": ("tai khoan doi ung", "offsetaccount", "so tk doi tac"),
}
LAYOUTS = (
    Layout("generic", {name: (name,) for name in GENERIC_HEADER}, GENERIC_HEADER, "iso"),
    Layout(
        "vietinbank",
        _SHARED
        | {
            "booking_date": ("date", "ngay giao dich"),
            "time": ("time", "gio giao dich"),
            "servicer_reference": ("documentnumber",),
            "bank_reference": ("referencenumber",),
            "description": ("transactiondetails",),
            "debit": ("debitamount",),
            "credit": ("creditamount",),
        },
        ("booking_date", "bank_reference", "description", "debit", "credit"),
    ),
    Layout(
        "vietcombank",
        _SHARED
        | {
            "booking_date": ("tnxdate", "ngay giao dich", "transaction date"),
            "bank_reference": ("docno", "so tham chieu", "reference number"),
            "debit": ("debit", "so tien ghi no"),
            "credit": ("credit", "so tien ghi co"),
            "signed_amount": ("so tien",),
            "description": ("transactiondetails", "mo ta", "description"),
        },
        ("booking_date", "bank_reference", "description"),
    ),
    Layout(
        "bidv",
        _SHARED
        | {
            "booking_date": ("ngay giao dich",),
            "value_date": ("ngay hieu luc",),
            "bank_reference": ("so tham chieu", "so ct"),
            "debit": ("ghi no",),
            "credit": ("ghi co",),
            "description": ("mo ta",),
        },
        ("value_date", "debit", "credit", "description"),
    ),
    Layout(
        "techcombank",
        _SHARED
        | {
            "booking_date": ("ngay giao dich", "ngay"),
            "counterparty_bank": ("ngan hang doi tac",),
            "description": ("dien giai",),
            "bank_reference": ("so giao dich",),
            "debit": ("no", "tien ra"),
            "credit": ("co", "tien vao"),
        },
        ("booking_date", "description", "bank_reference", "debit", "credit"),
    ),
)
_OPENING_LABELS = ("du dau", "so du dau ky", "opening balance")
_CLOSING_LABELS = ("du cuoi", "so du cuoi ky", "cuoi ngay", "closing balance")
_TOTAL_LABELS = ("tong", "cong", "tong cong", "total")
_ACCOUNT_LABELS = ("so tai khoan", "account number", "tai khoan")


def _find_header(rows: list[list[object]]) -> tuple[int, Layout, dict[str, int]] | None:
    for row_index, row in enumerate(rows[:HEADER_SEARCH_ROWS]):
        cells = [label_parts(cell) for cell in row]
        for layout in LAYOUTS:
            positions = {}
            for field, aliases in layout.columns.items():
                for column, parts in enumerate(cells):
                    if column not in positions.values() and parts & set(aliases):
                        positions[field] = column
                        break
            amounts = {"debit", "credit"} <= positions.keys() or "signed_amount" in positions
            if layout.name == "generic":
                amounts = True
            if all(field in positions for field in layout.required) and amounts:
                return row_index, layout, positions
    return None


def _labelled_value(row: list[object], labels: tuple[str, ...]) -> object | None:
    """The value that follows a label cell in a metadata row ('Số tài khoản: 0123…' too)."""
    for column, cell in enumerate(row):
        label = normalise_label(cell)
        for wanted in labels:
            if label == wanted or label.startswith(wanted + " "):
                if " cu " in f" {label} ":  # BIDV prints the *old* account number too
                    return None
                text = str(cell)
                if ":" in text and text.split(":", 1)[1].strip():
                    return text.split(":", 1)[1].strip()
                return next((v for v in row[column + 1 :] if str(v or "").strip()), None)
    return None


class _RowReader:
    """Reads cells of the table below the header and collects every problem, located."""

    def __init__(self, header: list[object], positions: dict[str, int], places, layout) -> None:
        self.positions = positions
        self.names = {column: str(header[column]).strip() for column in positions.values()}
        self.places = places
        self.layout = layout
        self.problems: list[Problem] = []

    def problem(self, index: int, field: str | None, detail: str) -> None:
        where = self.places[index][0]
        if field in self.positions:
            where += f", column {self.names[self.positions[field]]}"
        self.problems.append(Problem(where, detail))

    def cell(self, row: list[object], field: str) -> object | None:
        column = self.positions.get(field)
        if column is None or column >= len(row):
            return None
        value = row[column]
        return value.strip() if isinstance(value, str) else value

    def read(self, index: int, row: list[object], field: str, parse, *args):
        try:
            return parse(self.cell(row, field), *args)
        except ValueError as exc:
            self.problem(index, field, str(exc))
            return None

    def amount(self, index: int, row: list[object]) -> tuple[int | None, str | None]:
        """(amount, direction) from debit/credit columns, a signed amount, or C/D + amount."""
        if self.layout.name == "generic":
            return self._generic_amount(index, row)
        if "debit" not in self.positions:
            signed = self.read(index, row, "signed_amount", parse_vnd, True)
            if signed == 0:
                self.problem(index, "signed_amount", "amount is zero")
            if not signed:
                return None, None
            return abs(signed), "C" if signed > 0 else "D"
        known_problems = len(self.problems)
        debit = self.read(index, row, "debit", parse_vnd) or 0
        credit = self.read(index, row, "credit", parse_vnd) or 0
        if len(self.problems) > known_problems:
            return None, None  # an unreadable amount is reported once, as itself
        if debit and credit:
            self.problem(index, "credit", "both debit and credit hold an amount")
        elif not debit and not credit:
            self.problem(index, "debit", "neither debit nor credit holds an amount")
        return (credit, "C") if credit else (debit or None, "D")

    def _generic_amount(self, index: int, row: list[object]) -> tuple[int | None, str | None]:
        """The generic layout is ours, so it is strict: digits only, and C or D."""
        text = str(self.cell(row, "amount") or "")
        direction = str(self.cell(row, "direction") or "")
        amount = None
        if not text.isdigit() or int(text) == 0:
            self.problem(index, "amount", f"{text!r} is not a positive whole number of VND")
        else:
            amount = int(text)
        if direction not in ("C", "D"):
            self.problem(index, "direction", f"{direction!r} is neither C nor D")
            return amount, None
        return amount, direction

    def line(self, index: int, row: list[object], entry_index: int) -> ParsedLine | None:
        order = self.layout.date_order
        booking = self.read(index, row, "booking_date", parse_bank_date, order)
        value = self.read(index, row, "value_date", parse_bank_date, order)
        amount, direction = self.amount(index, row)
        if amount is None or direction is None:
            return None
        location, line_number, raw = self.places[index]
        return ParsedLine(
            amount=amount,
            currency="VND",
            direction=direction,
            booking_date=booking or value,
            value_date=value or booking,
            kind="entry",
            bank_reference=_text(self.cell(row, "bank_reference")),
            servicer_reference=_text(self.cell(row, "servicer_reference")),
            remittance_text=_text(self.cell(row, "description")),
            counterparty_name=_text(self.cell(row, "counterparty_name")),
            counterparty_account=_text(self.cell(row, "counterparty_account")),
            entry_index=entry_index,
            location=location,
            line_number=line_number,
            raw=raw,
        )


def _text(value: object) -> str | None:
    text = str(value).strip() if value is not None else ""
    return text or None


def _rows_to_statement(
    rows: list[list[object]],
    places: list[tuple[str, int, str]],
    *,
    fmt: str,
    source: str,
) -> ParsedStatement:
    """``places[i]`` is (location, line number, raw text) of ``rows[i]`` in the file."""
    found = _find_header(rows)
    if found is None:
        raise StatementFormatError(
            "no known statement header in the first "
            f"{HEADER_SEARCH_ROWS} rows (generic: {','.join(GENERIC_HEADER)}; or a Vietcombank, "
            "VietinBank, BIDV or Techcombank export)",
            where=source,
        )
    header_index, layout, positions = found
    reader = _RowReader(rows[header_index], positions, places, layout)
    account = opening = closing = None
    for row in rows[:header_index]:
        account = account or _text(_labelled_value(row, _ACCOUNT_LABELS))
    date_field = "booking_date" if "booking_date" in positions else "value_date"
    lines: list[ParsedLine] = []
    for index in range(header_index + 1, len(rows)):
        row = rows[index]
        if not any(str(cell or "").strip() for cell in row):
            continue
        if reader.cell(row, date_field) not in (None, ""):
            line = reader.line(index, row, len(lines))
            if line is not None:
                lines.append(line)
            continue
        # A row without a date: an opening/closing balance row (BIDV), a total, or an error.
        opening_value = _labelled_value(row, _OPENING_LABELS)
        closing_value = _labelled_value(row, _CLOSING_LABELS)
        if opening_value is None and closing_value is None:
            if _labelled_value(row, _TOTAL_LABELS) is None:
                reader.problem(index, date_field, "no date")
            continue
        try:
            if opening_value is not None:
                opening = Balance(parse_vnd(opening_value, signed=True), "VND", None, "file")
            if closing_value is not None:
                closing = Balance(parse_vnd(closing_value, signed=True), "VND", None, "file")
        except ValueError as exc:
            reader.problem(index, None, f"balance: {exc}")
    if reader.problems:
        raise ImportRejected(source, reader.problems)
    return ParsedStatement(
        format=fmt,
        account_id=account,
        currency="VND",
        statement_id=None,
        lines=tuple(lines),
        location=places[header_index][0],
        opening_balance=opening,
        closing_balance=closing,
        layout=layout.name,
    )


def _decode(data: bytes) -> str:
    """UTF-8 (with or without BOM), else Windows-1258, the Vietnamese Windows code page."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("cp1258", errors="replace")


def parse_bank_csv(
    data: bytes, *, source: str = "statement.csv", max_bytes: int = DEFAULT_MAX_BYTES
) -> ParsedStatement:
    """A CSV export (comma, semicolon or tab separated) as one statement."""
    if len(data) > max_bytes:
        raise StatementFormatError(f"file is larger than {max_bytes:,} bytes", where=source)
    text = _decode(data)
    physical = text.splitlines()
    first_error: StatementFormatError | None = None
    for delimiter in (",", ";", "\t"):
        reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
        rows, places = [], []
        try:
            start = 1
            for row in reader:
                end = reader.line_num
                places.append((f"line {start}", start, "\n".join(physical[start - 1 : end])))
                rows.append(row)
                start = end + 1
        except csv.Error as exc:
            raise StatementFormatError(f"unreadable CSV: {exc}", where=f"line {start}") from None
        try:
            return _rows_to_statement(rows, places, fmt="csv", source=source)
        except StatementFormatError as exc:
            first_error = first_error or exc
    assert first_error is not None
    raise first_error


def parse_bank_xlsx(
    data: bytes, *, source: str = "statement.xlsx", max_bytes: int = DEFAULT_MAX_BYTES
) -> ParsedStatement:
    """An Excel export: the first sheet with a known header row is read (openpyxl, read-only)."""
    import openpyxl  # imported here: only Excel uploads pay for it

    if len(data) > max_bytes:
        raise StatementFormatError(f"file is larger than {max_bytes:,} bytes", where=source)
    try:
        workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError) as exc:
        raise StatementFormatError(f"not a readable .xlsx workbook: {exc}", where=source) from None
    try:
        first_error: StatementFormatError | None = None
        for sheet in workbook.worksheets:
            rows = [list(row) for row in sheet.iter_rows(values_only=True)]
            places = [
                (
                    f"sheet {sheet.title!r} row {number}",
                    number,
                    " | ".join("" if v is None else str(v) for v in row),
                )
                for number, row in enumerate(rows, start=1)
            ]
            try:
                return _rows_to_statement(rows, places, fmt="xlsx", source=source)
            except StatementFormatError as exc:
                first_error = first_error or exc
        raise first_error or StatementFormatError("workbook has no sheets", where=source)
    finally:
        workbook.close()
