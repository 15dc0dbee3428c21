"""The card page's "Where this came from": the insights a card answers, itself or through its design opportunity."""

from flask import url_for
from flask_babel import gettext as _

from tracker.board.sources import Source, register


def insight_sources(card) -> list[Source]:
    """One statement per card page (``services.insights_answered_by``)."""
    from tracker.insights.services import insights_answered_by

    found = []
    for insight, opportunity in insights_answered_by(card):
        kind = _("Insight") if opportunity is None else _("Insight (through design opportunity %(n)s)",
                                                          n=opportunity.number)
        found.append(Source(kind=kind, text=insight.title, url=url_for("insights.insight", insight_id=insight.id)))
    return found


register(insight_sources)
