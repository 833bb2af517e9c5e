"""Bank credits settle VietQR payments: by notification, by statement, or both."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from payrecon.dossiers.models import Dossier
from payrecon.outbox import OutboxEvent
from payrecon.payments import queries
from payrecon.payments.models import BankCredit, BankNotification, Payment
from payrecon.payments.references import new_reference
from tests.factories import make_dossier
from tests.integration.bank_credit.helpers import import_credits, notify, pending_vietqr

FEE = 235_000


@pytest.fixture
def dossier(db_session):
    return make_dossier(db_session, fee_due_vnd=FEE)


def payment_of(session, reference) -> Payment:
    session.expire_all()
    return queries.get_payment_by_reference(session, reference)


def successes_announced(session, payment_id) -> int:
    return session.scalar(
        select(func.count())
        .select_from(OutboxEvent)
        .where(OutboxEvent.topic == "payment.succeeded", OutboxEvent.subject_id == str(payment_id))
    )


def credits(session) -> list[BankCredit]:
    session.expire_all()
    return list(session.scalars(select(BankCredit).order_by(BankCredit.id)))


def test_the_exact_amount_with_the_reference_settles_the_payment(db_session, dossier):
    reference, account = pending_vietqr(db_session, dossier)
    result = notify(db_session, account, FEE, f"MBVCB.123.{reference}.NGUYEN VAN A", "FT1")
    assert (result.result, result.reference) == ("settled", reference)
    payment = payment_of(db_session, reference)
    assert payment.status == "succeeded"
    assert payment.provider_transaction_id == "FT1"
    assert successes_announced(db_session, payment.id) == 1
    kinds = [event.kind for event in queries.list_events(db_session, payment.id)]
    assert "bank_credit_settled" in kinds
    evidence = next(e for e in queries.list_events(db_session, payment.id) if e.payload)
    assert evidence.payload["bank_transaction_id"] == "FT1"


def test_retries_of_one_notification_count_once_and_are_all_stored(db_session, dossier):
    reference, account = pending_vietqr(db_session, dossier)
    results = [notify(db_session, account, FEE, reference, "FT1").result for _ in range(3)]
    assert results == ["settled", "repeat", "repeat"]
    assert len(credits(db_session)) == 1
    assert db_session.scalar(select(func.count()).select_from(BankNotification)) == 3
    assert successes_announced(db_session, payment_of(db_session, reference).id) == 1


def test_a_smaller_amount_leaves_it_pending_until_the_rest_arrives(db_session, dossier):
    reference, account = pending_vietqr(db_session, dossier)
    assert notify(db_session, account, 200_000, reference, "FT1").result == "underpaid"
    assert payment_of(db_session, reference).status == "pending"
    exceptions = queries.list_credit_exceptions(db_session)
    assert [(c.outcome, c.counted_vnd) for c in exceptions] == [("underpaid", 200_000)]

    assert notify(db_session, account, 35_000, reference, "FT2").result == "settled"
    payment = payment_of(db_session, reference)
    assert payment.status == "succeeded"
    assert successes_announced(db_session, payment.id) == 1


def test_a_larger_amount_succeeds_once_with_the_surplus_recorded(db_session, dossier):
    reference, account = pending_vietqr(db_session, dossier)
    assert notify(db_session, account, 300_000, reference, "FT1").result == "overpaid"
    assert payment_of(db_session, reference).status == "succeeded"
    [credit] = credits(db_session)
    assert (credit.counted_vnd, credit.surplus_vnd) == (FEE, 65_000)


def test_a_second_credit_for_a_paid_payment_is_all_surplus(db_session, dossier):
    reference, account = pending_vietqr(db_session, dossier)
    notify(db_session, account, FEE, reference, "FT1")
    assert notify(db_session, account, FEE, reference, "FT2").result == "already_paid"
    payment = payment_of(db_session, reference)
    assert payment.status == "succeeded"
    assert successes_announced(db_session, payment.id) == 1
    second = credits(db_session)[1]
    assert (second.counted_vnd, second.surplus_vnd) == (0, FEE)


def test_money_for_an_expired_payment_revives_it(db_session, dossier):
    reference, account = pending_vietqr(db_session, dossier)
    payment = payment_of(db_session, reference)
    payment.status = "expired"
    db_session.commit()
    assert notify(db_session, account, FEE, reference, "FT1").result == "settled"
    payment = payment_of(db_session, reference)
    assert (payment.status, payment.is_duplicate) == ("succeeded", False)
    assert successes_announced(db_session, payment.id) == 1


def test_money_for_a_cancelled_dossier_is_kept_as_a_refund_due(db_session, dossier):
    reference, account = pending_vietqr(db_session, dossier)
    db_session.get(Dossier, dossier.id).status = "cancelled"
    db_session.commit()
    assert notify(db_session, account, FEE, reference, "FT1").result == "refund_due"
    payment = payment_of(db_session, reference)
    assert (payment.status, payment.is_duplicate) == ("succeeded", True)
    assert successes_announced(db_session, payment.id) == 0


def test_a_credit_naming_no_payment_is_kept_for_reconciliation(db_session, dossier):
    _, account = pending_vietqr(db_session, dossier)
    assert notify(db_session, account, FEE, "ung ho dong bao", "FT9").result == "unmatched"
    assert [c.outcome for c in queries.list_credit_exceptions(db_session)] == ["unmatched"]


def test_a_debit_notification_is_stored_and_ignored(db_session, dossier):
    reference, account = pending_vietqr(db_session, dossier)
    result = notify(db_session, account, FEE, reference, "FT1", transfer_type="out")
    assert result.result == "debit_ignored"
    assert credits(db_session) == []
    assert payment_of(db_session, reference).status == "pending"
    assert db_session.scalar(select(BankNotification.result)) == "debit_ignored"


def test_a_statement_line_alone_settles_the_payment(db_session, dossier):
    reference, account = pending_vietqr(db_session, dossier)
    result = import_credits(db_session, account, (FEE, "FT1", f"{reference} nop phi"))
    assert result.payments_settled == {"settled": 1}
    payment = payment_of(db_session, reference)
    assert payment.status == "succeeded"
    assert successes_announced(db_session, payment.id) == 1
    [credit] = credits(db_session)
    assert credit.first_source == "statement"
    assert credit.statement_line_id == result.new_credit_line_ids[0]


def test_webhook_then_statement_is_one_success_and_one_linked_line(db_session, dossier):
    reference, account = pending_vietqr(db_session, dossier)
    notify(db_session, account, FEE, f"MBVCB.1.{reference}", "FT1")
    result = import_credits(db_session, account, (FEE, "FT1", f"MBVCB.1.{reference}"))
    assert result.payments_settled == {"linked": 1}
    [credit] = credits(db_session)
    assert credit.statement_line_id == result.new_credit_line_ids[0]
    payment = payment_of(db_session, reference)
    assert successes_announced(db_session, payment.id) == 1
    assert "bank_credit_linked" in [e.kind for e in queries.list_events(db_session, payment.id)]


def test_a_line_with_another_bank_id_links_by_reference_amount_and_date(db_session, dossier):
    reference, account = pending_vietqr(db_session, dossier)
    notify(db_session, account, FEE, reference, "SEPAY-77")
    result = import_credits(db_session, account, (FEE, "5213.45946", f"{reference}"))
    assert result.payments_settled == {"linked": 1}
    assert len(credits(db_session)) == 1


def test_two_transfers_then_their_two_lines_link_one_each(db_session, dossier):
    reference, account = pending_vietqr(db_session, dossier)
    notify(db_session, account, FEE, reference, "N1")
    notify(db_session, account, FEE, reference, "N2")
    result = import_credits(db_session, account, (FEE, "L1", reference), (FEE, "L2", reference))
    assert result.payments_settled == {"linked": 2}
    assert sorted(c.outcome for c in credits(db_session)) == ["already_paid", "settled"]
    assert all(c.statement_line_id is not None for c in credits(db_session))


def test_statement_then_late_webhook_is_linked_not_counted(db_session, dossier):
    reference, account = pending_vietqr(db_session, dossier)
    import_credits(db_session, account, (FEE, "FT1", reference))
    assert notify(db_session, account, FEE, reference, "FT1").result == "linked"
    assert notify(db_session, account, FEE, reference, "FT1").result == "repeat"
    assert len(credits(db_session)) == 1
    assert successes_announced(db_session, payment_of(db_session, reference).id) == 1


def test_an_unmatched_notification_is_linked_by_its_statement_line(db_session, dossier):
    _, account = pending_vietqr(db_session, dossier)
    notify(db_session, account, 50_000, "ung ho", "FT9")
    result = import_credits(db_session, account, (50_000, "FT9", "ung ho"))
    assert result.payments_settled == {"linked": 1}
    assert len(credits(db_session)) == 1


def test_lines_without_a_reference_are_left_alone(db_session, dossier):
    _, account = pending_vietqr(db_session, dossier)
    result = import_credits(db_session, account, (50_000, "FT9", "tien lai thang 11"))
    assert result.payments_settled == {}
    assert credits(db_session) == []


def test_a_late_line_on_the_next_day_does_not_link_by_amount_and_reference(db_session, dossier):
    """Without the bank's id the link needs the same date; a next-day line is a second credit."""
    reference, account = pending_vietqr(db_session, dossier)
    notify(db_session, account, FEE, reference, "SEPAY-1")
    result = import_credits(db_session, account, (FEE, "OTHER", reference, "2026-11-21"))
    assert result.payments_settled == {"already_paid": 1}
    assert payment_of(db_session, reference).status == "succeeded"


def test_a_line_with_a_reference_to_no_payment_of_ours_is_left_to_reconciliation(
    db_session, dossier
):
    reference, account = pending_vietqr(db_session, dossier)
    stranger = new_reference()  # valid, but no payment of ours
    result = import_credits(db_session, account, (FEE, "FT1", stranger))
    assert result.payments_settled == {}
    assert credits(db_session) == []
    assert payment_of(db_session, reference).status == "pending"
