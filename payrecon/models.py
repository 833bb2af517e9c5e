"""Every table, imported in one place so Alembic and the tests see the whole schema."""

from payrecon.audit import AuditRecord
from payrecon.catalog.models import Agency, CollectionAccount, Procedure
from payrecon.dossiers.models import Dossier
from payrecon.imports import ImportedFile
from payrecon.outbox import OutboxEvent
from payrecon.statements.models import (
    BankStatement,
    SettlementBatch,
    SettlementLine,
    StatementLine,
)

__all__ = [
    "Agency",
    "AuditRecord",
    "BankStatement",
    "CollectionAccount",
    "Dossier",
    "ImportedFile",
    "OutboxEvent",
    "Procedure",
    "SettlementBatch",
    "SettlementLine",
    "StatementLine",
]
