"""Sending answers without reading first (``respond.submit_known``): on PostgreSQL one statement, on SQLite
the three inserts in one transaction, when this process has read the survey's questions; and the ordinary
way — which reads everything and says what is wrong — whenever anything is not as it was read: a question
changed or removed, the link used, the wave closed, answers with errors, or a cookie from before the
survey's id was in it."""

import re
from datetime import timedelta

import pytest
from sqlalchemy import event, select

from tests.surveys.test_invitations import OPEN_DAY, invite_tokens
from tests.surveys.test_respond import valid_answers
from tests.surveys.test_respond_views import as_pairs, count, new_client, start, text_of
from tracker.core import clock
from tracker.extensions import db
from tracker.surveys import builder, respond, waves
from tracker.surveys.models import Answer, InvitationUse, Response


def known_statements(seen: list[str]) -> bool:
    """Whether ``seen`` are the statements of an answer sent without reading first."""
    writes = [s.lstrip() for s in seen if not s.lstrip().upper().startswith(("BEGIN", "COMMIT", "ROLLBACK"))]
    if db.engine.dialect.name == "postgresql":
        return len(writes) == 1 and writes[0].startswith("WITH fresh AS")
    return len(writes) == 3 and all(w.startswith("INSERT INTO survey_") for w in writes)


@pytest.fixture(autouse=True)
def opened():
    with clock.frozen(OPEN_DAY):
        yield


def statements_of(fn) -> list[str]:
    seen = []

    def record(_conn, _cursor, statement, *_args, **_kwargs):
        seen.append(statement)

    event.listen(db.engine, "before_cursor_execute", record)
    try:
        fn()
    finally:
        event.remove(db.engine, "before_cursor_execute", record)
    return seen


def opened_link(app, world, survey):
    """A browser that opened its link and read the questions (as the form's page does)."""
    (token,) = invite_tokens(survey.waves[1], world.org_a, ["ann@x.org"])
    client = new_client(app)
    start(client, token)
    page = client.get("/s/survey")
    assert page.status_code == 200
    return client, re.search(r'name="asked" value="([0-9a-f]+)"', page.get_data(as_text=True)).group(1)


def test_answers_go_in_one_statement_once_the_questions_were_read(app, world, survey):
    client, shown = opened_link(app, world, survey)
    data = valid_answers(survey)
    responses = []
    seen = statements_of(lambda: responses.append(
        client.post("/s/survey/send", data=as_pairs(data, [("asked", shown)]))))
    assert responses[0].status_code == 303 and responses[0].headers["Location"] == "/s/thank-you"
    assert known_statements(seen), seen
    assert (count(Response), count(InvitationUse), count(Answer)) == (1, 1, 6)
    assert "Answers sent" in text_of(client.get("/s/thank-you"))
    # Sent again from this browser (its cookie now says the answers went): the ordinary way, nothing more kept.
    again = client.post("/s/survey/send", data=as_pairs(data, [("asked", shown)]))
    assert again.status_code == 200 and "Your answers have been sent" in text_of(again) and count(Response) == 1


def test_a_question_changed_after_it_was_read_is_caught_by_the_statement(app, world, survey):
    client, shown = opened_link(app, world, survey)
    data = valid_answers(survey)
    single = survey.questions[2]
    builder.update_question(single, kind=single.kind, text=single.text,
                            choices=["Contact methods", "Letters", "Case standards"])  # reordered
    db.session.commit()
    fresh = respond._known[survey.id]
    sent = client.post("/s/survey/send", data=as_pairs(data, [("asked", shown)]))
    assert sent.status_code == 409
    assert "The questions changed while you were answering" in text_of(sent)
    assert (count(Response), count(InvitationUse), count(Answer)) == (0, 0, 0)
    assert respond._known[survey.id] != fresh  # read again on the way


def test_a_stale_copy_of_the_questions_writes_nothing(app, world, survey):
    """The statement's own guard, with the form's check passed: the copy kept says the questions are as the
    page showed them, but the survey's questions version is new since (a text edited in another process)."""
    client, shown = opened_link(app, world, survey)
    data = valid_answers(survey)
    kept = respond._known[survey.id]
    likert = survey.questions[0]
    builder.update_question(likert, kind=likert.kind, text=likert.text + " now")
    db.session.commit()
    respond._known[survey.id] = kept  # as another process would still have it
    sent = client.post("/s/survey/send", data=as_pairs(data, [("asked", shown)]))
    assert sent.status_code == 409  # the ordinary way read the questions as they are
    assert (count(Response), count(InvitationUse), count(Answer)) == (0, 0, 0)


def test_a_closed_wave_an_error_and_an_old_cookie_go_the_ordinary_way(app, world, survey):
    client, shown = opened_link(app, world, survey)
    data = valid_answers(survey)
    wrong = {**data, f"q{survey.questions[0].id}": "9"}  # a Likert point out of range
    bad = client.post("/s/survey/send", data=as_pairs(wrong, [("asked", shown)]))
    assert bad.status_code == 422 and count(Response) == 0

    wave = survey.waves[1]
    waves.move(wave, opens_on=wave.opens_on - timedelta(days=10), closes_on=OPEN_DAY.date() - timedelta(days=1))
    db.session.commit()
    closed = client.post("/s/survey/send", data=as_pairs(data, [("asked", shown)]))
    assert closed.status_code == 410 and "This survey has closed" in text_of(closed)
    assert count(Response) == 0 and count(InvitationUse) == 0


@pytest.mark.parametrize("kept", [("k", "i"), ("k", "i", "s")])
def test_a_cookie_from_before_goes_the_ordinary_way(app, world, survey, kept):
    """A cookie without the survey's id, or (for SQLite's inserts) without the wave and organisation."""
    (token,) = invite_tokens(survey.waves[1], world.org_a, ["ann@x.org"])
    payload = respond.access_for_token(token)
    assert payload["s"] == survey.id
    client = new_client(app)
    client.set_cookie("survey", respond.sign({key: payload[key] for key in kept}), path="/s/")
    respond.questions(survey.id)  # read in this process
    data = as_pairs(valid_answers(survey))
    seen = statements_of(lambda: client.post("/s/survey/send", data=data))
    if db.engine.dialect.name == "postgresql" and "s" in kept:
        assert known_statements(seen)  # its one statement needs only the invitation and the survey
    else:
        assert not known_statements(seen) and any(s.lstrip().startswith("SELECT") for s in seen)
    assert count(Response) == 1


def test_the_response_is_the_invitations_whatever_the_cookie_says(app, world, survey):
    (token,) = invite_tokens(survey.waves[1], world.org_a, ["ann@x.org"])
    payload = respond.access_for_token(token)
    client = new_client(app)
    client.set_cookie("survey", respond.sign({**payload, "o": world.org_b.id}), path="/s/")
    respond.questions(survey.id)
    sent = client.post("/s/survey/send", data=as_pairs(valid_answers(survey)))
    assert sent.status_code == 303
    assert db.session.scalars(select(Response.organisation_id)).all() == [world.org_a.id]
