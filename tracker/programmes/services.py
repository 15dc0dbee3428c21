"""Programme rules: creating programmes, adding organisations, people and initiatives."""

from datetime import date

from flask_babel import gettext as _
from sqlalchemy import func, select

from tracker.accounts.models import User
from tracker.accounts.services import find_by_email
from tracker.core.locks import lock
from tracker.core.text import slugify
from tracker.extensions import db
from tracker.programmes.models import Initiative, Membership, Organisation, Programme, Role

SETTINGS = ("reporting_interval_months", "figures_due_days", "figures_lock_days", "rag_band_percent",
            "survey_min_group", "stalled_weeks", "survey_reminder_days", "checkin_notice_days",
            "checkin_reminder_days")


class ProgrammeError(ValueError):
    """A programme rule was broken; the message is shown to the user."""


def _unique_slug(base: str, taken) -> str:
    slug, n = base, 2
    while taken(slug):
        slug = f"{base}-{n}"
        n += 1
    return slug


def create_programme(*, name: str, aim: str, expected_outcomes: str, start_date: date,
                     evaluation_months: int, checkin_interval_months: int, survey_interval_months: int,
                     creator: User, **settings) -> Programme:
    """Create a programme; its creator becomes its first facilitator. ``settings`` may give the
    reporting interval, due and lock days and the on-track band (defaults otherwise)."""
    slug = _unique_slug(slugify(name), lambda s: db.session.scalar(
        select(func.count()).select_from(Programme).where(Programme.slug == s)) > 0)
    programme = Programme(slug=slug, name=name.strip(), aim=aim.strip(), expected_outcomes=expected_outcomes,
                          start_date=start_date, evaluation_months=evaluation_months,
                          checkin_interval_months=checkin_interval_months,
                          survey_interval_months=survey_interval_months,
                          **{k: v for k, v in settings.items() if k in SETTINGS and v is not None})
    db.session.add(programme)
    db.session.add(Membership(programme=programme, user=creator, role=Role.FACILITATOR))
    db.session.flush()
    return programme


def update_programme(programme: Programme, **fields) -> None:
    """Change a programme's set-up (the slug stays, so links keep working). Moving the start date moves
    the reporting periods; figures stay attached to their period number."""
    for key in ("name", "aim", "expected_outcomes", "start_date", "evaluation_months",
                "checkin_interval_months", "survey_interval_months", *SETTINGS):
        if key in fields:
            setattr(programme, key, fields[key])


def add_organisation(programme: Programme, name: str, *, language: str | None = None) -> Organisation:
    """Add a participating organisation.

    :raises ProgrammeError: the name is already used in this programme.
    """
    name = name.strip()
    lock(Programme, programme.id)  # two people adding the same name at once take turns
    db.session.expire(programme, ["organisations"])  # the names as they are now, after the lock
    if any(org.name.lower() == name.lower() for org in programme.organisations):
        raise ProgrammeError(_("%(name)s is already taking part in this programme", name=name))
    taken = {org.slug for org in programme.organisations}
    org = Organisation(programme=programme, name=name, slug=_unique_slug(slugify(name), taken.__contains__),
                       language=_survey_language(language))
    db.session.add(org)
    db.session.flush()
    return org


def _survey_language(language: str | None) -> str:
    return language if language in ("both", "cy", "en") else "both"


def rename_organisation(org: Organisation, name: str, *, language: str | None = None) -> None:
    """Change an organisation's name (and, when given, its staff surveys' language); its slug (and so every
    link to its pages) stays.

    :raises ProgrammeError: another organisation of the programme has that name.
    """
    name = name.strip()
    lock(Programme, org.programme_id)
    db.session.expire(org.programme, ["organisations"])  # the names as they are now, after the lock
    if any(o.id != org.id and o.name.lower() == name.lower() for o in org.programme.organisations):
        raise ProgrammeError(_("%(name)s is already taking part in this programme", name=name))
    org.name = name
    if language is not None:
        org.language = _survey_language(language)
    db.session.flush()


def add_member(programme: Programme, *, email: str, role: Role, organisation: Organisation | None) -> Membership:
    """Give an existing account a role in the programme.

    :raises ProgrammeError: no such account, already a member, or a team member without organisation.
    """
    user = find_by_email(email)
    if user is None:
        raise ProgrammeError(_("There is no account with that email address. Ask an administrator to create it"))
    if organisation is not None and organisation.programme_id != programme.id:
        raise ProgrammeError(_("Choose an organisation taking part in this programme"))
    if role == Role.TEAM_MEMBER and organisation is None:
        raise ProgrammeError(_("Choose the organisation this team member belongs to"))
    if role == Role.FACILITATOR:
        organisation = None  # facilitators work across every organisation
    exists = db.session.scalar(select(Membership).where(
        Membership.programme_id == programme.id, Membership.user_id == user.id))
    if exists:
        raise ProgrammeError(_("%(name)s already has a role in this programme", name=user.name))
    member = Membership(programme=programme, user=user, role=role, organisation=organisation)
    db.session.add(member)
    db.session.flush()
    return member


def remove_member(member: Membership) -> None:
    """Take a person's role away; the last facilitator cannot be removed.

    :raises ProgrammeError: it is the last facilitator.
    """
    lock(Programme, member.programme_id)  # two removals at once cannot both see a second facilitator
    if member.role == Role.FACILITATOR:
        facilitators = db.session.scalar(select(func.count()).select_from(Membership).where(
            Membership.programme_id == member.programme_id, Membership.role == Role.FACILITATOR))
        if facilitators <= 1:
            raise ProgrammeError(_("A programme needs at least one facilitator"))
    db.session.delete(member)
    db.session.flush()


def add_initiative(programme: Programme, name: str) -> Initiative:
    """Add a tag for "link to project aims / other initiatives".

    :raises ProgrammeError: the programme already has it.
    """
    name = name.strip()
    if any(i.name.lower() == name.lower() for i in programme.initiatives):
        raise ProgrammeError(_("%(name)s is already in the list", name=name))
    initiative = Initiative(programme=programme, name=name)
    db.session.add(initiative)
    db.session.flush()
    return initiative


def programmes_for(user: User) -> list[tuple[Programme, Membership]]:
    """The programmes a person has a role in, with that role."""
    rows = db.session.execute(
        select(Programme, Membership).join(Membership, Membership.programme_id == Programme.id)
        .where(Membership.user_id == user.id).order_by(Programme.name)
    ).all()
    return [(row.Programme, row.Membership) for row in rows]
