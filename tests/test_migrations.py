"""The migrations build the schema the models describe, on SQLite and (when given) PostgreSQL."""

import os
from datetime import date, datetime

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from tracker import create_app
from tracker.config import database_url
from tracker.extensions import db


def _check(url: str) -> None:
    app = create_app({"ENV_NAME": "testing", "SQLALCHEMY_DATABASE_URI": url})
    with app.app_context():
        upgrade()
        with db.engine.connect() as connection:
            diff = compare_metadata(MigrationContext.configure(connection), db.metadata)
        assert diff == [], f"models and migrations differ: {diff}"
        downgrade(revision="base")
        upgrade()
        db.session.remove()
        db.engine.dispose()


def test_migrations_match_models_on_sqlite(tmp_path):
    _check(f"sqlite:///{tmp_path / 'migrations.db'}")


@pytest.mark.skipif(not (os.environ.get("TEST_DATABASE_URL") or "").startswith("postgres"),
                    reason="TEST_DATABASE_URL does not point at PostgreSQL")
def test_migrations_match_models_on_postgresql():
    base = make_url(database_url(os.environ["TEST_DATABASE_URL"], ""))
    admin = create_engine(base, isolation_level="AUTOCOMMIT")
    name = "tracker_migrations_check"
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        _check(base.set(database=name).render_as_string(hide_password=False))
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def test_a_downgrade_that_rebuilds_a_table_keeps_the_rows_that_point_at_it(tmp_path):
    """On SQLite a batch operation rebuilds the table; with foreign keys on, dropping the old copy would
    delete every card of every organisation of every programme (ON DELETE CASCADE). The migrations run
    with the keys off and checked at the end (migrations/env.py)."""
    app = create_app({"ENV_NAME": "testing", "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'keep.db'}"})
    with app.app_context():
        try:
            upgrade()
            with db.engine.begin() as connection:
                def add(table_name: str, /, **values) -> int:
                    table = sa.Table(table_name, sa.MetaData(), autoload_with=connection)
                    return connection.execute(table.insert().values(**values).returning(table.c.id)).scalar_one()

                now = datetime(2026, 1, 1)
                programme = add("programme", slug="pilot", name="Pilot", aim="", expected_outcomes="",
                                start_date=date(2026, 1, 1), evaluation_months=12, checkin_interval_months=3,
                                survey_interval_months=3, created_dt=now)
                org = add("organisation", programme_id=programme, slug="a", name="A")
                add("card", organisation_id=org, kind="quick_win", number=1, title="Friendlier letters",
                    rationale="", description="", priority="medium", column="backlog", position=0, version=1,
                    created_dt=now, updated_dt=now)
            downgrade(revision="4a7b8c9d0e1f")  # the staff surveys' downgrade rebuilds the programme table
            with db.engine.connect() as connection:
                assert connection.execute(text("SELECT count(*) FROM card")).scalar_one() == 1
                assert connection.execute(text("PRAGMA foreign_keys")).scalar_one() == 1
        finally:
            db.session.remove()
            db.engine.dispose()


def _without_rowid(connection, table: str) -> bool:
    return connection.execute(text("SELECT wr FROM pragma_table_list WHERE name = :t"), {"t": table}).scalar_one() == 1


def test_survey_responses_are_rebuilt_without_row_ids_on_sqlite_with_their_rows(tmp_path):
    """The responses and answers written before the rebuild are the same rows after it, in tables with no
    hidden row id (and back again on a downgrade)."""
    app = create_app({"ENV_NAME": "testing", "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'rows.db'}"})
    with app.app_context():
        try:
            upgrade(revision="d9e0f1a2b3c4")
            with db.engine.begin() as connection:
                def add(table_name: str, /, **values) -> int:
                    table = sa.Table(table_name, sa.MetaData(), autoload_with=connection)
                    return connection.execute(table.insert().values(**values).returning(table.c.id)).scalar_one()

                programme = add("programme", slug="pilot", name="Pilot", aim="", expected_outcomes="",
                                start_date=date(2026, 1, 1), evaluation_months=12, checkin_interval_months=3,
                                survey_interval_months=3, created_dt=datetime(2026, 1, 1))
                org = add("organisation", programme_id=programme, slug="a", name="A")
                survey = add("survey", programme_id=programme, title="Pulse", introduction="", privacy_note="",
                             open_days=14, created_dt=datetime(2026, 1, 1))
                wave = add("survey_wave", survey_id=survey, number=1, opens_on=date(2026, 1, 1),
                           closes_on=date(2026, 1, 14))
                question = add("survey_question", survey_id=survey, position=0, kind="likert", text="Better?",
                               hint="", required=True, nps=False, choices=[], indicator_values=[],
                               created_dt=datetime(2026, 1, 1))
                for n in range(3):
                    connection.execute(text("INSERT INTO survey_response (id, wave_id, organisation_id, submitted_on)"
                                            " VALUES (:id, :wave, :org, '2026-01-02')"),
                                       {"id": f"{n:032x}", "wave": wave, "org": org})
                    connection.execute(text("INSERT INTO survey_answer (response_id, question_id, item, value)"
                                            " VALUES (:id, :q, 0, :v)"), {"id": f"{n:032x}", "q": question, "v": n + 1})
            rows = "SELECT r.id, r.wave_id, r.organisation_id, a.question_id, a.value FROM survey_response r " \
                   "JOIN survey_answer a ON a.response_id = r.id ORDER BY r.id"
            with db.engine.connect() as connection:
                before = connection.execute(text(rows)).all()
                assert not _without_rowid(connection, "survey_response")
            upgrade()
            with db.engine.connect() as connection:
                assert connection.execute(text(rows)).all() == before and len(before) == 3
                assert _without_rowid(connection, "survey_response") and _without_rowid(connection, "survey_answer")
            downgrade(revision="d9e0f1a2b3c4")
            with db.engine.connect() as connection:
                assert connection.execute(text(rows)).all() == before
                assert not _without_rowid(connection, "survey_answer")
        finally:
            db.session.remove()
            db.engine.dispose()
