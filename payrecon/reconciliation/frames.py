"""The frames the reconciliation engine reads and writes: column contracts and their validator.

Pure: pandas only. Each contract documents its columns; `check_frame` refuses a frame with a
missing column, a wrong dtype, a value outside its vocabulary or a repeated id, naming
`<frame>.<column>` in `where`, so a loader bug surfaces as a clear error, not as a silent
mismatch. Extra columns are allowed and ignored.

Dtype decisions:
- money and ids are numpy ``int64``, never float, never the nullable ``Int64``; an absent id is
  the sentinel ``0`` (`NO_ID`) because every surrogate key is positive;
- text is a pandas string dtype (the pyarrow-backed ``str`` is fastest; ``object`` holding only
  strings is accepted); "no text" is ``""`` where a column allows it, never NaN;
- calendar dates (``kind="date"``: booking, value and settlement dates) are naive ``datetime64``
  at midnight, read as dates in Vietnam, the way banks and the gateway print them;
- moments (``kind="timestamp"``: paid_at, created_at, requested_at) are tz-aware ``datetime64``;
  the engine turns them into Vietnam calendar dates itself. ``NaT`` only where nullable.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd

from payrecon.errors import InvalidInput
from payrecon.reconciliation.ids import surely_unique

NO_ID = 0
LOCAL_TIMEZONE = "Asia/Ho_Chi_Minh"

PAYMENT_METHODS = ("vietqr", "vnpay")
PAYMENT_STATUSES = (
    "pending",
    "succeeded",
    "refund_pending",
    "refunded",
    "failed",
    "expired",
    "cancelled",
)
DOSSIER_STATUSES = ("received", "processing", "done", "returned", "cancelled")
INVOICE_STATUSES = ("issued", "cancelled", "replaced", "adjusted")
REFUND_STATUSES = ("pending", "succeeded", "failed")
DIRECTIONS = ("C", "D")

KINDS = ("int64", "str", "bool", "date", "timestamp", "float64", "object")


@dataclass(frozen=True)
class Column:
    """One column: its name, kind (see KINDS), meaning, and what values it may hold."""

    name: str
    kind: str
    doc: str
    nullable: bool = False  # only for str (NA) and timestamp (NaT)
    choices: tuple[str, ...] = ()
    unique: bool = False


@dataclass(frozen=True)
class FrameContract:
    """A named list of columns; `check_frame` holds a DataFrame to it."""

    name: str
    doc: str
    columns: tuple[Column, ...]

    @property
    def column_names(self) -> list[str]:
        return [column.name for column in self.columns]


PAYMENTS = FrameContract(
    "payments",
    "Payment attempts in the window, whatever their status.",
    (
        Column("payment_id", "int64", "surrogate key", unique=True),
        Column("reference", "str", "our payment reference, e.g. PR7K3MABCDW", unique=True),
        Column("dossier_code", "str", "the dossier the fee is for"),
        Column("method", "str", "how the citizen pays", choices=PAYMENT_METHODS),
        Column("status", "str", "payment state", choices=PAYMENT_STATUSES),
        Column("amount_vnd", "int64", "amount asked and paid"),
        Column("refunded_vnd", "int64", "refunded so far (succeeded refunds)"),
        Column("paid_at", "timestamp", "when it succeeded; NaT if it never did", nullable=True),
        Column("created_at", "timestamp", "when the attempt was made"),
        Column("settlement_batch_id", "int64", "VNPAY batch the gateway put it in; 0 = none yet"),
    ),
)

BANK_LINES = FrameContract(
    "bank_lines",
    "Statement lines that carry money: for a batched entry whose details are known, the detail "
    "rows (sharing batch_key), not the entry total, so nothing is counted twice.",
    (
        Column("line_id", "int64", "surrogate key", unique=True),
        Column("account_id", "int64", "our collection account"),
        Column("booking_date", "date", "date the bank booked it"),
        Column("value_date", "date", "value date"),
        Column("amount_vnd", "int64", "signed: credit > 0, debit < 0, never 0"),
        Column("direction", "str", "C credit, D debit; agrees with the sign", choices=DIRECTIONS),
        Column("is_reversal", "bool", "this line takes back an earlier line of the other side"),
        Column("bank_reference", "str", "the bank's own reference; '' if none"),
        Column("remittance_text", "str", "transfer content as delivered; '' if none"),
        Column("batch_key", "str", "shared by the detail rows of one batched entry; '' if none"),
        Column("statement_id", "int64", "the imported statement"),
    ),
)

SETTLEMENTS = FrameContract(
    "settlements",
    "Gateway settlement report rows, one per payment; a batch's net total is one bank credit.",
    (
        Column("batch_id", "int64", "surrogate key of the settlement batch"),
        Column("batch_reference", "str", "the gateway's batch code, as it appears in bank text"),
        Column("settlement_date", "date", "date the gateway paid the batch out"),
        Column("reference", "str", "our payment reference (vnp_TxnRef)"),
        Column("gross_vnd", "int64", "amount the citizen paid"),
        Column("fee_vnd", "int64", "gateway fee withheld"),
        Column("net_vnd", "int64", "gross_vnd - fee_vnd"),
    ),
)

DOSSIERS = FrameContract(
    "dossiers",
    "Dossiers the payments in the window are for.",
    (
        Column("dossier_code", "str", "key", unique=True),
        Column("status", "str", "dossier state", choices=DOSSIER_STATUSES),
        Column("fee_due_vnd", "int64", "fee the citizen owes"),
        Column("marked_paid", "bool", "the dossier feed says the fee is paid"),
        Column("applicant_name", "str", "for ranking proposals by name; '' if unknown"),
    ),
)

INVOICES = FrameContract(
    "invoices",
    "E-invoices for payments in the window.",
    (
        Column("invoice_id", "int64", "surrogate key", unique=True),
        Column("payment_id", "int64", "the payment it is for"),
        Column("status", "str", "invoice state", choices=INVOICE_STATUSES),
        Column("total_vnd", "int64", "invoice total"),
    ),
)

REFUNDS = FrameContract(
    "refunds",
    "Refunds of payments in the window; a succeeded one should show as a bank debit.",
    (
        Column("refund_id", "int64", "surrogate key", unique=True),
        Column("payment_id", "int64", "the payment refunded"),
        Column("amount_vnd", "int64", "amount sent back"),
        Column("status", "str", "refund state", choices=REFUND_STATUSES),
        Column("requested_at", "timestamp", "when the refund was asked for"),
    ),
)

PREVIOUS_RESOLUTIONS = FrameContract(
    "previous_resolutions",
    "What officers decided about exceptions in earlier runs, by fingerprint.",
    (
        Column("fingerprint", "str", "exception fingerprint", unique=True),
        Column("resolution", "str", "the officer's decision, e.g. 'refunded', 'accepted'"),
    ),
)

MATCHES = FrameContract(
    "matches",
    "One row per payment (or per line for payment-less pairs) in a match; match_no groups them.",
    (
        Column("match_no", "int64", "1, 2, ... in output order"),
        Column("rule", "str", "the rule that made it"),
        Column("payment_id", "int64", "0 for a credit paired with its reversal"),
        Column("line_id", "int64", "the bank line that carried the money"),
        Column("paired_line_id", "int64", "the reversal line (rule reversal_pair), else 0"),
        Column("batch_id", "int64", "settlement batch (rule settlement_*), else 0"),
        Column("refund_id", "int64", "refund (rule refund_debit), else 0"),
        Column("amount_vnd", "int64", "money this row accounts for (gross for batches)"),
        Column("fee_vnd", "int64", "gateway fee withheld, else 0"),
        Column("confidence", "float64", "1.0 for a reference match, lower for amount + date"),
        Column("confirms_payment", "bool", "the payment was not yet succeeded: the bank says paid"),
    ),
)

PROPOSALS = FrameContract(
    "proposals",
    "Candidate payments for unmatched credits, by amount and date; rank 1 is the assignment.",
    (
        Column("line_id", "int64", "the unmatched credit"),
        Column("rank", "int64", "1 = assigned to this line; 2.. = free alternatives"),
        Column("payment_id", "int64", "the candidate"),
        Column("amount_vnd", "int64", "the credit's amount (equal to the payment's)"),
        Column("day_distance", "int64", "booking date minus payment date, in days"),
        Column("name_similarity", "float64", "share of the applicant's name found in the text"),
        Column("confidence", "float64", "0..1, below any reference match"),
        Column("is_near_tie", "bool", "another candidate ranks the same: look closely"),
    ),
)

EXCEPTIONS = FrameContract(
    "exceptions",
    "What needs an officer: one row per exception, sorted by kind and fingerprint.",
    (
        Column("kind", "str", "exception code"),
        Column("fingerprint", "str", "kind and the ids involved: stable across runs", unique=True),
        Column("amount_vnd", "int64", "the money at stake (signed differences where noted)"),
        Column("unreconciled_line_ids", "object", "tuple of credits this leaves unreconciled"),
        Column("unreconciled_payment_ids", "object", "tuple of payments this leaves unreconciled"),
        Column("evidence", "object", "dict of the ids, amounts and dates involved"),
        Column("resolution", "str", "an officer's earlier decision, NA if none", nullable=True),
    ),
)

AWAITING = FrameContract(
    "awaiting",
    "Payments whose money may still come: not an exception yet (the EXPECTED state).",
    (
        Column("payment_id", "int64", "the payment", unique=True),
        Column("reason", "str", "what we wait for"),
        Column("due_date", "date", "after this date it becomes missing_credit"),
    ),
)

INPUT_CONTRACTS = (PAYMENTS, BANK_LINES, SETTLEMENTS, DOSSIERS, INVOICES, REFUNDS)


def is_in(values: pd.Series, allowed: pd.Series | pd.Index) -> pd.Series:
    """`values.isin(allowed)`, fast for large sets of strings too.

    pandas' pyarrow-backed string `isin` turns every allowed value into a Python object first,
    which costs seconds for a million codes; factorising both sides together does not.
    """
    if not pd.api.types.is_string_dtype(values.dtype) or len(allowed) < 64:
        return values.isin(allowed)
    both = pd.concat([pd.Series(allowed, dtype="str"), values.astype("str")], ignore_index=True)
    codes, uniques = pd.factorize(both)
    present = np.zeros(len(uniques) + 1, dtype=bool)
    present[codes[: len(allowed)]] = True
    return pd.Series(present[codes[len(allowed) :]], index=values.index)


def check_frame(frame: pd.DataFrame, contract: FrameContract) -> None:
    """Raise InvalidInput naming `<frame>.<column>` if `frame` breaks `contract`."""
    missing = [name for name in contract.column_names if name not in frame.columns]
    if missing:
        raise InvalidInput(
            f"{contract.name} lacks column(s) {', '.join(missing)}", where=contract.name
        )
    for column in contract.columns:
        _check_column(frame[column.name], column, f"{contract.name}.{column.name}")
    if contract is BANK_LINES:
        _check_signs(frame)
    elif contract is SETTLEMENTS:
        _check_net(frame)


def _check_signs(lines: pd.DataFrame) -> None:
    wrong = lines[(lines["amount_vnd"] > 0) != (lines["direction"] == "C")]
    wrong = pd.concat([wrong, lines[lines["amount_vnd"] == 0]])
    if len(wrong):
        row = wrong.iloc[0]
        raise InvalidInput(
            f"bank_lines.amount_vnd of line {_shown(row['line_id'])} is "
            f"{_shown(row['amount_vnd'])} with direction {row['direction']}: "
            "credits are positive, debits negative, none zero",
            where="bank_lines.amount_vnd",
        )


def _check_net(settlements: pd.DataFrame) -> None:
    repeated = settlements["reference"][settlements["reference"].duplicated()]
    if len(repeated):
        raise InvalidInput(
            f"settlements.reference {repeated.iloc[0]!r} is settled twice",
            where="settlements.reference",
        )
    per_batch = settlements.groupby("batch_id")[["batch_reference", "settlement_date"]].nunique()
    if (per_batch > 1).any(axis=None):
        batch_id = per_batch.index[(per_batch > 1).any(axis=1)][0]
        raise InvalidInput(
            f"settlements batch {_shown(batch_id)} has more than one batch_reference "
            "or settlement_date",
            where="settlements.batch_id",
        )
    wrong = settlements[settlements["net_vnd"] != settlements["gross_vnd"] - settlements["fee_vnd"]]
    if len(wrong):
        row = wrong.iloc[0]
        raise InvalidInput(
            f"settlements.net_vnd of {row['reference']} in batch {_shown(row['batch_id'])} is "
            f"{_shown(row['net_vnd'])}, not gross {_shown(row['gross_vnd'])} "
            f"- fee {_shown(row['fee_vnd'])}",
            where="settlements.net_vnd",
        )


def _check_column(values: pd.Series, column: Column, where: str) -> None:
    problem = _dtype_problem(values, column)
    if problem:
        raise InvalidInput(f"{where} {problem}", where=where)
    if not column.nullable and column.kind in ("str", "timestamp", "date") and values.isna().any():
        first = _shown(values.index[values.isna()][0])
        raise InvalidInput(f"{where} is empty at row {first}; it may not be", where=where)
    if column.choices:
        bad = values[values.notna() & ~values.isin(column.choices)]
        if len(bad):
            raise InvalidInput(
                f"{where} has {_shown(bad.iloc[0])!r} at row {_shown(bad.index[0])}; "
                f"expected one of {', '.join(column.choices)}",
                where=where,
            )
    if column.unique and not surely_unique(values) and values.duplicated().any():
        repeated = _shown(values[values.duplicated()].iloc[0])
        raise InvalidInput(f"{where} repeats {repeated!r}; it must be unique", where=where)
    if column.kind == "date" and len(values) and (values != values.dt.normalize()).any():
        raise InvalidInput(f"{where} holds a time of day; it must be a calendar date", where=where)


def _shown(value: object) -> object:
    """numpy scalars as plain Python values, so messages read '1', not 'np.int64(1)'."""
    item = getattr(value, "item", None)
    return item() if callable(item) else value


def _dtype_problem(values: pd.Series, column: Column) -> str | None:
    dtype = values.dtype
    kind = column.kind
    if kind in ("int64", "float64", "bool"):
        ok = str(dtype) == kind
    elif kind == "str":
        ok = pd.api.types.is_string_dtype(dtype)
    elif kind == "date":
        ok = pd.api.types.is_datetime64_dtype(dtype) and getattr(dtype, "tz", None) is None
    elif kind == "timestamp":
        ok = isinstance(dtype, pd.DatetimeTZDtype)
    else:  # object
        ok = pd.api.types.is_object_dtype(dtype)
    if ok:
        return None
    wanted = {
        "str": "a string dtype",
        "date": "naive datetime64 (calendar dates)",
        "timestamp": "tz-aware datetime64",
    }.get(kind, kind)
    return f"must be {wanted}, got {dtype}"


def frame_from_records(
    contract: FrameContract, records: Iterable[Mapping[str, object]]
) -> pd.DataFrame:
    """Build a frame with the contract's dtypes from plain dicts (dates, aware datetimes, ints).

    For loaders and tests. A key left out of a record means the column's empty value
    (0, '', False or NaT), so tests only spell what matters.
    """
    rows = list(records)
    data: dict[str, pd.Series] = {}
    for column in contract.columns:
        raw = [row.get(column.name) for row in rows]
        data[column.name] = _series(raw, column, contract.name)
    frame = pd.DataFrame(data, index=pd.RangeIndex(len(rows)))
    check_frame(frame, contract)
    return frame


def empty_frame(contract: FrameContract) -> pd.DataFrame:
    """A frame with the contract's columns and dtypes and no rows."""
    return frame_from_records(contract, [])


def _series(raw: list[object], column: Column, frame_name: str) -> pd.Series:
    kind = column.kind
    if kind == "int64":
        return pd.Series([0 if v is None else v for v in raw], dtype="int64")
    if kind == "float64":
        return pd.Series([0.0 if v is None else v for v in raw], dtype="float64")
    if kind == "bool":
        return pd.Series([bool(v) for v in raw], dtype="bool")
    if kind == "str":
        fill = None if column.nullable else ""
        return pd.Series([fill if v is None else v for v in raw], dtype="str")
    if kind == "date":
        return pd.Series(pd.to_datetime(pd.Series(raw, dtype=object)), dtype="datetime64[ns]")
    if kind == "timestamp":
        naive = [v for v in raw if v is not None and getattr(v, "tzinfo", None) is None]
        if naive:
            where = f"{frame_name}.{column.name}"
            raise InvalidInput(f"{where} got a naive datetime {naive[0]!r}", where=where)
        converted = pd.to_datetime(pd.Series(raw, dtype=object), utc=True)
        return converted.dt.tz_convert(LOCAL_TIMEZONE)
    return pd.Series(raw, dtype=object)
