"""Rules for insights: themes reused within an organisation, grouping and order, links to what answers them.

Every link is checked against the insight's own organisation: a card or design opportunity of another
organisation is refused, whatever id a form sends. Services flush; the view commits.
"""

from dataclasses import dataclass, field

from flask_babel import gettext as _
from sqlalchemy import delete, func, or_, select
from sqlalchemy.orm import selectinload

from tracker.accounts.models import User
from tracker.board import services as board
from tracker.board.models import Card, Kind, Opportunity, RoadmapColumn
from tracker.core.db import insert, utcnow
from tracker.core.locks import relock
from tracker.core.ordering import moved_one_place, renumber
from tracker.extensions import db
from tracker.insights.models import (
    TITLE_LENGTH,
    Insight,
    InsightSource,
    InsightTheme,
    insight_card,
    insight_opportunity,
)
from tracker.programmes.models import Organisation


class InsightError(Exception):
    """A rule about insights was broken; the message is shown to the person."""


class StaleInsight(Exception):
    """The insight changed since the person loaded it; ``insight`` holds its current state."""

    def __init__(self, insight: Insight):
        super().__init__(insight.id)
        self.insight = insight


#: ``update_insight``'s default: no version to check (a change made by the code itself, not from a form).
_ANY = object()


def clean(value: str | None) -> str:
    """Browsers send CRLF; store LF, and no spaces around a one-line value."""
    return (value or "").replace("\r\n", "\n").replace("\r", "\n")


# --- themes --------------------------------------------------------------------------------------


def themes(org: Organisation) -> list[InsightTheme]:
    """The organisation's themes in their order."""
    return list(db.session.scalars(select(InsightTheme).where(InsightTheme.organisation_id == org.id)
                                   .order_by(InsightTheme.position, InsightTheme.id)))


def _theme_key(name: str) -> str:
    """A theme's name as compared: spaces collapsed, case folded (any script, not only ASCII)."""
    return " ".join(name.split()).casefold()


def theme_named(org: Organisation, name: str) -> InsightTheme:
    """The organisation's theme of that name (spaces and case aside), added at the end if there is none.

    :raises InsightError: an empty name.
    """
    name = " ".join(name.split())
    if not name:
        raise InsightError(_("Choose a theme or type a new one"))
    # Compared in Python: SQLite's lower() folds ASCII letters only, so "Éducation" and "éducation" would
    # not match there, and the second would break the unique name.
    key = _theme_key(name)
    for found in themes(org):
        if _theme_key(found.name) == key:
            return found
    last = db.session.scalar(select(func.max(InsightTheme.position))
                             .where(InsightTheme.organisation_id == org.id))
    theme = InsightTheme(organisation=org, name=name, position=0 if last is None else last + 1)
    db.session.add(theme)
    db.session.flush()
    return theme


def move_theme(theme: InsightTheme, *, up: bool) -> bool:
    """Swap the theme with the shown theme before (``up``) or after it; returns whether it moved.

    Only themes with a current insight are shown, so the neighbour is the nearest of those.
    """
    ordered = themes(theme.organisation)
    shown = set(db.session.scalars(select(Insight.theme_id).where(
        Insight.organisation_id == theme.organisation_id, Insight.archived_dt.is_(None))))
    moved = moved_one_place(ordered, theme, up=up, among=[t for t in ordered if t.id in shown or t.id == theme.id])
    renumber(moved or ordered)  # 0, 1, 2 … either way: themes added at once could share a position
    db.session.flush()
    return moved is not None


def _prune(theme_id: int) -> None:
    """A theme lives through its insights: the last one gone (not archived: deleted or moved), it goes too."""
    db.session.flush()
    if not db.session.scalar(select(func.count()).select_from(Insight).where(Insight.theme_id == theme_id)):
        db.session.execute(delete(InsightTheme).where(InsightTheme.id == theme_id))


# --- insights ------------------------------------------------------------------------------------


def create_insight(org: Organisation, *, theme: InsightTheme, title: str, source: InsightSource, evidence: str = "",
                   user: User | None) -> Insight:
    """Add an insight under ``theme`` (one of the organisation's own).

    :raises InsightError: a theme of another organisation.
    """
    if theme.organisation_id != org.id:
        raise InsightError(_("Choose a theme of this organisation"))
    insight = Insight(organisation=org, theme=theme, title=" ".join(title.split())[:TITLE_LENGTH], source=source,
                      evidence=clean(evidence), created_by=user, updated_by=user)
    db.session.add(insight)
    db.session.flush()
    return insight


def update_insight(insight: Insight, *, theme: InsightTheme, title: str, source: InsightSource, evidence: str,
                   user: User | None, expected_version=_ANY) -> bool:
    """Change an insight; returns whether anything changed (a theme left empty goes).

    With ``expected_version`` (the version the person saw; ``None`` when none came), the insight is locked and
    read again first, and a change made from an older version is refused.

    :raises InsightError: a theme of another organisation.
    :raises StaleInsight: someone else changed the insight since ``expected_version``.
    """
    if theme.organisation_id != insight.organisation_id:
        raise InsightError(_("Choose a theme of this organisation"))
    if expected_version is not _ANY:
        relock(insight)
        if expected_version is None or int(expected_version) != insight.version:
            raise StaleInsight(insight)
    values = {"theme_id": theme.id, "title": " ".join(title.split())[:TITLE_LENGTH], "source": source,
              "evidence": clean(evidence)}
    changed = [name for name, value in values.items() if getattr(insight, name) != value]
    if not changed:
        return False
    old_theme = insight.theme_id
    insight.theme = theme
    for name in ("title", "source", "evidence"):
        setattr(insight, name, values[name])
    insight.updated_by, insight.updated_dt = user, utcnow()
    if old_theme != theme.id:
        _prune(old_theme)
    db.session.flush()
    return True


def archive_insight(insight: Insight, *, user: User | None) -> None:
    """Take an insight out of its theme's list; its links stay, and come back with it."""
    if insight.archived_dt is None:
        insight.archived_dt, insight.updated_by, insight.updated_dt = utcnow(), user, utcnow()
        db.session.flush()


def restore_insight(insight: Insight, *, user: User | None) -> None:
    if insight.archived_dt is not None:
        insight.archived_dt, insight.updated_by, insight.updated_dt = None, user, utcnow()
        db.session.flush()


def delete_insight(insight: Insight) -> None:
    """Delete an insight and its links (the cards and opportunities stay); a theme left empty goes."""
    theme_id = insight.theme_id
    db.session.delete(insight)
    _prune(theme_id)


# --- what answers an insight ---------------------------------------------------------------------


def link_card(insight: Insight, card: Card) -> bool:
    """Record that ``card`` answers ``insight``; returns whether the link is new.

    :raises InsightError: a card of another organisation.
    """
    if card.organisation_id != insight.organisation_id:
        raise InsightError(_("Choose a quick win or idea of this organisation"))
    # One statement, not check-then-insert: two quick submits at once add the link once, neither fails.
    # (RETURNING says whether a row was written: an INSERT's rowcount is not reported on every driver.)
    written = db.session.execute(insert(insight_card).values(insight_id=insight.id, card_id=card.id)
                                 .on_conflict_do_nothing(index_elements=["insight_id", "card_id"])
                                 .returning(insight_card.c.insight_id)).first()
    return written is not None


def unlink_card(insight: Insight, card: Card) -> bool:
    result = db.session.execute(delete(insight_card).where(insight_card.c.insight_id == insight.id,
                                                           insight_card.c.card_id == card.id))
    return bool(result.rowcount)


def link_opportunity(insight: Insight, opportunity: Opportunity) -> bool:
    """Record that a design opportunity answers ``insight``; returns whether the link is new.

    :raises InsightError: an opportunity of another organisation.
    """
    if opportunity.organisation_id != insight.organisation_id:
        raise InsightError(_("Choose a design opportunity of this organisation"))
    written = db.session.execute(insert(insight_opportunity)
                                 .values(insight_id=insight.id, opportunity_id=opportunity.id)
                                 .on_conflict_do_nothing(index_elements=["insight_id", "opportunity_id"])
                                 .returning(insight_opportunity.c.insight_id)).first()
    return written is not None


def unlink_opportunity(insight: Insight, opportunity: Opportunity) -> bool:
    result = db.session.execute(delete(insight_opportunity).where(
        insight_opportunity.c.insight_id == insight.id, insight_opportunity.c.opportunity_id == opportunity.id))
    return bool(result.rowcount)


def answer_with_quick_win(insight: Insight, *, user: User | None) -> Card:
    """One step: a quick win in the backlog of the insight's organisation, titled from the insight, linked back.

    :raises InsightError: the insight is archived (restore it first).
    """
    if insight.archived_dt is not None:
        raise InsightError(_("This insight is archived: restore it before answering it"))
    card = board.create_card(insight.organisation, kind=Kind.QUICK_WIN, title=insight.title, user=user)
    link_card(insight, card)
    return card


def idea_choices(insight: Insight) -> list[Opportunity]:
    """The design opportunities of the insight's organisation an idea may go under (not archived), by number."""
    return list(db.session.scalars(select(Opportunity).where(
        Opportunity.organisation_id == insight.organisation_id, Opportunity.archived_dt.is_(None))
        .order_by(Opportunity.number)))


def answer_with_idea(insight: Insight, opportunity: Opportunity, *, user: User | None) -> Card:
    """One step: an idea under ``opportunity`` (in the backlog), titled from the insight, linked back.

    :raises InsightError: the insight is archived, or the opportunity is another organisation's or archived.
    """
    if insight.archived_dt is not None:
        raise InsightError(_("This insight is archived: restore it before answering it"))
    if opportunity.organisation_id != insight.organisation_id or opportunity.archived_dt is not None:
        raise InsightError(_("Choose a design opportunity of this organisation"))
    card = board.create_card(insight.organisation, kind=Kind.IDEA, title=insight.title, opportunity=opportunity,
                             user=user)
    link_card(insight, card)
    return card


# --- reading -------------------------------------------------------------------------------------


@dataclass
class Answers:
    """What came of an insight: the cards and design opportunities that answer it."""

    cards: list[Card] = field(default_factory=list)
    opportunities: list[Opportunity] = field(default_factory=list)
    #: For each opportunity's id: how many of its ideas (concepts, prototypes) are in each roadmap column, in
    #: board order, archived ones left out.
    columns: dict[int, list[tuple[RoadmapColumn, int]]] = field(default_factory=dict)

    def __bool__(self) -> bool:
        return bool(self.cards or self.opportunities)

    def __len__(self) -> int:
        return len(self.cards) + len(self.opportunities)


@dataclass
class ThemeGroup:
    theme: InsightTheme
    insights: list[Insight]


def answers_of(insight_ids: list[int]) -> dict[int, Answers]:
    """For each insight, the cards (quick wins first, then ideas by code) and opportunities that answer it,
    in two statements (three with the cards' opportunities) whatever the number of insights."""
    found = {i: Answers() for i in insight_ids}
    if not insight_ids:
        return found
    rows = db.session.execute(
        select(insight_card.c.insight_id, Card).join(Card, Card.id == insight_card.c.card_id)
        .where(insight_card.c.insight_id.in_(insight_ids))
        .options(selectinload(Card.opportunity))
        .order_by(Card.opportunity_id.is_not(None), Card.opportunity_id, Card.number)).all()
    for insight_id, card in rows:
        found[insight_id].cards.append(card)
    rows = db.session.execute(
        select(insight_opportunity.c.insight_id, Opportunity)
        .join(Opportunity, Opportunity.id == insight_opportunity.c.opportunity_id)
        .where(insight_opportunity.c.insight_id.in_(insight_ids))
        .options(selectinload(Opportunity.cards)).order_by(Opportunity.number)).all()
    for insight_id, opportunity in rows:
        found[insight_id].opportunities.append(opportunity)
        current = [c.column for c in opportunity.cards if c.archived_dt is None]
        found[insight_id].columns[opportunity.id] = [(column, current.count(column)) for column in RoadmapColumn
                                                     if column in current]
    return found


def grouped(org: Organisation) -> tuple[list[ThemeGroup], list[Insight]]:
    """The organisation's insights under their themes (themes in order, insights oldest first), themes
    without a current insight left out; and the archived insights, by title."""
    rows = list(db.session.scalars(
        select(Insight).join(InsightTheme, Insight.theme_id == InsightTheme.id)
        .where(Insight.organisation_id == org.id)
        .options(selectinload(Insight.theme))
        .order_by(InsightTheme.position, InsightTheme.id, Insight.created_dt, Insight.id)))
    groups: list[ThemeGroup] = []
    for insight in rows:
        if insight.archived_dt is not None:
            continue
        if not groups or groups[-1].theme.id != insight.theme_id:
            groups.append(ThemeGroup(insight.theme, []))
        groups[-1].insights.append(insight)
    archived = sorted((i for i in rows if i.archived_dt is not None), key=lambda i: (i.title.lower(), i.id))
    return groups, archived


def answer_choices(insight: Insight) -> tuple[list[Card], list[Opportunity]]:
    """What could be linked: the organisation's cards on the board and its current design opportunities that
    do not answer the insight yet."""
    linked = answers_of([insight.id])[insight.id]
    have_cards = {c.id for c in linked.cards}
    have_opportunities = {o.id for o in linked.opportunities}
    cards = [c for c in db.session.scalars(
        select(Card).outerjoin(Opportunity, Card.opportunity_id == Opportunity.id)
        .where(Card.organisation_id == insight.organisation_id, Card.archived_dt.is_(None),
               Opportunity.archived_dt.is_(None))
        .options(selectinload(Card.opportunity))
        .order_by(Card.opportunity_id.is_not(None), Opportunity.number, Card.number)) if c.id not in have_cards]
    opportunities = [o for o in db.session.scalars(
        select(Opportunity).where(Opportunity.organisation_id == insight.organisation_id,
                                  Opportunity.archived_dt.is_(None)).order_by(Opportunity.number))
        if o.id not in have_opportunities]
    return cards, opportunities


def insights_answered_by(card: Card) -> list[tuple[Insight, Opportunity | None]]:
    """The current insights a card answers: linked to the card itself (``None``), or to its design
    opportunity (that opportunity); one statement."""
    conditions = [Insight.id.in_(select(insight_card.c.insight_id).where(insight_card.c.card_id == card.id))]
    if card.opportunity_id is not None:
        conditions.append(Insight.id.in_(select(insight_opportunity.c.insight_id)
                                         .where(insight_opportunity.c.opportunity_id == card.opportunity_id)))
    rows = db.session.execute(
        select(Insight, select(insight_card.c.card_id).where(insight_card.c.insight_id == Insight.id,
                                                              insight_card.c.card_id == card.id)
               .exists().label("direct"))
        .where(Insight.organisation_id == card.organisation_id, Insight.archived_dt.is_(None), or_(*conditions))
        .order_by(Insight.id)).all()
    return [(insight, None if direct else card.opportunity) for insight, direct in rows]


def insights_of_opportunity(opportunity: Opportunity) -> list[Insight]:
    """The current insights a design opportunity answers, in the order they were recorded; one statement."""
    return list(db.session.scalars(
        select(Insight).join(insight_opportunity, insight_opportunity.c.insight_id == Insight.id)
        .where(insight_opportunity.c.opportunity_id == opportunity.id,
               Insight.organisation_id == opportunity.organisation_id, Insight.archived_dt.is_(None))
        .order_by(Insight.id)))
