"""Read-only selects over dossiers."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload

from payrecon.catalog.models import Procedure
from payrecon.dossiers.models import Dossier
from payrecon.errors import NotFound


def find_dossier(session: Session, code: str) -> Dossier | None:
    return session.scalars(
        select(Dossier)
        .where(Dossier.code == code)
        .options(joinedload(Dossier.procedure).joinedload(Procedure.agency))
    ).one_or_none()


def get_dossier(session: Session, code: str) -> Dossier:
    dossier = find_dossier(session, code)
    if dossier is None:
        raise NotFound(f"no dossier with code {code!r}", where="path.code")
    return dossier
