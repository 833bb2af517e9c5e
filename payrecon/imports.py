"""Which input files have been imported, by content hash, so a second import changes nothing."""

from __future__ import annotations

import hashlib
from datetime import datetime

from sqlalchemy import Integer, String, UniqueConstraint, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from payrecon import audit
from payrecon.db import Base, BigId, UtcDateTime, utcnow


class ImportedFile(Base):
    __tablename__ = "imported_files"
    __table_args__ = (UniqueConstraint("kind", "sha256"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    kind: Mapped[str] = mapped_column(String(40))  # catalog, dossiers, statement, settlement …
    sha256: Mapped[str] = mapped_column(String(64))
    filename: Mapped[str] = mapped_column(String(500))
    rows: Mapped[int] = mapped_column(Integer)
    imported_at: Mapped[datetime] = mapped_column(UtcDateTime)
    imported_by: Mapped[str] = mapped_column(String(200))


def content_hash(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def find_import(session: Session, kind: str, sha256: str) -> ImportedFile | None:
    return session.scalars(
        select(ImportedFile).where(ImportedFile.kind == kind, ImportedFile.sha256 == sha256)
    ).one_or_none()


def remember_import(
    session: Session, *, kind: str, sha256: str, filename: str, rows: int, actor: str
) -> ImportedFile:
    """Record the file, and who imported it in the audit log, in the caller's transaction.

    The unique key on (kind, sha256) stops a concurrent twin.
    """
    entry = ImportedFile(
        kind=kind,
        sha256=sha256,
        filename=filename,
        rows=rows,
        imported_at=utcnow(),
        imported_by=actor,
    )
    session.add(entry)
    session.flush()
    audit.record_change(
        session,
        entry,
        "imported",
        None,
        f"{kind} file {filename}: {rows} rows, sha256 {sha256}",
        actor=actor,
    )
    return entry
