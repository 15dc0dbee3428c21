"""Templates, audits, cases and findings: the rules of the case file audit, callable without a request.

Services flush, never commit: the view commits once the service has succeeded.
"""

from datetime import date

from flask_babel import gettext as _
from sqlalchemy import delete, func, select
from sqlalchemy.orm import selectinload

from tracker.accounts.models import User
from tracker.audits.models import (
    MAX_SCORE_LIMIT,
    Answer,
    AttributeKind,
    Audit,
    AuditAnswer,
    AuditAttribute,
    AuditCase,
    AuditElement,
    AuditFinding,
    AuditFindingCard,
    AuditImport,
    AuditItem,
    AuditScore,
    AuditStage,
    AuditTemplate,
    FindingKind,
    TemplateElement,
    TemplateItem,
    TemplateStage,
)
from tracker.board import services as board
from tracker.board.models import Card, Kind, Opportunity
from tracker.core.db import utcnow
from tracker.core.locks import lock, relock
from tracker.core.ordering import moved_one_place, renumber
from tracker.core.text import one_line
from tracker.extensions import db
from tracker.programmes.models import Organisation, Programme


class AuditError(ValueError):
    """A rule refused the change; ``field`` names the form field the message belongs beside."""

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.field = field


# --- templates -----------------------------------------------------------------------------------


def create_template(programme: Programme, name: str) -> AuditTemplate:
    template = AuditTemplate(programme=programme, name=name.strip())
    db.session.add(template)
    db.session.flush()
    return template


def add_stage(template: AuditTemplate, title: str) -> TemplateStage:
    stage = TemplateStage(template=template, title=title.strip(), position=len(template.stages))
    db.session.add(stage)
    db.session.flush()
    return stage


def add_element(stage: TemplateStage, title: str, max_score: int) -> TemplateElement:
    """:raises AuditError: a maximum below 1 or above :data:`MAX_SCORE_LIMIT`."""
    if not 1 <= max_score <= MAX_SCORE_LIMIT:
        raise AuditError(_("Maximum score must be between 1 and %(n)s", n=MAX_SCORE_LIMIT), "max_score")
    element = TemplateElement(stage=stage, title=title.strip(), max_score=max_score, position=len(stage.elements))
    db.session.add(element)
    db.session.flush()
    return element


def add_item(element: TemplateElement, text: str) -> TemplateItem:
    item = TemplateItem(element=element, text=one_line(text), position=len(element.items))
    db.session.add(item)
    db.session.flush()
    return item


def template_tree():
    """The loader option that reads a template's stages, their elements and the elements' checklist items
    in one statement each (however many there are), rather than one for each stage and element."""
    return selectinload(AuditTemplate.stages).selectinload(TemplateStage.elements).selectinload(
        TemplateElement.items)


def template_stages(template: AuditTemplate) -> list[TemplateStage]:
    """The template's stages in order, with their elements and items loaded (three statements)."""
    return list(db.session.scalars(select(TemplateStage).where(TemplateStage.template_id == template.id)
                                   .options(selectinload(TemplateStage.elements)
                                            .selectinload(TemplateElement.items))
                                   .order_by(TemplateStage.position, TemplateStage.id)))


def template_total(template: AuditTemplate) -> int:
    return sum(e.max_score for s in template.stages for e in s.elements)


#: Seed 002's scoring methodology (27 points), with checklist items taken from its lowest-scoring elements
#: and its positives. Stored as data in English: a template is the programme's own words once loaded.
SEED_TEMPLATE_NAME = "Housing options case file audit"
SEED_TEMPLATE = [
    ("Facts and requirements established (and local authority duty)", [
        ("Client and household details", 2, []),
        ("Current circumstances", 1, ["Relevant and appropriate summary of situation"]),
        ("Health/ support", 2, ["Support needs for client/household - specific note where these will influence "
                                "ability to retain /acquire accommodation recorded"]),
        ("S68 interim accommodation", 2, ["Interim accommodation suitable for needs"]),
        ("Relevant notification sent", 1, ["Timely S63 letter of decision sent"]),
    ]),
    ("Accurate and appropriate advice and PHP", [
        ("Advice", 1, ["Detailed and thorough notes on system re advice given to customer"]),
        ("Signposting/ referrals", 1, []),
        ("Develop tailored PHP for reasonable and SMART actions to be taken (by both LA and applicant)", 10, [
            "Timescales agreed for actions to take place/any reviews to take place",
            "Record of types of support the client/household needs in order to secure and retain accommodation",
            "Contact details provided for named caseworker or clear instructions of how to contact during the "
            "56 day period",
        ]),
    ]),
    ("Timely and efficient casework", [
        ("Prompt, timely, efficient setting completion and recording of tasks", 4,
         ["Changes of circumstances quickly addressed"]),
        ("Closure/progression at appropriate point", 3,
         ["Evidence that everything that could be was done to help the applicant"]),
    ]),
]

#: Seed 002's baseline sample attribute lists; outcomes other than "Successful" group as "Falling out".
SEED_ATTRIBUTES = {
    AttributeKind.CASE_TYPE: [("Section 66", ""), ("Section 73", "")],
    AttributeKind.HOUSEHOLD: [("Family", ""), ("Single", "")],
    AttributeKind.OUTCOME: [("Successful", ""), ("Application refused", "Falling out"),
                            ("Non-cooperation", "Falling out"), ("Withdrawn", "Falling out"),
                            ("Withdrawn – Loss of contact", "Falling out"), ("Other", "Falling out")],
    AttributeKind.YEAR: [("18/19", ""), ("19/20", ""), ("20/21", "")],
}


def load_seed_template(programme: Programme, *, reuse: bool = True) -> AuditTemplate:
    """The seed's 27-point template for the programme; with ``reuse`` (the demo), the one loaded before if
    there is one, so loading twice changes nothing."""
    existing = db.session.scalar(select(AuditTemplate).where(
        AuditTemplate.programme_id == programme.id, AuditTemplate.name == SEED_TEMPLATE_NAME).limit(1))
    if reuse and existing is not None:
        return existing
    template = create_template(programme, SEED_TEMPLATE_NAME)
    for stage_title, elements in SEED_TEMPLATE:
        stage = add_stage(template, stage_title)
        for title, max_score, items in elements:
            element = add_element(stage, title, max_score)
            for text in items:
                add_item(element, text)
    return template


# --- attribute lists -----------------------------------------------------------------------------


def parse_attributes(text: str, *, grouped: bool = False) -> list[tuple[str, str]]:
    """One value a line; with ``grouped``, "Withdrawn | Falling out" gives the value a group.

    Blank lines and repeats are dropped; each part is cut to the column's length.
    """
    values, seen = [], set()
    for line in (text or "").splitlines():
        label, _bar, group = line.partition("|") if grouped else (line, "", "")
        label, group = " ".join(label.split())[:120], " ".join(group.split())[:120]
        if label and label.casefold() not in seen:
            seen.add(label.casefold())
            values.append((label, group))
    return values


def attributes_text(values: list[tuple[str, str]]) -> str:
    return "\n".join(f"{label} | {group}" if group else label for label, group in values)


def attributes_of(audit: Audit) -> dict[AttributeKind, list[AuditAttribute]]:
    """The audit's attribute lists, in one statement."""
    lists: dict[AttributeKind, list[AuditAttribute]] = {kind: [] for kind in AttributeKind}
    for attribute in db.session.scalars(select(AuditAttribute).where(AuditAttribute.audit_id == audit.id)
                                        .order_by(AuditAttribute.kind, AuditAttribute.position)):
        lists[attribute.kind].append(attribute)
    return lists


def set_attributes(audit: Audit, kind: AttributeKind, values: list[tuple[str, str]]) -> None:
    """Make the audit's list of ``kind`` these values: a value kept by its label keeps its cases; a value
    no longer listed is removed, and its cases keep no value for it."""
    current = {a.label.casefold(): a for a in attributes_of(audit)[kind]}
    for position, (label, group) in enumerate(values):
        attribute = current.pop(label.casefold(), None)
        if attribute is None:
            db.session.add(AuditAttribute(audit_id=audit.id, kind=kind, label=label, group=group, position=position))
        else:
            attribute.label, attribute.group, attribute.position = label, group, position
    for attribute in current.values():
        db.session.delete(attribute)
    db.session.flush()


# --- audits --------------------------------------------------------------------------------------


def start_audit(org: Organisation, template: AuditTemplate, *, title: str, started_on: date,
                ended_on: date | None = None, auditors: str = "",
                attributes: dict[AttributeKind, list[tuple[str, str]]] | None = None) -> Audit:
    """Start an audit of ``org`` from a copy of ``template`` (never a reference to it).

    :raises AuditError: the template belongs to another programme or has no element to score, or the
        audit would end before it starts.
    """
    if template.programme_id != org.programme_id:
        raise AuditError(_("Choose a template of this programme"), "template")
    stages = template_stages(template)
    if not any(stage.elements for stage in stages):
        raise AuditError(_("The template has no elements to score yet: add them in the template first"), "template")
    if ended_on is not None and ended_on < started_on:
        raise AuditError(_("End date must be the same as or after the start date"), "ended_on")
    audit = Audit(programme_id=org.programme_id, organisation=org, template_id=template.id, title=title.strip(),
                  started_on=started_on, ended_on=ended_on, auditors=(auditors or "").strip())
    db.session.add(audit)
    db.session.flush()
    for stage in stages:
        copy = AuditStage(audit=audit, title=stage.title, position=stage.position)
        db.session.add(copy)
        for element in stage.elements:
            element_copy = AuditElement(audit_id=audit.id, stage=copy, title=element.title,
                                        max_score=element.max_score, position=element.position)
            db.session.add(element_copy)
            for item in element.items:
                db.session.add(AuditItem(audit_id=audit.id, element=element_copy, text=item.text,
                                         position=item.position))
    for kind, values in (attributes or {}).items():
        for position, (label, group) in enumerate(values):
            db.session.add(AuditAttribute(audit_id=audit.id, kind=kind, label=label, position=position,
                                          group=group if kind == AttributeKind.OUTCOME else ""))
    db.session.flush()
    return audit


def update_audit(audit: Audit, *, title: str, started_on: date, ended_on: date | None, auditors: str) -> None:
    if ended_on is not None and ended_on < started_on:
        raise AuditError(_("End date must be the same as or after the start date"), "ended_on")
    audit.title, audit.started_on, audit.ended_on = title.strip(), started_on, ended_on
    audit.auditors = auditors.strip()


def elements_of(audit: Audit) -> list[AuditElement]:
    """The audit's elements in stage order, in one statement."""
    return list(db.session.scalars(
        select(AuditElement).join(AuditStage, AuditStage.id == AuditElement.stage_id)
        .where(AuditElement.audit_id == audit.id).order_by(AuditStage.position, AuditElement.position)))


def items_of(audit: Audit) -> list[AuditItem]:
    return list(db.session.scalars(select(AuditItem).where(AuditItem.audit_id == audit.id)
                                   .order_by(AuditItem.element_id, AuditItem.position)))


#: Where a case keeps each of its attributes.
ATTRIBUTE_COLUMNS = {AttributeKind.CASE_TYPE: "case_type_id", AttributeKind.HOUSEHOLD: "household_id",
                     AttributeKind.OUTCOME: "outcome_id", AttributeKind.YEAR: "year_id"}


def _check_attribute(audit: Audit, kind: AttributeKind, attribute: AuditAttribute | None) -> None:
    if attribute is not None and (attribute.audit_id != audit.id or attribute.kind != kind):
        raise AuditError(_("Choose one of this audit's values"), kind.value)


def add_case(audit: Audit, *, reference: str = "", case_type: AuditAttribute | None = None,
             household: AuditAttribute | None = None, outcome: AuditAttribute | None = None,
             year: AuditAttribute | None = None) -> AuditCase:
    """Add a case to the sample, numbered after the last (the audit row is locked while it numbers)."""
    lock_audit(audit)
    for kind, attribute in ((AttributeKind.CASE_TYPE, case_type), (AttributeKind.HOUSEHOLD, household),
                            (AttributeKind.OUTCOME, outcome), (AttributeKind.YEAR, year)):
        _check_attribute(audit, kind, attribute)
    case = AuditCase(audit=audit, number=next_case_number(audit), reference=reference.strip(),
                     case_type_id=case_type.id if case_type else None, household_id=household.id if household else None,
                     outcome_id=outcome.id if outcome else None, year_id=year.id if year else None)
    db.session.add(case)
    db.session.flush()
    return case


def next_case_number(audit: Audit) -> int:
    """The number the audit's next case takes (the caller holds the audit's lock: ``lock_audit``)."""
    return (db.session.scalar(select(func.max(AuditCase.number)).where(AuditCase.audit_id == audit.id)) or 0) + 1


def lock_audit(audit: Audit) -> None:
    """Take the audit's row lock (PostgreSQL) before numbering its cases; SQLite's write lock does this."""
    lock(Audit, audit.id)


def lock_finding(finding: AuditFinding) -> None:
    """Take the finding's row lock (PostgreSQL) before checking whether it is on the board yet, so a second
    request waits for the first to commit and then sees its card."""
    lock(AuditFinding, finding.id)


def scores_of(case: AuditCase) -> tuple[dict[int, int | None], dict[int, Answer]]:
    """The case's scores by element id (``None`` = not applicable) and answers by item id."""
    scores = dict(db.session.execute(select(AuditScore.element_id, AuditScore.score)
                                     .where(AuditScore.case_id == case.id)).all())
    answers = dict(db.session.execute(select(AuditAnswer.item_id, AuditAnswer.answer)
                                      .where(AuditAnswer.case_id == case.id)).all())
    return scores, answers


def case_total(elements: list[AuditElement], scores: dict[int, int | None]) -> tuple[int, int]:
    """(score, possible): not-applicable and unscored elements count in neither."""
    score = possible = 0
    for element in elements:
        value = scores.get(element.id)
        if value is not None:
            score += value
            possible += element.max_score
    return score, possible


def score_case(case: AuditCase, *, scores: dict[int, int | None], answers: dict[int, Answer | None],
               notes: str = "", attributes: dict[AttributeKind, AuditAttribute | None] | None = None) -> None:
    """Record a case's scores (every element: 0 up to its maximum, or ``None`` for not applicable), its
    checklist answers (``None`` = unanswered), notes and attributes; the case then counts in the results.

    Two people saving one case at once take turns on the case's row lock, so it holds one person's whole
    save (scores, answers, notes and total), never a mixture of two.

    :raises AuditError: an element left out, a score outside 0..maximum, an element or item of another audit.
    """
    relock(case)  # before it and its rows are read: they are then the last save's, as committed
    audit = case.audit
    elements = elements_of(audit)
    by_id = {e.id: e for e in elements}
    if set(scores) - set(by_id):
        raise AuditError(_("Score only this audit's elements"))
    for element in elements:
        if element.id not in scores:
            raise AuditError(_("Enter a score for %(element)s, or choose not applicable", element=element.title),
                             f"element-{element.id}")
        value = scores[element.id]
        if value is not None and not 0 <= value <= element.max_score:
            raise AuditError(_("Score for %(element)s must be between 0 and %(max)s", element=element.title,
                               max=element.max_score), f"element-{element.id}")
    item_ids = {i.id for i in items_of(audit)}
    if set(answers) - item_ids:
        raise AuditError(_("Answer only this audit's checklist items"))
    for kind, attribute in (attributes or {}).items():
        _check_attribute(audit, kind, attribute)

    existing_scores = {s.element_id: s for s in db.session.scalars(
        select(AuditScore).where(AuditScore.case_id == case.id))}
    for element_id, value in scores.items():
        row = existing_scores.get(element_id)
        if row is None:
            db.session.add(AuditScore(case_id=case.id, element_id=element_id, score=value))
        else:
            row.score = value
    existing_answers = {a.item_id: a for a in db.session.scalars(
        select(AuditAnswer).where(AuditAnswer.case_id == case.id))}
    for item_id, answer in answers.items():
        row = existing_answers.get(item_id)
        if answer is None:
            if row is not None:
                db.session.delete(row)
        elif row is None:
            db.session.add(AuditAnswer(case_id=case.id, item_id=item_id, answer=answer))
        else:
            row.answer = answer
    for kind, attribute in (attributes or {}).items():
        setattr(case, ATTRIBUTE_COLUMNS[kind], attribute.id if attribute else None)
    case.notes = (notes or "").strip()
    case.score, case.possible = case_total(elements, scores)
    case.scored_dt = utcnow()
    db.session.flush()


def next_case(case: AuditCase) -> AuditCase | None:
    """The case after this one, the first not yet scored preferred ("Save and next case")."""
    later = select(AuditCase).where(AuditCase.audit_id == case.audit_id, AuditCase.number > case.number)
    return (db.session.scalar(later.where(AuditCase.scored_dt.is_(None)).order_by(AuditCase.number))
            or db.session.scalar(select(AuditCase).where(AuditCase.audit_id == case.audit_id,
                                                         AuditCase.scored_dt.is_(None), AuditCase.id != case.id)
                                 .order_by(AuditCase.number))
            or db.session.scalar(later.order_by(AuditCase.number)))


def cases_of(audit: Audit) -> list[AuditCase]:
    return list(db.session.scalars(select(AuditCase).where(AuditCase.audit_id == audit.id)
                                   .order_by(AuditCase.number)))


def audits_of(org: Organisation) -> list[Audit]:
    return list(db.session.scalars(select(Audit).where(Audit.organisation_id == org.id)
                                   .order_by(Audit.started_on, Audit.id)))


def baseline_of(audit: Audit) -> Audit | None:
    """The organisation's first audit (its baseline, the "health check"), when this audit is a later one."""
    first = db.session.scalar(select(Audit).where(Audit.organisation_id == audit.organisation_id)
                              .order_by(Audit.started_on, Audit.id).limit(1))
    return None if first is None or first.id == audit.id else first


# --- findings ------------------------------------------------------------------------------------


def add_finding(audit: Audit, kind: FindingKind, text: str) -> AuditFinding:
    finding = AuditFinding(audit=audit, kind=kind, text=text.strip())
    db.session.add(finding)
    db.session.flush()
    return finding


def findings_of(audit: Audit) -> list[AuditFinding]:
    return list(db.session.scalars(select(AuditFinding).where(AuditFinding.audit_id == audit.id)
                                   .order_by(AuditFinding.kind, AuditFinding.id)))


def finding_cards(audit: Audit) -> dict[int, Card]:
    """The cards made from the audit's findings, by finding id (one statement)."""
    rows = db.session.execute(select(AuditFindingCard.finding_id, Card).join(Card, Card.id == AuditFindingCard.card_id)
                              .join(AuditFinding, AuditFinding.id == AuditFindingCard.finding_id)
                              .where(AuditFinding.audit_id == audit.id)).all()
    return {finding_id: card for finding_id, card in rows}  # noqa: C416


def finding_to_card(finding: AuditFinding, *, opportunity: Opportunity | None, user: User | None) -> Card:
    """Make an area for improvement a quick win (no ``opportunity``) or an idea under ``opportunity`` on the
    audit's organisation's board, linked back to the finding.

    :raises AuditError: a positive, a finding that already has a card.
    :raises tracker.board.services.BoardError: another organisation's or an archived opportunity.
    """
    if finding.kind != FindingKind.IMPROVEMENT:
        raise AuditError(_("Only an area for improvement becomes a quick win or an idea"))
    lock_finding(finding)  # two quick submits: the second waits here, then finds the first one's card
    if db.session.scalar(select(AuditFindingCard.id).where(AuditFindingCard.finding_id == finding.id)):
        raise AuditError(_("This finding is already on the board"))
    # The card's page says where it came from (the sources provider), so nothing is written in one language.
    card = board.create_card(finding.audit.organisation, kind=Kind.QUICK_WIN if opportunity is None else Kind.IDEA,
                             title=finding.text, user=user, opportunity=opportunity)
    db.session.add(AuditFindingCard(finding_id=finding.id, card_id=card.id))
    db.session.flush()
    return card


# --- changing a template (audits already started keep their own copy) ---------------------------


def update_stage(stage: TemplateStage, title: str) -> None:
    stage.title = title.strip()
    db.session.flush()


def update_element(element: TemplateElement, title: str, max_score: int) -> None:
    """:raises AuditError: a maximum below 1 or above :data:`MAX_SCORE_LIMIT`."""
    if not 1 <= max_score <= MAX_SCORE_LIMIT:
        raise AuditError(_("Maximum score must be between 1 and %(n)s", n=MAX_SCORE_LIMIT), "max_score")
    element.title, element.max_score = title.strip(), max_score
    db.session.flush()


def update_item(item: TemplateItem, text: str) -> None:
    item.text = one_line(text)
    db.session.flush()


def _siblings(part) -> list:
    """The stage's, element's or item's siblings (itself included), in their order."""
    if isinstance(part, TemplateStage):
        return list(part.template.stages)
    if isinstance(part, TemplateElement):
        return list(part.stage.elements)
    return list(part.element.items)


def move_part(part, direction: str) -> bool:
    """Move a stage, element or checklist item one place ``"up"`` or ``"down"`` among its siblings; the
    positions are renumbered 0, 1, 2 … (gaps left by removals close). ``False`` when it is already at that end.

    :raises AuditError: a direction other than up or down.
    """
    if direction not in ("up", "down"):
        raise AuditError(_("Choose up or down"))
    moved = moved_one_place(sorted(_siblings(part), key=lambda p: (p.position, p.id)), part, up=direction == "up")
    if moved is None:
        return False
    renumber(moved)
    db.session.flush()
    return True


def remove_part(part) -> None:
    """Remove a stage (with its elements and items), an element (with its items) or an item from its
    template; the rest close up. Audits started from the template keep their copies."""
    parts = [p for p in sorted(_siblings(part), key=lambda p: (p.position, p.id)) if p is not part]
    if isinstance(part, TemplateStage):
        part.template.stages.remove(part)
    elif isinstance(part, TemplateElement):
        part.stage.elements.remove(part)
    else:
        part.element.items.remove(part)
    renumber(parts)
    db.session.flush()


# --- removing cases, findings and audits ---------------------------------------------------------


def remove_case(case: AuditCase) -> None:
    """Remove a case from the sample with its scores and answers: the results are worked out without it.
    The other cases keep their numbers."""
    db.session.execute(delete(AuditScore).where(AuditScore.case_id == case.id))
    db.session.execute(delete(AuditAnswer).where(AuditAnswer.case_id == case.id))
    db.session.delete(case)
    db.session.flush()


def finding_has_card(finding: AuditFinding) -> bool:
    return db.session.scalar(select(AuditFindingCard.id).where(AuditFindingCard.finding_id == finding.id)) is not None


def remove_finding(finding: AuditFinding) -> None:
    """:raises AuditError: the finding has become a card (the card's page says where it came from)."""
    lock_finding(finding)
    if finding_has_card(finding):
        raise AuditError(_("This finding is on the board, so it cannot be removed"))
    db.session.delete(finding)
    db.session.flush()


def remove_audit(audit: Audit) -> None:
    """Remove an audit with everything of its own: cases, scores, answers, findings, lists, its copy of the
    template, uploads waiting. Cards made from its findings stay on the board; they only lose the link."""
    cases = select(AuditCase.id).where(AuditCase.audit_id == audit.id).scalar_subquery()
    findings = select(AuditFinding.id).where(AuditFinding.audit_id == audit.id).scalar_subquery()
    for statement in (delete(AuditScore).where(AuditScore.case_id.in_(cases)),
                      delete(AuditAnswer).where(AuditAnswer.case_id.in_(cases)),
                      delete(AuditCase).where(AuditCase.audit_id == audit.id),
                      delete(AuditFindingCard).where(AuditFindingCard.finding_id.in_(findings)),
                      delete(AuditFinding).where(AuditFinding.audit_id == audit.id),
                      delete(AuditImport).where(AuditImport.audit_id == audit.id),
                      delete(AuditAttribute).where(AuditAttribute.audit_id == audit.id),
                      delete(AuditItem).where(AuditItem.audit_id == audit.id),
                      delete(AuditElement).where(AuditElement.audit_id == audit.id),
                      delete(AuditStage).where(AuditStage.audit_id == audit.id)):
        db.session.execute(statement, execution_options={"synchronize_session": False})
    db.session.expire(audit)
    db.session.execute(delete(Audit).where(Audit.id == audit.id), execution_options={"synchronize_session": False})
    db.session.expunge(audit)
    db.session.flush()
