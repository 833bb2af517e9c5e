import re
from pathlib import Path

from payrecon.cli import cli
from tests.e2e.officer.helpers import sign_in


def printed_logins(output: str) -> dict[str, tuple[str, str]]:
    found = re.findall(
        r"^  (officer|supervisor|auditor|admin) +(\S+) +password (\S+)$", output, re.M
    )
    return {role: (username, password) for role, username, password in found}


def test_the_demo_prints_demo_only_logins_that_work_and_keeps_them(runner, app):
    first = runner.invoke(cli, ["demo", "--dossiers", "5"])
    assert first.exit_code == 0, first.output
    assert "DEMO-ONLY accounts" in first.output
    logins = printed_logins(first.output)
    assert set(logins) == {"officer", "supervisor", "auditor", "admin"}
    assert "not marked Secure" in first.output
    settings = (Path(app.instance_path) / "settings.py").read_text()
    assert "SESSION_COOKIE_SECURE = False" in settings

    second = runner.invoke(cli, ["demo", "--dossiers", "5"])
    assert printed_logins(second.output) == logins  # the same passwords every run

    username, password = logins["supervisor"]
    response = sign_in(app.test_client(), username, password)
    assert response.status_code == 303
    assert response.headers["Location"] == "/officer/"


def test_an_older_demo_settings_file_gains_the_new_settings(runner, app):
    settings = Path(app.instance_path) / "settings.py"
    settings.parent.mkdir(parents=True, exist_ok=True)
    settings.write_text("SECRET_KEY = 'kept from an older demo'\n")
    result = runner.invoke(cli, ["demo", "--dossiers", "5"])
    assert result.exit_code == 0, result.output
    text = settings.read_text()
    assert "SECRET_KEY = 'kept from an older demo'" in text
    assert "DEMO_PASSWORDS = {" in text
    assert len(printed_logins(result.output)) == 4
