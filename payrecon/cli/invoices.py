"""`payrecon invoices …` (validate, issue, correct) and `payrecon keys generate`."""

from __future__ import annotations

import sys
from datetime import datetime
from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext

from payrecon.cli.common import cli_actor, read_input_file, reports_errors
from payrecon.db import request_session
from payrecon.errors import InvalidInvoiceXml

LOCAL_TIME_ZONE = "Asia/Ho_Chi_Minh"


@click.group("invoices", help="E-invoices: validate files, issue for paid fees, corrections.")
def invoices_group() -> None:
    pass


def _verdict(stage: str, problems: list[str]) -> bool:
    if problems:
        count = len(problems)
        click.echo(f"{stage}: FAILED ({count} problem{'s' if count != 1 else ''})")
        for problem in problems:
            click.echo(f"  {problem}")
        return False
    click.echo(f"{stage}: ok")
    return True


@invoices_group.command("validate")
@click.argument("file", type=click.Path(dir_okay=False))
@click.option(
    "--cert",
    "cert_path",
    type=click.Path(dir_okay=False, exists=True),
    help="trusted seller certificate (PEM); default PAYRECON_SIGNING_CERT when set",
)
@with_appcontext
def validate_invoice(file: str, cert_path: str | None) -> None:
    """Check FILE.xml: the XSD (every violation, located), the business rules, the signature.

    Each stage prints its verdict; the exit status is 0 only when all three pass.
    """
    from zoneinfo import ZoneInfo

    from payrecon.invoices.rules import invoice_problems
    from payrecon.invoices.signing import verify_invoice
    from payrecon.invoices.xsd import SCHEMA_VERSION, parse_xml, schema_problems

    xml = read_input_file(file)
    passed = _verdict(f"schema ({SCHEMA_VERSION})", schema_problems(xml))
    try:
        parse_xml(xml)
    except InvalidInvoiceXml:
        click.echo("business rules: skipped (the file is not readable XML)")
        click.echo("signature: skipped (the file is not readable XML)")
        sys.exit(1)
    today = datetime.now(ZoneInfo(LOCAL_TIME_ZONE)).date()
    try:
        rules = [str(problem) for problem in invoice_problems(xml, today=today)]
    except InvalidInvoiceXml as exc:
        rules = [f"{exc.where}: {exc}"]
    passed = _verdict("business rules", rules) and passed
    cert_path = cert_path or current_app.config.get("SIGNING_CERT")
    trusted = Path(cert_path).read_bytes() if cert_path else None
    try:
        verified = verify_invoice(xml, trusted_cert_pem=trusted)
    except InvalidInvoiceXml as exc:
        passed = _verdict("signature", [f"{exc.where}: {exc}"]) and False
    else:
        trust = (
            f"the trusted certificate {cert_path}"
            if verified.trusted
            else "the certificate it carries (no trusted certificate given: --cert)"
        )
        when = verified.signing_time.isoformat() if verified.signing_time else "no SigningTime"
        click.echo(f"signature: ok (signed by {verified.signer_subject} at {when}; by {trust})")
    sys.exit(0 if passed else 1)


@invoices_group.command("issue-pending")
@with_appcontext
@reports_errors
def issue_pending() -> None:
    """Issue invoices for paid fees and follow refunds now (the scheduler does it every minute)."""
    from payrecon.invoices.service import issue_pending_invoices

    click.echo(issue_pending_invoices(request_session()).summary())


@invoices_group.command("cancel")
@click.argument("invoice_id", type=int)
@click.option("--reason", required=True, help="why the invoice is cancelled")
@with_appcontext
@reports_errors
def cancel(invoice_id: int, reason: str) -> None:
    """Cancel an issued invoice (its signed XML stays as it is)."""
    from payrecon.invoices.service import cancel_invoice

    invoice = cancel_invoice(request_session(), invoice_id, reason=reason, actor=cli_actor())
    click.echo(f"invoice {invoice.id} ({invoice.series} no. {invoice.number}) is cancelled")


@invoices_group.command("adjust")
@click.argument("invoice_id", type=int)
@click.option("--amount", "amount_vnd", required=True, type=int, help="change in VND; - decreases")
@click.option("--reason", required=True)
@with_appcontext
@reports_errors
def adjust(invoice_id: int, amount_vnd: int, reason: str) -> None:
    """Issue an adjustment invoice (TCHDon 2) for an issued invoice."""
    from payrecon.invoices.service import adjust_invoice

    new = adjust_invoice(
        request_session(), invoice_id, amount_vnd=amount_vnd, reason=reason, actor=cli_actor()
    )
    click.echo(f"adjustment invoice {new.id}: {new.series} no. {new.number}, {new.total_vnd} VND")


@invoices_group.command("replace")
@click.argument("invoice_id", type=int)
@click.option("--buyer-name")
@click.option("--buyer-tax-code")
@click.option("--buyer-id-number")
@click.option("--buyer-address")
@click.option("--reason", required=True)
@with_appcontext
@reports_errors
def replace(
    invoice_id: int,
    buyer_name: str | None,
    buyer_tax_code: str | None,
    buyer_id_number: str | None,
    buyer_address: str | None,
    reason: str,
) -> None:
    """Issue a replacement invoice (TCHDon 1) with the buyer corrected."""
    from payrecon.invoices.service import BuyerCorrection, replace_invoice

    new = replace_invoice(
        request_session(),
        invoice_id,
        buyer=BuyerCorrection(buyer_name, buyer_tax_code, buyer_id_number, buyer_address),
        reason=reason,
        actor=cli_actor(),
    )
    click.echo(f"replacement invoice {new.id}: {new.series} no. {new.number}")


@click.group("keys", help="Invoice signing keys.")
def keys_group() -> None:
    pass


@keys_group.command("generate")
@click.option("--out", "folder", required=True, type=click.Path(file_okay=False))
@click.option("--name", "common_name", default="payrecon demo seller", show_default=True)
@reports_errors
def generate(folder: str, common_name: str) -> None:
    """Write a self-signed RSA-2048 key and certificate for demos. NOT FOR PRODUCTION."""
    from payrecon.invoices.keys import write_demo_keypair

    key_path, cert_path = write_demo_keypair(Path(folder), common_name)
    click.echo(f"key:         {key_path}")
    click.echo(f"certificate: {cert_path}")
    click.echo(
        "This is a self-signed DEMO pair, NOT FOR PRODUCTION: a real seller signs with a "
        "certificate from a licensed Vietnamese CA. To use it:\n"
        f"  export PAYRECON_SIGNING_KEY={key_path}\n  export PAYRECON_SIGNING_CERT={cert_path}"
    )


COMMANDS = [invoices_group, keys_group]
