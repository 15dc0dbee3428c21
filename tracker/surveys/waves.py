"""A survey's waves: one each survey interval from the programme's start, across the evaluation.

Wave 1 opens on the programme's start date (a baseline), wave 2 one survey interval later, and so on
while the evaluation lasts (12 months every 3 months: waves at 0, 3, 6, 9 and 12 months). Each stays
open ``survey.open_days`` days. The dates are stored so that a facilitator can move them; the state
(scheduled, open, closed) is derived from them and the UK date, never stored.
"""

import enum
from dataclasses import dataclass
from datetime import date, timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from tracker.core import clock
from tracker.extensions import db
from tracker.programmes.models import Programme
from tracker.results.periods import add_months
from tracker.surveys.models import Survey, Wave


class WaveState(enum.StrEnum):
    SCHEDULED = "scheduled"
    OPEN = "open"
    CLOSED = "closed"

    @property
    def label(self) -> str:
        return str({"scheduled": _l("Scheduled"), "open": _l("Open"), "closed": _l("Closed")}[self.value])


class WaveError(ValueError):
    """A rule about a wave's dates was broken; the message is shown to the user."""


@dataclass(frozen=True)
class WaveDates:
    number: int
    opens_on: date
    closes_on: date


def calendar(programme: Programme, open_days: int) -> list[WaveDates]:
    """The waves the programme's dates call for (not what is stored: see :func:`ensure_waves`)."""
    step = programme.survey_interval_months
    waves, months, number = [], 0, 1
    while months <= programme.evaluation_months:
        opens = add_months(programme.start_date, months)
        waves.append(WaveDates(number, opens, opens + timedelta(days=max(open_days, 1) - 1)))
        months, number = months + step, number + 1
    return waves


def ensure_waves(survey: Survey) -> list[Wave]:
    """Create the waves the calendar calls for that the survey does not have yet (by number); waves that
    exist keep the dates a facilitator may have given them."""
    have = {wave.number for wave in survey.waves}
    for planned in calendar(survey.programme, survey.open_days):
        if planned.number not in have:
            survey.waves.append(Wave(number=planned.number, opens_on=planned.opens_on, closes_on=planned.closes_on))
    db.session.flush()
    return list(survey.waves)


def state(wave: Wave, today: date | None = None) -> WaveState:
    """Scheduled before its opening day, open from it to its closing day (both included), closed after."""
    today = today or clock.today()
    if today < wave.opens_on:
        return WaveState.SCHEDULED
    if today <= wave.closes_on:
        return WaveState.OPEN
    return WaveState.CLOSED


def move(wave: Wave, *, opens_on: date, closes_on: date, today: date | None = None) -> None:
    """Give a wave new dates.

    :raises WaveError: it would close before it opens, or a closed wave would open again (its addresses
        may already be deleted).
    """
    today = today or clock.today()
    if closes_on < opens_on:
        raise WaveError(_l("The closing date must be the same as or after the opening date"))
    if state(wave, today) == WaveState.CLOSED and closes_on >= today:
        raise WaveError(_l("This wave has closed: it cannot open again"))
    wave.opens_on, wave.closes_on = opens_on, closes_on
    db.session.flush()


def current_or_next(survey: Survey, today: date | None = None) -> Wave | None:
    """The wave that is open, else the next one scheduled, else the last one."""
    today = today or clock.today()
    waves = list(db.session.scalars(select(Wave).where(Wave.survey_id == survey.id).order_by(Wave.number)))
    for wave in waves:
        if state(wave, today) != WaveState.CLOSED:
            return wave
    return waves[-1] if waves else None
