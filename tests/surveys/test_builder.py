"""Building a survey: questions added, reordered, changed, removed or retired, copied; waves' dates moved."""

import uuid
from datetime import date

import pytest
from sqlalchemy import select

from tests import factories
from tests.surveys.conftest import make_survey
from tracker.extensions import db
from tracker.results import services as results
from tracker.results.models import Direction, Unit
from tracker.surveys import builder, waves
from tracker.surveys.models import Answer, Question, QuestionKind, Response, Survey


def answer(question: Question, value: int | None = 4, text: str | None = None) -> None:
    """One response to the question's first wave, from organisation A (committed)."""
    wave = question.survey.waves[0]
    organisation = question.survey.programme.organisations[0]
    db.session.add(Response(id=uuid.uuid4().hex, wave_id=wave.id, organisation_id=organisation.id,
                            submitted_on=wave.opens_on, answers=[Answer(question_id=question.id, value=value,
                                                                        text=text)]))
    db.session.commit()


def positions(survey: Survey) -> list[tuple[str, int, bool]]:
    db.session.expire_all()
    rows = db.session.scalars(select(Question).where(Question.survey_id == survey.id).order_by(Question.position))
    return [(q.text, q.position, q.retired_dt is not None) for q in rows]


def texts(survey: Survey) -> list[str]:
    return [text for text, _position, retired in positions(survey) if not retired]


def assert_dense(survey: Survey) -> None:
    rows = positions(survey)
    assert [p for _t, p, _r in rows] == list(range(len(rows)))
    flags = [retired for _t, _p, retired in rows]
    assert flags == sorted(flags), "retired questions come after the asked ones"


# --- surveys -----------------------------------------------------------------------------------------


def test_a_new_survey_gets_the_waves_of_the_programmes_calendar(world):
    survey = builder.create_survey(world.programme, title="  Pulse  ", introduction="Hello",
                                   privacy_note="We store your answers.", open_days=10)
    db.session.commit()
    assert survey.title == "Pulse"
    assert [(w.number, w.opens_on, w.closes_on) for w in survey.waves] == [
        (1, date(2026, 1, 1), date(2026, 1, 10)), (2, date(2026, 4, 1), date(2026, 4, 10)),
        (3, date(2026, 7, 1), date(2026, 7, 10)), (4, date(2026, 10, 1), date(2026, 10, 10)),
        (5, date(2027, 1, 1), date(2027, 1, 10))]


def test_changing_a_survey_keeps_its_waves_dates_and_adds_the_missing_ones(world, survey):
    first = survey.waves[0]
    builder.change_wave_dates(first, opens_on=date(2026, 1, 5), closes_on=date(2026, 1, 25), today=date(2025, 12, 1))
    world.programme.evaluation_months = 18
    builder.update_survey(survey, title="Pulse", introduction="", privacy_note="Note", open_days=7)
    db.session.commit()
    assert [w.number for w in survey.waves] == [1, 2, 3, 4, 5, 6, 7]
    assert (survey.waves[0].opens_on, survey.waves[0].closes_on) == (date(2026, 1, 5), date(2026, 1, 25))
    assert (survey.waves[1].opens_on, survey.waves[1].closes_on) == (date(2026, 4, 1), date(2026, 4, 14))
    assert (survey.waves[6].opens_on, survey.waves[6].closes_on) == (date(2027, 7, 1), date(2027, 7, 7))


def test_the_default_privacy_note_says_what_is_and_is_not_stored(world):
    world.programme.survey_min_group = 7
    note = builder.default_privacy_note(world.programme)
    assert "We store your answers, the organisation you work for and the day you sent them" in note
    assert "We do not store your name, your email address with your answers, or the time you answered" in note
    assert "deleted when this wave of the survey closes" in note
    assert "groups of 7 or more responses" in note


def test_a_programmes_surveys_and_the_others_to_copy_from(world, survey):
    earlier = make_survey(world.programme, "Earlier survey")
    other_programme = factories.make_programme(world.facilitator, name="Another programme")
    make_survey(other_programme, "Not this programme's")
    assert {s.title for s in builder.programme_surveys(world.programme)} == {"Staff pulse survey", "Earlier survey"}
    assert builder.other_surveys(survey) == [earlier]


# --- questions ---------------------------------------------------------------------------------------


def test_questions_are_added_at_the_end_before_the_retired_ones(world, survey):
    answer(survey.questions[0])
    builder.remove_question(survey.questions[0])  # retired: it has an answer
    question = builder.add_question(survey, kind=QuestionKind.TEXT, text="  Anything else?  ", hint=" A hint ",
                                    required=False)
    db.session.commit()
    assert (question.text, question.hint, question.required) == ("Anything else?", "A hint", False)
    assert texts(survey)[-1] == "Anything else?"
    assert positions(survey)[-1][2] is True  # the retired question stays last
    assert_dense(survey)


@pytest.mark.parametrize(("kind", "choices", "nps", "field", "message"), [
    (QuestionKind.SINGLE, ["Only one"], False, "choices", "Enter at least 2 choices, one on each line"),
    (QuestionKind.MULTIPLE, [], False, "choices", "Enter at least 2 choices, one on each line"),
    (QuestionKind.SINGLE, [f"Choice {n}" for n in range(21)], False, "choices", "Enter 20 choices or fewer"),
    (QuestionKind.SINGLE, ["Yes", "x" * 201], False, "choices", "Each choice must be 200 characters or fewer"),
    (QuestionKind.MULTIPLE, ["Letters", "letters"], False, "choices",
     "Each choice must be different: “letters” is there twice"),
    (QuestionKind.LIKERT, ["A", "B"], False, "choices", "Only one-choice and several-choice questions have choices"),
    (QuestionKind.TEXT, [], True, "nps", "Only a question from 0 to 10 can be scored as eNPS"),
    (QuestionKind.LIKERT, [], True, "nps", "Only a question from 0 to 10 can be scored as eNPS"),
])
def test_question_rules(world, survey, kind, choices, nps, field, message):
    before = positions(survey)
    with pytest.raises(builder.BuilderError) as raised:
        builder.add_question(survey, kind=kind, text="Q", choices=choices, nps=nps)
    assert raised.value.field == field
    assert str(raised.value).startswith(message)
    db.session.rollback()
    assert positions(survey) == before


def test_choices_are_read_one_a_line(world):
    assert builder.parse_choices("  Letters \n\n Case standards\r\nContact methods\n  ") == [
        "Letters", "Case standards", "Contact methods"]
    assert builder.parse_choices(None) == []


def test_moving_up_and_down_keeps_positions_dense(world, survey):
    questions = list(survey.questions)
    assert builder.move_question(questions[2], "up") is True
    db.session.commit()
    assert texts(survey) == [questions[i].text for i in (0, 2, 1, 3, 4)]
    assert builder.move_question(questions[2], "up") is True
    assert builder.move_question(questions[2], "up") is False  # already first
    assert builder.move_question(questions[4], "down") is False  # already last
    assert builder.move_question(questions[0], "down") is True
    db.session.commit()
    assert texts(survey) == [questions[i].text for i in (2, 1, 0, 3, 4)]
    assert_dense(survey)
    with pytest.raises(builder.BuilderError):
        builder.move_question(questions[0], "sideways")


def test_a_move_mends_positions_that_were_not_dense(world, survey):
    for question, position in zip(survey.questions, (0, 4, 4, 9, 30), strict=True):
        question.position = position
    db.session.commit()
    questions = sorted(survey.questions, key=lambda q: (q.position, q.id))
    builder.move_question(questions[3], "up")
    db.session.commit()
    assert texts(survey) == [questions[i].text for i in (0, 1, 3, 2, 4)]
    assert_dense(survey)


def test_retired_questions_do_not_move(world, survey):
    answer(survey.questions[1])
    retired = survey.questions[1]
    builder.remove_question(retired)
    assert builder.move_question(retired, "up") is False
    db.session.commit()
    assert_dense(survey)


def test_a_question_without_answers_is_deleted(world, survey):
    question = survey.questions[1]
    question_id = question.id
    assert builder.remove_question(question) == "deleted"
    db.session.commit()
    assert db.session.get(Question, question_id) is None
    assert len(texts(survey)) == 4
    assert_dense(survey)


def test_a_question_with_answers_is_retired_never_deleted(world, survey):
    question = survey.questions[3]
    answer(question, value=1)
    assert builder.remove_question(question) == "retired"
    db.session.commit()
    kept = db.session.get(Question, question.id)
    assert kept.retired_dt is not None
    assert db.session.scalar(select(Answer.value).where(Answer.question_id == question.id)) == 1
    assert question.text not in texts(survey)
    assert positions(survey)[-1] == (question.text, 4, True)
    assert_dense(survey)
    assert [q.text for q in builder.retired_questions(survey)] == [question.text]
    assert question not in builder.asked_questions(survey)
    # Removing it again changes nothing; it cannot be changed any more.
    assert builder.remove_question(kept) == "retired"
    with pytest.raises(builder.BuilderError):
        builder.update_question(kept, kind=QuestionKind.SINGLE, text="New", choices=["A", "B"])


def test_answered_questions_are_found_in_one_query(world, survey):
    answer(survey.questions[0])
    answer(survey.questions[4], value=None, text="More training")
    assert builder.answered_question_ids(survey) == {survey.questions[0].id, survey.questions[4].id}
    assert builder.has_answers(survey.questions[0]) and not builder.has_answers(survey.questions[1])


def test_changing_a_question_without_answers(world, survey):
    question = survey.questions[2]  # one choice, three options
    builder.update_question(question, kind=QuestionKind.MULTIPLE, text="Which helped?", hint="Any",
                            required=False, choices=["Letters", "Standards"])
    db.session.commit()
    assert (question.kind, question.text, question.hint, question.required, question.choices) == (
        QuestionKind.MULTIPLE, "Which helped?", "Any", False, ["Letters", "Standards"])


def test_a_question_with_answers_keeps_its_kind_and_its_choices(world, survey):
    question = survey.questions[2]  # Letters, Case standards, Contact methods
    answer(question, value=2)
    with pytest.raises(builder.BuilderError) as raised:
        builder.update_question(question, kind=QuestionKind.MULTIPLE, text=question.text,
                                choices=list(question.choices))
    assert raised.value.field == "kind"
    with pytest.raises(builder.BuilderError) as raised:
        builder.update_question(question, kind=QuestionKind.SINGLE, text=question.text, choices=["Letters", "Other"])
    assert raised.value.field == "choices"
    db.session.rollback()
    builder.update_question(question, kind=QuestionKind.SINGLE, text="Which change helped most?", required=False,
                            choices=["Letters", "Casework standards", "Contact methods", "Something else"])
    db.session.commit()
    assert question.choices == ["Letters", "Casework standards", "Contact methods", "Something else"]
    assert question.text == "Which change helped most?"


def test_copying_questions_from_another_survey(world, survey):
    target = builder.create_survey(world.programme, title="Second survey", privacy_note="Note")
    builder.add_question(target, kind=QuestionKind.TEXT, text="Already here")
    outcome = results.create_outcome(results.create_objective(world.programme, "Objective"), "Outcome")
    indicator = results.create_indicator(outcome, name="Share who agree", unit=Unit.PROPORTION,
                                         numerator_label="agree", denominator_label="all",
                                         direction=Direction.INCREASE)
    survey.questions[0].indicator_id = indicator.id
    db.session.commit()
    chosen = [survey.questions[3], survey.questions[1]]
    copies = builder.copy_questions(target, chosen)
    db.session.commit()
    assert texts(target) == ["Already here", "Which have you used?",
                             "How likely are you to recommend the new approach?"]
    copied = copies[0]
    assert (copied.kind, copied.required, copied.choices, copied.survey_id) == (
        QuestionKind.MULTIPLE, False, ["Templates", "Checklists", "Training"], target.id)
    assert copies[1].nps is True
    assert_dense(target)
    # The copy is a new question: changing it leaves the original alone; no indicator link comes with it.
    copies = builder.copy_questions(target, [survey.questions[0]])
    assert copies[0].indicator_id is None
    builder.update_question(copied, kind=QuestionKind.MULTIPLE, text="Changed", choices=["A", "B"])
    db.session.commit()
    assert survey.questions[3].choices == ["Templates", "Checklists", "Training"]
    assert len(texts(survey)) == 5


def test_copying_refuses_questions_of_another_programme_of_the_survey_itself_or_retired(world, survey):
    other = make_survey(factories.make_programme(world.facilitator, name="Another programme"))
    target = builder.create_survey(world.programme, title="Second survey", privacy_note="Note")
    own = builder.add_question(target, kind=QuestionKind.TEXT, text="Own")
    answer(survey.questions[0])
    retired = survey.questions[0]
    builder.remove_question(retired)
    db.session.commit()
    for questions in ([other.questions[0]], [own], [retired], [survey.questions[1], other.questions[1]]):
        with pytest.raises(builder.BuilderError):
            builder.copy_questions(target, questions)
        db.session.rollback()
    assert texts(target) == ["Own"]


# --- waves -------------------------------------------------------------------------------------------


def test_changing_a_waves_dates(world, survey):
    wave = survey.waves[1]  # 1 to 14 April 2026; wave 1 closes 14 January, wave 3 opens 1 July
    builder.change_wave_dates(wave, opens_on=date(2026, 3, 20), closes_on=date(2026, 4, 30), today=date(2026, 2, 1))
    db.session.commit()
    assert (wave.opens_on, wave.closes_on) == (date(2026, 3, 20), date(2026, 4, 30))


@pytest.mark.parametrize(("opens_on", "closes_on", "today", "field", "message"), [
    (date(2026, 1, 14), date(2026, 4, 14), date(2025, 12, 1), "opens_on",
     "Wave 2 must open after wave 1 closes on 14 January 2026"),
    (date(2026, 4, 1), date(2026, 7, 1), date(2025, 12, 1), "closes_on",
     "Wave 2 must close before wave 3 opens on 1 July 2026"),
    (date(2026, 4, 10), date(2026, 4, 5), date(2025, 12, 1), None,
     "The closing date must be the same as or after the opening date"),
    # Open on 5 April: its opening date cannot move after today.
    (date(2026, 4, 6), date(2026, 4, 14), date(2026, 4, 5), "opens_on",
     "This wave is open: its opening date cannot be after today"),
    # Closed on 20 April: it cannot open again.
    (date(2026, 4, 1), date(2026, 4, 30), date(2026, 4, 20), None, "This wave has closed: it cannot open again"),
])
def test_wave_date_rules(world, survey, opens_on, closes_on, today, field, message):
    wave = survey.waves[1]
    with pytest.raises(waves.WaveError) as raised:
        builder.change_wave_dates(wave, opens_on=opens_on, closes_on=closes_on, today=today)
    assert str(raised.value) == message
    assert getattr(raised.value, "field", None) == field
    db.session.rollback()
    assert (wave.opens_on, wave.closes_on) == (date(2026, 4, 1), date(2026, 4, 14))


def test_an_open_wave_can_close_early(world, survey):
    wave = survey.waves[1]
    builder.change_wave_dates(wave, opens_on=date(2026, 4, 1), closes_on=date(2026, 4, 4), today=date(2026, 4, 5))
    assert waves.state(wave, date(2026, 4, 5)) == waves.WaveState.CLOSED


def test_the_demo_has_a_starter_survey_with_its_waves(app):
    from tracker.demo import PROGRAMME_SLUG, load_demo
    from tracker.programmes.models import Programme

    load_demo()
    db.session.commit()
    programme = db.session.scalar(select(Programme).where(Programme.slug == PROGRAMME_SLUG))
    (survey,) = builder.programme_surveys(programme)
    assert [q.kind for q in survey.questions] == [QuestionKind.LIKERT, QuestionKind.LIKERT, QuestionKind.SCALE,
                                                  QuestionKind.SINGLE, QuestionKind.TEXT]
    assert survey.questions[0].text == "The changes being made are improving how we work with customers"
    assert survey.questions[-1].text == "What should change next?" and not survey.questions[-1].required
    assert survey.questions[2].nps
    assert "We do not store your name" in survey.privacy_note
    # One wave every three months across the 18 months from 1 February 2022.
    assert [w.opens_on for w in survey.waves] == [date(2022, m, 1) for m in (2, 5, 8, 11)] + [
        date(2023, m, 1) for m in (2, 5, 8)]
    load_demo()  # loading again adds nothing
    assert len(builder.programme_surveys(programme)) == 1
