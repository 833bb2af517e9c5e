"""Every table, imported in one place so Alembic and the tests see the whole schema."""

from payrecon.audit import AuditRecord
from payrecon.auth.models import ApiToken, Officer
from payrecon.catalog.models import Agency, CollectionAccount, Procedure
from payrecon.dossiers.models import Dossier
from payrecon.imports import ImportedFile

__all__ = [
    "Agency",
    "ApiToken",
    "AuditRecord",
    "CollectionAccount",
    "Dossier",
    "ImportedFile",
    "Officer",
    "Procedure",
]
