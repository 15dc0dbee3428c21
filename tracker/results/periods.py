"""Reporting periods, derived from the programme's start date and reporting interval.

Period 1 is "0–3 months since start date", period 2 "3–6 months" and so on across the evaluation
length. Nothing about periods is stored: figures keep their period number, so changing the start date
moves the periods and the figures stay attached to them.
"""

import calendar
from dataclasses import dataclass
from datetime import date, timedelta

from flask_babel import gettext as _

from tracker.programmes.models import Programme


def add_months(day: date, months: int) -> date:
    """``day`` moved by whole months, clamped to the end of a shorter month (31 Jan + 1 = 28/29 Feb)."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


@dataclass(frozen=True)
class Period:
    number: int
    months_from: int
    months_to: int
    start: date
    #: The last day of the period.
    end: date
    #: Figures are due by this day …
    due: date
    #: … and locked after this day.
    locks: date

    @property
    def label(self) -> str:
        return _("%(a)s–%(b)s months since start date", a=self.months_from, b=self.months_to)

    def has_started(self, today: date) -> bool:
        return today >= self.start

    def is_locked(self, today: date) -> bool:
        return today > self.locks

    def is_overdue(self, today: date) -> bool:
        return today > self.due


def periods(programme: Programme) -> list[Period]:
    """Every reporting period of the programme's evaluation."""
    step = programme.reporting_interval_months
    result = []
    months_from, number = 0, 1
    while months_from < programme.evaluation_months:
        months_to = min(months_from + step, programme.evaluation_months)
        start = add_months(programme.start_date, months_from)
        end = add_months(programme.start_date, months_to) - timedelta(days=1)
        result.append(Period(number, months_from, months_to, start, end,
                             end + timedelta(days=programme.figures_due_days),
                             end + timedelta(days=programme.figures_lock_days)))
        months_from, number = months_to, number + 1
    return result


def period(programme: Programme, number: int) -> Period | None:
    return next((p for p in periods(programme) if p.number == number), None)


def current_period(programme: Programme, today: date) -> Period | None:
    """The latest period that has started (``None`` before the programme starts)."""
    started = [p for p in periods(programme) if p.has_started(today)]
    return started[-1] if started else None
