"""`payrecon catalog …`, `payrecon accounts …`, `payrecon agencies …`."""

from __future__ import annotations

import click
from flask.cli import with_appcontext

from payrecon.cli.common import cli_actor, read_input_file, reports_errors
from payrecon.db import request_session


@click.group("catalog", help="The fee catalog: agencies, procedures and fees.")
def catalog_group() -> None:
    pass


@catalog_group.command("import")
@click.argument("file", type=click.Path(dir_okay=False))
@with_appcontext
@reports_errors
def import_catalog(file: str) -> None:
    """Import a catalog CSV (checked whole; a file with any bad line imports nothing)."""
    from payrecon.catalog import service

    result = service.import_catalog(
        request_session(), read_input_file(file), filename=file, actor=cli_actor()
    )
    click.echo(f"{file}: {result.summary()}")


@click.group("accounts", help="Agencies' collection bank accounts.")
def accounts_group() -> None:
    pass


@accounts_group.command("add")
@click.option("--agency", "agency_code", required=True, help="agency code")
@click.option("--bank-bin", required=True, help="the bank's 6-digit NAPAS BIN")
@click.option("--account", "account_number", required=True, help="account number")
@click.option("--name", "account_name", required=True, help="account holder name")
@with_appcontext
@reports_errors
def add_account(agency_code: str, bank_bin: str, account_number: str, account_name: str) -> None:
    """Register a bank account where an agency collects fees."""
    from payrecon.catalog import service

    account = service.add_collection_account(
        request_session(),
        agency_code=agency_code,
        bank_bin=bank_bin,
        account_number=account_number,
        account_name=account_name,
        actor=cli_actor(),
    )
    click.echo(
        f"collection account {account.bank_bin}/{account.account_number} "
        f"({account.account_name}) registered for {agency_code}"
    )


@click.group("agencies", help="Agencies (the sellers on invoices).")
def agencies_group() -> None:
    pass


@agencies_group.command("update")
@click.argument("code")
@click.option("--tax-code", help="10 digits, or 10-3 for a branch")
@click.option("--address")
@click.option("--name")
@with_appcontext
@reports_errors
def update_agency(code: str, tax_code: str | None, address: str | None, name: str | None) -> None:
    """Set an agency's tax code, address or name."""
    from payrecon.catalog import service

    agency = service.update_agency(
        request_session(),
        code=code,
        tax_code=tax_code,
        address=address,
        name=name,
        actor=cli_actor(),
    )
    click.echo(f"agency {agency.code}: {agency.name}, tax code {agency.tax_code or '-'}")


COMMANDS = [catalog_group, accounts_group, agencies_group]
