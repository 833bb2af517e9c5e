"""`payrecon tokens …` and `payrecon users …`."""

from payrecon.auth import queries, service
from payrecon.auth.tokens import parse_token
from payrecon.cli import cli

PASSWORD = "mật khẩu đủ dài 2026"


def test_tokens_create_list_revoke(runner, db_session):
    created = runner.invoke(
        cli,
        [
            *("tokens", "create", "--name", "thue-qn"),
            *("--scope", "tax:read", "--scope", "tax:write", "--expires-in-days", "90"),
        ],
    )
    assert created.exit_code == 0, created.output
    token = created.stdout.strip()
    public_id, secret = parse_token(token)  # stdout holds the token and nothing else
    assert "cannot be shown again" in created.stderr

    listed = runner.invoke(cli, ["tokens", "list"])
    assert listed.exit_code == 0
    assert public_id in listed.output
    assert "thue-qn" in listed.output
    assert "tax:read tax:write" in listed.output
    assert "active" in listed.output
    assert secret not in listed.output

    revoked = runner.invoke(cli, ["tokens", "revoke", public_id])
    assert revoked.exit_code == 0, revoked.output
    assert f"token {public_id} (thue-qn) revoked" in revoked.output
    assert "revoked" in runner.invoke(cli, ["tokens", "list"]).output

    missing = runner.invoke(cli, ["tokens", "revoke", "ffffffffffffffff"])
    assert missing.exit_code == 1
    assert "no API token with id 'ffffffffffffffff'" in missing.output


def test_tokens_create_refuses_an_unknown_scope(runner, db_session):
    result = runner.invoke(cli, ["tokens", "create", "--name", "x", "--scope", "tax:all"])
    assert result.exit_code == 1
    assert "unknown scope 'tax:all'" in result.output
    assert "prt_" not in result.stdout
    assert queries.list_tokens(db_session) == []


def test_users_create_list_disable(runner, db_session):
    created = runner.invoke(
        cli,
        [
            *("users", "create", "--username", "hoa.tt", "--name", "Trần Thị Hoa"),
            *("--role", "supervisor", "--password-stdin"),
        ],
        input=PASSWORD + "\n",
    )
    assert created.exit_code == 0, created.output
    assert "officer hoa.tt (Trần Thị Hoa) created with role supervisor" in created.output
    assert service.authenticate_officer(db_session, "hoa.tt", PASSWORD, "127.0.0.1")

    listed = runner.invoke(cli, ["users", "list"])
    assert "hoa.tt" in listed.output
    assert "supervisor" in listed.output
    assert "active" in listed.output

    disabled = runner.invoke(cli, ["users", "disable", "hoa.tt"])
    assert disabled.exit_code == 0, disabled.output
    assert "disabled since" in runner.invoke(cli, ["users", "list"]).output


def test_users_create_prompts_twice_without_stdin_flag(runner, db_session):
    result = runner.invoke(
        cli,
        ["users", "create", "--username", "an.nv", "--name", "Nguyễn Văn An", "--role", "auditor"],
        input=f"{PASSWORD}\n{PASSWORD}\n",
    )
    assert result.exit_code == 0, result.output
    assert PASSWORD not in result.output
    assert queries.find_officer(db_session, "an.nv").role == "auditor"


def test_users_create_reports_a_weak_password_and_an_unknown_role(runner, db_session):
    weak = runner.invoke(
        cli,
        [
            "users",
            "create",
            "--username",
            "x1",
            "--name",
            "X",
            "--role",
            "officer",
            "--password-stdin",
        ],
        input="short\n",
    )
    assert weak.exit_code == 1
    assert "at least 12 characters (password)" in weak.output
    role = runner.invoke(
        cli,
        ["users", "create", "--username", "x1", "--name", "X", "--role", "cashier"],
        input="x\n",
    )
    assert role.exit_code != 0
    assert "cashier" in role.output
    assert queries.list_officers(db_session) == []
