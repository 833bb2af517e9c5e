"""Tables of the catalog domain."""

from __future__ import annotations

from sqlalchemy import BigInteger, CheckConstraint, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from payrecon.db import Base, BigId


class Agency(Base):
    """A public body that collects fees and issues invoices as the seller."""

    __tablename__ = "agencies"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    name: Mapped[str] = mapped_column(String(400))
    tax_code: Mapped[str | None] = mapped_column(String(14))
    address: Mapped[str | None] = mapped_column(String(400))

    accounts: Mapped[list[CollectionAccount]] = relationship(
        back_populates="agency", order_by="CollectionAccount.id"
    )


class CollectionAccount(Base):
    """A bank account where an agency receives fees (the VietQR beneficiary)."""

    __tablename__ = "collection_accounts"
    __table_args__ = (UniqueConstraint("bank_bin", "account_number"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    agency_id: Mapped[int] = mapped_column(ForeignKey("agencies.id"), index=True)
    bank_bin: Mapped[str] = mapped_column(String(6))
    account_number: Mapped[str] = mapped_column(String(19))
    account_name: Mapped[str] = mapped_column(String(200))

    agency: Mapped[Agency] = relationship(back_populates="accounts")


class Procedure(Base):
    """An administrative procedure and the fee or charge it costs."""

    __tablename__ = "procedures"
    __table_args__ = (
        CheckConstraint("fee_vnd >= 0", name="fee_not_negative"),
        CheckConstraint("fee_kind IN ('fee', 'charge')", name="fee_kind_known"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    name: Mapped[str] = mapped_column(String(500))
    agency_id: Mapped[int] = mapped_column(ForeignKey("agencies.id"), index=True)
    fee_vnd: Mapped[int] = mapped_column(BigInteger)
    fee_kind: Mapped[str] = mapped_column(String(10))
    vat_rate: Mapped[str] = mapped_column(String(20))

    agency: Mapped[Agency] = relationship()
