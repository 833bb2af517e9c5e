"""Which input files have been imported, by content hash, so a second import changes nothing."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime

from sqlalchemy import Integer, String, UniqueConstraint, select
from sqlalchemy.exc import IntegrityError
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


@contextmanager
def claimed(
    session: Session, *, kind: str, data: bytes, filename: str, actor: str
) -> Iterator[ImportedFile | None]:
    """Claim, first thing in an import's transaction, that it imports this file (by the SHA-256
    of `data`, kept as the claim's sha256), and run the import inside the claim's savepoint;
    yields None when the file has been imported already (the caller then changes nothing and
    says so).

    If the import raises, the savepoint is rolled back: the claim goes with the rows written so
    far, so a caller that catches the error and commits the session stores nothing of the file.
    The unique key on (kind, sha256) settles a twin imported at the same instant: on
    PostgreSQL the second INSERT waits for the first transaction and fails if it commits (and
    goes ahead if it rolls back); on SQLite write transactions are serialised (BEGIN
    IMMEDIATE), so the second finds the row. The caller completes the record with
    finish_import inside the block and commits after it.
    """
    sha256 = content_hash(data)
    if find_import(session, kind, sha256) is not None:
        yield None
        return
    savepoint = session.begin_nested()
    entry = ImportedFile(
        kind=kind,
        sha256=sha256,
        filename=filename,
        rows=0,
        imported_at=utcnow(),
        imported_by=actor,
    )
    try:
        session.add(entry)
        session.flush()
    except IntegrityError:
        savepoint.rollback()
        yield None
        return
    try:
        yield entry
    except BaseException:
        if savepoint.is_active:
            savepoint.rollback()
        raise
    savepoint.commit()


def finish_import(session: Session, entry: ImportedFile, *, rows: int, actor: str) -> None:
    """Count the file's rows and write who imported it to the audit log, in the caller's
    transaction."""
    entry.rows = rows
    audit.record_change(
        session,
        entry,
        "imported",
        None,
        f"{entry.kind} file {entry.filename}: {rows} rows, sha256 {entry.sha256}",
        actor=actor,
    )
