"""What falls on which day of a programme, for the calendar page and the calendar feed alike: check-ins,
the mid-way staff event, staff survey windows, and the days indicator figures and outputs are due.

Built in a fixed number of queries whatever the number of organisations, check-ins or waves. Only what
the person may see goes in: check-ins of the organisations they may see, and for figures and outputs,
which of those organisations have not sent them. Something is overdue when its day has passed and it is
still undone: a check-in nobody recorded as held or cancelled, figures or an output not in from an
organisation (``Period.due`` and ``output_status``'s rule: overdue the day after it is due).
"""

import enum
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from flask_babel import gettext as _
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from tracker.checkins.calendar import checkin_title
from tracker.checkins.models import CheckIn, CheckInStatus, ProgrammeEvent
from tracker.extensions import db
from tracker.programmes.models import Organisation, Programme
from tracker.results import periods as period_rules
from tracker.results.models import Figure, Indicator, Objective, Outcome, Output, OutputReceipt
from tracker.surveys import waves as wave_rules
from tracker.surveys.models import Survey, Wave


class ItemKind(enum.StrEnum):
    CHECKIN = "checkin"
    EVENT = "event"
    SURVEY = "survey"
    FIGURES = "figures"
    OUTPUT = "output"


#: Within a day: meetings first, then windows, then what is due.
_ORDER = {ItemKind.CHECKIN: 0, ItemKind.EVENT: 0, ItemKind.SURVEY: 1, ItemKind.FIGURES: 2, ItemKind.OUTPUT: 3}


@dataclass
class Item:
    kind: ItemKind
    #: Stable across exports: the kind of thing and its id (the feed's UIDs are made from it).
    key: str
    on: date
    title: str
    #: The last day of a window (a survey wave), both days included.
    until: date | None = None
    start_time: time | None = None
    end_time: time | None = None
    place: str = ""
    video_link: str = ""
    #: The page it is about (an endpoint and its arguments), if any.
    endpoint: str | None = None
    args: dict = field(default_factory=dict)
    organisation: Organisation | None = None
    checkin: CheckIn | None = None
    event: ProgrammeEvent | None = None
    status: CheckInStatus | None = None
    #: A survey wave's state.
    state: wave_rules.WaveState | None = None
    overdue: bool = False
    #: The organisations (that the person may see) whose figures or output are not in.
    missing: list[str] = field(default_factory=list)
    #: For the feed: how often it has changed, and when it last did (stored things only).
    sequence: int = 0
    modified: datetime | None = None


@dataclass(frozen=True)
class Month:
    first: date
    items: list[Item]


def _checkins(programme: Programme, org_ids: list[int], today: date) -> list[Item]:
    if not org_ids:
        return []
    rows = db.session.scalars(select(CheckIn).where(CheckIn.programme_id == programme.id,
                                                    CheckIn.organisation_id.in_(org_ids))
                              .options(selectinload(CheckIn.organisation), selectinload(CheckIn.facilitator)))
    return [Item(ItemKind.CHECKIN, f"checkin-{c.id}", c.on, checkin_title(c), start_time=c.start_time,
                 end_time=c.end_time, place=c.place, video_link=c.video_link, endpoint="checkins.checkin",
                 args={"checkin_id": c.id}, organisation=c.organisation, checkin=c, status=c.status,
                 overdue=c.is_overdue(today), sequence=c.version - 1, modified=c.updated_dt) for c in rows]


def _events(programme: Programme) -> list[Item]:
    rows = db.session.scalars(select(ProgrammeEvent).where(ProgrammeEvent.programme_id == programme.id))
    return [Item(ItemKind.EVENT, f"programme-event-{e.id}", e.on, e.display_title, start_time=e.start_time,
                 end_time=e.end_time, place=e.place, video_link=e.video_link, event=e, sequence=e.version - 1,
                 modified=e.updated_dt) for e in rows]


def _surveys(programme: Programme, today: date) -> list[Item]:
    rows = db.session.execute(select(Wave, Survey.title).join(Survey, Survey.id == Wave.survey_id)
                              .where(Survey.programme_id == programme.id).order_by(Survey.id, Wave.number))
    return [Item(ItemKind.SURVEY, f"survey-wave-{wave.id}", wave.opens_on,
                 _("Staff survey “%(title)s”, wave %(n)s", title=title, n=wave.number), until=wave.closes_on,
                 endpoint="surveys.wave", args={"wave_id": wave.id}, state=wave_rules.state(wave, today))
            for wave, title in rows]


def _figures(programme: Programme, orgs: list[Organisation], today: date) -> list[Item]:
    indicators = db.session.scalar(select(func.count(Indicator.id)).where(Indicator.programme_id == programme.id))
    if not indicators:
        return []
    sent = {(org_id, number): count for org_id, number, count in db.session.execute(
        select(Figure.organisation_id, Figure.period_number, func.count(Figure.id))
        .join(Indicator, Indicator.id == Figure.indicator_id)
        .where(Indicator.programme_id == programme.id, Figure.organisation_id.in_([o.id for o in orgs]))
        .group_by(Figure.organisation_id, Figure.period_number))}
    items = []
    for period in period_rules.periods(programme):
        missing = [o.name for o in orgs if sent.get((o.id, period.number), 0) < indicators]
        items.append(Item(ItemKind.FIGURES, f"figures-{programme.id}-{period.number}", period.due,
                          _("Indicator figures due for %(period)s", period=period.label),
                          endpoint="results.tracker", args={"slug": programme.slug},
                          overdue=bool(missing) and today > period.due,
                          missing=missing if today > period.end else []))
    return items


def _outputs(programme: Programme, orgs: list[Organisation], today: date) -> list[Item]:
    outputs = list(db.session.scalars(
        select(Output).join(Outcome, Outcome.id == Output.outcome_id)
        .join(Objective, Objective.id == Outcome.objective_id).where(Objective.programme_id == programme.id)
        .order_by(Objective.number, Outcome.number, Output.number)))
    if not outputs:
        return []
    received = set(db.session.execute(
        select(OutputReceipt.output_id, OutputReceipt.organisation_id, OutputReceipt.period_number)
        .where(OutputReceipt.output_id.in_([o.id for o in outputs]),
               OutputReceipt.organisation_id.in_([o.id for o in orgs]))).all())
    items = []
    for period in period_rules.periods(programme):
        for output in outputs:
            due = period.end + timedelta(days=output.due_days_after_period)
            missing = [o.name for o in orgs if (output.id, o.id, period.number) not in received]
            items.append(Item(ItemKind.OUTPUT, f"output-{output.id}-{period.number}", due,
                              _("Output due for %(period)s: %(output)s", period=period.label,
                                output=output.description),
                              endpoint="results.tracker", args={"slug": programme.slug},
                              overdue=bool(missing) and today > due,
                              missing=missing if today > period.end else []))
    return items


def items(programme: Programme, organisations: list[Organisation], today: date) -> list[Item]:
    """Everything on the programme's calendar that someone who sees ``organisations`` may see, in date order."""
    found = (_checkins(programme, [o.id for o in organisations], today) + _events(programme)
             + _surveys(programme, today) + _figures(programme, organisations, today)
             + _outputs(programme, organisations, today))
    found.sort(key=lambda i: (i.on, _ORDER[i.kind], i.start_time or time.min, i.title))
    return found


def by_month(found: list[Item]) -> list[Month]:
    """The items grouped by the month of their day, months in order."""
    months: dict[date, list[Item]] = defaultdict(list)
    for item in found:
        months[item.on.replace(day=1)].append(item)
    return [Month(first, months[first]) for first in sorted(months)]
