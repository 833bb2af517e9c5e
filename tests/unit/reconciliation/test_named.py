"""Credits whose text names a dossier or a payment reference: the rule of reconciliation.named."""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest

from payrecon.reconciliation import frames as f
from payrecon.reconciliation.engine import Settings, reconcile
from payrecon.reconciliation.named import KNOWN_REFERENCES, dossier_codes_in, names_in_credits
from tests.unit.reconciliation.builders import credit, dossier, frames, payment, reference_for
from tests.unit.reconciliation.test_engine_scenario import SETTINGS, scenario

DAY = date(2026, 11, 24)
D23 = date(2026, 11, 23)
CODE = "000.00.20.H49-241125-0001"


@pytest.mark.parametrize(
    ("text", "codes"),
    [
        (f"Nop phi ho so {CODE}", [CODE]),
        ("nop phi 000 00 20 h49 241125 0001 nguyen van a", [CODE]),
        ("HS 000-00-20-H49/241125_0001", [CODE]),
        ("MBVCB.123.000.00.241124.H40-000001.TRAN THI B", ["000.00.241124.H40-000001"]),
        (f"{CODE} va {CODE}", [CODE]),
    ],
)
def test_dossier_codes_are_found_whatever_the_separators(text, codes):
    assert dossier_codes_in(text) == codes


@pytest.mark.parametrize(
    "text",
    [
        "chuyen khoan tu TK 0071000123456",  # an account number
        "000.00.20.H49 nop phi",  # the agency part alone, no serial
        "X000.00.20.H49-241125-0001",  # glued to a longer token
        "000.00.20.H49-241125-0001X",
        "000.00.20.H49-2411250001",  # serial groups run together: too long
        "00.00.20.H49-241125-0001",  # two digits where three belong
        "FT26305000001 NAPAS247-000001",
    ],
)
def test_near_misses_name_no_dossier(text):
    assert dossier_codes_in(text) == []


def run(lines, *, payments=(), dossiers=(), known=()):
    inputs = frames(payments=list(payments), bank_lines=list(lines), dossiers=list(dossiers))
    known_frame = f.frame_from_records(KNOWN_REFERENCES, known)
    return reconcile(**inputs, known_references=known_frame, settings=Settings(DAY))


def kinds(result) -> list[tuple[str, str]]:
    return list(zip(result.exceptions["kind"], result.exceptions["fingerprint"], strict=True))


STRANGER = reference_for(4242)  # well formed, carried by no payment


def test_an_unknown_well_formed_reference_is_unknown_dossier_and_holds_the_credit():
    result = run([credit(1, 77_000, f"Nop phi {STRANGER} nguyen van a", D23)])
    assert kinds(result) == [("unknown_dossier", "unknown_dossier|line=1")]
    row = result.exceptions.iloc[0]
    assert row.unreconciled_line_ids == (1,)
    assert row.evidence["reason"] == "unknown_reference"
    assert row.evidence["unknown_references"] == [STRANGER]


@pytest.mark.parametrize(
    "text",
    [
        STRANGER[:-1],  # cut short by the bank: fails its check
        STRANGER[:5] + ("A" if STRANGER[5] != "A" else "B") + STRANGER[6:],  # one typo
        "chuyen tien hoc phi",
    ],
)
def test_nothing_recognisable_stays_an_unmatched_credit(text):
    result = run([credit(1, 77_000, text, D23)])
    assert kinds(result) == [("unmatched_credit", "unmatched_credit|line=1")]


def test_a_reference_of_an_older_payment_of_ours_is_not_unknown():
    known = [{"reference": STRANGER, "payment_id": 900, "status": "succeeded"}]
    result = run([credit(1, 77_000, STRANGER, D23)], known=known)
    assert kinds(result) == [("unmatched_credit", "unmatched_credit|line=1")]


def test_a_reference_of_ours_outweighs_an_unknown_dossier_code_beside_it():
    known = [{"reference": STRANGER, "payment_id": 900, "status": "succeeded"}]
    result = run([credit(1, 77_000, f"{STRANGER} {CODE}", D23)], known=known)
    assert kinds(result) == [("unmatched_credit", "unmatched_credit|line=1")]


def test_a_dossier_code_we_do_not_have_is_unknown_dossier():
    result = run([credit(1, 50_000, f"nop phi ho so {CODE}", D23)])
    assert kinds(result) == [("unknown_dossier", f"unknown_dossier|line=1|dossier={CODE}")]
    assert result.exceptions.iloc[0].evidence["reason"] == "unknown_dossier_code"


def test_a_cancelled_dossiers_code_is_cancelled_dossier_with_a_refund_due():
    cancelled = dossier(CODE, 50_000, status="cancelled")
    result = run(
        [credit(1, 50_000, f"nop phi {CODE} {STRANGER}", D23)],
        dossiers=[cancelled],
    )
    assert kinds(result) == [("cancelled_dossier", f"cancelled_dossier|line=1|dossier={CODE}")]
    row = result.exceptions.iloc[0]
    assert (row.amount_vnd, row.evidence["refund_due_vnd"]) == (50_000, 50_000)
    assert row.unreconciled_line_ids == (1,)


def test_a_live_dossiers_code_goes_on_to_proposals():
    live = dossier(CODE, 65_000)
    pending = payment(7, 65_000, paid=None, dossier_code=CODE)
    result = run(
        [credit(1, 65_000, f"nop phi {CODE} {STRANGER}", D23)], payments=[pending], dossiers=[live]
    )
    assert result.exceptions.empty
    assert result.proposals[["line_id", "rank", "payment_id"]].values.tolist() == [[1, 1, 7]]


def test_an_unknown_reference_is_not_proposed_even_when_an_amount_fits():
    pending = payment(7, 77_000, paid=None)
    result = run(
        [credit(1, 77_000, STRANGER, D23)], payments=[pending], dossiers=[dossier("D7", 77_000)]
    )
    assert result.proposals.empty
    assert kinds(result) == [("unknown_dossier", "unknown_dossier|line=1")]


def test_a_credit_matched_by_its_reference_is_not_looked_at_again():
    paid = payment(7, 77_000, paid=D23)
    result = run(
        [credit(1, 77_000, f"{reference_for(7)} {CODE}", D23)],
        payments=[paid],
        dossiers=[dossier("D7", 77_000)],
    )
    assert result.matches[["rule", "payment_id"]].values.tolist() == [["reference_amount", 7]]
    assert not result.exceptions["kind"].isin(["unknown_dossier", "cancelled_dossier"]).any()
    assert isinstance(result.exceptions, pd.DataFrame)


def test_references_found_by_the_loader_give_the_same_result_as_the_engines_own():
    inputs = scenario()
    names = names_in_credits(inputs["bank_lines"])
    own = reconcile(**inputs, settings=SETTINGS)
    given = reconcile(**inputs, credit_references=names.found, settings=SETTINGS)
    for part in ("matches", "proposals", "exceptions", "awaiting"):
        pd.testing.assert_frame_equal(getattr(given, part), getattr(own, part))
    assert names.references == sorted(set(names.found["reference"]))
    assert names.dossier_codes == []
