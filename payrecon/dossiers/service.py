"""Dossier use cases. Each function is one business operation and ends in one commit."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from payrecon import audit, imports
from payrecon.catalog.models import Procedure
from payrecon.db import utcnow
from payrecon.dossiers.feed import DossierFields, check_fields, parse_dossier_feed
from payrecon.dossiers.models import Dossier
from payrecon.errors import InvalidInput

IMPORT_KIND = "dossiers"
AUDITED_FIELDS = (
    "procedure_id",
    "applicant_name",
    "applicant_id_number",
    "applicant_tax_code",
    "received_at",
    "status",
    "fee_due_vnd",
    "paid_at",
)


@dataclass(frozen=True)
class DossierImportResult:
    already_imported: bool
    created: int = 0
    updated: int = 0
    unchanged: int = 0

    def summary(self) -> str:
        if self.already_imported:
            return "already imported: this exact file was imported before; nothing changed"
        return (
            f"dossiers imported: {self.created} created, {self.updated} updated, "
            f"{self.unchanged} unchanged"
        )


def _procedure_ids(session: Session) -> dict[str, int]:
    return {code: id_ for code, id_ in session.execute(select(Procedure.code, Procedure.id))}


def _apply(
    session: Session,
    dossier: Dossier | None,
    fields: DossierFields,
    procedure_id: int,
    *,
    actor: str,
    why: str,
) -> str:
    """Create or update one dossier; returns 'created', 'updated' or 'unchanged'."""
    wanted = {
        "procedure_id": procedure_id,
        "applicant_name": fields.applicant_name,
        "applicant_id_number": fields.applicant_id_number,
        "applicant_tax_code": fields.applicant_tax_code,
        "received_at": fields.received_at,
        "status": fields.status,
        "fee_due_vnd": fields.fee_due_vnd,
    }
    if fields.paid_at_given:
        wanted["paid_at"] = fields.paid_at
    if dossier is None:
        session.add(Dossier(code=fields.code, updated_at=utcnow(), **wanted))
        return "created"
    changes = {
        f: wanted[f] for f in AUDITED_FIELDS if f in wanted and getattr(dossier, f) != wanted[f]
    }
    if not changes:
        return "unchanged"
    for field, new in changes.items():
        audit.record_change(
            session, dossier, field, getattr(dossier, field), new, actor=actor, why=why
        )
        setattr(dossier, field, new)
    dossier.updated_at = utcnow()
    return "updated"


def import_dossiers(
    session: Session,
    data: bytes,
    *,
    filename: str,
    actor: str,
    progress: Callable[[int], None] | None = None,
) -> DossierImportResult:
    """Check the whole feed file, then create/update every dossier in one transaction."""
    with imports.claimed(
        session, kind=IMPORT_KIND, data=data, filename=filename, actor=actor
    ) as claim:
        if claim is None:
            return DossierImportResult(already_imported=True)
        procedure_ids = _procedure_ids(session)
        rows = parse_dossier_feed(data, source=filename, known_procedures=procedure_ids.keys())
        counts = _apply_feed(
            session, rows, procedure_ids, filename=filename, actor=actor, progress=progress
        )
        imports.finish_import(session, claim, rows=len(rows), actor=actor)
    session.commit()
    if progress is not None:
        progress(len(rows) % 500)
    return DossierImportResult(False, **counts)


def _apply_feed(
    session: Session,
    rows: list[DossierFields],
    procedure_ids: dict[str, int],
    *,
    filename: str,
    actor: str,
    progress: Callable[[int], None] | None,
) -> dict[str, int]:
    """Create or update each dossier of a checked feed; how many were created/updated/unchanged."""
    codes = [row.code for row in rows]
    existing: dict[str, Dossier] = {}
    for start in range(0, len(codes), 1000):
        chunk = codes[start : start + 1000]
        existing.update(
            (d.code, d) for d in session.scalars(select(Dossier).where(Dossier.code.in_(chunk)))
        )
    counts = {"created": 0, "updated": 0, "unchanged": 0}
    for done, fields in enumerate(rows, start=1):
        outcome = _apply(
            session,
            existing.get(fields.code),
            fields,
            procedure_ids[fields.procedure_code],
            actor=actor,
            why=f"dossier import {filename}",
        )
        counts[outcome] += 1
        if progress is not None and done % 500 == 0:
            progress(500)
    return counts


def upsert_dossier(
    session: Session, *, code: str, values: Mapping[str, object], actor: str
) -> tuple[Dossier, bool]:
    """Create or update one dossier pushed by the one-stop-shop system; True when created."""
    procedure_ids = _procedure_ids(session)
    fields, problems = check_fields({**values, "dossier_code": code}, procedure_ids.keys())
    if fields is None:
        column, reason = problems[0]
        where = "path.code" if column == "dossier_code" else f"body.{column}"
        more = f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""
        raise InvalidInput(f"{column}: {reason}{more}", where=where)
    dossier = session.scalars(
        select(Dossier).where(Dossier.code == code).with_for_update()
    ).one_or_none()
    outcome = _apply(
        session,
        dossier,
        fields,
        procedure_ids[fields.procedure_code],
        actor=actor,
        why="dossier push",
    )
    session.commit()
    if dossier is None:
        dossier = session.scalars(select(Dossier).where(Dossier.code == code)).one()
    return dossier, outcome == "created"
