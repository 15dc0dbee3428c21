"""The facilitator's overview of a programme: one row per participating organisation, to read on a Monday
morning instead of three councils' spreadsheets.

Each figure comes from the rule that owns it, never a copy of it: cards on the board (``board.queries.on_board``),
stalled cards (``checkins.stalled``), progress against target (``results.services.rag`` on the organisation's
own latest figure, compared as the tracker compares it), figures missing for the last period whose figures
are overdue (as the tracker marks them "Missing"), and the latest closed staff survey wave's response rate
under the survey results' minimum group rule. Every figure is one aggregate statement for all the
organisations, so the page costs the same statements for three councils as for fifty.
"""

from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal

from flask_babel import gettext
from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, case, func, select

from tracker.board.models import Action, Card, CardEvent, CardEventKind, RoadmapColumn
from tracker.board.queries import on_board
from tracker.checkins.models import CheckIn, CheckInRag, CheckInStatus
from tracker.checkins.stalled import stalled_cards, start_of_uk_day
from tracker.exchange.files import Table
from tracker.exchange.tables import rag_word
from tracker.extensions import db
from tracker.programmes.models import Organisation, Programme
from tracker.results import periods as period_rules
from tracker.results import queries as result_queries
from tracker.results import services as result_services
from tracker.results.models import Figure, Indicator
from tracker.surveys import invitations
from tracker.surveys import results as survey_results
from tracker.surveys.models import Survey, Wave

COLUMNS = tuple(RoadmapColumn)
#: The downloaded workbook's one sheet.
SHEET_NAME = _l("Overview")


@dataclass(frozen=True)
class CheckInSummary:
    id: int
    on: date
    rag: CheckInRag | None
    #: Still scheduled after its day.
    overdue: bool = False
    #: When it was marked held (UTC): its agenda was frozen then, so what came after is news.
    held_dt: datetime | None = None


@dataclass(frozen=True)
class IndicatorRag:
    """One indicator's progress against target for one organisation, on its latest figure."""

    indicator_id: int
    code: str
    name: str
    rag: result_services.Rag
    #: The period of the figure judged (``None``: no figure yet).
    period_number: int | None


@dataclass(frozen=True)
class WaveInfo:
    id: int
    number: int
    survey_title: str
    closes_on: date


@dataclass(frozen=True)
class Response:
    """An organisation's part in the latest closed wave, as the survey results would show it."""

    invited: int
    #: ``None`` when the results hide the group (fewer responses than the minimum): never shown or sorted.
    responses: int | None
    #: Responses as a percentage of invitations; ``None`` when hidden or without invitations (a shared link).
    rate: Decimal | None
    hidden: bool
    shared_link: bool


@dataclass
class Row:
    organisation: Organisation
    #: Cards on the board, by column.
    columns: dict[RoadmapColumn, int]
    #: Cards completed since ``since`` (UTC): the last held check-in, or the programme's start.
    completed_since: int
    since: datetime
    overdue_actions: int
    stalled: int
    indicators: list[IndicatorRag]
    #: Indicators without this organisation's figure for ``missing_period``; ``None`` before any is overdue.
    missing_figures: int | None
    missing_period: period_rules.Period | None
    wave: WaveInfo | None
    response: Response | None
    last_checkin: CheckInSummary | None
    next_checkin: CheckInSummary | None
    rag_counts: dict[result_services.Rag, int] = field(init=False)

    def __post_init__(self):
        counts = dict.fromkeys(result_services.Rag, 0)
        for item in self.indicators:
            counts[item.rag] += 1
        self.rag_counts = counts


def overview(programme: Programme, today: date) -> list[Row]:
    """One row per participating organisation, in name order, in a fixed number of statements.

    :param today: the UK date every rule (overdue, stalled, due, closed) is judged on.
    """
    organisations = list(programme.organisations)
    ids = [org.id for org in organisations]
    checkins = _checkins(programme, today)
    start = start_of_uk_day(programme.start_date)
    since = {org_id: (_since(last) if (last := checkins[org_id][0]) else start) for org_id in ids}
    columns = _columns(ids)
    completed = _completed_since(ids, since, start)
    overdue = _overdue_actions(ids, today)
    stalled = stalled_cards(ids, today, programme.stalled_weeks) if ids else {}
    indicators = result_queries.indicators(programme)
    latest = _latest_figures(programme, ids)
    band = programme.rag_band_percent
    missing_period = next((p for p in reversed(period_rules.periods(programme))
                           if p.has_started(today) and p.is_overdue(today)), None)
    reported = _reported(programme, ids, missing_period)
    closed_wave, wave = _latest_closed_wave(programme, today)
    responses = _responses(programme, closed_wave, organisations)
    rows = []
    for org in organisations:
        judged = []
        for indicator in indicators:
            figure = latest.get((indicator.id, org.id))
            actual = (result_queries.comparable(indicator.unit, figure.value, figure.numerator, figure.denominator)
                      if figure is not None else None)
            judged.append(IndicatorRag(indicator.id, indicator.code, indicator.name,
                                       result_services.rag(indicator, actual, band),
                                       figure.period_number if figure is not None else None))
        last_held, next_one = checkins[org.id]
        rows.append(Row(
            organisation=org, columns={column: columns.get((org.id, column), 0) for column in COLUMNS},
            completed_since=completed.get(org.id, 0), since=since[org.id], overdue_actions=overdue.get(org.id, 0),
            stalled=len(stalled.get(org.id, [])), indicators=judged,
            missing_figures=len(indicators) - reported.get(org.id, 0) if missing_period else None,
            missing_period=missing_period, wave=wave, response=responses.get(org.id), last_checkin=last_held,
            next_checkin=next_one))
    return rows


# --- the statements ----------------------------------------------------------------------------------


def _since(last: CheckInSummary) -> datetime:
    """Since the moment it was marked held, or the start of its day when nobody recorded that moment."""
    return last.held_dt or start_of_uk_day(last.on)


def _checkins(programme: Programme, today: date) -> dict[int, tuple[CheckInSummary | None, CheckInSummary | None]]:
    """Organisation id → (the last held check-in, the next scheduled one: the earliest still scheduled, which
    is overdue when its day has passed)."""
    found: dict[int, list] = {org.id: [None, None] for org in programme.organisations}
    rows = db.session.execute(
        select(CheckIn.id, CheckIn.organisation_id, CheckIn.on, CheckIn.status, CheckIn.rag, CheckIn.held_dt)
        .where(CheckIn.programme_id == programme.id, CheckIn.status != CheckInStatus.CANCELLED)
        .order_by(CheckIn.on, CheckIn.id))
    for checkin_id, org_id, on, status, rag, held_dt in rows:
        pair = found.setdefault(org_id, [None, None])
        if status == CheckInStatus.HELD:
            pair[0] = CheckInSummary(checkin_id, on, rag, False, held_dt)  # later ones replace earlier ones
        elif pair[1] is None:
            pair[1] = CheckInSummary(checkin_id, on, None, on < today)
    return {org_id: (pair[0], pair[1]) for org_id, pair in found.items()}


def _columns(ids: list[int]) -> dict[tuple[int, RoadmapColumn], int]:
    if not ids:
        return {}
    stmt = (on_board(select(Card.organisation_id, Card.column, func.count(Card.id)))
            .where(Card.organisation_id.in_(ids)).group_by(Card.organisation_id, Card.column))
    return {(org_id, RoadmapColumn(column)): n for org_id, column, n in db.session.execute(stmt)}


def _completed_since(ids: list[int], since: dict[int, datetime], start: datetime) -> dict[int, int]:
    """Cards completed (a "completed" event) since each organisation's own moment, in one statement: the
    moment is chosen per row by a ``CASE`` on the organisation."""
    if not ids:
        return {}
    moment = case({org_id: since[org_id] for org_id in ids}, value=Card.organisation_id, else_=start)
    stmt = (select(Card.organisation_id, func.count(func.distinct(CardEvent.card_id)))
            .join(Card, Card.id == CardEvent.card_id)
            .where(Card.organisation_id.in_(ids), CardEvent.kind == CardEventKind.COMPLETED,
                   CardEvent.at_dt >= moment)
            .group_by(Card.organisation_id))
    return dict(db.session.execute(stmt).all())


def _overdue_actions(ids: list[int], today: date) -> dict[int, int]:
    """Actions not done, not archived and past their due day, on cards on the board."""
    if not ids:
        return {}
    stmt = (on_board(select(Card.organisation_id, func.count(Action.id)).join(Action, Action.card_id == Card.id))
            .where(Card.organisation_id.in_(ids), Action.is_done.is_(False), Action.archived_dt.is_(None),
                   Action.due_on < today)
            .group_by(Card.organisation_id))
    return dict(db.session.execute(stmt).all())


def _latest_figures(programme: Programme, ids: list[int]) -> dict[tuple[int, int], Figure]:
    """(indicator id, organisation id) → the organisation's figure of the latest period it reported."""
    if not ids:
        return {}
    latest = (select(Figure.indicator_id, Figure.organisation_id, func.max(Figure.period_number).label("period"))
              .join(Indicator, Indicator.id == Figure.indicator_id)
              .where(Indicator.programme_id == programme.id, Figure.organisation_id.in_(ids))
              .group_by(Figure.indicator_id, Figure.organisation_id).subquery())
    stmt = (select(Figure.indicator_id, Figure.organisation_id, Figure.period_number, Figure.value, Figure.numerator,
                   Figure.denominator)
            .join(latest, and_(latest.c.indicator_id == Figure.indicator_id,
                               latest.c.organisation_id == Figure.organisation_id,
                               latest.c.period == Figure.period_number)))
    return {(row.indicator_id, row.organisation_id): row for row in db.session.execute(stmt)}


def _reported(programme: Programme, ids: list[int], period: period_rules.Period | None) -> dict[int, int]:
    """Organisation id → how many indicators it has a figure for in ``period``."""
    if not ids or period is None:
        return {}
    stmt = (select(Figure.organisation_id, func.count(Figure.id)).join(Indicator, Indicator.id == Figure.indicator_id)
            .where(Indicator.programme_id == programme.id, Figure.organisation_id.in_(ids),
                   Figure.period_number == period.number)
            .group_by(Figure.organisation_id))
    return dict(db.session.execute(stmt).all())


def _latest_closed_wave(programme: Programme, today: date) -> tuple[Wave | None, WaveInfo | None]:
    """The programme's staff survey wave that closed last (a wave is closed after its closing day)."""
    row = db.session.execute(
        select(Wave, Survey.title).join(Survey, Survey.id == Wave.survey_id)
        .where(Survey.programme_id == programme.id, Wave.closes_on < today)
        .order_by(Wave.closes_on.desc(), Wave.id.desc()).limit(1)).first()
    if row is None:
        return None, None
    wave, title = row
    return wave, WaveInfo(wave.id, wave.number, title, wave.closes_on)


def _responses(programme: Programme, wave: Wave | None, organisations: list[Organisation]) -> dict[int, Response]:
    """Each organisation's invitations and responses to ``wave``, hidden as the survey results hide them."""
    if wave is None or not organisations:
        return {}
    minimum = survey_results.minimum_group(programme)
    found = {}
    for counts in invitations.wave_counts(wave, organisations):
        hidden = 0 < counts.responses < minimum
        summary = survey_results.OrganisationSummary(
            counts.organisation.id, counts.invited, counts.responses, counts.shared_link,
            survey_results.Hidden.FEW_RESPONSES if hidden else None)
        found[counts.organisation.id] = Response(counts.invited, None if hidden else counts.responses,
                                                None if hidden else summary.rate, hidden, counts.shared_link)
    return found


# --- sorting -----------------------------------------------------------------------------------------

_RAG_ORDER = {CheckInRag.GREEN: 1, CheckInRag.AMBER: 2, CheckInRag.RED: 3}


def _column_count(column: RoadmapColumn):
    return lambda row: row.columns[column]


def _rag_count(rag: result_services.Rag):
    return lambda row: row.rag_counts[rag]


#: The judgements the page counts, each a column (indicators without a target are the same for everyone).
RAG_COLUMNS = (result_services.Rag.OFF_TRACK, result_services.Rag.AHEAD, result_services.Rag.ON_TRACK,
               result_services.Rag.NO_FIGURES)

#: Sort name → (heading, the value sorted on, the direction a first click sorts in). A ``None`` value (no
#: check-in yet, a hidden response rate) always sorts last, whichever the direction, so a hidden group's
#: size can never be read from its place in the table.
SORTS = {
    "organisation": (_l("Organisation"), lambda row: row.organisation.name.casefold(), "asc"),
    **{column.value: (column.label, _column_count(column), "desc") for column in COLUMNS},
    "completed_since": (_l("Completed since last check-in"), lambda row: row.completed_since, "desc"),
    "overdue": (_l("Overdue actions"), lambda row: row.overdue_actions, "desc"),
    "stalled": (_l("Stalled cards"), lambda row: row.stalled, "desc"),
    **{rag.value: (label, _rag_count(rag), "desc") for rag, label in (
        (result_services.Rag.OFF_TRACK, _l("Off track")), (result_services.Rag.AHEAD, _l("Ahead of target")),
        (result_services.Rag.ON_TRACK, _l("On track")), (result_services.Rag.NO_FIGURES, _l("No figures yet")))},
    "missing": (_l("Missing figures"), lambda row: row.missing_figures, "desc"),
    "response": (_l("Staff survey response rate"),
                 lambda row: row.response.rate if row.response is not None else None, "desc"),
    "last_checkin": (_l("Last check-in"), lambda row: row.last_checkin.on if row.last_checkin else None, "desc"),
    "last_rag": (_l("Last check-in RAG"), lambda row: _RAG_ORDER.get(row.last_checkin.rag)
                 if row.last_checkin and row.last_checkin.rag else None, "desc"),
    "next_checkin": (_l("Next check-in"), lambda row: row.next_checkin.on if row.next_checkin else None, "asc"),
}
DEFAULT_SORT = "organisation"


def sort_rows(rows: list[Row], sort: str, direction: str) -> list[Row]:
    """``rows`` sorted by the named column (``SORTS``), ``asc`` or ``desc``; ties (and empty values, always
    last) in organisation name order. An unknown name sorts by organisation."""
    _label, key, _first = SORTS.get(sort, SORTS[DEFAULT_SORT])
    by_name = sorted(rows, key=lambda row: (row.organisation.name.casefold(), row.organisation.id))
    present = [row for row in by_name if key(row) is not None]
    empty = [row for row in by_name if key(row) is None]
    return sorted(present, key=key, reverse=direction == "desc") + empty


# --- the downloads -----------------------------------------------------------------------------------


def export_table(rows: list[Row], minimum: int) -> Table:
    """The overview as one table for .xlsx and .csv, in the page's order: the page's columns (progress
    against target as a count per judgement), then each indicator's judgement in words. Numbers stay numbers;
    a hidden response rate is the words the page shows, never a number.

    :param minimum: the programme's minimum group size (``surveys.results.minimum_group``), for the words.
    """
    first = rows[0] if rows else None
    period = first.missing_period if first else None
    wave = first.wave if first else None
    judgements = (result_services.Rag.OFF_TRACK, result_services.Rag.AHEAD, result_services.Rag.ON_TRACK,
                  result_services.Rag.NO_FIGURES, result_services.Rag.NO_TARGET)
    header = [gettext("Organisation"), *(column.label for column in COLUMNS), gettext("Completed since last check-in"),
              gettext("Overdue actions"), gettext("Stalled cards"),
              *(gettext("Indicators: %(judgement)s", judgement=rag.label) for rag in judgements),
              gettext("Missing figures (%(period)s)", period=period.label) if period else gettext("Missing figures"),
              gettext("Staff survey responses (%(survey)s, wave %(n)s)", survey=wave.survey_title, n=wave.number)
              if wave else gettext("Staff survey responses"),
              gettext("Response rate (%)"), gettext("Last check-in"), gettext("Last check-in RAG"),
              gettext("Next check-in"),
              *(f"{item.code} {item.name}" for item in (first.indicators if first else []))]
    hidden = survey_results.hidden_short(survey_results.Hidden.FEW_RESPONSES, minimum)
    table = [header]
    for row in rows:
        response = row.response
        last, upcoming = row.last_checkin, row.next_checkin
        table.append([
            row.organisation.name, *(row.columns[column] for column in COLUMNS), row.completed_since,
            row.overdue_actions, row.stalled, *(row.rag_counts[rag] for rag in judgements), row.missing_figures,
            (hidden if response.hidden else response.responses) if response else None,
            (hidden if response.hidden else response.rate) if response else None,
            last.on if last else None, last.rag.label if last and last.rag else None,
            upcoming.on if upcoming else None,
            *(rag_word(item.rag) for item in row.indicators)])
    return Table(table)
