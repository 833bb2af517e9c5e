from pathlib import Path

from payrecon.cli import cli

FEEDS = Path(__file__).parents[1] / "fixtures" / "feeds"


def test_help_lists_the_commands(runner):
    result = runner.invoke(cli, ["--help"])
    assert result.exit_code == 0
    for command in ("db", "demo", "catalog", "accounts", "agencies", "dossiers"):
        assert f"  {command} " in result.output


def test_catalog_and_dossier_import_report_bad_lines_then_import_then_recognise(runner):
    bad = runner.invoke(cli, ["catalog", "import", str(FEEDS / "catalog_bad.csv")])
    assert bad.exit_code == 1
    assert "3 problems; nothing was imported" in bad.output
    assert "line 2, column fee_vnd" in bad.output
    assert "line 4, column vat_rate" in bad.output

    good = runner.invoke(cli, ["catalog", "import", str(FEEDS / "catalog_good.csv")])
    assert good.exit_code == 0, good.output
    assert "3 procedures created" in good.output
    again = runner.invoke(cli, ["catalog", "import", str(FEEDS / "catalog_good.csv")])
    assert "already imported" in again.output

    bad = runner.invoke(cli, ["dossiers", "import", str(FEEDS / "dossiers_bad.csv")])
    assert bad.exit_code == 1
    assert bad.output.count("dossiers_bad.csv: line ") == 3
    good = runner.invoke(cli, ["dossiers", "import", str(FEEDS / "dossiers_good.csv")])
    assert good.exit_code == 0, good.output
    assert "3 created" in good.output
    again = runner.invoke(cli, ["dossiers", "import", str(FEEDS / "dossiers_good.csv")])
    assert again.exit_code == 0
    assert "already imported" in again.output


def test_accounts_add_and_a_missing_file(runner):
    runner.invoke(cli, ["catalog", "import", str(FEEDS / "catalog_good.csv")])
    ok = runner.invoke(
        cli,
        [
            "accounts",
            "add",
            "--agency",
            "STP",
            "--bank-bin",
            "970436",
            "--account",
            "0141000836001",
            "--name",
            "So Tu Phap",
        ],
    )
    assert ok.exit_code == 0, ok.output
    bad = runner.invoke(
        cli,
        ["accounts", "add", "--agency", "STP", "--bank-bin", "97", "--account", "1", "--name", "x"],
    )
    assert bad.exit_code == 1
    assert "bank BIN must be 6 digits" in bad.output
    missing = runner.invoke(cli, ["dossiers", "import", "/nonexistent.csv"])
    assert missing.exit_code != 0
    assert "/nonexistent.csv" in missing.output


def test_demo_loads_once_and_keeps_its_generated_settings(runner, app):
    first = runner.invoke(cli, ["demo", "--dossiers", "50"])
    assert first.exit_code == 0, first.output
    assert "50 created" in first.output
    settings = Path(app.instance_path) / "settings.py"
    assert "NOT for production" in settings.read_text()
    assert "generated demo settings" in first.output
    second = runner.invoke(cli, ["demo", "--dossiers", "50"])
    assert "already loaded" in second.output
    assert "generated demo settings" not in second.output
