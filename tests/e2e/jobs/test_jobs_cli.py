"""`payrecon jobs list | run-once | history` through the real command group."""

from __future__ import annotations

from payrecon.cli import cli


def test_the_jobs_group_is_part_of_the_payrecon_command(runner):
    result = runner.invoke(cli, ["jobs", "--help"])
    assert result.exit_code == 0
    for command in ("run", "run-once", "list", "history"):
        assert f"  {command} " in result.output


def test_list_shows_each_job_its_timing_and_its_last_run(runner, test_jobs):
    before = runner.invoke(cli, ["jobs", "list"])
    assert before.exit_code == 0, before.output
    note_line = next(
        line for line in before.output.splitlines() if line.startswith("note-nightly ")
    )
    assert "nightly at 01:30 (Asia/Ho_Chi_Minh) for the previous day" in note_line
    assert note_line.endswith("never run")
    assert "notes the business date (test)" in before.output
    assert "every minute" in before.output

    runner.invoke(cli, ["jobs", "run-once", "note-nightly", "--date", "2026-11-20"])
    after = runner.invoke(cli, ["jobs", "list"])
    note_line = next(line for line in after.output.splitlines() if line.startswith("note-nightly "))
    assert note_line.endswith("last: 2026-11-20 succeeded")


def test_run_once_runs_skips_a_done_date_and_re_runs_it_with_force(runner, test_jobs):
    first = runner.invoke(cli, ["jobs", "run-once", "note-nightly", "--date", "2026-11-20"])
    assert first.exit_code == 0, first.output
    assert "note-nightly 2026-11-20: succeeded (run " in first.output
    assert first.output.rstrip().endswith("noted 2026-11-20")

    again = runner.invoke(cli, ["jobs", "run-once", "note-nightly", "--date", "2026-11-20"])
    assert again.exit_code == 0
    assert "already succeeded" in again.output
    assert "--force re-runs it" in again.output

    forced = runner.invoke(
        cli, ["jobs", "run-once", "note-nightly", "--date", "2026-11-20", "--force"]
    )
    assert forced.exit_code == 0
    assert "succeeded (run " in forced.output

    history = runner.invoke(cli, ["jobs", "history", "--job", "note-nightly"])
    rows = history.output.splitlines()[1:]
    assert len(rows) == 2
    assert all("2026-11-20" in row and " succeeded " in row for row in rows)
    assert all(row.rstrip().endswith("noted 2026-11-20") for row in rows)


def test_a_failing_job_exits_1_and_shows_in_history(runner, test_jobs):
    failed = runner.invoke(cli, ["jobs", "run-once", "fails-nightly", "--date", "2026-11-20"])
    assert failed.exit_code == 1
    assert "fails-nightly 2026-11-20: failed (run " in failed.output
    assert "RuntimeError: statement inbox unreadable for 2026-11-20" in failed.output

    history = runner.invoke(cli, ["jobs", "history"])
    [header, row] = history.output.splitlines()
    assert header.split()[:4] == ["id", "job", "run", "key"]
    assert "fails-nightly" in row
    assert " failed " in row
    assert row.rstrip().endswith("RuntimeError: statement inbox unreadable for 2026-11-20")


def test_history_filters_by_job_and_limits_newest_first(runner, test_jobs):
    for day in ("2026-11-18", "2026-11-19", "2026-11-20"):
        runner.invoke(cli, ["jobs", "run-once", "note-nightly", "--date", day])
    runner.invoke(cli, ["jobs", "run-once", "fails-nightly", "--date", "2026-11-20"])

    latest_two = runner.invoke(cli, ["jobs", "history", "--job", "note-nightly", "--limit", "2"])
    rows = latest_two.output.splitlines()[1:]
    assert [row.split()[2] for row in rows] == ["2026-11-20", "2026-11-19"]
    everything = runner.invoke(cli, ["jobs", "history"])
    assert len(everything.output.splitlines()) == 1 + 4


def test_history_of_nothing_says_so(runner, test_jobs):
    result = runner.invoke(cli, ["jobs", "history"])
    assert result.exit_code == 0
    assert result.output == "no runs recorded\n"


def test_an_unknown_job_or_a_bad_date_is_a_usage_error(runner, test_jobs):
    unknown = runner.invoke(cli, ["jobs", "run-once", "no-such-job"])
    assert unknown.exit_code == 2
    assert "no job named 'no-such-job'" in unknown.output
    assert "note-nightly" in unknown.output
    bad_date = runner.invoke(cli, ["jobs", "run-once", "note-nightly", "--date", "20/11/2026"])
    assert bad_date.exit_code == 2
    assert "--date" in bad_date.output
