"""The survey builder's pages through requests: who may do what, forms and their errors, the steps."""

import re
from datetime import date

import pytest
from sqlalchemy import select

from tests.surveys.conftest import make_survey
from tests.surveys.test_builder import answer, texts
from tracker.extensions import db
from tracker.surveys.models import Question, QuestionKind, Survey


def title(response) -> str:
    return re.search(r"<title[^>]*>\s*(.*?)\s*</title>", response.get_data(as_text=True), re.S).group(1)


@pytest.fixture
def facilitator(client, world, login):
    return login(client, world.facilitator)


def test_the_programme_page_links_to_its_surveys(facilitator, world, survey):
    page = facilitator.get(f"/programmes/{world.programme.slug}")
    assert f'href="/programmes/{world.programme.slug}/surveys"' in page.get_data(as_text=True)
    listing = facilitator.get(f"/programmes/{world.programme.slug}/surveys").get_data(as_text=True)
    assert "Staff pulse survey" in listing and "Create a survey" in listing


def test_create_a_survey(facilitator, world):
    slug = world.programme.slug
    form = facilitator.get(f"/programmes/{slug}/surveys/new").get_data(as_text=True)
    assert "We store your answers, the organisation you work for and the day you sent them" in form
    assert 'value="14"' in form

    response = facilitator.post(f"/programmes/{slug}/surveys/new", data={
        "title": " ", "privacy_note": "", "open_days": "0"})
    page = response.get_data(as_text=True)
    assert title(response).startswith("Error: ")
    for message in ("Enter the survey’s title", "Enter the privacy note", "Enter a number of days from 1 to 90"):
        assert message in page

    response = facilitator.post(f"/programmes/{slug}/surveys/new", data={
        "title": "Staff pulse", "introduction": "Tell us", "privacy_note": "We store your answers.", "open_days": "10"})
    survey = db.session.scalar(select(Survey).where(Survey.title == "Staff pulse"))
    assert response.status_code == 302 and response.headers["Location"] == f"/surveys/{survey.id}"
    assert [w.closes_on for w in survey.waves][:2] == [date(2026, 1, 10), date(2026, 4, 10)]
    page = facilitator.get(f"/surveys/{survey.id}").get_data(as_text=True)
    assert "Survey created, with 5 waves. Now add its questions." in page
    assert "No questions yet." in page


def test_change_a_survey(facilitator, survey):
    response = facilitator.post(f"/surveys/{survey.id}/edit", data={
        "title": "Renamed", "introduction": "", "privacy_note": "Only answers.", "open_days": "7"})
    assert response.status_code == 302
    db.session.refresh(survey)
    assert (survey.title, survey.privacy_note, survey.open_days) == ("Renamed", "Only answers.", 7)


def test_add_questions_of_each_kind(facilitator, survey):
    url = f"/surveys/{survey.id}/questions/new"
    response = facilitator.post(url, data={"kind": "single", "text": "Which?", "required": "yes",
                                           "choices": "Only one"})
    assert title(response).startswith("Error: ")
    page = response.get_data(as_text=True)
    assert 'id="choices-error"' in page and "Enter at least 2 choices, one on each line" in page
    assert "Which?" in page  # what was typed is kept

    response = facilitator.post(url, data={"kind": "text", "text": "Which?", "required": "yes", "nps": "y"})
    assert "Only a question from 0 to 10 can be scored as eNPS" in response.get_data(as_text=True)

    for data in ({"kind": "likert", "text": "Changes help customers", "required": "yes"},
                 {"kind": "scale", "text": "Recommend?", "required": "yes", "nps": "y"},
                 {"kind": "single", "text": "Which change?", "required": "no", "choices": "Letters\nStandards\n"},
                 {"kind": "multiple", "text": "Used?", "required": "no", "choices": "A\nB\nC"},
                 {"kind": "text", "text": "What should change next?", "required": "no", "hint": "Be brief"}):
        response = facilitator.post(url, data=data)
        assert response.status_code == 302, response.get_data(as_text=True)
    added = db.session.scalars(select(Question).where(Question.survey_id == survey.id)
                               .order_by(Question.position)).all()[5:]
    assert [(q.kind, q.required, q.choices, q.nps) for q in added] == [
        (QuestionKind.LIKERT, True, [], False), (QuestionKind.SCALE, True, [], True),
        (QuestionKind.SINGLE, False, ["Letters", "Standards"], False),
        (QuestionKind.MULTIPLE, False, ["A", "B", "C"], False), (QuestionKind.TEXT, False, [], False)]
    assert added[-1].hint == "Be brief" and [q.position for q in added] == [5, 6, 7, 8, 9]


def test_edit_a_question(facilitator, survey):
    question = survey.questions[2]
    form = facilitator.get(f"/questions/{question.id}/edit").get_data(as_text=True)
    assert "Letters\nCase standards\nContact methods</textarea>" in form
    response = facilitator.post(f"/questions/{question.id}/edit", data={
        "kind": "single", "text": "Which change has helped most?", "required": "no",
        "choices": "Letters\nCase standards"})
    assert response.status_code == 302
    db.session.refresh(question)
    assert (question.required, question.choices) == (False, ["Letters", "Case standards"])

    answer(question, value=1)
    form = facilitator.get(f"/questions/{question.id}/edit").get_data(as_text=True)
    assert "This question already has answers" in form
    response = facilitator.post(f"/questions/{question.id}/edit", data={
        "kind": "multiple", "text": "Which?", "required": "no", "choices": "Letters\nCase standards"})
    assert title(response).startswith("Error: ")
    assert "its kind cannot change" in response.get_data(as_text=True)


def test_move_questions_up_and_down(facilitator, survey):
    first, second = survey.questions[0], survey.questions[1]
    response = facilitator.post(f"/questions/{second.id}/move", data={"direction": "up"})
    assert response.status_code == 302
    assert response.headers["Location"] == f"/surveys/{survey.id}#question-{second.id}"
    assert texts(survey)[:2] == [second.text, first.text]
    page = facilitator.get(f"/surveys/{survey.id}").get_data(as_text=True)
    assert "Question 2 moved up: it is now question 1" in page
    # The first has no "Move up", the last no "Move down".
    assert page.count('value="up"') == 4 and page.count('value="down"') == 4
    assert facilitator.post(f"/questions/{second.id}/move", data={"direction": "sideways"}).status_code == 400


def test_remove_a_question_without_answers_after_the_confirmation(facilitator, survey):
    question = survey.questions[1]
    page = facilitator.get(f"/questions/{question.id}/remove").get_data(as_text=True)
    assert "Are you sure you want to remove question 2?" in page
    assert "Nobody has answered it yet, so it will be deleted." in page
    assert db.session.get(Question, question.id) is not None
    response = facilitator.post(f"/questions/{question.id}/remove")
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(Question, question.id) is None
    assert "Question removed" in facilitator.get(f"/surveys/{survey.id}").get_data(as_text=True)


def test_remove_a_question_with_answers_retires_it(facilitator, survey):
    question = survey.questions[0]
    answer(question)
    page = facilitator.get(f"/questions/{question.id}/remove").get_data(as_text=True)
    assert "it will be retired rather than deleted" in page
    facilitator.post(f"/questions/{question.id}/remove")
    page = facilitator.get(f"/surveys/{survey.id}").get_data(as_text=True)
    assert "Question retired: it is no longer asked, and earlier waves keep its results" in page
    assert "Retired questions" in page and '<strong class="govuk-tag govuk-tag--grey">Retired</strong>' in page
    # A retired question is not changed or removed again.
    assert facilitator.get(f"/questions/{question.id}/edit").status_code == 404
    assert facilitator.get(f"/questions/{question.id}/remove").status_code == 404
    preview = facilitator.get(f"/surveys/{survey.id}/preview").get_data(as_text=True)
    assert question.text not in preview


def test_copy_questions_from_another_survey(facilitator, world, survey):
    target = make_survey(world.programme, "Second survey")
    url = f"/surveys/{target.id}/copy"
    page = facilitator.get(url).get_data(as_text=True)
    assert "Which survey do you want to copy questions from?" in page and "Staff pulse survey" in page
    response = facilitator.get(url + "?source=999999")
    assert title(response).startswith("Error: ")
    assert "Choose a survey from the list" in response.get_data(as_text=True)
    page = facilitator.get(f"{url}?source={survey.id}").get_data(as_text=True)
    assert page.count('type="checkbox"') == 5 and page.count("checked") == 5

    response = facilitator.post(f"{url}?source={survey.id}", data={"questions": []})
    assert "Choose at least one question to copy" in response.get_data(as_text=True)
    response = facilitator.post(f"{url}?source={survey.id}", data={
        "questions": [str(survey.questions[4].id), str(survey.questions[0].id)]})
    assert response.status_code == 302
    assert texts(target)[5:] == [survey.questions[0].text, survey.questions[4].text]
    page = facilitator.get(f"/surveys/{target.id}").get_data(as_text=True)
    assert "2 questions copied from “Staff pulse survey”" in page
    # A question of another survey than the chosen one is not a choice.
    response = facilitator.post(f"{url}?source={survey.id}", data={"questions": [str(target.questions[0].id)]})
    assert "Choose questions from the list" in response.get_data(as_text=True)


def test_a_survey_of_another_programme_is_not_a_source(facilitator, world, survey):
    from tests import factories

    other = make_survey(factories.make_programme(world.facilitator, name="Another programme"))
    response = facilitator.get(f"/surveys/{survey.id}/copy?source={other.id}")
    assert "Choose a survey from the list" in response.get_data(as_text=True)
    response = facilitator.post(f"/surveys/{survey.id}/copy?source={other.id}",
                                data={"questions": [str(other.questions[0].id)]})
    assert response.status_code == 404


def test_waves_and_their_dates(facilitator, survey):
    page = facilitator.get(f"/surveys/{survey.id}/waves").get_data(as_text=True)
    assert page.count("Change dates") == 5 and "1 April 2026" in page
    wave = survey.waves[1]
    page = facilitator.get(f"/waves/{wave.id}").get_data(as_text=True)
    assert '<h2 class="govuk-heading-m">Invitations</h2>' in page and '<h2 class="govuk-heading-m">Results</h2>' in page
    response = facilitator.post(f"/waves/{wave.id}/dates", data={
        "opens_on": ["10", "1", "2026"], "closes_on": ["20", "4", "2026"]})
    assert title(response).startswith("Error: ")
    page = response.get_data(as_text=True)
    assert 'id="opens_on-error"' in page and "Wave 2 must open after wave 1 closes on 14 January 2026" in page
    response = facilitator.post(f"/waves/{wave.id}/dates", data={
        "opens_on": ["1", "4", "2026"], "closes_on": ["31", "2", "2026"]})
    assert "Closing date must be a real date" in response.get_data(as_text=True)
    response = facilitator.post(f"/waves/{wave.id}/dates", data={
        "opens_on": ["1", "4", "2026"], "closes_on": ["20", "4", "2026"]})
    assert response.status_code == 302
    db.session.refresh(wave)
    assert wave.closes_on == date(2026, 4, 20)


def test_the_preview_shows_the_questions_and_sends_nothing(facilitator, survey):
    page = facilitator.get(f"/surveys/{survey.id}/preview").get_data(as_text=True)
    assert "Nothing entered here is sent or saved" in page
    assert "We keep your answers and the day you sent them, nothing else." in page
    assert "Strongly disagree" in page and 'value="10"' in page and "Contact methods" in page
    assert "What should change next? (optional)" in page
    # The staff's own page's words (one template for both), the programme's minimum group among them.
    assert "How your answers are kept" in page and "Choose all that apply." in page
    assert f"Results are only shown for groups of at least {survey.programme.survey_min_group} people" in page
    assert '<form method="post"' not in page.split("<main", 1)[1]


def test_members_read_surveys_and_only_facilitators_change_them(client, world, login, survey):
    login(client, world.team_a)
    page = client.get(f"/surveys/{survey.id}").get_data(as_text=True)
    assert survey.questions[0].text in page
    assert "Add a question" not in page and "Move up" not in page and "Change dates" not in page
    assert "Create a survey" not in client.get(f"/programmes/{world.programme.slug}/surveys").get_data(as_text=True)
    assert client.get(f"/surveys/{survey.id}/waves").status_code == 200
    assert client.post(f"/surveys/{survey.id}/questions/new", data={
        "kind": "text", "text": "Hacked", "required": "yes"}).status_code == 403
    assert client.post(f"/questions/{survey.questions[0].id}/move", data={"direction": "down"}).status_code == 403
    assert client.post(f"/waves/{survey.waves[0].id}/dates", data={
        "opens_on": ["1", "1", "2026"], "closes_on": ["2", "1", "2026"]}).status_code == 403
    assert len(texts(survey)) == 5

    client.post("/sign-out")
    login(client, world.outsider)
    assert client.get(f"/surveys/{survey.id}").status_code == 404
    assert client.get(f"/waves/{survey.waves[0].id}").status_code == 404
    assert client.get(f"/programmes/{world.programme.slug}/surveys").status_code == 404


def test_a_field_left_out_of_a_post_is_empty_not_the_questions_value(facilitator, survey):
    question = survey.questions[2]  # one choice, three options
    response = facilitator.post(f"/questions/{question.id}/edit", data={"kind": "single", "text": "Which?",
                                                                        "required": "yes"})
    assert "Enter at least 2 choices, one on each line" in response.get_data(as_text=True)
    db.session.refresh(question)
    assert question.choices == ["Letters", "Case standards", "Contact methods"]
