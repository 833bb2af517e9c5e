"""SWIFT MT940 statements, read with the ``mt-940`` package (import name ``mt940``).

Pure: bytes in, one ``ParsedStatement`` per ``:20:`` block out. What this module adds around the
package, and why:

- ``Options.all()``: reversal-of-credit (``RC``) lines get the sign of the debit they are,
  ``:86:`` is never cut after nine chunks, a UTF-8 byte-order mark does not swallow the first
  ``:20:``. The package's defaults keep 5.0.0 behaviour, which gets all three wrong.
- Statements are split at each ``:20:`` the way ``mt940.parse_statements`` does, but here, so
  that each ``:61:`` keeps its line number in the file and its raw text for evidence.
- Header lines before the first ``:20:`` and ``-XXX`` / ``-`` trailers are ignored; a summary
  ``:86:`` after the closing balance (ING) is statement information, not the last line's text,
  so it is not handed to the package (which would glue it onto the last transaction).
- Amounts leave as ``int`` minor units; the package's ``Decimal`` stays inside.
"""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal

import mt940

from payrecon.errors import StatementFormatError
from payrecon.statements.parsed import Balance, ParsedLine, ParsedStatement, to_minor_units

_OPTIONS = mt940.Options.all()
_TAG_LINE = re.compile(r"^:(?P<tag>\d{2}[A-Z]?|NS):")
_STATEMENT_LINE = re.compile(r"^:61:")
_TRAILER = re.compile(r"-(XXX)?\}?")  # end of message: "-", "-XXX" (ING), "-}" (SWIFT block)
_OPENING_KEYS = (
    ("final_opening_balance", "60F"),
    ("opening_balance", "60"),
    ("intermediate_opening_balance", "60M"),
)
_CLOSING_KEYS = (
    ("final_closing_balance", "62F"),
    ("closing_balance", "62"),
    ("intermediate_closing_balance", "62M"),
)
_NO_REFERENCE = {"", "NONREF", "NOTPROVIDED"}


def _decode(data: bytes) -> str:
    """UTF-8 (with or without BOM) as sent by most banks today; Latin-1 for older exports."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        text = data.decode("latin-1")
    return text.removeprefix("\ufeff").replace("\r\n", "\n").replace("\r", "\n")


def _block_starts(lines: list[str]) -> list[int]:
    return [index for index, line in enumerate(lines) if line.startswith(":20:")]


def _statement_text(lines: list[str]) -> str:
    """The block as the package should see it: blank lines replace what it must not read.

    After the first closing balance (``:62F:``/``:62M:``) only further balance lines (``:62``,
    ``:64:``, ``:65:``) belong to the statement; a trailing ``:86:`` summary and ``-XXX``
    trailers are dropped.
    """
    kept = []
    closed = False
    for line in lines:
        if line.startswith(":62"):
            closed = True
        after_closing = closed and not line.startswith((":62", ":64:", ":65:"))
        trailer = _TRAILER.fullmatch(line.strip()) is not None
        kept.append("" if after_closing or trailer else line)
    return "\n".join(kept)


def _statement_line_indexes(lines: list[str]) -> list[int]:
    """Indexes (in ``lines``) of each ``:61:``, including one wrapped as ``:`` / ``61:``."""
    found = []
    for index, line in enumerate(lines):
        if _STATEMENT_LINE.match(line) or (
            line.strip() == ":" and index + 1 < len(lines) and lines[index + 1].startswith("61:")
        ):
            found.append(index)
    return found


def _raw_statement_line(lines: list[str], start: int) -> str:
    """The ``:61:`` line, its supplementary-details line and its ``:86:``, as in the file."""
    end = start + 1
    while end < len(lines):
        match = _TAG_LINE.match(lines[end])
        if match and match["tag"] != "86":
            break
        if _TRAILER.fullmatch(lines[end].strip()):
            break
        end += 1
    return "\n".join(lines[start:end]).rstrip()


def _details_text(lines: list[str], start: int) -> str | None:
    """The ``:86:`` of the ``:61:`` at ``start`` as written, wrapped lines joined without a break.

    Used when the package has parsed a structured (German GVC ``?NN``) ``:86:`` into fields and
    kept no text: SWIFT wraps at 65 characters, often inside a word, so lines join with "".
    """
    raw = _raw_statement_line(lines, start).split("\n")
    found = [index for index, line in enumerate(raw) if line.startswith(":86:")]
    if not found:
        return None
    text = "".join(raw[found[0] :]).removeprefix(":86:").strip()
    return text or None


def _minor(amount: Decimal, currency: str, where: str) -> int:
    return to_minor_units(format(amount, "f"), currency, where=where, signed=True)


def _balance(data: dict, keys: tuple[tuple[str, str], ...], where: str) -> Balance | None:
    for key, code in keys:
        balance = data.get(key)
        if balance is not None:
            amount = balance.amount
            return Balance(
                amount=_minor(amount.amount, amount.currency, f"{where}, :{code}:"),
                currency=amount.currency,
                on=_as_date(balance.date),
                code=code,
            )
    return None


def _as_date(value: object) -> date | None:
    if value is None:
        return None
    return date(value.year, value.month, value.day)  # mt940.models.Date is a date subclass


def _text(value: object) -> str | None:
    if not isinstance(value, str):
        return None
    value = value.strip()
    return value or None


def _reference(value: object) -> str | None:
    text = _text(value)
    return None if text is None or text.upper() in _NO_REFERENCE else text


def _failure_line(exc: Exception, lines: list[str], first_line: int) -> int:
    """Best guess of the file line a package error is about: the line holding its value."""
    value = exc.args[2] if len(exc.args) >= 3 and isinstance(exc.args[2], str) else ""
    probe = value.split("\n", 1)[0].strip()
    if probe:
        for index, line in enumerate(lines):
            if probe in line:
                return first_line + index
    return first_line


def _parse_block(lines: list[str], first_line: int, index: int) -> ParsedStatement:
    transactions = mt940.models.Transactions(options=_OPTIONS)
    try:
        transactions.parse(_statement_text(lines))
    except (RuntimeError, ValueError, KeyError, AttributeError) as exc:
        line = _failure_line(exc, lines, first_line)
        reason = exc.args[0] if exc.args else type(exc).__name__
        raise StatementFormatError(
            f"MT940 statement {index} cannot be read: {reason}", where=f"line {line}"
        ) from None

    where = f"statement {index} (line {first_line})"
    positions = _statement_line_indexes(lines)
    if len(positions) != len(transactions.transactions):
        raise StatementFormatError(
            f"found {len(positions)} :61: lines but the parser read "
            f"{len(transactions.transactions)} transactions",
            where=where,
        )
    data = transactions.data
    opening = _balance(data, _OPENING_KEYS, where)
    closing = _balance(data, _CLOSING_KEYS, where)
    currency = transactions.currency
    parsed_lines = []
    for entry_index, (position, transaction) in enumerate(
        zip(positions, transactions.transactions, strict=True)
    ):
        parsed_lines.append(
            _line(transaction.data, currency, entry_index, first_line + position, lines, position)
        )
    return ParsedStatement(
        format="mt940",
        account_id=_text(data.get("account_identification")),
        currency=currency,
        statement_id=_text(data.get("transaction_reference")),
        lines=tuple(parsed_lines),
        location=f"line {first_line}",
        sequence="/".join(
            part
            for part in (_text(data.get("statement_number")), _text(data.get("sequence_number")))
            if part
        )
        or None,
        period_from=opening.on if opening else None,
        period_to=closing.on if closing else None,
        opening_balance=opening,
        closing_balance=closing,
    )


def _line(
    data: dict,
    statement_currency: str | None,
    entry_index: int,
    line_number: int,
    lines: list[str],
    position: int,
) -> ParsedLine:
    where = f"line {line_number}"
    mark = (data.get("status") or "").upper()
    if mark not in ("C", "D", "RC", "RD"):
        raise StatementFormatError(f"debit/credit mark {mark!r} is not C, D, RC or RD", where=where)
    amount = data["amount"]
    currency = amount.currency or statement_currency
    if not currency:
        raise StatementFormatError("no currency: the statement has no balance line", where=where)
    # RC takes a credit back (money leaves), RD gives a debit back (money arrives).
    direction = {"C": "C", "D": "D", "RC": "D", "RD": "C"}[mark]
    entry_date = data.get("entry_date") or data.get("guessed_entry_date")
    return ParsedLine(
        amount=abs(_minor(amount.amount, currency, where)),
        currency=currency,
        direction=direction,
        booking_date=_as_date(entry_date or data.get("date")),
        value_date=_as_date(data.get("date")),
        reversal=mark.startswith("R"),
        kind="entry",
        bank_reference=_reference(data.get("customer_reference")),
        servicer_reference=_reference(data.get("bank_reference")),
        end_to_end_id=_reference(data.get("end_to_end_reference")),
        remittance_text=_text(data.get("transaction_details")) or _details_text(lines, position),
        additional_info=_text(data.get("extra_details")),
        counterparty_name=_text(data.get("applicant_name")),
        counterparty_account=_text(data.get("applicant_iban"))
        or _text(data.get("gvc_applicant_iban")),
        transaction_code=_text(data.get("id")),
        entry_index=entry_index,
        location=where,
        line_number=line_number,
        raw=_raw_statement_line(lines, position),
    )


def parse_mt940(data: bytes) -> list[ParsedStatement]:
    """Every ``:20:`` statement block in an MT940 file, in file order."""
    lines = _decode(data).split("\n")
    starts = _block_starts(lines)
    if not starts:
        raise StatementFormatError("no :20: tag: this is not an MT940 statement", where="file")
    statements = []
    for index, start in enumerate(starts, start=1):
        end = starts[index] if index < len(starts) else len(lines)
        statements.append(_parse_block(lines[start:end], start + 1, index))
    return statements
