"""/officer/exceptions/<id>: the page and each action, through the forms, on both databases.

Every action is tried on its happy path and refused for the wrong role, on an exception that
is already resolved, and with bad input; a refusal must leave the exception as it was.
"""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from payrecon.dossiers.models import Dossier
from payrecon.payments.models import Refund
from payrecon.reconciliation import queries
from payrecon.reconciliation.models import ManualLink, ReconciliationException
from payrecon.reconciliation.service import run_reconciliation
from tests.e2e.officer.exception_day import reconciled_day
from tests.e2e.officer.helpers import csrf_token, make_officer, page_text, sign_in
from tests.integration.reconciliation.scenario import DAY


@pytest.fixture
def day(db_session):
    return reconciled_day(db_session)


@pytest.fixture
def clients(app, db_session):
    """A signed-in client per role, plus a second supervisor for four eyes."""
    result = {}
    for role, username in [
        ("officer", "officer.test"),
        ("supervisor", "supervisor.test"),
        ("supervisor", "supervisor.two"),
        ("auditor", "auditor.test"),
    ]:
        make_officer(db_session, role, username)
        client = app.test_client()
        assert sign_in(client, username).status_code == 303
        result[username] = client
    return result


def act(client, exception_id: int, action: str, prefix: str, **fields):
    data = {f"{prefix}-{name}": value for name, value in fields.items()}
    data[f"{prefix}-csrf_token"] = csrf_token(client, "/officer/search")
    return client.post(f"/officer/exceptions/{exception_id}/{action}", data=data)


def fresh(db_session, exception_id: int) -> ReconciliationException:
    db_session.rollback()
    return db_session.get(ReconciliationException, exception_id, populate_existing=True)


def history(db_session, exception) -> list[tuple[str, str]]:
    db_session.rollback()
    return [
        (a.action, a.actor) for a in queries.exception_history(db_session, exception.fingerprint)
    ]


def test_the_page_shows_evidence_candidates_and_no_actions_to_an_auditor(clients, day):
    exception = day.exception("duplicate_payment", payment="P2")
    page = clients["auditor.test"].get(f"/officer/exceptions/{exception.id}")
    assert page.status_code == 200
    text = page_text(page)
    assert "duplicate_payment" in text
    assert day.day.references["P2"] in text
    assert "100.000" in text  # the amount, in Vietnamese notation
    assert "FT3" in text  # the bank line that paid a second time
    assert "HS-" in text  # its dossier
    for action in ("note", "write-off", "refund-due", "link", "refund"):
        assert f'/officer/exceptions/{exception.id}/{action}"' not in text
    missing = day.exception("missing_credit", payment="P21")
    text = page_text(clients["auditor.test"].get(f"/officer/exceptions/{missing.id}"))
    assert "chuyen tien hoc phi" in text  # the candidate credit's transfer text


def test_every_kind_of_the_day_has_its_page(clients, day):
    supervisor = clients["supervisor.test"]
    for exception in day.exceptions:
        page = supervisor.get(f"/officer/exceptions/{exception.id}")
        assert page.status_code == 200, exception.fingerprint
        assert f"<code>{exception.kind}</code>" in page_text(page)
    batch = day.exception("settlement_mismatch", line="L:FT19")
    text = page_text(supervisor.get(f"/officer/exceptions/{batch.id}"))
    assert "STL-20261123-A" in text
    assert "294.000" in text  # the batch's net, beside the 290.000 the bank credited
    invoice = day.exception("invoice_without_payment", payment="P11")
    assert "C26TAA" in page_text(supervisor.get(f"/officer/exceptions/{invoice.id}"))


def test_the_citizens_id_number_is_masked(clients, day, db_session):
    exception = day.exception("cancelled_dossier", payment="P8")
    code = exception.evidence["dossier_ids"][0]
    text = page_text(clients["officer.test"].get(f"/officer/exceptions/{exception.id}"))
    assert code in text
    dossier = db_session.scalars(select(Dossier).where(Dossier.code == code)).one()
    assert dossier.applicant_id_number not in text
    assert "•" * 8 + dossier.applicant_id_number[-4:] in text


def test_an_unknown_exception_is_404(clients):
    assert clients["officer.test"].get("/officer/exceptions/999999").status_code == 404


def test_an_officer_confirms_a_proposed_match_once(clients, day, db_session):
    missing = day.exception("missing_credit", payment="P21")
    proposal = next(
        p
        for p in queries.run_proposals(db_session, day.run_id)
        if p.payment_id == day.day.ids["P21"]
    )
    assert proposal.rank == 2
    done = act(clients["officer.test"], missing.id, "confirm", "confirm", proposal_id=proposal.id)
    assert done.status_code == 303
    resolved = fresh(db_session, missing.id)
    assert (resolved.status, resolved.resolution) == ("resolved", "confirmed")
    link = db_session.scalars(select(ManualLink)).one()
    assert (link.line_id, link.payment_id, link.how) == (
        proposal.line_id,
        proposal.payment_id,
        "confirmed",
    )
    assert history(db_session, missing) == [("confirmed", "officer:officer.test")]
    page = page_text(clients["officer.test"].get(done.headers["Location"]))
    assert "officer:officer.test" in page

    again = act(
        clients["supervisor.test"], missing.id, "confirm", "confirm", proposal_id=proposal.id
    )
    assert again.status_code == 409
    assert "đã được xử lý" in page_text(again)
    assert db_session.scalar(select(func.count()).select_from(ManualLink)) == 1


def test_a_proposal_of_another_exception_or_none_is_refused(clients, day, db_session):
    unmatched = day.exception("unmatched_credit", line="L:FT8")
    proposal = queries.run_proposals(db_session, day.run_id)[0]
    refused = act(
        clients["officer.test"], unmatched.id, "confirm", "confirm", proposal_id=proposal.id
    )
    assert refused.status_code == 404
    assert "không phải là khoản khớp đề xuất" in page_text(refused)
    bad = act(clients["officer.test"], unmatched.id, "confirm", "confirm", proposal_id="x")
    assert bad.status_code == 422
    assert fresh(db_session, unmatched.id).status == "open"
    assert db_session.scalar(select(func.count()).select_from(ManualLink)) == 0


def test_the_auditor_may_not_act(clients, day, db_session):
    exception = day.exception("unmatched_credit", line="L:FT8")
    for action, prefix, fields in [
        ("note", "note", {"note": "x"}),
        ("link", "link", {"payment_reference": day.day.references["P6"]}),
        ("write-off", "propose", {"reason": "x"}),
        ("write-off/approve", "approve", {}),
        ("refund", "refund", {"amount_vnd": "1"}),
        ("refund-due", "refund_due", {}),
    ]:
        refused = act(clients["auditor.test"], exception.id, action, prefix, **fields)
        assert refused.status_code == 403, action
    assert history(db_session, exception) == []


def test_link_by_hand_to_a_payment_reference(clients, day, db_session):
    unmatched = day.exception("unmatched_credit", line="L:FT8")
    officer = clients["officer.test"]
    unknown = act(officer, unmatched.id, "link", "link", payment_reference="PRNOSUCH000")
    assert unknown.status_code == 404
    assert "Không có thanh toán nào mang mã tham chiếu PRNOSUCH000" in page_text(unknown)
    empty = act(officer, unmatched.id, "link", "link", payment_reference="", note="")
    assert empty.status_code == 422
    assert fresh(db_session, unmatched.id).status == "open"

    reference = day.day.references["P6"].lower()  # as an officer might type it
    done = act(officer, unmatched.id, "link", "link", payment_reference=reference, note="gọi điện")
    assert done.status_code == 303
    exception = fresh(db_session, unmatched.id)
    assert (exception.status, exception.resolution, exception.note) == (
        "resolved",
        "linked",
        "gọi điện",
    )
    link = db_session.scalars(select(ManualLink)).one()
    assert (link.line_id, link.payment_id) == (day.day.ids["L:FT8"], day.day.ids["P6"])


def test_link_a_missing_credit_to_a_bank_line_id(clients, day, db_session):
    missing = day.exception("missing_credit", payment="P5")
    done = act(clients["officer.test"], missing.id, "link", "link", line_id=day.day.ids["L:FT8"])
    assert done.status_code == 303
    link = db_session.scalars(select(ManualLink)).one()
    assert (link.line_id, link.payment_id) == (day.day.ids["L:FT8"], day.day.ids["P5"])
    taken = day.exception("unmatched_credit", line="L:FT8")
    refused = act(
        clients["officer.test"],
        taken.id,
        "link",
        "link",
        payment_reference=day.day.references["P6"],
    )
    assert refused.status_code == 409
    assert "đã được liên kết với thanh toán" in page_text(refused)
    assert fresh(db_session, taken.id).status == "open"


def test_mark_refund_due(clients, day, db_session):
    duplicate = day.exception("duplicate_payment", payment="P2")
    done = act(clients["officer.test"], duplicate.id, "refund-due", "refund_due", note="trả lại")
    assert done.status_code == 303
    assert fresh(db_session, duplicate.id).resolution == "refund_due"
    again = act(clients["officer.test"], duplicate.id, "refund-due", "refund_due")
    assert again.status_code == 409
    wrong_kind = day.exception("unmatched_credit", line="L:FT8")
    refused = act(clients["officer.test"], wrong_kind.id, "refund-due", "refund_due")
    assert refused.status_code == 409
    assert "không xử lý bằng hoàn tiền được" in page_text(refused)
    assert fresh(db_session, wrong_kind.id).status == "open"


def refund_count(db_session) -> int:
    db_session.rollback()
    return db_session.scalar(select(func.count()).select_from(Refund))


def test_a_supervisor_starts_a_vietqr_refund_by_transfer(clients, day, db_session):
    # P8's fee (80,000 VND) was paid for a dossier since cancelled: the fee itself goes back
    cancelled = day.exception("cancelled_dossier", payment="P8")
    payment_id = day.day.ids["P8"]
    before = refund_count(db_session)
    page = page_text(clients["supervisor.test"].get(f"/officer/exceptions/{cancelled.id}"))
    assert f'value="{payment_id}:80000"' in page  # what the supervisor saw as refundable
    assert '/refund"' not in page_text(
        clients["officer.test"].get(f"/officer/exceptions/{cancelled.id}")
    )
    forbidden = act(
        clients["officer.test"],
        cancelled.id,
        "refund",
        "refund",
        payment_id=payment_id,
        amount_vnd="80000",
        reason="x",
    )
    assert forbidden.status_code == 403

    supervisor = clients["supervisor.test"]
    fields = {"payment_id": payment_id, "expected_available_vnd": f"{payment_id}:80000"}
    bad = act(
        supervisor, cancelled.id, "refund", "refund", amount_vnd="mười nghìn", reason="x", **fields
    )
    assert bad.status_code == 422
    too_much = act(
        supervisor, cancelled.id, "refund", "refund", amount_vnd="80.001", reason="x", **fields
    )
    assert too_much.status_code == 409
    assert "exceeds the 80000 VND" in page_text(too_much)
    no_reason = act(
        supervisor, cancelled.id, "refund", "refund", amount_vnd="80000", reason=" ", **fields
    )
    assert no_reason.status_code == 422
    assert refund_count(db_session) == before
    assert fresh(db_session, cancelled.id).status == "open"

    done = act(
        supervisor,
        cancelled.id,
        "refund",
        "refund",
        amount_vnd="80.000",
        reason="hồ sơ đã huỷ",
        **fields,
    )
    assert done.status_code == 303
    db_session.rollback()
    refund = db_session.scalars(select(Refund).where(Refund.payment_id == payment_id)).one()
    assert (refund.status, refund.amount_vnd) == ("awaiting_transfer", 80_000)
    assert fresh(db_session, cancelled.id).resolution == "refund_due"
    assert [a for a, _ in history(db_session, cancelled)] == ["refund_started", "refund_due"]

    stale = act(supervisor, cancelled.id, "refund", "refund", amount_vnd="1", reason="x", **fields)
    assert stale.status_code == 409  # another refund changed what is left: decide again
    assert refund_count(db_session) == before + 1


def test_surplus_bank_credit_is_marked_refund_due_not_refunded_from_the_payment(
    clients, day, db_session
):
    """FT3 repeats P2's transfer: P2's fee was paid by FT2, so refunding P2 would undo a paid
    fee and its invoice. The page offers no refund; a forged post is refused; refund due is
    the way (the finance office transfers the money back)."""
    repeated = day.exception("duplicate_payment", payment="P2")
    assert repeated.evidence["reason"] == "credit_repeated"
    payment_id = day.day.ids["P2"]
    supervisor = clients["supervisor.test"]
    page = page_text(supervisor.get(f"/officer/exceptions/{repeated.id}"))
    assert '/refund"' not in page
    assert '/refund-due"' in page
    before = refund_count(db_session)
    forged = act(
        supervisor,
        repeated.id,
        "refund",
        "refund",
        payment_id=payment_id,
        amount_vnd="100000",
        expected_available_vnd=f"{payment_id}:100000",
        reason="chuyển khoản hai lần",
    )
    assert forged.status_code == 409
    assert "tiền báo có vượt quá khoản phí đã được nộp" in page_text(forged)
    assert refund_count(db_session) == before
    assert fresh(db_session, repeated.id).status == "open"
    assert act(supervisor, repeated.id, "refund-due", "refund_due").status_code == 303
    assert fresh(db_session, repeated.id).resolution == "refund_due"
    assert '/refund"' not in page_text(supervisor.get(f"/officer/exceptions/{repeated.id}"))


def test_write_off_needs_four_eyes(clients, day, db_session):
    exception = day.exception("unmatched_credit", line="L:FT8")
    officer, boss, other_boss = (
        clients["officer.test"],
        clients["supervisor.test"],
        clients["supervisor.two"],
    )
    blank = act(officer, exception.id, "write-off", "propose", reason="  ")
    assert blank.status_code == 422
    assert fresh(db_session, exception.id).proposed_resolution is None

    assert act(officer, exception.id, "write-off", "propose", reason="phí nhỏ").status_code == 303
    assert fresh(db_session, exception.id).proposed_by == "officer:officer.test"
    assert act(officer, exception.id, "write-off/approve", "approve").status_code == 403
    assert fresh(db_session, exception.id).status == "open"

    assert act(boss, exception.id, "write-off/approve", "approve", note="đồng ý").status_code == 303
    done = fresh(db_session, exception.id)
    assert (done.status, done.resolution, done.resolved_by) == (
        "resolved",
        "written_off",
        "officer:supervisor.test",
    )
    assert history(db_session, exception) == [
        ("write_off_proposed", "officer:officer.test"),
        ("written_off", "officer:supervisor.test"),
    ]
    late = act(other_boss, exception.id, "write-off/approve", "approve")
    assert late.status_code == 409

    own = day.exception("missing_credit", payment="P5")
    assert act(boss, own.id, "write-off", "propose", reason="không thu được").status_code == 303
    refused = act(boss, own.id, "write-off/approve", "approve")
    assert refused.status_code == 403
    assert "nguyên tắc bốn mắt" in page_text(refused)
    assert fresh(db_session, own.id).status == "open"
    assert act(other_boss, own.id, "write-off/approve", "approve").status_code == 303
    assert fresh(db_session, own.id).resolution == "written_off"


def test_approving_what_nobody_proposed_is_refused(clients, day, db_session):
    exception = day.exception("unmatched_credit", line="L:FT8")
    refused = act(clients["supervisor.test"], exception.id, "write-off/approve", "approve")
    assert refused.status_code == 409
    assert "Chưa có đề xuất xóa sổ nào cho ngoại lệ này" in page_text(refused)


def test_notes_on_open_and_resolved_exceptions(clients, day, db_session):
    exception = day.exception("fee_mismatch", payment="P9")
    assert act(clients["officer.test"], exception.id, "note", "note", note="").status_code == 422
    assert act(clients["auditor.test"], exception.id, "note", "note", note="x").status_code == 403
    assert (
        act(
            clients["officer.test"], exception.id, "note", "note", note="đã gọi công dân"
        ).status_code
        == 303
    )
    assert act(clients["officer.test"], exception.id, "refund-due", "refund_due").status_code == 303
    assert (
        act(clients["supervisor.test"], exception.id, "note", "note", note="ok").status_code == 303
    )
    assert [a for a, _ in history(db_session, exception)] == ["note", "refund_due", "note"]
    page = page_text(clients["auditor.test"].get(f"/officer/exceptions/{exception.id}"))
    assert "đã gọi công dân" in page


def test_history_follows_the_exception_into_a_re_run(clients, day, db_session):
    first = day.exception("fee_mismatch", payment="P9")
    officer = clients["officer.test"]
    assert act(officer, first.id, "note", "note", note="chờ công dân bổ sung").status_code == 303
    db_session.rollback()  # the app has written: a fresh transaction before writing here
    rerun = run_reconciliation(db_session, business_date=DAY, actor="test")
    _, again = queries.list_exceptions(db_session, rerun.id, kind="fee_mismatch")
    assert again[0].fingerprint == first.fingerprint
    assert again[0].id != first.id
    page = page_text(officer.get(f"/officer/exceptions/{again[0].id}"))
    assert "chờ công dân bổ sung" in page
    assert f'href="/officer/exceptions/{first.id}"' in page  # the run it was written on


def test_a_confirmed_proposal_is_a_match_on_the_next_run(clients, day, db_session):
    missing = day.exception("missing_credit", payment="P21")
    proposal = next(
        p
        for p in queries.run_proposals(db_session, day.run_id)
        if p.payment_id == day.day.ids["P21"]
    )
    act(clients["officer.test"], missing.id, "confirm", "confirm", proposal_id=proposal.id)
    db_session.rollback()  # the app has written: a fresh transaction before writing here
    rerun = run_reconciliation(db_session, business_date=DAY, actor="test")
    matches = {(m.rule, m.line_id, m.payment_id) for m in queries.run_matches(db_session, rerun.id)}
    assert ("manual_confirmed", proposal.line_id, day.day.ids["P21"]) in matches
    _, still_missing = queries.list_exceptions(db_session, rerun.id, kind="missing_credit")
    assert missing.fingerprint not in {e.fingerprint for e in still_missing}
