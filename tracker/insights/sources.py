"""The "Where this came from" of a card's page (the insights it answers, itself or through its design
opportunity) and of a design opportunity's page (the insights linked to it)."""

from flask import url_for
from flask_babel import gettext as _

from tracker.board.sources import Source, register, register_for_opportunity


def insight_sources(card) -> list[Source]:
    """One statement per card page (``services.insights_answered_by``)."""
    from tracker.insights.services import insights_answered_by

    found = []
    for insight, opportunity in insights_answered_by(card):
        kind = _("Insight") if opportunity is None else _("Insight (through design opportunity %(n)s)",
                                                          n=opportunity.number)
        found.append(Source(kind=kind, text=insight.title, url=url_for("insights.insight", insight_id=insight.id)))
    return found


def opportunity_insight_sources(opportunity) -> list[Source]:
    """One statement per design opportunity's page (``services.insights_of_opportunity``)."""
    from tracker.insights.services import insights_of_opportunity

    return [Source(kind=_("Insight"), text=insight.title, url=url_for("insights.insight", insight_id=insight.id))
            for insight in insights_of_opportunity(opportunity)]


register(insight_sources)
register_for_opportunity(opportunity_insight_sources)
