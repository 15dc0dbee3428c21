"""Anonymous by construction (SECURITY.md item 18): after a wave with responses, nothing in the schema,
the rows, their order, the logs or the outbox leads from an answer to an invitation, an address or a token.

The responses here are sent through the pages, one invitation after another in invitation order: if any
order of the responses (their ids, SQLite's hidden row ids, the order rows come back in) followed it, the
n-th response would be the n-th person invited.
"""

import logging
import re

import pytest
from sqlalchemy import DateTime, Integer, inspect, select, text
from sqlalchemy.exc import OperationalError

from tests.conftest import IsolatedClient
from tests.surveys.test_invitations import OPEN_DAY, invite_tokens, link_in, messages
from tests.surveys.test_respond import valid_answers
from tests.surveys.test_respond_views import as_pairs, start
from tracker.core import clock, secrets
from tracker.extensions import db
from tracker.surveys import invitations
from tracker.surveys.models import Invitation, InvitationUse, Response

#: The tables of what was answered, and what they may refer to.
RESPONSE_TABLES = ("survey_response", "survey_answer")
ALLOWED_REFERENCES = {"survey_wave", "organisation", "survey_question", "survey_response"}
#: The tables that know who was invited.
INVITATION_TABLES = ("survey_invitation", "survey_invitation_use")
PEOPLE = 30


def answers_of(survey, n: int) -> dict:
    """Answers that differ from one person to the next, with a free text that names the person's place."""
    likert, scale, single, _multiple, free = survey.questions
    return valid_answers(survey, **{f"q{likert.id}": str(1 + n % 5), f"q{scale.id}": str(n % 11),
                                    f"q{single.id}": str(n % 3), f"q{free.id}": f"Answer text number {n:02d}"})


@pytest.fixture
def answered(app, world, survey, caplog):
    """A wave in which 30 people, invited in order, each answered in that order (with the logs captured)."""
    # Alembic's fileConfig() (run in-process by test_migrations) disables loggers that already exist.
    for name in ("tracker", "tracker.core.errors", "werkzeug", "sqlalchemy.engine"):
        logging.getLogger(name).disabled = False
    wave = survey.waves[1]
    with clock.frozen(OPEN_DAY):
        tokens = invite_tokens(wave, world.org_a, [f"person{n:02d}@council.gov.uk" for n in range(PEOPLE)])
        invitation_ids = list(db.session.scalars(select(Invitation.id).order_by(Invitation.id)))
        outbox_before = len(messages())
        response_ids = []
        with caplog.at_level(logging.DEBUG):
            for n, token in enumerate(tokens):
                client = IsolatedClient(app, app.response_class, use_cookies=True)
                start(client, token)
                client.get("/s/survey")
                assert client.post("/s/survey", data=as_pairs(answers_of(survey, n))).status_code == 200
                assert client.post("/s/survey/send", data=as_pairs(answers_of(survey, n))).status_code == 303
                db.session.rollback()
                new = set(db.session.scalars(select(Response.id))) - set(response_ids)
                response_ids.append(new.pop())
    assert len(messages()) == outbox_before  # answering writes no email
    return {"wave": wave, "tokens": tokens, "invitations": invitation_ids, "responses": response_ids,
            "log": caplog.text + "".join(str(record.args) for record in caplog.records)}


def test_no_foreign_key_or_column_leads_from_a_response_to_an_invitation(app, answered):
    schema = inspect(db.engine)
    for table in RESPONSE_TABLES:
        referred = {fk["referred_table"] for fk in schema.get_foreign_keys(table)}
        assert referred <= ALLOWED_REFERENCES, (table, referred)
        for column in schema.get_columns(table):
            name = column["name"]
            assert not re.search(r"invit|email|token|hash|user|session|_dt$|time|ip|agent", name), (table, name)
            assert not isinstance(column["type"], DateTime), (table, name)  # a day, never a time
    for table in INVITATION_TABLES:
        referred = {fk["referred_table"] for fk in schema.get_foreign_keys(table)}
        assert not referred & set(RESPONSE_TABLES), (table, referred)
        assert not any("response" in column["name"] for column in schema.get_columns(table)), table
    # Only a response's own answers refer to it.
    for table in schema.get_table_names():
        if table not in RESPONSE_TABLES:
            referred = {fk["referred_table"] for fk in schema.get_foreign_keys(table)}
            assert "survey_response" not in referred and "survey_answer" not in referred, table
    # The use holds the invitation and nothing else.
    assert [c["name"] for c in schema.get_columns("survey_invitation_use")] == ["invitation_id"]


def test_a_response_has_no_autoincrement_id(app, answered):
    schema = inspect(db.engine)
    assert schema.get_pk_constraint("survey_response")["constrained_columns"] == ["id"]
    (column,) = [c for c in schema.get_columns("survey_response") if c["name"] == "id"]
    assert not isinstance(column["type"], Integer) and column.get("autoincrement") is not True
    assert all(re.fullmatch(r"[0-9a-f]{32}", rid) for rid in answered["responses"])
    answer_key = schema.get_pk_constraint("survey_answer")["constrained_columns"]
    assert answer_key[0] == "response_id"  # no id of its own either


def test_the_order_of_the_responses_does_not_follow_the_order_of_the_invitations(app, answered):
    sent_in_order = answered["responses"]
    assert len(sent_in_order) == PEOPLE
    by_id = list(db.session.scalars(select(Response.id).order_by(Response.id)))
    assert by_id != sent_in_order  # 30 random ids come out in the order sent once in 30! times
    as_stored = list(db.session.scalars(text("SELECT id FROM survey_response")))
    answers_as_stored = list(dict.fromkeys(db.session.scalars(text("SELECT response_id FROM survey_answer"))))
    if db.engine.dialect.name == "sqlite":
        # No hidden row id that would count the rows in the order they were written: kept by their keys.
        for table in RESPONSE_TABLES:
            assert db.session.scalar(text("SELECT wr FROM pragma_table_list WHERE name = :t"), {"t": table}) == 1
            with pytest.raises(OperationalError, match="no such column: rowid"), db.session.begin_nested():
                db.session.execute(text(f"SELECT rowid FROM {table}"))  # noqa: S608 - our own table names
        assert as_stored != sent_in_order and answers_as_stored != sent_in_order


def test_after_the_close_the_uses_say_nothing_of_when_each_link_was_used(app, answered):
    invitations.forget_addresses(answered["wave"].closes_on.replace(day=20))
    db.session.commit()
    uses = list(db.session.scalars(text("SELECT invitation_id FROM survey_invitation_use")))  # as stored
    assert sorted(uses) == sorted(answered["invitations"])
    if db.engine.dialect.name == "postgresql":
        assert uses == sorted(uses)  # written again in invitation order …
        use_xids = set(db.session.scalars(text("SELECT xmin::text FROM survey_invitation_use")))
        response_xids = set(db.session.scalars(text("SELECT xmin::text FROM survey_response")))
        assert len(use_xids) == 1 and not use_xids & response_xids  # … by one transaction of their own
    assert set(db.session.scalars(select(Invitation.email))) == {None}
    assert db.session.scalar(select(InvitationUse).limit(1)) is not None  # the counts stay


def test_after_the_close_the_responses_say_nothing_of_the_order_they_came_in(app, answered):
    """Review of issue 8: on PostgreSQL the responses and answers stayed in the order written, each with its
    own transaction id, for good, so their order lined up with anything else timed (the access log's
    ``POST /s/survey/send`` lines, a signed-in respondent's session, the reminders): the n-th response
    was the n-th person to send. At the close they are written again, in a random order, by one
    transaction; their ids and answers unchanged."""
    sent_in_order = answered["responses"]
    before = {rid: sorted(db.session.execute(text(
        "SELECT question_id, item, value, text FROM survey_answer WHERE response_id = :r"), {"r": rid}).all())
        for rid in sent_in_order}
    invitations.forget_addresses(answered["wave"].closes_on.replace(day=20))
    db.session.commit()
    as_stored = list(db.session.scalars(text("SELECT id FROM survey_response")))
    assert sorted(as_stored) == sorted(sent_in_order)
    for rid in sent_in_order:
        assert sorted(db.session.execute(text(
            "SELECT question_id, item, value, text FROM survey_answer WHERE response_id = :r"),
            {"r": rid}).all()) == before[rid]
    if db.engine.dialect.name == "postgresql":
        assert as_stored != sent_in_order
        answers_as_stored = list(dict.fromkeys(db.session.scalars(text("SELECT response_id FROM survey_answer"))))
        assert answers_as_stored != sent_in_order
        response_xids = set(db.session.scalars(text("SELECT xmin::text FROM survey_response")))
        answer_xids = set(db.session.scalars(text("SELECT xmin::text FROM survey_answer")))
        assert len(response_xids) == 1 and answer_xids == response_xids
    # A second run changes nothing (the wave's addresses are gone already).
    assert invitations.forget_addresses(answered["wave"].closes_on.replace(day=21)).waves == 0


def test_the_logs_hold_no_token_and_no_answer(app, answered):
    log = answered["log"]
    for token in answered["tokens"]:
        assert token not in log
        assert secrets.token_hash(token) not in log
    for n in range(PEOPLE):
        assert f"Answer text number {n:02d}" not in log
    for response_id in answered["responses"]:
        assert response_id not in log


def test_the_outbox_holds_no_answer_and_each_token_only_in_its_own_invitation(app, answered):
    sent = messages()
    tokens = answered["tokens"]
    assert [link_in(m) for m in sent] == tokens
    for message, token in zip(sent, tokens, strict=True):
        body = message.text_body + message.html_body + message.subject
        assert "Answer text number" not in body
        assert all(other not in body for other in tokens if other != token)
        assert all(response_id not in body for response_id in answered["responses"])


def test_a_failed_submission_logs_no_token_and_no_answer(app, world, survey, caplog, monkeypatch):
    """An error while the answers are written is logged with its traceback for the operators, and the
    log line says nothing of the link or the answers; nothing of the response is kept."""
    from types import SimpleNamespace

    from tracker.surveys import respond

    logging.getLogger("tracker.core.errors").disabled = False

    def boom():  # after the link's use is written, before the response
        raise RuntimeError("the disk is full")

    monkeypatch.setattr(respond, "uuid", SimpleNamespace(uuid4=boom))
    with clock.frozen(OPEN_DAY):
        (token,) = invite_tokens(survey.waves[1], world.org_a, ["ann@council.gov.uk"])
        client = IsolatedClient(app, app.response_class, use_cookies=True)
        start(client, token)
        with caplog.at_level(logging.DEBUG):
            response = client.post("/s/survey/send", data=as_pairs(answers_of(survey, 7)))
    assert response.status_code == 500
    assert any(record.exc_info for record in caplog.records), "the error is logged"
    log = caplog.text + "".join(str(record.args) for record in caplog.records)
    assert token not in log and secrets.token_hash(token) not in log and "Answer text number" not in log
    db.session.rollback()
    assert db.session.scalar(select(Response.id)) is None and db.session.scalar(select(InvitationUse)) is None
