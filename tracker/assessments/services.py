"""Rules of the self-assessment toolkit: editing a toolkit, starting an assessment (a copy of the toolkit's
questions), the evidence schedule, evidence records, judgements, the overall assessment report, the
judgements then and now, and improvement actions onto the action plan.

Services change objects and ``flush()``; the view commits once, at the edge of the request.
"""

import hashlib
import re
from dataclasses import dataclass, field
from datetime import date

from flask_babel import gettext as _
from sqlalchemy import func, select, update
from sqlalchemy.orm import selectinload

from tracker.accounts.models import User
from tracker.assessments.models import (
    Assessment,
    AssessmentCard,
    AssessmentHeadline,
    AssessmentQuestion,
    AssessmentSection,
    EvidenceKind,
    EvidenceRecord,
    EvidenceTask,
    Judgement,
    Toolkit,
    ToolkitHeadline,
    ToolkitQuestion,
    ToolkitSection,
)
from tracker.board import services as board
from tracker.board.models import Card, Kind, Opportunity
from tracker.core.db import utcnow
from tracker.core.locks import relock
from tracker.core.ordering import moved_one_place, renumber
from tracker.core.text import one_line
from tracker.exchange.files import Table
from tracker.extensions import db
from tracker.programmes.models import Organisation


class AssessmentError(ValueError):
    """A rule was broken; ``field`` is the form field the message belongs to."""

    def __init__(self, message: str, field: str = ""):
        super().__init__(message)
        self.field = field


def _clean(value: str | None) -> str:
    return board.text(value).strip()


def clean_sources(values: dict) -> dict:
    """``{kind: text}`` for the kinds given some text; unknown kinds are dropped."""
    kinds = {kind.value for kind in EvidenceKind}
    return {k: _clean(v) for k, v in (values or {}).items() if k in kinds and _clean(v)}


# --- the toolkit -------------------------------------------------------------------------------------


def create_toolkit(programme, *, title: str, description: str = "") -> Toolkit:
    toolkit = Toolkit(programme=programme, title=one_line(title), description=_clean(description))
    db.session.add(toolkit)
    db.session.flush()
    return toolkit


def _next_position(model, parent_column, parent_id: int) -> int:
    return (db.session.scalar(select(func.max(model.position)).where(parent_column == parent_id)) or 0) + 1


def add_section(toolkit: Toolkit, *, ref: str, title: str) -> ToolkitSection:
    section = ToolkitSection(toolkit=toolkit, ref=one_line(ref), title=one_line(title),
                             position=_next_position(ToolkitSection, ToolkitSection.toolkit_id, toolkit.id))
    db.session.add(section)
    db.session.flush()
    return section


def add_headline(section: ToolkitSection, *, ref: str, text: str) -> ToolkitHeadline:
    headline = ToolkitHeadline(section=section, ref=one_line(ref), text=one_line(text),
                               position=_next_position(ToolkitHeadline, ToolkitHeadline.section_id, section.id))
    db.session.add(headline)
    db.session.flush()
    return headline


def add_question(headline: ToolkitHeadline, *, ref: str, text: str, look_for: str = "",
                 sources: dict | None = None) -> ToolkitQuestion:
    question = ToolkitQuestion(headline=headline, ref=one_line(ref), text=one_line(text), look_for=_clean(look_for),
                               sources=clean_sources(sources or {}),
                               position=_next_position(ToolkitQuestion, ToolkitQuestion.headline_id, headline.id))
    db.session.add(question)
    db.session.flush()
    return question


def update_item(item, **values) -> None:
    """Change a section's, headline's or key question's words (an assessment already started keeps its copy)."""
    for name, value in values.items():
        if name == "sources":
            value = clean_sources(value)
        elif name == "look_for":
            value = _clean(value)
        else:
            value = one_line(value)
        setattr(item, name, value)
    db.session.flush()


def _siblings(item) -> list:
    """The item and the others under the same parent, in their shown order."""
    if isinstance(item, ToolkitSection):
        return list(db.session.scalars(select(ToolkitSection).where(ToolkitSection.toolkit_id == item.toolkit_id)
                                       .order_by(ToolkitSection.position, ToolkitSection.id)))
    if isinstance(item, ToolkitHeadline):
        return list(db.session.scalars(select(ToolkitHeadline).where(ToolkitHeadline.section_id == item.section_id)
                                       .order_by(ToolkitHeadline.position, ToolkitHeadline.id)))
    return list(db.session.scalars(select(ToolkitQuestion).where(ToolkitQuestion.headline_id == item.headline_id)
                                   .order_by(ToolkitQuestion.position, ToolkitQuestion.id)))


def move_item(item, *, up: bool) -> bool:
    """Swap a section, headline or key question with the one before (``up``) or after it, under the same
    parent; returns whether it moved. Positions are renumbered 0, 1, 2 … too, so equal ones cannot stick."""
    ordered = _siblings(item)
    moved = moved_one_place(ordered, item, up=up)
    renumber(moved or ordered)
    db.session.flush()
    return moved is not None


def _question_ids(item) -> list[int]:
    if isinstance(item, ToolkitQuestion):
        return [item.id]
    if isinstance(item, ToolkitHeadline):
        return list(db.session.scalars(select(ToolkitQuestion.id).where(ToolkitQuestion.headline_id == item.id)))
    return list(db.session.scalars(select(ToolkitQuestion.id).join(ToolkitHeadline).where(
        ToolkitHeadline.section_id == item.id)))


def delete_item(item) -> None:
    """Remove a section (with its headline and key questions), a headline (with its key questions) or a key
    question from the toolkit. Assessments already started keep their own copy; it just no longer points
    at the toolkit's question (a re-assessment then pairs it by its reference)."""
    ids = _question_ids(item)
    if ids:
        db.session.execute(update(AssessmentQuestion).where(AssessmentQuestion.toolkit_question_id.in_(ids))
                           .values(toolkit_question_id=None), execution_options={"synchronize_session": False})
    db.session.delete(item)
    db.session.flush()


def count_under(item) -> tuple[int, int]:
    """How many headline questions and key questions go with a section or headline that is removed."""
    if isinstance(item, ToolkitSection):
        headlines = db.session.scalar(select(func.count()).select_from(ToolkitHeadline)
                                      .where(ToolkitHeadline.section_id == item.id)) or 0
        return headlines, len(_question_ids(item))
    if isinstance(item, ToolkitHeadline):
        return 0, len(_question_ids(item))
    return 0, 0


def load_toolkit_tree(toolkit_id: int) -> Toolkit | None:
    """The toolkit with its sections, headlines and key questions, in four statements whatever its size."""
    return db.session.scalar(select(Toolkit).where(Toolkit.id == toolkit_id).options(
        selectinload(Toolkit.sections).selectinload(ToolkitSection.headlines)
        .selectinload(ToolkitHeadline.questions)))


# --- starting an assessment ----------------------------------------------------------------------------


def start_assessment(org: Organisation, toolkit: Toolkit, *, title: str, coordinator: User | None,
                     team: list[User], starts_on: date | None = None) -> Assessment:
    """Start an assessment of ``org``: the toolkit's sections, headline and key questions are **copied** in,
    so a later edit of the toolkit changes neither this assessment nor its report.

    :raises AssessmentError: the toolkit belongs to another programme, or has no key questions.
    """
    if toolkit.programme_id != org.programme_id:
        raise AssessmentError(_("Choose a toolkit of this programme"), "toolkit")
    toolkit = load_toolkit_tree(toolkit.id)
    if not any(h.questions for s in toolkit.sections for h in s.headlines):
        raise AssessmentError(_("This toolkit has no key questions yet"), "toolkit")
    assessment = Assessment(programme_id=org.programme_id, organisation=org, toolkit=toolkit, title=one_line(title),
                            coordinator=coordinator, team=list(team), starts_on=starts_on)
    db.session.add(assessment)
    for section in toolkit.sections:
        copy = AssessmentSection(ref=section.ref, title=section.title, position=section.position)
        assessment.sections.append(copy)
        for headline in section.headlines:
            headline_copy = AssessmentHeadline(ref=headline.ref, text=headline.text, position=headline.position)
            copy.headlines.append(headline_copy)
            for question in headline.questions:
                headline_copy.questions.append(AssessmentQuestion(
                    assessment=assessment, toolkit_question_id=question.id, ref=question.ref, text=question.text,
                    look_for=question.look_for, sources=dict(question.sources or {}), position=question.position))
    db.session.flush()
    return assessment


def set_team(assessment: Assessment, *, coordinator: User | None, team: list[User]) -> None:
    assessment.coordinator = coordinator
    assessment.team = list(team)
    db.session.flush()


# --- the evidence schedule ---------------------------------------------------------------------------


def add_task(assessment: Assessment, *, kind: EvidenceKind, description: str, assignee: User | None,
             due_on: date | None, question: AssessmentQuestion | None = None) -> EvidenceTask:
    """A task of the evidence schedule.

    :raises AssessmentError: a key question of another assessment.
    """
    if question is not None and question.assessment_id != assessment.id:
        raise AssessmentError(_("Choose a key question of this assessment"), "question")
    task = EvidenceTask(assessment=assessment, kind=kind, description=one_line(description), assignee=assignee,
                        due_on=due_on, question=question)
    db.session.add(task)
    db.session.flush()
    return task


def update_task(task: EvidenceTask, *, kind: EvidenceKind, description: str, assignee: User | None,
                due_on: date | None, question: AssessmentQuestion | None = None) -> None:
    """Change a task of the evidence schedule: what, who, when (and which key question).

    :raises AssessmentError: a key question of another assessment.
    """
    if question is not None and question.assessment_id != task.assessment_id:
        raise AssessmentError(_("Choose a key question of this assessment"), "question")
    task.kind, task.description, task.assignee, task.due_on = kind, one_line(description), assignee, due_on
    task.question = question
    db.session.flush()


def delete_task(task: EvidenceTask) -> None:
    db.session.delete(task)
    db.session.flush()


def set_task_done(task: EvidenceTask, done: bool) -> None:
    task.is_done = done
    db.session.flush()


# --- evidence and judgements ---------------------------------------------------------------------------

#: Answers that say nothing on their own ("'Yes/no' answers are not sufficient", seed 004 step 7).
YES_NO = {"yes", "no", "y", "n", "yes no", "ie", "na", "naddo", "do", "oes", "nac oes", "ydy", "nac ydy"}


def is_only_yes_no(text: str | None) -> bool:
    """The text is nothing but a yes or a no (in English or Welsh), whatever its punctuation and case."""
    words = " ".join(re.sub(r"[\W_]+", " ", (text or "").lower()).split())
    return words in YES_NO


def add_evidence(question: AssessmentQuestion, *, kind: EvidenceKind, source: str, found: str, evidence: str,
                 author: User | None) -> EvidenceRecord:
    """Record evidence against a key question.

    :raises AssessmentError: the evidence is only a yes or a no.
    """
    if is_only_yes_no(evidence):
        raise AssessmentError(_("Give the full evidence for the answer, not only yes or no"),
                              "evidence")
    record = EvidenceRecord(question=question, kind=kind, source=one_line(source), found=_clean(found),
                            evidence=_clean(evidence), author=author)
    db.session.add(record)
    db.session.flush()
    return record


def update_evidence(record: EvidenceRecord, *, kind: EvidenceKind, source: str, found: str, evidence: str) -> None:
    """Change an evidence record after it was saved, under the same rules as a new one (its author stays).

    :raises AssessmentError: the evidence is only a yes or a no.
    """
    if is_only_yes_no(evidence):
        raise AssessmentError(_("Give the full evidence for the answer, not only yes or no"),
                              "evidence")
    record.kind, record.source, record.found, record.evidence = kind, one_line(source), _clean(found), _clean(evidence)
    db.session.flush()


def delete_evidence(record: EvidenceRecord) -> None:
    db.session.delete(record)
    db.session.flush()


class StaleJudgement(Exception):
    """Someone else changed the judgement since the page was shown."""


def judgement_seen(question: AssessmentQuestion) -> str:
    """What the judgement was, as a short fingerprint the form carries: "" while it is not judged yet,
    otherwise a hash of the colour, reason, strengths and areas for improvement (no column needed)."""
    if question.judgement is None:
        return ""
    text = "\x1f".join([question.judgement.value, question.reason or "", question.strengths or "",
                         question.improvements or ""])
    return hashlib.sha256(text.encode()).hexdigest()[:20]


def judge(question: AssessmentQuestion, *, judgement: Judgement, reason: str, strengths: str = "",
          improvements: str = "", user: User | None, seen: str | None = None) -> None:
    """Record the traffic-light judgement of a key question, with its reason.

    ``seen`` is :func:`judgement_seen` of the page the person saved from (``None``: no check).

    :raises StaleJudgement: the judgement changed since ``seen``.
    :raises AssessmentError: no reason given.
    """
    if seen is not None and seen != judgement_seen(relock(question)):  # as committed now, others waiting
        raise StaleJudgement()
    if not _clean(reason):
        raise AssessmentError(_("Enter the reason for the judgement"), "reason")
    question.judgement = judgement
    question.reason = _clean(reason)
    question.strengths = _clean(strengths)
    question.improvements = _clean(improvements)
    question.judged_by = user
    question.judged_dt = utcnow()
    db.session.flush()


# --- the overall assessment report ---------------------------------------------------------------------


def load_assessment_tree(assessment_id: int) -> Assessment | None:
    """The assessment with its sections, headline and key questions and their evidence (and its
    authors), in a fixed number of statements whatever the number of questions or records."""
    return db.session.scalar(select(Assessment).where(Assessment.id == assessment_id).options(
        selectinload(Assessment.team),
        selectinload(Assessment.sections).selectinload(AssessmentSection.headlines)
        .selectinload(AssessmentHeadline.questions).selectinload(AssessmentQuestion.evidence)
        .selectinload(EvidenceRecord.author)))


def questions_of(assessment: Assessment) -> list[AssessmentQuestion]:
    return [q for s in assessment.sections for h in s.headlines for q in h.questions]


def previous_assessment(assessment: Assessment) -> Assessment | None:
    """The assessment of the same organisation against the same toolkit made just before this one."""
    if assessment.toolkit_id is None:
        return None
    return db.session.scalar(select(Assessment).where(
        Assessment.organisation_id == assessment.organisation_id, Assessment.toolkit_id == assessment.toolkit_id,
        Assessment.id < assessment.id).order_by(Assessment.id.desc()).limit(1))


def judgements_then(assessment: Assessment, previous: Assessment | None) -> dict[int, Judgement | None]:
    """For each key question of ``assessment``, the judgement the previous assessment gave it (paired by the
    toolkit question both were copied from, or else by the same reference); absent when it was not asked."""
    if previous is None:
        return {}
    earlier = db.session.execute(select(AssessmentQuestion.toolkit_question_id, AssessmentQuestion.ref,
                                        AssessmentQuestion.judgement)
                                 .where(AssessmentQuestion.assessment_id == previous.id)).all()
    by_source = {row.toolkit_question_id: row.judgement for row in earlier if row.toolkit_question_id}
    by_ref = {row.ref: row.judgement for row in earlier if row.ref}
    result = {}
    for question in questions_of(assessment):
        if question.toolkit_question_id in by_source:
            result[question.id] = by_source[question.toolkit_question_id]
        elif question.ref and question.ref in by_ref:
            result[question.id] = by_ref[question.ref]
    return result


@dataclass
class Tally:
    """How many key questions have each judgement, and how many have none yet."""

    green: int = 0
    amber: int = 0
    red: int = 0
    none: int = 0
    evidence: int = 0
    by_kind: dict = field(default_factory=dict)

    @property
    def total(self) -> int:
        return self.green + self.amber + self.red + self.none

    @property
    def judged(self) -> int:
        return self.green + self.amber + self.red


def tally(questions: list[AssessmentQuestion]) -> Tally:
    result = Tally()
    for question in questions:
        name = question.judgement.value if question.judgement else "none"
        setattr(result, name, getattr(result, name) + 1)
        result.evidence += len(question.evidence)
        for record in question.evidence:
            result.by_kind[record.kind] = result.by_kind.get(record.kind, 0) + 1
    return result


def cards_by_question(assessment: Assessment) -> dict[int, list[Card]]:
    """The improvement actions made from each key question, in one statement."""
    rows = db.session.execute(
        select(AssessmentCard.question_id, Card).join(Card, Card.id == AssessmentCard.card_id)
        .join(AssessmentQuestion, AssessmentQuestion.id == AssessmentCard.question_id)
        .where(AssessmentQuestion.assessment_id == assessment.id)
        .options(selectinload(Card.opportunity)).order_by(Card.id)).all()
    result: dict[int, list[Card]] = {}
    for question_id, card in rows:
        result.setdefault(question_id, []).append(card)
    return result


def report_table(assessment: Assessment, then: dict[int, Judgement | None] | None = None) -> Table:
    """The overall assessment report as one table (the seed's Appendix 4 columns, and the evidence drawn
    together), for .csv and .xlsx."""
    then = then or {}
    header = [_("Section"), _("Headline question"), _("Ref"), _("Key question"), _("Evidence for judgement"),
              _("Judgement"), _("Reason"), _("Strengths"), _("Areas for improvement"), _("Previous judgement")]
    rows = [header]
    for section in assessment.sections:
        for headline in section.headlines:
            for question in headline.questions:
                evidence = "\n\n".join(f"{record.kind.label}: {record.source}\n{record.found}\n{record.evidence}"
                                       for record in question.evidence)
                earlier = then.get(question.id)
                rows.append([f"{section.ref} {section.title}".strip(), f"{headline.ref} {headline.text}".strip(),
                             question.ref, question.text, evidence,
                             question.judgement.label if question.judgement else _("Not judged yet"),
                             question.reason, question.strengths, question.improvements,
                             earlier.label if earlier else ""])
    return Table(rows)


# --- improvement actions onto the action plan ------------------------------------------------------------


def make_improvement_card(question: AssessmentQuestion, *, kind: Kind, title: str, description: str,
                          opportunity: Opportunity | None, user: User | None) -> Card:
    """A red or amber key question becomes an improvement action on the organisation's action plan: a quick
    win, or an idea under one of its design opportunities, linked back to the key question.

    :raises AssessmentError: the key question is green or not judged, or the design opportunity is missing.
    """
    if question.judgement not in (Judgement.RED, Judgement.AMBER):
        raise AssessmentError(_("Only a key question judged red or amber becomes an improvement action"), "kind")
    if kind not in (Kind.QUICK_WIN, Kind.IDEA):
        raise AssessmentError(_("Choose a quick win or an idea"), "kind")
    if kind == Kind.IDEA and opportunity is None:
        raise AssessmentError(_("Choose the design opportunity the idea belongs to"), "opportunity")
    org = question.assessment.organisation
    try:
        card = board.create_card(org, kind=kind, title=one_line(title), user=user, description=description,
                                 opportunity=opportunity if kind == Kind.IDEA else None)
    except board.BoardError as error:
        raise AssessmentError(str(error), "opportunity") from None
    db.session.add(AssessmentCard(question_id=question.id, card_id=card.id))
    db.session.flush()
    return card


def sources_of_card(card) -> list:
    """The card's "Where this came from": the key questions it was made from (one statement)."""
    from flask import url_for

    from tracker.board.sources import Source

    rows = db.session.execute(
        select(AssessmentQuestion.id, AssessmentQuestion.ref, AssessmentQuestion.text, Assessment.title)
        .join(AssessmentCard, AssessmentCard.question_id == AssessmentQuestion.id)
        .join(Assessment, Assessment.id == AssessmentQuestion.assessment_id)
        .where(AssessmentCard.card_id == card.id)).all()
    return [Source(kind=_("Self-assessment"), text=f"{title}: {ref} {text}".replace("  ", " "),
                   url=url_for("assessments.question", question_id=qid)) for qid, ref, text, title in rows]
