"""Self-assessment pages: a programme's toolkits and their questions, an organisation's assessments, the
evidence schedule, a key question's evidence and judgement, the overall assessment report (printable,
.csv and .xlsx) and improvement actions onto the action plan.

Every view loads its object first and decides from that object's own programme (a toolkit) or
organisation (an assessment): everyone in the programme reads its toolkits and only facilitators change
them; team members assess their own organisation, facilitators any; viewers read.
"""

import re

from flask import abort, flash, make_response, redirect, render_template, request, url_for
from flask_babel import gettext as _
from sqlalchemy import func, or_, select
from sqlalchemy.orm import selectinload

from tracker.accounts.models import User
from tracker.accounts.permissions import current_user, login_required
from tracker.assessments import bp, services
from tracker.assessments.forms import (
    AssessmentForm,
    EvidenceForm,
    HeadlineForm,
    ImprovementForm,
    JudgementForm,
    QuestionForm,
    SectionForm,
    TaskEditForm,
    TaskForm,
    TeamForm,
    ToolkitForm,
)
from tracker.assessments.models import (
    Assessment,
    AssessmentQuestion,
    EvidenceKind,
    EvidenceRecord,
    EvidenceTask,
    Judgement,
    Toolkit,
    ToolkitHeadline,
    ToolkitQuestion,
    ToolkitSection,
)
from tracker.board.models import Kind, Opportunity
from tracker.core import clock
from tracker.core.confirm import ConfirmForm, confirm_page
from tracker.exchange.files import CSV_MIMETYPE, XLSX_MIMETYPE, to_csv, to_xlsx
from tracker.extensions import db
from tracker.programmes.models import Membership, Organisation
from tracker.programmes.permissions import (
    can_edit_org,
    can_manage_programme,
    can_view_programme,
    load_programme,
    require_edit_org,
    require_view_org,
    visible_organisations,
)

# --- loading, with the permission checks -----------------------------------------------------------------


def _toolkit_access(toolkit: Toolkit | None, manage: bool) -> Toolkit:
    if toolkit is None or not can_view_programme(current_user(), toolkit.programme):
        abort(404)
    if manage and not can_manage_programme(current_user(), toolkit.programme):
        abort(403)
    return toolkit


def _load(model, item_id: int):
    item = db.session.get(model, item_id)
    if item is None:
        abort(404)
    return item


def load_toolkit(toolkit_id: int, *, manage: bool = False) -> Toolkit:
    return _toolkit_access(db.session.get(Toolkit, toolkit_id), manage)


def load_assessment(assessment_id: int, *, edit: bool = False) -> Assessment:
    """The assessment, if the person may see its organisation (404 otherwise; 403 to change it)."""
    assessment = _load(Assessment, assessment_id)
    (require_edit_org if edit else require_view_org)(current_user(), assessment.organisation)
    return assessment


def load_question(question_id: int, *, edit: bool = False) -> AssessmentQuestion:
    question = _load(AssessmentQuestion, question_id)
    load_assessment(question.assessment_id, edit=edit)
    return question


def _org(slug: str, org_slug: str) -> Organisation:
    programme = load_programme(slug)
    org = next((o for o in programme.organisations if o.slug == org_slug), None)
    if org is None:
        abort(404)
    return org


def _people(org: Organisation) -> list[User]:
    """Who may be on the assessment team: the programme's members of this organisation and its programme-wide
    members (facilitators, viewers of every organisation), by name."""
    return list(db.session.scalars(
        select(User).join(Membership, Membership.user_id == User.id)
        .where(Membership.programme_id == org.programme_id,
               or_(Membership.organisation_id == org.id, Membership.organisation_id.is_(None)))
        .order_by(User.name).distinct()))


def _person(people: list[User], value: str | None) -> User | None:
    return next((p for p in people if str(p.id) == value), None)


def _field_error(form, error: services.AssessmentError) -> None:
    field = getattr(form, error.field, None) or next(iter(form))
    field.errors = [*field.errors, str(error)]


def _form_page(form, *, title: str, caption: str, back: str, status: int = 200, intro: str = ""):
    return render_template("assessments/form.html", form=form, title=title, caption=caption, back=back,
                           intro=intro), status


# --- toolkits --------------------------------------------------------------------------------------------


@bp.route("/programmes/<slug>/toolkits")
@login_required
def toolkits(slug: str):
    """The programme's self-assessment toolkits, and the organisations' assessments the person may see."""
    programme = load_programme(slug)
    user = current_user()
    items = list(db.session.scalars(select(Toolkit).where(Toolkit.programme_id == programme.id)
                                    .order_by(Toolkit.title)))
    counts = dict(db.session.execute(
        select(ToolkitSection.toolkit_id, func.count(ToolkitQuestion.id))
        .join(ToolkitHeadline, ToolkitHeadline.section_id == ToolkitSection.id)
        .join(ToolkitQuestion, ToolkitQuestion.headline_id == ToolkitHeadline.id)
        .where(ToolkitSection.toolkit_id.in_([t.id for t in items])).group_by(ToolkitSection.toolkit_id)).all())
    return render_template("assessments/toolkits.html", programme=programme, toolkits=items, counts=counts,
                           organisations=visible_organisations(user, programme),
                           can_manage=can_manage_programme(user, programme))


@bp.route("/programmes/<slug>/toolkits/new", methods=["GET", "POST"])
@login_required
def new_toolkit(slug: str):
    """Add a toolkit (facilitators)."""
    programme = load_programme(slug, manage=True)
    form = ToolkitForm()
    if form.validate_on_submit():
        toolkit = services.create_toolkit(programme, title=form.title.data, description=form.description.data)
        db.session.commit()
        flash(_("Toolkit added"), "success")
        return redirect(url_for("assessments.toolkit", toolkit_id=toolkit.id))
    return _form_page(form, title=_("Add a toolkit"), caption=programme.name,
                      back=url_for("assessments.toolkits", slug=programme.slug),
                      status=422 if form.is_submitted() else 200)


@bp.route("/toolkits/<int:toolkit_id>")
@login_required
def toolkit(toolkit_id: int):
    """A toolkit: its sections, headline and key questions, what to look for and where to gather evidence."""
    toolkit = load_toolkit(toolkit_id)
    tree = services.load_toolkit_tree(toolkit.id)
    return render_template("assessments/toolkit.html", toolkit=tree, programme=toolkit.programme,
                           can_manage=can_manage_programme(current_user(), toolkit.programme))


def _back_to_toolkit(toolkit: Toolkit, anchor: str = "") -> str:
    return url_for("assessments.toolkit", toolkit_id=toolkit.id) + anchor


@bp.route("/toolkits/<int:toolkit_id>/sections/new", methods=["GET", "POST"])
@login_required
def new_section(toolkit_id: int):
    """Add a section to a toolkit (facilitators)."""
    toolkit = load_toolkit(toolkit_id, manage=True)
    form = SectionForm()
    if form.validate_on_submit():
        section = services.add_section(toolkit, ref=form.ref.data, title=form.title.data)
        db.session.commit()
        flash(_("Section added"), "success")
        return redirect(_back_to_toolkit(toolkit, f"#section-{section.id}"))
    return _form_page(form, title=_("Add a section"), caption=toolkit.title, back=_back_to_toolkit(toolkit),
                      status=422 if form.is_submitted() else 200)


@bp.route("/toolkit-sections/<int:section_id>/edit", methods=["GET", "POST"])
@login_required
def edit_section(section_id: int):
    """Change a section's words (assessments already started keep theirs)."""
    section = _load(ToolkitSection, section_id)
    toolkit = _toolkit_access(section.toolkit, True)
    form = SectionForm(obj=section)
    if form.validate_on_submit():
        services.update_item(section, ref=form.ref.data, title=form.title.data)
        db.session.commit()
        flash(_("Section saved"), "success")
        return redirect(_back_to_toolkit(toolkit, f"#section-{section.id}"))
    return _form_page(form, title=_("Change the section"), caption=toolkit.title, back=_back_to_toolkit(toolkit),
                      status=422 if form.is_submitted() else 200, intro=_("Assessments already started keep "
                                                                            "the words they started with."))


@bp.route("/toolkit-sections/<int:section_id>/headlines/new", methods=["GET", "POST"])
@login_required
def new_headline(section_id: int):
    """Add a headline question to a section (facilitators)."""
    section = _load(ToolkitSection, section_id)
    toolkit = _toolkit_access(section.toolkit, True)
    form = HeadlineForm()
    if form.validate_on_submit():
        headline = services.add_headline(section, ref=form.ref.data, text=form.text.data)
        db.session.commit()
        flash(_("Headline question added"), "success")
        return redirect(_back_to_toolkit(toolkit, f"#headline-{headline.id}"))
    return _form_page(form, title=_("Add a headline question"), caption=f"{section.ref} {section.title}".strip(),
                      back=_back_to_toolkit(toolkit), status=422 if form.is_submitted() else 200)


@bp.route("/toolkit-headlines/<int:headline_id>/edit", methods=["GET", "POST"])
@login_required
def edit_headline(headline_id: int):
    """Change a headline question's words."""
    headline = _load(ToolkitHeadline, headline_id)
    toolkit = _toolkit_access(headline.section.toolkit, True)
    form = HeadlineForm(obj=headline)
    if form.validate_on_submit():
        services.update_item(headline, ref=form.ref.data, text=form.text.data)
        db.session.commit()
        flash(_("Headline question saved"), "success")
        return redirect(_back_to_toolkit(toolkit, f"#headline-{headline.id}"))
    return _form_page(form, title=_("Change the headline question"), caption=toolkit.title,
                      back=_back_to_toolkit(toolkit), status=422 if form.is_submitted() else 200,
                      intro=_("Assessments already started keep the words they started with."))


@bp.route("/toolkit-headlines/<int:headline_id>/questions/new", methods=["GET", "POST"])
@login_required
def new_question(headline_id: int):
    """Add a key question under a headline question (facilitators)."""
    headline = _load(ToolkitHeadline, headline_id)
    toolkit = _toolkit_access(headline.section.toolkit, True)
    form = QuestionForm()
    if form.validate_on_submit():
        question = services.add_question(headline, ref=form.ref.data, text=form.text.data,
                                         look_for=form.look_for.data, sources=form.sources())
        db.session.commit()
        flash(_("Key question added"), "success")
        return redirect(_back_to_toolkit(toolkit, f"#question-{question.id}"))
    return _form_page(form, title=_("Add a key question"), caption=f"{headline.ref} {headline.text}".strip(),
                      back=_back_to_toolkit(toolkit), status=422 if form.is_submitted() else 200)


@bp.route("/toolkit-questions/<int:question_id>/edit", methods=["GET", "POST"])
@login_required
def edit_question(question_id: int):
    """Change a key question, what to look for and where to gather evidence."""
    question = _load(ToolkitQuestion, question_id)
    toolkit = _toolkit_access(question.headline.section.toolkit, True)
    form = QuestionForm(obj=question)
    if request.method == "GET":
        form.fill_sources(question.sources)
    if form.validate_on_submit():
        services.update_item(question, ref=form.ref.data, text=form.text.data, look_for=form.look_for.data,
                             sources=form.sources())
        db.session.commit()
        flash(_("Key question saved"), "success")
        return redirect(_back_to_toolkit(toolkit, f"#question-{question.id}"))
    return _form_page(form, title=_("Change the key question"), caption=toolkit.title, back=_back_to_toolkit(toolkit),
                      status=422 if form.is_submitted() else 200,
                      intro=_("Assessments already started keep the words they started with."))


def _toolkit_item(kind: str, item_id: int):
    """A section, headline or key question of a toolkit, and its toolkit (facilitators only)."""
    model = {"section": ToolkitSection, "headline": ToolkitHeadline, "question": ToolkitQuestion}[kind]
    item = _load(model, item_id)
    section = item if kind == "section" else item.section if kind == "headline" else item.headline.section
    return item, _toolkit_access(section.toolkit, True)


def _item_name(kind: str, item) -> str:
    words = item.title if kind == "section" else item.text
    return f"{item.ref} {words}".strip()


def _delete_item(kind: str, item_id: int):
    item, toolkit = _toolkit_item(kind, item_id)
    form = ConfirmForm()
    if form.validate_on_submit():
        services.delete_item(item)
        db.session.commit()
        flash({"section": _("Section removed"), "headline": _("Headline question removed"),
               "question": _("Key question removed")}[kind], "success")
        return redirect(_back_to_toolkit(toolkit))
    headlines, questions = services.count_under(item)
    details = []
    if kind == "section" and headlines:
        details.append(_("Its headline questions (%(headlines)s) and key questions (%(questions)s) go with it.",
                         headlines=headlines, questions=questions))
    elif kind == "headline" and questions:
        details.append(_("Its key questions (%(questions)s) go with it.", questions=questions))
    details.append(_("Assessments already started keep their own copy of the questions, and their evidence and "
                     "judgements."))
    heading = {"section": _("Remove this section?"), "headline": _("Remove this headline question?"),
               "question": _("Remove this key question?")}[kind]
    button = {"section": _("Remove section"), "headline": _("Remove headline question"),
              "question": _("Remove key question")}[kind]
    return confirm_page(heading=heading, caption=_item_name(kind, item), form=form, button=button,
                        cancel=_back_to_toolkit(toolkit, f"#{kind}-{item.id}"), details=details)


def _move_item(kind: str, item_id: int):
    item, toolkit = _toolkit_item(kind, item_id)
    form = ConfirmForm()
    direction = request.form.get("direction", "")
    if form.validate_on_submit() and direction in ("up", "down") and services.move_item(item, up=direction == "up"):
        db.session.commit()
        flash(_("“%(name)s” moved up", name=_item_name(kind, item)) if direction == "up"
              else _("“%(name)s” moved down", name=_item_name(kind, item)), "success")
    return redirect(_back_to_toolkit(toolkit, f"#{kind}-{item.id}"))


@bp.route("/toolkit-sections/<int:section_id>/delete", methods=["GET", "POST"])
@login_required
def delete_section(section_id: int):
    """Remove a section with its questions, after a confirmation page (assessments keep their copy)."""
    return _delete_item("section", section_id)


@bp.route("/toolkit-headlines/<int:headline_id>/delete", methods=["GET", "POST"])
@login_required
def delete_headline(headline_id: int):
    """Remove a headline question with its key questions, after a confirmation page."""
    return _delete_item("headline", headline_id)


@bp.route("/toolkit-questions/<int:question_id>/delete", methods=["GET", "POST"])
@login_required
def delete_question(question_id: int):
    """Remove a key question, after a confirmation page."""
    return _delete_item("question", question_id)


@bp.route("/toolkit-sections/<int:section_id>/move", methods=["POST"])
@login_required
def move_section(section_id: int):
    """Move a section up or down the toolkit."""
    return _move_item("section", section_id)


@bp.route("/toolkit-headlines/<int:headline_id>/move", methods=["POST"])
@login_required
def move_headline(headline_id: int):
    """Move a headline question up or down its section."""
    return _move_item("headline", headline_id)


@bp.route("/toolkit-questions/<int:question_id>/move", methods=["POST"])
@login_required
def move_question(question_id: int):
    """Move a key question up or down its headline question."""
    return _move_item("question", question_id)


# --- assessments -----------------------------------------------------------------------------------------


@bp.route("/programmes/<slug>/<org_slug>/assessments")
@login_required
def assessments(slug: str, org_slug: str):
    """An organisation's self-assessments, newest first, with how far each has got."""
    org = _org(slug, org_slug)
    require_view_org(current_user(), org)
    items = list(db.session.scalars(select(Assessment).where(Assessment.organisation_id == org.id)
                                    .order_by(Assessment.id.desc())))
    rows = db.session.execute(
        select(AssessmentQuestion.assessment_id, AssessmentQuestion.judgement, func.count())
        .where(AssessmentQuestion.assessment_id.in_([a.id for a in items]))
        .group_by(AssessmentQuestion.assessment_id, AssessmentQuestion.judgement)).all()
    progress: dict[int, dict] = {}
    for assessment_id, judgement, n in rows:
        entry = progress.setdefault(assessment_id, {"total": 0, "judged": 0})
        entry["total"] += n
        entry["judged"] += n if judgement else 0
    return render_template("assessments/assessments.html", org=org, programme=org.programme, assessments=items,
                           progress=progress, can_edit=can_edit_org(current_user(), org))


@bp.route("/programmes/<slug>/<org_slug>/assessments/new", methods=["GET", "POST"])
@login_required
def new_assessment(slug: str, org_slug: str):
    """Start a self-assessment of the organisation against one of the programme's toolkits."""
    org = _org(slug, org_slug)
    require_edit_org(current_user(), org)
    available = list(db.session.scalars(select(Toolkit).where(Toolkit.programme_id == org.programme_id)
                                        .order_by(Toolkit.title)))
    people = _people(org)
    form = AssessmentForm(toolkits=available, people=people)
    if request.method == "GET":
        form.coordinator.data = str(current_user().id) if _person(people, str(current_user().id)) else ""
        form.title.data = _("Self-assessment %(year)s", year=clock.today().year)
    if form.validate_on_submit():
        chosen = next(t for t in available if str(t.id) == form.toolkit.data)
        try:
            assessment = services.start_assessment(
                org, chosen, title=form.title.data, coordinator=_person(people, form.coordinator.data),
                team=[p for p in people if str(p.id) in (form.team.data or [])], starts_on=form.starts_on.data)
        except services.AssessmentError as error:
            _field_error(form, error)
        else:
            db.session.commit()
            flash(_("Assessment started"), "success")
            return redirect(url_for("assessments.assessment", assessment_id=assessment.id))
    return _form_page(form, title=_("Start a self-assessment"), caption=org.name,
                      back=url_for("assessments.assessments", slug=org.programme.slug, org_slug=org.slug),
                      status=422 if form.is_submitted() else 200,
                      intro=_("The toolkit’s questions are copied into the assessment: later changes to the toolkit "
                              "do not change it."))


@bp.route("/assessments/<int:assessment_id>")
@login_required
def assessment(assessment_id: int):
    """An assessment: its team, and each key question with its evidence count and judgement (then and now)."""
    assessment = load_assessment(assessment_id)
    tree = services.load_assessment_tree(assessment.id)
    previous = services.previous_assessment(tree)
    questions = services.questions_of(tree)
    return render_template("assessments/assessment.html", assessment=tree, org=tree.organisation,
                           programme=tree.programme, previous=previous,
                           then=services.judgements_then(tree, previous), tally=services.tally(questions),
                           can_edit=can_edit_org(current_user(), tree.organisation))


@bp.route("/assessments/<int:assessment_id>/team", methods=["GET", "POST"])
@login_required
def team(assessment_id: int):
    """Change the coordinator and the assessment team."""
    assessment = load_assessment(assessment_id, edit=True)
    people = _people(assessment.organisation)
    form = TeamForm(people=people)
    if request.method == "GET":
        form.coordinator.data = str(assessment.coordinator_id or "")
        form.team.data = [str(p.id) for p in assessment.team]
    if form.validate_on_submit():
        services.set_team(assessment, coordinator=_person(people, form.coordinator.data),
                          team=[p for p in people if str(p.id) in (form.team.data or [])])
        db.session.commit()
        flash(_("Assessment team saved"), "success")
        return redirect(url_for("assessments.assessment", assessment_id=assessment.id))
    return _form_page(form, title=_("Coordinator and assessment team"), caption=assessment.title,
                      back=url_for("assessments.assessment", assessment_id=assessment.id),
                      status=422 if form.is_submitted() else 200)


@bp.route("/assessments/<int:assessment_id>/schedule")
@login_required
def schedule(assessment_id: int):
    """The evidence schedule: each task, who does it, when it is due, whether it is done."""
    assessment = load_assessment(assessment_id)
    tasks = list(db.session.scalars(select(EvidenceTask).where(EvidenceTask.assessment_id == assessment.id)
                                    .options(selectinload(EvidenceTask.assignee), selectinload(EvidenceTask.question))
                                    .order_by(EvidenceTask.due_on.is_(None), EvidenceTask.due_on, EvidenceTask.id)))
    return render_template("assessments/schedule.html", assessment=assessment, org=assessment.organisation,
                           tasks=tasks, today=clock.today(),
                           can_edit=can_edit_org(current_user(), assessment.organisation))


@bp.route("/assessments/<int:assessment_id>/tasks/new", methods=["GET", "POST"])
@login_required
def new_task(assessment_id: int):
    """Add a task to the evidence schedule, allocated to a member of the assessment team."""
    assessment = load_assessment(assessment_id, edit=True)
    questions = list(db.session.scalars(select(AssessmentQuestion).where(
        AssessmentQuestion.assessment_id == assessment.id).order_by(AssessmentQuestion.id)))
    people = _task_people(assessment)
    form = TaskForm(questions=questions, people=people)
    if form.validate_on_submit():
        services.add_task(assessment, kind=EvidenceKind(form.kind.data), description=form.description.data,
                          assignee=_person(people, form.assignee.data), due_on=form.due_on.data,
                          question=next((q for q in questions if str(q.id) == form.question.data), None))
        db.session.commit()
        flash(_("Task added to the evidence schedule"), "success")
        return redirect(url_for("assessments.schedule", assessment_id=assessment.id))
    return _form_page(form, title=_("Add a task to the evidence schedule"), caption=assessment.title,
                      back=url_for("assessments.schedule", assessment_id=assessment.id),
                      status=422 if form.is_submitted() else 200,
                      intro=_("Tasks go to the coordinator and the assessment team."))


def _task_people(assessment: Assessment) -> list[User]:
    return sorted({p.id: p for p in [*assessment.team, *([assessment.coordinator] if assessment.coordinator else [])]
                   }.values(), key=lambda p: p.name)


@bp.route("/assessment-tasks/<int:task_id>/edit", methods=["GET", "POST"])
@login_required
def edit_task(task_id: int):
    """Change a task of the evidence schedule: what, who, when."""
    task = _load(EvidenceTask, task_id)
    assessment = load_assessment(task.assessment_id, edit=True)
    questions = list(db.session.scalars(select(AssessmentQuestion).where(
        AssessmentQuestion.assessment_id == assessment.id).order_by(AssessmentQuestion.id)))
    people = _task_people(assessment)
    if task.assignee is not None and task.assignee not in people:  # someone since taken off the team keeps it
        people = sorted([*people, task.assignee], key=lambda p: p.name)
    form = TaskEditForm(obj=task if request.method == "GET" else None, questions=questions, people=people)
    if request.method == "GET":
        form.kind.data = task.kind.value
        form.assignee.data = str(task.assignee_id or "")
        form.question.data = str(task.question_id or "")
    if form.validate_on_submit():
        services.update_task(task, kind=EvidenceKind(form.kind.data), description=form.description.data,
                             assignee=_person(people, form.assignee.data), due_on=form.due_on.data,
                             question=next((q for q in questions if str(q.id) == form.question.data), None))
        db.session.commit()
        flash(_("Task saved"), "success")
        return redirect(url_for("assessments.schedule", assessment_id=assessment.id))
    return _form_page(form, title=_("Change the task"), caption=assessment.title,
                      back=url_for("assessments.schedule", assessment_id=assessment.id),
                      status=422 if form.is_submitted() else 200)


@bp.route("/assessment-tasks/<int:task_id>/delete", methods=["GET", "POST"])
@login_required
def delete_task(task_id: int):
    """Remove a task from the evidence schedule, after a confirmation page."""
    task = _load(EvidenceTask, task_id)
    assessment = load_assessment(task.assessment_id, edit=True)
    form = ConfirmForm()
    if form.validate_on_submit():
        services.delete_task(task)
        db.session.commit()
        flash(_("Task removed from the evidence schedule"), "success")
        return redirect(url_for("assessments.schedule", assessment_id=assessment.id))
    return confirm_page(heading=_("Remove this task?"), caption=task.description, form=form,
                        button=_("Remove task"), cancel=url_for("assessments.schedule", assessment_id=assessment.id),
                        details=[_("Evidence already recorded stays.")])


@bp.route("/assessment-tasks/<int:task_id>/done", methods=["POST"])
@login_required
def task_done(task_id: int):
    """Mark a task of the evidence schedule done, or not done."""
    task = _load(EvidenceTask, task_id)
    load_assessment(task.assessment_id, edit=True)
    services.set_task_done(task, request.form.get("done") == "y")
    db.session.commit()
    flash(_("Task marked as done") if task.is_done else _("Task marked as not done"), "success")
    return redirect(url_for("assessments.schedule", assessment_id=task.assessment_id))


@bp.route("/assessment-questions/<int:question_id>", methods=["GET", "POST"])
@login_required
def question(question_id: int):
    """A key question of an assessment: where to gather evidence, the evidence records, and the judgement
    (the form for the team, the judgement as it stands for readers)."""
    question = load_question(question_id)
    assessment = question.assessment
    can_edit = can_edit_org(current_user(), assessment.organisation)
    form = JudgementForm(obj=question if request.method == "GET" else None)
    if request.method == "GET" and question.judgement:
        form.judgement.data = question.judgement.value
    status, stale = 200, False
    if request.method == "POST":
        if not can_edit:
            abort(403)
        status = 422
        if form.validate_on_submit():
            try:
                services.judge(question, judgement=Judgement(form.judgement.data), reason=form.reason.data,
                               strengths=form.strengths.data, improvements=form.improvements.data,
                               user=current_user(), seen=form.seen.data or "")
            except services.StaleJudgement:
                # What was typed stays; the current judgement shows above it, and the form now carries the
                # current one, so saving again means "save mine anyway".
                status, stale = 409, True
            except services.AssessmentError as error:
                _field_error(form, error)
            else:
                db.session.commit()
                flash(_("Judgement saved"), "success")
                return redirect(url_for("assessments.question", question_id=question.id))
    if request.method == "GET" or stale:
        form.seen.data = services.judgement_seen(question)
    cards = services.cards_by_question(assessment).get(question.id, [])
    records = list(db.session.scalars(select(EvidenceRecord).where(EvidenceRecord.question_id == question.id)
                                      .options(selectinload(EvidenceRecord.author)).order_by(EvidenceRecord.id)))
    return render_template("assessments/question.html", question=question, assessment=assessment, records=records,
                           org=assessment.organisation, form=form, can_edit=can_edit, cards=cards,
                           Judgement=Judgement, stale=stale), status


@bp.route("/assessment-questions/<int:question_id>/evidence/new", methods=["GET", "POST"])
@login_required
def new_evidence(question_id: int):
    """Record evidence against a key question (the evidence proforma)."""
    question = load_question(question_id, edit=True)
    form = EvidenceForm()
    if form.validate_on_submit():
        try:
            services.add_evidence(question, kind=EvidenceKind(form.kind.data), source=form.source.data,
                                  found=form.found.data, evidence=form.evidence.data, author=current_user())
        except services.AssessmentError as error:
            _field_error(form, error)
        else:
            db.session.commit()
            flash(_("Evidence saved"), "success")
            return redirect(url_for("assessments.question", question_id=question.id) + "#evidence")
    return _form_page(form, title=_("Add evidence"), caption=f"{question.ref} {question.text}".strip(),
                      back=url_for("assessments.question", question_id=question.id),
                      status=422 if form.is_submitted() else 200)


def _load_record(record_id: int) -> EvidenceRecord:
    record = _load(EvidenceRecord, record_id)
    load_question(record.question_id, edit=True)
    return record


@bp.route("/assessment-evidence/<int:record_id>/edit", methods=["GET", "POST"])
@login_required
def edit_evidence(record_id: int):
    """Change an evidence record after it was saved (the same proforma, the same rules)."""
    record = _load_record(record_id)
    question = record.question
    form = EvidenceForm(obj=record if request.method == "GET" else None)
    if request.method == "GET":
        form.kind.data = record.kind.value
    back = url_for("assessments.question", question_id=question.id) + f"#evidence-{record.id}"
    if form.validate_on_submit():
        try:
            services.update_evidence(record, kind=EvidenceKind(form.kind.data), source=form.source.data,
                                     found=form.found.data, evidence=form.evidence.data)
        except services.AssessmentError as error:
            _field_error(form, error)
        else:
            db.session.commit()
            flash(_("Evidence saved"), "success")
            return redirect(back)
    return _form_page(form, title=_("Change the evidence"), caption=f"{question.ref} {question.text}".strip(),
                      back=back, status=422 if form.is_submitted() else 200)


@bp.route("/assessment-evidence/<int:record_id>/delete", methods=["GET", "POST"])
@login_required
def delete_evidence(record_id: int):
    """Remove an evidence record, after a confirmation page."""
    record = _load_record(record_id)
    question_id = record.question_id
    form = ConfirmForm()
    if form.validate_on_submit():
        services.delete_evidence(record)
        db.session.commit()
        flash(_("Evidence removed"), "success")
        return redirect(url_for("assessments.question", question_id=question_id) + "#evidence")
    return confirm_page(heading=_("Remove this evidence?"), caption=f"{record.kind.label}: {record.source}",
                        form=form, button=_("Remove evidence"),
                        cancel=url_for("assessments.question", question_id=question_id) + f"#evidence-{record.id}",
                        details=[_("This cannot be undone."), _("The judgement stays as it is.")])


@bp.route("/assessments/<int:assessment_id>/report")
@login_required
def report(assessment_id: int):
    """The overall assessment report: per section and key question, the evidence drawn together, the
    judgement, strengths and areas for improvement (and the previous judgement on a re-assessment)."""
    assessment = load_assessment(assessment_id)
    tree = services.load_assessment_tree(assessment.id)
    previous = services.previous_assessment(tree)
    return render_template("assessments/report.html", assessment=tree, org=tree.organisation, previous=previous,
                           then=services.judgements_then(tree, previous),
                           tally=services.tally(services.questions_of(tree)),
                           cards=services.cards_by_question(tree), Judgement=Judgement,
                           can_edit=can_edit_org(current_user(), tree.organisation))


def _filename(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")[:80] or "assessment"


@bp.route("/assessments/<int:assessment_id>/report.<any(csv, xlsx):fmt>")
@login_required
def report_file(assessment_id: int, fmt: str):
    """The overall assessment report as a .csv or .xlsx file."""
    assessment = load_assessment(assessment_id)
    tree = services.load_assessment_tree(assessment.id)
    table = services.report_table(tree, services.judgements_then(tree, services.previous_assessment(tree)))
    body = to_csv(table) if fmt == "csv" else to_xlsx({_("Assessment report"): table})
    response = make_response(body)
    response.headers["Content-Type"] = CSV_MIMETYPE if fmt == "csv" else XLSX_MIMETYPE
    name = _filename(f"{tree.organisation.name} {tree.title}")
    response.headers["Content-Disposition"] = f'attachment; filename="{name}.{fmt}"'
    return response


@bp.route("/assessment-questions/<int:question_id>/improvement", methods=["GET", "POST"])
@login_required
def improvement(question_id: int):
    """A red or amber key question becomes an improvement action on the action plan: a quick win or an idea."""
    question = load_question(question_id, edit=True)
    if question.judgement not in (Judgement.RED, Judgement.AMBER):
        abort(404)
    org = question.assessment.organisation
    opportunities = list(db.session.scalars(select(Opportunity).where(
        Opportunity.organisation_id == org.id, Opportunity.archived_dt.is_(None)).order_by(Opportunity.number)))
    form = ImprovementForm(opportunities=opportunities)
    if request.method == "GET":
        form.title.data = question.text[:300]
        form.description.data = question.improvements or question.reason
        form.kind.data = Kind.QUICK_WIN.value
    if form.validate_on_submit():
        try:
            card = services.make_improvement_card(
                question, kind=Kind(form.kind.data), title=form.title.data, description=form.description.data,
                opportunity=next((o for o in opportunities if str(o.id) == form.opportunity.data), None),
                user=current_user())
        except services.AssessmentError as error:
            _field_error(form, error)
        else:
            db.session.commit()
            flash(_("%(kind)s %(code)s added to the action plan", kind=card.kind.label, code=card.code), "success")
            return redirect(url_for("assessments.question", question_id=question.id))
    return _form_page(form, title=_("Make an improvement action"), caption=f"{question.ref} {question.text}".strip(),
                      back=url_for("assessments.question", question_id=question.id),
                      status=422 if form.is_submitted() else 200,
                      intro=_("It goes on the organisation’s action plan, linked back to this key question."))

