"""A staff survey for the world's programme: one question of each kind, its waves from the calendar."""

import pytest

from tracker.extensions import db
from tracker.surveys import waves
from tracker.surveys.models import Question, QuestionKind, Survey


def make_survey(programme, title: str = "Staff pulse survey") -> Survey:
    """A survey with a Likert, a 0–10 (scored eNPS-style), a single choice, a multiple choice and a free
    text question, and its waves; committed."""
    survey = Survey(programme=programme, title=title, introduction="Tell us how the changes are going.",
                    privacy_note="We keep your answers and the day you sent them, nothing else.")
    survey.questions = [
        Question(position=0, kind=QuestionKind.LIKERT, text="The new casework standards help me"),
        Question(position=1, kind=QuestionKind.SCALE, text="How likely are you to recommend the new approach?",
                 nps=True),
        Question(position=2, kind=QuestionKind.SINGLE, text="Which change has helped most?",
                 choices=["Letters", "Case standards", "Contact methods"]),
        Question(position=3, kind=QuestionKind.MULTIPLE, text="Which have you used?", required=False,
                 choices=["Templates", "Checklists", "Training"]),
        Question(position=4, kind=QuestionKind.TEXT, text="What should change next?", required=False),
    ]
    db.session.add(survey)
    db.session.flush()
    waves.ensure_waves(survey)
    db.session.commit()
    return survey


@pytest.fixture
def survey(world) -> Survey:
    return make_survey(world.programme)
