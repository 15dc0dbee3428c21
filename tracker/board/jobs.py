"""The Monday digest: each person's open actions due that week (Monday to Sunday, UK dates) and overdue,
across every programme they take part in, in one email — or none, when nothing is due.

An action belongs to its owner while they are an active member of its programme. An action with no owner
on a card the whole project team owns ("The project team") goes to each of that organisation's team
members; an action with no owner on any other card goes to nobody (its card shows it as nobody's yet).

It goes on Mondays only: a scheduler that was down all Monday sends no digest that week, since the next
Monday's covers the same actions (overdue ones included). A claim per (person, Monday) and the email's
dedupe key make it once. The reads are three statements for the whole run, whatever the number of
programmes or actions; people who turned the digest off (``User.email_digest``) are left out.
"""

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from sqlalchemy import select

from tracker.accounts.email_settings import absolute_url, send
from tracker.accounts.models import User
from tracker.board.models import Action, Card, Opportunity
from tracker.core import clock
from tracker.core.email_render import PerLanguage
from tracker.core.formats import uk_date
from tracker.extensions import db
from tracker.programmes.models import Membership, Organisation, Programme, Role
from tracker.scheduler.claims import claim, due_key
from tracker.scheduler.models import JobClaim
from tracker.scheduler.registry import job

DIGEST = "action_digest"


@dataclass(frozen=True)
class DigestAction:
    id: int
    text: str
    due_on: date
    card_id: int
    card_code: str
    card_title: str
    organisation: str
    programme_id: int
    programme: str
    link: str

    def is_overdue(self, monday: date) -> bool:
        return self.due_on < monday


@job(DIGEST, every="hour", label=_l("Sends each person’s weekly email of their actions"))
def run_due(now: datetime) -> list[str]:
    """On a Monday (UK date), write each person's digest of the week, once."""
    monday = clock.today()
    if monday.weekday() != 0:
        return []
    sunday = monday + timedelta(days=6)
    rows = db.session.execute(
        select(Action.id, Action.text, Action.due_on, Action.owner_id, Card.id, Card.number, Opportunity.number,
               Card.title, Card.team_owned, Organisation.id, Organisation.name, Programme.id, Programme.name)
        .join(Card, Card.id == Action.card_id).join(Organisation, Organisation.id == Card.organisation_id)
        .join(Programme, Programme.id == Organisation.programme_id)
        .outerjoin(Opportunity, Opportunity.id == Card.opportunity_id)
        .where(Action.archived_dt.is_(None), Action.is_done.is_(False), Action.due_on.is_not(None),
               Action.due_on <= sunday, Card.archived_dt.is_(None), Opportunity.archived_dt.is_(None)
               | Card.opportunity_id.is_(None))
        .order_by(Action.due_on, Programme.name, Organisation.name, Action.id)).all()
    if not rows:
        return []
    members = db.session.execute(
        select(Membership.programme_id, Membership.organisation_id, Membership.role, User)
        .join(User, User.id == Membership.user_id)
        .where(Membership.programme_id.in_({row[11] for row in rows}), User.is_active.is_(True),
               User.email_digest.is_(True))).all()
    people = {user.id: user for *_rest, user in members}
    in_programme = {(programme_id, user.id) for programme_id, _org, _role, user in members}
    team = defaultdict(list)
    for _programme_id, org_id, role, user in members:
        if role == Role.TEAM_MEMBER:
            team[org_id].append(user.id)
    digests: dict[int, list[DigestAction]] = defaultdict(list)
    for (action_id, text, due_on, owner_id, card_id, number, lane, title, team_owned, org_id, org_name,
         programme_id, programme_name) in rows:
        if owner_id is not None:
            owners = [owner_id] if (programme_id, owner_id) in in_programme else []
        else:
            owners = team[org_id] if team_owned else []
        item = DigestAction(action_id, text, due_on, card_id, str(number) if lane is None else f"{lane}.{number}",
                            title, org_name, programme_id, programme_name,
                            absolute_url("board.card", card_id=card_id))
        for person in owners:
            digests[person].append(item)
    done = set(db.session.scalars(select(JobClaim.subject).where(JobClaim.job == DIGEST,
                                                                 JobClaim.due == due_key(monday))))
    lines = []
    for user_id, items in digests.items():
        subject = f"user:{user_id}"
        if subject in done or not claim(DIGEST, subject, monday):
            continue
        _send(people[user_id], items, monday, sunday)
        lines.append(ngettext("Digest for %(name)s: %(num)s action", "Digest for %(name)s: %(num)s actions",
                              len(items), name=people[user_id].name))
    return lines


def _send(user: User, items: list[DigestAction], monday: date, sunday: date) -> None:
    programmes = {item.programme for item in items}
    sender = next(iter(programmes)) if len(programmes) == 1 else _("Service improvement tracker")
    overdue = [item for item in items if item.is_overdue(monday)]
    this_week = [item for item in items if not item.is_overdue(monday)]
    send(user, template="board/email/digest",
         subject=PerLanguage(lambda: ngettext("Your actions: %(num)s due this week or overdue",
                                              "Your actions: %(num)s due this week or overdue", len(items))),
         sender_name=sender, kind=DIGEST, dedupe_key=f"{DIGEST}:user:{user.id}:{due_key(monday)}",
         overdue=overdue, this_week=this_week, week=PerLanguage(lambda: (uk_date(monday), uk_date(sunday))))
