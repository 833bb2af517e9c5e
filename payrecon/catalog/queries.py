"""Read-only selects over the catalog."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from payrecon.catalog.models import Agency, CollectionAccount, Procedure


def find_procedure(session: Session, code: str) -> Procedure | None:
    return session.scalars(select(Procedure).where(Procedure.code == code)).one_or_none()


def procedure_codes(session: Session) -> set[str]:
    return set(session.scalars(select(Procedure.code)))


def list_agencies(session: Session) -> list[Agency]:
    return list(session.scalars(select(Agency).order_by(Agency.code)))


def collection_account_for(session: Session, agency_id: int) -> CollectionAccount | None:
    """The agency's first registered collection account (the VietQR beneficiary)."""
    return session.scalars(
        select(CollectionAccount)
        .where(CollectionAccount.agency_id == agency_id)
        .order_by(CollectionAccount.id)
        .limit(1)
    ).one_or_none()


def find_collection_account(
    session: Session, *, account_number: str, bank_bin: str | None = None
) -> CollectionAccount | None:
    query = select(CollectionAccount).where(CollectionAccount.account_number == account_number)
    if bank_bin is not None:
        query = query.where(CollectionAccount.bank_bin == bank_bin)
    return session.scalars(query).first()
