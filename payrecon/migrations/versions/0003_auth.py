"""auth: API tokens (hashed secrets, scopes, last use) and officer accounts

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-26 08:13:04.188461
"""

import sqlalchemy as sa
from alembic import op

import payrecon.db

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "api_tokens",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("public_id", sa.String(length=16), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("secret_sha256", sa.String(length=64), nullable=False),
        sa.Column("scopes", sa.String(length=500), nullable=False),
        sa.Column("created_at", payrecon.db.UtcDateTime(timezone=True), nullable=False),
        sa.Column("created_by", sa.String(length=200), nullable=False),
        sa.Column("expires_at", payrecon.db.UtcDateTime(timezone=True), nullable=True),
        sa.Column("revoked_at", payrecon.db.UtcDateTime(timezone=True), nullable=True),
        sa.Column("revoked_by", sa.String(length=200), nullable=True),
        sa.Column("last_used_at", payrecon.db.UtcDateTime(timezone=True), nullable=True),
        sa.Column("last_used_from", sa.String(length=45), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_api_tokens")),
        sa.UniqueConstraint("public_id", name=op.f("uq_api_tokens_public_id")),
    )
    op.create_table(
        "officers",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("username", sa.String(length=60), nullable=False),
        sa.Column("display_name", sa.String(length=200), nullable=False),
        sa.Column("role", sa.String(length=20), nullable=False),
        sa.Column("password_hash", sa.String(length=200), nullable=False),
        sa.Column("created_at", payrecon.db.UtcDateTime(timezone=True), nullable=False),
        sa.Column("disabled_at", payrecon.db.UtcDateTime(timezone=True), nullable=True),
        sa.Column("failed_logins", sa.Integer(), nullable=False),
        sa.Column("locked_until", payrecon.db.UtcDateTime(timezone=True), nullable=True),
        sa.Column("last_login_at", payrecon.db.UtcDateTime(timezone=True), nullable=True),
        sa.Column("last_login_from", sa.String(length=45), nullable=True),
        sa.CheckConstraint(
            "role IN ('officer', 'supervisor', 'auditor', 'admin')",
            name=op.f("ck_officers_role_known"),
        ),
        sa.CheckConstraint(
            "failed_logins >= 0", name=op.f("ck_officers_failed_logins_not_negative")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_officers")),
        sa.UniqueConstraint("username", name=op.f("uq_officers_username")),
    )


def downgrade() -> None:
    op.drop_table("officers")
    op.drop_table("api_tokens")
