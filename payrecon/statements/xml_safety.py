"""Hardened XML parsing for bank statements: payrecon.xmlsafe with the statements' error.

See payrecon/xmlsafe.py for the rules (no DTD, no entities, no network, size limit).
"""

from __future__ import annotations

from lxml import etree

from payrecon.errors import StatementFormatError
from payrecon.xmlsafe import make_parser, parse_untrusted, scannable_bytes
from payrecon.xmlsafe import refuse_declarations as _refuse_declarations

DEFAULT_MAX_BYTES = 50 * 1024 * 1024

__all__ = [
    "DEFAULT_MAX_BYTES",
    "make_parser",
    "parse_xml",
    "refuse_declarations",
    "scannable_bytes",
]


def refuse_declarations(data: bytes) -> None:
    """Raise StatementFormatError if the document declares a DTD or an entity."""
    _refuse_declarations(data, error=StatementFormatError, what="statements")


def parse_xml(data: bytes, *, max_bytes: int = DEFAULT_MAX_BYTES) -> etree._Element:
    """Parse untrusted XML bytes into the root element, or raise StatementFormatError."""
    return parse_untrusted(
        data, error=StatementFormatError, what="XML statements", max_bytes=max_bytes
    )
