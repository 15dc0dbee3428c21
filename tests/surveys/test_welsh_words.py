"""A survey's own words in Welsh beside the English: the builder's rules and forms, copying, the words shown in
the page's language (``shown_*``), the preview and the results pages."""

import re

import pytest
from flask_babel import refresh
from sqlalchemy import select

from tests.surveys.conftest import make_survey
from tests.surveys.test_results import respond_alike
from tests.surveys.test_results_views import AFTER_WAVE_1, page
from tracker.core import clock, i18n
from tracker.extensions import db
from tracker.surveys import builder
from tracker.surveys.models import Question, QuestionKind, Survey

WELSH_COUNT = "Enter one Welsh choice for each English choice, in the same order"


def welsh(survey: Survey) -> Survey:
    """Give the standard test survey its words in Welsh (the first question's hint and the multiple choice
    question's choices left out: they are shown in English)."""
    survey.title_cy, survey.introduction_cy = "Arolwg pwls staff", "Dywedwch wrthym sut mae'r newidiadau'n mynd."
    survey.privacy_note_cy = "Rydym yn cadw eich atebion a'r diwrnod y gwnaethoch eu hanfon, dim byd arall."
    likert, scale, single, _multiple, text = survey.questions[:5]
    likert.text_cy = "Mae'r safonau gwaith achos newydd yn fy helpu"
    likert.hint = "Think of this year"
    scale.text_cy, scale.hint, scale.hint_cy = "Pa mor debygol ydych chi o argymell y dull newydd?", "0 to 10", "0 i 10"
    single.text_cy = "Pa newid sydd wedi helpu fwyaf?"
    single.choices_cy = ["Llythyrau", "Safonau achos", ""]  # the third without its Welsh
    text.text_cy = "Beth ddylai newid nesaf?"
    db.session.commit()
    return survey


# --- the rules -------------------------------------------------------------------------------------


@pytest.mark.parametrize("choices_cy", [["Un"], ["Un", "Dau", "Tri", "Pedwar"]])
def test_welsh_choices_are_one_for_each_english_choice(choices_cy):
    with pytest.raises(builder.BuilderError) as raised:
        builder.check_question(QuestionKind.SINGLE, ["One", "Two", "Three"], False, choices_cy)
    assert raised.value.field == "choices_cy" and str(raised.value) == WELSH_COUNT


def test_welsh_choices_are_optional_different_and_only_on_choice_questions():
    builder.check_question(QuestionKind.MULTIPLE, ["One", "Two"], False, [])
    builder.check_question(QuestionKind.MULTIPLE, ["One", "Two"], False, ["Un", "Dau"])
    with pytest.raises(builder.BuilderError, match="“un” is there twice") as raised:
        builder.check_welsh_choices(QuestionKind.SINGLE, ["One", "Two"], ["Un", "un"])
    assert raised.value.field == "choices_cy"
    with pytest.raises(builder.BuilderError, match="200 characters or fewer"):
        builder.check_welsh_choices(QuestionKind.SINGLE, ["One", "Two"], ["Un", "D" * 201])
    with pytest.raises(builder.BuilderError, match="remove the Welsh choices") as raised:
        builder.check_question(QuestionKind.TEXT, [], False, ["Un"])
    assert raised.value.field == "choices_cy"


def test_adding_and_changing_a_question_keeps_its_welsh(world, survey):
    question = builder.add_question(survey, kind=QuestionKind.SINGLE, text="Which?", choices=["One", "Two"],
                                    text_cy=" Pa un? ", hint_cy="Dewiswch un", choices_cy=["Un", "Dau"])
    assert (question.text_cy, question.hint_cy, question.choices_cy) == ("Pa un?", "Dewiswch un", ["Un", "Dau"])
    with pytest.raises(builder.BuilderError) as raised:
        builder.add_question(survey, kind=QuestionKind.SINGLE, text="Which?", choices=["One", "Two"],
                             choices_cy=["Un"])
    assert raised.value.field == "choices_cy"
    # Not given: kept (and still checked against the English choices); given: replaced.
    builder.update_question(question, kind=QuestionKind.SINGLE, text="Which one?", choices=["One", "Two"])
    assert (question.text_cy, question.choices_cy) == ("Pa un?", ["Un", "Dau"])
    with pytest.raises(builder.BuilderError, match=WELSH_COUNT):
        builder.update_question(question, kind=QuestionKind.SINGLE, text="Which?", choices=["One", "Two", "Three"])
    builder.update_question(question, kind=QuestionKind.SINGLE, text="Which?", choices=["One", "Two", "Three"],
                            text_cy="", hint_cy="", choices_cy=[])
    assert (question.text_cy, question.hint_cy, question.choices_cy) == ("", "", [])


def test_a_surveys_welsh_is_created_and_changed(world):
    survey = builder.create_survey(world.programme, title="Pulse", privacy_note="Answers only.",
                                   title_cy=" Pwls ", introduction_cy="Croeso", privacy_note_cy="Atebion yn unig.")
    assert (survey.title_cy, survey.introduction_cy, survey.privacy_note_cy) == ("Pwls", "Croeso", "Atebion yn unig.")
    builder.update_survey(survey, title="Pulse", introduction="", privacy_note="Answers only.", open_days=14)
    assert survey.title_cy == "Pwls"  # not given: kept
    builder.update_survey(survey, title="Pulse", introduction="", privacy_note="Answers only.", open_days=14,
                          title_cy="", introduction_cy="", privacy_note_cy="")
    assert (survey.title_cy, survey.introduction_cy, survey.privacy_note_cy) == ("", "", "")


def test_copying_carries_the_welsh(world, survey):
    welsh(survey)
    target = make_survey(world.programme, "Second survey")
    copies = builder.copy_questions(target, [survey.questions[0], survey.questions[2]])
    assert [(q.text_cy, q.hint_cy, q.choices_cy) for q in copies] == [
        ("Mae'r safonau gwaith achos newydd yn fy helpu", "", []),
        ("Pa newid sydd wedi helpu fwyaf?", "", ["Llythyrau", "Safonau achos", ""])]


# --- the words in the page's language ----------------------------------------------------------------


def test_the_words_shown_follow_the_pages_language(app, world, survey):
    welsh(survey)
    likert, scale, single, multiple, _text = survey.questions[:5]
    with app.test_request_context(headers={"Accept-Language": "cy"}):
        refresh()  # the tests' app context outlives each request's: forget the locale it kept
        assert i18n.current() == "cy"
        assert survey.shown_title == "Arolwg pwls staff"
        assert survey.shown_introduction == "Dywedwch wrthym sut mae'r newidiadau'n mynd."
        assert survey.shown_privacy_note.startswith("Rydym yn cadw")
        assert likert.shown_text == "Mae'r safonau gwaith achos newydd yn fy helpu"
        assert likert.shown_hint == "Think of this year"  # no Welsh: the English
        assert scale.shown_hint == "0 i 10"
        assert single.shown_choices == ["Llythyrau", "Safonau achos", "Contact methods"]
        assert multiple.shown_text == "Which have you used?" and multiple.shown_choices == multiple.choices
    for context in (app.test_request_context(headers={"Accept-Language": "en"}), i18n.in_language("en")):
        with context:
            refresh()
            assert survey.shown_title == "Staff pulse survey" and likert.shown_text == likert.text
            assert scale.shown_hint == "0 to 10" and single.shown_choices == single.choices
    with i18n.in_language("cy"):
        assert survey.shown_title == "Arolwg pwls staff" and single.shown_choices[0] == "Llythyrau"
    blank = Survey(title="Only English", introduction="", privacy_note="", title_cy="")
    with i18n.in_language("cy"):
        assert blank.shown_title == "Only English"
        assert Question(kind=QuestionKind.SINGLE, text="Q", choices=["A", "B"], choices_cy=[]).shown_choices == [
            "A", "B"]


# --- through requests ------------------------------------------------------------------------------


@pytest.fixture
def facilitator(client, world, login):
    return login(client, world.facilitator)


def in_welsh(user) -> None:
    user.language = "cy"
    db.session.commit()


def test_the_survey_form_saves_the_welsh(facilitator, world):
    slug = world.programme.slug
    form = facilitator.get(f"/programmes/{slug}/surveys/new").get_data(as_text=True)
    for label in ("Title in Welsh (optional)", "Introduction in Welsh (optional)", "Privacy note in Welsh (optional)"):
        assert label in form
    assert re.search(r'<input[^>]*name="title_cy"[^>]*lang="cy"|<input[^>]*lang="cy"[^>]*name="title_cy"', form)
    response = facilitator.post(f"/programmes/{slug}/surveys/new", data={
        "title": "Staff pulse", "title_cy": "Pwls staff", "introduction": "Tell us", "introduction_cy": "Dywedwch",
        "privacy_note": "We store your answers.", "privacy_note_cy": "Rydym yn cadw eich atebion.", "open_days": "10"})
    assert response.status_code == 302
    survey = db.session.scalar(select(Survey).where(Survey.title == "Staff pulse"))
    assert (survey.title_cy, survey.introduction_cy, survey.privacy_note_cy) == (
        "Pwls staff", "Dywedwch", "Rydym yn cadw eich atebion.")
    page = facilitator.get(f"/surveys/{survey.id}").get_data(as_text=True)
    assert "Title in Welsh" in page and '<div lang="cy">Pwls staff</div>' in page
    assert re.search(r'<div lang="cy"><div class="app-markdown"[^>]*>\s*<p>Rydym yn cadw eich atebion.</p>', page)

    edit = facilitator.get(f"/surveys/{survey.id}/edit").get_data(as_text=True)
    assert 'value="Pwls staff"' in edit
    response = facilitator.post(f"/surveys/{survey.id}/edit", data={
        "title": "Staff pulse", "title_cy": "", "introduction": "Tell us", "introduction_cy": "Dywedwch wrthym",
        "privacy_note": "We store your answers.", "privacy_note_cy": "", "open_days": "10"})
    assert response.status_code == 302
    db.session.refresh(survey)
    assert (survey.title_cy, survey.introduction_cy, survey.privacy_note_cy) == ("", "Dywedwch wrthym", "")
    page = facilitator.get(f"/surveys/{survey.id}").get_data(as_text=True)
    assert "None: people reading in Welsh see the English" in page


def test_a_welsh_field_too_long_is_an_error(facilitator, survey):
    response = facilitator.post(f"/surveys/{survey.id}/edit", data={
        "title": "Pulse", "title_cy": "P" * 201, "introduction": "", "privacy_note": "Only answers.",
        "open_days": "7"})
    assert response.status_code in (200, 422)
    assert "The title in Welsh must be 200 characters or fewer" in response.get_data(as_text=True)


def test_the_question_form_saves_the_welsh(facilitator, survey):
    url = f"/surveys/{survey.id}/questions/new"
    form = facilitator.get(url).get_data(as_text=True)
    for label in ("Question in Welsh (optional)", "Hint in Welsh (optional)", "Choices in Welsh (optional)"):
        assert label in form
    response = facilitator.post(url, data={
        "kind": "single", "text": "Which?", "text_cy": "Pa un?", "hint": "Choose one", "hint_cy": "Dewiswch un",
        "required": "yes", "choices": "One\nTwo", "choices_cy": "Un\n\nDau\n"})
    assert response.status_code == 302
    question = db.session.scalar(select(Question).where(Question.survey_id == survey.id, Question.text == "Which?"))
    assert (question.text_cy, question.hint_cy, question.choices_cy) == ("Pa un?", "Dewiswch un", ["Un", "Dau"])
    page = facilitator.get(f"/surveys/{survey.id}").get_data(as_text=True)
    assert '<div lang="cy">Pa un?</div>' in page and '<div lang="cy">Dewiswch un</div>' in page
    assert '<ol class="govuk-list govuk-list--number" lang="cy"><li>Un</li><li>Dau</li></ol>' in page

    edit = facilitator.get(f"/questions/{question.id}/edit").get_data(as_text=True)
    assert "Un\nDau</textarea>" in edit and "Pa un?</textarea>" in edit
    response = facilitator.post(f"/questions/{question.id}/edit", data={
        "kind": "single", "text": "Which?", "text_cy": "Pa un o'r rhain?", "hint": "", "hint_cy": "",
        "required": "yes", "choices": "One\nTwo", "choices_cy": "Un\nDau"})
    assert response.status_code == 302
    db.session.refresh(question)
    assert (question.text_cy, question.hint_cy) == ("Pa un o'r rhain?", "")


@pytest.mark.parametrize("edit", [False, True])
def test_a_wrong_number_of_welsh_choices_is_shown_on_the_field_with_what_was_typed(facilitator, survey, edit):
    question = survey.questions[2]
    url = f"/questions/{question.id}/edit" if edit else f"/surveys/{survey.id}/questions/new"
    response = facilitator.post(url, data={
        "kind": "single", "text": "Which change has helped most?", "text_cy": "Pa newid?", "required": "yes",
        "choices": "Letters\nCase standards\nContact methods", "choices_cy": "Llythyrau\nSafonau achos"})
    assert response.status_code in (200, 422)
    body = response.get_data(as_text=True)
    assert re.search(r"<title[^>]*>\s*Error: ", body)
    assert f'href="#choices_cy">{WELSH_COUNT}</a>' in body  # the error summary links to the field
    assert re.search(r'id="choices_cy-error"[^>]*>\s*<span class="govuk-visually-hidden">[^<]*</span>\s*'
                     + WELSH_COUNT, body)
    assert "Llythyrau\nSafonau achos</textarea>" in body and "Pa newid?</textarea>" in body
    db.session.expire_all()
    assert db.session.get(Question, question.id).choices_cy == []
    assert len(db.session.get(Survey, survey.id).questions) == 5


def test_the_preview_is_in_the_pages_language(facilitator, world, survey):
    welsh(survey)
    english = page(facilitator, f"/surveys/{survey.id}/preview")
    assert "Which change has helped most?" in english and "Llythyrau" not in english
    in_welsh(world.facilitator)
    body = page(facilitator, f"/surveys/{survey.id}/preview")
    assert '<h1 class="govuk-heading-l">Arolwg pwls staff</h1>' in body
    assert "Dywedwch wrthym sut mae'r newidiadau'n mynd." in body and "Rydym yn cadw eich atebion" in body
    assert "Pa newid sydd wedi helpu fwyaf?" in body and "Llythyrau" in body and "Contact methods" in body
    assert "Which have you used?" in body  # no Welsh: the English
    # The survey's own page shows both, the Welsh marked as Welsh, whatever the page's language.
    survey_page = page(facilitator, f"/surveys/{survey.id}")
    assert "Staff pulse survey" in survey_page and '<div lang="cy">Arolwg pwls staff</div>' in survey_page
    assert "<li>Contact methods</li>" in survey_page
    assert 'lang="cy"><li>Llythyrau</li><li>Safonau achos</li>' in survey_page


def test_the_results_are_in_the_pages_language(client, login, world, survey):
    welsh(survey)
    wave = survey.waves[0]
    respond_alike(wave, world.org_a, survey, 6, single=1)
    db.session.commit()
    login(client, world.facilitator)
    with clock.frozen(AFTER_WAVE_1):
        english = page(client, f"/waves/{wave.id}/results")
        assert "3. Which change has helped most?" in english and "Case standards</th>" in english
        in_welsh(world.facilitator)
        body = page(client, f"/waves/{wave.id}/results")
        assert "3. Pa newid sydd wedi helpu fwyaf?" in body and "Which change has helped most?" not in body
        assert "Safonau achos</th>" in body and "Contact methods</th>" in body  # no Welsh: the English
        assert '<span class="govuk-caption-l">Arolwg pwls staff</span>' in body
        trends = page(client, f"/surveys/{survey.id}/results")
        assert "Pa newid sydd wedi helpu fwyaf?" in trends and "Safonau achos" in trends
        answers = page(client, f"/waves/{wave.id}/questions/{survey.questions[4].id}/answers?organisation=all")
        assert '<h1 class="govuk-heading-l">Beth ddylai newid nesaf?</h1>' in answers
        # The downloads keep the English question.
        csv = client.get(f"/waves/{wave.id}/results.csv").data.decode("utf-8-sig")
        assert "Which change has helped most?" in csv


def test_the_demo_survey_has_its_welsh(app):
    from tracker.demo import PROGRAMME_SLUG, load_demo
    from tracker.programmes.models import Programme

    load_demo()
    db.session.commit()
    programme = db.session.scalar(select(Programme).where(Programme.slug == PROGRAMME_SLUG))
    (survey,) = builder.programme_surveys(programme)
    assert survey.title_cy and survey.introduction_cy
    assert all(q.text_cy for q in survey.questions)
    assert all(bool(q.hint_cy) == bool(q.hint) for q in survey.questions)
    single = next(q for q in survey.questions if q.kind == QuestionKind.SINGLE)
    assert len(single.choices_cy) == len(single.choices)
    assert survey.privacy_note_cy in ("", builder.default_privacy_note_cy(programme))
