"""A PostgreSQL server of the test's own, for tests that stop and restart it.

Restarting the shared server would break every other test session using it (other
checkouts, the xdist sibling worker), so `private_postgres()` runs initdb into a temporary
folder and starts the server with pg_ctl on a free 127.0.0.1 port. Binaries come from
PAYRECON_TEST_PG_BINDIR or the newest /usr/lib/postgresql/<version>/bin. PostgreSQL refuses
to run as root, so as root the server runs as the postgres user (runuser).

Without the binaries the test is skipped, naming what is missing; with CI=true it fails.
"""

from __future__ import annotations

import os
import pwd
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path

import pytest

from tests.processes import free_port

START_TIMEOUT_S = 60


def postgres_bindir() -> Path | None:
    if configured := os.environ.get("PAYRECON_TEST_PG_BINDIR"):
        return Path(configured)
    versions = sorted(
        Path("/usr/lib/postgresql").glob("*/bin"), key=lambda p: int(p.parent.name), reverse=True
    )
    return next((bindir for bindir in versions if (bindir / "initdb").exists()), None)


class PrivatePostgres:
    """One initdb'd cluster in `folder`, served on `port` while started."""

    def __init__(self, bindir: Path, folder: Path) -> None:
        self.bindir = bindir
        self.folder = folder
        self.data = folder / "data"
        self.port = free_port()
        self._as_postgres: list[str] = []
        if os.geteuid() == 0:
            owner = pwd.getpwnam("postgres")
            os.chown(folder, owner.pw_uid, owner.pw_gid)
            self._as_postgres = ["runuser", "-u", "postgres", "--"]

    def _run(self, program: str, *args: str) -> None:
        command = [*self._as_postgres, str(self.bindir / program), *args]
        done = subprocess.run(command, capture_output=True, text=True, check=False)
        if done.returncode != 0:
            raise RuntimeError(f"{program} failed ({done.returncode}): {done.stderr}{done.stdout}")

    def initdb(self) -> None:
        self._run("initdb", "-D", str(self.data), "-U", "postgres", "-A", "trust", "--no-sync")

    def start(self) -> None:
        options = f"-p {self.port} -k {self.folder} -c listen_addresses=127.0.0.1"
        log = self.folder / "server.log"
        self._run(
            "pg_ctl",
            "start",
            "-w",
            "-t",
            str(START_TIMEOUT_S),
            "-D",
            str(self.data),
            "-l",
            str(log),
            "-o",
            options,
        )

    def stop(self, mode: str = "fast") -> None:
        self._run("pg_ctl", "stop", "-w", "-m", mode, "-D", str(self.data))

    @property
    def server_url(self) -> str:
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/postgres"


@contextmanager
def private_postgres() -> Iterator[PrivatePostgres]:
    """A fresh, started private server; stopped and deleted afterwards."""
    bindir = postgres_bindir()
    if bindir is None or not (bindir / "pg_ctl").exists():
        reason = "PostgreSQL server binaries (initdb, pg_ctl) not found under /usr/lib/postgresql"
        if os.environ.get("CI"):
            pytest.fail(f"CI must run the PostgreSQL restart test: {reason}")
        pytest.skip(f"{reason}; set PAYRECON_TEST_PG_BINDIR")
    folder = Path(tempfile.mkdtemp(prefix="payrecon-pg-"))
    server = PrivatePostgres(bindir, folder)
    try:
        server.initdb()
        server.start()
        yield server
    finally:
        with suppress(RuntimeError):  # never started, or stopped already
            server.stop("immediate")
        shutil.rmtree(folder, ignore_errors=True)
