"""`payrecon reconcile` and `payrecon report` on the hand-made day, the reports' numbers, and
the /api/v1/reconciliation endpoints."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

from openpyxl import load_workbook

from payrecon.cli import cli
from payrecon.db import session_scope
from tests.e2e.auth.helpers import bearer_for
from tests.integration.reconciliation.scenario import build_day


def _reconcile(runner) -> dict:
    result = runner.invoke(cli, ["reconcile", "--date", "2026-11-24", "--json"])
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_reconcile_prints_the_run_and_reports_open_with_the_right_numbers(app, runner, tmp_path):
    with app.app_context(), session_scope() as session:
        build_day(session)
    run = _reconcile(runner)
    assert run["matches"] == 7
    assert run["exceptions"] == 15
    assert run["exceptions_by_kind"]["unmatched_credit"] == 1
    assert run["exceptions_by_kind"]["unknown_dossier"] == 2
    assert all(run["exceptions_by_kind"].values())  # every kind, at least once

    xlsx = tmp_path / "run.xlsx"
    out = runner.invoke(cli, ["report", str(run["id"]), "--format", "xlsx", "-o", str(xlsx)])
    assert out.exit_code == 0, out.output
    book = load_workbook(xlsx)
    assert book.sheetnames == ["Summary", "Exceptions", "Matches"]
    summary = book["Summary"]
    header = [c.value for c in summary[1]]
    total = [c.value for c in summary[summary.max_row]]
    assert total[0] == "TOTAL"
    as_dict = dict(zip(header, total, strict=True))
    # paid payments: P1 P2 P3 P5 P6 P8 P9 P10 P12 P14 P15 P16 (P11 expired; OLD is too old)
    assert as_dict["expected_count"] == 12
    assert as_dict["expected_vnd"] == 1_990_000
    assert as_dict["matched_count"] == 7
    assert as_dict["matched_vnd"] == 640_000
    assert as_dict["open_exceptions"] == 15
    assert as_dict["open_unmatched_credit"] == 1
    assert summary["D2"].number_format == '#,##0 "₫"'
    assert summary.freeze_panes == "A2"
    assert book["Exceptions"].auto_filter.ref.startswith("A1:")
    assert book["Matches"].max_row == 8

    again = tmp_path / "again.xlsx"
    runner.invoke(cli, ["report", str(run["id"]), "--format", "xlsx", "-o", str(again)])
    assert again.read_bytes() == xlsx.read_bytes()


def test_a_rerun_gives_a_byte_identical_report(app, runner, tmp_path):
    with app.app_context(), session_scope() as session:
        build_day(session)
    first, second = _reconcile(runner), _reconcile(runner)
    assert first["id"] != second["id"]
    for fmt in ("xlsx", "csv", "html"):
        a, b = tmp_path / f"a.{fmt}", tmp_path / f"b.{fmt}"
        runner.invoke(cli, ["report", str(first["id"]), "--format", fmt, "-o", str(a)])
        runner.invoke(cli, ["report", str(second["id"]), "--format", fmt, "-o", str(b)])
        assert a.read_bytes() == b.read_bytes(), fmt
    html = (tmp_path / "a.html").read_text()
    assert "<svg" in html
    assert "<script" not in html


def test_csv_report_neutralises_formulas(app, runner, tmp_path):
    with app.app_context(), session_scope() as session:
        build_day(session, unmatched_text="=HYPERLINK(1)")
    run = _reconcile(runner)
    path = tmp_path / "r.csv"
    runner.invoke(cli, ["report", str(run["id"]), "--format", "csv", "-o", str(path)])
    rows = list(csv.reader(io.StringIO(path.read_text(encoding="utf-8-sig"))))
    cells = [cell for row in rows for cell in row]
    assert not any(cell.startswith("=") for cell in cells)
    assert any("=HYPERLINK(1)" in cell for cell in cells)


def test_report_of_an_unknown_run_says_so(runner, tmp_path):
    out = runner.invoke(cli, ["report", "999", "--format", "csv", "-o", str(tmp_path / "x")])
    assert out.exit_code == 1
    assert "no reconciliation run 999" in out.output


def test_the_api_lists_runs_and_filters_exceptions(app, client, runner):
    with app.app_context(), session_scope() as session:
        build_day(session)
        headers = bearer_for(session, "reconciliation:read")
    run = _reconcile(runner)
    listed = client.get("/api/v1/reconciliation/runs", headers=headers).get_json()
    assert listed["total"] == 1
    assert listed["items"][0]["id"] == run["id"]
    one = client.get(f"/api/v1/reconciliation/runs/{run['id']}", headers=headers).get_json()
    assert one["exception_counts"]["amount_mismatch"] == 1
    page = client.get(
        f"/api/v1/reconciliation/runs/{run['id']}/exceptions?kind=missing_credit&limit=5",
        headers=headers,
    ).get_json()
    assert page["total"] == 1
    assert page["items"][0]["kind"] == "missing_credit"
    assert page["items"][0]["amount_vnd"] == 500_000
    bad = client.get(
        f"/api/v1/reconciliation/runs/{run['id']}/exceptions?kind=nonsense", headers=headers
    )
    assert bad.status_code == 422
    assert client.get("/api/v1/reconciliation/runs").status_code == 401
    assert client.get("/api/v1/reconciliation/runs/999", headers=headers).status_code == 404


def test_the_nightly_job_writes_its_three_reports_into_the_instance_reports_folder(app, runner):
    with app.app_context(), session_scope() as session:
        build_day(session)
    result = runner.invoke(cli, ["jobs", "run-once", "reconcile", "--date", "2026-11-24"])
    assert result.exit_code == 0, result.output
    folder = Path(app.instance_path) / "reports"
    assert app.config["REPORTS_DIR"] == str(folder)
    written = sorted(path.name for path in folder.iterdir())
    assert written == [f"reconciliation-2026-11-24.{fmt}" for fmt in ("csv", "html", "xlsx")]
    assert load_workbook(folder / "reconciliation-2026-11-24.xlsx").sheetnames[0] == "Summary"
