"""Issuing the original invoices of paid fees: many per transaction, one series at a time.

The number is signed inside DLHDon, so it must be known before signing, and it must be taken
in the transaction that stores the invoice (counter.py). One transaction here therefore:
1. picks an agency among those of the oldest pending `payment.succeeded` events whose series
   no other issuer holds (the series row is locked with SKIP LOCKED; when every candidate is
   held, it waits for the first one, which costs no CPU);
2. claims up to BATCH of that agency's pending events (FOR UPDATE SKIP LOCKED). Only the
   holder of a series claims its events, so issuers never wait on each other's events;
3. reads the series' last number under the lock and builds, validates, signs and verifies
   each invoice with the next number. An event that fails here is set aside and takes no
   number, so the numbers of the others stay consecutive;
4. advances the counter by the count in one UPDATE, inserts the invoices and their changes,
   marks the events done and commits: numbers, invoices and events together or not at all.
Meanwhile other issuers work other agencies' series. On SQLite the database write lock
serialises whole transactions instead. Events naming no known dossier (malformed ones
among them) are taken one at a time and fail naming the field at fault.
"""

from __future__ import annotations

import hashlib
from collections.abc import Collection
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import insert, literal, select
from sqlalchemy.orm import Session, contains_eager

from payrecon import outbox
from payrecon.catalog import queries as catalog_queries
from payrecon.catalog.models import Agency, Procedure
from payrecon.db import UtcDateTime, utcnow
from payrecon.dossiers.models import Dossier
from payrecon.errors import Conflict, InvalidInput, NotFound
from payrecon.invoices import counter
from payrecon.invoices.compose import (
    TEMPLATE_CODE,
    FeeSale,
    agency_series_suffix,
    fee_invoice_data,
    new_lookup_code,
)
from payrecon.invoices.keys import SigningKeys
from payrecon.invoices.models import Invoice, InvoiceChange
from payrecon.invoices.payloads import paid_amount, payload_field, payment_method
from payrecon.invoices.signing import sign_invoice
from payrecon.invoices.symbols import LOCAL_TIME, invoice_year, series_symbol
from payrecon.invoices.xml_build import Buyer, Seller, build_valid_invoice_tree
from payrecon.outbox import OutboxEvent

PAID_TOPIC = "payment.succeeded"
#: Invoices per transaction: large enough that a commit and its ~12 round trips cost little
#: per invoice, small enough that a batch holds its series for a fraction of a second (128 ×
#: ~2 ms of CPU). 128 rather than 32 cut the issuing CPU per invoice by ~15 % (bench/invoices.py).
BATCH = 128
#: Pending events read, oldest first, to find the agencies with work waiting.
ROUTE_SCAN = 256
MAX_ATTEMPTS = 10


@dataclass(frozen=True)
class IssueResult:
    issued: int
    failed: int


@dataclass(frozen=True)
class _Paid:
    """One claimed payment.succeeded event, its payload checked."""

    event_id: int
    payment_id: int
    amount_vnd: int
    method: str | None
    dossier: Dossier


def seller_problem(agency: Agency) -> Conflict | None:
    """Why the agency cannot be the seller on an invoice, or None."""
    if agency.tax_code and agency.address:
        return None
    return Conflict(
        f"agency {agency.code} has no tax code or address to put on its invoices "
        "(payrecon agencies update)",
        where="agency",
    )


def seller_of(session: Session, agency: Agency) -> Seller:
    """The agency as the seller on its invoices; Conflict when it lacks what an invoice needs."""
    if problem := seller_problem(agency):
        raise problem
    account = catalog_queries.collection_account_for(session, agency.id)
    return Seller(
        name=agency.name,
        tax_code=agency.tax_code,
        address=agency.address,
        bank_account=account.account_number if account else None,
    )


def fee_sale(seller: Seller, dossier: Dossier, *, paid_vnd: int, method: str | None) -> FeeSale:
    procedure = dossier.procedure
    return FeeSale(
        seller=seller,
        buyer=Buyer(
            name=dossier.applicant_name,
            tax_code=dossier.applicant_tax_code or None,
            id_number=dossier.applicant_id_number or None,
        ),
        procedure_name=procedure.name,
        procedure_code=procedure.code,
        fee_kind=procedure.fee_kind,
        catalog_rate=procedure.vat_rate,
        paid_vnd=paid_vnd,
        payment_method=method,
    )


def _pending(exclude: Collection[int]) -> list:
    criteria = [
        OutboxEvent.topic == PAID_TOPIC,
        OutboxEvent.processed_at.is_(None),
        OutboxEvent.attempts < MAX_ATTEMPTS,
    ]
    if exclude:
        criteria.append(OutboxEvent.id.not_in(exclude))
    return criteria


def _dossier_of_event():
    return Dossier.code == OutboxEvent.payload["dossier_code"].as_string()


def _routes(session: Session, exclude: Collection[int]) -> list[tuple[int, int | None]]:
    """(event id, agency id or None when no dossier matches) of the oldest pending events."""
    return [
        (event_id, agency_id)
        for event_id, agency_id in session.execute(
            select(OutboxEvent.id, Procedure.agency_id)
            .outerjoin(Dossier, _dossier_of_event())
            .outerjoin(Procedure, Procedure.id == Dossier.procedure_id)
            .where(*_pending(exclude))
            .order_by(OutboxEvent.id)
            .limit(ROUTE_SCAN)
        )
    ]


def _claim(
    session: Session, agency_id: int, exclude: Collection[int], room: int
) -> tuple[list[_Paid], dict[int, Exception]]:
    """Lock the agency's oldest pending events (skipping locked ones) and check their payloads."""
    rows = session.execute(
        select(OutboxEvent.id, OutboxEvent.payload, Dossier)
        .join(Dossier, _dossier_of_event())
        .join(Procedure, Procedure.id == Dossier.procedure_id)
        .where(*_pending(exclude), Procedure.agency_id == agency_id)
        .options(contains_eager(Dossier.procedure))  # the joined row: no load per dossier
        .order_by(OutboxEvent.id)
        .limit(room)
        .with_for_update(of=OutboxEvent, skip_locked=True)
    ).all()
    claimed: list[_Paid] = []
    failures: dict[int, Exception] = {}
    for event_id, payload, dossier in rows:
        try:
            payload_field(payload, "dossier_code", str)
            claimed.append(
                _Paid(
                    event_id=event_id,
                    payment_id=payload_field(payload, "payment_id", int),
                    amount_vnd=paid_amount(payload),
                    method=payment_method(payload),
                    dossier=dossier,
                )
            )
        except InvalidInput as exc:
            failures[event_id] = exc
    return claimed, failures


def _already_invoiced(session: Session, payment_ids: Collection[int]) -> set[int]:
    return set(
        session.scalars(
            select(Invoice.payment_id).where(
                Invoice.payment_id.in_(payment_ids), Invoice.kind == "original"
            )
        )
    )


def _lock_a_series(
    session: Session, agency_ids: list[int], issued_at: datetime
) -> tuple[Agency, counter.SeriesState] | Agency | None:
    """The first candidate agency whose series this transaction could lock, with the series.

    An agency that cannot sell (Conflict in seller_of) is returned alone, before any series
    is opened for it. When every series is held by another issuer, wait for the first.
    """
    year = invoice_year(issued_at)
    opened: list[tuple[Agency, counter.SeriesState]] = []
    for agency_id in agency_ids:
        agency = session.get(Agency, agency_id)
        if agency is None:
            continue
        if seller_problem(agency):
            return agency
        state = counter.open_series(
            session,
            agency_id=agency_id,
            year=year,
            template_code=TEMPLATE_CODE,
            series=series_symbol(year, agency_series_suffix(agency_id)),
        )
        last = counter.lock_series(session, state.id, wait=False)
        if last is not None:
            return agency, counter.SeriesState(state.id, last)
        opened.append((agency, state))
    if not opened:
        return None
    agency, state = opened[0]
    last = counter.lock_series(session, state.id, wait=True)
    return agency, counter.SeriesState(state.id, last)


def _issue_batch(
    session: Session,
    agency_ids: list[int],
    *,
    keys: SigningKeys,
    issued_at: datetime,
    exclude: Collection[int],
    room: int,
) -> tuple[int, dict[int, Exception]]:
    """Issue one batch for one series in the session's transaction (not committed).

    Returns how many events were handled and the failures, which must be recorded after the
    transaction ends.
    """
    chosen = _lock_a_series(session, agency_ids, issued_at)
    if chosen is None:
        return 0, {}
    if isinstance(chosen, Agency):
        claimed, failures = _claim(session, chosen.id, exclude, room)
        problem = seller_problem(chosen)
        return 0, failures | {paid.event_id: problem for paid in claimed}
    agency, state = chosen
    claimed, failures = _claim(session, agency.id, exclude, room)
    seller = seller_of(session, agency)
    done = _already_invoiced(session, [paid.payment_id for paid in claimed])
    series = series_symbol(invoice_year(issued_at), agency_series_suffix(agency.id))
    issued_on = issued_at.astimezone(LOCAL_TIME).date()
    rows: list[dict[str, Any]] = []
    handled_ids: list[int] = []
    for paid in claimed:
        if paid.payment_id in done:  # a repeated event: the invoice exists, nothing new
            handled_ids.append(paid.event_id)
            continue
        number = state.last_number + len(rows) + 1
        try:
            rows.append(_signed_row(paid, seller, keys, series, number, issued_at, issued_on))
        except Exception as exc:  # this event fails, recorded on it; the batch goes on
            failures[paid.event_id] = exc
            continue
        done.add(paid.payment_id)
        handled_ids.append(paid.event_id)
    if rows:
        taken = counter.take_numbers(session, state.id, len(rows))
        if list(taken) != [row["number"] for row in rows]:
            raise RuntimeError(f"series {series}: numbers {taken} moved under a held lock")
        for row in rows:
            row["series_id"] = state.id
        session.execute(insert(Invoice.__table__), rows)
        session.execute(
            insert(InvoiceChange.__table__).from_select(
                ["invoice_id", "kind", "created_at"],
                select(Invoice.id, literal("issue"), literal(utcnow(), UtcDateTime))
                .where(Invoice.series_id == state.id, Invoice.number.between(taken[0], taken[-1]))
                .order_by(Invoice.number),
            )
        )
    outbox.mark_handled(session, handled_ids)
    return len(handled_ids), failures


def _signed_row(
    paid: _Paid,
    seller: Seller,
    keys: SigningKeys,
    series: str,
    number: int,
    issued_at: datetime,
    issued_on: date,
) -> dict[str, Any]:
    sale = fee_sale(seller, paid.dossier, paid_vnd=paid.amount_vnd, method=paid.method)
    lookup_code = new_lookup_code()
    data = fee_invoice_data(
        sale, series=series, number=number, issued_on=issued_on, lookup_code=lookup_code
    )
    unsigned = build_valid_invoice_tree(data)  # checked against the XSD, signed in place
    xml = sign_invoice(unsigned, key_pem=keys.key, cert_pem=keys.cert_pem, signing_time=issued_at)
    return {
        "template_code": TEMPLATE_CODE,
        "series": series,
        "number": number,
        "kind": "original",
        "status": "issued",
        "agency_id": paid.dossier.procedure.agency_id,
        "dossier_id": paid.dossier.id,
        "payment_id": paid.payment_id,
        "issued_at": issued_at,
        "issued_on": issued_on,
        "buyer_name": sale.buyer.name,
        "payment_method": sale.payment_method,
        "total_vnd": sale.paid_vnd,
        "seller_tax_code": data.seller.tax_code,
        "buyer_tax_code": data.buyer.tax_code,
        "buyer_id_number": data.buyer.id_number,
        "total_before_tax_vnd": data.total_before_tax_vnd,
        "total_tax_vnd": data.total_tax_vnd,
        "lookup_code": lookup_code,
        "xml": xml,
        "xml_sha256": hashlib.sha256(xml).hexdigest(),
    }


def _fail_unroutable(session: Session, event_ids: list[int]) -> tuple[int, dict[int, Exception]]:
    """Events whose dossier_code matches no dossier: say which field is at fault.

    A repeated event of an already invoiced payment is simply done, as everywhere else.
    """
    rows = session.execute(
        select(OutboxEvent.id, OutboxEvent.payload)
        .where(OutboxEvent.id.in_(event_ids), OutboxEvent.processed_at.is_(None))
        .with_for_update(skip_locked=True)
    ).all()
    failures: dict[int, Exception] = {}
    handled: list[int] = []
    for event_id, payload in rows:
        try:
            payment_id = payload_field(payload, "payment_id", int)
            if _already_invoiced(session, [payment_id]):
                handled.append(event_id)
                continue
            paid_amount(payload)
            code = payload_field(payload, "dossier_code", str)
            raise NotFound(f"no dossier with code {code!r}", where="payload.dossier_code")
        except (InvalidInput, NotFound) as exc:
            failures[event_id] = exc
    outbox.mark_handled(session, handled)
    return len(handled), failures


def issue_paid_invoices(
    session: Session, *, keys: SigningKeys, now: datetime | None = None, limit: int = 500
) -> IssueResult:
    """Issue the invoices of pending payment.succeeded events, batch by batch (see module doc).

    Handles up to about `limit` events; each failure is recorded on its event (attempts,
    last_error) and not retried within this call.
    """
    issued = failed = 0
    set_aside: set[int] = set()
    while issued + failed < limit:
        routes = _routes(session, set_aside)
        if not routes:
            break
        unroutable = [event_id for event_id, agency_id in routes if agency_id is None]
        if unroutable:
            handled, failures = _fail_unroutable(session, unroutable)
        else:
            handled, failures = _issue_batch(
                session,
                list(dict.fromkeys(agency_id for _, agency_id in routes)),
                keys=keys,
                issued_at=now or utcnow(),
                exclude=set_aside,
                room=min(BATCH, limit - issued - failed),
            )
        session.commit()
        outbox.record_failures(session, failures)
        issued += handled
        failed += len(failures)
        set_aside |= failures.keys()
    return IssueResult(issued, failed)
