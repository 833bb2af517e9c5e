"""Words for what a bank statement's checks found (statements.balances), on the officer pages.

A finding is stored as a dict: kind, where, detail (English, for the CLI and the API),
expected and actual. Officers read the kind in words and the two numbers; the English detail
stays as the tooltip for whoever needs the arithmetic.
"""

from __future__ import annotations

from collections.abc import Mapping

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from payrecon.money import format_vnd

STATEMENT_FINDING = {
    "no_balances": _l("No opening and closing balance: the statement cannot be checked"),
    "currency_mismatch": _l("Balances and entries are in several currencies"),
    "balance_mismatch": _l("Opening balance plus entries is not the closing balance"),
    "continuity_break": _l("Does not open where the previous statement closed"),
    "batch_total_mismatch": _l("A batch's transactions do not add up to the batch"),
    "batch_count_mismatch": _l("A batch lists another number of transactions than it says"),
}
# expected/actual are money (minor units of the statement's currency: VND has none smaller)
MONEY_KINDS = frozenset({"balance_mismatch", "continuity_break", "batch_total_mismatch"})


def finding_text(finding: Mapping[str, object]) -> str:
    """The finding in the officer's language, with what was expected and what was found."""
    kind = str(finding.get("kind") or "")
    label = str(STATEMENT_FINDING.get(kind, kind))
    expected, actual = finding.get("expected"), finding.get("actual")
    if expected is None and actual is None:
        return label

    def shown(value: object) -> str:
        if not isinstance(value, int):
            return "—"
        return format_vnd(value) if kind in MONEY_KINDS else str(value)

    return _(
        "%(finding)s (expected %(expected)s, found %(actual)s)",
        finding=label,
        expected=shown(expected),
        actual=shown(actual),
    )
