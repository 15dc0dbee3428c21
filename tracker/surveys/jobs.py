"""The survey waves' clock: what falls due for a wave on a UK day, each thing done once.

- **Opening**: while a wave is open (from its opening day, or later if the scheduler was down) each
  organisation's listed invitations are emailed, unless a facilitator has held it back. Never once the
  wave has closed: a link to a closed wave would only disappoint.
- **Reminders**: from the programme's ``survey_reminder_days`` before the closing day until it, one round
  of reminders per wave and organisation (a claim), to those who have not answered.
- **Closing**: from the day after the closing day, the addresses are deleted
  (:func:`tracker.surveys.invitations.forget_addresses`) and the organisations' team members and the
  programme's facilitators get one "results are ready" notice each (a claim per wave and an outbox key per
  person), unless they have turned notices off.

Each step is guarded by the database (the invitation's ``sent`` flag, a claim, an outbox key) in the same
transaction as the work, so running again, late, for an earlier moment or in a second process does
nothing more.
"""

from datetime import date, datetime, timedelta

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from sqlalchemy import select

from tracker.accounts import email_settings
from tracker.accounts.models import User
from tracker.core import clock
from tracker.core.email_render import PerLanguage
from tracker.core.formats import uk_date
from tracker.extensions import db
from tracker.programmes.models import Membership, Organisation, Programme, Role
from tracker.scheduler.claims import claim
from tracker.scheduler.registry import job
from tracker.surveys import invitations
from tracker.surveys.models import Invitation, Response, Survey, Wave, WaveOrganisation

NAME = "survey_waves"
REMINDERS, RESULTS_READY = "survey_reminders", "survey_results_ready"
RESULTS_KIND = "survey_results_ready"
#: A wave that closed longer ago than this gets no "results are ready" notice on a first run (the
#: scheduler started long after it, or the feature arrived after it): old news is not a notice.
NOTICE_WINDOW = timedelta(days=28)


def _link_for(token: str) -> str:
    return email_settings.absolute_url("surveys.respond_link", token=token)


def _wave_name(wave: Wave) -> str:
    return _("Wave %(number)s of “%(title)s”", number=wave.number, title=wave.survey.title)


def _live_waves(today: date) -> list[Wave]:
    """Waves open today whose addresses are still kept, with their surveys and programmes."""
    return list(db.session.scalars(
        select(Wave).join(Survey, Survey.id == Wave.survey_id)
        .where(Wave.opens_on <= today, Wave.closes_on >= today, Wave.addresses_deleted_dt.is_(None))
        .order_by(Survey.programme_id, Wave.survey_id, Wave.number)))


def _held_back(wave_ids: list[int]) -> set[tuple[int, int]]:
    if not wave_ids:
        return set()
    return {tuple(row) for row in db.session.execute(
        select(WaveOrganisation.wave_id, WaveOrganisation.organisation_id)
        .where(WaveOrganisation.wave_id.in_(wave_ids), WaveOrganisation.held_back.is_(True))).all()}


def _organisations_with(wave_ids: list[int], *condition) -> dict[int, list[Organisation]]:
    """Per wave, the organisations with an invitation matching ``condition`` (with an address)."""
    found: dict[int, list[Organisation]] = {wave_id: [] for wave_id in wave_ids}
    if not wave_ids:
        return found
    rows = db.session.execute(
        select(Invitation.wave_id, Organisation).join(Organisation, Organisation.id == Invitation.organisation_id)
        .where(Invitation.wave_id.in_(wave_ids), Invitation.email.is_not(None), *condition)
        .group_by(Invitation.wave_id, Organisation.id).order_by(Invitation.wave_id, Organisation.name)).all()
    for wave_id, org in rows:
        found[wave_id].append(org)
    return found


def send_invitations(today: date) -> list[str]:
    """Email the listed invitations of every open wave, organisation by organisation, except those held
    back."""
    live = _live_waves(today)
    ids = [wave.id for wave in live]
    held = _held_back(ids)
    listed = _organisations_with(ids, Invitation.sent.is_(False))
    lines = []
    for wave in live:
        for org in listed[wave.id]:
            if (wave.id, org.id) in held:
                continue
            sent = invitations.send_listed(wave, org, link_for=_link_for, today=today)
            if sent:
                lines.append(ngettext("%(wave)s: %(num)s invitation sent for %(organisation)s",
                                      "%(wave)s: %(num)s invitations sent for %(organisation)s", sent,
                                      wave=_wave_name(wave), organisation=org.name))
    return lines


def reminder_day(wave: Wave) -> date | None:
    """The UK day a wave's reminders are due, or ``None`` if the wave is too short to remind after its
    opening day."""
    day = wave.closes_on - timedelta(days=max(wave.survey.programme.survey_reminder_days, 0))
    return day if day > wave.opens_on else None


def send_reminders(today: date) -> list[str]:
    """From each open wave's reminder day to its closing day, one round of reminders per organisation
    that has sent invitations (the claim is made even if everyone has answered, so that invitations sent
    later do not get a reminder an hour after their first email)."""
    live = [wave for wave in _live_waves(today) if (day := reminder_day(wave)) is not None and day <= today]
    ids = [wave.id for wave in live]
    held = _held_back(ids)
    invited = _organisations_with(ids, Invitation.sent.is_(True))
    lines = []
    for wave in live:
        for org in invited[wave.id]:
            if (wave.id, org.id) in held:
                continue
            if not claim(REMINDERS, f"wave:{wave.id}:organisation:{org.id}", reminder_day(wave)):
                continue
            reminded = invitations.remind(wave, org, link_for=_link_for, today=today)
            if reminded.sent:
                lines.append(ngettext("%(wave)s: %(num)s reminder sent for %(organisation)s",
                                      "%(wave)s: %(num)s reminders sent for %(organisation)s", reminded.sent,
                                      wave=_wave_name(wave), organisation=org.name))
    return lines


def _taking_part(wave: Wave) -> set[int]:
    """The organisations that took part in a wave: invited, answered or with a shared link."""
    return (set(db.session.scalars(select(Invitation.organisation_id).where(Invitation.wave_id == wave.id,
                                                                            Invitation.sent.is_(True))))
            | set(db.session.scalars(select(Response.organisation_id).where(Response.wave_id == wave.id)))
            | set(db.session.scalars(select(WaveOrganisation.organisation_id)
                                     .where(WaveOrganisation.wave_id == wave.id,
                                            WaveOrganisation.shared_token_hash.is_not(None)))))


def _recipients(wave: Wave, organisations: set[int]) -> list[tuple[User, Organisation | None]]:
    """The programme's facilitators (with no organisation: they see all) and the team members of the
    organisations that took part, each once, active accounts only."""
    programme: Programme = wave.survey.programme
    rows = db.session.execute(
        select(Membership, User).join(User, User.id == Membership.user_id)
        .where(Membership.programme_id == programme.id, User.is_active.is_(True),
               (Membership.role == Role.FACILITATOR)
               | ((Membership.role == Role.TEAM_MEMBER) & Membership.organisation_id.in_(organisations or {0})))
        .order_by(User.id)).all()
    return [(user, None if member.role == Role.FACILITATOR else member.organisation) for member, user in rows]


def _notify_results(wave: Wave) -> int:
    """One "results are ready" notice per person, in this transaction; returns how many were written."""
    taking_part = _taking_part(wave)
    if not taking_part:
        return 0
    programme = wave.survey.programme
    written = 0
    for user, org in _recipients(wave, taking_part):
        if not user.email_notices:
            continue
        values = {"wave_id": wave.id}
        written += email_settings.send(
            user, template="surveys/jobs/results_ready",
            subject=PerLanguage(lambda: _("Results are ready: %(wave)s", wave=_wave_name(wave))),
            sender_name=" ".join(programme.name.split()), kind=RESULTS_KIND,
            dedupe_key=f"survey-results:{wave.id}:user:{user.id}", wave=wave, survey=wave.survey,
            programme=programme, organisation=org, closed_on=PerLanguage(lambda: uk_date(wave.closes_on)),
            results_link=email_settings.absolute_url("surveys.wave_results", **values))
    return written


def close_waves(today: date) -> list[str]:
    """Forget the addresses of every wave closed by ``today``, then tell each recently closed wave's
    people that its results are ready, once per wave (a claim) and person (an outbox key)."""
    closing = db.session.scalars(select(Wave).where(Wave.closes_on < today, Wave.addresses_deleted_dt.is_(None))
                                 .order_by(Wave.closes_on, Wave.id)).all()
    invitations.forget_addresses(today)
    lines = [_("%(wave)s has closed: its email addresses were deleted", wave=_wave_name(wave)) for wave in closing]
    recent = db.session.scalars(
        select(Wave).where(Wave.closes_on < today, Wave.closes_on >= today - NOTICE_WINDOW)
        .order_by(Wave.closes_on, Wave.id)).all()
    for wave in recent:
        if not claim(RESULTS_READY, f"wave:{wave.id}", wave.closes_on + timedelta(days=1)):
            continue
        written = _notify_results(wave)
        if written:
            lines.append(ngettext("%(wave)s: %(num)s “results are ready” notice sent",
                                  "%(wave)s: %(num)s “results are ready” notices sent", written,
                                  wave=_wave_name(wave)))
    return lines


@job(NAME, every="hour", label=_l("Closes survey waves and sends their invitations and reminders"))
def run_due(now: datetime) -> list[str]:
    """Everything due for the survey waves on ``now``'s UK day: closing first (so a wave that has closed
    is never invited to), then invitations, then reminders."""
    today = clock.uk_date_of(now)
    return close_waves(today) + send_invitations(today) + send_reminders(today)
