"""Who may see and change what, decided from the object's own programme and organisation.

Every view loads the object first and asks these functions about *that* object's organisation, never
about an id sent beside it in the form or the URL.
"""

from flask import abort, g
from sqlalchemy import select

from tracker.accounts.models import User
from tracker.extensions import db
from tracker.programmes.models import Membership, Organisation, Programme, Role


def membership(user: User | None, programme_id: int) -> Membership | None:
    """The user's membership of a programme, cached for the request."""
    if user is None:
        return None
    cache = g.setdefault("memberships", {})
    key = (user.id, programme_id)
    if key not in cache:
        cache[key] = db.session.scalar(
            select(Membership).where(Membership.programme_id == programme_id, Membership.user_id == user.id)
        )
    return cache[key]


def remember_membership(user: User | None, programme_id: int, member: Membership | None) -> None:
    """Prime the request's cache with a membership already loaded alongside another object."""
    if user is not None:
        g.setdefault("memberships", {})[(user.id, programme_id)] = member


def can_view_programme(user: User | None, programme: Programme) -> bool:
    return membership(user, programme.id) is not None


def can_manage_programme(user: User | None, programme: Programme) -> bool:
    m = membership(user, programme.id)
    return m is not None and m.role == Role.FACILITATOR


def _sees_every_organisation(m: Membership) -> bool:
    # Facilitators, and programme-wide viewers (head of service, partner).
    return m.role == Role.FACILITATOR or (m.role == Role.VIEWER and m.organisation_id is None)


def can_view_org(user: User | None, org: Organisation) -> bool:
    m = membership(user, org.programme_id)
    if m is None:
        return False
    return _sees_every_organisation(m) or m.organisation_id == org.id


def can_edit_org(user: User | None, org: Organisation) -> bool:
    m = membership(user, org.programme_id)
    if m is None:
        return False
    return m.role == Role.FACILITATOR or (m.role == Role.TEAM_MEMBER and m.organisation_id == org.id)


def visible_organisations(user: User | None, programme: Programme) -> list[Organisation]:
    """The organisations ``can_view_org`` allows, decided once for the programme rather than per
    organisation (a programme may have a hundred)."""
    m = membership(user, programme.id)
    if m is None:
        return []
    if _sees_every_organisation(m):
        return list(programme.organisations)
    return [org for org in programme.organisations if org.id == m.organisation_id]


def load_programme(slug: str, *, manage: bool = False) -> Programme:
    """The programme, if the signed-in person has a role in it (404 otherwise; 403 to change it)."""
    user = g.get("user")
    programme = db.session.scalar(select(Programme).where(Programme.slug == slug))
    if programme is None or not can_view_programme(user, programme):
        abort(404)
    if manage and not can_manage_programme(user, programme):
        abort(403)
    return programme


def load_in_programme(model, object_id: int, programme_of, *, manage: bool = False):
    """The ``model`` row with ``object_id``, if the signed-in person has a role in the programme
    ``programme_of(row)`` names (404 otherwise; 403 to change it when ``manage`` and not its facilitator)."""
    user = g.get("user")
    obj = db.session.get(model, object_id)
    programme = programme_of(obj) if obj is not None else None
    if programme is None or not can_view_programme(user, programme):
        abort(404)
    if manage and not can_manage_programme(user, programme):
        abort(403)
    return obj


def require_view_org(user: User | None, org: Organisation) -> None:
    """404 when the person may not even know the organisation's plans exist."""
    if not can_view_org(user, org):
        abort(404)


def require_edit_org(user: User | None, org: Organisation) -> None:
    """404 when unseen, 403 when seen but read-only."""
    require_view_org(user, org)
    if not can_edit_org(user, org):
        abort(403)
