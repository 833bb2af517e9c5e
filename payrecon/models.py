"""Every table, imported in one place so Alembic and the tests see the whole schema.

One import per module that defines tables; nothing else belongs here.
"""

import payrecon.audit
import payrecon.auth.models
import payrecon.catalog.models
import payrecon.dossiers.models
import payrecon.imports
import payrecon.invoices.models
import payrecon.jobruns.models
import payrecon.outbox
import payrecon.payments.models
import payrecon.reconciliation.models
import payrecon.statements.models  # noqa: F401
