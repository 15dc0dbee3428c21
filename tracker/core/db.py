"""Database helpers: UTC timestamps and SQLite connection settings."""

from contextlib import contextmanager
from contextvars import ContextVar
from datetime import UTC, datetime

from flask import g, has_request_context, request
from sqlalchemy import Enum, event
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from tracker.extensions import db

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def str_enum(cls) -> Enum:
    """A column for a ``StrEnum``: its values stored as short strings (no database enum type, so adding a
    value needs no migration of a type)."""
    return Enum(cls, native_enum=False, length=20, values_callable=lambda e: [m.value for m in e])


def utcnow() -> datetime:
    """The current time in UTC, naive, as stored in the database."""
    return datetime.now(UTC).replace(tzinfo=None)


def configure_sqlite(engine: Engine) -> None:
    """WAL, foreign keys and a busy timeout on every SQLite connection.

    pysqlite's own transaction handling is switched off so that we emit ``BEGIN`` ourselves: a request
    that may write (any unsafe method) takes the write lock up front with ``BEGIN IMMEDIATE``, because
    a deferred read-then-write transaction fails with SQLITE_BUSY_SNAPSHOT under WAL even with a timeout.
    """
    if engine.dialect.name != "sqlite":
        return

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record):
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys = ON")
        cursor.execute("PRAGMA busy_timeout = 5000")
        if engine.url.database not in (None, "", ":memory:"):
            cursor.execute("PRAGMA journal_mode = WAL")
            cursor.execute("PRAGMA synchronous = NORMAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection):
        writes = _WRITER.get() or (has_request_context() and request.method not in SAFE_METHODS
                                   and not g.pop("sqlite_reads_first", False))
        connection.exec_driver_sql("BEGIN IMMEDIATE" if writes else "BEGIN")


def reads_first() -> None:
    """In a request that may write: begin the next transaction as a reader (a plain ``BEGIN`` on SQLite).

    For a view that reads what it needs, ends that transaction, then writes in a short one of its own
    (``BEGIN IMMEDIATE`` again), so that SQLite's one write lock is held only while it writes (the survey's
    answers: ``tracker.surveys.views_respond``). The reading transaction must not write: a deferred
    read-then-write transaction can fail with SQLITE_BUSY_SNAPSHOT.
    """
    g.sqlite_reads_first = True


def insert(model):
    """An ``INSERT`` for ``model`` in the dialect of the session's database, so that ``on_conflict_do_nothing``
    and ``on_conflict_do_update`` (PostgreSQL and SQLite alike) are there to call."""
    dialect = postgresql if db.session.get_bind().dialect.name == "postgresql" else sqlite
    return dialect.insert(model)


#: Outside a request (a job, a command): whether transactions begin as writers (see :func:`writer`).
_WRITER: ContextVar[bool] = ContextVar("sqlite_writer", default=False)


@contextmanager
def writer():
    """Outside a request: every transaction begun inside starts as a writer (``BEGIN IMMEDIATE`` on SQLite),
    so a job that reads and then writes waits for the write lock up front instead of failing with
    SQLITE_BUSY_SNAPSHOT when another process wrote meanwhile."""
    token = _WRITER.set(True)
    try:
        yield
    finally:
        _WRITER.reset(token)


def per_transaction(key: str, *, savepoints: bool) -> None:
    """Make ``session.info[key]`` last one transaction: it is removed when the session's whole transaction
    ends (committed or rolled back) and, with ``savepoints``, when a savepoint ends too — for "once per
    transaction" work that a rolled-back savepoint undid and must do again. Never when the inner transaction
    each flush opens ends."""

    @event.listens_for(Session, "after_transaction_end")
    def _forget(session: Session, transaction) -> None:
        if transaction.parent is None or (savepoints and transaction.nested):
            session.info.pop(key, None)
