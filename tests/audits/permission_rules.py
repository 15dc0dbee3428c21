"""The audits routes' rules in the permission matrix (tests/test_permissions.py imports this module).

Facilitators build the programme's templates; an organisation's team members and the facilitators run its
audits (start one, add and score cases, record findings, put an area for improvement on the board); viewers
read its audits, their cases and results.
"""

import io
from datetime import date

from sqlalchemy import select

from tests.test_permissions import IDS_EXTENSIONS, TARGETS, Target, date_parts, org_b
from tracker.audits import services
from tracker.audits.models import Audit, AuditCase, AuditFinding, AuditFindingCard, AuditImport, FindingKind
from tracker.extensions import db


def extend(ids, world) -> None:
    """A template of the programme, and organisation B's audit of it with one case and three findings
    (two areas for improvement, since team B and the facilitator may each put one on the board)."""
    template = services.load_seed_template(world.programme)
    audit = services.start_audit(world.org_b, template, title="Audit of B", started_on=date(2021, 8, 18),
                                 attributes=services.SEED_ATTRIBUTES)
    case = services.add_case(audit, reference="B-1")
    for n in range(2):
        services.add_finding(audit, FindingKind.IMPROVEMENT, f"Area for improvement {n}")
    services.add_finding(audit, FindingKind.POSITIVE, "Positive of B")
    db.session.commit()
    ids.audit_template = template.id
    ids.audit_template_stage = template.stages[0].id
    ids.audit_template_element = template.stages[0].elements[0].id
    ids.audit_b, ids.audit_case_b = audit.id, case.id
    ids.audit_elements_b = [e.id for e in services.elements_of(audit)]
    pending = AuditImport(audit_id=audit.id, user_id=world.team_b.id, filename="cases.csv",
                          rows=[{"row": 2, "reference": "B-2", "case_type": "Section 66", "household": "",
                                 "outcome": "", "year": "", "notes": "", "scores": {}}])
    db.session.add(pending)
    db.session.commit()
    ids.audit_import_b = pending.id
    # Parts to change, move and remove: stage 1's first element; stage 2's PHP element's first of three items.
    ids.audit_template_item = template.stages[1].elements[2].items[0].id
    # Two of each to remove, since team B and the facilitator both may (each removes the latest one left).
    for n in range(2):
        services.add_case(audit, reference=f"Spare-{n}")
        services.add_finding(audit, FindingKind.POSITIVE, f"Spare positive {n}")
        spare = services.start_audit(world.org_b, template, title=f"Spare audit of B {n}",
                                     started_on=date(2022, 8, 18))
        services.add_finding(spare, FindingKind.IMPROVEMENT, f"Spare area {n}")
    db.session.commit()


IDS_EXTENSIONS.append(extend)


def _free_finding(w) -> int:
    """An area for improvement of B's audit not yet on the board."""
    db.session.rollback()
    carded = select(AuditFindingCard.finding_id)
    return db.session.scalar(select(AuditFinding.id).where(
        AuditFinding.audit_id == w.audit_b, AuditFinding.kind == FindingKind.IMPROVEMENT,
        AuditFinding.id.not_in(carded)).order_by(AuditFinding.id))


def _latest(w, column, *where) -> int:
    db.session.rollback()
    return db.session.scalar(select(column).where(*where).order_by(column.desc()).limit(1))


def _spare_case(w) -> int:
    return _latest(w, AuditCase.id, AuditCase.audit_id == w.audit_b, AuditCase.reference.like("Spare-%"))


def _spare_finding(w) -> int:
    return _latest(w, AuditFinding.id, AuditFinding.audit_id == w.audit_b, AuditFinding.text.like("Spare positive%"))


def _spare_audit(w) -> int:
    return _latest(w, Audit.id, Audit.title.like("Spare audit of B%"))


def _scores(w) -> dict:
    data = {f"score-{element_id}": "1" for element_id in w.audit_elements_b}
    data["notes"] = w.fresh("Case notes")
    return data


def _details(w) -> dict:
    return {"title": w.fresh("Audit"), "started_on": date_parts(18, 8, 2021), "case_types": "Section 66"}


TARGETS.update({
    "audits.templates": Target("programme_manage", lambda w: {"slug": w.slug},
                               lambda w: {"name": w.fresh("Template")}),
    "audits.add_seed_template": Target("programme_manage_post", lambda w: {"slug": w.slug}, lambda w: {}),
    "audits.template": Target("programme_manage", lambda w: {"template_id": w.audit_template}),
    "audits.add_stage": Target("programme_manage_post", lambda w: {"template_id": w.audit_template},
                               lambda w: {"stage-title": w.fresh("Stage")}),
    "audits.add_element": Target("programme_manage_post", lambda w: {"stage_id": w.audit_template_stage},
                                 lambda w: {f"element-{w.audit_template_stage}-title": w.fresh("Element"),
                                            f"element-{w.audit_template_stage}-max_score": "2"}),
    "audits.add_item": Target("programme_manage_post", lambda w: {"element_id": w.audit_template_element},
                              lambda w: {f"item-{w.audit_template_element}-text": w.fresh("Item")}),
    "audits.org_audits": Target("org_view", org_b),
    "audits.new_audit": Target("org_edit", org_b, lambda w: {**_details(w), "template": str(w.audit_template)}),
    "audits.audit": Target("org_view", lambda w: {"audit_id": w.audit_b}),
    "audits.edit_audit": Target("org_edit", lambda w: {"audit_id": w.audit_b}, _details),
    "audits.new_case": Target("org_edit", lambda w: {"audit_id": w.audit_b},
                              lambda w: {"reference": w.fresh("B")}),
    # A case: its readers read it (no form), its editors score it.
    "audits.case": Target("org_view_edit", lambda w: {"case_id": w.audit_case_b}, _scores),
    "audits.results": Target("org_view", lambda w: {"audit_id": w.audit_b}),
    "audits.export": Target("org_view", lambda w: {"audit_id": w.audit_b, "fmt": "xlsx"}),
    "audits.findings": Target("org_view_edit", lambda w: {"audit_id": w.audit_b},
                              lambda w: {"kind": "positive", "text": w.fresh("Positive")}),
    # Importing cases: the audit's editors upload; an upload waiting for its confirmation is its uploader's.
    "audits.import_cases": Target("org_edit", lambda w: {"audit_id": w.audit_b}, lambda w: {"file": (
        io.BytesIO(f"Case reference,Case type\n{w.fresh('B')},Section 73\n".encode()), "cases.csv")}),
    "audits.import_preview": Target("uploader_b", lambda w: {"import_id": w.audit_import_b}),
    "audits.import_confirm": Target("uploader_b", lambda w: {"import_id": w.audit_import_b}, lambda w: {}),
    "audits.finding_card": Target("org_edit_post", lambda w: {"finding_id": _free_finding(w)},
                                  lambda w: {"lane": "quick_win"}),
    # Changing a template's parts, moving them, removing them (after a confirmation page): facilitators.
    "audits.edit_stage": Target("programme_manage", lambda w: {"stage_id": w.audit_template_stage},
                                lambda w: {"title": w.fresh("Stage")}),
    "audits.edit_element": Target("programme_manage", lambda w: {"element_id": w.audit_template_element},
                                  lambda w: {"title": w.fresh("Element"), "max_score": "3"}),
    "audits.edit_item": Target("programme_manage", lambda w: {"item_id": w.audit_template_item},
                               lambda w: {"text": w.fresh("Item")}),
    "audits.move_stage": Target("programme_manage_post", lambda w: {"stage_id": w.audit_template_stage},
                                lambda w: {"direction": "down"}),
    "audits.move_element": Target("programme_manage_post", lambda w: {"element_id": w.audit_template_element},
                                  lambda w: {"direction": "down"}),
    "audits.move_item": Target("programme_manage_post", lambda w: {"item_id": w.audit_template_item},
                               lambda w: {"direction": "down"}),
    "audits.remove_stage": Target("programme_manage", lambda w: {"stage_id": w.audit_template_stage},
                                  lambda w: {}),
    "audits.remove_element": Target("programme_manage", lambda w: {"element_id": w.audit_template_element},
                                    lambda w: {}),
    "audits.remove_item": Target("programme_manage", lambda w: {"item_id": w.audit_template_item}, lambda w: {}),
    # Removing a case, a finding not on the board, a whole audit: the audit's editors, after a confirmation.
    "audits.remove_case": Target("org_edit", lambda w: {"case_id": _spare_case(w)}, lambda w: {}),
    "audits.remove_finding": Target("org_edit", lambda w: {"finding_id": _spare_finding(w)}, lambda w: {}),
    "audits.remove_audit": Target("org_edit", lambda w: {"audit_id": _spare_audit(w)}, lambda w: {}),
})
