"""The reconciliation engine's front door: `reconcile(...)`, the steps in DESIGN.md order.

Pure: frames in, frames out; the same input (in any row order) gives the same output.

1. find payment references in the remittance text of every line (`extract`);
2. match credits to payments by reference and amount (`matching.match_by_reference`);
3. match credits to gateway settlement batches, net of fees (`matching.match_settlements`);
4. pair reversals with their credits, refunds with their debits (`debits`);
   then credits naming a cancelled dossier, an unknown dossier or an unknown reference
   become exceptions (`named`);
5. propose payments for the credits left, by amount and date (`proposals`);
6. classify the rest, and check payments against dossiers and invoices (`classify`).

Bank credits are the lines with direction C that are not reversals; reversals and debits take
part only in step 4. Money is conserved: every credit ends in exactly one match, one rank-1
proposal or one exception holding it; every payment whose money came in (succeeded,
refund_pending, refunded) ends in exactly one match, rank-1 proposal, exception holding it, or
the awaiting list (its money may still come).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import numpy as np
import pandas as pd
import pyarrow.compute as pc

from payrecon.reconciliation import classify as k
from payrecon.reconciliation.classify import (
    MONEY_RECEIVED_STATUSES,
    PAYING_STATUSES,
    Finding,
    dossier_findings,
    findings_frame,
    invoice_findings,
)
from payrecon.reconciliation.debits import local_dates, match_refunds, pair_reversals
from payrecon.reconciliation.extract import arrow_strings, find_references
from payrecon.reconciliation.frames import (
    AWAITING,
    BANK_LINES,
    DOSSIERS,
    INVOICES,
    PAYMENTS,
    PREVIOUS_RESOLUTIONS,
    REFUNDS,
    SETTLEMENTS,
    check_frame,
)
from payrecon.reconciliation.ids import among
from payrecon.reconciliation.matching import match_by_reference, match_settlements
from payrecon.reconciliation.named import (
    KNOWN_REFERENCES,
    classify_named_credits,
    empty_known_references,
)
from payrecon.reconciliation.proposals import propose
from payrecon.reconciliation.steps import StepResult, empty_matches

PROPOSABLE_STATUSES = ("pending", "expired", *MONEY_RECEIVED_STATUSES)


@dataclass(frozen=True)
class Settings:
    """The business date and the windows, in days, that the rules allow."""

    business_date: date
    vietqr_credit_days: int = 1  # a VietQR payment's credit shows by its paid date + this
    settlement_days: int = 2  # a VNPAY payment is in a settlement batch by its paid date + this
    settlement_credit_days: int = 2  # a batch's net reaches the bank by settlement date + this
    proposal_window_days: int = 3  # a credit may be booked this long after the payment's date
    refund_days: int = 3  # a succeeded refund shows as a debit by its request date + this
    proposal_alternatives: int = 2


@dataclass(frozen=True)
class ReconciliationResult:
    """Frames shaped as frames.MATCHES, PROPOSALS, EXCEPTIONS and AWAITING."""

    matches: pd.DataFrame
    proposals: pd.DataFrame
    exceptions: pd.DataFrame
    awaiting: pd.DataFrame


def reconcile(
    *,
    payments: pd.DataFrame,
    bank_lines: pd.DataFrame,
    settlements: pd.DataFrame,
    dossiers: pd.DataFrame,
    invoices: pd.DataFrame,
    refunds: pd.DataFrame,
    previous_resolutions: pd.DataFrame | None = None,
    known_references: pd.DataFrame | None = None,
    credit_references: pd.DataFrame | None = None,
    settings: Settings,
) -> ReconciliationResult:
    """Reconcile one business date; see the module docstring for the steps.

    `credit_references`: the references in the credits' texts, if the caller has found them
    already (`named.names_in_credits(bank_lines).found`); found here otherwise.
    """
    for frame, contract in (
        (payments, PAYMENTS),
        (bank_lines, BANK_LINES),
        (settlements, SETTLEMENTS),
        (dossiers, DOSSIERS),
        (invoices, INVOICES),
        (refunds, REFUNDS),
    ):
        check_frame(frame, contract)
    if previous_resolutions is not None:
        check_frame(previous_resolutions, PREVIOUS_RESOLUTIONS)
    if known_references is None:
        known_references = empty_known_references()
    check_frame(known_references, KNOWN_REFERENCES)

    payments = payments.assign(
        payment_date=local_dates(
            payments["paid_at"].where(payments["paid_at"].notna(), payments["created_at"])
        )
    )
    is_credit = bank_lines["direction"].eq("C")
    credits = bank_lines[is_credit & ~bank_lines["is_reversal"]]
    reversals = bank_lines[~is_credit & bank_lines["is_reversal"]]
    debits = bank_lines[~is_credit & ~bank_lines["is_reversal"]]
    found_credits = _references(credits) if credit_references is None else credit_references
    found_debits = _references(bank_lines[~is_credit])

    by_reference = match_by_reference(credits, found_credits, payments)
    credit_ids = credits["line_id"].to_numpy()
    taken_payments = by_reference.decided_payment_ids
    left = credits[~among(credit_ids, by_reference.decided_line_ids)]
    by_batch, unmatched_batches = match_settlements(
        left,
        settlements,
        payments,
        credit_days=settings.settlement_credit_days,
        taken_payment_ids=taken_payments,
    )
    _settled_by_gateway_wins(by_reference, by_batch)

    matched_so_far = pd.concat([by_reference.matches, by_batch.matches], ignore_index=True)
    # Credits not decided yet, as a mask over `credits`.
    open_credit = ~among(
        credit_ids,
        np.concatenate([by_reference.decided_line_ids, by_batch.decided_line_ids]),
    )
    by_reversal = pair_reversals(
        reversals,
        credits,
        pd.concat([found_credits, found_debits], ignore_index=True),
        matched_so_far,
        credit_ids[open_credit],
        payments,
    )
    by_refund = match_refunds(
        debits,
        found_debits,
        refunds,
        payments,
        business_date=settings.business_date,
        refund_days=settings.refund_days,
    )
    open_credit &= ~among(credit_ids, by_reversal.decided_line_ids)
    by_name = classify_named_credits(
        credits[open_credit],
        found_credits,
        payments,
        dossiers,
        known_references,
    )
    open_credit &= ~among(credit_ids, by_name.decided_line_ids)
    decided_payments = np.concatenate([taken_payments, by_batch.decided_payment_ids])

    candidates = payments[
        payments["method"].eq("vietqr").to_numpy()
        & payments["status"].isin(PROPOSABLE_STATUSES).to_numpy()
        & ~among(payments["payment_id"], decided_payments)
    ].assign(applicant_name=lambda f: _names_or_blank(f["dossier_code"], dossiers))
    proposals = propose(
        credits[open_credit],
        candidates,
        window_days=settings.proposal_window_days,
        alternatives=settings.proposal_alternatives,
    )
    assigned = proposals[proposals["rank"] == 1]
    open_credit &= ~among(credit_ids, assigned["line_id"].to_numpy())
    decided_payments = np.concatenate([decided_payments, assigned["payment_id"].to_numpy()])

    findings: list[Finding] = []
    for step in (by_reference, by_batch, by_reversal, by_refund, by_name):
        findings.extend(step.findings)
    findings.extend(_unmatched_credits(credits[open_credit], found_credits))
    missing, awaiting = _payments_without_credit(
        payments, decided_payments, settlements, unmatched_batches, settings
    )
    findings.extend(missing)

    matches = pd.concat([matched_so_far, by_reversal.matches, by_refund.matches], ignore_index=True)
    confirmed = matches.loc[matches["confirms_payment"], "payment_id"]
    paying = payments[
        payments["status"].isin(PAYING_STATUSES) | payments["payment_id"].isin(confirmed)
    ]
    findings.extend(dossier_findings(paying, dossiers))
    findings.extend(invoice_findings(paying, invoices))
    return ReconciliationResult(
        matches=_numbered(matches),
        proposals=proposals,
        exceptions=findings_frame(findings, previous_resolutions),
        awaiting=awaiting,
    )


def _names_or_blank(codes: pd.Series, dossiers: pd.DataFrame) -> pd.Series:
    """Applicant names of the dossiers `codes` name; '' for a dossier we do not have.

    Only the dossiers named are indexed: the candidates are a tenth of the night's payments.
    """
    wanted = pc.is_in(arrow_strings(dossiers["dossier_code"]), value_set=arrow_strings(codes))
    named = dossiers[wanted.to_numpy(zero_copy_only=False)]
    found = codes.map(named.set_index("dossier_code")["applicant_name"])
    return found.astype(object).where(found.notna(), "").astype("str")


def _references(lines: pd.DataFrame) -> pd.DataFrame:
    texts = lines.set_index("line_id")["remittance_text"]
    return find_references(texts).rename(columns={"key": "line_id"}).astype({"line_id": "int64"})


def _settled_by_gateway_wins(by_reference: StepResult, by_batch: StepResult) -> None:
    """A payment the gateway settled that a transfer also named: the transfer is the duplicate.

    The settlement report is the stronger evidence for a gateway payment, so the credits step 2
    gave it become duplicate payments (a refund is due) and the payment belongs to its batch.
    """
    batch_payments = by_batch.matches["payment_id"].to_numpy()
    batch_payments = batch_payments[batch_payments != 0]
    settled = set(batch_payments[among(batch_payments, by_reference.decided_payment_ids)].tolist())
    if not settled:
        return
    matches = by_reference.matches
    taken = matches[matches["payment_id"].isin(settled)]
    by_reference.matches = matches[~matches["payment_id"].isin(settled)]
    line_groups = [
        (int(row.payment_id), (int(row.line_id),), int(row.amount_vnd))
        for row in taken.itertuples(index=False)
    ]
    kept: list[Finding] = []
    for finding in by_reference.findings:
        payment_ids = set(finding.ids.get("payment", ()))
        if finding.kind == k.AMOUNT_MISMATCH and payment_ids & settled:
            lines = finding.unreconciled_line_ids
            line_groups.append(
                (next(iter(payment_ids)), lines, int(finding.evidence["received_vnd"]))
            )
        else:
            kept.append(finding)
    for payment_id, line_ids, amount in line_groups:
        kept.append(
            Finding(
                k.DUPLICATE_PAYMENT,
                amount,
                {"line": line_ids, "payment": (payment_id,)},
                {"reason": "settled_by_gateway_too", "refund_due_vnd": amount},
                unreconciled_line_ids=line_ids,
            )
        )
    by_reference.findings = kept


def _unmatched_credits(left: pd.DataFrame, found: pd.DataFrame) -> list[Finding]:
    """The credits `left` undecided: each an unmatched credit, with the references it names."""
    left = left.sort_values("line_id")
    named = found[among(found["line_id"], left["line_id"].to_numpy())]
    named = named.groupby("line_id")["reference"].agg(list)
    findings = []
    for row in left.itertuples(index=False):
        findings.append(
            Finding(
                k.UNMATCHED_CREDIT,
                int(row.amount_vnd),
                {"line": (row.line_id,)},
                {
                    "booking_date": row.booking_date,
                    "bank_reference": row.bank_reference,
                    "remittance_text": row.remittance_text,
                    "unknown_references": named.get(row.line_id, []),
                    "account_id": row.account_id,
                    "statement_id": row.statement_id,
                },
                unreconciled_line_ids=(int(row.line_id),),
            )
        )
    return findings


def _payments_without_credit(
    payments: pd.DataFrame,
    decided: np.ndarray,
    settlements: pd.DataFrame,
    unmatched_batches: pd.DataFrame,
    settings: Settings,
) -> tuple[list[Finding], pd.DataFrame]:
    """Paid payments with no credit: missing after their window, awaiting before it ends."""
    left = payments[
        payments["status"].isin(MONEY_RECEIVED_STATUSES).to_numpy()
        & ~among(payments["payment_id"], decided)
    ]
    batch_of = settlements.drop_duplicates("reference").set_index("reference")["batch_id"]
    batch_dates = unmatched_batches.set_index("batch_id")["settlement_date"]
    in_batch = left["reference"].map(batch_of).fillna(0).astype("int64")
    credit_days = pd.Timedelta(days=settings.settlement_credit_days)
    due = left["payment_date"] + pd.Timedelta(days=settings.vietqr_credit_days)
    is_vnpay = left["method"].eq("vnpay")
    unbatched_due = left["payment_date"] + pd.Timedelta(days=settings.settlement_days) + credit_days
    due = due.where(~is_vnpay, unbatched_due)
    batched = is_vnpay & in_batch.isin(batch_dates.index)
    batch_due = pd.Series(batch_dates.reindex(in_batch).to_numpy(), index=left.index)
    due = due.where(~batched, batch_due + credit_days)
    reason = pd.Series("bank_credit", index=left.index, dtype="str")
    reason = reason.where(~is_vnpay, "settlement_report").where(~batched, "batch_credit")
    late = due < pd.Timestamp(settings.business_date)
    findings = [
        Finding(
            k.MISSING_CREDIT,
            int(row.amount_vnd),
            {"payment": (row.payment_id,)},
            {
                "reference": row.reference,
                "method": row.method,
                "waiting_for": row.reason,
                "due_date": row.due,
                "batch_id": int(row.batch) or None,
            },
            unreconciled_payment_ids=(int(row.payment_id),),
        )
        for row in left.assign(due=due, reason=reason, batch=in_batch)[late]
        .sort_values("payment_id")
        .itertuples(index=False)
    ]
    awaiting = pd.DataFrame(
        {
            "payment_id": left.loc[~late, "payment_id"].astype("int64"),
            "reason": reason[~late].astype("str"),
            "due_date": due[~late].astype("datetime64[ns]"),
        }
    ).sort_values("payment_id", ignore_index=True)
    check_frame(awaiting, AWAITING)
    return findings, awaiting


def _numbered(matches: pd.DataFrame) -> pd.DataFrame:
    """Number matches 1, 2, ... by their first line id; a split groups by its payment."""
    if matches.empty:
        return empty_matches().assign(match_no=pd.Series(dtype="int64"))[
            ["match_no", *empty_matches().columns]
        ]
    split = matches["rule"].eq("reference_split").to_numpy()
    anchor = matches["line_id"].to_numpy().copy()
    if split.any():
        first_line = matches[split].groupby("payment_id")["line_id"].transform("min")
        anchor[split] = first_line.to_numpy()
    # Sorted by anchor, the match number is the count of distinct anchors so far: one sort,
    # where np.unique(return_inverse) and a sort by its numbers would take two.
    order = np.lexsort((matches["line_id"].to_numpy(), matches["payment_id"].to_numpy(), anchor))
    ordered_anchor = anchor[order]
    starts = np.concatenate([[True], ordered_anchor[1:] != ordered_anchor[:-1]])
    numbered = matches.iloc[order].assign(match_no=np.cumsum(starts, dtype=np.int64))
    columns = ["match_no", *[c for c in matches.columns]]
    return numbered[columns].reset_index(drop=True)
