"""Every table, imported in one place so Alembic and the tests see the whole schema."""

from payrecon.audit import AuditRecord
from payrecon.catalog.models import Agency, CollectionAccount, Procedure
from payrecon.dossiers.models import Dossier
from payrecon.imports import ImportedFile
from payrecon.invoices.models import Invoice, InvoiceChange, InvoiceSeries
from payrecon.outbox import OutboxEvent

__all__ = [
    "Agency",
    "AuditRecord",
    "CollectionAccount",
    "Dossier",
    "ImportedFile",
    "Invoice",
    "InvoiceChange",
    "InvoiceSeries",
    "OutboxEvent",
    "Procedure",
]
