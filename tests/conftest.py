"""Fixtures: one app per test session, every table emptied after each test.

The suite runs on SQLite (a temporary file, so a live server thread shares it) and, when
``TEST_DATABASE_URL`` is set, on PostgreSQL.
"""

import os

import pytest
from flask import g
from flask.testing import FlaskClient
from sqlalchemy import text

from tests import factories
from tracker import create_app
from tracker.extensions import db


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


@pytest.fixture(scope="session")
def app(tmp_path_factory):
    _compile_welsh()
    url = os.environ.get("TEST_DATABASE_URL") or f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.db'}"
    from tracker.config import database_url

    app = create_app({
        "ENV_NAME": "testing",
        "TESTING": True,
        "SQLALCHEMY_DATABASE_URI": database_url(url, ""),
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
            names = ", ".join(f'"{t.name}"' for t in tables)
            connection.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
        else:
            for table in tables:
                connection.execute(table.delete())


@pytest.fixture(autouse=True)
def _clean_database(app):
    with app.app_context():
        yield
        _empty_tables()
        app.extensions["results_tables"].clear()  # ids restart with the tables; so would cache keys
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
