"""What every command shares: turning PayreconError into a located message and exit code 1."""

from __future__ import annotations

import functools
import getpass
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click

from payrecon.errors import ImportRejected, PayreconError


def cli_actor() -> str:
    return f"cli:{getpass.getuser()}"


def read_input_file(path: str) -> bytes:
    try:
        return Path(path).read_bytes()
    except OSError as exc:
        raise click.FileError(path, hint=exc.strerror) from None


def reports_errors(command: Callable[..., Any]) -> Callable[..., Any]:
    """Print PayreconError as 'error: …' (every problem of a rejected file) and exit 1."""

    @functools.wraps(command)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return command(*args, **kwargs)
        except ImportRejected as exc:
            click.echo(f"error: {exc}", err=True)
            for problem in exc.problems:
                click.echo(f"  {exc.source}: {problem.where}: {problem.detail}", err=True)
            sys.exit(1)
        except PayreconError as exc:
            where = f" ({exc.where})" if exc.where else ""
            click.echo(f"error: {exc}{where}", err=True)
            sys.exit(1)

    return wrapper
