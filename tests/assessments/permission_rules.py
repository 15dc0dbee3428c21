"""The assessments routes' rules in the permission matrix (tests/test_permissions.py imports this module).

Everyone in the programme reads its toolkits; only facilitators change them. An assessment belongs to its
organisation: its readers (viewers, the team, facilitators) see it; its team members and facilitators
start it, gather evidence and judge; nobody else even learns it exists.
"""

from sqlalchemy import select

from tests.assessments.conftest import make_assessment, make_toolkit
from tests.test_permissions import IDS_EXTENSIONS, TARGETS, Target, org_b
from tracker.assessments import services
from tracker.assessments.models import (
    Assessment,
    AssessmentQuestion,
    EvidenceKind,
    EvidenceRecord,
    EvidenceTask,
    Judgement,
    ToolkitHeadline,
    ToolkitQuestion,
    ToolkitSection,
)
from tracker.extensions import db


def extend(ids, world) -> None:
    """The programme's starter toolkit, and organisation B's assessment against it: its first key question
    judged red (it may become an improvement action), one task in its evidence schedule."""
    toolkit = make_toolkit(world.programme)
    assessment = make_assessment(world.org_b, toolkit, title="Assessment of B", coordinator=world.team_b,
                                 team=[world.team_b])
    tree = services.load_assessment_tree(assessment.id)
    first, second, _third = services.questions_of(tree)
    services.judge(first, judgement=Judgement.RED, reason="No interpreters", user=world.team_b)
    task = services.add_task(assessment, kind=EvidenceKind.DOCUMENTS, description="Examine the leaflets",
                             assignee=world.team_b, due_on=None)
    record = services.add_evidence(second, kind=EvidenceKind.DOCUMENTS, source="Leaflets of B", found="Found",
                                   evidence="Evidence in full of B", author=world.team_b)
    for n in range(3):  # each permitted removal takes the next spare
        services.add_evidence(second, kind=EvidenceKind.DOCUMENTS, source=f"Spare evidence of B {n}", found="Found",
                              evidence="Spare evidence in full", author=world.team_b)
        services.add_task(assessment, kind=EvidenceKind.DOCUMENTS, description=f"Spare task of B {n}",
                          assignee=world.team_b, due_on=None)
    db.session.commit()
    section = toolkit.sections[0]
    headline = section.headlines[0]
    for n in range(3):  # spares to remove (added after the assessment started: it has no copy of them)
        services.add_section(toolkit, ref="", title=f"Spare section {n}")
        services.add_headline(section, ref="", text=f"Spare headline {n}")
        services.add_question(headline, ref="", text=f"Spare key question {n}")
    db.session.commit()
    ids.assessment_evidence_b = record.id
    ids.toolkit, ids.toolkit_section, ids.toolkit_headline = toolkit.id, section.id, headline.id
    ids.toolkit_question = headline.questions[0].id
    ids.assessment_b, ids.assessment_question_red_b, ids.assessment_question_b = assessment.id, first.id, second.id
    ids.assessment_task_b = task.id


IDS_EXTENSIONS.append(extend)


def _other_coordinator(w) -> dict:
    """The coordinator swapped between team B and the facilitator, so every permitted post changes it."""
    db.session.rollback()
    current = db.session.scalar(select(Assessment.coordinator_id).where(Assessment.id == w.assessment_b))
    other = w.users["facilitator"] if current == w.users["team_b"] else w.users["team_b"]
    return {"coordinator": str(other), "team": [str(w.users["team_b"])]}


def _toggle_task(w) -> dict:
    db.session.rollback()
    done = db.session.scalar(select(EvidenceTask.is_done).where(EvidenceTask.id == w.assessment_task_b))
    return {"done": "" if done else "y"}


def _spare(model, column, prefix: str) -> int:
    """The first spare (``<prefix> n``) still there."""
    db.session.rollback()
    found = db.session.scalar(select(model.id).where(column.like(f"{prefix} %")).order_by(model.id))
    db.session.rollback()
    return found


def _first(model, parent_column, parent_id: int) -> int:
    """Whichever item is shown first under its parent now (moving it down always changes the order)."""
    db.session.rollback()
    found = db.session.scalar(select(model.id).where(parent_column == parent_id).order_by(model.position, model.id))
    db.session.rollback()
    return found


def _judgement(w) -> dict:
    """A new judgement, posted from a page showing the current one (so it is not refused as stale)."""
    db.session.rollback()
    seen = services.judgement_seen(db.session.get(AssessmentQuestion, w.assessment_question_b))
    db.session.rollback()
    return {"judgement": "amber", "reason": w.fresh("Hacked reason"), "seen": seen}


def _toolkit(w) -> dict:
    return {"toolkit_id": w.toolkit}


def _assessment(w) -> dict:
    return {"assessment_id": w.assessment_b}


TARGETS.update({
    "assessments.toolkits": Target("programme_view", lambda w: {"slug": w.slug}),
    "assessments.new_toolkit": Target("programme_manage", lambda w: {"slug": w.slug},
                                      lambda w: {"title": w.fresh("Hacked toolkit")}),
    "assessments.toolkit": Target("programme_view", _toolkit),
    "assessments.new_section": Target("programme_manage", _toolkit, lambda w: {"ref": "Z", "title": w.fresh("Hacked")}),
    "assessments.edit_section": Target("programme_manage", lambda w: {"section_id": w.toolkit_section},
                                       lambda w: {"ref": "A1", "title": w.fresh("Hacked section")}),
    "assessments.new_headline": Target("programme_manage", lambda w: {"section_id": w.toolkit_section},
                                       lambda w: {"text": w.fresh("Hacked headline")}),
    "assessments.edit_headline": Target("programme_manage", lambda w: {"headline_id": w.toolkit_headline},
                                        lambda w: {"ref": "A1.1", "text": w.fresh("Hacked headline")}),
    "assessments.new_question": Target("programme_manage", lambda w: {"headline_id": w.toolkit_headline},
                                       lambda w: {"text": w.fresh("Hacked key question")}),
    "assessments.edit_question": Target("programme_manage", lambda w: {"question_id": w.toolkit_question},
                                        lambda w: {"text": w.fresh("Hacked key question"), "documents": "Plans"}),
    "assessments.assessments": Target("org_view", org_b),
    "assessments.new_assessment": Target("org_edit", org_b, lambda w: {
        "toolkit": str(w.toolkit), "title": w.fresh("Hacked assessment")}),
    "assessments.assessment": Target("org_view", _assessment),
    "assessments.team": Target("org_edit", _assessment, _other_coordinator),
    "assessments.schedule": Target("org_view", _assessment),
    "assessments.new_task": Target("org_edit", _assessment, lambda w: {
        "kind": "interviews", "description": w.fresh("Hacked task")}),
    "assessments.task_done": Target("org_edit_post", lambda w: {"task_id": w.assessment_task_b}, _toggle_task),
    "assessments.question": Target("org_view_edit", lambda w: {"question_id": w.assessment_question_b}, _judgement),
    "assessments.edit_evidence": Target("org_edit", lambda w: {"record_id": w.assessment_evidence_b}, lambda w: {
        "kind": "interviews", "source": "Leaflets", "found": "Found", "evidence": w.fresh("Hacked evidence")}),
    "assessments.delete_evidence": Target("org_edit", lambda w: {"record_id": _spare(
        EvidenceRecord, EvidenceRecord.source, "Spare evidence of B")}, lambda w: {}),
    "assessments.edit_task": Target("org_edit", lambda w: {"task_id": w.assessment_task_b}, lambda w: {
        "kind": "documents", "description": w.fresh("Hacked task")}),
    "assessments.delete_task": Target("org_edit", lambda w: {"task_id": _spare(
        EvidenceTask, EvidenceTask.description, "Spare task of B")}, lambda w: {}),
    "assessments.delete_section": Target("programme_manage", lambda w: {"section_id": _spare(
        ToolkitSection, ToolkitSection.title, "Spare section")}, lambda w: {}),
    "assessments.delete_headline": Target("programme_manage", lambda w: {"headline_id": _spare(
        ToolkitHeadline, ToolkitHeadline.text, "Spare headline")}, lambda w: {}),
    "assessments.delete_question": Target("programme_manage", lambda w: {"question_id": _spare(
        ToolkitQuestion, ToolkitQuestion.text, "Spare key question")}, lambda w: {}),
    "assessments.move_section": Target("programme_manage_post", lambda w: {"section_id": _first(
        ToolkitSection, ToolkitSection.toolkit_id, w.toolkit)}, lambda w: {"direction": "down"}),
    "assessments.move_headline": Target("programme_manage_post", lambda w: {"headline_id": _first(
        ToolkitHeadline, ToolkitHeadline.section_id, w.toolkit_section)}, lambda w: {"direction": "down"}),
    "assessments.move_question": Target("programme_manage_post", lambda w: {"question_id": _first(
        ToolkitQuestion, ToolkitQuestion.headline_id, w.toolkit_headline)}, lambda w: {"direction": "down"}),
    "assessments.new_evidence": Target("org_edit", lambda w: {"question_id": w.assessment_question_b}, lambda w: {
        "kind": "documents", "source": "Leaflets", "found": "Found", "evidence": w.fresh("Hacked evidence in full")}),
    "assessments.report": Target("org_view", _assessment),
    "assessments.report_file": Target("org_view", lambda w: {**_assessment(w), "fmt": "csv"}),
    "assessments.improvement": Target("org_edit", lambda w: {"question_id": w.assessment_question_red_b}, lambda w: {
        "kind": "quick_win", "title": w.fresh("Hacked improvement")}),
})
