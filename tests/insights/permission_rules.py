"""The insights routes' rules in the permission matrix (tests/test_permissions.py imports this module).

Organisation B gets a theme with insights: one to read, change and link (``insight_b``), one already linked
to everything so a permitted unlink has something to take away (``linked_b``), one archived to restore, and
spares to archive and to delete (each permitted POST takes the next spare). Organisation B's insight titles
join the words nobody outside organisation B may read.
"""

from sqlalchemy import select

import tests.test_permissions as matrix
from tests.test_permissions import IDS_EXTENSIONS, TARGETS, Target, org_b
from tracker.board.models import Card, Opportunity
from tracker.extensions import db
from tracker.insights import services
from tracker.insights.models import Insight, InsightSource, InsightTheme, insight_card, insight_opportunity

matrix.ORG_B_SECRETS = (*matrix.ORG_B_SECRETS, "Insight secret of B", "Evidence secret of B")


def extend(ids, world) -> None:
    org = world.org_b
    theme = services.theme_named(org, "Communication of B")
    second = services.theme_named(org, "Accommodation of B")

    def add(title, theme=theme, **kwargs):
        return services.create_insight(org, theme=theme, title=title, source=InsightSource.INTERVIEWS,
                                       evidence="Evidence secret of B", user=world.team_b, **kwargs)

    insight = add("Insight secret of B: customers cannot get through")
    add("Insight secret of B: move-on accommodation is scarce", theme=second)
    linked = add("Insight secret of B, linked")
    for card in db.session.scalars(select(Card).where(Card.organisation_id == org.id)):
        services.link_card(linked, card)
    for opportunity in db.session.scalars(select(Opportunity).where(Opportunity.organisation_id == org.id)):
        services.link_opportunity(linked, opportunity)
    archived = [add(f"Insight secret of B, archived {n}") for n in range(3)]
    for one in archived:
        services.archive_insight(one, user=world.team_b)
    for n in range(3):
        add(f"Insight secret of B, spare {n}")
    db.session.commit()
    ids.insight_b, ids.linked_b, ids.theme_b = insight.id, linked.id, second.id
    ids.insight_theme_b = theme.id


IDS_EXTENSIONS.append(extend)


def _spare(*, archived: bool) -> int:
    """Organisation B's first spare insight (``…, spare n``) that is (or is not) archived now."""
    db.session.rollback()
    state = Insight.archived_dt.is_not(None) if archived else Insight.archived_dt.is_(None)
    return db.session.scalar(select(Insight.id).where(Insight.title.like("Insight secret of B, spare %"), state)
                             .order_by(Insight.id))


def _archived() -> int:
    db.session.rollback()
    return db.session.scalar(select(Insight.id).where(Insight.title.like("Insight secret of B, archived %"),
                                                      Insight.archived_dt.is_not(None)).order_by(Insight.id))


def _unlinked(w) -> dict:
    """A card or design opportunity of organisation B that the insight page offers to link to ``insight_b``."""
    db.session.rollback()
    cards, opportunities = services.answer_choices(db.session.get(Insight, w.insight_b))
    value = f"card:{cards[0].id}" if cards else f"opportunity:{opportunities[0].id}"
    db.session.rollback()
    return {"answer": value}


def _linked(w) -> dict:
    """One of ``linked_b``'s links, still there."""
    db.session.rollback()
    card = db.session.scalar(select(insight_card.c.card_id).where(insight_card.c.insight_id == w.linked_b)
                             .order_by(insight_card.c.card_id))
    if card is not None:
        return {"answer": f"card:{card}"}
    opportunity = db.session.scalar(select(insight_opportunity.c.opportunity_id)
                                    .where(insight_opportunity.c.insight_id == w.linked_b))
    return {"answer": f"opportunity:{opportunity}"}


def _insight_form(w) -> dict:
    db.session.rollback()
    version = db.session.scalar(select(Insight.version).where(Insight.id == w.insight_b))
    db.session.rollback()
    return {"theme": str(w.insight_theme_b), "new_theme": "", "title": w.fresh("Hacked insight"),
            "source": "workshop", "evidence": "Hacked", "version": str(version)}


def _theme_order(w) -> dict:
    """Move the first of B's two themes down (it comes back up on the next post, the other one being first)."""
    return {"direction": "down"}


TARGETS.update({
    "insights.index": Target("org_view", org_b),
    "insights.new": Target("org_edit", org_b, _insight_form),
    "insights.insight": Target("org_view", lambda w: {"insight_id": w.insight_b}),
    "insights.edit": Target("org_edit", lambda w: {"insight_id": w.insight_b}, _insight_form),
    "insights.archive": Target("org_edit", lambda w: {"insight_id": _spare(archived=False)}, lambda w: {}),
    "insights.restore": Target("org_edit_post", lambda w: {"insight_id": _archived()}, lambda w: {}),
    "insights.delete": Target("org_edit", lambda w: {"insight_id": _spare(archived=False)}, lambda w: {}),
    "insights.quick_win": Target("org_edit_post", lambda w: {"insight_id": w.insight_b}, lambda w: {}),
    "insights.idea": Target("org_edit", lambda w: {"insight_id": w.insight_b},
                            lambda w: {"opportunity": str(w.opportunity_b)}),
    "insights.link": Target("org_edit_post", lambda w: {"insight_id": w.insight_b}, _unlinked),
    "insights.unlink": Target("org_edit_post", lambda w: {"insight_id": w.linked_b}, _linked),
    "insights.move_theme": Target("org_edit_post", lambda w: {"theme_id": _first_theme(w)}, _theme_order),
})


def _first_theme(w) -> int:
    """Whichever of organisation B's themes is shown first now (moving it down always changes the order)."""
    db.session.rollback()
    return db.session.scalar(select(InsightTheme.id).where(InsightTheme.organisation_id == w.org_b_id)
                             .order_by(InsightTheme.position, InsightTheme.id))
