"""`payrecon statements import` and `payrecon settlements import`, end to end."""

from __future__ import annotations

from payrecon.cli import cli
from tests.integration.statements.helpers import (
    BILLION_LAUGHS,
    FIXTURES,
    NOTHING,
    add_account,
    row_counts,
)


def test_statements_import_prints_progress_and_a_summary_then_recognises_the_file(
    runner, db_session
):
    add_account(db_session)
    path = str(FIXTURES / "camt053v08_vnd.xml")
    result = runner.invoke(cli, ["statements", "import", path])
    assert result.exit_code == 0, result.output
    assert f"importing {path}" in result.stderr  # the progress bar
    assert result.stdout.strip() == (
        f"{path}: 2 statement(s), 7 line(s) stored, credits 1733500 VND, debits 50000 VND, "
        "0 duplicate(s) skipped, 0 finding(s)"
    )
    again = runner.invoke(cli, ["statements", "import", path])
    assert again.exit_code == 0
    assert "already imported" in again.stdout

    overlap = runner.invoke(cli, ["statements", "import", str(FIXTURES / "mt940_vnd.sta")])
    assert overlap.exit_code == 0, overlap.output
    assert "1 line(s) stored" in overlap.stdout
    assert "3 duplicate(s) skipped" in overlap.stdout


def test_findings_are_printed_and_the_file_still_imports(runner, db_session, tmp_path):
    add_account(db_session)
    changed = tmp_path / "mismatch.xml"
    changed.write_bytes(
        (FIXTURES / "camt053v08_vnd.xml")
        .read_bytes()
        .replace(b'<Amt Ccy="VND">200000</Amt>', b'<Amt Ccy="VND">210000</Amt>')
    )
    result = runner.invoke(cli, ["statements", "import", str(changed)])
    assert result.exit_code == 0, result.output
    assert "1 finding(s)" in result.stdout
    assert "finding: statement 0011000000001-20261102: balance_mismatch" in result.stderr
    assert "batch_total_mismatch" not in result.stderr


def test_a_foreign_statement_and_an_unknown_account_exit_1_and_write_nothing(runner, db_session):
    foreign = runner.invoke(
        cli, ["statements", "import", str(FIXTURES / "mt940_citi_blank_entry_date.txt")]
    )
    assert foreign.exit_code == 1
    assert "1 problem; nothing was imported" in foreign.stderr
    assert "statement asdfsdfdsf is in USD" in foreign.stderr

    unknown = runner.invoke(cli, ["statements", "import", str(FIXTURES / "mt940_vnd.sta")])
    assert unknown.exit_code == 1
    assert "account 0011000000001 of statement STMT20261101 is not a registered" in (unknown.stderr)
    assert row_counts(db_session) == NOTHING


def test_a_csv_without_an_account_takes_one_from_the_option(runner, db_session):
    add_account(db_session)
    path = str(FIXTURES / "generic_vnd.csv")
    refused = runner.invoke(cli, ["statements", "import", path])
    assert refused.exit_code == 1
    assert "names no account" in refused.stderr
    result = runner.invoke(
        cli, ["statements", "import", path, "--format", "csv", "--account", "0011000000001"]
    )
    assert result.exit_code == 0, result.output
    assert "3 line(s) stored, credits 200000 VND, debits 20000 VND" in result.stdout


def test_attack_files_are_refused_with_exit_1(runner, db_session, tmp_path):
    add_account(db_session)
    laughs = tmp_path / "laughs.xml"
    laughs.write_bytes(BILLION_LAUGHS)
    result = runner.invoke(cli, ["statements", "import", str(laughs)])
    assert result.exit_code == 1
    assert "<!DOCTYPE declaration is refused" in result.stderr

    huge = tmp_path / "huge.xml"
    with huge.open("wb") as handle:  # sparse: 200 MB long, nothing written to disk
        handle.truncate(200 * 1024 * 1024)
    result = runner.invoke(cli, ["statements", "import", str(huge)])
    assert result.exit_code == 1
    assert "file is 209,715,200 bytes; the limit is 52,428,800 bytes" in result.stderr
    assert row_counts(db_session) == NOTHING


def test_an_unknown_format_name_is_a_usage_error(runner):
    result = runner.invoke(
        cli, ["statements", "import", str(FIXTURES / "mt940_vnd.sta"), "--format", "pdf"]
    )
    assert result.exit_code == 2
    assert "'pdf' is not one of" in result.stderr


def test_settlements_import(runner, db_session):
    path = str(FIXTURES / "settlement_vnpay.csv")
    result = runner.invoke(cli, ["settlements", "import", path])
    assert result.exit_code == 0, result.output
    assert result.stdout.strip() == (
        f"{path}: 2 settlement batch(es), 3 payment(s) stored, gross 1700000 VND, "
        "fee 18700 VND, net 1681300 VND, 0 batch(es) already stored"
    )
    again = runner.invoke(cli, ["settlements", "import", path])
    assert "already imported" in again.stdout

    bad = runner.invoke(cli, ["settlements", "import", str(FIXTURES / "mt940_vnd.sta")])
    assert bad.exit_code == 1
    assert "settlement report lacks column(s)" in bad.stderr
