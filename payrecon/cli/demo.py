"""`payrecon demo`: a ready-to-look-at database with generated demo data."""

from __future__ import annotations

import click
from flask import current_app
from flask.cli import with_appcontext

from payrecon.cli.common import reports_errors
from payrecon.db import get_engine, request_session, upgrade_to_head


@click.command("demo")
@click.option("--dossiers", default=3000, show_default=True, help="how many dossiers to generate")
@click.option(
    "--base-url",
    default=None,
    help="where the demo app will be served [default: http://127.0.0.1:8000; "
    "make demo passes http://HOST:PORT]",
)
@with_appcontext
@reports_errors
def demo(dossiers: int, base_url: str | None) -> None:
    """Migrate the database and load the demo data set (once)."""
    from payrecon.demo.load import load_demo
    from payrecon.demo.officers import ensure_demo_officers
    from payrecon.demo.settings import DEMO_BASE_URL, ensure_demo_settings

    base = (base_url or DEMO_BASE_URL).rstrip("/")
    settings_path, written = ensure_demo_settings(current_app.instance_path, base)
    if written:
        click.echo(f"generated demo settings (secrets, not for production): {settings_path}")
        click.echo("  restart any running payrecon process to pick them up")
        current_app.config.from_pyfile(settings_path)
        current_app.config.from_prefixed_env("PAYRECON")  # the environment still wins
    engine = get_engine()
    upgrade_to_head(engine)
    click.echo(f"database: {engine.url.render_as_string(hide_password=True)} (migrated to head)")
    result = load_demo(
        request_session(), dossiers=dossiers, say=lambda line: click.echo(f"  {line}")
    )
    if result.already_loaded:
        click.echo(
            "demo data is already loaded; nothing changed "
            f"(delete {current_app.instance_path}/payrecon.sqlite to start over)"
        )
    logins = ensure_demo_officers(request_session(), current_app.config["DEMO_PASSWORDS"])
    click.echo(
        f"officer pages: {base}/officer/login; DEMO-ONLY accounts "
        "(generated passwords, kept in instance/settings.py):"
    )
    for login in logins:
        click.echo(f"  {login.role:<11} {login.username:<15} password {login.password}")
    if not current_app.config["SESSION_COOKIE_SECURE"]:
        click.echo(
            "  the demo serves plain http, so its sign-in cookie is not marked Secure "
            "(SESSION_COOKIE_SECURE=False); production must serve https and keep it True"
        )
    click.echo(f"look at: {base}/openapi.json, {base}/api/v1/dossiers/<code>, {base}/readyz")


COMMANDS = [demo]
