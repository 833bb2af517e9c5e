"""jobs: the job-run history and the lease rows that keep runners apart

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-26
"""

import sqlalchemy as sa
from alembic import op

import payrecon.db

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "job_leases",
        sa.Column("job_name", sa.String(length=80), nullable=False),
        sa.Column("run_key", sa.String(length=40), nullable=False),
        sa.Column("holder", sa.String(length=300), nullable=False),
        sa.Column("acquired_at", payrecon.db.UtcDateTime(timezone=True), nullable=False),
        sa.Column("expires_at", payrecon.db.UtcDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("job_name", "run_key", name=op.f("pk_job_leases")),
    )
    op.create_table(
        "job_runs",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("job_name", sa.String(length=80), nullable=False),
        sa.Column("run_key", sa.String(length=40), nullable=False),
        sa.Column("business_date", sa.Date(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("is_forced", sa.Boolean(), nullable=False),
        sa.Column("started_at", payrecon.db.UtcDateTime(timezone=True), nullable=False),
        sa.Column("heartbeat_at", payrecon.db.UtcDateTime(timezone=True), nullable=False),
        sa.Column("finished_at", payrecon.db.UtcDateTime(timezone=True), nullable=True),
        sa.Column("summary", sa.Text(), nullable=True),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("host", sa.String(length=255), nullable=False),
        sa.Column("pid", sa.Integer(), nullable=False),
        sa.CheckConstraint(
            "status IN ('running', 'succeeded', 'failed', 'abandoned')",
            name=op.f("ck_job_runs_status_known"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_job_runs")),
    )
    with op.batch_alter_table("job_runs", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_job_runs_business_date"), ["business_date"], unique=False
        )
        batch_op.create_index("ix_job_runs_job_key", ["job_name", "run_key"], unique=False)
        batch_op.create_index("ix_job_runs_job_started", ["job_name", "started_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_job_runs_status"), ["status"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("job_runs", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_job_runs_status"))
        batch_op.drop_index("ix_job_runs_job_started")
        batch_op.drop_index("ix_job_runs_job_key")
        batch_op.drop_index(batch_op.f("ix_job_runs_business_date"))

    op.drop_table("job_runs")
    op.drop_table("job_leases")
