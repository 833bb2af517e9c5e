"""Tables of the dossiers domain."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, CheckConstraint, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from payrecon.catalog.models import Procedure
from payrecon.db import Base, BigId, UtcDateTime


class Dossier(Base):
    __tablename__ = "dossiers"
    __table_args__ = (
        CheckConstraint("fee_due_vnd >= 0", name="fee_due_not_negative"),
        CheckConstraint(
            "status IN ('received', 'processing', 'done', 'returned', 'cancelled')",
            name="status_known",
        ),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    code: Mapped[str] = mapped_column(String(60), unique=True)
    procedure_id: Mapped[int] = mapped_column(ForeignKey("procedures.id"), index=True)
    applicant_name: Mapped[str] = mapped_column(String(200))
    applicant_id_number: Mapped[str] = mapped_column(String(12), index=True)
    applicant_tax_code: Mapped[str | None] = mapped_column(String(14))
    received_at: Mapped[datetime] = mapped_column(UtcDateTime, index=True)
    status: Mapped[str] = mapped_column(String(20))
    fee_due_vnd: Mapped[int] = mapped_column(BigInteger)
    # When the dossier system says the fee was paid (counter, agency); None = not paid there.
    paid_at: Mapped[datetime | None] = mapped_column(UtcDateTime, index=True)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime)

    procedure: Mapped[Procedure] = relationship()
