"""ISO 20022 bank-to-customer cash management: camt.053 (Stmt), camt.052 (Rpt), camt.054 (Ntfctn).

Pure: bytes in, ``ParsedStatement`` list out. Any version from 001.02 on is read: the namespace is
taken from the root (files without a namespace are accepted too), and the shapes that changed
between versions are all handled: ``Sts`` as a plain code (v02-v04) or ``Sts/Cd`` (v08),
parties directly under ``Dbtr`` (v02-v04) or inside ``Dbtr/Pty`` (v08), dates as ``Dt`` or
``DtTm``, and a transaction amount as ``TxDtls/Amt`` (v03+) or ``TxDtls/AmtDtls/TxAmt/Amt``.

Batched entries (``Ntry`` with ``Btch`` or with more than one ``TxDtls``) become one ``batch`` row
that carries the money followed by one ``detail`` row per ``TxDtls`` that does not; see
``parsed.ParsedLine``. An entry with a single ``TxDtls`` and no ``Btch`` is one ``entry`` row
that combines the entry and its details.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from lxml import etree

from payrecon.errors import StatementFormatError
from payrecon.statements.parsed import Balance, ParsedLine, ParsedStatement, to_minor_units
from payrecon.statements.xml_safety import DEFAULT_MAX_BYTES, parse_xml

_NAMESPACE = re.compile(r"urn:iso:std:iso:20022:tech:xsd:camt\.(05[234])\.001\.\d{2}|ISO:camt\.")
# message element -> (format, name of the repeated report element)
_MESSAGES = {
    "BkToCstmrStmt": ("camt053", "Stmt"),
    "BkToCstmrAcctRpt": ("camt052", "Rpt"),
    "BkToCstmrDbtCdtNtfctn": ("camt054", "Ntfctn"),
}
_OPENING_CODES = ("OPBD", "PRCD")
_CLOSING_CODES = ("CLBD",)
_NOT_PROVIDED = {"", "NOTPROVIDED", "NONREF"}


@dataclass(frozen=True)
class _Doc:
    """Namespace-aware lookups relative to an element, and locations for messages."""

    namespace: str | None

    def _qualify(self, path: str) -> str:
        if not self.namespace:
            return path
        return "/".join(f"{{{self.namespace}}}{step}" for step in path.split("/"))

    def find(self, element: etree._Element, path: str) -> etree._Element | None:
        return element.find(self._qualify(path))

    def findall(self, element: etree._Element, path: str) -> list[etree._Element]:
        return element.findall(self._qualify(path))

    def text(self, element: etree._Element, path: str) -> str | None:
        found = self.find(element, path)
        if found is None or found.text is None:
            return None
        value = found.text.strip()
        return value or None


def _where(location: str, element: etree._Element | None, child: str | None = None) -> str:
    path = f"{location}/{child}" if child else location
    line = getattr(element, "sourceline", None)
    return f"{path} (line {line})" if line else path


def _local_name(element: etree._Element) -> str:
    return etree.QName(element).localname


def _parse_date(doc: _Doc, holder: etree._Element | None, location: str) -> date | None:
    """A DateAndDateTimeChoice: ``Dt`` or ``DtTm``; a DtTm keeps the date the bank wrote."""
    if holder is None:
        return None
    text = doc.text(holder, "Dt") or doc.text(holder, "DtTm")
    if text is None:
        return None
    try:
        return date.fromisoformat(text[:10])
    except ValueError:
        raise StatementFormatError(
            f"{text!r} is not an ISO date", where=_where(location, holder)
        ) from None


def _amount(doc: _Doc, holder: etree._Element, path: str, location: str) -> tuple[int, str]:
    element = doc.find(holder, path)
    if element is None:
        raise StatementFormatError(f"missing {path}", where=_where(location, holder))
    currency = (element.get("Ccy") or "").strip()
    where = _where(location, element, path)
    if not currency:
        raise StatementFormatError("amount has no Ccy attribute", where=where)
    return to_minor_units(element.text or "", currency, where=where), currency


def _direction(doc: _Doc, holder: etree._Element, location: str) -> str | None:
    indicator = doc.text(holder, "CdtDbtInd")
    if indicator is None:
        return None
    if indicator not in ("CRDT", "DBIT"):
        raise StatementFormatError(
            f"CdtDbtInd is {indicator!r}, expected CRDT or DBIT",
            where=_where(location, holder, "CdtDbtInd"),
        )
    return "C" if indicator == "CRDT" else "D"


def _account(doc: _Doc, holder: etree._Element | None) -> str | None:
    if holder is None:
        return None
    return doc.text(holder, "Id/IBAN") or doc.text(holder, "Id/Othr/Id")


def _party_name(doc: _Doc, parties: etree._Element, role: str) -> str | None:
    return (
        doc.text(parties, f"{role}/Nm")
        or doc.text(parties, f"{role}/Pty/Nm")
        or doc.text(parties, f"Ultmt{role}/Nm")
        or doc.text(parties, f"Ultmt{role}/Pty/Nm")
    )


def _balances(doc: _Doc, report: etree._Element, location: str) -> list[Balance]:
    found = []
    for index, element in enumerate(doc.findall(report, "Bal"), start=1):
        here = f"{location}/Bal[{index}]"
        code = doc.text(element, "Tp/CdOrPrtry/Cd") or doc.text(element, "Tp/CdOrPrtry/Prtry")
        amount, currency = _amount(doc, element, "Amt", here)
        direction = _direction(doc, element, here)
        if direction is None:
            raise StatementFormatError("balance has no CdtDbtInd", where=_where(here, element))
        found.append(
            Balance(
                amount=amount if direction == "C" else -amount,
                currency=currency,
                on=_parse_date(doc, doc.find(element, "Dt"), here),
                code=code or "",
            )
        )
    return found


def _pick_balances(balances: list[Balance]) -> tuple[Balance | None, Balance | None]:
    """Opening from OPBD, else PRCD, else the first ITBD; closing from CLBD, else the last ITBD."""
    by_code = {}
    for balance in balances:
        by_code.setdefault(balance.code, balance)
    interim = [balance for balance in balances if balance.code == "ITBD"]
    opening = next((by_code[c] for c in _OPENING_CODES if c in by_code), None)
    closing = next((by_code[c] for c in _CLOSING_CODES if c in by_code), None)
    if opening is None and interim:
        opening = interim[0]
    if closing is None and len(interim) > 1:
        closing = interim[-1]
    return opening, closing


def _transaction_code(doc: _Doc, entry: etree._Element) -> str | None:
    domain = doc.text(entry, "BkTxCd/Domn/Cd")
    if domain:
        family = doc.text(entry, "BkTxCd/Domn/Fmly/Cd") or ""
        sub_family = doc.text(entry, "BkTxCd/Domn/Fmly/SubFmlyCd") or ""
        return "/".join(part for part in (domain, family, sub_family) if part)
    return doc.text(entry, "BkTxCd/Prtry/Cd")


def _status(doc: _Doc, entry: etree._Element) -> str | None:
    """v02-v04 ``<Sts>BOOK</Sts>``; v08 ``<Sts><Cd>BOOK</Cd></Sts>`` or ``<Prtry>``."""
    return doc.text(entry, "Sts/Cd") or doc.text(entry, "Sts/Prtry") or doc.text(entry, "Sts")


def _remittance(doc: _Doc, details: etree._Element | None) -> tuple[str | None, str | None]:
    if details is None:
        return None, None
    pieces = [(element.text or "").strip() for element in doc.findall(details, "RmtInf/Ustrd")]
    text = " ".join(piece for piece in pieces if piece) or None
    creditor_reference = doc.text(details, "RmtInf/Strd/CdtrRefInf/Ref")
    return text, creditor_reference


def _reference(value: str | None) -> str | None:
    return None if value is None or value.upper() in _NOT_PROVIDED else value


def _detail_fields(
    doc: _Doc, details: etree._Element | None, direction: str, reversal: bool
) -> dict:
    """The per-transaction fields of a TxDtls (all None when there is none)."""
    if details is None:
        return {}
    text, creditor_reference = _remittance(doc, details)
    # The other party: the debtor of a credit, the creditor of a debit; a reversal swaps them
    # (a returned collection is a debit, but the party is still the original debtor).
    role = "Dbtr" if (direction == "C") != reversal else "Cdtr"
    parties = doc.find(details, "RltdPties")
    return {
        "bank_reference": _reference(
            doc.text(details, "Refs/TxId") or doc.text(details, "Refs/InstrId")
        ),
        "servicer_reference": doc.text(details, "Refs/AcctSvcrRef"),
        "end_to_end_id": _reference(doc.text(details, "Refs/EndToEndId")),
        "remittance_text": text,
        "creditor_reference": creditor_reference,
        "additional_info": doc.text(details, "AddtlTxInf"),
        "counterparty_name": None if parties is None else _party_name(doc, parties, role),
        "counterparty_account": None
        if parties is None
        else _account(doc, doc.find(parties, f"{role}Acct")),
    }


def _merge(entry_fields: dict, detail_fields: dict) -> dict:
    """Detail values win where present; entry values fill the gaps."""
    merged = dict(entry_fields)
    for key, value in detail_fields.items():
        if value is not None:
            merged[key] = value
    if merged.get("remittance_text") is None:
        merged["remittance_text"] = merged.get("additional_info")
    return merged


def _raw(element: etree._Element) -> str:
    return etree.tostring(element, encoding="unicode", with_tail=False)


def _entry_rows(
    doc: _Doc, entry: etree._Element, entry_index: int, first_row: int, location: str
) -> list[ParsedLine]:
    amount, currency = _amount(doc, entry, "Amt", location)
    direction = _direction(doc, entry, location)
    if direction is None:
        raise StatementFormatError("entry has no CdtDbtInd", where=_where(location, entry))
    reversal = (doc.text(entry, "RvslInd") or "").lower() in ("true", "1")
    common = {
        "currency": currency,
        "direction": direction,
        "booking_date": _parse_date(doc, doc.find(entry, "BookgDt"), f"{location}/BookgDt"),
        "value_date": _parse_date(doc, doc.find(entry, "ValDt"), f"{location}/ValDt"),
        "reversal": reversal,
        "status": _status(doc, entry),
        "transaction_code": _transaction_code(doc, entry),
        "entry_index": entry_index,
    }
    entry_fields = {
        "bank_reference": _reference(doc.text(entry, "NtryRef")),
        "servicer_reference": doc.text(entry, "AcctSvcrRef"),
        "additional_info": doc.text(entry, "AddtlNtryInf"),
    }
    details_blocks = doc.findall(entry, "NtryDtls")
    batch = next((b for blk in details_blocks if (b := doc.find(blk, "Btch")) is not None), None)
    transactions = [
        (block_index, tx_index, tx)
        for block_index, block in enumerate(details_blocks, start=1)
        for tx_index, tx in enumerate(doc.findall(block, "TxDtls"), start=1)
    ]
    if batch is None and len(transactions) <= 1:
        details = transactions[0][2] if transactions else None
        fields = _merge(entry_fields, _detail_fields(doc, details, direction, reversal))
        return [
            ParsedLine(
                amount=amount,
                kind="entry",
                location=location,
                line_number=entry.sourceline,
                raw=_raw(entry),
                **common,
                **fields,
            )
        ]

    batch_fields = {"batch_id": None, "batch_size": len(transactions) or None, "batch_total": None}
    if batch is not None:
        batch_where = f"{location}/NtryDtls/Btch"
        count = doc.text(batch, "NbOfTxs")
        if count is not None and not count.isdigit():
            raise StatementFormatError(
                f"NbOfTxs is {count!r}, not a number", where=_where(batch_where, batch, "NbOfTxs")
            )
        batch_fields = {
            "batch_id": doc.text(batch, "PmtInfId") or doc.text(batch, "MsgId"),
            "batch_size": int(count) if count else batch_fields["batch_size"],
            "batch_total": _amount(doc, batch, "TtlAmt", batch_where)[0]
            if doc.find(batch, "TtlAmt") is not None
            else None,
        }
    if batch_fields["batch_id"] is None:
        batch_fields["batch_id"] = (
            entry_fields["servicer_reference"] or entry_fields["bank_reference"]
        )
    rows = [
        ParsedLine(
            amount=amount,
            kind="batch",
            location=location,
            line_number=entry.sourceline,
            raw=_raw(entry),
            **common,
            **_merge(entry_fields, {}),
            **batch_fields,
        )
    ]
    for block_index, tx_index, tx in transactions:
        here = f"{location}/NtryDtls[{block_index}]/TxDtls[{tx_index}]"
        tx_amount, tx_currency = None, currency
        for path in ("Amt", "AmtDtls/TxAmt/Amt", "AmtDtls/InstdAmt/Amt"):
            if doc.find(tx, path) is not None:
                tx_amount, tx_currency = _amount(doc, tx, path, here)
                break
        tx_direction = _direction(doc, tx, here) or direction
        fields = _detail_fields(doc, tx, tx_direction, reversal)
        if fields["remittance_text"] is None:
            fields["remittance_text"] = fields["additional_info"]
        rows.append(
            ParsedLine(
                amount=tx_amount,
                kind="detail",
                parent_index=first_row,
                location=here,
                line_number=tx.sourceline,
                raw=_raw(tx),
                **(common | {"currency": tx_currency, "direction": tx_direction}),
                **fields,
                **batch_fields,
            )
        )
    return rows


def _statement(
    doc: _Doc,
    report: etree._Element,
    fmt: str,
    location: str,
    message_id: str | None,
) -> ParsedStatement:
    opening, closing = _pick_balances(_balances(doc, report, location))
    lines: list[ParsedLine] = []
    for entry_index, entry in enumerate(doc.findall(report, "Ntry")):
        here = f"{location}/Ntry[{entry_index + 1}]"
        lines.extend(_entry_rows(doc, entry, entry_index, len(lines), here))
    account = doc.find(report, "Acct")
    if account is None:
        raise StatementFormatError("missing Acct", where=_where(location, report))
    currency = doc.text(account, "Ccy") or (opening.currency if opening else None)
    if currency is None and lines:
        currency = lines[0].currency
    period = doc.find(report, "FrToDt")
    return ParsedStatement(
        format=fmt,
        account_id=_account(doc, account),
        currency=currency,
        statement_id=doc.text(report, "Id"),
        lines=tuple(lines),
        location=_where(location, report),
        sequence=doc.text(report, "LglSeqNb"),
        electronic_sequence=doc.text(report, "ElctrncSeqNb"),
        period_from=_period_date(doc, period, "FrDtTm", location),
        period_to=_period_date(doc, period, "ToDtTm", location),
        opening_balance=opening,
        closing_balance=closing,
        message_id=message_id,
    )


def _period_date(doc: _Doc, period: etree._Element | None, name: str, location: str) -> date | None:
    text = None if period is None else doc.text(period, name)
    if text is None:
        return None
    try:
        return date.fromisoformat(text[:10])
    except ValueError:
        raise StatementFormatError(
            f"{text!r} is not an ISO date-time", where=_where(f"{location}/FrToDt/{name}", period)
        ) from None


def parse_camt(data: bytes, *, max_bytes: int = DEFAULT_MAX_BYTES) -> list[ParsedStatement]:
    """Every statement, report or notification in a camt.052/053/054 file, in file order."""
    root = parse_xml(data, max_bytes=max_bytes)
    qname = etree.QName(root)
    if qname.localname != "Document":
        raise StatementFormatError(
            f"root element is {qname.localname}, expected Document", where="/"
        )
    namespace = qname.namespace
    if namespace is not None and not _NAMESPACE.match(namespace):
        raise StatementFormatError(
            f"namespace {namespace!r} is not an ISO 20022 camt.052/053/054 namespace",
            where=_where("/Document", root),
        )
    message = next((child for child in root if isinstance(child.tag, str)), None)
    if message is None or _local_name(message) not in _MESSAGES:
        found = "nothing" if message is None else _local_name(message)
        raise StatementFormatError(
            f"Document holds {found}; expected one of {', '.join(_MESSAGES)}",
            where=_where("/Document", root),
        )
    fmt, report_name = _MESSAGES[_local_name(message)]
    if namespace and (declared := _NAMESPACE.match(namespace)[1]) and declared != fmt[-3:]:
        raise StatementFormatError(
            f"namespace says camt.{declared} but the message is {_local_name(message)}",
            where=_where("/Document", root),
        )
    doc = _Doc(namespace)
    container = f"/Document/{_local_name(message)}"
    if doc.find(message, "GrpHdr") is None:
        raise StatementFormatError("missing GrpHdr", where=_where(container, message))
    message_id = doc.text(message, "GrpHdr/MsgId")
    reports = doc.findall(message, report_name)
    if not reports:
        raise StatementFormatError(
            f"no {report_name} element in the file", where=_where(container, message)
        )
    return [
        _statement(doc, report, fmt, f"{container}/{report_name}[{index}]", message_id)
        for index, report in enumerate(reports, start=1)
    ]
