"""Read-only selects over dossiers."""

from __future__ import annotations

from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session, joinedload

from payrecon.catalog.models import Procedure
from payrecon.dossiers.models import Dossier
from payrecon.errors import NotFound

# Built once: dossier lookups are the API's most frequent request. Parameter: code.
_BY_CODE = (
    select(Dossier)
    .where(Dossier.code == bindparam("code"))
    .options(joinedload(Dossier.procedure).joinedload(Procedure.agency))
)


def find_dossier(session: Session, code: str) -> Dossier | None:
    return session.scalars(_BY_CODE, {"code": code}).one_or_none()


def get_dossier(session: Session, code: str) -> Dossier:
    dossier = find_dossier(session, code)
    if dossier is None:
        raise NotFound(f"no dossier with code {code!r}", where="path.code")
    return dossier
