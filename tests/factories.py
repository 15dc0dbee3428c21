"""Callable factories for tests: they build objects through the services and commit."""

from dataclasses import dataclass
from datetime import date

from tracker.accounts.models import User
from tracker.accounts.services import create_user
from tracker.board import services as board
from tracker.board.models import Card, Kind, Opportunity, RoadmapColumn
from tracker.extensions import db
from tracker.programmes import services as programmes
from tracker.programmes.models import Membership, Organisation, Programme, Role

PASSWORD = "correct-horse-battery"

_counter = {"n": 0}


def make_user(name: str | None = None, *, email: str | None = None, is_admin=False, is_facilitator=False) -> User:
    _counter["n"] += 1
    n = _counter["n"]
    user = create_user(email or f"person{n}@example.org", name or f"Person {n}", PASSWORD, is_admin=is_admin,
                       is_facilitator=is_facilitator)
    db.session.commit()
    return user


def make_programme(creator: User, name: str = "Welsh pilot") -> Programme:
    programme = programmes.create_programme(
        name=name, aim="How might we reduce fall-out?", expected_outcomes="- Fewer people fall out",
        start_date=date(2026, 1, 1), evaluation_months=12, checkin_interval_months=3, survey_interval_months=3,
        creator=creator)
    db.session.commit()
    return programme


def add_member(programme: Programme, user: User, role: Role, org: Organisation | None = None) -> Membership:
    member = Membership(programme=programme, user=user, role=role, organisation=org)
    db.session.add(member)
    db.session.commit()
    return member


def make_card(org: Organisation, title: str = "A card", *, kind: Kind = Kind.QUICK_WIN,
              opportunity: Opportunity | None = None, column: RoadmapColumn = RoadmapColumn.BACKLOG,
              user: User | None = None, **fields) -> Card:
    card = board.create_card(org, kind=kind, opportunity=opportunity, title=title, user=user, column=column,
                             **fields)
    db.session.commit()
    return card


def make_opportunity(org: Organisation, title: str = "How might we keep in touch?") -> Opportunity:
    opportunity = board.create_opportunity(org, title=title)
    db.session.commit()
    return opportunity


@dataclass
class World:
    programme: Programme
    org_a: Organisation
    org_b: Organisation
    admin: User
    facilitator: User
    team_a: User
    team_b: User
    viewer: User  # programme-wide viewer
    viewer_b: User  # viewer of organisation B only
    outsider: User  # an account with no role in the programme
    card_a: Card
    card_b: Card
    idea_a: Card
    idea_b: Card
    opportunity_a: Opportunity
    opportunity_b: Opportunity

    def users(self) -> dict[str, User]:
        return {name: getattr(self, name) for name in
                ("admin", "facilitator", "team_a", "team_b", "viewer", "viewer_b", "outsider")}


def make_world() -> World:
    facilitator = make_user("Fran Facilitator", is_facilitator=True)
    programme = make_programme(facilitator)
    org_a = programmes.add_organisation(programme, "Council A")
    org_b = programmes.add_organisation(programme, "Council B")
    db.session.commit()
    team_a, team_b = make_user("Team A"), make_user("Team B")
    viewer, viewer_b, outsider = make_user("Viewer All"), make_user("Viewer B"), make_user("Outsider")
    admin = make_user("Site Admin", is_admin=True)
    add_member(programme, team_a, Role.TEAM_MEMBER, org_a)
    add_member(programme, team_b, Role.TEAM_MEMBER, org_b)
    add_member(programme, viewer, Role.VIEWER)
    add_member(programme, viewer_b, Role.VIEWER, org_b)
    opportunity_a = make_opportunity(org_a)
    opportunity_b = make_opportunity(org_b)
    card_a = make_card(org_a, "Make letters friendlier", user=team_a)
    card_b = make_card(org_b, "Review debt pathway", user=team_b)
    idea_a = make_card(org_a, "Regular feedback", kind=Kind.IDEA, opportunity=opportunity_a, user=team_a)
    idea_b = make_card(org_b, "Partnership meetings", kind=Kind.IDEA, opportunity=opportunity_b, user=team_b)
    board.add_action(card_a, text="Draft new letter", owner=team_a, due_on=date(2026, 2, 1), user=team_a)
    board.add_action(card_b, text="Call CAB", owner=team_b, due_on=date(2026, 2, 1), user=team_b)
    db.session.commit()
    return World(programme, org_a, org_b, admin, facilitator, team_a, team_b, viewer, viewer_b, outsider,
                 card_a, card_b, idea_a, idea_b, opportunity_a, opportunity_b)
