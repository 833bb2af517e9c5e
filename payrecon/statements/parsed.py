"""What every statement and settlement parser returns: frozen, plain values.

Amounts are ``int`` in the currency's minor units (VND and JPY have none, so 50.000 VND is
``50000``; EUR 8.85 is ``885``). Decimal text is converted exactly by ``to_minor_units``; a
value with more precision than the currency has is refused, never rounded. No float and no
Decimal leaves this package.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date

from payrecon.errors import StatementFormatError

# ISO 4217 minor units that differ from the usual two. Anything else of three letters has 2.
_ZERO_DECIMALS = frozenset(
    [
        "BIF",
        "CLP",
        "DJF",
        "GNF",
        "ISK",
        "JPY",
        "KMF",
        "KRW",
        "PYG",
        "RWF",
        "UGX",
        "UYI",
        "VND",
        "VUV",
        "XAF",
        "XOF",
        "XPF",
    ]
)
_THREE_DECIMALS = frozenset(["BHD", "IQD", "JOD", "KWD", "LYD", "OMR", "TND"])
_CURRENCY_CODE = re.compile(r"[A-Z]{3}")
_DECIMAL_TEXT = re.compile(r"(?P<sign>[+-]?)(?P<units>\d*)(?:[.,](?P<fraction>\d*))?")


def minor_unit_exponent(currency: str) -> int:
    """Number of decimals the currency's minor unit has (VND 0, EUR 2, KWD 3)."""
    if not _CURRENCY_CODE.fullmatch(currency or ""):
        raise StatementFormatError(f"{currency!r} is not an ISO 4217 currency code")
    if currency in _ZERO_DECIMALS:
        return 0
    if currency in _THREE_DECIMALS:
        return 3
    return 2


def to_minor_units(text: str, currency: str, *, where: str, signed: bool = False) -> int:
    """Convert decimal text such as ``"664.05"``, ``"600,"`` or ``"000149.87"`` exactly.

    A dot or a comma is the decimal separator (camt uses a dot, MT940 a comma). Thousands
    separators are not accepted here; bank CSV layouts strip them first. Extra decimals are
    allowed only when they are zeros (``"50000.00"`` VND is 50000), otherwise the amount
    cannot be represented and the file is refused.
    """
    cleaned = (text or "").strip()
    match = _DECIMAL_TEXT.fullmatch(cleaned)
    if not cleaned or match is None or not (match["units"] or match["fraction"]):
        raise StatementFormatError(f"amount {text!r} is not a decimal number", where=where)
    if match["sign"] == "-" and not signed:
        raise StatementFormatError(f"amount {text!r} must not be negative", where=where)
    exponent = minor_unit_exponent(currency)
    fraction = match["fraction"] or ""
    kept, dropped = fraction[:exponent], fraction[exponent:]
    if dropped.strip("0"):
        raise StatementFormatError(
            f"amount {text!r} has more decimals than {currency} allows ({exponent})", where=where
        )
    value = int((match["units"] or "0") + kept.ljust(exponent, "0"))
    return -value if match["sign"] == "-" else value


@dataclass(frozen=True)
class Balance:
    """A statement balance: ``amount`` is signed (a debit balance is negative), minor units."""

    amount: int
    currency: str
    on: date | None
    code: str  # OPBD, PRCD, CLBD, ITBD … for camt; 60F/60M/62F/62M for MT940; "file" for CSV


@dataclass(frozen=True)
class ParsedLine:
    """One row of a statement, with enough context to match it and to show where it came from.

    Which rows carry money (so that nothing is counted twice):

    - ``kind == "entry"``: one booking that is not a batch. Carries money.
    - ``kind == "batch"``: one booking that bundles several transactions (camt ``Ntry`` with
      ``Btch`` or with more than one ``TxDtls``). Carries money: its amount is what moved on
      the account. Its ``batch_*`` fields describe the bundle.
    - ``kind == "detail"``: one ``TxDtls`` inside a batch, listed right after its batch row;
      ``parent_index`` is the index of that batch row in ``ParsedStatement.lines``. It does
      NOT carry money: it explains part of its parent, so it can be matched to a single
      payment while the parent is matched to a settlement batch. ``amount`` may be ``None``
      when the bank gave no per-transaction amount.

    Balances are checked by summing ``signed_amount`` over rows with ``carries_money``.

    ``direction`` is the effect on the account: ``"C"`` adds, ``"D"`` takes away. A reversal
    keeps that meaning and sets ``reversal``: MT940 ``RC`` (reversal of a credit) is
    ``direction="D", reversal=True``; camt ``CdtDbtInd=DBIT`` with ``RvslInd=true`` is the same.
    """

    amount: int | None
    currency: str
    direction: str
    booking_date: date | None = None
    value_date: date | None = None
    reversal: bool = False
    status: str | None = None  # camt Sts: BOOK, PDNG, INFO; None where the format has none
    kind: str = "entry"
    bank_reference: str | None = None  # camt NtryRef / Refs; MT940 :61: customer ref; CSV ref
    servicer_reference: str | None = None  # camt AcctSvcrRef; MT940 the part after //
    end_to_end_id: str | None = None
    remittance_text: str | None = None  # unstructured remittance, or MT940 :86:, CSV narrative
    creditor_reference: str | None = None  # structured remittance (SCOR, ISR, QRR …)
    additional_info: str | None = None  # camt AddtlNtryInf / AddtlTxInf
    counterparty_name: str | None = None
    counterparty_account: str | None = None
    transaction_code: str | None = None  # camt BkTxCd as Domn/Fmly/SubFmly or Prtry; MT940 type
    batch_id: str | None = None
    batch_size: int | None = None
    batch_total: int | None = None
    entry_index: int = 0  # position of the booking (Ntry / :61: / CSV row) in its statement
    parent_index: int | None = None
    location: str = ""  # "line 17" for text formats, an XPath-ish path for XML
    line_number: int | None = None
    raw: str = ""  # the text of the row as it stood in the file, for evidence

    @property
    def carries_money(self) -> bool:
        return self.kind != "detail"

    @property
    def signed_amount(self) -> int:
        """The amount with the sign of its effect on the balance (0 when unknown)."""
        amount = self.amount or 0
        return amount if self.direction == "C" else -amount


@dataclass(frozen=True)
class ParsedStatement:
    """One statement (camt Stmt/Rpt/Ntfctn, one MT940 :20: block, or a whole CSV file)."""

    format: str  # camt053, camt052, camt054, mt940, csv, xlsx
    account_id: str | None
    currency: str | None
    statement_id: str | None
    lines: tuple[ParsedLine, ...]
    location: str
    sequence: str | None = None  # camt LglSeqNb, MT940 :28C:
    electronic_sequence: str | None = None  # camt ElctrncSeqNb
    period_from: date | None = None
    period_to: date | None = None
    opening_balance: Balance | None = None
    closing_balance: Balance | None = None
    message_id: str | None = None  # camt GrpHdr/MsgId
    layout: str | None = None  # for CSV/XLSX: generic, vietcombank, vietinbank, bidv, techcombank

    @property
    def money_lines(self) -> tuple[ParsedLine, ...]:
        return tuple(line for line in self.lines if line.carries_money)


@dataclass(frozen=True)
class SettlementRow:
    """One payment inside a gateway settlement batch. Money is int VND."""

    our_reference: str  # vnp_TxnRef: the payment reference we sent to the gateway
    gateway_transaction_no: str  # vnp_TransactionNo
    pay_date: date
    gross: int
    fee: int
    net: int
    line_number: int
    raw: str


@dataclass(frozen=True)
class ParsedSettlement:
    """A gateway settlement batch: the net total is what should arrive as one bank credit."""

    batch_id: str
    settlement_date: date
    rows: tuple[SettlementRow, ...] = field(default_factory=tuple)

    @property
    def gross_total(self) -> int:
        return sum(row.gross for row in self.rows)

    @property
    def fee_total(self) -> int:
        return sum(row.fee for row in self.rows)

    @property
    def net_total(self) -> int:
        return sum(row.net for row in self.rows)
