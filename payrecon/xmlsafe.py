"""The one way payrecon turns untrusted XML bytes into an lxml tree.

Neither bank statements nor e-invoices ever need a DTD, so any ``<!DOCTYPE`` or ``<!ENTITY``
is refused by a byte scan before lxml sees the document: billion-laughs and external-entity
files fail at once, without a single entity being read or expanded. The parser is hardened
as well, in case the scan is ever bypassed: no entity resolution, no network, no DTD
loading, no huge trees. Whitespace is kept exactly: signatures depend on it.

Each domain raises its own error (StatementFormatError, InvalidInvoiceXml) and names what
it reads in the message; the rules are the same everywhere.
"""

from __future__ import annotations

import codecs
import re

from lxml import etree

from payrecon.errors import InvalidInput

_FORBIDDEN_DECLARATION = re.compile(rb"<!\s*(DOCTYPE|ENTITY)", re.IGNORECASE)
_WIDE_ENCODINGS = (
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)


def scannable_bytes(data: bytes) -> bytes:
    """Bytes in which an ASCII declaration is visible, also for UTF-16/32 files."""
    for bom, encoding in _WIDE_ENCODINGS:
        if data.startswith(bom):
            return data[len(bom) :].decode(encoding, errors="replace").encode("utf-8", "replace")
    if b"\x00" in data[:4]:  # UTF-16/32 without a byte-order mark
        for encoding in ("utf-16-le", "utf-16-be", "utf-32-le", "utf-32-be"):
            text = data.decode(encoding, errors="replace")
            if text.lstrip("\ufeff").startswith("<"):
                return text.encode("utf-8", "replace")
    return data


def refuse_declarations(data: bytes, *, error: type[InvalidInput], what: str) -> None:
    """Raise `error` if the document declares a DTD or an entity (`what` never needs one)."""
    scannable = scannable_bytes(data)
    found = _FORBIDDEN_DECLARATION.search(scannable)
    if found:
        line = scannable.count(b"\n", 0, found.start()) + 1
        kind = found.group(1).decode("ascii").upper()
        raise error(
            f"XML with a <!{kind} declaration is refused: {what} need no DTD or entities, "
            "and such declarations are how entity-expansion and external-entity attacks work",
            where=f"line {line}",
        )


def make_parser() -> etree.XMLParser:
    """A fresh hardened parser (lxml parsers must not be shared between threads)."""
    return etree.XMLParser(
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        dtd_validation=False,
        huge_tree=False,
        remove_blank_text=False,
    )


def parse_untrusted(
    data: bytes, *, error: type[InvalidInput], what: str, max_bytes: int | None = None
) -> etree._Element:
    """Parse untrusted XML bytes into the root element, or raise `error` saying where."""
    if not isinstance(data, bytes):
        raise TypeError(f"XML must be bytes, not {type(data).__name__}")
    if max_bytes is not None and len(data) > max_bytes:
        raise error(
            f"file is {len(data):,} bytes; the limit for {what} is {max_bytes:,} bytes",
            where="file",
        )
    if not data.strip():
        raise error("file is empty", where="file")
    refuse_declarations(data, error=error, what=what)
    try:
        root = etree.fromstring(data, make_parser())
    except etree.XMLSyntaxError as exc:
        line = exc.lineno if exc.lineno else "?"
        raise error(f"not well-formed XML: {exc.msg}", where=f"line {line}") from None
    if root is None:
        raise error("no root element", where="line 1")
    return root
