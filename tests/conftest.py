"""Fixtures: one app per test session, every table emptied after each test.

The suite runs on SQLite (a temporary file, so a live server thread shares it) and, when
``TEST_DATABASE_URL`` is set, on PostgreSQL. Under pytest-xdist (``make test`` runs a worker per core)
each worker has its own database: its own SQLite file, or on PostgreSQL a database named after
``TEST_DATABASE_URL``'s with the worker's id appended, created afresh.
"""

import os

import pytest
from flask import g
from flask.testing import FlaskClient

from tests import factories
from tracker import create_app
from tracker.extensions import db


def pytest_configure(config):
    """The run's start, for the browser suite's screenshots (``tests/browser/conftest.py``): set by the
    controller (or the only process) and inherited by pytest-xdist's workers, which start after it; and the
    Welsh catalogue, compiled once."""
    if not hasattr(config, "workerinput"):
        import time

        os.environ["TRACKER_TEST_RUN_STARTED"] = str(time.time())
        _compile_welsh()  # once, before any worker reads it


def _compile_welsh() -> None:
    """The Welsh catalogue compiled from its .po when the .mo is missing or older (`make install` does this
    too; a suite run straight from pytest after editing the .po must not test yesterday's Welsh)."""
    from pathlib import Path

    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    po = Path(__file__).resolve().parent.parent / "tracker/translations/cy/LC_MESSAGES/messages.po"
    mo = po.with_suffix(".mo")
    if not mo.exists() or mo.stat().st_mtime < po.stat().st_mtime:
        with po.open("rb") as source:
            catalogue = read_po(source, locale="cy")
        with mo.open("wb") as target:
            write_mo(target, catalogue)


def _worker_database(url: str) -> str:
    """``url`` itself, or under an xdist worker on PostgreSQL a new database of the worker's own."""
    from sqlalchemy import create_engine, make_url, text

    worker = os.environ.get("PYTEST_XDIST_WORKER")
    base = make_url(url)
    if not worker or not base.drivername.startswith("postgresql"):
        return url
    name = f"{base.database}_{worker}"
    admin = create_engine(base, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            connection.execute(text(f'CREATE DATABASE "{name}"'))
    finally:
        admin.dispose()
    return base.set(database=name).render_as_string(hide_password=False)


@pytest.fixture(scope="session")
def app(tmp_path_factory):
    from tracker.config import database_url

    url = os.environ.get("TEST_DATABASE_URL") or f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.db'}"
    url = _worker_database(database_url(url, ""))
    app = create_app({
        "ENV_NAME": "testing",
        "TESTING": True,
        "SQLALCHEMY_DATABASE_URI": url,
        "WTF_CSRF_ENABLED": False,
        "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000",
        "SERVER_NAME": None,
    })
    with app.app_context():
        db.session.remove()
        db.drop_all()
        db.create_all()
    yield app
    with app.app_context():
        db.session.remove()
        db.drop_all()
        db.engine.dispose()


def _empty_tables() -> None:
    db.session.remove()
    tables = list(reversed(db.metadata.sorted_tables))
    with db.engine.begin() as connection:
        if connection.dialect.name == "postgresql":
            # DELETE, not TRUNCATE: a TRUNCATE of every table costs ~100 ms a test (new files for each
            # table), these few rows ~5 ms. Sent as one round trip; the sequences restart as TRUNCATE's
            # RESTART IDENTITY would.
            statements = [f'DELETE FROM "{t.name}"' for t in tables]  # noqa: S608 - the model's own table names
            statements.append("SELECT setval(c.oid, 1, false) FROM pg_class c WHERE c.relkind = 'S'")
            connection.exec_driver_sql("; ".join(statements))
        else:
            for table in tables:
                connection.execute(table.delete())


@pytest.fixture(autouse=True)
def _clean_database(app):
    with app.app_context():
        yield
        _empty_tables()
        app.extensions["results_tables"].clear()  # ids restart with the tables; so would cache keys
        app.extensions["checkin_agendas"].clear()
    app.config["WTF_CSRF_ENABLED"] = False


class IsolatedClient(FlaskClient):
    """A test client whose every request starts like a production request: empty ``g``, new transaction.

    The autouse fixture keeps one app context open for the whole test (so factories can run), and Flask
    reuses an open app context for requests; without this, ``g`` and the session would carry over.
    """

    def open(self, *args, **kwargs):
        db.session.rollback()
        vars(g._get_current_object()).clear()
        return super().open(*args, **kwargs)


@pytest.fixture
def client(app):
    return IsolatedClient(app, app.response_class, use_cookies=True)


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@pytest.fixture
def world(app):
    """Two organisations in one programme, one person per role, and cards in both organisations."""
    return factories.make_world()


@pytest.fixture
def login(app):
    """``login(client, user)`` signs ``user`` in through the real sign-in form."""

    def _login(client, user, password=factories.PASSWORD):
        response = client.post("/sign-in", data={"email": user.email, "password": password})
        assert response.status_code == 302, response.data[:500]
        return client

    return _login
