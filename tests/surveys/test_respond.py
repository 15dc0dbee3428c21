"""Answering as services: a link's token exchanged for a cookie, what the cookie lets its holder do, the
form of the questions, and sending: one response per one-use link, anonymous by construction."""

from datetime import date, datetime, timedelta

import pytest
from sqlalchemy import func, select

from tests.surveys.test_invitations import OPEN_DAY, invite_tokens
from tracker.core import clock, secrets
from tracker.extensions import db
from tracker.surveys import invitations, respond
from tracker.surveys.models import Answer, InvitationUse, Question, QuestionKind, Response
from tracker.surveys.respond import State


def valid_answers(survey, **overrides) -> dict:
    """Form data answering every question of the ``survey`` fixture (field name → value or list)."""
    likert, scale, single, multiple, free = survey.questions[:5]
    data = {f"q{likert.id}": "4", f"q{scale.id}": "9", f"q{single.id}": "1", f"q{multiple.id}": ["0", "2"],
            f"q{free.id}": "More time for training"}
    data.update(overrides)
    return data


def visit_of(token: str, today: date | None = None):
    return respond.visit(respond.access_for_token(token), today or OPEN_DAY.date())


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


# --- the link and the cookie ---------------------------------------------------------------------


def test_a_token_is_exchanged_for_what_the_cookie_holds(world, survey):
    wave = survey.waves[1]
    (token,) = invite_tokens(wave, world.org_a, ["ann@x.org"])
    payload = respond.access_for_token(token)
    # The invitation, its survey, wave and organisation (for sending without a read first): nothing else.
    assert payload["k"] == respond.INVITATION and set(payload) == {"k", "i", "s", "w", "o"}
    assert (payload["s"], payload["w"], payload["o"]) == (survey.id, wave.id, world.org_a.id)
    assert token not in str(payload) and secrets.token_hash(token) not in str(payload)
    shared = invitations.make_shared_link(wave, world.org_b, OPEN_DAY.date())
    db.session.commit()
    assert respond.access_for_token(shared)["k"] == respond.SHARED
    for unknown in ("", "x", token + "x", token[:-1], "a" * 500, "\udcff"):
        assert respond.access_for_token(unknown) is None


def test_the_cookie_is_signed_and_short_lived(app, world, survey):
    value = respond.sign({"k": respond.INVITATION, "i": 1})
    assert respond.read(value) == {"k": "i", "i": 1}
    assert respond.read(value[:-2] + "xx") is None
    assert respond.read(None) is None and respond.read("") is None and respond.read("x" * 5000) is None
    later = datetime.now() + respond.ACCESS_MAX_AGE + timedelta(minutes=1)
    import itsdangerous.timed

    original = itsdangerous.timed.TimestampSigner.get_timestamp
    try:
        itsdangerous.timed.TimestampSigner.get_timestamp = lambda self: int(later.timestamp())
        assert respond.read(value) is None
    finally:
        itsdangerous.timed.TimestampSigner.get_timestamp = original
    other_key = respond.URLSafeTimedSerializer("another key", salt="survey-access").dumps({"k": "i", "i": 1})
    assert respond.read(other_key) is None


def test_what_the_cookie_lets_its_holder_do(world, survey):
    first, second, third = survey.waves[:3]
    (closed,) = invite_tokens(first, world.org_a, ["ann@x.org"], today=date(2026, 1, 2))
    (now_open,) = invite_tokens(second, world.org_a, ["ann@x.org"])
    (later,) = invite_tokens(third, world.org_a, ["ann@x.org"], today=third.opens_on)  # then the wave moved
    assert visit_of(closed).state == State.CLOSED
    assert visit_of(later).state == State.NOT_OPEN
    current = visit_of(now_open)
    assert (current.state, current.organisation.id, current.wave.id, current.shared) == (
        State.OPEN, world.org_a.id, second.id, False)
    assert (current.organisation.name, current.survey.title, current.survey.min_group) == (
        "Council A", "Staff pulse survey", 5)
    respond.submit(current, [], OPEN_DAY.date())
    db.session.commit()
    assert visit_of(now_open).state == State.USED
    assert visit_of(now_open, date(2026, 5, 1)).state == State.USED  # used stays used after the close


def test_cookies_that_are_not_a_way_in(world, survey):
    wave = survey.waves[1]
    shared = invitations.make_shared_link(wave, world.org_a, OPEN_DAY.date())
    db.session.commit()
    payload = respond.access_for_token(shared)
    assert respond.visit(payload, OPEN_DAY.date()).shared
    for bad in (None, {}, {"k": "i"}, {"k": "i", "i": "1"}, {"k": "i", "i": True}, {"k": "i", "i": 2**70},
                {"k": "i", "i": 999}, {"k": "s", "w": payload["w"]}, {"k": "s", "w": payload["w"], "h": "0" * 64},
                {"k": "d", "w": wave.id}, {"k": "x"}, {"k": "d", "w": wave.id, "o": 999}):
        assert respond.visit(bad, OPEN_DAY.date()) is None, bad
    invitations.make_shared_link(wave, world.org_a, OPEN_DAY.date())  # replaced: the old cookie stops
    db.session.commit()
    assert respond.visit(payload, OPEN_DAY.date()) is None


# --- the form ------------------------------------------------------------------------------------


def test_retired_questions_are_not_asked(world, survey):
    retired = survey.questions[1]
    retired.retired_dt = datetime(2026, 3, 1)
    db.session.commit()
    asked = respond.questions(survey.id)
    assert [q.id for q in asked] == [q.id for q in survey.questions if q is not retired]


def _form(app, survey, data: dict):
    from werkzeug.datastructures import MultiDict

    pairs = [(k, v) for k, values in data.items() for v in (values if isinstance(values, list) else [values])]
    with app.test_request_context("/s/survey", method="POST", data=MultiDict(pairs)):
        asked = respond.questions(survey.id)
        form = respond.answer_form(asked, meta={"csrf": False})
        ok = form.validate()
        return ok, form, asked


def test_answers_are_checked_and_turned_into_rows(app, world, survey):
    ok, form, asked = _form(app, survey, valid_answers(survey))
    assert ok, form.errors
    rows = respond.answer_values(form, asked)
    likert, scale, single, multiple, free = survey.questions
    assert rows == [respond.AnswerValue(likert.id, 0, 4, None), respond.AnswerValue(scale.id, 0, 9, None),
                    respond.AnswerValue(single.id, 0, 1, None), respond.AnswerValue(multiple.id, 0, 0, None),
                    respond.AnswerValue(multiple.id, 2, 2, None),
                    respond.AnswerValue(free.id, 0, None, "More time for training")]
    summary = respond.summary(form, asked)
    assert [row.answer for row in summary] == [["Agree"], ["9"], ["Case standards"], ["Templates", "Training"],
                                               ["More time for training"]]


def test_required_questions_and_choices_that_exist(app, world, survey):
    likert, scale, single, multiple, free = survey.questions
    ok, form, _asked = _form(app, survey, {f"q{free.id}": "  "})
    assert not ok
    assert form.errors == {f"q{likert.id}": ["Choose an answer to question 1"],
                           f"q{scale.id}": ["Choose an answer to question 2"],
                           f"q{single.id}": ["Choose an answer to question 3"]}
    ok, form, _asked = _form(app, survey, valid_answers(survey, **{
        f"q{likert.id}": "6", f"q{scale.id}": "11", f"q{single.id}": "3", f"q{multiple.id}": ["0", "7"],
        f"q{free.id}": "x" * (respond.MAX_TEXT + 1)}))
    assert form.errors == {
        f"q{likert.id}": ["Choose one of the answers given for question 1"],
        f"q{scale.id}": ["Choose one of the answers given for question 2"],
        f"q{single.id}": ["Choose one of the answers given for question 3"],
        f"q{multiple.id}": ["Choose from the answers given for question 4"],
        f"q{free.id}": ["Your answer to question 5 must be 2,000 characters or fewer"]}
    ok, form, asked = _form(app, survey, {f"q{likert.id}": "1", f"q{scale.id}": "0", f"q{single.id}": "0"})
    assert ok  # the optional questions left blank
    assert [r.question_id for r in respond.answer_values(form, asked)] == [likert.id, scale.id, single.id]


def test_a_required_multiple_choice_question_needs_one_choice(app, world, survey):
    survey.questions.append(Question(position=5, kind=QuestionKind.MULTIPLE, text="Pick", required=True,
                                     choices=["One", "Two"]))
    db.session.commit()
    extra = survey.questions[-1]
    ok, form, _asked = _form(app, survey, valid_answers(survey))
    assert form.errors == {f"q{extra.id}": ["Choose at least one answer to question 6"]}


# --- sending -------------------------------------------------------------------------------------


def test_a_response_is_its_wave_organisation_random_id_and_day(world, survey):
    wave = survey.waves[1]
    (token,) = invite_tokens(wave, world.org_a, ["ann@x.org"])
    current = visit_of(token)
    likert = survey.questions[0]
    respond.submit(current, [respond.AnswerValue(likert.id, 0, 5, None)], OPEN_DAY.date())
    db.session.commit()
    response = db.session.scalar(select(Response))
    assert len(response.id) == 32 and int(response.id, 16) >= 0
    assert (response.wave_id, response.organisation_id, response.submitted_on) == (wave.id, world.org_a.id,
                                                                                 date(2026, 4, 2))
    assert [(a.question_id, a.item, a.value, a.text) for a in response.answers] == [(likert.id, 0, 5, None)]
    assert count(InvitationUse) == 1


def test_a_link_answers_once(world, survey):
    (token,) = invite_tokens(survey.waves[1], world.org_a, ["ann@x.org"])
    first, second = visit_of(token), visit_of(token)  # two tabs opened before either sent
    respond.submit(first, [], OPEN_DAY.date())
    db.session.commit()
    with pytest.raises(respond.AlreadyUsed):
        respond.submit(second, [respond.AnswerValue(survey.questions[0].id, 0, 1, None)], OPEN_DAY.date())
    db.session.rollback()
    assert count(Response) == 1 and count(Answer) == 0  # the first, empty, answer is kept


def test_a_shared_link_answers_many_times_and_leaves_no_use(world, survey):
    token = invitations.make_shared_link(survey.waves[1], world.org_b, OPEN_DAY.date())
    db.session.commit()
    for _ in range(3):
        respond.submit(visit_of(token), [], OPEN_DAY.date())
        db.session.commit()
    assert count(Response) == 3 and count(InvitationUse) == 0
    assert set(db.session.scalars(select(Response.organisation_id))) == {world.org_b.id}


def test_nothing_is_sent_outside_the_wave(world, survey):
    (token,) = invite_tokens(survey.waves[1], world.org_a, ["ann@x.org"])
    current = visit_of(token)
    for day in (date(2026, 3, 31), date(2026, 4, 15)):
        with pytest.raises(respond.NotOpen):
            respond.submit(current, [], day)
    with clock.frozen(datetime(2026, 4, 14, 22, 59)):  # 23:59 in the UK (summer time): still open
        respond.submit(current, [], None)
    db.session.commit()
    assert db.session.scalar(select(Response.submitted_on)) == date(2026, 4, 14)
