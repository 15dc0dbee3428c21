"""A survey's questions version: every change to its questions bumps it in the same transaction, whichever
builder service made it; answers, waves and other surveys' questions leave it."""

from datetime import date

import pytest
from sqlalchemy import select

from tests.surveys.conftest import make_survey
from tests.surveys.test_results import respond_alike
from tracker.extensions import db
from tracker.surveys import builder
from tracker.surveys.models import QuestionKind, Survey


def version(survey: Survey) -> int:
    db.session.commit()
    return db.session.scalar(select(Survey.questions_version).where(Survey.id == survey.id))


def _other(world):
    return make_survey(world.programme, "Another survey")


CHANGES = {
    "added": lambda s, w: builder.add_question(s, kind=QuestionKind.TEXT, text="Anything else?"),
    "edited": lambda s, w: builder.update_question(s.questions[0], kind=QuestionKind.LIKERT, text="Better now"),
    "Welsh added": lambda s, w: builder.update_question(s.questions[0], kind=QuestionKind.LIKERT,
                                                        text=s.questions[0].text, text_cy="Mae'n helpu"),
    "moved": lambda s, w: builder.move_question(s.questions[1], "up"),
    "deleted": lambda s, w: builder.remove_question(s.questions[4]),
    "retired": lambda s, w: (respond_alike(s.waves[0], w.org_a, s, 1), builder.remove_question(s.questions[0])),
    "copied in": lambda s, w: builder.copy_questions(s, _other(w).questions[:2]),
}


@pytest.mark.parametrize("change", CHANGES)
def test_every_change_to_the_questions_bumps_the_version(world, survey, change):
    before = version(survey)
    CHANGES[change](survey, world)
    assert version(survey) == before + 1  # once per transaction, however many questions it changed


UNCHANGED = {
    "answers": lambda s, w: respond_alike(s.waves[1], w.org_a, s, 3),
    "a wave's dates": lambda s, w: builder.change_wave_dates(s.waves[3], opens_on=date(2026, 10, 2),
                                                             closes_on=date(2026, 10, 20), today=date(2026, 5, 1)),
    "another survey's question": lambda s, w: builder.update_question(
        _other(w).questions[0], kind=QuestionKind.LIKERT, text="Elsewhere"),
}


@pytest.mark.parametrize("change", UNCHANGED)
def test_what_is_not_a_question_leaves_the_version(world, survey, change):
    before = version(survey)
    UNCHANGED[change](survey, world)
    assert version(survey) == before


def test_a_change_after_a_savepoint_rolled_back_its_bump_is_bumped_again(world, survey):
    """The bump is made once per transaction; a savepoint rolled back undoes it, so the next change in the
    same transaction makes it again (else it would commit under the old version)."""
    before = version(survey)
    savepoint = db.session.begin_nested()
    builder.update_question(survey.questions[0], kind=QuestionKind.LIKERT, text="Tried, then undone")
    db.session.flush()
    savepoint.rollback()
    builder.update_question(survey.questions[1], kind=QuestionKind.LIKERT, text="Kept")
    assert version(survey) == before + 1
