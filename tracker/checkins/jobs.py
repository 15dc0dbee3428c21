"""The check-ins' clock: plan them, tell the team, remind everyone, nudge the facilitator — each once.

- **Planned and announced**: :func:`tracker.checkins.calendar.ensure_checkins` makes a programme's whole
  calendar at once (idempotent), so the job runs it and then *announces* each check-in once, when its
  day comes within the programme's ``checkin_notice_days``: one email to each of the organisation's team
  members and its facilitator.
- **Reminder**: from ``checkin_reminder_days`` before, once per check-in and day it is on (a check-in
  moved to another day is reminded of again), with a link to its single-event .ics — the outbox carries
  no attachments. A reminder (or an announcement) whose day passed while the scheduler was down still
  goes if the meeting is ahead, never after it.
- **Nudge**: the day after a check-in still neither held nor cancelled, its facilitator (or, with none,
  the programme's facilitators) is asked once to record it.

Each is a claim (:mod:`tracker.scheduler.claims`) per check-in, and each email carries a dedupe key, in
the job's one transaction. Reads per programme are a fixed handful of statements, whatever the number of
organisations or check-ins; the claims already made are read up front so a quiet hour makes no writes.
These are notices: they respect ``User.email_notices`` and end with "Stop sending me these".
"""

from datetime import date, datetime, timedelta

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from sqlalchemy import select
from sqlalchemy.orm import contains_eager

from tracker.accounts.email_settings import absolute_url, send
from tracker.accounts.models import User
from tracker.checkins import calendar
from tracker.checkins.models import CheckIn, CheckInStatus
from tracker.core import clock
from tracker.core.email_render import PerLanguage
from tracker.core.formats import uk_date
from tracker.extensions import db
from tracker.programmes.models import Membership, Organisation, Programme, Role
from tracker.results.periods import add_months
from tracker.scheduler.claims import claim, due_key
from tracker.scheduler.models import JobClaim
from tracker.scheduler.registry import job

NOTICE, REMINDER, NUDGE = "checkin_notice", "checkin_reminder", "checkin_nudge"
#: How long after the evaluation ends its last check-ins may still be nudged about.
AFTER_END = timedelta(days=60)
#: The oldest check-in the nudge still asks about (one planned long before the scheduler first ran is
#: shown as overdue on the calendar, not emailed about).
NUDGE_WINDOW = timedelta(days=60)


def _is_active(programme: Programme, today: date) -> bool:
    starts = programme.start_date - timedelta(days=programme.checkin_notice_days)
    return starts <= today <= add_months(programme.start_date, programme.evaluation_months) + AFTER_END


def _ahead(checkin: CheckIn, today: date, now_uk: datetime) -> bool:
    """The meeting has not happened yet: a later day, or today before its start time."""
    if checkin.on != today:
        return checkin.on > today
    return checkin.start_time is not None and now_uk.time() < checkin.start_time


def _subject(programme: Programme, checkin: CheckIn) -> str:
    return f"programme:{programme.id}:checkin:{checkin.id}"


@job("checkins", every="hour", label=_l("Plans check-ins, announces them and sends reminders"))
def run_due(now: datetime) -> list[str]:
    """Plan, announce, remind and nudge whatever is due at ``now`` in every programme."""
    today, now_uk = clock.today(), clock.now().astimezone(clock.UK)
    lines: list[str] = []
    for programme in db.session.scalars(select(Programme).order_by(Programme.id)).all():
        if _is_active(programme, today):
            lines += _programme(programme, today, now_uk)
    return lines


def _programme(programme: Programme, today: date, now_uk: datetime) -> list[str]:
    made = calendar.ensure_checkins(programme)
    lines = [ngettext("Planned %(num)s check-in in %(programme)s", "Planned %(num)s check-ins in %(programme)s",
                      made, programme=programme.name)] if made else []
    checkins = list(db.session.scalars(
        select(CheckIn).join(Organisation, Organisation.id == CheckIn.organisation_id)
        .where(CheckIn.programme_id == programme.id, CheckIn.status == CheckInStatus.SCHEDULED,
               CheckIn.on >= today - NUDGE_WINDOW,
               CheckIn.on <= today + timedelta(days=programme.checkin_notice_days))
        .options(contains_eager(CheckIn.organisation))  # named in every email and line
        .order_by(CheckIn.on, Organisation.name, CheckIn.id)))
    if not checkins:
        return lines
    done = set(db.session.execute(
        select(JobClaim.job, JobClaim.subject, JobClaim.due)
        .where(JobClaim.job.in_((NOTICE, REMINDER, NUDGE)),
               JobClaim.subject.in_([_subject(programme, c) for c in checkins]))))
    wanted = []
    for checkin in checkins:
        subject = _subject(programme, checkin)
        if _ahead(checkin, today, now_uk):
            if checkin.on - timedelta(days=programme.checkin_notice_days) <= today:
                wanted.append((NOTICE, checkin, subject, "notice"))
            if checkin.on - timedelta(days=programme.checkin_reminder_days) <= today:
                wanted.append((REMINDER, checkin, subject, due_key(checkin.on)))
        elif checkin.on < today:
            wanted.append((NUDGE, checkin, subject, due_key(checkin.on)))
    wanted = [w for w in wanted if (w[0], w[2], w[3]) not in done]
    if not wanted:
        return lines
    team, hosts, programme_hosts = _people(programme, [w[1] for w in wanted])
    for kind, checkin, subject, due in wanted:
        if not claim(kind, subject, due):
            continue
        host = hosts.get(checkin.facilitator_id)
        if kind == NUDGE:
            people = [host] if host else [hosts[i] for i in programme_hosts]
        else:
            people = team.get(checkin.organisation_id, []) + ([host] if host else [])
        sent = _send(kind, programme, checkin, due, people)
        lines.append(_line(kind, checkin, sent))
    return lines


def _people(programme: Programme, checkins: list[CheckIn]) -> tuple[dict[int, list[User]], dict[int, User],
                                                                    list[int]]:
    """Who takes notices: the organisations' team members, the check-ins' facilitators by id, and the ids of
    the programme's own facilitators (two statements)."""
    team: dict[int, list[User]] = {}
    for org_id, user in db.session.execute(
            select(Membership.organisation_id, User).join(User, User.id == Membership.user_id)
            .where(Membership.programme_id == programme.id, Membership.role == Role.TEAM_MEMBER,
                   Membership.organisation_id.in_({c.organisation_id for c in checkins}),
                   User.is_active.is_(True), User.email_notices.is_(True))
            .order_by(User.name, User.id)):
        team.setdefault(org_id, []).append(user)
    hosts = {c.facilitator_id for c in checkins if c.facilitator_id is not None}
    rows = db.session.execute(
        select(User, Membership.role).outerjoin(Membership, (Membership.user_id == User.id)
                                                & (Membership.programme_id == programme.id))
        .where((User.id.in_(hosts)) | (Membership.role == Role.FACILITATOR),
               User.is_active.is_(True), User.email_notices.is_(True))
        .order_by(User.name, User.id)).all()
    return team, {user.id: user for user, _role in rows}, [user.id for user, role in rows if role == Role.FACILITATOR]


def _send(kind: str, programme: Programme, checkin: CheckIn, due: str, people: list[User]) -> int:
    def subject():
        title, day = calendar.checkin_title(checkin), uk_date(checkin.on)
        return {NOTICE: _("Check-in planned: %(title)s on %(day)s", title=title, day=day),
                REMINDER: _("Reminder: %(title)s on %(day)s", title=title, day=day),
                NUDGE: _("Was it held? %(title)s on %(day)s", title=title, day=day)}[kind]

    title = PerLanguage(lambda: calendar.checkin_title(checkin))
    links = {"page": absolute_url("checkins.checkin", checkin_id=checkin.id),
             "agenda": absolute_url("checkins.agenda", checkin_id=checkin.id),
             "ics": absolute_url("checkins.checkin_ics", checkin_id=checkin.id),
             "status": absolute_url("checkins.status", checkin_id=checkin.id)}
    sent = 0
    for person in {p.id: p for p in people}.values():
        sent += send(person, template=f"checkins/email/{kind.removeprefix('checkin_')}", subject=PerLanguage(subject),
                     sender_name=programme.name, kind=kind, dedupe_key=f"{kind}:{checkin.id}:{due}:user:{person.id}",
                     programme=programme, checkin=checkin, title=title, links=links)
    return sent


def _line(kind: str, checkin: CheckIn, sent: int) -> str:
    title, day = calendar.checkin_title(checkin), uk_date(checkin.on)
    if kind == NOTICE:
        return ngettext("Announced %(title)s on %(day)s (%(num)s email)",
                        "Announced %(title)s on %(day)s (%(num)s emails)", sent, title=title, day=day)
    if kind == REMINDER:
        return ngettext("Reminded of %(title)s on %(day)s (%(num)s email)",
                        "Reminded of %(title)s on %(day)s (%(num)s emails)", sent, title=title, day=day)
    return ngettext("Asked whether %(title)s on %(day)s was held (%(num)s email)",
                    "Asked whether %(title)s on %(day)s was held (%(num)s emails)", sent, title=title, day=day)
