"""Fixtures shared by every test: real databases (SQLite and PostgreSQL), apps and clients.

PostgreSQL: PAYRECON_TEST_POSTGRES_URL names a server and a database to connect to first;
each test session (each xdist worker) creates its own database there and drops it at the end,
so parallel runs never see each other's rows. Without the variable the PostgreSQL half is
skipped, and in CI (CI=true) that is a failure.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator

import pytest
from hypothesis import settings
from sqlalchemy import Engine, delete
from sqlalchemy.orm import Session

from payrecon import create_app
from payrecon.db import (
    Base,
    create_scratch_database,
    drop_database,
    make_engine,
    upgrade_to_head,
)

KEEP_TABLES = {"alembic_version"}

# No timed assertions: Hypothesis' per-example deadline is one, and this 2-core machine is noisy.
settings.register_profile("payrecon", deadline=None)
settings.load_profile("payrecon")

# Every app and subprocess the tests start gets an empty instance folder of its own, never the
# developer's instance/ (whose settings.py a demo run may have written).
os.environ["PAYRECON_INSTANCE_PATH"] = tempfile.mkdtemp(prefix="payrecon-test-instance-")

# Hundreds of officer passwords are hashed in the suite: use argon2's cheapest profile here.
os.environ.setdefault("PAYRECON_PASSWORD_HASH_PROFILE", "cheapest")


def postgres_base_url() -> str | None:
    url = os.environ.get("PAYRECON_TEST_POSTGRES_URL")
    if url:
        return url
    if os.environ.get("CI"):
        pytest.fail("CI must test PostgreSQL: PAYRECON_TEST_POSTGRES_URL is not set")
    pytest.skip("PostgreSQL not configured (PAYRECON_TEST_POSTGRES_URL); skipping its half")
    return None


def create_scratch_postgres(base_url: str) -> str:
    """A fresh database payrecon_t_<random> on the server of base_url; its URL."""
    try:
        return create_scratch_database(base_url, prefix="payrecon_t")
    except Exception as exc:
        if os.environ.get("CI"):
            raise
        pytest.skip(f"PostgreSQL at {base_url} is not usable: {exc}")


def drop_scratch_postgres(base_url: str, url: str) -> None:
    drop_database(base_url, url)


@pytest.fixture(scope="session", params=["sqlite", "postgresql"])
def database_url(request, tmp_path_factory) -> Iterator[str]:
    """A migrated, empty database of each kind, for the whole test session."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path_factory.mktemp('db') / 'payrecon.sqlite'}"
        base_url = None
    else:
        base_url = postgres_base_url()
        url = create_scratch_postgres(base_url)
    engine = make_engine(url)
    upgrade_to_head(engine)
    engine.dispose()
    yield url
    if base_url:
        drop_scratch_postgres(base_url, url)


@pytest.fixture(scope="session")
def engine(database_url) -> Iterator[Engine]:
    engine = make_engine(database_url)
    yield engine
    engine.dispose()


def delete_all_rows(engine: Engine) -> None:
    with engine.begin() as connection:
        for table in reversed(Base.metadata.sorted_tables):
            if table.name not in KEEP_TABLES:
                connection.execute(delete(table))


@pytest.fixture
def db_session(engine) -> Iterator[Session]:
    """A real session; everything committed during the test is deleted afterwards.

    Services commit, and concurrency tests open their own connections, so an outer
    rolled-back transaction would hide rows from them. On SQLite its transactions begin
    DEFERRED so a test holding a read does not block the app under test; commit or roll
    back before writing through it again after the app has written.
    """
    reader = engine.execution_options(sqlite_begin="DEFERRED")  # never blocks the app's writers
    with Session(reader, expire_on_commit=False) as session:
        yield session
    delete_all_rows(engine)


@pytest.fixture
def app(database_url, engine, tmp_path):
    app = create_app(
        {
            "DATABASE_URL": database_url,
            "TESTING": True,
            "SECRET_KEY": "test",
            "INSTANCE_PATH": str(tmp_path / "instance"),
        }
    )
    yield app
    app.extensions["payrecon.engine"].dispose()
    delete_all_rows(engine)


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


# The invoice signing pair: a self-signed demo pair made once per test process.


@pytest.fixture(scope="session")
def demo_pem() -> tuple[bytes, bytes]:
    from tests.integration.invoices.helpers import demo_signing_pem

    return demo_signing_pem()


@pytest.fixture(scope="session")
def signing_keys(demo_pem):
    from payrecon.invoices.keys import keys_from_pem

    return keys_from_pem(*demo_pem)


@pytest.fixture
def key_files(tmp_path, demo_pem) -> tuple[str, str]:
    """The demo pair written to PEM files, as PAYRECON_SIGNING_KEY/CERT name them."""
    key_path, cert_path = tmp_path / "key.pem", tmp_path / "cert.pem"
    key_path.write_bytes(demo_pem[0])
    cert_path.write_bytes(demo_pem[1])
    return str(key_path), str(cert_path)
