"""The hand-made day through the database: exactly these matches and exceptions, on both
databases; re-runs are deterministic and keep officers' decisions; late data closes itself."""

from __future__ import annotations

from datetime import date

import pytest

from payrecon.reconciliation import actions, queries
from payrecon.reconciliation.service import run_reconciliation
from tests.integration.reconciliation.scenario import DAY, add_late_credit, build_day

OFFICER = actions.Officer("officer.an", "officer")
SUPERVISOR = actions.Officer("supervisor.binh", "supervisor")


@pytest.fixture
def day(db_session):
    return build_day(db_session)


def expected_fingerprints(day) -> list[str]:
    i = day.ids
    return sorted(
        [
            f"amount_mismatch|line={i['L:FT4']}|payment={i['P3']}",
            f"cancelled_dossier|payment={i['P8']}|dossier=" + "{P8}",
            f"duplicate_payment|line={i['L:FT3']}|payment={i['P2']}",
            f"fee_mismatch|payment={i['P9']}|dossier=" + "{P9}",
            f"invoice_without_payment|payment={i['P11']}|invoice=" + "{I11}",
            f"missing_credit|payment={i['P5']}",
            f"paid_without_invoice|payment={i['P10']}|dossier=" + "{P10}",
            f"refund_not_reflected|payment={i['P12']}|refund=" + "{R12}",
            f"settlement_mismatch|line={i['L:FT19']}|batch=" + "{B}",
            f"unmatched_credit|line={i['L:FT7']}",
        ]
    )


def shape(fingerprint: str) -> str:
    """The fingerprint with dossier codes, invoice, refund and batch ids blanked."""
    parts = fingerprint.split("|")
    return "|".join(
        part.split("=")[0] + "={" + "}"
        if part.split("=")[0] in ("dossier", "invoice", "refund", "batch")
        else part
        for part in parts
    )


def test_the_stored_run_has_exactly_these_matches_and_exceptions(db_session, day):
    run = run_reconciliation(db_session, business_date=DAY, actor="test")
    assert run.status == "finished"
    matches = [
        (m.rule, m.payment_id, m.line_id, m.amount_vnd, m.fee_vnd)
        for m in queries.run_matches(db_session, run.id)
    ]
    i = day.ids
    assert sorted(matches) == sorted(
        [
            ("reference_amount", i["P1"], i["L:FT1"], 200_000, 0),
            ("reference_amount", i["P2"], i["L:FT2"], 100_000, 0),
            ("reference_amount", i["P8"], i["L:FT9"], 80_000, 0),
            ("reference_amount", i["P9"], i["L:FT10"], 90_000, 0),
            ("reference_amount", i["P10"], i["L:FT11"], 60_000, 0),
            ("reference_amount", i["P12"], i["L:FT12"], 40_000, 0),
        ]
    )
    _, exceptions = queries.list_exceptions(db_session, run.id)
    got = sorted(shape(e.fingerprint) for e in exceptions)
    want = sorted(shape(fp) for fp in expected_fingerprints(day))
    assert got == want
    amounts = {e.kind: e.amount_vnd for e in exceptions}
    assert amounts["amount_mismatch"] == -50_000
    assert amounts["fee_mismatch"] == -5_000
    assert amounts["settlement_mismatch"] == -4_000
    assert amounts["unmatched_credit"] == 77_000
    assert run.exception_count == 10
    assert run.exception_counts["missing_credit"] == 1
    assert run.awaiting_count == 1  # P6, paid today
    assert all(e.status == "open" for e in exceptions)


def test_a_rerun_gives_the_same_result_and_keeps_decisions(db_session, day):
    first = run_reconciliation(db_session, business_date=DAY, actor="test")
    _, exceptions = queries.list_exceptions(db_session, first.id)
    by_kind = {e.kind: e for e in exceptions}
    actions.mark_refund_due(
        db_session, exception_id=by_kind["duplicate_payment"].id, officer=OFFICER, note="đã hoàn"
    )
    actions.propose_write_off(
        db_session, exception_id=by_kind["unmatched_credit"].id, officer=OFFICER, reason="nhỏ"
    )
    with pytest.raises(Exception, match="four eyes"):
        actions.approve_write_off(
            db_session,
            exception_id=by_kind["unmatched_credit"].id,
            officer=actions.Officer("officer.an", "supervisor"),
        )
    actions.approve_write_off(
        db_session, exception_id=by_kind["unmatched_credit"].id, officer=SUPERVISOR
    )
    second = run_reconciliation(db_session, business_date=DAY, actor="test")
    _, again = queries.list_exceptions(db_session, second.id)
    assert [e.fingerprint for e in again] == [e.fingerprint for e in exceptions]
    assert [
        (m.rule, m.payment_id, m.line_id) for m in queries.run_matches(db_session, second.id)
    ] == [(m.rule, m.payment_id, m.line_id) for m in queries.run_matches(db_session, first.id)]
    decided = {e.kind: (e.status, e.resolution, e.resolved_by) for e in again if e.status != "open"}
    assert decided == {
        "duplicate_payment": ("resolved", "refund_due", "officer.an"),
        "unmatched_credit": ("resolved", "written_off", "supervisor.binh"),
    }
    history = queries.exception_history(db_session, by_kind["unmatched_credit"].fingerprint)
    assert [h.action for h in history] == ["write_off_proposed", "written_off"]


def test_a_late_bank_posting_closes_the_missing_credit(db_session, day):
    first = run_reconciliation(db_session, business_date=DAY, actor="test")
    add_late_credit(db_session, day)
    later = run_reconciliation(db_session, business_date=date(2026, 11, 25), actor="test")
    assert later.self_closed_count == 1
    _, old = queries.list_exceptions(db_session, first.id, kind="missing_credit")
    assert (old[0].status, old[0].resolution) == ("resolved", "resolved_by_data")
    assert "later data" in old[0].note
    _, new = queries.list_exceptions(db_session, later.id, kind="missing_credit")
    assert new == []


def test_an_officer_link_becomes_a_match_on_the_next_run(db_session, day):
    first = run_reconciliation(db_session, business_date=DAY, actor="test")
    _, found = queries.list_exceptions(db_session, first.id, kind="unmatched_credit")
    actions.link_manually(
        db_session,
        exception_id=found[0].id,
        line_id=day.ids["L:FT7"],
        payment_id=day.ids["P6"],
        officer=OFFICER,
        note="phone call",
    )
    second = run_reconciliation(db_session, business_date=DAY, actor="test")
    rules = {(m.rule, m.payment_id) for m in queries.run_matches(db_session, second.id)}
    assert ("manual_linked", day.ids["P6"]) in rules
    _, still = queries.list_exceptions(db_session, second.id, kind="unmatched_credit")
    assert still == []
