"""Exception kinds, their fingerprints and evidence, and the checks that need no bank line.

Pure: plain values and pandas. A `Finding` is one exception before it becomes a row of the
exceptions frame. Its fingerprint is the kind plus the ids involved, in a fixed spelling, so the
same situation on a re-run gets the same fingerprint and keeps an officer's resolution; a new
id (another credit for the same payment, say) is a new situation and a new fingerprint.

`unreconciled_line_ids` / `unreconciled_payment_ids` say whose money the exception holds: every
bank credit and every paid payment ends in exactly one of a match, a proposal, an exception
holding it, or (payments only) the awaiting list. Findings about money already matched (a fee
that differs from the dossier's, a missing invoice) hold nothing and only point at the ids.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from payrecon.reconciliation.frames import EXCEPTIONS

UNMATCHED_CREDIT = "unmatched_credit"
MISSING_CREDIT = "missing_credit"
AMOUNT_MISMATCH = "amount_mismatch"
DUPLICATE_PAYMENT = "duplicate_payment"
UNKNOWN_DOSSIER = "unknown_dossier"
CANCELLED_DOSSIER = "cancelled_dossier"
FEE_MISMATCH = "fee_mismatch"
PAID_WITHOUT_PAYMENT = "paid_without_payment"
PAID_WITHOUT_INVOICE = "paid_without_invoice"
INVOICE_WITHOUT_PAYMENT = "invoice_without_payment"
REFUND_NOT_REFLECTED = "refund_not_reflected"
REVERSAL_OF_MATCHED = "reversal_of_matched"
SETTLEMENT_MISMATCH = "settlement_mismatch"

EXCEPTION_KINDS = (
    UNMATCHED_CREDIT,
    MISSING_CREDIT,
    AMOUNT_MISMATCH,
    DUPLICATE_PAYMENT,
    UNKNOWN_DOSSIER,
    CANCELLED_DOSSIER,
    FEE_MISMATCH,
    PAID_WITHOUT_PAYMENT,
    PAID_WITHOUT_INVOICE,
    INVOICE_WITHOUT_PAYMENT,
    REFUND_NOT_REFLECTED,
    REVERSAL_OF_MATCHED,
    SETTLEMENT_MISMATCH,
)

# Payments whose money came in: they need a bank credit (or a settlement batch) and a dossier.
MONEY_RECEIVED_STATUSES = ("succeeded", "refund_pending", "refunded")
# ...and those still counted as paying the fee (a refunded payment no longer does).
PAYING_STATUSES = ("succeeded", "refund_pending")
LIVE_INVOICE_STATUSES = ("issued", "adjusted")

_ID_ORDER = ("line", "payment", "batch", "refund", "invoice", "dossier")


@dataclass(frozen=True)
class Finding:
    """One exception: kind, money at stake, the ids it is about, and what it holds."""

    kind: str
    amount_vnd: int
    ids: Mapping[str, tuple[int | str, ...]]
    evidence: Mapping[str, object] = field(default_factory=dict)
    unreconciled_line_ids: tuple[int, ...] = ()
    unreconciled_payment_ids: tuple[int, ...] = ()

    @property
    def fingerprint(self) -> str:
        return fingerprint(self.kind, self.ids)


def fingerprint(kind: str, ids: Mapping[str, tuple[int | str, ...]]) -> str:
    """'amount_mismatch|line=5,9|payment=12': the kind and its ids, sorted, in a fixed order."""
    if kind not in EXCEPTION_KINDS:
        raise ValueError(f"unknown exception kind {kind!r}")
    unknown = set(ids) - set(_ID_ORDER)
    if unknown:
        raise ValueError(f"unknown id name(s) {sorted(unknown)} for a fingerprint")
    parts = [kind]
    for name in _ID_ORDER:
        values = ids.get(name, ())
        if values:
            parts.append(f"{name}=" + ",".join(str(v) for v in sorted(values)))
    return "|".join(parts)


def plain(value: object) -> object:
    """numpy and pandas scalars as JSON-friendly Python values (dates as ISO text)."""
    if isinstance(value, np.integer):
        return int(value)
    if isinstance(value, np.bool_):
        return bool(value)
    if isinstance(value, pd.Timestamp):
        return value.date().isoformat() if value.tz is None else value.isoformat()
    if isinstance(value, tuple | list):
        return [plain(item) for item in value]
    return value


def findings_frame(
    findings: list[Finding], previous_resolutions: pd.DataFrame | None = None
) -> pd.DataFrame:
    """The exceptions frame: one row per finding, sorted by kind then fingerprint."""
    fingerprints = [finding.fingerprint for finding in findings]
    if len(set(fingerprints)) != len(fingerprints):
        seen: set[str] = set()
        twice = next(fp for fp in fingerprints if fp in seen or seen.add(fp))
        raise AssertionError(f"two exceptions share the fingerprint {twice}")
    rows = []
    for finding, print_ in zip(findings, fingerprints, strict=True):
        evidence = {f"{name}_ids": list(plain(v)) for name, v in finding.ids.items() if v}
        evidence.update({key: plain(value) for key, value in finding.evidence.items()})
        rows.append(
            {
                "kind": finding.kind,
                "fingerprint": print_,
                "amount_vnd": int(finding.amount_vnd),
                "unreconciled_line_ids": tuple(int(i) for i in finding.unreconciled_line_ids),
                "unreconciled_payment_ids": tuple(int(i) for i in finding.unreconciled_payment_ids),
                "evidence": evidence,
            }
        )
    frame = pd.DataFrame(rows, columns=EXCEPTIONS.column_names[:-1])
    frame = frame.astype({"kind": "str", "fingerprint": "str", "amount_vnd": "int64"})
    for column in ("unreconciled_line_ids", "unreconciled_payment_ids", "evidence"):
        frame[column] = frame[column].astype(object)
    resolutions: dict[str, str] = {}
    if previous_resolutions is not None and len(previous_resolutions):
        resolutions = dict(
            zip(
                previous_resolutions["fingerprint"], previous_resolutions["resolution"], strict=True
            )
        )
    frame["resolution"] = pd.Series(
        [resolutions.get(fp) for fp in frame["fingerprint"]], dtype="str", index=frame.index
    )
    frame = frame.sort_values(["kind", "fingerprint"], kind="stable", ignore_index=True)
    return frame


def dossier_findings(paying: pd.DataFrame, dossiers: pd.DataFrame) -> list[Finding]:
    """Payments against dossiers: unknown or cancelled dossier, fee differs, paid twice, or a
    dossier the feed marks paid with no paying payment.

    `paying` holds payment_id, dossier_code, amount_vnd, refunded_vnd, status, for every
    payment whose money counts (a succeeded or refund-pending one, or one a bank credit has
    just confirmed). Refunded amounts are netted before comparing with the fee.
    """
    findings: list[Finding] = []
    # Dossier codes as positions in `dossiers` once (its codes are unique): a million string
    # lookups would dominate otherwise. -1: a dossier we do not have.
    position = pd.Index(dossiers["dossier_code"]).get_indexer(paying["dossier_code"])
    codes = dossiers["dossier_code"].to_numpy()
    is_cancelled = dossiers["status"].eq("cancelled").to_numpy()
    fee_due = dossiers["fee_due_vnd"].to_numpy()

    known = position >= 0
    for row in paying[~known].itertuples(index=False):
        findings.append(
            Finding(
                UNKNOWN_DOSSIER,
                int(row.amount_vnd),
                {"payment": (row.payment_id,), "dossier": (row.dossier_code,)},
                {"payment_status": row.status},
            )
        )
    net = (paying["amount_vnd"] - paying["refunded_vnd"]).to_numpy()
    cancelled = known.copy()
    cancelled[known] = is_cancelled[position[known]]
    for row in paying[cancelled].assign(net_vnd=net[cancelled]).itertuples(index=False):
        findings.append(
            Finding(
                CANCELLED_DOSSIER,
                int(row.net_vnd),
                {"payment": (row.payment_id,), "dossier": (row.dossier_code,)},
                {"refund_due_vnd": int(row.net_vnd)},
            )
        )
    live = known & ~cancelled
    live_number = position[live]
    paid = pd.Series(net[live]).groupby(live_number).sum()
    counts = pd.Series(np.ones(len(live_number), dtype=np.int64)).groupby(live_number).sum()
    off_numbers = paid.index[paid.to_numpy() != fee_due[paid.index]]
    if len(off_numbers):
        live_rows = paying[live]
        is_off = np.isin(live_number, off_numbers)
        ids_by_number = (
            pd.Series(live_rows["payment_id"].to_numpy()[is_off])
            .groupby(live_number[is_off])
            .agg(lambda ids: tuple(sorted(int(i) for i in ids)))
        )
        for number in sorted(off_numbers, key=lambda n: codes[n]):
            code = codes[number]
            difference = int(paid[number] - fee_due[number])
            twice = counts[number] >= 2 and difference > 0
            findings.append(
                Finding(
                    DUPLICATE_PAYMENT if twice else FEE_MISMATCH,
                    difference,
                    {"payment": ids_by_number[number], "dossier": (code,)},
                    {
                        "paid_vnd": int(paid[number]),
                        "fee_due_vnd": int(fee_due[number]),
                        "reason": "dossier_paid_twice" if twice else "fee_differs",
                    },
                )
            )
    has_paying = np.zeros(len(codes), dtype=bool)
    has_paying[position[known]] = True
    marked = dossiers[dossiers["marked_paid"].to_numpy() & ~has_paying]
    for row in marked.itertuples(index=False):
        findings.append(
            Finding(
                PAID_WITHOUT_PAYMENT,
                int(row.fee_due_vnd),
                {"dossier": (row.dossier_code,)},
                {"dossier_status": row.status},
            )
        )
    return findings


def invoice_findings(paying: pd.DataFrame, invoices: pd.DataFrame) -> list[Finding]:
    """A paying payment with no live invoice, and a live invoice with no paying payment."""
    live = invoices[invoices["status"].isin(LIVE_INVOICE_STATUSES)]
    findings: list[Finding] = []
    without_invoice = paying[~paying["payment_id"].isin(live["payment_id"])]
    for row in without_invoice.itertuples(index=False):
        findings.append(
            Finding(
                PAID_WITHOUT_INVOICE,
                int(row.amount_vnd - row.refunded_vnd),
                {"payment": (row.payment_id,), "dossier": (row.dossier_code,)},
            )
        )
    orphan = live[~live["payment_id"].isin(paying["payment_id"])]
    for row in orphan.itertuples(index=False):
        findings.append(
            Finding(
                INVOICE_WITHOUT_PAYMENT,
                int(row.total_vnd),
                {"invoice": (row.invoice_id,), "payment": (row.payment_id,)},
                {"invoice_status": row.status},
            )
        )
    return findings
