"""Which statement format a file is, and the one call that parses any of them.

The content decides, not the file name: banks send camt as ``.txt`` and MT940 as ``.dat``. The
name only helps to tell an ``.xlsx`` from another zip file.
"""

from __future__ import annotations

import re

from payrecon.errors import StatementFormatError
from payrecon.statements.bank_csv import parse_bank_csv, parse_bank_xlsx
from payrecon.statements.camt import parse_camt
from payrecon.statements.mt940 import parse_mt940
from payrecon.statements.parsed import ParsedStatement
from payrecon.statements.xml_safety import DEFAULT_MAX_BYTES, scannable_bytes

FORMATS = ("camt053", "camt052", "camt054", "mt940", "csv", "xlsx")
_HEAD_BYTES = 64 * 1024
_CAMT_MARKERS = (
    ("camt053", (b"camt.053.", b"BkToCstmrStmt")),
    ("camt052", (b"camt.052.", b"BkToCstmrAcctRpt")),
    ("camt054", (b"camt.054.", b"BkToCstmrDbtCdtNtfctn")),
)
_MT940_TAGS = (re.compile(rb"(?m)^:20:"), re.compile(rb"(?m)^:(25|60[FM]?|61):"))


def detect_format(data: bytes, filename: str) -> str:
    """One of FORMATS, from the content; raise StatementFormatError when it is none of them."""
    if data.startswith(b"PK\x03\x04"):
        if filename.lower().endswith((".xlsx", ".xlsm")) or b"xl/" in data[:_HEAD_BYTES]:
            return "xlsx"
        raise StatementFormatError("a zip file that is not an Excel workbook", where=filename)
    head = scannable_bytes(data[:_HEAD_BYTES]).lstrip(b"\xef\xbb\xbf \t\r\n")
    if head.startswith(b"<"):
        for fmt, markers in _CAMT_MARKERS:
            if any(marker in head for marker in markers):
                return fmt
        raise StatementFormatError(
            "XML, but not an ISO 20022 camt.052, camt.053 or camt.054 document", where=filename
        )
    if all(tag.search(head) for tag in _MT940_TAGS):
        return "mt940"
    if b"\x00" in head:
        raise StatementFormatError("binary file of an unknown kind", where=filename)
    return "csv"


def parse_statement_file(
    data: bytes, filename: str, fmt: str = "auto", *, max_bytes: int = DEFAULT_MAX_BYTES
) -> list[ParsedStatement]:
    """Parse a statement file of any supported format into its statements, in file order.

    ``fmt="auto"`` detects the format; an explicit format is checked against the content for
    camt, so a camt.054 uploaded as camt.053 is refused rather than misread.
    """
    if len(data) > max_bytes:
        raise StatementFormatError(
            f"file is {len(data):,} bytes; the limit is {max_bytes:,} bytes", where=filename
        )
    if fmt not in ("auto", *FORMATS):
        raise StatementFormatError(
            f"unknown format {fmt!r}; use auto or one of {', '.join(FORMATS)}", where="format"
        )
    detected = detect_format(data, filename)
    chosen = detected if fmt == "auto" else fmt
    if chosen.startswith("camt"):
        statements = parse_camt(data, max_bytes=max_bytes)
        if statements and statements[0].format != chosen:
            raise StatementFormatError(
                f"file is {statements[0].format}, not {chosen}", where=filename
            )
        return statements
    if chosen == "mt940":
        return parse_mt940(data)
    if chosen == "xlsx":
        return [parse_bank_xlsx(data, source=filename, max_bytes=max_bytes)]
    return [parse_bank_csv(data, source=filename, max_bytes=max_bytes)]
