"""The registered jobs' functions: each (session, business_date) -> summary, over a service.

Each one is a thin adapter. It reads what the service needs from the app config (the runner
runs jobs inside an app context), calls the service, and turns its result into the one-line
summary the run row keeps. A service's own error is left to propagate: the runner records it
as a failed run. Services are imported inside the functions so that `payrecon --help` does
not load lxml, the signing stack and the HTTP client.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

from flask import current_app

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

INBOX_SETTING = "STATEMENTS_INBOX"
INBOX_ACTOR = "job:import-statements-inbox"


class OutboxBacklog(RuntimeError):
    """Some outbox events failed this time; they stay queued and are retried next run."""


def issue_invoices(session: Session, business_date: date) -> str:
    """invoices.service.issue_pending_invoices with the configured signing pair.

    No signing pair configured fails the run (SigningNotConfigured). Events whose handling
    failed are retried by the next run; this run is then recorded as failed, naming them.
    """
    from payrecon.invoices.service import issue_pending_invoices

    result = issue_pending_invoices(session, business_date)
    if result.issue_failures or result.refund_failures:
        raise OutboxBacklog(
            f"{result.summary()}; the failed events keep their place and their last error "
            "(outbox_events.last_error) and are retried on the next run"
        )
    return result.summary()


def statements_inbox() -> Path:
    """PAYRECON_STATEMENTS_INBOX, or <instance folder>/inbox (created if missing).

    A configured folder is never created: a mistyped path fails the run rather than
    silently collecting nothing.
    """
    configured = current_app.config.get(INBOX_SETTING)
    if configured:
        return Path(configured)
    default = Path(current_app.instance_path) / "inbox"
    default.mkdir(parents=True, exist_ok=True)
    return default


def import_statements_inbox(session: Session, business_date: date) -> str:
    """statements.service.import_statements_inbox over the configured inbox folder.

    The business date plays no part: a file is imported when it arrives.
    """
    from payrecon.statements.service import import_statements_inbox as import_inbox

    del business_date
    return import_inbox(session, statements_inbox(), actor=INBOX_ACTOR).summary()


def expire_payments(session: Session, business_date: date) -> str:
    """payments.service.expire_pending_payments."""
    from payrecon.payments.service import expire_pending_payments

    return expire_pending_payments(session, business_date)


def vnpay_mop_up(session: Session, business_date: date) -> str:
    """payments.service.settle_stale_vnpay_payments with the app's payment settings."""
    from payrecon.payments.service import settle_stale_vnpay_payments
    from payrecon.payments.settings import PaymentSettings

    settings = PaymentSettings.from_config(current_app.config)
    return settle_stale_vnpay_payments(session, business_date, settings=settings)


def purge_idempotency_keys(session: Session, business_date: date) -> str:
    """payments.service.purge_idempotency_keys (keys older than 24 hours)."""
    from payrecon.payments.service import purge_idempotency_keys as purge

    return purge(session, business_date)
