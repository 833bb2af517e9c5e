"""Business rules an invoice must keep beyond its schema, each problem located.

The XSD says every amount is a decimal; these rules say the amounts agree with each other:
lines add up to the rate totals, rate totals to the grand totals, the words say the figure,
the number and the dates make sense. `invoice_problems` reports every broken rule at once
(one Problem each, `where` naming the line and path) so a reader fixes them in one pass.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date
from decimal import Decimal, InvalidOperation

from payrecon.errors import InvalidInput, InvalidInvoiceXml, Problem
from payrecon.invoices.reader import ParsedInvoice, Value, read_invoice
from payrecon.invoices.xml_build import NO_VAT_RATES, tax_for
from payrecon.money import amount_in_words_vi

#: Decree 123/2020/ND-CP, which defines this invoice format, is dated 19 October 2020.
EARLIEST_ISSUE_DATE = date(2020, 10, 19)
INVOICE_NUMBER = re.compile(r"[1-9][0-9]{0,7}")
#: TChat values whose ThTien counts towards the rate totals, with their sign.
LINE_KIND_SIGN = {"1": 1, "3": -1}  # goods/services add, trade discounts subtract
#: How far a rate total's VAT may be from the rounded rate, in đồng. A VAT-inclusive price
#: (a fee the citizen pays as one figure) cannot always be split so that the VAT is exactly
#: the rounded rate of the rest: t + round(t × 10 %) skips one total in ten.
VAT_ROUNDING_SLACK = 1


class _Collector:
    def __init__(self) -> None:
        self.problems: list[Problem] = []

    def add(self, where: str, detail: str) -> None:
        self.problems.append(Problem(where=where, detail=detail))

    def required(self, value: Value | None, name: str, where: str) -> Value | None:
        if value is None or not value.text:
            self.add(where, f"{name} is missing")
            return None
        return value

    def whole_vnd(self, value: Value | None, name: str, where: str) -> int | None:
        """A VND amount as int; whole đồng only (reference §1.2: VND totals are rounded)."""
        if (value := self.required(value, name, where)) is None:
            return None
        try:
            amount = Decimal(value.text)
        except InvalidOperation:
            self.add(value.where, f"{name} {value.text!r} is not a number")
            return None
        if amount != amount.to_integral_value():
            self.add(value.where, f"{name} {value.text} VND is not a whole number of đồng")
            return None
        return int(amount)


def _normalise_words(text: str) -> str:
    return " ".join(text.strip().rstrip(".").split()).casefold()


def _check_number(invoice: ParsedInvoice, check: _Collector) -> None:
    number = check.required(invoice.number, "SHDon", invoice.totals_where)
    if number is not None and not INVOICE_NUMBER.fullmatch(number.text):
        check.add(
            number.where,
            f"invoice number {number.text!r} must be 1 to 99999999 without leading zeros",
        )


def _check_dates(invoice: ParsedInvoice, check: _Collector, today: date | None) -> None:
    issued = check.required(invoice.issued_on, "NLap", invoice.totals_where)
    if issued is None:
        return
    try:
        issued_on = date.fromisoformat(issued.text)
    except ValueError:
        check.add(issued.where, f"issue date {issued.text!r} is not YYYY-MM-DD")
        return
    if issued_on < EARLIEST_ISSUE_DATE:
        check.add(issued.where, f"issue date {issued_on} is before Decree 123/2020 existed")
    if today is not None and issued_on > today:
        check.add(issued.where, f"issue date {issued_on} is in the future (today is {today})")
    series = invoice.series
    if series is not None and len(series.text) >= 3 and series.text[1:3].isdigit():
        series_year = 2000 + int(series.text[1:3])
        if series_year != issued_on.year:
            check.add(
                series.where,
                f"series {series.text} is for {series_year} but the invoice is dated {issued_on}",
            )
    related = invoice.related_issued_on
    if related is not None:
        try:
            related_on = date.fromisoformat(related.text)
        except ValueError:
            check.add(related.where, f"related invoice date {related.text!r} is not YYYY-MM-DD")
        else:
            if related_on > issued_on:
                check.add(
                    related.where,
                    f"the related invoice ({related_on}) is dated after this one ({issued_on})",
                )


def _check_rates(invoice: ParsedInvoice, check: _Collector) -> tuple[int, int] | None:
    """Lines against rate totals; returns (sum of taxable, sum of tax) when readable."""
    from_lines: dict[str, int] = {}
    line_counts: dict[str, int] = {}
    for line in invoice.lines:
        sign = LINE_KIND_SIGN.get(line.kind.text if line.kind else "1")
        if sign is None:
            continue  # promotions and notes carry no amount
        amount = check.whole_vnd(line.amount, "ThTien", line.where)
        rate = check.required(line.rate, "TSuat", line.where)
        if amount is not None and rate is not None:
            from_lines[rate.text] = from_lines.get(rate.text, 0) + sign * amount
            line_counts[rate.text] = line_counts.get(rate.text, 0) + 1

    taxable_sum = tax_sum = 0
    readable = True
    seen: set[str] = set()
    for row in invoice.rate_totals:
        rate = check.required(row.rate, "TSuat", row.where)
        taxable = check.whole_vnd(row.taxable, "ThTien", row.where)
        tax = 0 if row.tax is None else check.whole_vnd(row.tax, "TThue", row.where)
        if rate is None or taxable is None or tax is None:
            readable = False
            continue
        if rate.text in seen:
            check.add(row.where, f"rate {rate.text} has more than one total")
        seen.add(rate.text)
        taxable_sum += taxable
        tax_sum += tax
        expected_taxable = from_lines.get(rate.text, 0)
        if taxable != expected_taxable:
            check.add(
                row.taxable.where,
                f"total at rate {rate.text} is {taxable} VND but its lines add up to "
                f"{expected_taxable} VND",
            )
        if rate.text in NO_VAT_RATES:
            if tax != 0:
                check.add(row.where, f"rate {rate.text} carries no VAT, but TThue is {tax} VND")
            continue
        try:
            expected_tax = tax_for(rate.text, taxable)
        except InvalidInput:  # an unknown rate code: the schema reports it
            continue
        # Rounding each line instead of the total may differ by up to half a đồng per line.
        slack = max(VAT_ROUNDING_SLACK, line_counts.get(rate.text, 1) // 2)
        if abs(tax - expected_tax) > slack:
            check.add(
                row.where,
                f"VAT at rate {rate.text} on {taxable} VND is {tax} VND, expected {expected_tax}",
            )
    for rate_code, amount in from_lines.items():
        if rate_code not in seen and invoice.rate_totals:
            check.add(
                invoice.totals_where,
                f"lines at rate {rate_code} ({amount} VND) have no total in THTTLTSuat",
            )
    return (taxable_sum, tax_sum) if readable and invoice.rate_totals else None


def invoice_problems(
    xml_or_invoice: bytes | ParsedInvoice,
    *,
    today: date | None = None,
    words_for: Callable[[int], str] = amount_in_words_vi,
) -> list[Problem]:
    """Every business rule the invoice breaks; [] when it keeps them all.

    `today` (the caller's local date) enables the "not in the future" check; `words_for`
    turns a VND amount into the words TgTTTBChu must carry.
    """
    invoice = (
        xml_or_invoice
        if isinstance(xml_or_invoice, ParsedInvoice)
        else read_invoice(xml_or_invoice)
    )
    check = _Collector()
    where = invoice.totals_where
    _check_number(invoice, check)
    _check_dates(invoice, check, today)
    by_rate = _check_rates(invoice, check)

    before_tax = check.whole_vnd(invoice.total_before_tax, "TgTCThue", where)
    tax = check.whole_vnd(invoice.total_tax, "TgTThue", where)
    payable = check.whole_vnd(invoice.total_payable, "TgTTTBSo", where)
    if by_rate is not None:
        if before_tax is not None and before_tax != by_rate[0]:
            check.add(
                invoice.total_before_tax.where,
                f"TgTCThue is {before_tax} VND but the rate totals add up to {by_rate[0]} VND",
            )
        if tax is not None and tax != by_rate[1]:
            check.add(
                invoice.total_tax.where,
                f"TgTThue is {tax} VND but the rate totals add up to {by_rate[1]} VND",
            )
    if None not in (before_tax, tax, payable) and payable != before_tax + tax:
        check.add(
            invoice.total_payable.where,
            f"TgTTTBSo is {payable} VND but TgTCThue + TgTThue is {before_tax + tax} VND",
        )
    words = check.required(invoice.total_in_words, "TgTTTBChu", where)
    if words is not None and payable is not None:
        expected = words_for(payable)
        if _normalise_words(words.text) != _normalise_words(expected):
            check.add(words.where, f"the amount in words {words.text!r} does not say {expected!r}")
    return check.problems


def require_rules_kept(xml: bytes, *, today: date | None = None) -> None:
    """Raise InvalidInvoiceXml naming the first broken rule and counting the rest."""
    if problems := invoice_problems(xml, today=today):
        count = len(problems)
        raise InvalidInvoiceXml(
            f"{count} business rule problem{'s' if count != 1 else ''}: "
            + "; ".join(str(problem) for problem in problems[:5]),
            where=problems[0].where,
        )
