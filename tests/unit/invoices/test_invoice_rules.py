"""Business rules beyond the schema, each problem located by line and path."""

from __future__ import annotations

from datetime import date

import pytest

from payrecon.errors import InvalidInvoiceXml
from payrecon.invoices.reader import read_invoice
from payrecon.invoices.rules import invoice_problems, require_rules_kept
from payrecon.invoices.xml_build import InvoiceLine, build_invoice_tree, build_invoice_xml
from payrecon.invoices.xsd import schema_folder

LINES = (
    InvoiceLine("Sao chụp hồ sơ", "trang", 120, 2_000, 240_000, "10%"),
    InvoiceLine("Chuyển phát", "lần", 2, 27_000, 54_000, "8%"),
    InvoiceLine("Phí thẩm định", "hồ sơ", 1, 300_000, 300_000, "KCT"),
)


def pretty(invoice) -> bytes:
    """One element per line, so problems point at distinct lines."""
    from lxml import etree

    return etree.tostring(build_invoice_tree(invoice), pretty_print=True, encoding="UTF-8")


def replace_once(xml: bytes, old: bytes, new: bytes) -> bytes:
    assert xml.count(old) == 1, f"{old!r} occurs {xml.count(old)} times"
    return xml.replace(old, new)


def details(problems) -> list[str]:
    return [problem.detail for problem in problems]


@pytest.mark.parametrize(
    "path", sorted((schema_folder() / "examples" / "valid").glob("*.xml")), ids=lambda p: p.name
)
def test_the_valid_examples_keep_every_rule(path):
    assert invoice_problems(path.read_bytes(), today=date(2026, 12, 31)) == []


def test_a_built_invoice_keeps_every_rule(make_invoice):
    xml = build_invoice_xml(make_invoice(LINES))
    assert invoice_problems(xml, today=date(2026, 2, 3)) == []
    require_rules_kept(xml)


def test_a_rate_total_that_disagrees_with_its_lines_is_located(make_invoice):
    xml = replace_once(
        pretty(make_invoice(LINES)),
        b"<ThTien>54000</ThTien>\n            <TThue>",
        b"<ThTien>45000</ThTien>\n            <TThue>",
    )
    problems = invoice_problems(xml)
    assert "total at rate 8% is 45000 VND but its lines add up to 54000 VND" in details(problems)
    located = next(p for p in problems if "rate 8%" in p.detail and "lines add up" in p.detail)
    line_number = xml[: xml.index(b"<ThTien>45000")].count(b"\n") + 1
    assert located.where == (
        f"line {line_number}: /HDon/DLHDon/NDHDon/TToan/THTTLTSuat/LTSuat[2]/ThTien"
    )


def test_overall_totals_must_add_up(make_invoice):
    xml = replace_once(
        pretty(make_invoice(LINES)), b"<TgTTTBSo>622320</TgTTTBSo>", b"<TgTTTBSo>623000</TgTTTBSo>"
    )
    problems = invoice_problems(xml)
    assert "TgTTTBSo is 623000 VND but TgTCThue + TgTThue is 622320 VND" in details(problems)
    assert any(p.where.endswith("/TToan/TgTTTBSo") for p in problems)


def test_tax_totals_must_match_the_rate_totals(make_invoice):
    xml = replace_once(
        pretty(make_invoice(LINES)), b"<TgTThue>28320</TgTThue>", b"<TgTThue>28000</TgTThue>"
    )
    assert "TgTThue is 28000 VND but the rate totals add up to 28320 VND" in details(
        invoice_problems(xml)
    )


def test_vat_must_match_the_rate(make_invoice):
    xml = replace_once(pretty(make_invoice(LINES)), b"<TThue>24000</TThue>", b"<TThue>2400</TThue>")
    assert "VAT at rate 10% on 240000 VND is 2400 VND, expected 24000" in details(
        invoice_problems(xml)
    )


def test_not_subject_to_vat_means_no_vat(make_invoice):
    xml = replace_once(pretty(make_invoice()), b"<TThue>0</TThue>", b"<TThue>100</TThue>")
    assert "rate KCT carries no VAT, but TThue is 100 VND" in details(invoice_problems(xml))


def test_the_words_must_say_the_figure(make_invoice):
    xml = build_invoice_xml(make_invoice(total_in_words="Năm nghìn đồng"))
    problems = invoice_problems(xml)
    assert details(problems) == [
        "the amount in words 'Năm nghìn đồng' does not say 'Năm mươi nghìn đồng'"
    ]
    assert problems[0].where.endswith("/TToan/TgTTTBChu")


def test_the_words_may_end_with_a_period_and_differ_in_case(make_invoice):
    xml = build_invoice_xml(make_invoice(total_in_words="năm mươi nghìn đồng."))
    assert invoice_problems(xml) == []


def test_a_fractional_vnd_amount_is_a_problem(make_invoice):
    xml = replace_once(
        build_invoice_xml(make_invoice()),
        b"<TgTCThue>50000</TgTCThue>",
        b"<TgTCThue>50000.5</TgTCThue>",
    )
    assert "TgTCThue 50000.5 VND is not a whole number of đồng" in details(invoice_problems(xml))


@pytest.mark.parametrize(
    ("number", "ok"),
    [(b"1", True), (b"99999999", True), (b"0", False), (b"007", False), (b"123456789", False)],
)
def test_the_number_is_positive_and_at_most_eight_digits(make_invoice, number, ok):
    xml = replace_once(
        build_invoice_xml(make_invoice()), b"<SHDon>7</SHDon>", b"<SHDon>" + number + b"</SHDon>"
    )
    problems = [p for p in invoice_problems(xml) if "invoice number" in p.detail]
    assert (problems == []) is ok


def test_dates_must_be_sane(make_invoice):
    xml = build_invoice_xml(make_invoice(issued_on=date(2026, 2, 3)))
    assert details(invoice_problems(xml, today=date(2026, 2, 2))) == [
        "issue date 2026-02-03 is in the future (today is 2026-02-02)"
    ]
    old = replace_once(xml, b"<NLap>2026-02-03</NLap>", b"<NLap>2019-02-03</NLap>")
    assert "issue date 2019-02-03 is before Decree 123/2020 existed" in details(
        invoice_problems(old)
    )


def test_the_series_year_must_be_the_issue_year(make_invoice):
    xml = build_invoice_xml(make_invoice(series="C25TAA", issued_on=date(2026, 1, 1)))
    assert details(invoice_problems(xml)) == [
        "series C25TAA is for 2025 but the invoice is dated 2026-01-01"
    ]


def test_a_related_invoice_cannot_be_later_than_this_one(make_invoice):
    from payrecon.invoices.xml_build import RelatedInvoice, Relation

    related = RelatedInvoice(Relation.REPLACES, "1", "C26TAA", 3, date(2026, 3, 1))
    xml = build_invoice_xml(make_invoice(related=related))
    assert details(invoice_problems(xml)) == [
        "the related invoice (2026-03-01) is dated after this one (2026-02-03)"
    ]


def test_the_reader_does_not_depend_on_child_order(make_invoice):
    """Viettel writes LTSuat as TSuat, TThue, ThTien and THTTLTSuat after the totals."""
    xml = build_invoice_xml(make_invoice(LINES))
    reordered = xml.replace(
        b"<TSuat>10%</TSuat><ThTien>240000</ThTien><TThue>24000</TThue>",
        b"<TSuat>10%</TSuat><TThue>24000</TThue><ThTien>240000</ThTien>",
    )
    assert reordered != xml
    parsed = read_invoice(reordered)
    first = parsed.rate_totals[0]
    assert (first.rate.text, first.taxable.text, first.tax.text) == (
        "10%",
        "240000",
        "24000",
    )
    assert invoice_problems(parsed) == []


def test_require_rules_kept_names_the_first_problem(make_invoice):
    xml = build_invoice_xml(make_invoice(total_in_words="Một đồng"))
    with pytest.raises(InvalidInvoiceXml, match="1 business rule problem") as caught:
        require_rules_kept(xml)
    assert caught.value.where.endswith("/TToan/TgTTTBChu")


def test_problems_in_a_tree_built_in_memory_name_the_path_without_a_line(make_invoice):
    tree = build_invoice_tree(make_invoice(total_in_words="Một đồng"))
    problems = invoice_problems(read_invoice(tree))
    assert [p.where for p in problems] == ["/HDon/DLHDon/NDHDon/TToan/TgTTTBChu"]
