"""The hand-made day through the database: exactly these matches and exceptions, on both
databases; re-runs are deterministic and keep officers' decisions; late data closes itself."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from payrecon.reconciliation import actions, linking, queries
from payrecon.reconciliation.classify import EXCEPTION_KINDS
from payrecon.reconciliation.engine import Settings, reconcile
from payrecon.reconciliation.service import ENGINE_INPUTS, load_inputs, run_reconciliation
from tests.integration.reconciliation.scenario import (
    CANCELLED_CODE,
    DAY,
    PAID_AT_COUNTER,
    STRANGER,
    UNKNOWN_CODE,
    add_credit,
    add_late_credit,
    build_day,
)
from tests.unit.reconciliation.conservation import assert_money_conserved

OFFICER = actions.Officer("officer.an", "officer")
SUPERVISOR = actions.Officer("supervisor.binh", "supervisor")


@pytest.fixture
def day(db_session):
    return build_day(db_session)


def expected_fingerprints(day) -> list[str]:
    i = day.ids
    reversed_lines = ",".join(str(n) for n in sorted([i["L:FT14"], i["L:FT14R"]]))
    return sorted(
        [
            f"amount_mismatch|line={i['L:FT4']}|payment={i['P3']}",
            f"cancelled_dossier|payment={i['P8']}|dossier=" + "{P8}",
            f"cancelled_dossier|line={i['L:FT22']}|dossier={CANCELLED_CODE}",
            f"duplicate_payment|line={i['L:FT3']}|payment={i['P2']}",
            f"fee_mismatch|payment={i['P9']}|dossier=" + "{P9}",
            f"invoice_without_payment|payment={i['P11']}|invoice=" + "{I11}",
            f"missing_credit|payment={i['P5']}",
            f"paid_without_invoice|payment={i['P10']}|dossier=" + "{P10}",
            f"paid_without_payment|dossier={PAID_AT_COUNTER}",
            f"refund_not_reflected|payment={i['P12']}|refund=" + "{R12}",
            f"reversal_of_matched|line={reversed_lines}|payment={i['P14']}",
            f"settlement_mismatch|line={i['L:FT19']}|batch=" + "{B}",
            f"unknown_dossier|line={i['L:FT20']}|dossier={UNKNOWN_CODE}",
            f"unknown_dossier|line={i['L:FT21']}",
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
            ("reference_amount", i["P14"], i["L:FT14"], 70_000, 0),
        ]
    )
    _, exceptions = queries.list_exceptions(db_session, run.id)
    got = sorted(shape(e.fingerprint) for e in exceptions)
    want = sorted(shape(fp) for fp in expected_fingerprints(day))
    assert got == want
    reversed_lines = ",".join(str(n) for n in sorted([i["L:FT14"], i["L:FT14R"]]))
    want_exact = {
        f"amount_mismatch|line={i['L:FT4']}|payment={i['P3']}": -50_000,
        f"unmatched_credit|line={i['L:FT7']}": 77_000,
        f"unknown_dossier|line={i['L:FT20']}|dossier={UNKNOWN_CODE}": 150_000,
        f"unknown_dossier|line={i['L:FT21']}": 120_000,
        f"cancelled_dossier|line={i['L:FT22']}|dossier={CANCELLED_CODE}": 95_000,
        f"paid_without_payment|dossier={PAID_AT_COUNTER}": 55_000,
        f"reversal_of_matched|line={reversed_lines}|payment={i['P14']}": 70_000,
    }
    assert {e.kind for e in exceptions} == set(EXCEPTION_KINDS)
    amounts = {e.fingerprint: e.amount_vnd for e in exceptions if e.fingerprint in want_exact}
    assert amounts == want_exact
    evidence = {e.fingerprint: e.evidence for e in exceptions}
    stranger = evidence[f"unknown_dossier|line={i['L:FT21']}"]
    assert stranger["reason"] == "unknown_reference"
    assert stranger["unknown_references"] == [STRANGER]
    typed = evidence[f"unknown_dossier|line={i['L:FT20']}|dossier={UNKNOWN_CODE}"]
    assert (typed["reason"], typed["unknown_dossier_codes"]) == (
        "unknown_dossier_code",
        [UNKNOWN_CODE],
    )
    assert (
        evidence[f"cancelled_dossier|line={i['L:FT22']}|dossier={CANCELLED_CODE}"]["refund_due_vnd"]
        == 95_000
    )
    assert run.exception_count == 15
    assert run.exception_counts["missing_credit"] == 1
    assert run.exception_counts["unknown_dossier"] == 2
    assert run.awaiting_count == 1  # P6, paid today
    assert all(e.status == "open" for e in exceptions)


def test_money_is_conserved_on_the_stored_day(db_session, day):
    settings = Settings(business_date=DAY)
    inputs = load_inputs(db_session, DAY - timedelta(days=7), DAY, settings)
    result = reconcile(**{name: inputs[name] for name in ENGINE_INPUTS}, settings=settings)
    assert_money_conserved(inputs, result)
    assert len(inputs["bank_lines"]) == 15  # 13 CSV lines, the camt credit and its reversal


def test_a_credit_naming_an_older_payment_of_ours_is_not_an_unknown_dossier(db_session, day):
    add_credit(db_session, day, f"{day.references['OLD']} nop lai", 30_000, "FT30")
    run = run_reconciliation(db_session, business_date=DAY, actor="test")
    _, unknown = queries.list_exceptions(db_session, run.id, kind="unknown_dossier")
    assert len(unknown) == 2
    _, unmatched = queries.list_exceptions(db_session, run.id, kind="unmatched_credit")
    assert sorted(e.line_id for e in unmatched) == sorted([day.ids["L:FT7"], day.ids["L:FT30"]])


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
    linking.link_manually(
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
