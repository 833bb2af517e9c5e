"""Parse e-invoice XML safely and check it against the versioned XSD under invoice_schemas/.

Two validators over the same files, each compiled once per process:
- lxml (libxml2) for the hot path: is this invoice valid, yes or no, in microseconds;
- xmlschema for the explanation: every violation, located by line and path.
`require_valid` runs the fast one and only asks the slow one when there is something to explain.

Every parse in the invoices domain goes through `parse_xml`, which refuses DTDs and entities
and never touches the network: invoices never need a DOCTYPE, so one is rejected outright.
"""

from __future__ import annotations

import re
import warnings
from functools import cache
from pathlib import Path

import xmlschema
from lxml import etree

from payrecon.errors import InvalidInvoiceXml

#: The PBan value payrecon writes, and the schema folder named after it.
PBAN = "2.0.1"
SCHEMA_VERSION = f"v{PBAN}"
SCHEMA_ROOT = Path(__file__).resolve().parents[2] / "invoice_schemas"
SCHEMA_FILE = "invoice.xsd"


_DECLARATION = re.compile(rb"<!\s*(DOCTYPE|ENTITY)", re.IGNORECASE)


def _hardened_parser() -> etree.XMLParser:
    # A parser per call: lxml parsers must not be shared between threads.
    return etree.XMLParser(
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        dtd_validation=False,
        huge_tree=False,
        remove_blank_text=False,
    )


def parse_xml(xml: bytes) -> etree._Element:
    """Parse untrusted XML bytes into an element tree, or raise InvalidInvoiceXml saying where.

    Refuses any document with a DOCTYPE (and so every entity trick) and never fetches anything.
    Whitespace is kept exactly: signatures depend on it.
    """
    if not isinstance(xml, bytes):
        raise TypeError(f"invoice XML must be bytes, not {type(xml).__name__}")
    # Refused before parsing, so an entity bomb is named as what it is instead of reaching
    # libxml2's amplification limit (the check after parsing covers non-ASCII encodings).
    declaration = _DECLARATION.search(xml)
    if declaration:
        line = xml[: declaration.start()].count(b"\n") + 1
        raise InvalidInvoiceXml("a DOCTYPE is not allowed in an invoice", where=f"line {line}")
    try:
        root = etree.fromstring(xml, _hardened_parser())
    except etree.XMLSyntaxError as exc:
        raise InvalidInvoiceXml(
            f"not well-formed XML: {exc.msg}", where=f"line {exc.lineno}"
        ) from exc
    docinfo = root.getroottree().docinfo
    if docinfo.doctype or docinfo.internalDTD is not None:
        line = xml[: max(xml.find(b"<!DOCTYPE"), 0)].count(b"\n") + 1
        raise InvalidInvoiceXml("a DOCTYPE is not allowed in an invoice", where=f"line {line}")
    return root


def schema_folder(version: str = SCHEMA_VERSION) -> Path:
    folder = SCHEMA_ROOT / "einvoice" / version
    if not (folder / SCHEMA_FILE).is_file():
        raise FileNotFoundError(f"no e-invoice schema {version} at {folder}")
    return folder


@cache
def load_schema(version: str = SCHEMA_VERSION) -> xmlschema.XMLSchema:
    """The xmlschema validator, compiled once per process (compiling costs far more than using).

    allow="sandbox" keeps every import inside the schema folder: a schemaLocation pointing
    at a web address fails loudly instead of fetching at run time.
    """
    return compile_schema(schema_folder(version))


def compile_schema(folder: Path) -> xmlschema.XMLSchema:
    """Compile `folder`/invoice.xsd with imports confined to `folder` (uncached).

    xmlschema only warns when an import is blocked; here that is an error, so a schema
    that would need the network never compiles into a quietly weaker validator.
    """
    with warnings.catch_warnings():
        warnings.simplefilter("error", xmlschema.XMLSchemaImportWarning)
        try:
            return xmlschema.XMLSchema(
                str(folder / SCHEMA_FILE), base_url=str(folder), allow="sandbox", defuse="always"
            )
        except xmlschema.XMLSchemaImportWarning as blocked:
            raise RuntimeError(f"schema in {folder} imports from outside it: {blocked}") from None


@cache
def load_fast_schema(version: str = SCHEMA_VERSION) -> etree.XMLSchema:
    """The lxml validator over the same files, compiled once per process.

    The schema files are parsed with the hardened parser; libxml2 resolves the relative
    xs:import against the file's own path, and no_network keeps it on disk.
    """
    path = schema_folder(version) / SCHEMA_FILE
    tree = etree.parse(str(path), _hardened_parser())
    return etree.XMLSchema(tree)


def _root_of(xml: bytes | etree._Element) -> etree._Element:
    return xml if isinstance(xml, etree._Element) else parse_xml(xml)


def schema_problems(xml: bytes | etree._Element, version: str = SCHEMA_VERSION) -> list[str]:
    """Every way `xml` breaks the schema, as 'line N: path: reason'; [] when valid."""
    try:
        root = _root_of(xml)
    except InvalidInvoiceXml as exc:
        return [f"{exc.where}: {exc}"]
    return [
        f"line {_line_of(error)}: {error.path}: {error.reason or error.message}"
        for error in load_schema(version).iter_errors(root)
    ]


def _line_of(error: xmlschema.XMLSchemaValidationError) -> int | str:
    """The line of the offending element: for a wrong or missing child, the child itself
    (the error is raised on the parent, whose line is often far away)."""
    element = error.elem
    if element is None or not hasattr(element, "sourceline"):
        return "?"
    index = getattr(error, "index", None)
    children = [child for child in element if isinstance(child.tag, str)]
    if isinstance(index, int) and 0 <= index < len(children):
        return children[index].sourceline
    return element.sourceline


def is_valid(xml: bytes | etree._Element, version: str = SCHEMA_VERSION) -> bool:
    """The fast yes/no check (lxml). Malformed XML is simply not valid."""
    try:
        root = _root_of(xml)
    except InvalidInvoiceXml:
        return False
    return load_fast_schema(version).validate(root)


def require_valid(xml: bytes | etree._Element, version: str = SCHEMA_VERSION) -> None:
    """Raise InvalidInvoiceXml naming the first violation and counting the rest.

    The fast validator decides; the thorough one is asked only to explain a failure.
    Should the two ever disagree, the lxml message is reported rather than letting bad XML pass.
    """
    root = _root_of(xml)
    fast = load_fast_schema(version)
    if fast.validate(root):
        return
    problems = schema_problems(root, version) or [
        f"line {entry.line}: {entry.path}: {entry.message}" for entry in fast.error_log
    ]
    count = len(problems)
    raise InvalidInvoiceXml(
        f"{count} schema violation{'s' if count != 1 else ''}: " + "; ".join(problems[:5]),
        where=problems[0].split(": ", 1)[0],
    )
