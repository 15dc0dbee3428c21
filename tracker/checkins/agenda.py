"""A check-in's agenda, written from the data since the organisation's previous check-in.

The rules are plain functions over a fixed number of queries (about twenty, whatever the number of cards,
events, figures or responses), and the agenda is plain dataclasses of plain values: ids, codes, titles as
they were, enum values and ISO dates, never sentences. So it can be frozen as JSON when the check-in is held
(:func:`to_json` / :func:`from_json`) and put into words, in the reader's language, whenever it is shown.

"Since" is the moment the organisation's previous check-in was held (the latest held one before this), or
the start of the programme's first day; every date rule uses the UK date of ``today``.
"""

from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal

from sqlalchemy import and_, or_, select

from tracker.board.models import Action, Card, CardEvent, CardEventKind, Kind, Opportunity
from tracker.checkins.models import CheckIn, CheckInArising, CheckInStatus
from tracker.checkins.stalled import stalled_cards, start_of_uk_day
from tracker.core import clock
from tracker.extensions import db
from tracker.programmes.models import Programme
from tracker.results import periods as period_rules
from tracker.results import queries as results_queries
from tracker.results import services as results
from tracker.results.models import (
    Figure,
    Indicator,
    Objective,
    Outcome,
    Output,
    OutputReceipt,
    Unit,
    card_indicator,
)
from tracker.surveys import results as survey_results
from tracker.surveys.models import Question, Survey, Wave

#: How many survey questions the agenda lists, those whose results changed most first.
SURVEY_CHANGES = 5


@dataclass
class CardItem:
    """Something that happened to a card: created, moved, completed, put on hold or archived."""

    card_id: int
    code: str
    title: str
    kind: str
    on: str
    from_column: str | None = None
    to_column: str | None = None


@dataclass
class ActionItem:
    action_id: int
    card_id: int
    code: str
    card_title: str
    text: str
    owner: str
    due_on: str | None
    is_done: bool
    is_overdue: bool
    is_archived: bool = False
    #: An action arising whose card was made for it at the check-in (a new quick win).
    new_card: bool = False


@dataclass
class StalledItem:
    card_id: int
    code: str
    title: str
    column: str
    last_activity_on: str


@dataclass
class MissingFigure:
    indicator_id: int
    code: str
    name: str
    period_number: int
    months_from: int
    months_to: int
    due_on: str
    is_overdue: bool


@dataclass
class MissingOutput:
    output_id: int
    code: str
    description: str
    period_number: int
    months_from: int
    months_to: int
    due_on: str
    is_overdue: bool


@dataclass
class RagChange:
    indicator_id: int
    code: str
    name: str
    old: str
    new: str
    old_period: int
    new_period: int
    old_value: str
    new_value: str
    #: The values are :data:`YES` / :data:`NO`, put into words when shown (a yes/no indicator).
    yes_no: bool = False


@dataclass
class IndicatorBeforeAfter:
    indicator_id: int
    code: str
    name: str
    before_period: int | None
    before: str
    before_rag: str | None
    after_period: int | None
    after: str
    after_rag: str | None
    #: The values are :data:`YES` / :data:`NO`, put into words when shown (a yes/no indicator).
    yes_no: bool = False


@dataclass
class DidIt:
    """A card that moved or was completed since the last check-in, and how its indicators moved."""

    card_id: int
    code: str
    title: str
    #: Where the card went last (a column's value).
    to_column: str
    on: str
    indicators: list[IndicatorBeforeAfter] = field(default_factory=list)


@dataclass
class SurveyChange:
    question_id: int
    text: str
    #: Means of the organisation's answers (Likert 1–5, or 0–10), as text with one decimal place.
    before: str
    after: str
    change: str


@dataclass
class SurveySection:
    survey_id: int
    survey_title: str
    wave_id: int
    wave_number: int
    closes_on: str
    previous_wave_number: int | None
    invited: int
    responses: int
    #: Responses as a whole percentage of invitations; ``None`` without invitations (a shared link).
    rate: int | None
    shared: bool
    #: Fewer responses than the minimum group: the organisation's results are hidden.
    hidden: bool
    minimum: int
    changes: list[SurveyChange] = field(default_factory=list)


@dataclass
class Agenda:
    checkin_id: int
    organisation_id: int
    organisation_name: str
    #: The start of the agenda's window (a UTC moment, ISO) and the UK day it fell on.
    since_dt: str
    since_on: str
    #: The previous held check-in, or ``None`` when the window starts with the programme.
    since_checkin_id: int | None
    since_checkin_on: str | None
    built_on: str
    next_checkin_on: str | None
    #: The period whose figures and outputs were checked (``None`` before the first one ends).
    period_number: int | None = None
    started: list[CardItem] = field(default_factory=list)
    new_quick_wins: list[CardItem] = field(default_factory=list)
    new_ideas: list[CardItem] = field(default_factory=list)
    moved: list[CardItem] = field(default_factory=list)
    completed: list[CardItem] = field(default_factory=list)
    on_hold: list[CardItem] = field(default_factory=list)
    archived: list[CardItem] = field(default_factory=list)
    overdue_actions: list[ActionItem] = field(default_factory=list)
    due_actions: list[ActionItem] = field(default_factory=list)
    stalled: list[StalledItem] = field(default_factory=list)
    stalled_weeks: int = 6
    missing_figures: list[MissingFigure] = field(default_factory=list)
    missing_outputs: list[MissingOutput] = field(default_factory=list)
    rag_changes: list[RagChange] = field(default_factory=list)
    did_it: list[DidIt] = field(default_factory=list)
    survey: SurveySection | None = None
    arising: list[ActionItem] = field(default_factory=list)

    @property
    def is_empty(self) -> bool:
        return not any(getattr(self, name) for name in LISTS) and self.survey is None


LISTS = ("started", "new_quick_wins", "new_ideas", "moved", "completed", "on_hold", "archived", "overdue_actions",
         "due_actions", "stalled", "missing_figures", "missing_outputs", "rag_changes", "did_it", "arising")
_ITEM = {"started": CardItem, "new_quick_wins": CardItem, "new_ideas": CardItem, "moved": CardItem,
         "completed": CardItem, "on_hold": CardItem, "archived": CardItem, "overdue_actions": ActionItem,
         "due_actions": ActionItem, "stalled": StalledItem, "missing_figures": MissingFigure,
         "missing_outputs": MissingOutput, "rag_changes": RagChange, "arising": ActionItem}


def to_json(agenda: Agenda) -> dict:
    """The agenda as JSON values, to freeze in ``CheckIn.agenda``."""
    return asdict(agenda)


def from_json(data: dict) -> Agenda:
    """An agenda frozen by :func:`to_json`, as the same dataclasses (unknown keys are ignored, missing lists
    are empty, so an agenda frozen by an older version still shows)."""
    known = set(Agenda.__dataclass_fields__)
    values = {key: value for key, value in data.items() if key in known and key not in LISTS and key != "survey"}
    for name, item in _ITEM.items():
        values[name] = [_make(item, row) for row in data.get(name) or []]
    values["did_it"] = [DidIt(**{**_fields(DidIt, row), "indicators": [_make(IndicatorBeforeAfter, i) for i in
                                                                       row.get("indicators") or []]})
                        for row in data.get("did_it") or []]
    survey = data.get("survey")
    values["survey"] = SurveySection(**{**_fields(SurveySection, survey), "changes": [
        _make(SurveyChange, c) for c in survey.get("changes") or []]}) if survey else None
    return Agenda(**values)


def _fields(cls, row: dict) -> dict:
    return {key: value for key, value in row.items() if key in cls.__dataclass_fields__}


def _make(cls, row: dict):
    return cls(**_fields(cls, row))


# --- the check-ins around this one -------------------------------------------------------------------


def previous_checkin(checkin: CheckIn) -> CheckIn | None:
    """The organisation's latest held check-in before this one (by date, then by when it was made)."""
    return db.session.scalar(
        select(CheckIn).where(CheckIn.organisation_id == checkin.organisation_id, CheckIn.id != checkin.id,
                              CheckIn.status == CheckInStatus.HELD,
                              or_(CheckIn.on < checkin.on, and_(CheckIn.on == checkin.on, CheckIn.id < checkin.id)))
        .order_by(CheckIn.on.desc(), CheckIn.id.desc()).limit(1))


def next_checkin(checkin: CheckIn) -> CheckIn | None:
    """The organisation's next check-in after this one that is not cancelled."""
    return db.session.scalar(
        select(CheckIn).where(CheckIn.organisation_id == checkin.organisation_id, CheckIn.id != checkin.id,
                              CheckIn.status != CheckInStatus.CANCELLED,
                              or_(CheckIn.on > checkin.on, and_(CheckIn.on == checkin.on, CheckIn.id > checkin.id)))
        .order_by(CheckIn.on, CheckIn.id).limit(1))


def window_start(checkin: CheckIn, previous: CheckIn | None) -> datetime:
    """When the agenda's window opens (naive UTC): when the previous check-in was held, or the start of the
    programme's first day. A previous check-in held without a recorded moment counts from the day after it."""
    if previous is None:
        return start_of_uk_day(checkin.programme.start_date)
    if previous.held_dt is not None:
        return previous.held_dt
    return start_of_uk_day(previous.on + timedelta(days=1))


# --- building it -------------------------------------------------------------------------------------


def _iso(day: date | None) -> str | None:
    return day.isoformat() if day else None


def _code(number: int, lane: int | None) -> str:
    """A card's code from its number and its design opportunity's (as ``Card.code``, without loading either)."""
    return str(number) if lane is None else f"{lane}.{number}"


def _uk_days() -> Callable[[datetime], str]:
    """Stored (naive UTC) moment → its UK day (ISO), each day worked out once: the agenda dates a thousand
    events. The UK is never behind UTC and at most an hour ahead, and its clocks change at 01:00 UTC, so only
    a moment in the 23:00 hour can fall on the next UK day."""
    days: dict[date, str] = {}
    late: dict[date, str] = {}

    def day_of(moment: datetime) -> str:
        if moment.tzinfo is not None:
            return clock.uk_date_of(moment).isoformat()
        day = moment.date()
        if moment.hour < 23:
            found = days.get(day)
            if found is None:
                found = days[day] = day.isoformat()
            return found
        found = late.get(day)
        if found is None:
            found = late[day] = clock.uk_date_of(datetime.combine(day, time(23))).isoformat()
        return found

    return day_of


def _action_rows(stmt, today: date, *extra) -> list[tuple[ActionItem, tuple]]:
    """Actions as plain rows with their card's code and their owner's name joined (one statement, whatever the
    number of actions or owners); each with the values of ``extra`` columns."""
    from tracker.accounts.models import User

    stmt = (stmt.add_columns(Action.id, Card.id, Card.number, Opportunity.number, Card.title, Action.text, User.name,
                             Action.due_on, Action.is_done, Action.archived_dt, Card.archived_dt, *extra)
            .join(Card, Card.id == Action.card_id).outerjoin(Opportunity, Opportunity.id == Card.opportunity_id)
            .outerjoin(User, User.id == Action.owner_id))
    found = []
    for (action_id, card_id, number, lane, title, text, owner, due_on, is_done, archived_dt, card_archived_dt,
         *more) in db.session.execute(stmt):
        found.append((ActionItem(action_id, card_id, _code(number, lane), title, text, owner or "", _iso(due_on),
                                 is_done, not is_done and due_on is not None and due_on < today,
                                 archived_dt is not None or card_archived_dt is not None), tuple(more)))
    return found


#: A yes/no indicator's figure on an agenda: a word of no language, so that one agenda (kept, or frozen when
#: the check-in is held) is read in each reader's.
YES, NO = "yes", "no"


def _value(indicator: Indicator, row) -> str:
    if row is None:
        return ""
    if indicator.unit == Unit.YES_NO:
        return YES if row.flag else NO
    return results.display_value(indicator, row)


def _comparable(indicator: Indicator, row) -> Decimal | None:
    if row is None:
        return None
    return results_queries.comparable(indicator.unit, row.value, row.numerator, row.denominator)


def build(checkin: CheckIn, today: date | None = None) -> Agenda:
    """The agenda of a check-in as the data stands now.

    :param today: the UK date the rules use (``clock.today()`` unless given).
    """
    today = today or clock.today()
    org, programme = checkin.organisation, checkin.programme
    previous = previous_checkin(checkin)
    following = next_checkin(checkin)
    since = window_start(checkin, previous)
    horizon = following.on if following else period_rules.add_months(today, programme.checkin_interval_months)
    agenda = Agenda(checkin.id, org.id, org.name, since.isoformat(), clock.uk_date_of(since).isoformat(),
                    previous.id if previous else None, _iso(previous.on) if previous else None, today.isoformat(),
                    _iso(following.on) if following else None, stalled_weeks=programme.stalled_weeks)
    day_of = _uk_days()
    moved_cards = _cards(agenda, org, since, day_of)
    _actions(agenda, org, today, horizon)
    agenda.stalled = [StalledItem(s.card_id, s.code, s.title, s.column, day_of(s.last_activity_dt))
                      for s in stalled_cards([org.id], today, programme.stalled_weeks).get(org.id, [])]
    _results(agenda, programme, org, today, moved_cards)
    agenda.survey = _survey(programme, org.id, today)
    if previous is not None:
        agenda.arising = arising_items(previous, today)
    return agenda


def _cards(agenda: Agenda, org, since: datetime, day_of: Callable[[datetime], str]) -> dict[int, DidIt]:
    """The board's news since ``since`` (one statement); returns the cards that moved or were completed, by id,
    for the "did it?" section."""
    stmt = (select(CardEvent.kind, CardEvent.at_dt, CardEvent.from_column, CardEvent.to_column, Card.id,
                   Card.number, Opportunity.number, Card.title, Card.kind)
            .join(Card, Card.id == CardEvent.card_id).outerjoin(Opportunity, Opportunity.id == Card.opportunity_id)
            .where(Card.organisation_id == org.id, CardEvent.at_dt >= since, CardEvent.kind.in_(_NEWS))
            .order_by(CardEvent.at_dt, CardEvent.id))
    lists = {CardEventKind.MOVED: agenda.moved, CardEventKind.COMPLETED: agenda.completed,
             CardEventKind.PUT_ON_HOLD: agenda.on_hold, CardEventKind.ARCHIVED: agenda.archived}
    created = {Kind.QUICK_WIN: agenda.new_quick_wins, Kind.IDEA: agenda.new_ideas}
    moved: dict[int, DidIt] = {}
    # Plain rows, archived cards included (their archiving is news too): a thousand events as ORM objects
    # with their cards cost more than the rest of the agenda.
    for kind, at_dt, from_column, to_column, card_id, number, lane, title, card_kind in db.session.execute(stmt):
        code, on = _code(number, lane), day_of(at_dt)
        to_value = to_column.value if to_column else None
        item = CardItem(card_id, code, title, card_kind.value, on, from_column.value if from_column else None,
                        to_value)
        if kind == CardEventKind.CREATED:
            created.get(card_kind, agenda.started).append(item)
        else:
            lists[kind].append(item)
            if kind in _DID_IT:
                moved[card_id] = DidIt(card_id, code, title, to_value or "", on)
    return moved


#: The board's news on an agenda, and the moves that ask "did it?".
_NEWS = (CardEventKind.CREATED, CardEventKind.MOVED, CardEventKind.COMPLETED, CardEventKind.PUT_ON_HOLD,
         CardEventKind.ARCHIVED)
_DID_IT = (CardEventKind.MOVED, CardEventKind.COMPLETED)


def _actions(agenda: Agenda, org, today: date, horizon: date) -> None:
    """Open actions of the cards on the board that are overdue, or due by the next check-in (one statement)."""
    stmt = (select().select_from(Action)
            .where(Card.organisation_id == org.id, Card.archived_dt.is_(None), Opportunity.archived_dt.is_(None),
                   Action.archived_dt.is_(None), Action.is_done.is_(False), Action.due_on.is_not(None),
                   Action.due_on <= horizon)
            .order_by(Action.due_on, Action.id))
    for item, _extra in _action_rows(stmt, today):
        (agenda.overdue_actions if item.is_overdue else agenda.due_actions).append(item)


def _results(agenda: Agenda, programme: Programme, org, today: date, moved: dict[int, DidIt]) -> None:
    """Figures and outputs missing for the last period that ended, indicators whose green/amber/red changed
    between the period before it and it, and "did it?" for the cards that moved (four statements)."""
    indicators = {i.id: i for i in db.session.scalars(
        select(Indicator).join(Outcome, Outcome.id == Indicator.outcome_id)
        .join(Objective, Objective.id == Outcome.objective_id)
        .where(Indicator.programme_id == programme.id)
        .order_by(Objective.number, Outcome.number, Indicator.number))}
    figures = {(row.indicator_id, row.period_number): row for row in db.session.execute(
        select(Figure.indicator_id, Figure.period_number, Figure.value, Figure.numerator, Figure.denominator,
               Figure.flag, Figure.narrative)
        .where(Figure.organisation_id == org.id, Figure.indicator_id.in_(list(indicators) or [0])))}
    ended = [p for p in period_rules.periods(programme) if p.end < today]
    last = ended[-1] if ended else None
    said = _figure_words(figures, programme.rag_band_percent)
    if last is not None:
        agenda.period_number = last.number
        for indicator in indicators.values():
            if (indicator.id, last.number) not in figures:
                agenda.missing_figures.append(MissingFigure(
                    indicator.id, indicator.code, indicator.name, last.number, last.months_from, last.months_to,
                    last.due.isoformat(), last.is_overdue(today)))
        _outputs(agenda, programme, org, last, today)
    if len(ended) >= 2:
        before = ended[-2]
        for indicator in indicators.values():
            old_row, new_row = figures.get((indicator.id, before.number)), figures.get((indicator.id, last.number))
            if old_row is None or new_row is None:
                continue
            old, new = said(indicator, before.number)[1], said(indicator, last.number)[1]
            if old != new and results.Rag.NO_TARGET not in (old, new):
                agenda.rag_changes.append(RagChange(indicator.id, indicator.code, indicator.name, old.value,
                                                    new.value, before.number, last.number,
                                                    said(indicator, before.number)[0],
                                                    said(indicator, last.number)[0],
                                                    indicator.unit == Unit.YES_NO))
    if moved:
        _did_it(agenda, programme, indicators, figures, moved, said)


def _figure_words(figures: dict, band: int) -> Callable:
    """``said(indicator, period)``: a reported figure as shown and its green/amber/red, each worked out once
    (a hundred moved cards ask about the same few hundred figures again and again)."""
    known: dict[tuple[int, int], tuple[str, results.Rag]] = {}

    def said(indicator: Indicator, period: int) -> tuple[str, results.Rag]:
        key = (indicator.id, period)
        found = known.get(key)
        if found is None:
            row = figures[key]
            found = known[key] = (_value(indicator, row), results.rag(indicator, _comparable(indicator, row), band))
        return found

    return said


def _outputs(agenda: Agenda, programme: Programme, org, last: period_rules.Period, today: date) -> None:
    outputs = list(db.session.execute(
        select(Output, Outcome.number, Objective.number).join(Outcome, Outcome.id == Output.outcome_id)
        .join(Objective, Objective.id == Outcome.objective_id)
        .outerjoin(OutputReceipt, and_(OutputReceipt.output_id == Output.id, OutputReceipt.organisation_id == org.id,
                                       OutputReceipt.period_number == last.number))
        .where(Objective.programme_id == programme.id, OutputReceipt.id.is_(None))
        .order_by(Objective.number, Outcome.number, Output.number)))
    for output, outcome_number, objective_number in outputs:
        status = results.output_status(output, last, None, today)
        if status in (results.OutputStatus.DUE, results.OutputStatus.OVERDUE):
            due = last.end + timedelta(days=output.due_days_after_period)
            agenda.missing_outputs.append(MissingOutput(
                output.id, f"{objective_number}.{outcome_number}.{output.number}", output.description,
                last.number, last.months_from, last.months_to, due.isoformat(),
                status == results.OutputStatus.OVERDUE))


def _did_it(agenda: Agenda, programme: Programme, indicators: dict, figures: dict, moved: dict[int, DidIt],
            said: Callable) -> None:
    """For each moved card linked to indicators: each indicator's latest figure for a period that ended
    before the card's move, and its latest figure since (one statement for the links)."""
    links = db.session.execute(select(card_indicator.c.card_id, card_indicator.c.indicator_id)
                               .where(card_indicator.c.card_id.in_(list(moved))))
    by_card: dict[int, list[int]] = {}
    for card_id, indicator_id in links:
        by_card.setdefault(card_id, []).append(indicator_id)
    every = period_rules.periods(programme)
    order = {indicator_id: n for n, indicator_id in enumerate(indicators)}
    reported = {indicator_id: [p.number for p in every if (indicator_id, p.number) in figures]
                for indicator_id in indicators}
    for card_id, item in moved.items():
        if card_id not in by_card:
            continue
        moved_on = date.fromisoformat(item.on)
        for indicator_id in sorted(by_card[card_id], key=lambda i: order.get(i, 0)):
            indicator = indicators.get(indicator_id)
            if indicator is None:
                continue
            numbers = reported[indicator_id]
            before = max((n for n in numbers if every[n - 1].end < moved_on), default=None)
            after = max((n for n in numbers if before is None or n > before), default=None)
            old = said(indicator, before) if before else ("", None)
            new = said(indicator, after) if after else ("", None)
            item.indicators.append(IndicatorBeforeAfter(
                indicator_id, indicator.code, indicator.name, before, old[0], old[1].value if old[1] else None,
                after, new[0], new[1].value if new[1] else None, indicator.unit == Unit.YES_NO))
        agenda.did_it.append(item)


def _survey(programme: Programme, organisation_id: int, today: date) -> SurveySection | None:
    """The latest closed wave of the programme's surveys: the organisation's response rate and the questions
    whose mean changed most since the survey's previous closed wave, where both waves' cells are shown under
    the minimum group rule (a hidden cell is never compared)."""
    waves = list(db.session.execute(
        select(Wave, Survey.title).join(Survey, Survey.id == Wave.survey_id)
        .where(Survey.programme_id == programme.id, Wave.closes_on < today)
        .order_by(Wave.closes_on.desc(), Wave.id.desc())))
    if not waves:
        return None
    latest, title = waves[0]
    previous = next((w for w, _t in waves[1:] if w.survey_id == latest.survey_id and w.number < latest.number), None)
    ids = [latest.id] + ([previous.id] if previous else [])
    counts = survey_results.load_counts(ids, closed=ids)
    minimum = survey_results.minimum_group(programme)
    questions = list(db.session.scalars(select(Question).where(
        Question.survey_id == latest.survey_id, Question.kind.in_(survey_results.SCALED)).order_by(Question.position)))
    now = survey_results.wave_results(questions, counts[latest.id], minimum, detail=(organisation_id,))
    summary = now.summary(organisation_id)
    section = SurveySection(latest.survey_id, title, latest.id, latest.number, latest.closes_on.isoformat(),
                            previous.number if previous else None, summary.invited, summary.responses,
                            int(summary.rate) if summary.rate is not None else None, summary.shared,
                            summary.hidden is not None, minimum)
    if previous is None:
        return section
    before = survey_results.wave_results(questions, counts[previous.id], minimum, detail=(organisation_id,))
    changes = []
    for question in questions:
        new_q, old_q = now.question(question.id), before.question(question.id)
        if new_q is None or old_q is None:
            continue
        new_cell, old_cell = new_q.cell(organisation_id), old_q.cell(organisation_id)
        if not (new_cell.shown and old_cell.shown) or new_cell.mean is None or old_cell.mean is None:
            continue
        delta = new_cell.mean - old_cell.mean
        changes.append((abs(delta), question.position, SurveyChange(
            question.id, question.text, str(old_cell.mean), str(new_cell.mean), f"{delta:+.1f}")))
    section.changes = [c for _size, _pos, c in sorted(changes, key=lambda c: (-c[0], c[1]))
                       if Decimal(c.change) != 0][:SURVEY_CHANGES]
    return section


def arising_items(checkin: CheckIn, today: date) -> list[ActionItem]:
    """The actions arising from a check-in, each with its state now (two statements)."""
    stmt = (select().select_from(Action).join(CheckInArising, CheckInArising.action_id == Action.id)
            .where(CheckInArising.checkin_id == checkin.id).order_by(CheckInArising.id))
    items = []
    for item, (is_new_card,) in _action_rows(stmt, today, CheckInArising.is_new_card):
        item.new_card = is_new_card
        items.append(item)
    return items


def freeze(checkin: CheckIn, today: date | None = None) -> None:
    """Keep the agenda as it stands now in the check-in (the caller commits, in the same transaction as the
    change that held it)."""
    checkin.agenda = to_json(build(checkin, today))
    checkin.held_dt = clock.now().astimezone(UTC).replace(tzinfo=None)

