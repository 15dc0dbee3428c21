"""The "enter a figure" example on the API tokens page, built from the person's own data.

An example that cannot work teaches nothing: it names a programme the person belongs to, an
organisation they may enter figures for, that programme's first indicator with the body fields its unit
takes (numerator and denominator for a proportion), and the latest period they may enter, so the
request shown is one the API accepts as it is.
"""

import json
from dataclasses import dataclass
from datetime import date

from flask import url_for
from sqlalchemy import select

from tracker.accounts.models import User
from tracker.extensions import db
from tracker.programmes.models import Programme, Role
from tracker.programmes.services import programmes_for
from tracker.results import periods as period_rules
from tracker.results.models import Indicator, Objective, Outcome, Unit

#: What the example sends for each unit: the fields the API asks of that unit, with values it accepts.
BODIES = {
    Unit.COUNT: {"value": "12"},
    Unit.PROPORTION: {"numerator": "14", "denominator": "115"},
    Unit.YES_NO: {"flag": True},
    Unit.NARRATIVE: {"narrative": "Partnership meetings restarted in March"},
}
SOURCE = "Case management system"


@dataclass(frozen=True)
class FigureExample:
    """A PUT of one figure that the API would accept from this person."""

    url: str
    #: The JSON body, as it goes on the command line.
    body: str
    programme: str
    organisation: str
    indicator_code: str
    indicator_name: str
    unit: Unit
    period_number: int
    period_label: str


def body_for(unit: Unit) -> str:
    """The JSON body of a figure of this unit (numbers as decimal strings, as the API reads them)."""
    return json.dumps(BODIES[unit] | {"source": SOURCE})


def first_indicator(programme: Programme) -> Indicator | None:
    """The programme's first indicator in the tracker's order (objective, outcome, indicator)."""
    return db.session.scalar(
        select(Indicator).join(Outcome, Outcome.id == Indicator.outcome_id)
        .join(Objective, Objective.id == Outcome.objective_id)
        .where(Indicator.programme_id == programme.id)
        .order_by(Objective.number, Outcome.number, Indicator.number).limit(1))


def figure_example(user: User, today: date) -> FigureExample | None:
    """The example for ``user``: in the first programme (by name) where they may enter figures and that
    has an indicator and a period they may still enter. ``None`` when there is none (the page then
    shows the request with placeholders).

    The organisation is the team member's own, or a facilitator's first; the period is the latest that
    has started and, for anyone but a facilitator, is not locked.
    """
    for programme, member in programmes_for(user):
        if member.role == Role.TEAM_MEMBER and member.organisation is not None:
            org = member.organisation
        elif member.role == Role.FACILITATOR and programme.organisations:
            org = programme.organisations[0]
        else:
            continue
        open_periods = [p for p in period_rules.periods(programme) if p.has_started(today)
                        and (member.role == Role.FACILITATOR or not p.is_locked(today))]
        indicator = first_indicator(programme) if open_periods else None
        if indicator is None:
            continue
        period = open_periods[-1]
        url = url_for("api.put_figure", slug=programme.slug, indicator_code=indicator.code, org_slug=org.slug,
                      period=period.number, _external=True)
        return FigureExample(url, body_for(indicator.unit), programme.name, org.name, indicator.code,
                             indicator.name, indicator.unit, period.number, period.label)
    return None
