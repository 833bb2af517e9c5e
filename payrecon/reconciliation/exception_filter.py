"""What an exceptions queue may be narrowed by, checked once. Pure.

Amounts are compared in absolute value (a reversal's amount is negative; the officer asks
"how much money is at stake"), in whole VND. Dates are business dates of the runs, inclusive.
A filter that could match nothing by construction (min above max, end before start, an
unknown kind or status) is refused with InvalidInput naming the field, rather than answered
with an empty page that looks like "no exceptions".
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from payrecon.errors import N_, InvalidInput
from payrecon.reconciliation.classify import EXCEPTION_KINDS
from payrecon.reconciliation.models import EXCEPTION_STATUSES


@dataclass(frozen=True)
class ExceptionFilter:
    kind: str | None = None
    status: str | None = None  # None: open and resolved alike
    agency_code: str | None = None
    procedure_code: str | None = None
    date_from: date | None = None
    date_to: date | None = None
    min_vnd: int | None = None
    max_vnd: int | None = None
    run_id: int | None = None  # None: each exception's current row, whatever run found it

    def __post_init__(self) -> None:
        if self.kind is not None and self.kind not in EXCEPTION_KINDS:
            raise InvalidInput(
                N_("unknown exception kind %(kind)r"), where="kind", params={"kind": self.kind}
            )
        if self.status is not None and self.status not in EXCEPTION_STATUSES:
            raise InvalidInput(
                N_("status must be one of %(statuses)s"),
                where="status",
                params={"statuses": ", ".join(EXCEPTION_STATUSES)},
            )
        for name in ("min_vnd", "max_vnd"):
            value = getattr(self, name)
            if value is not None and (isinstance(value, bool) or not isinstance(value, int)):
                raise InvalidInput(
                    N_("%(name)s must be whole VND"), where=name, params={"name": name}
                )
            if value is not None and value < 0:
                raise InvalidInput(
                    N_("%(name)s cannot be negative"), where=name, params={"name": name}
                )
        if self.min_vnd is not None and self.max_vnd is not None and self.min_vnd > self.max_vnd:
            raise InvalidInput(N_("the smallest amount is above the largest"), where="max_vnd")
        if self.date_from and self.date_to and self.date_from > self.date_to:
            raise InvalidInput(N_("the end date is before the start date"), where="date_to")

    @property
    def narrows(self) -> bool:
        """Whether anything beyond the status is asked for."""
        return any(
            value is not None
            for value in (
                self.kind,
                self.agency_code,
                self.procedure_code,
                self.date_from,
                self.date_to,
                self.min_vnd,
                self.max_vnd,
                self.run_id,
            )
        )
