"""Whose exception it is: its agency and procedure, from the ids its evidence names.

Pure: evidence dicts and lookups in, (agency_id, procedure_id) out, None where unknown.

The run's frames place most exceptions (`summary.attribution`: a payment of the window, or a
bank line through its collection account). Some name only records outside those frames: a
dossier the feed marks paid (`paid_without_payment`), an invoice whose payment is older than
the window (`invoice_without_payment`), a dossier a credit's text names. Those are looked up
(`queries.record_owners`) and fill what the frames left unknown.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field

from payrecon.reconciliation.summary import Owner

Place = tuple[int | None, int | None]  # (agency_id, procedure_id)


@dataclass(frozen=True)
class Records:
    """(agency_id, procedure_id) of payments, dossiers (by code) and invoices, by id."""

    payments: Mapping[int, Place] = field(default_factory=dict)
    dossiers: Mapping[str, Place] = field(default_factory=dict)
    invoices: Mapping[int, Place] = field(default_factory=dict)


@dataclass(frozen=True)
class Wanted:
    """The records to look up: ids the frames could not place."""

    payment_ids: frozenset[int]
    dossier_codes: frozenset[str]
    invoice_ids: frozenset[int]


def _first(evidence: Mapping[str, object], key: str) -> object:
    values = evidence.get(key) or [None]
    return values[0] if isinstance(values, list) else None


def _ints(evidence: Mapping[str, object], key: str) -> list[int]:
    values = evidence.get(key) or []
    return [v for v in values if isinstance(v, int)] if isinstance(values, list) else []


def _codes(evidence: Mapping[str, object]) -> list[str]:
    values = evidence.get("dossier_ids") or []
    return [str(v) for v in values] if isinstance(values, list) else []


def _from_frames(owner: Owner, evidence: Mapping[str, object]) -> Place:
    return owner(_first(evidence, "payment_ids"), _first(evidence, "line_ids"))


def records_to_look_up(evidences: Iterable[Mapping[str, object]], owner: Owner) -> Wanted:
    """The payments, dossiers and invoices named by exceptions the frames cannot fully place."""
    payments: set[int] = set()
    dossiers: set[str] = set()
    invoices: set[int] = set()
    for evidence in evidences:
        agency_id, procedure_id = _from_frames(owner, evidence)
        if agency_id is not None and procedure_id is not None:
            continue
        payments.update(_ints(evidence, "payment_ids"))
        invoices.update(_ints(evidence, "invoice_ids"))
        dossiers.update(_codes(evidence))
    return Wanted(frozenset(payments), frozenset(dossiers), frozenset(invoices))


def exception_owner(owner: Owner, records: Records) -> Callable[[Mapping[str, object]], Place]:
    """A function evidence -> (agency_id, procedure_id).

    The frames' answer first; what it leaves unknown comes from the named records, the
    invoice first (its series is the agency that invoiced), then the payment, then the
    dossier. A bank line's agency (whose account took the money) is never overridden: a
    procedure is taken from a record only when the record's agency is that same agency.
    """

    def place(evidence: Mapping[str, object]) -> Place:
        agency_id, procedure_id = _from_frames(owner, evidence)
        if agency_id is not None and procedure_id is not None:
            return agency_id, procedure_id
        candidates = [
            *(records.invoices.get(i) for i in _ints(evidence, "invoice_ids")),
            *(records.payments.get(i) for i in _ints(evidence, "payment_ids")),
            *(records.dossiers.get(code) for code in _codes(evidence)),
        ]
        for found in candidates:
            if found is None:
                continue
            found_agency, found_procedure = found
            if agency_id is None:
                return found_agency, found_procedure
            if found_agency == agency_id:
                return agency_id, procedure_id if procedure_id is not None else found_procedure
        return agency_id, procedure_id

    return place
