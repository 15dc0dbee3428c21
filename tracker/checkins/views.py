"""Check-in pages: the programme calendar by month, a check-in, moving it, its status, an extra check-in,
the mid-way staff event, the single-event .ics download and the person's calendar feed.

Every view loads its object first and decides from that object's own organisation (a check-in) or
programme (the calendar, the event): team members see their own organisation's check-ins and no other's;
viewers read; only the programme's facilitators plan, move and record check-ins.
"""

import logging
import re

from flask import abort, flash, make_response, redirect, render_template, request, url_for
from flask_babel import format_date, ngettext
from flask_babel import gettext as _
from sqlalchemy import select

from tracker.accounts.models import User
from tracker.accounts.permissions import current_user, login_required
from tracker.checkins import bp, calendar, feeds, ics, timeline
from tracker.checkins.forms import CheckInForm, EventForm, ExtraCheckInForm, FeedForm, StatusForm
from tracker.checkins.models import CheckIn, CheckInStatus, ProgrammeEvent
from tracker.core import clock, i18n
from tracker.core.htmx import render
from tracker.extensions import db
from tracker.programmes.models import Membership, Role
from tracker.programmes.permissions import (
    can_manage_programme,
    load_programme,
    require_view_org,
    visible_organisations,
)

WHEN_WHERE = ("on", "start_time", "end_time", "place", "video_link")


@bp.app_template_filter("uk_time")
def uk_time(value) -> str:
    """``10am``, ``2:30pm`` (GOV.UK style: no ``:00``, lower-case am and pm)."""
    if value is None:
        return ""
    hour = value.hour % 12 or 12
    minutes = "" if value.minute == 0 else f":{value.minute:02d}"
    return f"{hour}{minutes}{'am' if value.hour < 12 else 'pm'}"


@bp.app_template_filter("month_name")
def month_name(value) -> str:
    """``March 2026``."""
    return format_date(value, "MMMM yyyy")


@bp.app_template_filter("day_name")
def day_name(value) -> str:
    """``Friday 27 March``: the day in a month's list."""
    return format_date(value, "EEEE d MMMM")


@bp.app_template_filter("weekday_date")
def weekday_date(value) -> str:
    """``Friday 27 March 2026``."""
    return format_date(value, "EEEE d MMMM yyyy")


def load_checkin(checkin_id: int, *, manage: bool = False) -> CheckIn:
    """The check-in, if the signed-in person may see its organisation (404 otherwise; 403 to change it)."""
    checkin = db.session.get(CheckIn, checkin_id)
    if checkin is None:
        abort(404)
    require_view_org(current_user(), checkin.organisation)
    if manage and not can_manage_programme(current_user(), checkin.programme):
        abort(403)
    return checkin


def load_event(event_id: int) -> ProgrammeEvent:
    """A programme event, for the programme's facilitators (404 outside the programme, 403 inside)."""
    event = db.session.get(ProgrammeEvent, event_id)
    if event is None:
        abort(404)
    load_programme(event.programme.slug, manage=True)
    return event


def _people(checkin: CheckIn) -> list[User]:
    """The organisation's project team: its team members, by name."""
    return list(db.session.scalars(
        select(User).join(Membership, Membership.user_id == User.id)
        .where(Membership.programme_id == checkin.programme_id, Membership.organisation_id == checkin.organisation_id,
               Membership.role == Role.TEAM_MEMBER).order_by(User.name)))


def _person(people: list[User], value: str | None) -> User | None:
    return next((p for p in people if str(p.id) == value), None)


def _when_where(form) -> dict:
    return {name: getattr(form, name).data for name in WHEN_WHERE}


def _field_error(form, error: calendar.CheckInError) -> None:
    field = getattr(form, error.field, None) or form.on
    field.errors = [*field.errors, str(error)]


# --- the calendar ------------------------------------------------------------------------------------


@bp.route("/programmes/<slug>/calendar")
@login_required
def calendar_page(slug: str):
    """The programme's calendar by month: check-ins of the organisations the person may see, the mid-way
    staff event, staff survey windows and the days figures and outputs are due, with what is overdue."""
    programme = load_programme(slug)
    user = current_user()
    organisations = visible_organisations(user, programme)
    chosen = next((o for o in organisations if o.slug == request.args.get("organisation")), None)
    today = clock.today()
    shown = [chosen] if chosen else organisations
    items = timeline.items(programme, shown, today)
    can_manage = can_manage_programme(user, programme)
    return render("checkins/calendar.html", "months", programme=programme, organisations=organisations,
                  chosen=chosen, months=timeline.by_month(items), today=today, can_manage=can_manage,
                  overdue=sum(1 for item in items if item.overdue),
                  missing=calendar.missing_count(programme) if can_manage else 0, Kind=timeline.ItemKind)


@bp.route("/programmes/<slug>/calendar/plan", methods=["POST"])
@login_required
def plan(slug: str):
    """Make the check-ins (and the mid-way staff event) the calendar proposes that do not exist yet."""
    programme = load_programme(slug, manage=True)
    made = calendar.ensure_checkins(programme)
    db.session.commit()
    flash(ngettext("%(num)d check-in planned", "%(num)d check-ins planned", made) if made
          else _("Every check-in the calendar proposes is already planned"), "success")
    return redirect(url_for("checkins.calendar_page", slug=programme.slug))


@bp.route("/programmes/<slug>/checkins/new", methods=["GET", "POST"])
@login_required
def new(slug: str):
    """Add an extra check-in with one organisation (facilitators)."""
    programme = load_programme(slug, manage=True)
    people = calendar.facilitators(programme)
    form = ExtraCheckInForm(organisations=programme.organisations, facilitators=people)
    if request.method == "GET":
        form.facilitator.data = str(current_user().id) if _person(people, str(current_user().id)) else ""
        chosen = next((o for o in programme.organisations if o.slug == request.args.get("organisation")), None)
        form.organisation.data = str(chosen.id) if chosen else ""
    status = 200
    if form.validate_on_submit():
        org = next(o for o in programme.organisations if str(o.id) == form.organisation.data)
        try:
            checkin = calendar.add_extra(org, facilitator=_person(people, form.facilitator.data), **_when_where(form))
        except calendar.CheckInError as error:
            _field_error(form, error)
        else:
            db.session.commit()
            flash(_("Extra check-in added"), "success")
            return redirect(url_for("checkins.checkin", checkin_id=checkin.id))
    if form.is_submitted():
        status = 422
    return render_template("checkins/new.html", form=form, programme=programme), status


# --- one check-in ------------------------------------------------------------------------------------


@bp.route("/checkins/<int:checkin_id>")
@login_required
def checkin(checkin_id: int):
    """A check-in: what it is, when, where and who, and (for facilitators) how to change it."""
    checkin = load_checkin(checkin_id)
    interval = next((i for i in calendar.intervals(checkin.programme) if i.number == checkin.interval_number), None)
    return render_template("checkins/checkin.html", checkin=checkin, programme=checkin.programme,
                           title=calendar.checkin_title(checkin), interval=interval, team=_people(checkin),
                           today=clock.today(), can_manage=can_manage_programme(current_user(), checkin.programme))


def _filename(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")[:80] or "calendar"


@bp.route("/checkins/<int:checkin_id>.ics")
@login_required
def checkin_ics(checkin_id: int):
    """The check-in as a calendar file of one event, to open in Outlook or another calendar."""
    checkin = load_checkin(checkin_id)
    item = next(i for i in timeline.items(checkin.programme, [checkin.organisation], clock.today())
                if i.checkin is not None and i.checkin.id == checkin.id)
    body = ics.calendar([item], name=item.title)
    response = make_response(body)
    response.headers["Content-Type"] = "text/calendar; charset=utf-8"
    response.headers["Content-Disposition"] = f'attachment; filename="{_filename(item.title)}.ics"'
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.route("/checkins/<int:checkin_id>/edit", methods=["GET", "POST"])
@login_required
def edit(checkin_id: int):
    """Move a check-in: its date, times, place or video link, and its facilitator. A save from an older
    version is refused (409) with the current values."""
    checkin = load_checkin(checkin_id, manage=True)
    people = calendar.facilitators(checkin.programme)
    form = CheckInForm(obj=checkin, facilitators=people)
    if request.method == "GET":
        form.facilitator.data = str(checkin.facilitator_id or "")
    status = 200
    if form.validate_on_submit():
        try:
            changed = calendar.move(checkin, expected_version=form.version.data,
                                    facilitator=_person(people, form.facilitator.data), **_when_where(form))
        except calendar.Stale:
            db.session.rollback()
            checkin = db.session.get(CheckIn, checkin_id)
            return render_template("checkins/edit.html", form=form, checkin=checkin, stale=True,
                                   title=calendar.checkin_title(checkin)), 409
        except calendar.CheckInError as error:
            _field_error(form, error)
        else:
            db.session.commit()
            flash(_("Check-in saved") if changed else _("Nothing changed"), "success")
            return redirect(url_for("checkins.checkin", checkin_id=checkin.id))
    if form.is_submitted():
        status = 422
    return render_template("checkins/edit.html", form=form, checkin=checkin, stale=False,
                           title=calendar.checkin_title(checkin)), status


@bp.route("/checkins/<int:checkin_id>/status", methods=["GET", "POST"])
@login_required
def status(checkin_id: int):
    """Record that a check-in was held or cancelled (or is scheduled after all)."""
    checkin = load_checkin(checkin_id, manage=True)
    form = StatusForm(obj=checkin)
    if request.method == "GET":
        form.status.data = checkin.status.value
    code = 200
    if form.validate_on_submit():
        try:
            changed = calendar.set_status(checkin, expected_version=form.version.data,
                                          status=CheckInStatus(form.status.data))
        except calendar.Stale:
            db.session.rollback()
            checkin = db.session.get(CheckIn, checkin_id)
            return render_template("checkins/status.html", form=form, checkin=checkin, stale=True,
                                   title=calendar.checkin_title(checkin), today=clock.today()), 409
        except calendar.CheckInError as error:
            _field_error(form, error)
        else:
            db.session.commit()
            done = {CheckInStatus.SCHEDULED: _("Check-in marked as scheduled"),
                    CheckInStatus.HELD: _("Check-in marked as held"),
                    CheckInStatus.CANCELLED: _("Check-in marked as cancelled")}
            flash(done[checkin.status] if changed else _("Nothing changed"), "success")
            return redirect(url_for("checkins.checkin", checkin_id=checkin.id))
    if form.is_submitted():
        code = 422
    return render_template("checkins/status.html", form=form, checkin=checkin, stale=False,
                           title=calendar.checkin_title(checkin), today=clock.today()), code


# --- the mid-way staff event -------------------------------------------------------------------------


@bp.route("/programme-events/<int:event_id>/edit", methods=["GET", "POST"])
@login_required
def edit_event(event_id: int):
    """Move the mid-way staff event, give it a place or a title (facilitators)."""
    event = load_event(event_id)
    form = EventForm(obj=event)
    if request.method == "GET":
        form.title.data = event.title
    code = 200
    if form.validate_on_submit():
        try:
            changed = calendar.update_event(event, expected_version=form.version.data, title=form.title.data,
                                            **_when_where(form))
        except calendar.Stale:
            db.session.rollback()
            event = db.session.get(ProgrammeEvent, event_id)
            return render_template("checkins/event.html", form=form, event=event, programme=event.programme,
                                   stale=True), 409
        except calendar.CheckInError as error:
            _field_error(form, error)
        else:
            db.session.commit()
            flash(_("%(title)s saved", title=event.display_title) if changed else _("Nothing changed"), "success")
            return redirect(url_for("checkins.calendar_page", slug=event.programme.slug))
    if form.is_submitted():
        code = 422
    return render_template("checkins/event.html", form=form, event=event, programme=event.programme,
                           stale=False), code


# --- calendar feeds ----------------------------------------------------------------------------------


@bp.route("/programmes/<slug>/calendar/feed", methods=["GET", "POST"])
@login_required
def feed(slug: str):
    """The person's secret calendar address for the programme: made (or made again, which stops the old
    one) by a post, and shown once on the page the post returns."""
    programme = load_programme(slug)
    form = FeedForm()
    if form.validate_on_submit():
        token = feeds.reset(current_user(), programme)
        db.session.commit()
        address = url_for("checkins.feed_ics", token=token, _external=True)
        return render_template("checkins/feed_made.html", programme=programme, address=address)
    return render_template("checkins/feed.html", programme=programme, form=form,
                           existing=feeds.feed_of(current_user(), programme))


@bp.route("/calendar/<token>.ics")
def feed_ics(token: str):
    """The calendar feed a calendar application subscribes to: no session, only the secret address. What it
    holds is decided by the address's owner's role now; an unknown or reset address is a 404."""
    found = feeds.find(token)
    if found is None:
        abort(404)
    programme = found.programme
    if found.user.language:  # a calendar application sends no cookie: the events in their owner's language
        i18n.use_now(found.user.language)
    items = timeline.items(programme, visible_organisations(found.user, programme), clock.today())
    response = make_response(ics.calendar(items, name=programme.name))
    response.headers["Content-Type"] = "text/calendar; charset=utf-8"
    response.headers["Content-Disposition"] = f'inline; filename="{_filename(programme.name)}.ics"'
    response.headers["Cache-Control"] = "no-store"
    response.headers["Referrer-Policy"] = "no-referrer"
    return response


# --- the secret address stays out of the logs --------------------------------------------------------

_FEED_PATH = re.compile(r"(/calendar/)[^/\s\"?]+(\.ics)")


class FeedTokenFilter(logging.Filter):
    """Takes calendar feed tokens out of access log lines (werkzeug's and gunicorn's): ``/calendar/….ics``."""

    def filter(self, record: logging.LogRecord) -> bool:
        def redact(value):
            return _FEED_PATH.sub(r"\1…\2", value) if isinstance(value, str) else value

        record.msg = redact(record.msg)
        if isinstance(record.args, tuple):
            record.args = tuple(redact(a) for a in record.args)
        elif isinstance(record.args, dict):
            for key, value in list(record.args.items()):
                record.args[key] = redact(value)
        return True


_FILTER = FeedTokenFilter()


@bp.record_once
def _filter_access_logs(_state) -> None:
    for name in ("werkzeug", "gunicorn.access"):
        logger = logging.getLogger(name)
        if _FILTER not in logger.filters:
            logger.addFilter(_FILTER)
