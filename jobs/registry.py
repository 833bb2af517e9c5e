"""Every job payrecon runs on a timer: name -> JobSpec (service function + timing).

A job function takes (session, business_date) and returns a one-line summary. It does its
own commits (it is a service function), is idempotent for its date, and can be re-run for
any date. Add real jobs to JOBS below, e.g.

    from payrecon.reconciliation.service import run_reconciliation_job
    JOBS["reconcile"] = JobSpec(run_reconciliation_job, Nightly("01:30"), "nightly reconciliation")

Nothing else needs to change: `payrecon jobs list / run / run-once` and the scheduler read JOBS.
The functions registered here are the adapters in `jobs.tasks` (settings from the app config,
a summary string from the service's result); the work is in the services they name.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING

from jobs import tasks
from jobs.timing import Every, Nightly, Timing
from payrecon.errors import NotFound

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

JobFunction = Callable[["Session", date], object]


@dataclass(frozen=True)
class JobSpec:
    function: JobFunction
    timing: Timing
    description: str

    @property
    def is_nightly(self) -> bool:
        return isinstance(self.timing, Nightly)


JOBS: dict[str, JobSpec] = {
    "issue-invoices": JobSpec(
        tasks.issue_invoices,
        Every(1),
        "issue the e-invoices of paid fees and follow refunds (drains the outbox)",
    ),
    "import-statements-inbox": JobSpec(
        tasks.import_statements_inbox,
        Every(5),
        "import statement and settlement files dropped into PAYRECON_STATEMENTS_INBOX",
    ),
    "expire-payments": JobSpec(
        tasks.expire_payments,
        Every(5),
        "expire pending payments whose time to pay ran out",
    ),
    "vnpay-mop-up": JobSpec(
        tasks.vnpay_mop_up,
        Every(15),
        "ask VNPAY (querydr) about card payments it never told us the end of",
    ),
    "purge-idempotency-keys": JobSpec(
        tasks.purge_idempotency_keys,
        Nightly("00:30"),
        "delete Idempotency-Key answers older than 24 hours",
    ),
}


def _reconcile(session: Session, business_date: date) -> object:
    from payrecon.reconciliation.service import run_reconciliation_job

    return run_reconciliation_job(session, business_date)


JOBS["reconcile"] = JobSpec(
    _reconcile, Nightly("01:30", days_back=1), "nightly reconciliation and its reports"
)

__all__ = ["JOBS", "Every", "JobFunction", "JobSpec", "Nightly", "get_job"]


def get_job(name: str, jobs: dict[str, JobSpec] | None = None) -> JobSpec:
    """The spec of job `name`; NotFound listing the known names otherwise."""
    table = JOBS if jobs is None else jobs
    try:
        return table[name]
    except KeyError:
        known = ", ".join(sorted(table)) or "none registered"
        raise NotFound(f"no job named {name!r} (known: {known})", where="NAME") from None
