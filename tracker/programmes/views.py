"""Programme pages: the dashboard, set-up, organisations, people and initiatives."""

from flask import abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from tracker.accounts.permissions import current_user, login_required
from tracker.core.confirm import ConfirmForm, confirm_page
from tracker.extensions import db
from tracker.programmes import bp, services
from tracker.programmes.forms import InitiativeForm, MemberForm, OrganisationForm, ProgrammeForm
from tracker.programmes.models import Membership, Role
from tracker.programmes.permissions import can_manage_programme, load_programme, visible_organisations

PROGRAMME_FIELDS = ("name", "aim", "expected_outcomes", "start_date", "evaluation_months",
                    "checkin_interval_months", "survey_interval_months", "reporting_interval_months",
                    "figures_due_days", "figures_lock_days", "rag_band_percent", "survey_min_group",
                    "stalled_weeks", "survey_reminder_days", "checkin_notice_days", "checkin_reminder_days")


@bp.route("/")
@login_required
def dashboard():
    """The programmes I take part in, and my organisations' action plans."""
    user = current_user()
    rows = services.programmes_for(user)
    cards = [(programme, membership, visible_organisations(user, programme)) for programme, membership in rows]
    return render_template("programmes/dashboard.html", rows=cards)


@bp.route("/programmes/new", methods=["GET", "POST"])
@login_required
def new_programme():
    """Create a programme (people allowed to create programmes only)."""
    user = current_user()
    if not (user.is_facilitator or user.is_admin):
        abort(403)
    form = ProgrammeForm()
    if form.validate_on_submit():
        programme = services.create_programme(
            creator=user, **{name: getattr(form, name).data for name in PROGRAMME_FIELDS})
        db.session.commit()
        flash(_("Programme created. Now add the participating organisations."), "success")
        return redirect(url_for("programmes.show", slug=programme.slug))
    return render_template("programmes/form.html", form=form, programme=None)


@bp.route("/programmes/<slug>")
@login_required
def show(slug: str):
    """A programme's overview: aim, outcomes, set-up steps and organisations."""
    programme = load_programme(slug)
    user = current_user()
    return render_template("programmes/show.html", programme=programme,
                           organisations=visible_organisations(user, programme),
                           can_manage=can_manage_programme(user, programme))


@bp.route("/programmes/<slug>/edit", methods=["GET", "POST"])
@login_required
def edit(slug: str):
    """Change a programme's set-up (facilitators)."""
    programme = load_programme(slug, manage=True)
    form = ProgrammeForm(obj=programme)
    if form.validate_on_submit():
        services.update_programme(programme, **{name: getattr(form, name).data for name in PROGRAMME_FIELDS})
        db.session.commit()
        flash(_("Programme details saved"), "success")
        return redirect(url_for("programmes.show", slug=programme.slug))
    return render_template("programmes/form.html", form=form, programme=programme)


@bp.route("/programmes/<slug>/organisations/new", methods=["GET", "POST"])
@login_required
def new_organisation(slug: str):
    """Add a participating organisation (facilitators)."""
    programme = load_programme(slug, manage=True)
    form = OrganisationForm()
    if form.validate_on_submit():
        try:
            org = services.add_organisation(programme, form.name.data, language=form.language.data)
        except services.ProgrammeError as error:
            form.name.errors.append(str(error))
        else:
            db.session.commit()
            flash(_("%(name)s added", name=org.name), "success")
            return redirect(url_for("programmes.show", slug=programme.slug))
    return render_template("programmes/new_organisation.html", form=form, programme=programme, org=None)


@bp.route("/programmes/<slug>/organisations/<org_slug>/edit", methods=["GET", "POST"])
@login_required
def edit_organisation(slug: str, org_slug: str):
    """Change a participating organisation's name (facilitators); its slug, and so its links, stay."""
    programme = load_programme(slug, manage=True)
    org = next((o for o in programme.organisations if o.slug == org_slug), None)
    if org is None:
        abort(404)
    form = OrganisationForm(obj=org)
    if form.validate_on_submit():
        try:
            services.rename_organisation(org, form.name.data, language=form.language.data)
        except services.ProgrammeError as error:
            form.name.errors.append(str(error))
        else:
            db.session.commit()
            flash(_("Name saved: %(name)s", name=org.name), "success")
            return redirect(url_for("programmes.show", slug=programme.slug))
    return render_template("programmes/new_organisation.html", form=form, programme=programme, org=org)


@bp.route("/programmes/<slug>/people", methods=["GET", "POST"])
@login_required
def people(slug: str):
    """The people in a programme and their roles; facilitators add people here."""
    programme = load_programme(slug)
    can_manage = can_manage_programme(current_user(), programme)
    form = MemberForm(organisations=programme.organisations)
    if form.is_submitted() and not can_manage:
        abort(403)
    if form.validate_on_submit():
        org = next((o for o in programme.organisations if str(o.id) == form.organisation.data), None)
        try:
            member = services.add_member(programme, email=form.email.data, role=Role(form.role.data),
                                         organisation=org)
        except services.ProgrammeError as error:
            form.email.errors.append(str(error))
        else:
            db.session.commit()
            flash(_("%(name)s added to the programme", name=member.user.name), "success")
            return redirect(url_for("programmes.people", slug=programme.slug))
    members = db.session.scalars(
        select(Membership).where(Membership.programme_id == programme.id)
        .options(selectinload(Membership.user), selectinload(Membership.organisation))
    ).all()
    members.sort(key=lambda m: (m.role.value, m.user.name))
    return render_template("programmes/people.html", programme=programme, members=members, form=form,
                           can_manage=can_manage)


@bp.route("/programmes/<slug>/people/<int:member_id>/remove", methods=["GET", "POST"])
@login_required
def remove_person(slug: str, member_id: int):
    """Take a person's role away (facilitators), after a confirmation page. Takes effect on their next
    request."""
    programme = load_programme(slug, manage=True)
    member = db.session.get(Membership, member_id)
    if member is None or member.programme_id != programme.id:
        abort(404)
    form = ConfirmForm()
    if not form.validate_on_submit():
        return confirm_page(
            form=form, caption=programme.name,
            heading=_("Are you sure you want to remove %(name)s from the programme?", name=member.user.name),
            details=[_("They will no longer see or change anything in %(programme)s, from their next page on. "
                       "What they wrote stays, under their name.", programme=programme.name),
                     _("Their account stays: you can add them again later.")],
            button=_("Yes, remove them"), cancel=url_for("programmes.people", slug=programme.slug))
    name = member.user.name
    try:
        services.remove_member(member)
    except services.ProgrammeError as error:
        flash(str(error), "error")
    else:
        db.session.commit()
        flash(_("%(name)s removed from the programme", name=name), "success")
    return redirect(url_for("programmes.people", slug=programme.slug))


@bp.route("/programmes/<slug>/initiatives", methods=["GET", "POST"])
@login_required
def initiatives(slug: str):
    """The programme's list of project aims and other initiatives that work can link to."""
    programme = load_programme(slug)
    can_manage = can_manage_programme(current_user(), programme)
    form = InitiativeForm()
    if form.is_submitted() and not can_manage:
        abort(403)
    if form.validate_on_submit():
        try:
            services.add_initiative(programme, form.name.data)
        except services.ProgrammeError as error:
            form.name.errors.append(str(error))
        else:
            db.session.commit()
            flash(_("Initiative added"), "success")
            return redirect(url_for("programmes.initiatives", slug=programme.slug))
    return render_template("programmes/initiatives.html", programme=programme, form=form,
                           can_manage=can_manage)
