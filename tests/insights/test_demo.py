"""The demo's insights: seed 002's findings for RCT and Caerphilly, linked to what answers them; loading twice
changes nothing."""

from sqlalchemy import func, select

from tracker.demo import PROGRAMME_SLUG, load_demo, load_insights
from tracker.extensions import db
from tracker.insights import services
from tracker.insights.models import Insight, insight_card, insight_opportunity
from tracker.programmes.models import Programme


def counts() -> tuple[int, int, int]:
    return tuple(db.session.scalar(select(func.count()).select_from(t))
                 for t in (Insight, insight_card, insight_opportunity))


def test_the_demo_has_insights_by_theme_linked_to_its_plans(app):
    load_demo()
    db.session.commit()
    programme = db.session.scalar(select(Programme).where(Programme.slug == PROGRAMME_SLUG))
    rct = next(o for o in programme.organisations if o.name.startswith("Rhondda"))
    groups, archived = services.grouped(rct)
    assert [g.theme.name for g in groups] == ["Fallout rates S66", "Fallout rates S73", "Reasons for representation",
                                              "Communication with customers", "Accommodation options"]
    assert [len(g.insights) for g in groups] == [1, 1, 1, 3, 2] and archived == []
    assert counts() == (9, 3, 2)
    load_insights(programme)
    load_demo()
    db.session.commit()
    assert counts() == (9, 3, 2)
