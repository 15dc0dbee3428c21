"""A respondent's language: the organisation's survey language (for "both", the browser's) until they
choose one; the switch on the questions and on "Check your answers" brings the same page back in the other
language with every answer kept; the survey's own words in Welsh where written; and the switch looks at
no account, even when the respondent is signed in to the tracker."""

import html
import re

import pytest

from tests.surveys.test_invitations import OPEN_DAY, invite_tokens
from tests.surveys.test_respond import valid_answers
from tests.surveys.test_respond_views import as_pairs, count, new_client, start, text_of
from tracker.core import clock
from tracker.extensions import db
from tracker.surveys import respond
from tracker.surveys.models import Response


def words(response) -> str:
    return html.unescape(text_of(response))


def with_fingerprint(survey, data: dict, extra) -> dict:
    """The answers as the page posts them: with the fingerprint of the questions it showed."""
    return as_pairs(data, [(respond.FINGERPRINT_FIELD, respond.fingerprint(respond.questions(survey.id))), *extra])


def lang_of(response) -> str:
    return re.search(r'<html lang="([^"]+)"', response.get_data(as_text=True)).group(1)


@pytest.fixture
def opened():
    """The clock stopped on a day wave 2 is open."""
    with clock.frozen(OPEN_DAY):
        yield


@pytest.fixture
def welsh_words(survey):
    survey.title_cy = "Arolwg pwls staff"
    first = survey.questions[0]
    first.text_cy = "Mae'r safonau gwaith achos newydd yn fy helpu"
    single = survey.questions[2]
    single.choices_cy = [f"Dewis {n}" for n in range(1, len(single.choices) + 1)]
    db.session.commit()
    return survey


@pytest.mark.parametrize(("setting", "browser", "expected"), [
    ("cy", "en-GB", "cy"), ("en", "cy", "en-GB"), ("both", "cy", "cy"), ("both", "en-GB,en", "en-GB")])
def test_the_survey_opens_in_the_organisations_language_or_for_both_the_browsers(
        app, world, welsh_words, opened, setting, browser, expected):
    world.org_a.language = setting
    db.session.commit()
    (token,) = invite_tokens(welsh_words.waves[1], world.org_a, ["ann@x.org"])
    client = new_client(app)
    start(client, token)
    page = client.get("/s/survey", headers={"Accept-Language": browser})
    assert lang_of(page) == expected
    text = words(page)
    if expected == "cy":
        assert "Arolwg pwls staff" in text and "Mae'r safonau gwaith achos newydd yn fy helpu" in text
        assert "Dewis 2" in text and "Cytuno'n gryf" in text  # the survey's words and the app's, in Welsh
    else:
        assert "Staff pulse survey" in text and "Strongly agree" in text and "Dewis 2" not in text


def test_the_switch_on_the_questions_keeps_every_answer(app, world, welsh_words, opened):
    (token,) = invite_tokens(welsh_words.waves[1], world.org_a, ["ann@x.org"])
    client = new_client(app)
    start(client, token)
    assert lang_of(client.get("/s/survey", headers={"Accept-Language": "en"})) == "en-GB"
    data = valid_answers(welsh_words)
    page = client.post("/s/survey/language", data=with_fingerprint(welsh_words, data, [("language", "cy")]),
                       headers={"Accept-Language": "en"})
    assert page.status_code == 200 and lang_of(page) == "cy"
    body = page.get_data(as_text=True)
    first = welsh_words.questions[0]
    assert re.search(rf'name="q{first.id}" type="radio" value="4" checked', body)
    assert "More time for training" in body
    # The choice is kept in this browser: the next page is Welsh too, whatever the browser says.
    assert lang_of(client.get("/s/survey", headers={"Accept-Language": "en"})) == "cy"
    assert count(Response) == 0


def test_the_switch_on_check_your_answers_shows_them_again_in_the_other_language(app, world, welsh_words, opened):
    (token,) = invite_tokens(welsh_words.waves[1], world.org_a, ["ann@x.org"])
    client = new_client(app)
    start(client, token)
    data = valid_answers(welsh_words)
    check = client.post("/s/survey", data=as_pairs(data), headers={"Accept-Language": "en"})
    assert "Check your answers" in text_of(check) and 'name="page" value="check"' in check.get_data(as_text=True)
    welsh = client.post("/s/survey/language",
                        data=with_fingerprint(welsh_words, data, [("language", "cy"), ("page", "check")]))
    assert welsh.status_code == 200 and lang_of(welsh) == "cy"
    text = words(welsh)
    assert "Gwiriwch eich atebion" in text and "Dewis 2" in text and "More time for training" in text
    sent = client.post("/s/survey/send", data=as_pairs(data))
    assert sent.status_code == 303 and count(Response) == 1


def test_the_respondents_switch_never_touches_an_account(app, world, survey, login, opened):
    (token,) = invite_tokens(survey.waves[1], world.org_a, ["ann@x.org"])
    client = new_client(app)
    login(client, world.team_a)
    start(client, token)
    response = client.post("/s/survey/language", data={"language": "cy"})
    assert response.status_code == 302 and response.headers["Location"] == "/s/survey"
    db.session.refresh(world.team_a)
    assert world.team_a.language is None
    assert lang_of(client.get("/s/survey")) == "cy"
    assert client.post("/s/survey/language", data={"language": "xx"}).status_code == 400
