"""Rules of the self-assessment toolkit: editing a toolkit, starting an assessment (a copy of the toolkit's
questions), the evidence schedule, evidence records, judgements, the overall assessment report, the
judgements then and now, and improvement actions onto the action plan.

Services change objects and ``flush()``; the view commits once, at the edge of the request.
"""

import re
from dataclasses import dataclass, field
from datetime import date

from flask_babel import gettext as _
from sqlalchemy import func, select
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


def _line(value: str | None) -> str:
    return " ".join((value or "").split())


def clean_sources(values: dict) -> dict:
    """``{kind: text}`` for the kinds given some text; unknown kinds are dropped."""
    kinds = {kind.value for kind in EvidenceKind}
    return {k: _clean(v) for k, v in (values or {}).items() if k in kinds and _clean(v)}


# --- the toolkit -------------------------------------------------------------------------------------


def create_toolkit(programme, *, title: str, description: str = "") -> Toolkit:
    toolkit = Toolkit(programme=programme, title=_line(title), description=_clean(description))
    db.session.add(toolkit)
    db.session.flush()
    return toolkit


def _next_position(model, parent_column, parent_id: int) -> int:
    return (db.session.scalar(select(func.max(model.position)).where(parent_column == parent_id)) or 0) + 1


def add_section(toolkit: Toolkit, *, ref: str, title: str) -> ToolkitSection:
    section = ToolkitSection(toolkit=toolkit, ref=_line(ref), title=_line(title),
                             position=_next_position(ToolkitSection, ToolkitSection.toolkit_id, toolkit.id))
    db.session.add(section)
    db.session.flush()
    return section


def add_headline(section: ToolkitSection, *, ref: str, text: str) -> ToolkitHeadline:
    headline = ToolkitHeadline(section=section, ref=_line(ref), text=_line(text),
                               position=_next_position(ToolkitHeadline, ToolkitHeadline.section_id, section.id))
    db.session.add(headline)
    db.session.flush()
    return headline


def add_question(headline: ToolkitHeadline, *, ref: str, text: str, look_for: str = "",
                 sources: dict | None = None) -> ToolkitQuestion:
    question = ToolkitQuestion(headline=headline, ref=_line(ref), text=_line(text), look_for=_clean(look_for),
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
            value = _line(value)
        setattr(item, name, value)
    db.session.flush()


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
    assessment = Assessment(programme_id=org.programme_id, organisation=org, toolkit=toolkit, title=_line(title),
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
    task = EvidenceTask(assessment=assessment, kind=kind, description=_line(description), assignee=assignee,
                        due_on=due_on, question=question)
    db.session.add(task)
    db.session.flush()
    return task


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
        raise AssessmentError(_("Yes/no answers are not sufficient: give the full evidence for the answer"),
                              "evidence")
    record = EvidenceRecord(question=question, kind=kind, source=_line(source), found=_clean(found),
                            evidence=_clean(evidence), author=author)
    db.session.add(record)
    db.session.flush()
    return record


def judge(question: AssessmentQuestion, *, judgement: Judgement, reason: str, strengths: str = "",
          improvements: str = "", user: User | None) -> None:
    """Record the traffic-light judgement of a key question, with its reason.

    :raises AssessmentError: no reason given.
    """
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
        card = board.create_card(org, kind=kind, title=_line(title), user=user, description=description,
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
