"""Catalog use cases. Each function is one business operation and ends in one commit."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from payrecon import audit, imports
from payrecon.catalog.feed import CatalogRow, parse_catalog
from payrecon.catalog.models import Agency, CollectionAccount, Procedure
from payrecon.errors import Conflict, InvalidInput, NotFound

IMPORT_KIND = "catalog"


@dataclass(frozen=True)
class CatalogImportResult:
    already_imported: bool
    agencies_created: int = 0
    procedures_created: int = 0
    procedures_updated: int = 0
    unchanged: int = 0

    def summary(self) -> str:
        if self.already_imported:
            return "already imported: this exact file was imported before; nothing changed"
        return (
            f"catalog imported: {self.agencies_created} agencies created, "
            f"{self.procedures_created} procedures created, {self.procedures_updated} updated, "
            f"{self.unchanged} unchanged"
        )


def import_catalog(
    session: Session, data: bytes, *, filename: str, actor: str
) -> CatalogImportResult:
    """Check the whole file, then create or update agencies and procedures in one transaction."""
    with imports.claimed(
        session, kind=IMPORT_KIND, data=data, filename=filename, actor=actor
    ) as claim:
        if claim is None:
            return CatalogImportResult(already_imported=True)
        rows = parse_catalog(data, source=filename)
        result = _apply_catalog(session, rows, filename=filename, actor=actor)
        imports.finish_import(session, claim, rows=len(rows), actor=actor)
    session.commit()
    return result


def _apply_catalog(
    session: Session, rows: list[CatalogRow], *, filename: str, actor: str
) -> CatalogImportResult:
    """Create or update the agencies and procedures of a checked catalog file."""
    agencies = {a.code: a for a in session.scalars(select(Agency))}
    procedures = {p.code: p for p in session.scalars(select(Procedure))}
    agencies_created = created = updated = unchanged = 0
    for row in rows:
        agency = agencies.get(row.agency_code)
        if agency is None:
            agency = Agency(code=row.agency_code, name=row.agency_name)
            session.add(agency)
            session.flush()
            agencies[agency.code] = agency
            agencies_created += 1
        wanted = {
            "name": row.procedure_name,
            "agency_id": agency.id,
            "fee_vnd": row.fee_vnd,
            "fee_kind": row.fee_kind,
            "vat_rate": row.vat_rate,
        }
        procedure = procedures.get(row.procedure_code)
        if procedure is None:
            session.add(Procedure(code=row.procedure_code, **wanted))
            created += 1
            continue
        changes = {k: v for k, v in wanted.items() if getattr(procedure, k) != v}
        if not changes:
            unchanged += 1
            continue
        for field, new in changes.items():
            audit.record_change(
                session,
                procedure,
                field,
                getattr(procedure, field),
                new,
                actor=actor,
                why=f"catalog import {filename}",
            )
            setattr(procedure, field, new)
        updated += 1
    return CatalogImportResult(False, agencies_created, created, updated, unchanged)


def _agency_by_code(session: Session, code: str) -> Agency:
    agency = session.scalars(select(Agency).where(Agency.code == code)).one_or_none()
    if agency is None:
        raise NotFound(f"no agency with code {code!r}", where="agency")
    return agency


def add_collection_account(
    session: Session,
    *,
    agency_code: str,
    bank_bin: str,
    account_number: str,
    account_name: str,
    actor: str,
) -> CollectionAccount:
    """Register a bank account where the agency receives fees."""
    if not (bank_bin.isdigit() and len(bank_bin) == 6):
        raise InvalidInput(f"bank BIN must be 6 digits, not {bank_bin!r}", where="bank_bin")
    if not (
        account_number.isalnum() and account_number.isascii() and 1 <= len(account_number) <= 19
    ):
        raise InvalidInput(
            f"account number must be 1–19 ASCII letters or digits, not {account_number!r}",
            where="account",
        )
    if not account_name.strip():
        raise InvalidInput("account name must not be empty", where="name")
    agency = _agency_by_code(session, agency_code)
    existing = session.scalars(
        select(CollectionAccount).where(
            CollectionAccount.bank_bin == bank_bin,
            CollectionAccount.account_number == account_number,
        )
    ).one_or_none()
    if existing is not None:
        if existing.agency_id != agency.id:
            raise Conflict(
                f"account {bank_bin}/{account_number} already belongs to another agency",
                where="account",
            )
        return existing
    account = CollectionAccount(
        agency_id=agency.id,
        bank_bin=bank_bin,
        account_number=account_number,
        account_name=account_name.strip().upper(),
    )
    session.add(account)
    session.flush()
    audit.record_change(
        session, account, "created", None, f"{bank_bin}/{account_number}", actor=actor
    )
    session.commit()
    return account


def update_agency(
    session: Session,
    *,
    code: str,
    actor: str,
    tax_code: str | None = None,
    address: str | None = None,
    name: str | None = None,
) -> Agency:
    """Set the seller details an invoice needs (tax code, address) or rename the agency."""
    agency = _agency_by_code(session, code)
    if tax_code is not None and not _is_tax_code(tax_code):
        raise InvalidInput(
            f"tax code must be 10 digits or 10 digits-3 digits, not {tax_code!r}", where="tax_code"
        )
    for field, new in (("tax_code", tax_code), ("address", address), ("name", name)):
        if new is not None and getattr(agency, field) != new:
            audit.record_change(session, agency, field, getattr(agency, field), new, actor=actor)
            setattr(agency, field, new)
    session.commit()
    return agency


def _is_tax_code(value: str) -> bool:
    head, _, branch = value.partition("-")
    return (
        len(head) == 10
        and head.isdigit()
        and (not branch or (len(branch) == 3 and branch.isdigit()))
    )
