"""Confirming a proposal from the run page: the credit the engine only proposed to a payment is
in no exception, so the run page is where an officer settles it. Both databases."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from payrecon.audit import AuditRecord
from payrecon.reconciliation import queries
from payrecon.reconciliation.models import ManualLink, ReconciliationMatch
from payrecon.reconciliation.service import run_reconciliation
from tests.e2e.officer.exception_day import reconciled_day
from tests.e2e.officer.helpers import csrf_token, page_text, signed_in_client
from tests.integration.reconciliation.scenario import DAY


@pytest.fixture
def day(db_session):
    return reconciled_day(db_session)


def rank_one_for(db_session, run_id: int, payment_id: int):
    """The proposal that gives the 77,000 VND credit without a reference to `payment_id`."""
    return next(p for p in queries.run_proposals(db_session, run_id) if p.payment_id == payment_id)


def confirm(client, run_id: int, proposal_id: int):
    return client.post(
        f"/officer/reconciliation/runs/{run_id}/proposals/{proposal_id}/confirm",
        data={"csrf_token": csrf_token(client, "/officer/search")},
    )


def links(db_session) -> list[tuple[int, int, str, str]]:
    db_session.rollback()
    return [
        (link.line_id, link.payment_id, link.how, link.linked_by)
        for link in db_session.scalars(select(ManualLink))
    ]


def test_an_officer_confirms_a_proposal_and_the_next_run_matches_it(app, db_session, day):
    proposal = rank_one_for(db_session, day.run_id, day.day.ids["P20"])
    assert proposal.rank == 1
    # the credit and P20 are in no exception: only the run page can settle them
    assert not any(e.line_id == proposal.line_id for e in day.exceptions)
    officer = signed_in_client(app, db_session, "officer")
    page = page_text(officer.get(f"/officer/reconciliation/runs/{day.run_id}"))
    action = f"/officer/reconciliation/runs/{day.run_id}/proposals/{proposal.id}/confirm"
    assert f'action="{action}"' in page

    done = confirm(officer, day.run_id, proposal.id)
    assert done.status_code == 303
    assert links(db_session) == [
        (proposal.line_id, proposal.payment_id, "confirmed", "officer:officer.test")
    ]
    audited = db_session.scalar(
        select(AuditRecord).where(AuditRecord.subject_type == "reconciliation_manual_links")
    )
    assert audited.new_value == str(proposal.payment_id)
    assert f"run {day.run_id}" in audited.why
    shown = page_text(officer.get(done.headers["Location"]))
    assert "Đã xác nhận: dòng sao kê" in shown
    assert "Đã xác nhận bởi officer:officer.test" in shown
    assert f'action="{action}"' not in shown

    rerun = run_reconciliation(db_session, business_date=DAY, actor="test")
    matched = db_session.scalar(
        select(ReconciliationMatch).where(
            ReconciliationMatch.run_id == rerun.id,
            ReconciliationMatch.line_id == proposal.line_id,
        )
    )
    assert (matched.payment_id, matched.rule) == (proposal.payment_id, "manual_confirmed")


def test_a_line_is_confirmed_once_and_other_candidates_are_refused(app, db_session, day):
    first = rank_one_for(db_session, day.run_id, day.day.ids["P20"])
    second = rank_one_for(db_session, day.run_id, day.day.ids["P21"])
    assert second.line_id == first.line_id
    officer = signed_in_client(app, db_session, "officer")
    assert confirm(officer, day.run_id, first.id).status_code == 303
    refused = confirm(officer, day.run_id, second.id)
    assert refused.status_code == 409
    assert f"đã được liên kết với thanh toán {first.payment_id}" in page_text(refused)
    assert "Thao tác bị từ chối; không có gì thay đổi." in page_text(refused)
    assert len(links(db_session)) == 1


def test_a_superseded_runs_proposals_cannot_be_confirmed(app, db_session, day):
    proposal = rank_one_for(db_session, day.run_id, day.day.ids["P20"])
    newer = run_reconciliation(db_session, business_date=DAY, actor="test")
    officer = signed_in_client(app, db_session, "officer")
    old_page = page_text(officer.get(f"/officer/reconciliation/runs/{day.run_id}"))
    assert "/confirm" not in old_page
    refused = confirm(officer, day.run_id, proposal.id)
    assert refused.status_code == 409
    assert f"đã được thay bằng lần đối soát {newer.id}" in page_text(refused)
    assert links(db_session) == []


def test_a_proposal_of_another_run_or_none_is_404_and_an_auditor_only_reads(app, db_session, day):
    proposal = rank_one_for(db_session, day.run_id, day.day.ids["P20"])
    officer = signed_in_client(app, db_session, "officer")
    assert confirm(officer, day.run_id + 1, proposal.id).status_code == 404
    assert confirm(officer, day.run_id, 999_999).status_code == 404
    auditor = signed_in_client(app, db_session, "auditor")
    page = page_text(auditor.get(f"/officer/reconciliation/runs/{day.run_id}"))
    assert "/confirm" not in page
    assert confirm(auditor, day.run_id, proposal.id).status_code == 403
    assert db_session.scalar(select(func.count()).select_from(ManualLink)) == 0
