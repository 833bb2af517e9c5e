"""Settings warnings reach the configured log handler, and defaults that depend on the instance."""

from __future__ import annotations

import json
from pathlib import Path

from payrecon import create_app


def test_a_missing_secret_key_is_warned_about_through_the_configured_json_logs(
    tmp_path, monkeypatch, capsys
):
    monkeypatch.delenv("PAYRECON_SECRET_KEY", raising=False)
    monkeypatch.setenv("PAYRECON_LOG_FORMAT", "json")
    app = create_app(
        {
            "DATABASE_URL": f"sqlite:///{tmp_path / 'x.sqlite'}",
            "INSTANCE_PATH": str(tmp_path / "instance"),
        }
    )
    assert len(app.config["SECRET_KEY"]) == 64
    lines = [line for line in capsys.readouterr().err.splitlines() if "SECRET_KEY" in line]
    [record] = [json.loads(line) for line in lines]
    assert record["level"] == "WARNING"
    assert "PAYRECON_SECRET_KEY is not set" in record["message"]


def test_the_reports_folder_defaults_to_the_instance_folder_and_the_environment_wins(
    tmp_path, monkeypatch
):
    config = {"DATABASE_URL": "sqlite://", "SECRET_KEY": "x", "INSTANCE_PATH": str(tmp_path)}
    assert create_app(config).config["REPORTS_DIR"] == str(Path(tmp_path) / "reports")
    monkeypatch.setenv("PAYRECON_REPORTS_DIR", "/srv/payrecon/reports")
    assert create_app(config).config["REPORTS_DIR"] == "/srv/payrecon/reports"
