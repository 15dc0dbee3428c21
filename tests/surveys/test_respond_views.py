"""The respondents' pages over the test client: the link exchanged for a cookie and left behind, the
questions, errors that keep the answers, "Check your answers", sending, and the pages that say why a link
cannot be used. Also their headers and cookie, CSRF without a sign-in (and over HTTPS without a Referer),
no token in the access logs, and hostile input to every field."""

import logging
import re
from datetime import datetime, timedelta

import pytest
from sqlalchemy import func, select
from werkzeug.datastructures import MultiDict

from tests import factories
from tests.conftest import IsolatedClient
from tests.surveys.conftest import make_survey
from tests.surveys.test_invitations import OPEN_DAY, invite_tokens
from tests.surveys.test_respond import valid_answers
from tests.test_hostile_input import Fuzzer, _valid_args, fuzz_rule, recording  # noqa: F401 - a fixture
from tests.test_permissions import Ids
from tests.test_security import cookie_attributes
from tracker import create_app
from tracker.core import clock
from tracker.extensions import db
from tracker.surveys import invitations, views_respond
from tracker.surveys.models import Answer, InvitationUse, Response

COOKIE = "survey"
TOKEN_INPUT = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


@pytest.fixture
def opened():
    """The clock stopped on a day wave 2 (1 to 14 April 2026) is open."""
    with clock.frozen(OPEN_DAY):
        yield


def new_client(app) -> IsolatedClient:
    return IsolatedClient(app, app.response_class, use_cookies=True)


def start(client, token: str):
    """Open the link: 303 to the survey, and the cookie set."""
    response = client.get(f"/s/{token}")
    assert response.status_code == 303, response.data[:300]
    assert response.headers["Location"] == "/s/survey"
    return response


def text_of(response) -> str:
    body = response.get_data(as_text=True)
    body = body.split('id="main-content"', 1)[-1]
    return " ".join(re.sub(r"<[^>]+>", " ", body).split())


def count(model) -> int:
    db.session.rollback()
    return db.session.scalar(select(func.count()).select_from(model))


def as_pairs(data: dict, extra=()) -> MultiDict:
    """Form data as a browser sends it: each value of a list as a field of its own."""
    pairs = [(k, v) for k, values in data.items() for v in (values if isinstance(values, list) else [values])]
    return MultiDict(pairs + list(extra))


# --- the journey ---------------------------------------------------------------------------------


def test_the_link_is_exchanged_for_a_cookie_and_left_behind(app, world, survey, opened):
    (token,) = invite_tokens(survey.waves[1], world.org_a, ["ann@x.org"])
    client = new_client(app)
    response = start(client, token)
    attributes = cookie_attributes(response, COOKIE)
    assert "httponly" in attributes and attributes["samesite"] == "Lax" and attributes["path"] == "/s/"
    assert "secure" not in attributes  # testing; see the production test below
    assert int(attributes["max-age"]) == 4 * 3600
    value = response.headers.getlist("Set-Cookie")[0]
    assert token not in value
    assert token not in response.headers["Location"]
    page = client.get("/s/survey")
    assert page.status_code == 200
    assert token not in page.get_data(as_text=True)


def test_the_survey_page_in_the_organisations_name_privacy_note_first(app, world, survey, opened, login):
    (token,) = invite_tokens(survey.waves[1], world.org_a, ["ann@x.org"])
    client = login(new_client(app), world.team_b)  # a respondent may be signed in: nothing says so
    start(client, token)
    page = client.get("/s/survey")
    body = page.get_data(as_text=True)
    text = text_of(page)
    assert "Council A" in text and "Staff pulse survey" in text
    assert text.index("How your answers are kept") < text.index("1. The new casework standards help me")
    assert text.index("We keep your answers and the day you sent them") < text.index("1. The new casework")
    assert "Team B" not in body and "Sign out" not in body and "Programmes" not in text
    assert "<title>Staff pulse survey – " in body
    for question in survey.questions:
        assert f'name="q{question.id}"' in body
    assert body.count('type="radio"') == 5 + 11 + 3 and body.count('type="checkbox"') == 3
    assert "(optional)" in text and "2,000 characters or fewer" in text


def test_an_error_keeps_the_answers_given(app, world, survey, opened):
    (token,) = invite_tokens(survey.waves[1], world.org_a, ["ann@x.org"])
    client = new_client(app)
    start(client, token)
    likert, scale, _single, multiple, free = survey.questions
    half = {f"q{likert.id}": "2", f"q{multiple.id}": ["1", "2"], f"q{free.id}": "Fewer forms <please>",
            f"q{scale.id}": "12"}
    page = client.post("/s/survey", data=as_pairs(half))
    assert page.status_code == 422
    body = page.get_data(as_text=True)
    assert "<title>Error: " in body
    assert "Choose one of the answers given for question 2" in body and "Choose an answer to question 3" in body
    assert re.search(rf'name="q{likert.id}" type="radio" value="2" checked', body)
    assert len(re.findall(rf'name="q{multiple.id}" type="checkbox" value="[12]" checked', body)) == 2
    assert "Fewer forms &lt;please&gt;</textarea>" in body
    assert f'href="#q{scale.id}"' in body  # the summary links to the question
    assert count(Response) == 0


def test_check_your_answers_change_then_send(app, world, survey, opened):
    (token,) = invite_tokens(survey.waves[1], world.org_a, ["ann@x.org"])
    client = new_client(app)
    start(client, token)
    data = valid_answers(survey)
    check = client.post("/s/survey", data=as_pairs(data))
    assert check.status_code == 200
    text = text_of(check)
    assert "Check your answers" in text
    assert "1. The new casework standards help me Agree" in text
    assert "4. Which have you used? Templates Training" in text
    assert "Change your answer to question 5" in text
    assert count(Response) == 0  # nothing kept before it is sent
    body = check.get_data(as_text=True)
    hidden = re.findall(r'<input type="hidden" name="(q\d+)" value="([^"]*)">', body)
    assert sorted(hidden) == sorted(as_pairs(data).items(multi=True))

    # "Change" posts the answers back: the questions again, filled in.
    back = client.post("/s/survey", data=as_pairs(data, [("change", f"q{survey.questions[0].id}")]))
    assert back.status_code == 200
    assert re.search(rf'name="q{survey.questions[0].id}" type="radio" value="4" checked', back.get_data(as_text=True))

    sent = client.post("/s/survey/send", data=as_pairs(data))
    assert sent.status_code == 303 and sent.headers["Location"] == "/s/thank-you"
    done = client.get("/s/thank-you")
    assert done.status_code == 200
    assert "Answers sent" in text_of(done) and "Council A" in text_of(done)
    assert count(Response) == 1 and count(InvitationUse) == 1 and count(Answer) == 6

    # Sent once: again from this browser, or the link opened again, says so and keeps the answer.
    again = client.post("/s/survey/send", data=as_pairs(data))
    assert again.status_code == 200 and "Your answers have been sent" in text_of(again)
    start(client, token)
    used = client.get("/s/survey")
    assert used.status_code == 410
    assert "This link has already been used" in text_of(used) and "They are kept" in text_of(used)
    assert client.post("/s/survey/send", data=as_pairs(data)).status_code == 410
    assert count(Response) == 1


def test_questions_changed_while_answering_are_shown_again_not_sent_with_another_meaning(app, world, survey,
                                                                                      opened):
    """Review of issue 8: "Check your answers" said "Case standards"; the facilitator then reordered the
    choices and turned the Likert question into free text. The answers were sent as index 1 ("Letters")
    and the text "4". Now the questions come back, filled in, to be checked again."""
    from tracker.surveys import builder
    from tracker.surveys.models import QuestionKind

    (token,) = invite_tokens(survey.waves[1], world.org_a, ["ann@x.org"])
    client = new_client(app)
    start(client, token)
    likert, _scale, single, _multiple, _free = survey.questions
    page = client.get("/s/survey").get_data(as_text=True)
    shown = re.search(r'name="asked" value="([0-9a-f]+)"', page).group(1)
    data = valid_answers(survey)
    check = client.post("/s/survey", data=as_pairs(data, [("asked", shown)]))
    assert check.status_code == 200 and "Case standards" in text_of(check)
    checked = re.search(r'name="asked" value="([0-9a-f]+)"', check.get_data(as_text=True)).group(1)
    assert checked == shown

    builder.update_question(single, kind=QuestionKind.SINGLE, text=single.text,
                            choices=["Contact methods", "Letters", "Case standards"])
    builder.update_question(likert, kind=QuestionKind.TEXT, text="Say something")
    db.session.commit()

    sent = client.post("/s/survey/send", data=as_pairs(data, [("asked", checked)]))
    assert sent.status_code == 409
    assert "The questions changed while you were answering" in text_of(sent)
    assert count(Response) == 0 and count(InvitationUse) == 0
    body = sent.get_data(as_text=True)
    assert "More time for training</textarea>" in body  # the answers given are kept
    fresh = re.search(r'name="asked" value="([0-9a-f]+)"', body).group(1)
    assert fresh != checked
    # The questions page posted before the change is caught in the same way; once checked, it goes.
    again = client.post("/s/survey", data=as_pairs(data, [("asked", shown)]))
    assert again.status_code == 409
    data[f"q{likert.id}"] = "It helps"
    check = client.post("/s/survey", data=as_pairs(data, [("asked", fresh)]))
    assert check.status_code == 200 and "Check your answers" in text_of(check)
    assert client.post("/s/survey/send", data=as_pairs(data, [("asked", fresh)])).status_code == 303
    assert count(Response) == 1


def test_a_question_removed_while_the_answers_are_written_is_not_a_server_error(app, world, survey, opened,
                                                                               monkeypatch):
    """Review of issue 8: a question without answers deleted between reading the questions and writing the
    answers made the answer's insert fail on its foreign key: a 500, and the answers lost without a word.
    Now nothing is kept (not even the link's use) and the questions as they are now are shown again."""
    from tracker.surveys import builder, respond

    (token,) = invite_tokens(survey.waves[1], world.org_a, ["ann@x.org"])
    client = new_client(app)
    start(client, token)
    data = valid_answers(survey)
    page = client.post("/s/survey", data=as_pairs(data)).get_data(as_text=True)
    shown = re.search(r'name="asked" value="([0-9a-f]+)"', page).group(1)
    stale = respond.questions(survey.id)
    builder.remove_question(survey.questions[4])  # the free text, not answered yet: deleted
    db.session.commit()
    fresh = respond.questions
    reads = iter([stale])  # the first read, just before the delete; then as they are
    monkeypatch.setattr(respond, "questions", lambda survey_id: next(reads, None) or fresh(survey_id))
    sent = client.post("/s/survey/send", data=as_pairs(data, [("asked", shown)]))
    monkeypatch.undo()
    assert sent.status_code == 409
    assert "The questions changed while you were answering" in text_of(sent)
    assert count(Response) == 0 and count(InvitationUse) == 0 and count(Answer) == 0
    assert "More time for training" not in sent.get_data(as_text=True)  # that question is no longer asked
    assert re.search(rf'name="q{survey.questions[0].id}" type="radio" value="4" checked', sent.get_data(as_text=True))


def test_two_tabs_of_one_link_send_one_response(app, world, survey, opened):
    (token,) = invite_tokens(survey.waves[1], world.org_a, ["ann@x.org"])
    first, second = new_client(app), new_client(app)
    start(first, token)
    start(second, token)
    data = as_pairs(valid_answers(survey))
    assert first.post("/s/survey/send", data=data).status_code == 303
    late = second.post("/s/survey/send", data=data)
    assert late.status_code == 410 and "already been used" in text_of(late)
    assert count(Response) == 1


def test_the_answers_are_checked_again_when_sent(app, world, survey, opened):
    (token,) = invite_tokens(survey.waves[1], world.org_a, ["ann@x.org"])
    client = new_client(app)
    start(client, token)
    tampered = valid_answers(survey, **{f"q{survey.questions[2].id}": "9"})
    response = client.post("/s/survey/send", data=as_pairs(tampered))
    assert response.status_code == 422
    assert count(Response) == 0 and count(InvitationUse) == 0


def test_a_shared_link(app, world, survey, opened):
    token = invitations.make_shared_link(survey.waves[1], world.org_b, OPEN_DAY.date())
    db.session.commit()
    for _ in range(2):
        client = new_client(app)
        start(client, token)
        page = client.get("/s/survey")
        assert "Council B" in text_of(page) and "shared with all the staff of Council B" in text_of(page)
        assert client.post("/s/survey/send", data=as_pairs(valid_answers(survey))).status_code == 303
    assert count(Response) == 2 and count(InvitationUse) == 0


# --- links that cannot be used -------------------------------------------------------------------


def test_unknown_tokens_and_missing_cookies_are_a_404_that_says_so(app, world, survey, opened):
    client = new_client(app)
    for path in ("/s/not-a-token", "/s/" + "x" * 43, "/s/survey", "/s/thank-you"):
        response = client.get(path)
        assert response.status_code == 404, path
        assert "This survey link is not recognised" in text_of(response), path
    for path in ("/s/survey", "/s/survey/send"):
        assert client.post(path, data=as_pairs(valid_answers(survey))).status_code == 404
    client.set_cookie("survey", "forged.value.here", path="/s/")
    assert client.get("/s/survey").status_code == 404
    assert count(Response) == 0


def test_a_closed_and_a_not_yet_open_wave_say_which(app, world, survey):
    first, _second, third = survey.waves[:3]
    (closed,) = invite_tokens(first, world.org_a, ["ann@x.org"], today=datetime(2026, 1, 2).date())
    (later,) = invite_tokens(third, world.org_a, ["ann@x.org"], today=third.opens_on)  # then the wave moved
    client = new_client(app)
    with clock.frozen(OPEN_DAY):
        start(client, closed)
        page = client.get("/s/survey")
        assert page.status_code == 410
        assert "This survey has closed" in text_of(page) and "closed on 14 January 2026" in text_of(page)
        start(client, later)
        page = client.get("/s/survey")
        assert page.status_code == 200
        assert "This survey is not open yet" in text_of(page) and "opens on 1 July 2026" in text_of(page)
        assert client.post("/s/survey/send", data=as_pairs(valid_answers(survey))).status_code == 200
    assert count(Response) == 0


def test_a_reminder_replaces_the_link_but_not_a_visit_under_way(app, world, survey, opened):
    wave = survey.waves[1]
    (token,) = invite_tokens(wave, world.org_a, ["ann@x.org"])
    client = new_client(app)
    start(client, token)
    invitations.remind(wave, world.org_a, link_for=lambda t: f"https://x/s/{t}", today=OPEN_DAY.date())
    db.session.commit()
    assert new_client(app).get(f"/s/{token}").status_code == 404  # the old link no longer works
    assert client.post("/s/survey/send", data=as_pairs(valid_answers(survey))).status_code == 303


# --- headers, cookie, CSRF -----------------------------------------------------------------------


def test_every_response_under_s_sends_no_referrer_and_no_store(app, world, survey, opened):
    (token,) = invite_tokens(survey.waves[1], world.org_a, ["ann@x.org"])
    client = new_client(app)
    responses = [client.get("/s/unknown"), client.get("/s/survey"), client.get("/s/a/b/c"),
                 client.post("/s/thank-you"), start(client, token), client.get("/s/survey"),
                 client.post("/s/survey", data={}), client.post("/s/survey", data=as_pairs(valid_answers(survey))),
                 client.post("/s/survey/send", data=as_pairs(valid_answers(survey))), client.get("/s/thank-you"),
                 client.get("/s/survey")]
    assert {r.status_code for r in responses} >= {200, 303, 404, 405, 422}
    for response in responses:
        assert response.headers["Referrer-Policy"] == "no-referrer", response.request.path
        assert response.headers["Cache-Control"] == "no-store", response.request.path
    other = client.get("/sign-in")
    assert other.headers["Referrer-Policy"] == "same-origin"


def test_respondents_posts_need_the_csrf_token(app, world, survey, opened):
    app.config["WTF_CSRF_ENABLED"] = True  # conftest turns it off again
    (token,) = invite_tokens(survey.waves[1], world.org_a, ["ann@x.org"])
    client = new_client(app)
    start(client, token)
    page = client.get("/s/survey")
    csrf_token = TOKEN_INPUT.search(page.get_data(as_text=True)).group(1)
    data = valid_answers(survey)
    for path in ("/s/survey", "/s/survey/send"):
        for extra in ([], [("csrf_token", "nonsense")]):
            refused = client.post(path, data=as_pairs(data, extra))
            assert refused.status_code == 400, path
            assert "Your form expired" in refused.get_data(as_text=True)
    check = client.post("/s/survey", data=as_pairs(data, [("csrf_token", csrf_token)]))
    assert check.status_code == 200 and "Check your answers" in text_of(check)
    sent = client.post("/s/survey/send", data=as_pairs(data, [("csrf_token", TOKEN_INPUT.search(
        check.get_data(as_text=True)).group(1))]))
    assert sent.status_code == 303
    assert count(Response) == 1


@pytest.fixture
def production_app(monkeypatch):
    monkeypatch.delenv("TRUSTED_PROXIES", raising=False)
    prod = create_app({"ENV_NAME": "production", "SECRET_KEY": "x" * 40, "SQLALCHEMY_DATABASE_URI": "sqlite://",
                       "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000"})
    with prod.app_context():
        db.create_all()
        yield prod
        db.session.remove()
        db.engine.dispose()


def test_in_production_the_cookie_is_secure_and_no_referer_is_needed(production_app):
    world = factories.make_world()
    survey = make_survey(world.programme)
    with clock.frozen(OPEN_DAY):
        (token,) = invite_tokens(survey.waves[1], world.org_a, ["ann@x.org"])
        client = production_app.test_client()
        https = "https://tracker.example"
        response = client.get(f"/s/{token}", base_url=https)
        assert response.status_code == 303
        attributes = cookie_attributes(response, "__Secure-survey")
        assert "secure" in attributes and "httponly" in attributes and attributes["path"] == "/s/"
        page = client.get("/s/survey", base_url=https)
        assert page.headers["Referrer-Policy"] == "no-referrer"
        csrf_token = TOKEN_INPUT.search(page.get_data(as_text=True)).group(1)
        data = valid_answers(survey)
        # A no-referrer page sends no Referer with its form: the token alone is checked.
        assert client.post("/s/survey/send", base_url=https, data=as_pairs(data)).status_code == 400
        sent = client.post("/s/survey/send", base_url=https, data=as_pairs(data, [("csrf_token", csrf_token)]))
        assert sent.status_code == 303, sent.get_data(as_text=True)[:500]
        assert db.session.scalar(select(func.count()).select_from(Response)) == 1


# --- no token in the logs ------------------------------------------------------------------------


def test_tokens_are_taken_out_of_access_log_lines():
    token = "dx7NqtFPRT6mypjumSoJk6_vOlP_u9xJ43pF22Zwk68"
    assert views_respond.redact(f'"GET /s/{token} HTTP/1.1" 303 -') == '"GET /s/… HTTP/1.1" 303 -'
    assert views_respond.redact(f"/s/{token}?x=1") == "/s/…?x=1"
    for kept in ("/s/survey", "/s/survey/send", "/s/thank-you", "/sign-in", "/programmes/x/s/y"):
        assert views_respond.redact(f"GET {kept} HTTP/1.1") == f"GET {kept} HTTP/1.1"

    # werkzeug's development server: the request line is an argument of its record.
    record = logging.LogRecord("werkzeug", logging.INFO, __file__, 1, '%s - - [%s] "%s" %s %s',
                               ("127.0.0.1", "now", f"GET /s/{token} HTTP/1.1", "303", "-"), None)
    views_respond.TokenFilter().filter(record)
    assert token not in record.getMessage() and "GET /s/… HTTP/1.1" in record.getMessage()

    # gunicorn's access log: a mapping of atoms (its own class answers missing keys with "-").
    class Atoms(dict):
        def __getitem__(self, key):
            return super().get(key, "-")

    atoms = Atoms(r=f"GET /s/{token} HTTP/1.1", U=f"/s/{token}", s="303", h="127.0.0.1")
    record = logging.LogRecord("gunicorn.access", logging.INFO, __file__, 1, '%(h)s "%(r)s" %(s)s %({x}i)s',
                               None, None)
    record.args = atoms
    views_respond.TokenFilter().filter(record)
    assert record.getMessage() == '127.0.0.1 "GET /s/… HTTP/1.1" 303 -'
    assert isinstance(record.args, Atoms)
    assert views_respond._FILTER in logging.getLogger("werkzeug").filters
    assert views_respond._FILTER in logging.getLogger("gunicorn.access").filters


# --- hostile input -------------------------------------------------------------------------------


@pytest.mark.usefixtures("recording")
def test_no_input_to_the_respondents_pages_gives_a_server_error(app, world, survey, login):
    """The generated bad-input test reaches the respondents' pages only as far as their 404 (no cookie);
    here a browser with a shared link's cookie gets every hostile value into every field."""
    w = Ids(world)
    client = new_client(app)
    fuzzer = Fuzzer(app, client, "team_b", w, login)
    with clock.frozen(OPEN_DAY):
        token = invitations.make_shared_link(survey.waves[1], world.org_b, OPEN_DAY.date())
        db.session.commit()
        start(client, token)
        rules = {rule.endpoint: rule for rule in app.url_map.iter_rules()}
        for endpoint in ("surveys.respond_survey", "surveys.respond_send", "surveys.respond_done",
                         "surveys.respond_link"):
            rule = rules[endpoint]
            args, query = _valid_args(app, rule, w)
            if endpoint == "surveys.respond_link":
                args = {"token": token}
            fuzz_rule(fuzzer, rule, args, query)
            start(client, token)  # a fuzzed send ends the visit; the next page starts a new one
    assert fuzzer.count > 120
    assert not fuzzer.failures, "\n".join(fuzzer.failures[:100])
    assert count(Response) > 0  # the valid probes got through


def test_a_signed_in_respondent_leaves_no_time_in_their_session(app, world, survey, opened, login):
    """The respondents' pages do not read the signed-in person's session, so its last-seen time is not
    written at the moment answers are sent."""
    from tracker.accounts.models import UserSession
    from tracker.core.db import utcnow

    (token,) = invite_tokens(survey.waves[1], world.org_a, ["ann@x.org"])
    client = login(new_client(app), world.team_a)
    seen = utcnow() - timedelta(minutes=5)  # long enough ago to be written again, within the idle timeout
    db.session.execute(UserSession.__table__.update().values(last_seen_dt=seen))
    db.session.commit()
    start(client, token)
    data = valid_answers(survey)
    assert client.post("/s/survey", data=as_pairs(data)).status_code == 200
    assert client.post("/s/survey/send", data=as_pairs(data)).status_code == 303
    db.session.rollback()
    assert set(db.session.scalars(select(UserSession.last_seen_dt))) == {seen}
