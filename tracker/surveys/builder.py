"""Building a survey: its details, its questions (add, change, reorder, remove or retire, copy) and its
waves' dates.

Positions: a survey's questions that are asked hold positions 0, 1, 2 … in the order people see them;
retired questions come after them, in the order they were retired. Every change of order takes the
survey's row lock first (``core.locks``), then reads the questions and writes every position again, so two
facilitators reordering at once take turns and the positions stay dense.

A question that already has answers (any ``Answer`` row, in any wave) is retired, never deleted, so that
earlier waves keep their results; its kind cannot change and its choices can be reworded or added to but
not taken away, since answers store the chosen option's place in the list.

A survey's own words can be given in Welsh too (optional, beside the English): its title, introduction and
privacy note, and each question's text, hint and choices. Welsh choices, when given, are one for each English
choice in the same order (answers store the option's place, so both languages' answers count as one).
"""

from datetime import date

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import exists, select

from tracker.core import clock, i18n, locks
from tracker.core.db import utcnow
from tracker.core.formats import uk_date
from tracker.core.ordering import moved_one_place, renumber
from tracker.extensions import db
from tracker.programmes.models import Programme
from tracker.surveys import waves
from tracker.surveys.models import Answer, Question, QuestionKind, Survey, Wave

#: Choice questions offer between these many options.
MIN_CHOICES, MAX_CHOICES = 2, 20
#: The longest option of a choice question.
CHOICE_LENGTH = 200
#: How long a wave may stay open by default.
MIN_OPEN_DAYS, MAX_OPEN_DAYS = 1, 90

CHOICE_KINDS = (QuestionKind.SINGLE, QuestionKind.MULTIPLE)


class BuilderError(ValueError):
    """A rule about a survey or a question was broken. ``field`` names the form field the message belongs
    to; the message is shown to the person."""

    def __init__(self, field: str, message):
        super().__init__(str(message))
        self.field = field


class WaveDateError(waves.WaveError):
    """A rule about a wave's dates; ``field`` is the date the message belongs to."""

    def __init__(self, field: str, message):
        super().__init__(str(message))
        self.field = field


def default_privacy_note(programme: Programme) -> str:
    """What the answering pages store and do not store, in words a respondent can check."""
    return _(
        "We store your answers, the organisation you work for and the day you sent them. We do not store "
        "your name, your email address with your answers, or the time you answered, and nothing links your "
        "answers to the link you used.\n\n"
        "If you were invited by email, your address is used only to send your invitation and reminders, and "
        "it is deleted when this wave of the survey closes.\n\n"
        "Results are shown only for groups of %(n)s or more responses. Please do not write your name, or "
        "anything else that says who you are, in your answers.", n=programme.survey_min_group)


# --- surveys -----------------------------------------------------------------------------------------


def default_privacy_note_cy(programme: Programme) -> str:
    """The default privacy note in Welsh (from the Welsh catalogue)."""
    with i18n.in_language("cy"):
        return default_privacy_note(programme)


def create_survey(programme: Programme, *, title: str, introduction: str = "", privacy_note: str,
                  open_days: int = 14, title_cy: str = "", introduction_cy: str = "",
                  privacy_note_cy: str = "") -> Survey:
    """A new survey of ``programme``, with the waves its calendar calls for.

    :param open_days: how many days each new wave stays open (a facilitator can move each wave's dates).
    :param title_cy: the title in Welsh, and so the introduction and the privacy note (optional: those
        reading in Welsh see the English where one is blank).
    """
    survey = Survey(programme=programme, title=title.strip(), introduction=introduction or "",
                    privacy_note=privacy_note, open_days=open_days, title_cy=(title_cy or "").strip(),
                    introduction_cy=introduction_cy or "", privacy_note_cy=privacy_note_cy or "")
    db.session.add(survey)
    db.session.flush()
    waves.ensure_waves(survey)
    return survey


def update_survey(survey: Survey, *, title: str, introduction: str, privacy_note: str, open_days: int,
                  title_cy: str | None = None, introduction_cy: str | None = None,
                  privacy_note_cy: str | None = None) -> None:
    """Change a survey's details. Waves it has keep their dates; waves the programme's calendar now calls
    for that it lacks (a longer evaluation) are added with the new ``open_days``. A Welsh field not given
    (``None``) keeps its words; "" removes them."""
    survey.title, survey.introduction = title.strip(), introduction or ""
    survey.privacy_note, survey.open_days = privacy_note, open_days
    if title_cy is not None:
        survey.title_cy = title_cy.strip()
    if introduction_cy is not None:
        survey.introduction_cy = introduction_cy
    if privacy_note_cy is not None:
        survey.privacy_note_cy = privacy_note_cy
    db.session.flush()
    waves.ensure_waves(survey)


def programme_surveys(programme: Programme) -> list[Survey]:
    """The programme's surveys, newest first."""
    return list(db.session.scalars(select(Survey).where(Survey.programme_id == programme.id)
                                   .order_by(Survey.created_dt.desc(), Survey.id.desc())))


def other_surveys(survey: Survey) -> list[Survey]:
    """The programme's other surveys, to copy questions from."""
    return [s for s in programme_surveys(survey.programme) if s.id != survey.id]


# --- questions ---------------------------------------------------------------------------------------


def parse_choices(text: str | None) -> list[str]:
    """The options of a choice question: one a line, spaces around them and blank lines ignored."""
    if not isinstance(text, str):
        return []
    return [line.strip() for line in text.splitlines() if line.strip()]


def check_question(kind: QuestionKind, choices: list[str], nps: bool, choices_cy: list[str] = ()) -> None:
    """The rules every question keeps, whether it has answers or not.

    :raises BuilderError: a choice question with fewer than 2 or more than 20 options, an option repeated
        or too long, options on a question that has none, or eNPS scoring on anything but a 0–10 question;
        then the rules of :func:`check_welsh_choices`.
    """
    if kind in CHOICE_KINDS:
        if len(choices) < MIN_CHOICES:
            raise BuilderError("choices", _l("Enter at least 2 choices, one on each line"))
        if len(choices) > MAX_CHOICES:
            raise BuilderError("choices", _l("Enter %(n)s choices or fewer", n=MAX_CHOICES))
        if any(len(choice) > CHOICE_LENGTH for choice in choices):
            raise BuilderError("choices", _l("Each choice must be %(n)s characters or fewer", n=CHOICE_LENGTH))
        seen = set()
        for choice in choices:
            if choice.casefold() in seen:
                raise BuilderError("choices", _l("Each choice must be different: “%(choice)s” is there twice",
                                                 choice=choice))
            seen.add(choice.casefold())
    elif choices:
        raise BuilderError("choices", _l("Only one-choice and several-choice questions have choices: remove them, "
                                         "or choose one of those kinds"))
    if nps and kind != QuestionKind.SCALE:
        raise BuilderError("nps", _l("Only a question from 0 to 10 can be scored as eNPS"))
    check_welsh_choices(kind, choices, choices_cy)


def check_welsh_choices(kind: QuestionKind, choices: list[str], choices_cy: list[str]) -> None:
    """The Welsh choices (optional) are one for each English choice, in the same order, each different and
    at most :data:`CHOICE_LENGTH` characters; none on a question that has no choices.

    :raises BuilderError: on the field ``choices_cy``.
    """
    choices_cy = list(choices_cy or [])
    if not choices_cy:
        return
    if kind not in CHOICE_KINDS:
        raise BuilderError("choices_cy", _l("Only one-choice and several-choice questions have choices: remove "
                                            "the Welsh choices, or choose one of those kinds"))
    if len(choices_cy) != len(choices):
        raise BuilderError("choices_cy", _l("Enter one Welsh choice for each English choice, in the same order"))
    if any(len(choice) > CHOICE_LENGTH for choice in choices_cy):
        raise BuilderError("choices_cy", _l("Each Welsh choice must be %(n)s characters or fewer", n=CHOICE_LENGTH))
    seen = set()
    for choice in choices_cy:
        if choice.casefold() in seen:
            raise BuilderError("choices_cy", _l("Each Welsh choice must be different: “%(choice)s” is there twice",
                                                choice=choice))
        seen.add(choice.casefold())


def has_answers(question: Question) -> bool:
    """Whether anybody has answered the question, in any wave."""
    return bool(db.session.scalar(select(exists().where(Answer.question_id == question.id))))


def answered_question_ids(survey: Survey) -> set[int]:
    """The survey's questions that have answers, in one query."""
    return set(db.session.scalars(
        select(Question.id).where(Question.survey_id == survey.id,
                                  exists().where(Answer.question_id == Question.id))))


def _questions_locked(survey: Survey) -> list[Question]:
    """Lock the survey's row, then read its questions as they are committed now, in their order."""
    locks.lock(Survey, survey.id)
    db.session.expire(survey, ["questions"])
    return list(db.session.scalars(select(Question).where(Question.survey_id == survey.id)
                                   .order_by(Question.position, Question.id)))


def _renumber(survey: Survey, asked: list[Question], retired: list[Question]) -> None:
    """Asked questions 0 … n−1 in the given order, then the retired ones after them."""
    renumber([*asked, *sorted(retired, key=lambda q: (q.retired_dt, q.position, q.id))])
    db.session.flush()
    db.session.expire(survey, ["questions"])


def _split(questions: list[Question]) -> tuple[list[Question], list[Question]]:
    return [q for q in questions if q.retired_dt is None], [q for q in questions if q.retired_dt is not None]


def asked_questions(survey: Survey) -> list[Question]:
    """The questions people are asked, in order (not the retired ones)."""
    return [q for q in survey.questions if q.retired_dt is None]


def retired_questions(survey: Survey) -> list[Question]:
    return [q for q in survey.questions if q.retired_dt is not None]


def add_question(survey: Survey, *, kind: QuestionKind, text: str, hint: str = "", required: bool = True,
                 choices: list[str] = (), nps: bool = False, text_cy: str = "", hint_cy: str = "",
                 choices_cy: list[str] = ()) -> Question:
    """Add a question at the end of the survey's questions, with its words in Welsh if given.

    :raises BuilderError: see :func:`check_question`.
    """
    choices, choices_cy = list(choices), list(choices_cy or [])
    check_question(kind, choices, nps, choices_cy)
    asked, retired = _split(_questions_locked(survey))
    question = Question(survey_id=survey.id, kind=kind, text=text.strip(), hint=(hint or "").strip(),
                        required=required, choices=choices, nps=nps, text_cy=(text_cy or "").strip(),
                        hint_cy=(hint_cy or "").strip(), choices_cy=choices_cy,
                        position=len(asked) + len(retired))
    db.session.add(question)
    db.session.flush()
    _renumber(survey, [*asked, question], retired)
    return question


def update_question(question: Question, *, kind: QuestionKind, text: str, hint: str = "", required: bool = True,
                    choices: list[str] = (), nps: bool = False, text_cy: str | None = None,
                    hint_cy: str | None = None, choices_cy: list[str] | None = None) -> None:
    """Change a question. One that has answers keeps its kind, and its choices can be reworded or added to,
    not taken away (answers store the option's place in the list). A Welsh field not given (``None``) keeps
    its words (Welsh choices kept must still match the English ones); "" (or no choices) removes them.

    :raises BuilderError: a rule of :func:`check_question`, or of a question with answers, was broken; or
        the question is retired.
    """
    choices = list(choices)
    if choices_cy is None:
        choices_cy = question.choices_cy if kind in CHOICE_KINDS else []
    choices_cy = list(choices_cy or [])
    if question.retired_dt is not None:
        raise BuilderError("text", _l("This question has been retired: it can no longer be changed"))
    check_question(kind, choices, nps, choices_cy)
    if has_answers(question):
        if kind != question.kind:
            raise BuilderError("kind", _l("This question already has answers, so its kind cannot change. Remove "
                                          "it and add a new question instead"))
        if len(choices) < len(question.choices or []):
            raise BuilderError("choices", _l(
                "This question already has answers, so its choices cannot be removed: reword them or add "
                "new ones at the end (%(n)s choices at least)", n=len(question.choices)))
    question.kind, question.text, question.hint = kind, text.strip(), (hint or "").strip()
    question.required, question.choices, question.nps = required, choices, nps
    question.choices_cy = choices_cy
    if text_cy is not None:
        question.text_cy = text_cy.strip()
    if hint_cy is not None:
        question.hint_cy = hint_cy.strip()
    db.session.flush()


def move_question(question: Question, direction: str) -> bool:
    """Move an asked question one place ``"up"`` or ``"down"``; False when it is already first or last (or
    retired). Every position is written again, so they stay 0 … n−1 whatever they were."""
    if direction not in ("up", "down"):
        raise BuilderError("direction", _l("Choose up or down"))
    survey = question.survey
    asked, retired = _split(_questions_locked(survey))
    if question not in asked:
        _renumber(survey, asked, retired)
        return False
    moved = moved_one_place(asked, question, up=direction == "up")
    _renumber(survey, moved or asked, retired)
    return moved is not None


def remove_question(question: Question) -> str:
    """Remove a question: retired (kept, no longer asked) when it has answers, deleted otherwise.

    :returns: ``"retired"`` or ``"deleted"`` (a question already retired stays retired).
    """
    survey = question.survey
    questions = _questions_locked(survey)
    if question.retired_dt is not None:
        return "retired"
    if has_answers(question):
        question.retired_dt = utcnow()
        outcome = "retired"
    else:
        questions.remove(question)
        db.session.delete(question)
        db.session.flush()
        outcome = "deleted"
    asked, retired = _split(questions)
    _renumber(survey, asked, retired)
    return outcome


def copy_questions(target: Survey, questions: list[Question]) -> list[Question]:
    """Copy ``questions`` (of another survey of the same programme) to the end of ``target``'s questions,
    in their order: kind, text, hint, whether required, choices and eNPS scoring, and their words in Welsh;
    not the answers nor a link to an indicator.

    :raises BuilderError: a question from another programme, from ``target`` itself, or a retired one.
    """
    for question in questions:
        source = question.survey
        if source.programme_id != target.programme_id or source.id == target.id or question.retired_dt:
            raise BuilderError("questions", _l("Choose questions of another survey of this programme"))
    asked, retired = _split(_questions_locked(target))
    copies = []
    for question in questions:
        copy = Question(survey_id=target.id, kind=question.kind, text=question.text, hint=question.hint,
                        required=question.required, choices=list(question.choices or []), nps=question.nps,
                        text_cy=question.text_cy or "", hint_cy=question.hint_cy or "",
                        choices_cy=list(question.choices_cy or []),
                        position=len(asked) + len(retired) + len(copies))
        db.session.add(copy)
        copies.append(copy)
    db.session.flush()
    _renumber(target, [*asked, *copies], retired)
    return copies


# --- waves -------------------------------------------------------------------------------------------


def change_wave_dates(wave: Wave, *, opens_on: date, closes_on: date, today: date | None = None) -> None:
    """Give a wave new dates: besides the rules of :func:`waves.move`, an open wave cannot open later than
    today (it would stop being open to people who have their link), and a wave cannot overlap the waves
    before and after it.

    :raises waves.WaveError: a rule was broken (the message names it).
    """
    today = today or clock.today()
    if closes_on >= opens_on:
        if waves.state(wave, today) == waves.WaveState.OPEN and opens_on > today:
            raise WaveDateError("opens_on", _l("This wave is open: its opening date cannot be after today"))
        siblings = list(db.session.scalars(select(Wave).where(Wave.survey_id == wave.survey_id, Wave.id != wave.id)
                                           .order_by(Wave.number)))
        before = [w for w in siblings if w.number < wave.number]
        after = [w for w in siblings if w.number > wave.number]
        if before and opens_on <= before[-1].closes_on:
            raise WaveDateError("opens_on", _l("Wave %(n)s must open after wave %(m)s closes on %(day)s",
                                               n=wave.number, m=before[-1].number, day=uk_date(before[-1].closes_on)))
        if after and closes_on >= after[0].opens_on:
            raise WaveDateError("closes_on", _l("Wave %(n)s must close before wave %(m)s opens on %(day)s",
                                                n=wave.number, m=after[0].number, day=uk_date(after[0].opens_on)))
    waves.move(wave, opens_on=opens_on, closes_on=closes_on, today=today)
