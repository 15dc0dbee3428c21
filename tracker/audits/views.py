"""Case file audit pages: the programme's templates (facilitators), an organisation's audits, scoring a case,
the results and their export, and findings that become cards.

Every view loads its object first and decides from that object's own organisation or programme: the
organisation's team members and the programme's facilitators run its audits; viewers read them; only
facilitators build templates.
"""

import re
from datetime import timedelta
from fractions import Fraction

from flask import abort, flash, make_response, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from sqlalchemy import delete, func, select
from sqlalchemy.orm import selectinload

from tracker.accounts.permissions import current_user, login_required
from tracker.audits import bp, chart, exports, imports, services
from tracker.audits import results as scoring
from tracker.audits.forms import (
    AuditDetailsForm,
    CaseForm,
    EditElementForm,
    EditItemForm,
    EditStageForm,
    ElementForm,
    FindingCardForm,
    FindingForm,
    ItemForm,
    NewAuditForm,
    StageForm,
    TemplateForm,
    read_scores,
)
from tracker.audits.models import (
    Answer,
    AttributeKind,
    Audit,
    AuditCase,
    AuditFinding,
    AuditImport,
    AuditTemplate,
    FindingKind,
    TemplateElement,
    TemplateItem,
    TemplateStage,
)
from tracker.board.models import Opportunity
from tracker.board.services import BoardError
from tracker.board.views import load_org
from tracker.core.confirm import ConfirmForm, confirm_page
from tracker.core.db import utcnow
from tracker.core.htmx import render
from tracker.exchange import files
from tracker.exchange.forms import UploadForm
from tracker.extensions import db
from tracker.programmes.permissions import (
    can_edit_org,
    load_programme,
    require_edit_org,
    require_view_org,
)


@bp.app_template_filter("audit_percent")
def audit_percent(value) -> str:
    """A share (a fraction of 1) as a whole percentage, "75%"; "–" when there is none."""
    shown = scoring.percent(value)
    return "–" if shown is None else f"{shown}%"


@bp.app_template_global("audit_fraction")
def audit_fraction(score: int, possible: int):
    return Fraction(score, possible) if possible else None


# --- loading -------------------------------------------------------------------------------------


def load_template(template_id: int) -> AuditTemplate:
    """A template with its stages, elements and items (three more statements, however many there are), for
    its programme's facilitators (404 outside the programme, 403 inside)."""
    template = db.session.scalar(select(AuditTemplate).where(AuditTemplate.id == template_id)
                                 .options(services.template_tree()))
    if template is None:
        abort(404)
    load_programme(template.programme.slug, manage=True)
    return template


def load_audit(audit_id: int, *, edit: bool = False) -> Audit:
    """The audit, checked against its own organisation."""
    audit = db.session.get(Audit, audit_id)
    if audit is None:
        abort(404)
    (require_edit_org if edit else require_view_org)(current_user(), audit.organisation)
    return audit


# --- templates -----------------------------------------------------------------------------------


@bp.route("/programmes/<slug>/audit-templates", methods=["GET", "POST"])
@login_required
def templates(slug: str):
    """The programme's case file audit templates, and a new one (facilitators)."""
    programme = load_programme(slug, manage=True)
    form = TemplateForm()
    if form.validate_on_submit():
        template = services.create_template(programme, form.name.data)
        db.session.commit()
        flash(_("Template added: now add its stages and elements"), "success")
        return redirect(url_for("audits.template", template_id=template.id))
    rows = list(db.session.scalars(select(AuditTemplate).where(AuditTemplate.programme_id == programme.id)
                                   .options(selectinload(AuditTemplate.stages))
                                   .order_by(AuditTemplate.name, AuditTemplate.id)))
    return render_template("audits/templates.html", programme=programme, templates=rows, form=form), \
        422 if form.is_submitted() else 200


@bp.route("/programmes/<slug>/audit-templates/seed", methods=["POST"])
@login_required
def add_seed_template(slug: str):
    """Add a copy of the 27-point housing options template (seed 002's scoring methodology)."""
    programme = load_programme(slug, manage=True)
    template = services.load_seed_template(programme, reuse=False)
    db.session.commit()
    flash(_("Template added"), "success")
    return redirect(url_for("audits.template", template_id=template.id))


def _builder(template: AuditTemplate, *, failed=None, status: int = 200):
    """The template builder page; ``failed`` is the form that was posted with errors (shown again with them)."""
    stage_form = failed if isinstance(failed, StageForm) else StageForm(formdata=None, prefix="stage")
    element_forms, item_forms = {}, {}
    for stage in template.stages:
        key = f"element-{stage.id}"
        element_forms[stage.id] = failed if getattr(failed, "_prefix", "") == key + "-" else \
            ElementForm(formdata=None, prefix=key)
        for element in stage.elements:
            key = f"item-{element.id}"
            item_forms[element.id] = failed if getattr(failed, "_prefix", "") == key + "-" else \
                ItemForm(formdata=None, prefix=key)
    return render_template("audits/template.html", template=template, programme=template.programme,
                           stage_form=stage_form, element_forms=element_forms, item_forms=item_forms,
                           failed=failed, total=services.template_total(template)), status


@bp.route("/audit-templates/<int:template_id>")
@login_required
def template(template_id: int):
    """A template's stages, elements (with their maximum scores) and checklist items, with forms to add more."""
    return _builder(load_template(template_id))


@bp.route("/audit-templates/<int:template_id>/stages", methods=["POST"])
@login_required
def add_stage(template_id: int):
    template = load_template(template_id)
    form = StageForm(prefix="stage")
    if not form.validate():
        return _builder(template, failed=form, status=422)
    services.add_stage(template, form.title.data)
    db.session.commit()
    flash(_("Stage added"), "success")
    return redirect(url_for("audits.template", template_id=template.id))


@bp.route("/audit-template-stages/<int:stage_id>/elements", methods=["POST"])
@login_required
def add_element(stage_id: int):
    stage = db.session.get(TemplateStage, stage_id) or abort(404)
    template = load_template(stage.template_id)
    form = ElementForm(prefix=f"element-{stage.id}")
    if not form.validate():
        return _builder(template, failed=form, status=422)
    services.add_element(stage, form.title.data, form.max_score.data)
    db.session.commit()
    flash(_("Element added"), "success")
    return redirect(url_for("audits.template", template_id=template.id, _anchor=f"stage-{stage.id}"))


@bp.route("/audit-template-elements/<int:element_id>/items", methods=["POST"])
@login_required
def add_item(element_id: int):
    element = db.session.get(TemplateElement, element_id) or abort(404)
    template = load_template(element.stage.template_id)
    form = ItemForm(prefix=f"item-{element.id}")
    if not form.validate():
        return _builder(template, failed=form, status=422)
    services.add_item(element, form.text.data)
    db.session.commit()
    flash(_("Checklist item added"), "success")
    return redirect(url_for("audits.template", template_id=template.id, _anchor=f"element-{element.id}"))


# --- audits --------------------------------------------------------------------------------------


@bp.route("/programmes/<slug>/<org_slug>/audits")
@login_required
def org_audits(slug: str, org_slug: str):
    """An organisation's case file audits, first (the baseline) to last."""
    org = load_org(slug, org_slug)
    return render_template("audits/org_audits.html", org=org, programme=org.programme,
                           audits=services.audits_of(org), can_edit=can_edit_org(current_user(), org))


def _lists_from(form: AuditDetailsForm) -> dict[AttributeKind, list[tuple[str, str]]]:
    return {kind: services.parse_attributes(getattr(form, name).data or "", grouped=kind == AttributeKind.OUTCOME)
            for kind, name in AuditDetailsForm.LISTS.items()}


def _field_error(form, error: services.AuditError) -> None:
    field = getattr(form, error.field or "", None) or form.title
    field.errors = [*field.errors, str(error)]


@bp.route("/programmes/<slug>/<org_slug>/audits/new", methods=["GET", "POST"])
@login_required
def new_audit(slug: str, org_slug: str):
    """Start an audit of the organisation from one of the programme's templates."""
    org = load_org(slug, org_slug, edit=True)
    choices = list(db.session.scalars(select(AuditTemplate).where(AuditTemplate.programme_id == org.programme_id)
                                      .order_by(AuditTemplate.name, AuditTemplate.id)))
    form = NewAuditForm(templates=choices)
    if request.method == "GET":
        for kind, name in AuditDetailsForm.LISTS.items():
            getattr(form, name).data = services.attributes_text(services.SEED_ATTRIBUTES[kind])
        if len(choices) == 1:
            form.template.data = str(choices[0].id)
    if form.validate_on_submit():
        template = next((t for t in choices if str(t.id) == form.template.data), None)
        try:
            if template is None:
                raise services.AuditError(_("Choose a template"), "template")
            audit = services.start_audit(org, template, title=form.title.data, started_on=form.started_on.data,
                                         ended_on=form.ended_on.data, auditors=form.auditors.data or "",
                                         attributes=_lists_from(form))
        except services.AuditError as error:
            _field_error(form, error)
        else:
            db.session.commit()
            flash(_("Audit started: add the cases in the sample"), "success")
            return redirect(url_for("audits.audit", audit_id=audit.id))
    return render_template("audits/new_audit.html", form=form, org=org, programme=org.programme,
                           templates=choices), 422 if form.is_submitted() else 200


@bp.route("/audits/<int:audit_id>")
@login_required
def audit(audit_id: int):
    """An audit: its details, and the cases in the sample with each case's % of possible score."""
    audit = load_audit(audit_id)
    attributes = services.attributes_of(audit)
    labels = {a.id: a.label for values in attributes.values() for a in values}
    return render_template("audits/audit.html", audit=audit, org=audit.organisation, programme=audit.programme,
                           cases=services.cases_of(audit), labels=labels, attributes=attributes,
                           total=sum(e.max_score for e in services.elements_of(audit)),
                           can_edit=can_edit_org(current_user(), audit.organisation))


@bp.route("/audits/<int:audit_id>/edit", methods=["GET", "POST"])
@login_required
def edit_audit(audit_id: int):
    """Change an audit's details and its sample's attribute lists."""
    audit = load_audit(audit_id, edit=True)
    form = AuditDetailsForm(obj=audit)
    if request.method == "GET":
        for kind, name in AuditDetailsForm.LISTS.items():
            getattr(form, name).data = services.attributes_text(
                [(a.label, a.group) for a in services.attributes_of(audit)[kind]])
    if form.validate_on_submit():
        try:
            services.update_audit(audit, title=form.title.data, started_on=form.started_on.data,
                                  ended_on=form.ended_on.data, auditors=form.auditors.data or "")
        except services.AuditError as error:
            _field_error(form, error)
        else:
            for kind, values in _lists_from(form).items():
                services.set_attributes(audit, kind, values)
            db.session.commit()
            flash(_("Audit saved"), "success")
            return redirect(url_for("audits.audit", audit_id=audit.id))
    return render_template("audits/edit_audit.html", form=form, audit=audit, org=audit.organisation,
                           programme=audit.programme), 422 if form.is_submitted() else 200


@bp.route("/audits/<int:audit_id>/cases/new", methods=["GET", "POST"])
@login_required
def new_case(audit_id: int):
    """Add a case to the sample (its reference and attributes), then score it."""
    audit = load_audit(audit_id, edit=True)
    form = CaseForm(attributes=services.attributes_of(audit))
    if form.validate_on_submit():
        case = services.add_case(audit, reference=form.reference.data or "",
                                 **{kind.value: value for kind, value in form.chosen().items()})
        db.session.commit()
        flash(_("Case %(n)s added", n=case.number), "success")
        if request.form.get("then") == "another":
            return redirect(url_for("audits.new_case", audit_id=audit.id))
        return redirect(url_for("audits.case", case_id=case.id))
    return render_template("audits/new_case.html", form=form, audit=audit, org=audit.organisation,
                           programme=audit.programme), 422 if form.is_submitted() else 200


@bp.route("/audit-cases/<int:case_id>", methods=["GET", "POST"])
@login_required
def case(case_id: int):
    """Score a case: every element at once (a score or not applicable), its checklist, attributes and notes.

    The totals update as people type (htmx asks this page for its ``totals`` block with the form's values);
    without JavaScript they are worked out when the form is saved. The organisation's readers who may not
    change it read the case: its scores, checklist answers, attributes and notes, with no form.
    """
    case = db.session.get(AuditCase, case_id) or abort(404)
    audit = load_audit(case.audit_id, edit=request.method == "POST")
    can_edit = can_edit_org(current_user(), audit.organisation)
    elements, items = services.elements_of(audit), services.items_of(audit)
    attributes = services.attributes_of(audit)
    status = 200
    if request.method == "POST":
        entry = read_scores(request.form, elements, items, attributes)
        if not entry.errors:
            try:
                services.score_case(case, scores=entry.scores, answers=entry.answers, notes=entry.notes,
                                    attributes=entry.attributes)
            except services.AuditError as error:
                entry.errors.append((error.field or "notes", str(error)))
            else:
                db.session.commit()
                flash(_("Case %(n)s saved: %(score)s out of %(possible)s", n=case.number, score=case.score,
                        possible=case.possible), "success")
                following = services.next_case(case) if request.form.get("then") == "next" else None
                if following is not None:
                    return redirect(url_for("audits.case", case_id=following.id))
                return redirect(url_for("audits.audit", audit_id=audit.id, _anchor=f"case-{case.id}"))
        status = 422
    elif request.args and can_edit:
        entry = read_scores(request.args, elements, items, attributes, partial=True)
    else:
        scores, answers = services.scores_of(case)
        entry = read_scores({}, elements, items, attributes, partial=True)
        entry.scores = dict(scores)
        entry.na = {k for k, v in scores.items() if v is None}
        entry.raw = {k: "" if v is None else str(v) for k, v in scores.items()}
        entry.answers = dict(answers)
        entry.attributes = {kind: next((a for a in attributes[kind] if a.id == getattr(case, column)), None)
                            for kind, column in CASE_COLUMNS.items()}
        entry.notes = case.notes
    score, possible = services.case_total(elements, entry.scores)
    stages = [(stage, services.case_total([e for e in elements if e.stage_id == stage.id], entry.scores))
              for stage in audit.stages]
    following = services.next_case(case)
    return render("audits/case.html", "totals", case=case, audit=audit, org=audit.organisation,
                  programme=audit.programme, elements=elements, items=items, attributes=attributes, entry=entry,
                  score=score, possible=possible, stages=stages, following=following,
                  items_by_element=_items_by_element(items), shows_error_summary=bool(entry.errors),
                  kind_labels={kind.value: kind.label for kind in AttributeKind}, Answer=Answer,
                  can_edit=can_edit), status


CASE_COLUMNS = {AttributeKind.CASE_TYPE: "case_type_id", AttributeKind.HOUSEHOLD: "household_id",
                AttributeKind.OUTCOME: "outcome_id", AttributeKind.YEAR: "year_id"}


def _items_by_element(items):
    grouped = {}
    for item in items:
        grouped.setdefault(item.element_id, []).append(item)
    return grouped


# --- results -------------------------------------------------------------------------------------


@bp.route("/audits/<int:audit_id>/results")
@login_required
def results(audit_id: int):
    """The audit's results as seed 002 presents them, each figure with how it is computed, and the change
    since the organisation's baseline audit."""
    audit = load_audit(audit_id)
    figures = scoring.compute(audit)
    baseline = services.baseline_of(audit)
    changes = scoring.compare(scoring.compute(baseline), figures) if baseline else None
    charts = {"ranges": chart.build([(label, figures.share_of(count)) for label, count in figures.ranges]),
              "stages": chart.build([(stage.label, stage.share) for stage in figures.stages])}
    return render_template("audits/results.html", audit=audit, org=audit.organisation, programme=audit.programme,
                           figures=figures, baseline=baseline, changes=changes, groups=scoring.GROUPS, charts=charts,
                           findings=services.findings_of(audit), FindingKind=FindingKind)


def _filename(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")[:80] or "audit"


@bp.route("/audits/<int:audit_id>/results.<any(csv, xlsx):fmt>")
@login_required
def export(audit_id: int, fmt: str):
    """The results as a spreadsheet (.xlsx, one sheet per table) or one .csv of every table in turn."""
    audit = load_audit(audit_id)
    sheets = exports.sheets(audit, scoring.compute(audit))
    if fmt == "xlsx":
        body, mimetype = files.to_xlsx(sheets), files.XLSX_MIMETYPE
    else:
        body, mimetype = files.to_csv(exports.as_one_table(sheets)), files.CSV_MIMETYPE
    response = make_response(body)
    response.headers["Content-Type"] = mimetype
    response.headers["Content-Disposition"] = f'attachment; filename="{_filename(audit.title)}-results.{fmt}"'
    return response


# --- findings ------------------------------------------------------------------------------------


def _opportunities(audit: Audit) -> list[Opportunity]:
    return list(db.session.scalars(select(Opportunity).where(
        Opportunity.organisation_id == audit.organisation_id, Opportunity.archived_dt.is_(None))
        .order_by(Opportunity.number)))


def _findings_page(audit: Audit, form: FindingForm, *, card_form=None, failed_id=None, status=200):
    opportunities = _opportunities(audit)
    return render_template("audits/findings.html", audit=audit, org=audit.organisation, programme=audit.programme,
                           form=form, findings=services.findings_of(audit), cards=services.finding_cards(audit),
                           card_form=card_form or FindingCardForm(formdata=None, opportunities=opportunities),
                           failed_id=failed_id, FindingKind=FindingKind,
                           can_edit=can_edit_org(current_user(), audit.organisation)), status


@bp.route("/audits/<int:audit_id>/findings", methods=["GET", "POST"])
@login_required
def findings(audit_id: int):
    """The audit's positives and areas for improvement; each area for improvement can go onto the board."""
    audit = load_audit(audit_id, edit=request.method == "POST")
    form = FindingForm()
    if form.validate_on_submit():
        services.add_finding(audit, FindingKind(form.kind.data), form.text.data)
        db.session.commit()
        flash(_("Finding added"), "success")
        return redirect(url_for("audits.findings", audit_id=audit.id))
    return _findings_page(audit, form, status=422 if form.is_submitted() else 200)


@bp.route("/audit-findings/<int:finding_id>/card", methods=["POST"])
@login_required
def finding_card(finding_id: int):
    """Make an area for improvement a quick win or an idea on the organisation's board, in one step."""
    finding = db.session.get(AuditFinding, finding_id) or abort(404)
    audit = load_audit(finding.audit_id, edit=True)
    opportunities = _opportunities(audit)
    form = FindingCardForm(opportunities=opportunities)
    if form.validate():
        opportunity = next((o for o in opportunities if str(o.id) == form.lane.data), None)
        try:
            card = services.finding_to_card(finding, opportunity=opportunity, user=current_user())
        except (services.AuditError, BoardError) as error:
            form.lane.errors = [*form.lane.errors, str(error)]
        else:
            db.session.commit()
            flash(_("%(title)s added to the board", title=card.title), "success")
            return redirect(url_for("board.card", card_id=card.id))
    return _findings_page(audit, FindingForm(formdata=None), card_form=form, failed_id=finding.id, status=422)


# --- importing cases -----------------------------------------------------------------------------

#: How long an uploaded file waits for its confirmation.
PENDING_LIFETIME = timedelta(days=1)


@bp.route("/audits/<int:audit_id>/import", methods=["GET", "POST"])
@login_required
def import_cases(audit_id: int):
    """Upload a .csv or .xlsx file of cases; it is read and kept for a preview, nothing else changes."""
    audit = load_audit(audit_id, edit=True)
    form = UploadForm()
    if form.validate_on_submit():
        upload = form.file.data
        try:
            rows = imports.parse(audit, upload.filename or "", upload.read(imports.MAX_BYTES + 1))
        except imports.ImportFileError as error:
            form.file.errors.append(str(error))
        else:
            db.session.execute(delete(AuditImport).where(AuditImport.created_dt < utcnow() - PENDING_LIFETIME))
            pending = AuditImport(audit_id=audit.id, user_id=current_user().id, rows=rows,
                                  filename=(upload.filename or "")[:255])
            db.session.add(pending)
            db.session.commit()
            return redirect(url_for("audits.import_preview", import_id=pending.id))
    return render_template("audits/import.html", form=form, audit=audit, org=audit.organisation,
                           programme=audit.programme, elements=services.elements_of(audit)), \
        422 if form.is_submitted() else 200


def load_import(import_id: int) -> AuditImport:
    """The upload, if it is the signed-in person's own, not expired, and they may still change the audit."""
    pending = db.session.get(AuditImport, import_id)
    if pending is None or pending.user_id != current_user().id or pending.created_dt < utcnow() - PENDING_LIFETIME:
        abort(404)
    load_audit(pending.audit_id, edit=True)
    return pending


def _import_page(pending: AuditImport, *, message: str | None = None, status: int = 200):
    rows = imports.preview(pending.audit, pending.rows)
    audit = pending.audit
    return render_template("audits/import_preview.html", pending=pending, audit=audit, org=audit.organisation,
                           programme=audit.programme, rows=rows, message=message,
                           errors=sum(1 for r in rows if r.errors), shows_error_summary=bool(message)), status


@bp.route("/audit-imports/<int:import_id>")
@login_required
def import_preview(import_id: int):
    """What the file would add, row by row, before anything is added."""
    return _import_page(load_import(import_id))


@bp.route("/audit-imports/<int:import_id>/confirm", methods=["POST"])
@login_required
def import_confirm(import_id: int):
    """Add every row's case, or none when any row has an error."""
    pending = load_import(import_id)
    audit = pending.audit
    try:
        added = imports.commit(audit, pending.rows)
    except imports.ImportFileError as error:
        db.session.rollback()
        return _import_page(load_import(import_id), message=str(error), status=422)
    db.session.delete(pending)
    db.session.commit()
    flash(ngettext("%(num)s case imported", "%(num)s cases imported", added), "success")
    return redirect(url_for("audits.audit", audit_id=audit.id))


# --- changing a template's parts -----------------------------------------------------------------

#: kind → (model, edit form, the id of the template a part belongs to)
PARTS = {
    "stage": (TemplateStage, EditStageForm, lambda p: p.template_id),
    "element": (TemplateElement, EditElementForm, lambda p: p.stage.template_id),
    "item": (TemplateItem, EditItemForm, lambda p: p.element.stage.template_id),
}
#: What a template's part is called: the headings of its pages.
PART_CHANGE = {"stage": _l("Change the stage"), "element": _l("Change the element"),
               "item": _l("Change the checklist item")}
PART_ANCHOR = {"stage": "stage", "element": "element", "item": "element"}


def _load_part(kind: str, part_id: int):
    """The template's stage, element or item, for the template's programme's facilitators."""
    model, _form, template_of = PARTS[kind]
    part = db.session.get(model, part_id) or abort(404)
    return part, load_template(template_of(part))


def _back_to(template: AuditTemplate, kind: str, part) -> str:
    anchor_id = part.element_id if kind == "item" else part.id
    return url_for("audits.template", template_id=template.id, _anchor=f"{PART_ANCHOR[kind]}-{anchor_id}")


def _part_name(kind: str, part) -> str:
    return part.text if kind == "item" else part.title


def _edit_part(kind: str, part_id: int):
    part, template = _load_part(kind, part_id)
    form = PARTS[kind][1](obj=part)
    if form.validate_on_submit():
        try:
            if kind == "stage":
                services.update_stage(part, form.title.data)
            elif kind == "element":
                services.update_element(part, form.title.data, form.max_score.data)
            else:
                services.update_item(part, form.text.data)
        except services.AuditError as error:
            getattr(form, error.field or "title").errors.append(str(error))
        else:
            db.session.commit()
            flash(_("Changes saved"), "success")
            return redirect(_back_to(template, kind, part))
    return render_template("audits/edit_part.html", form=form, template=template, programme=template.programme,
                           heading=PART_CHANGE[kind], back=_back_to(template, kind, part)), \
        422 if form.is_submitted() else 200


@bp.route("/audit-template-stages/<int:stage_id>/edit", methods=["GET", "POST"])
@login_required
def edit_stage(stage_id: int):
    """Change a stage's title (audits already started keep theirs)."""
    return _edit_part("stage", stage_id)


@bp.route("/audit-template-elements/<int:element_id>/edit", methods=["GET", "POST"])
@login_required
def edit_element(element_id: int):
    """Change an element's name and maximum score (audits already started keep theirs)."""
    return _edit_part("element", element_id)


@bp.route("/audit-template-items/<int:item_id>/edit", methods=["GET", "POST"])
@login_required
def edit_item(item_id: int):
    """Change a checklist item's text (audits already started keep theirs)."""
    return _edit_part("item", item_id)


def _move_part(kind: str, part_id: int):
    part, template = _load_part(kind, part_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    try:
        moved = services.move_part(part, request.form.get("direction", ""))
    except services.AuditError:
        abort(400)
    db.session.commit()
    if moved:
        flash(_("Moved up") if request.form.get("direction") == "up" else _("Moved down"), "success")
    return redirect(_back_to(template, kind, part))


@bp.route("/audit-template-stages/<int:stage_id>/move", methods=["POST"])
@login_required
def move_stage(stage_id: int):
    """Move a stage one place up or down (a button each: no JavaScript needed)."""
    return _move_part("stage", stage_id)


@bp.route("/audit-template-elements/<int:element_id>/move", methods=["POST"])
@login_required
def move_element(element_id: int):
    return _move_part("element", element_id)


@bp.route("/audit-template-items/<int:item_id>/move", methods=["POST"])
@login_required
def move_item(item_id: int):
    return _move_part("item", item_id)


def _remove_part(kind: str, part_id: int):
    part, template = _load_part(kind, part_id)
    form = ConfirmForm()
    back = _back_to(template, kind, part)
    if form.validate_on_submit():
        services.remove_part(part)
        db.session.commit()
        flash({"stage": _("Stage removed"), "element": _("Element removed"),
               "item": _("Checklist item removed")}[kind], "success")
        return redirect(url_for("audits.template", template_id=template.id))
    name = _part_name(kind, part)
    heading = {"stage": _("Are you sure you want to remove the stage %(name)s?", name=name),
               "element": _("Are you sure you want to remove the element %(name)s?", name=name),
               "item": _("Are you sure you want to remove the checklist item %(name)s?", name=name)}[kind]
    details = {"stage": [_("Its elements and their checklist items are removed from the template too.")],
               "element": [_("Its checklist items are removed from the template too.")], "item": []}[kind]
    details.append(_("Audits already started from this template keep their own copy: they do not change."))
    return confirm_page(heading=heading, caption=template.name, button=_("Yes, remove it"), cancel=back,
                        form=form, details=details)


@bp.route("/audit-template-stages/<int:stage_id>/remove", methods=["GET", "POST"])
@login_required
def remove_stage(stage_id: int):
    """Remove a stage with its elements and items, after a confirmation page."""
    return _remove_part("stage", stage_id)


@bp.route("/audit-template-elements/<int:element_id>/remove", methods=["GET", "POST"])
@login_required
def remove_element(element_id: int):
    return _remove_part("element", element_id)


@bp.route("/audit-template-items/<int:item_id>/remove", methods=["GET", "POST"])
@login_required
def remove_item(item_id: int):
    return _remove_part("item", item_id)


# --- removing cases, findings and audits ---------------------------------------------------------


@bp.route("/audit-cases/<int:case_id>/remove", methods=["GET", "POST"])
@login_required
def remove_case(case_id: int):
    """Remove a case from the sample, after a confirmation page; the results no longer count it."""
    case = db.session.get(AuditCase, case_id) or abort(404)
    audit = load_audit(case.audit_id, edit=True)
    form = ConfirmForm()
    if form.validate_on_submit():
        services.remove_case(case)
        db.session.commit()
        flash(_("Case %(n)s removed", n=case.number), "success")
        return redirect(url_for("audits.audit", audit_id=audit.id))
    label = _("Case %(n)s", n=case.number) + (f" ({case.reference})" if case.reference else "")
    return confirm_page(heading=_("Are you sure you want to remove %(case)s?", case=label), caption=audit.title,
                        button=_("Yes, remove the case"), cancel=url_for("audits.case", case_id=case.id),
                        form=form, details=[_("Its scores, checklist answers and notes are removed, and the "
                                              "audit's results are worked out without it.")])


@bp.route("/audit-findings/<int:finding_id>/remove", methods=["GET", "POST"])
@login_required
def remove_finding(finding_id: int):
    """Remove a finding that has not become a card, after a confirmation page."""
    finding = db.session.get(AuditFinding, finding_id) or abort(404)
    audit = load_audit(finding.audit_id, edit=True)
    back = url_for("audits.findings", audit_id=audit.id)
    if services.finding_has_card(finding):
        flash(_("This finding is on the board, so it cannot be removed"), "error")
        return redirect(back)
    form = ConfirmForm()
    if form.validate_on_submit():
        try:
            services.remove_finding(finding)
        except services.AuditError as error:
            db.session.rollback()
            flash(str(error), "error")
            return redirect(back)
        db.session.commit()
        flash(_("Finding removed"), "success")
        return redirect(back)
    return confirm_page(heading=_("Are you sure you want to remove the finding %(text)s?", text=finding.text),
                        caption=audit.title, button=_("Yes, remove the finding"), cancel=back, form=form)


@bp.route("/audits/<int:audit_id>/remove", methods=["GET", "POST"])
@login_required
def remove_audit(audit_id: int):
    """Remove a whole audit, after a confirmation page (the organisation's team members and facilitators)."""
    audit = load_audit(audit_id, edit=True)
    org = audit.organisation
    form = ConfirmForm()
    if form.validate_on_submit():
        title = audit.title
        services.remove_audit(audit)
        db.session.commit()
        flash(_("%(title)s removed", title=title), "success")
        return redirect(url_for("audits.org_audits", slug=org.programme.slug, org_slug=org.slug))
    cases = db.session.scalar(select(func.count()).select_from(AuditCase).where(AuditCase.audit_id == audit.id))
    return confirm_page(
        heading=_("Are you sure you want to remove the audit %(title)s?", title=audit.title), caption=org.name,
        button=_("Yes, remove the audit"), cancel=url_for("audits.audit", audit_id=audit.id), form=form,
        details=[ngettext("Its %(num)s case, with its scores, and its findings are removed.",
                          "Its %(num)s cases, with their scores, and its findings are removed.", cases),
                 _("Cards made from its findings stay on the board; they no longer link to the audit.")])
