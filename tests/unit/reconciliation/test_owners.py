"""Placing an exception under its agency and procedure from the records its evidence names."""

from payrecon.reconciliation.owners import Records, exception_owner, records_to_look_up

A, B = 1, 2  # agencies
ACCOUNT_LINE = 70  # a bank line on agency A's account


def frames_owner(payment_id, line_id):
    """The run's frames: payment 5 (agency A, procedure 10) and line 70 (agency A)."""
    if payment_id == 5:
        return A, 10
    if line_id == ACCOUNT_LINE:
        return A, None
    return None, None


RECORDS = Records(
    payments={9: (B, 20)},
    dossiers={"HS-1": (A, 11), "HS-2": (B, 21)},
    invoices={3: (B, 22)},
)


def test_the_frames_answer_first_and_nothing_is_looked_up_for_it():
    place = exception_owner(frames_owner, RECORDS)
    assert place({"payment_ids": [5], "dossier_ids": ["HS-2"]}) == (A, 10)
    wanted = records_to_look_up([{"payment_ids": [5], "dossier_ids": ["HS-2"]}], frames_owner)
    assert (wanted.payment_ids, wanted.dossier_codes) == (frozenset(), frozenset())


def test_a_dossier_alone_is_placed_by_its_procedure():
    place = exception_owner(frames_owner, RECORDS)
    assert place({"dossier_ids": ["HS-1"]}) == (A, 11)
    assert records_to_look_up([{"dossier_ids": ["HS-1"]}], frames_owner).dossier_codes == {"HS-1"}


def test_an_invoice_is_placed_before_its_payment():
    place = exception_owner(frames_owner, RECORDS)
    assert place({"invoice_ids": [3], "payment_ids": [9]}) == (B, 22)
    assert place({"invoice_ids": [4], "payment_ids": [9]}) == (B, 20)


def test_a_credit_stays_with_the_agency_whose_account_took_the_money():
    place = exception_owner(frames_owner, RECORDS)
    # the credit names agency B's dossier but landed on agency A's account
    assert place({"line_ids": [ACCOUNT_LINE], "dossier_ids": ["HS-2"]}) == (A, None)
    # a dossier of the same agency gives the procedure
    assert place({"line_ids": [ACCOUNT_LINE], "dossier_ids": ["HS-1"]}) == (A, 11)


def test_nothing_known_stays_unknown():
    place = exception_owner(frames_owner, RECORDS)
    assert place({"line_ids": [99]}) == (None, None)
    assert place({"dossier_ids": ["HS-404"]}) == (None, None)
