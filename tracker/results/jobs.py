"""Figures and outputs due: one notice to each organisation's team members when a reporting period's
figures (or an output) fall due, listing what is missing, and one more when they are overdue.

"Due" is the day itself (``Period.due``, the programme's ``figures_due_days`` after the period ends; an
output's ``due_days_after_period``); "overdue" is from the day after, as ``Period.is_overdue`` and
``output_status`` say. The due-day notice goes only on that UK day: a scheduler that was down then sends
the overdue one instead, once, rather than a "due today" that is no longer true. Nothing goes once the
period's figures are locked (team members could no longer enter them), nor when nothing is missing.

A claim per (stage, organisation, period, due day) and a dedupe key per email make each one once. The
reads per programme are a fixed handful of aggregate statements, whatever the number of organisations,
indicators or figures; claims already made are read up front, so a quiet hour writes nothing. These are
notices: they respect ``User.email_notices``.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from sqlalchemy import func, select

from tracker.accounts.email_settings import absolute_url, send
from tracker.accounts.models import User
from tracker.core import clock
from tracker.core.email_render import PerLanguage
from tracker.core.formats import uk_date
from tracker.extensions import db
from tracker.programmes.models import Membership, Organisation, Programme, Role
from tracker.results import periods as period_rules
from tracker.results.models import Figure, Indicator, Objective, Outcome, Output, OutputReceipt
from tracker.scheduler.claims import claim, due_key
from tracker.scheduler.models import JobClaim
from tracker.scheduler.registry import job

FIGURES_DUE, FIGURES_OVERDUE = "figures_due", "figures_overdue"
OUTPUTS_DUE, OUTPUTS_OVERDUE = "outputs_due", "outputs_overdue"
JOBS = (FIGURES_DUE, FIGURES_OVERDUE, OUTPUTS_DUE, OUTPUTS_OVERDUE)


@dataclass
class Notice:
    """One email's worth: what one organisation is missing for one period and due day."""

    kind: str
    org: Organisation
    period: period_rules.Period
    due: date
    missing: list[tuple[str, str]] = field(default_factory=list)  # (code, name)

    @property
    def subject(self) -> str:
        return f"programme:{self.org.programme_id}:organisation:{self.org.id}:period:{self.period.number}"


def _stage(due: date, today: date, closes: date) -> str | None:
    """"due" on the day, "overdue" from the day after until ``closes``, otherwise nothing."""
    if today == due:
        return "due"
    if due < today <= closes:
        return "overdue"
    return None


@job("results_notices", every="hour", label=_l("Sends notices of figures and outputs due and overdue"))
def run_due(now: datetime) -> list[str]:
    """Send the figures' and outputs' due and overdue notices of every programme at ``now``."""
    today = clock.today()
    latest_output = dict(db.session.execute(
        select(Objective.programme_id, func.max(Output.due_days_after_period))
        .join(Outcome, Outcome.objective_id == Objective.id).join(Output, Output.outcome_id == Outcome.id)
        .group_by(Objective.programme_id)).all())
    lines: list[str] = []
    for programme in db.session.scalars(select(Programme).order_by(Programme.id)).all():
        # A period is open for notices from its end until its figures lock, or until the day after its
        # latest output falls due when that is later.
        extra = timedelta(days=latest_output.get(programme.id, 0) + 1)
        open_periods = [p for p in period_rules.periods(programme) if p.end < today <= max(p.locks, p.end + extra)]
        if open_periods:
            lines += _programme(programme, open_periods, today)
    return lines


def _programme(programme: Programme, open_periods: list[period_rules.Period], today: date) -> list[str]:
    numbers = [p.number for p in open_periods]
    orgs = list(db.session.scalars(select(Organisation).where(Organisation.programme_id == programme.id)
                                   .order_by(Organisation.name, Organisation.id)))
    if not orgs:
        return []
    indicators = db.session.execute(
        select(Indicator.id, Indicator.code, Indicator.name).join(Outcome, Outcome.id == Indicator.outcome_id)
        .join(Objective, Objective.id == Outcome.objective_id).where(Indicator.programme_id == programme.id)
        .order_by(Objective.number, Outcome.number, Indicator.number)).all()
    reported = set(db.session.execute(
        select(Figure.organisation_id, Figure.period_number, Figure.indicator_id)
        .join(Indicator, Indicator.id == Figure.indicator_id)
        .where(Indicator.programme_id == programme.id, Figure.period_number.in_(numbers))))
    outputs = db.session.execute(
        select(Output.id, Objective.number, Outcome.number, Output.number, Output.description,
               Output.due_days_after_period)
        .join(Outcome, Outcome.id == Output.outcome_id).join(Objective, Objective.id == Outcome.objective_id)
        .where(Objective.programme_id == programme.id)
        .order_by(Objective.number, Outcome.number, Output.number)).all()
    received = set(db.session.execute(
        select(OutputReceipt.organisation_id, OutputReceipt.period_number, OutputReceipt.output_id)
        .join(Output, Output.id == OutputReceipt.output_id).join(Outcome, Outcome.id == Output.outcome_id)
        .join(Objective, Objective.id == Outcome.objective_id)
        .where(Objective.programme_id == programme.id, OutputReceipt.period_number.in_(numbers))))

    notices: dict[tuple, Notice] = {}
    for period in open_periods:
        stage = _stage(period.due, today, period.locks)
        for org in orgs if stage else ():
            missing = [(code, name) for indicator_id, code, name in indicators
                       if (org.id, period.number, indicator_id) not in reported]
            if missing:
                kind = FIGURES_DUE if stage == "due" else FIGURES_OVERDUE
                notices[(kind, org.id, period.number, period.due)] = Notice(kind, org, period, period.due, missing)
        for output_id, objective, outcome, number, description, days in outputs:
            due = period.end + timedelta(days=days)
            stage = _stage(due, today, max(period.locks, due + timedelta(days=1)))
            if stage is None:
                continue
            kind = OUTPUTS_DUE if stage == "due" else OUTPUTS_OVERDUE
            for org in orgs:
                if (org.id, period.number, output_id) not in received:
                    notice = notices.setdefault((kind, org.id, period.number, due), Notice(kind, org, period, due))
                    notice.missing.append((f"{objective}.{outcome}.{number}", description))
    if not notices:
        return []
    done = set(db.session.execute(
        select(JobClaim.job, JobClaim.subject, JobClaim.due)
        .where(JobClaim.job.in_(JOBS), JobClaim.subject.like(f"programme:{programme.id}:organisation:%"))))
    waiting = [n for n in notices.values() if (n.kind, n.subject, due_key(n.due)) not in done]
    if not waiting:
        return []
    team = _team(programme, {n.org.id for n in waiting})
    lines = []
    for notice in waiting:
        if claim(notice.kind, notice.subject, notice.due):
            sent = _send(programme, notice, team.get(notice.org.id, []))
            lines.append(_line(notice, sent))
    return lines


def _team(programme: Programme, org_ids: set[int]) -> dict[int, list[User]]:
    """The organisations' team members who take notices (one statement)."""
    team: dict[int, list[User]] = defaultdict(list)
    for org_id, user in db.session.execute(
            select(Membership.organisation_id, User).join(User, User.id == Membership.user_id)
            .where(Membership.programme_id == programme.id, Membership.role == Role.TEAM_MEMBER,
                   Membership.organisation_id.in_(org_ids), User.is_active.is_(True),
                   User.email_notices.is_(True))
            .order_by(User.name, User.id)):
        team[org_id].append(user)
    return team


def _subject_line(programme: Programme, notice: Notice) -> str:
    values = {"org": notice.org.name, "period": notice.period.label}
    return {
        FIGURES_DUE: _("Figures due today from %(org)s for %(period)s", **values),
        FIGURES_OVERDUE: _("Figures overdue from %(org)s for %(period)s", **values),
        OUTPUTS_DUE: _("Outputs due today from %(org)s for %(period)s", **values),
        OUTPUTS_OVERDUE: _("Outputs overdue from %(org)s for %(period)s", **values),
    }[notice.kind]


def _send(programme: Programme, notice: Notice, people: list[User]) -> int:
    link = absolute_url("results.tracker", slug=programme.slug, organisation=notice.org.slug)
    subject = PerLanguage(lambda: _subject_line(programme, notice))
    sent = 0
    for person in people:
        sent += send(person, template="results/email/missing", subject=subject,
                     sender_name=programme.name, kind=notice.kind,
                     dedupe_key=f"{notice.kind}:{notice.subject}:{due_key(notice.due)}:user:{person.id}",
                     programme=programme, notice=notice, figures=notice.kind.startswith("figures"),
                     overdue=notice.kind.endswith("overdue"), link=link,
                     due_day=PerLanguage(lambda: uk_date(notice.due)))
    return sent


def _line(notice: Notice, sent: int) -> str:
    return ngettext("%(kind)s: %(org)s, %(period)s, %(missing)s missing (%(num)s email)",
                    "%(kind)s: %(org)s, %(period)s, %(missing)s missing (%(num)s emails)", sent,
                    kind=notice.kind, org=notice.org.name, period=notice.period.label, missing=len(notice.missing))
