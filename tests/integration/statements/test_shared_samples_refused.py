"""Every shared sample statement goes through the import service and is refused for its currency.

The shared samples are foreign test data (EUR, CHF, SEK, USD): none is a VND statement of one of
our collection accounts, so each is refused whole, naming every statement and its currency,
even when the account number in it is registered. The parse-level counts are asserted by the
parser tests (tests/unit/statements/test_shared_samples.py).
"""

from __future__ import annotations

import os

import pytest

from payrecon.errors import ImportRejected
from payrecon.statements import service
from tests.integration.statements.helpers import NOTHING, SHARED_SAMPLES, add_account, row_counts

# file -> (statements refused, a currency each message names, the account in the file)
SAMPLES = {
    "bsp_camt053v02_duplicate_same_day.xml": (1, "EUR", "DE89370400440532013000"),
    "genkgo_camt052v08.xml": (1, "SEK", "CH2801234000123456789"),
    "genkgo_camt053v02_multi_statement.xml": (2, "EUR", "NL26VAYB8060476890"),
    "genkgo_camt053v08.xml": (1, "SEK", "NL26VAYB8060476890"),
    "genkgo_camt054v08_batch.xml": (1, "CHF", "CH2801234000123456789"),
    "mt940_betterplace_sepa_reversals.sta": (26, "EUR", "50880050/0194774600888"),
    "mt940_citi_blank_entry_date.txt": (1, "USD", "123456789"),
    "mt940_ing_header_trailer.sta": (1, "EUR", "0001234567"),
    "oca_camt053v02_reversal_batch.xml": (1, "EUR", "NL77ABNA0574908765"),
    "oca_camt053v04_batched_credit.xml": (1, "CHF", "CH1111000000123456789"),
}


def sample(name: str) -> bytes:
    path = SHARED_SAMPLES / name
    if not path.is_file():
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(f"CI must run the shared sample tests: {path} is missing")
        pytest.skip(f"shared sample {name} is not at {path}")
    return path.read_bytes()


def test_the_table_covers_every_shared_sample():
    if not SHARED_SAMPLES.is_dir():
        pytest.skip(f"no shared samples at {SHARED_SAMPLES}")
    on_disk = {p.name for p in SHARED_SAMPLES.iterdir() if p.suffix in {".xml", ".sta", ".txt"}}
    assert on_disk == set(SAMPLES)


@pytest.mark.parametrize("name", sorted(SAMPLES))
def test_a_shared_sample_is_refused_for_its_currency_and_nothing_is_written(db_session, name):
    refused, currency, account = SAMPLES[name]
    data = sample(name)
    # registered or not, the account does not make a foreign-currency statement ours
    add_account(db_session, account.rsplit("/", 1)[-1][-19:])
    with pytest.raises(ImportRejected) as caught:
        service.import_statement_file(db_session, data, filename=name, actor="test")
    problems = caught.value.problems
    assert len(problems) == refused
    for problem in problems:
        assert problem.detail.startswith("statement ")
        assert f" is in {currency}" in problem.detail or f", {currency}" in problem.detail
        assert "only VND statements" in problem.detail
    assert str(caught.value) == (
        f"{name}: {refused} problem{'s' if refused > 1 else ''}; nothing was imported"
    )
    assert row_counts(db_session) == NOTHING
