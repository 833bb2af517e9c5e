"""`payrecon payments …`: the periodic payment jobs by hand, and the finance office's refunds."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

import click
from flask.cli import with_appcontext

from payrecon.cli.common import cli_actor, reports_errors
from payrecon.db import request_session

LOCAL = ZoneInfo("Asia/Ho_Chi_Minh")


def _business_date(value: str | None) -> date:
    if value is None:
        return datetime.now(LOCAL).date()
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(f"{value!r} is not a date like 2026-11-25") from None


DATE_OPTION = click.option(
    "--date", "business_date", default=None, help="business date YYYY-MM-DD (default: today)"
)


@click.group("payments", help="Payments: expiry, the VNPAY mop-up, idempotency keys, refunds.")
def payments_group() -> None:
    pass


@payments_group.command("expire")
@DATE_OPTION
@with_appcontext
@reports_errors
def expire(business_date: str | None) -> None:
    """Expire pending payments whose time ran out."""
    from payrecon.payments import service

    click.echo(service.expire_pending_payments(request_session(), _business_date(business_date)))


@payments_group.command("settle-vnpay")
@DATE_OPTION
@with_appcontext
@reports_errors
def settle_vnpay(business_date: str | None) -> None:
    """Ask VNPAY (querydr) about stale pending card payments and settle them."""
    from payrecon.payments import service

    click.echo(
        service.settle_stale_vnpay_payments(request_session(), _business_date(business_date))
    )


@payments_group.command("purge-keys")
@DATE_OPTION
@with_appcontext
@reports_errors
def purge_keys(business_date: str | None) -> None:
    """Delete Idempotency-Keys older than 24 hours."""
    from payrecon.payments import service

    click.echo(service.purge_idempotency_keys(request_session(), _business_date(business_date)))


@payments_group.command("refund-transferred")
@click.argument("refund_id", type=int)
@click.option("--note", default=None, help="e.g. the bank reference of the transfer")
@with_appcontext
@reports_errors
def refund_transferred(refund_id: int, note: str | None) -> None:
    """Record that a VietQR refund has been paid back by bank transfer."""
    from payrecon.payments import service

    refund = service.complete_refund_transfer(
        request_session(), refund_id, actor=cli_actor(), note=note
    )
    click.echo(
        f"refund {refund['id']}: {refund['status']} ({refund['amount_vnd']} VND); "
        f"payment {refund['payment_id']} is {refund['payment_status']}"
    )


COMMANDS = [payments_group]
