"""Database plumbing: Base with a naming convention, engines, sessions, migrations.

SQLite is the embedded default (demo, development); PostgreSQL is the production database.
Both are built by the same Alembic migrations.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

from flask import Flask, current_app, g
from sqlalchemy import BigInteger, DateTime, Engine, Integer, MetaData, create_engine, event
from sqlalchemy import exc as sa_exc
from sqlalchemy.orm import DeclarativeBase, Session, sessionmaker
from sqlalchemy.types import TypeDecorator

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

MIGRATIONS_DIR = Path(__file__).parent / "migrations"


# A 64-bit surrogate key; SQLite only auto-increments a column declared INTEGER.
BigId = BigInteger().with_variant(Integer(), "sqlite")


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class UtcDateTime(TypeDecorator[datetime]):
    """A timezone-aware timestamp stored as UTC on both databases.

    SQLite has no time zone type and hands back naive values; this makes both
    databases return aware UTC datetimes and refuses naive ones on the way in.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given for a timezone-aware column")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


def utcnow() -> datetime:
    return datetime.now(UTC)


def make_engine(url: str, **kwargs) -> Engine:
    """An engine with the settings payrecon relies on for each database.

    SQLite: foreign keys on, WAL, a busy timeout, and every transaction begun with
    BEGIN IMMEDIATE, so concurrent writers queue instead of failing when a read
    transaction tries to upgrade to a write (that is also what serialises the
    invoice counter on SQLite). A read-only user can ask for
    `engine.execution_options(sqlite_begin="DEFERRED")`, which never blocks writers.
    """
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"timeout": 30}, **kwargs)

        @event.listens_for(engine, "connect")
        def _sqlite_on_connect(dbapi_connection, _record) -> None:
            dbapi_connection.isolation_level = None  # we emit BEGIN ourselves
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA busy_timeout=30000")
            cursor.close()

        @event.listens_for(engine, "begin")
        def _sqlite_begin(connection) -> None:
            mode = connection.get_execution_options().get("sqlite_begin", "IMMEDIATE")
            connection.exec_driver_sql(f"BEGIN {mode}")

        return engine
    kwargs.setdefault("pool_size", 10)
    kwargs.setdefault("max_overflow", 20)
    engine = create_engine(url, **kwargs)
    if not kwargs.get("pool_pre_ping"):
        _ping_after_idle(engine)
    return engine


# A pooled connection that has rested this long is pinged before it is handed out.
IDLE_PING_SECONDS = 1.0


def _ping_after_idle(engine: Engine) -> None:
    """Ping a pooled connection at checkout only when it has been idle IDLE_PING_SECONDS.

    SQLAlchemy's pool_pre_ping pings on every checkout: one more round trip on every request,
    about a tenth of a busy API request's time on two cores. A connection in steady use has
    just worked; one that rested may have been cut (a PostgreSQL restart, an idle timeout),
    so it is pinged, and a dead one is replaced before the request sees it (SQLAlchemy's
    "pessimistic disconnect handling" recipe: DisconnectionError from a checkout listener).
    A connection that breaks within the second is reported by its request (503, or 99 to
    VNPAY), and the disconnect makes the pool replace every older connection.
    """

    @event.listens_for(engine, "checkin")
    def _note_rest(_dbapi_connection, record) -> None:
        record.info["payrecon_checked_in_at"] = time.monotonic()

    @event.listens_for(engine, "checkout")
    def _ping_if_rested(dbapi_connection, record, _proxy) -> None:
        rested_since = record.info.get("payrecon_checked_in_at")
        if rested_since is None or time.monotonic() - rested_since < IDLE_PING_SECONDS:
            return
        try:
            engine.dialect.do_ping(dbapi_connection)
        except engine.dialect.loaded_dbapi.Error as exc:
            raise sa_exc.DisconnectionError(f"pooled connection is gone: {exc}") from exc


def is_database_unavailable(exc: BaseException) -> bool:
    """Whether `exc` says the database could not be reached or used just now (down, restarting,
    connection lost, pool exhausted, SQLite busy): worth a retry, not a bug.

    A connection that failed this way is dropped from the pool; on PostgreSQL a connection
    that rested in the pool is pinged at checkout (_ping_after_idle) and replaced if stale, so
    the first request after an outage normally gets a fresh one.
    """
    return isinstance(
        exc, sa_exc.OperationalError | sa_exc.InterfaceError | sa_exc.TimeoutError
    ) or (isinstance(exc, sa_exc.DBAPIError) and exc.connection_invalidated)


def init_app(app: Flask) -> None:
    engine = make_engine(app.config["DATABASE_URL"])
    app.extensions["payrecon.engine"] = engine
    app.extensions["payrecon.sessionmaker"] = sessionmaker(engine, expire_on_commit=False)

    @app.teardown_appcontext
    def _close_request_session(_exc: BaseException | None) -> None:
        session: Session | None = g.pop("payrecon_session", None)
        if session is not None:
            session.close()  # rolls back whatever was not committed


def get_engine(app: Flask | None = None) -> Engine:
    return (app or current_app).extensions["payrecon.engine"]


def request_session() -> Session:
    """The session of the current request or CLI command; closed when the app context ends."""
    if "payrecon_session" not in g:
        g.payrecon_session = current_app.extensions["payrecon.sessionmaker"]()
    return g.payrecon_session


@contextmanager
def session_scope(app: Flask | None = None) -> Iterator[Session]:
    """A session for background work: rolled back on error, always closed."""
    session = (app or current_app).extensions["payrecon.sessionmaker"]()
    try:
        yield session
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()


def alembic_config(engine: Engine):
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.attributes["engine"] = engine
    return config


def upgrade_to_head(engine: Engine) -> None:
    from alembic import command

    command.upgrade(alembic_config(engine), "head")


def downgrade_to_base(engine: Engine) -> None:
    from alembic import command

    command.downgrade(alembic_config(engine), "base")


def current_revision(engine: Engine) -> str | None:
    from alembic.runtime.migration import MigrationContext

    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def head_revision() -> str | None:
    from alembic.script import ScriptDirectory

    return ScriptDirectory(str(MIGRATIONS_DIR)).get_current_head()


def create_scratch_database(server_url: str, *, prefix: str) -> str:
    """CREATE DATABASE <prefix>_<random> on the PostgreSQL server of server_url; its URL.

    For tests and benchmarks that must not share rows with anyone: drop it with
    drop_database when done.
    """
    import uuid

    from sqlalchemy import text
    from sqlalchemy.engine import make_url

    name = f"{prefix}_{uuid.uuid4().hex[:12]}"
    admin = make_engine(server_url, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
    finally:
        admin.dispose()
    return make_url(server_url).set(database=name).render_as_string(hide_password=False)


def drop_database(server_url: str, url: str) -> None:
    """DROP DATABASE the database of `url` (connecting through server_url), sessions and all."""
    from sqlalchemy import text
    from sqlalchemy.engine import make_url

    admin = make_engine(server_url, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            connection.execute(
                text(f'DROP DATABASE IF EXISTS "{make_url(url).database}" WITH (FORCE)')
            )
    finally:
        admin.dispose()
