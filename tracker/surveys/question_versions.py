"""A survey's questions version: a stamp on its questions as they are asked.

Any change to a survey's questions — one added, edited, moved, retired, deleted or copied in — bumps
``survey.questions_version`` in the same transaction, on flush, whichever code made the change. Answers
checked against questions read in an earlier request are written only while the version is the one read
with them (``respond.submit_known``), on PostgreSQL and SQLite alike. (Questions are only changed through
the ORM; a bulk statement on ``survey_question`` would have to bump the version itself.)

The bump takes the survey's row lock on PostgreSQL until the transaction ends: two facilitators editing one
survey's questions take turns, which the builder's own lock on the questions already makes them do.
"""

from sqlalchemy import event, update
from sqlalchemy.orm import Session

from tracker.core.db import per_transaction
from tracker.surveys.models import Question, Survey

_TOUCHED = "survey_questions_touched"
per_transaction(_TOUCHED, savepoints=True)  # a bump undone with a savepoint is made again


def _survey_id(obj) -> int | None:
    if not isinstance(obj, Question):
        return None
    if obj.survey_id is not None:
        return obj.survey_id
    survey = obj.__dict__.get("survey")  # a new question added to its survey's list: no id of its own yet
    return survey.id if survey is not None else None


@event.listens_for(Session, "before_flush")
def _bump_on_flush(session: Session, _context, _instances) -> None:
    touched = session.info.setdefault(_TOUCHED, set())
    ids = {_survey_id(obj) for obj in (*session.new, *session.dirty, *session.deleted)} - touched - {None}
    if not ids:
        return
    touched.update(ids)  # once per transaction: the whole change commits with the one new version
    table = Survey.__table__
    session.execute(update(table).where(table.c.id.in_(sorted(ids)))
                    .values(questions_version=table.c.questions_version + 1),
                    execution_options={"agenda_scope": None})  # no agenda shows it (tracker.checkins.versions)

