"""The results tracker and the action plans as tables, in the source documents' column order and headings.

Cells hold plain values: text, and numbers as ``int`` or ``Decimal`` so a spreadsheet gets numbers.
Each builder reads everything it needs in a fixed number of queries.
"""

from collections.abc import Callable
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from flask_babel import gettext as _
from sqlalchemy import select

from tracker.board import queries as board_queries
from tracker.board.models import Card, Priority, RoadmapColumn
from tracker.core.formats import uk_date
from tracker.exchange.files import Table
from tracker.extensions import db
from tracker.programmes.models import Organisation, Programme
from tracker.results import periods as period_rules
from tracker.results import queries, services
from tracker.results.models import Figure, Indicator, OutputReceipt, Unit

#: The import's columns, in order; the "Figures" sheet has these plus the period's label.
FIGURE_COLUMNS = ("code", "organisation", "period", "period_label", "value", "numerator", "denominator",
                  "testing_phase", "note", "source")


def figure_headings() -> dict[str, str]:
    return {"code": _("Indicator code"), "organisation": _("Organisation"), "period": _("Period number"),
            "period_label": _("Period"), "value": _("Value"), "numerator": _("Numerator"),
            "denominator": _("Denominator"), "testing_phase": _("Testing phase (yes/no)"), "note": _("Note"),
            "source": _("Source")}


def number(value) -> int | Decimal | None:
    """A stored number as a spreadsheet number: ``12`` rather than ``12.0000``."""
    if value is None:
        return None
    value = Decimal(value)
    if value == value.to_integral_value():
        return int(value)
    return value.normalize()


def percentage(numerator, denominator) -> Decimal | None:
    """Numerator over denominator as a percentage to one decimal place, as the tracker shows it."""
    if numerator is None or not denominator:
        return None
    return (Decimal(numerator) * 100 / Decimal(denominator)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def yes_no(flag: bool | None) -> str:
    if flag is None:
        return ""
    return _("Yes") if flag else _("No")


def figure_cell(indicator: Indicator, figure: Figure | None):
    """One organisation's figure in the tracker: the number (a percentage for proportions), yes or no,
    or the narrative."""
    if figure is None:
        return None
    if indicator.unit == Unit.COUNT:
        return number(figure.value)
    if indicator.unit == Unit.PROPORTION:
        return percentage(figure.numerator, figure.denominator)
    if indicator.unit == Unit.YES_NO:
        return yes_no(figure.flag)
    return figure.narrative


def total_cell(indicator: Indicator, total: queries.Total | None):
    """The across-all-organisations figure: the sum for counts, pooled percentage for proportions (sum of
    numerators over sum of denominators), the number of "yes" for yes/no; nothing for narratives."""
    if total is None:
        return None
    if indicator.unit == Unit.COUNT:
        return number(total.value)
    if indicator.unit == Unit.PROPORTION:
        return percentage(total.numerator, total.denominator)
    if indicator.unit == Unit.YES_NO:
        return _("%(yes)s yes", yes=total.yes)
    return None


# --- results tracker ------------------------------------------------------------------------------


def results_tracker(programme: Programme, organisations: list[Organisation], today: date) -> Table:
    """The results tracker in the seed's layout: three heading rows (the fixed columns; "Actual count"
    over the periods; per period "Testing phase in <organisation>" for each organisation given and
    "Across all organisations"), then per objective and outcome a heading row, its indicators, and the
    outputs contributing to it with their status per organisation and period.

    :param organisations: the organisations whose own figures are shown (those the person may see);
        the across-all figures always count every organisation.
    """
    objectives = queries.framework(programme)
    periods = period_rules.periods(programme)
    totals = queries.totals(programme)
    figures = _figures(programme, organisations)
    receipts = _receipts(organisations)
    labels = {status: status.label for status in services.OutputStatus}
    per_period = len(organisations) + 1
    first = 3
    width = first + per_period * len(periods) + 3
    last_fixed = width - 3

    top = [_("Indicator definition"), _("Indicator"), _("Target")] + [None] * (width - first)
    top[first] = _("Actual count") if periods else None
    top[last_fixed:] = [_("Data collection frequency"), _("Data source"), _("Who will collect data")]
    middle, bottom = [None] * width, [None] * width
    merges = [(0, c, 2, c) for c in (0, 1, 2, last_fixed, last_fixed + 1, last_fixed + 2)]
    if periods and per_period * len(periods) > 1:
        merges.append((0, first, 0, last_fixed - 1))
    for i, period in enumerate(periods):
        start = first + i * per_period
        middle[start] = period.label
        if per_period > 1:
            merges.append((1, start, 1, start + per_period - 1))
        for j, org in enumerate(organisations):
            bottom[start + j] = _("Testing phase in %(org)s", org=org.name)
        bottom[start + per_period - 1] = _("Across all organisations")
    rows: list[list] = [top, middle, bottom]
    sections: set[int] = set()

    def section(text: str) -> None:
        sections.add(len(rows))
        merges.append((len(rows), 0, len(rows), width - 1))
        rows.append([text] + [None] * (width - 1))

    for objective in objectives:
        section(_("Objective %(n)s:", n=objective.number) + " " + objective.title)
        for outcome in objective.outcomes:
            section(_("Outcome %(code)s", code=outcome.code) + ": " + outcome.title)
            for indicator in outcome.indicators:
                row = [indicator.definition, f"{indicator.code} {indicator.name}", number(indicator.target)]
                for period in periods:
                    row += [figure_cell(indicator, figures.get((indicator.id, org.id, period.number)))
                            for org in organisations]
                    row.append(total_cell(indicator, totals.get((indicator.id, period.number))))
                rows.append(row + [indicator.frequency, indicator.data_source, indicator.who_collects])
            if outcome.outputs:
                section(_("Outputs contributing to Outcome %(code)s", code=outcome.code))
            for output in outcome.outputs:
                row = [output.description, output.evidence, None]
                for period in periods:
                    for org in organisations:
                        receipt = receipts.get((output.id, org.id, period.number))
                        label = labels[services.output_status(output, period, receipt, today)]
                        row.append(f"{label} {uk_date(receipt.received_on)}" if receipt else label)
                    row.append(None)
                rows.append(row + [_("Due %(n)s days after each period", n=output.due_days_after_period), None,
                                   None])
    return Table(rows, header_rows=3, section_rows=sections, merges=merges)


def _figures(programme: Programme, organisations: list[Organisation]) -> dict[tuple[int, int, int], Figure]:
    """``(indicator_id, organisation_id, period_number)`` → figure, for these organisations only."""
    if not organisations:
        return {}
    stmt = (select(Figure).join(Indicator, Indicator.id == Figure.indicator_id)
            .where(Indicator.programme_id == programme.id,
                   Figure.organisation_id.in_([o.id for o in organisations])))
    return {(f.indicator_id, f.organisation_id, f.period_number): f for f in db.session.scalars(stmt)}


def _receipts(organisations: list[Organisation]) -> dict[tuple[int, int, int], OutputReceipt]:
    if not organisations:
        return {}
    stmt = select(OutputReceipt).where(OutputReceipt.organisation_id.in_([o.id for o in organisations]))
    return {(r.output_id, r.organisation_id, r.period_number): r for r in db.session.scalars(stmt)}


def figures_table(programme: Programme, organisations: list[Organisation]) -> Table:
    """One row per organisation × indicator × period that has a figure, in the import's columns (plus the
    period's label), so that an export can be changed and imported again."""
    headings = figure_headings()
    rows: list[list] = [[headings[c] for c in FIGURE_COLUMNS]]
    order = {indicator.id: n for n, indicator in enumerate(
        indicator for objective in queries.framework(programme) for outcome in objective.outcomes
        for indicator in outcome.indicators)}
    indicators = {i.id: i for i in queries.indicators(programme)}
    labels = {p.number: p.label for p in period_rules.periods(programme)}
    names = {o.id: o.name for o in organisations}
    found = sorted(_figures(programme, organisations).values(),
                   key=lambda f: (order.get(f.indicator_id, 0), names[f.organisation_id], f.period_number))
    for figure in found:
        indicator = indicators[figure.indicator_id]
        if indicator.unit == Unit.COUNT:
            value = number(figure.value)
        elif indicator.unit == Unit.YES_NO:
            value = yes_no(figure.flag)
        elif indicator.unit == Unit.NARRATIVE:
            value = figure.narrative
        else:
            value = None  # proportions: the numerator and denominator are the figure
        rows.append([indicator.code, names[figure.organisation_id], figure.period_number,
                     labels.get(figure.period_number, ""), value, number(figure.numerator),
                     number(figure.denominator), yes_no(figure.is_testing_phase), figure.note, figure.source])
    return Table(rows)


def results_tables(programme: Programme, organisations: list[Organisation], today: date) -> dict[str, Table]:
    """The results tracker sheet and the long-format "Figures" sheet."""
    return {_("Results tracker"): results_tracker(programme, organisations, today),
            "Figures": figures_table(programme, organisations)}


# --- action plans ---------------------------------------------------------------------------------

PRIORITY_LETTERS = {Priority.LOW: "L", Priority.MEDIUM: "M", Priority.HIGH: "H"}

#: ``link(card, sheet)`` → where the card's concept capture sheet or prototyping plan is read.
Linker = Callable[[Card, str], str]


def _lines(items) -> str:
    return "\n".join(item for item in items if item)


def quick_wins_table(org: Organisation, today: date) -> Table:
    """Action plan: quick wins. Name (numbered as in the seed: "1. Make PHPs…"), how it supports the
    objectives, description, priority (L/M/H), owner, actions, progress (newest first)."""
    rows: list[list] = [[_("Name"), _("How does this change support the objectives?"), _("Description"),
                         _("Priority (l/m/h)"), _("Owner"), _("Actions"), _("Progress")]]
    for card in board_queries.quick_wins(org):
        actions = []
        for action in card.actions:
            text = action.text
            if action.due_on:
                text += f" ({_('due')} {uk_date(action.due_on)})"
            if action.is_done:
                text += f" – {_('done')}"
            elif action.is_overdue(today):
                text += f" – {_('overdue')}"
            actions.append(text)
        progress = [f"{uk_date(update.on)}: {update.body}" for update in card.updates]
        rows.append([f"{card.code}. {card.title}", card.rationale, card.description, PRIORITY_LETTERS[card.priority],
                     ", ".join(owner.name for owner in card.owners) or _("Team"), _lines(actions), _lines(progress)])
    return Table(rows)


def opportunities_table(org: Organisation, link: Linker | None = None) -> Table:
    """Action plan: design opportunities > concepts > prototypes > implemented. One row per idea; the
    opportunity's own columns on its first row, as in the seed."""
    rows: list[list] = [[_("Design Opportunity"), _("How does this change support the objectives?"),
                         _("Ideas to support design opportunity"), _("Link to concept"), _("Link to prototype plan"),
                         _("Priority L/M/H"), _("Assigned to"), _("In progress Y/N")]]
    for opp in board_queries.opportunities_with_ideas(org):
        title = f"{opp.number} {opp.title}"
        if opp.initiatives:
            title += "\n" + _("Linked to:") + " " + ", ".join(i.name for i in opp.initiatives)
        for n, card in enumerate(opp.cards or [None]):
            first = n == 0
            row = [title if first else None, opp.rationale if first else None]
            if card is None:
                row += [None, None, None, None]
            else:
                concept = prototype = None
                if card.concept_sheet is not None:
                    concept = link(card, "concept") if link else _("Concept capture sheet")
                if card.prototype_plan is not None:
                    prototype = link(card, "prototype") if link else _("Prototyping plan")
                row += [f"{card.code} {card.title}", concept, prototype, PRIORITY_LETTERS[card.priority]]
            if first:
                row += [opp.assignee.name if opp.assignee else None, _("Y") if opp.is_in_progress else _("N")]
            else:
                row += [None, None]
            rows.append(row)
    return Table(rows)


def roadmap_columns() -> list[tuple[RoadmapColumn, str]]:
    """The roadmap's columns with the seed's headings."""
    labels = {RoadmapColumn.COMPLETED: _("Completed (service change implemented or live prototyping)")}
    return [(column, labels.get(column, column.label)) for column in RoadmapColumn]


def roadmap_table(org: Organisation, today: date) -> Table:
    """The roadmap: one row per lane (the quick wins, then each design opportunity), the cards of each
    column listed in its cell, and the dates the completed ones were completed. The top-left heading is
    the programme's name, as in the seed's sample roadmap."""
    columns = roadmap_columns()
    rows: list[list] = [[org.programme.name] + [label for _column, label in columns] + [_("Date completed")]]
    for lane in board_queries.board_lanes(org, board_queries.Filters(), today):
        title = f"{lane.opportunity.number} {lane.opportunity.title}" if lane.opportunity else _("Quick wins")
        cells = [_lines(f"{card.code} {card.title}" for card in lane.cells[column]) or None
                 for column, _label in columns]
        completed = _lines(f"{card.code}: {uk_date(card.completed_on)}"
                           for card in lane.cells[RoadmapColumn.COMPLETED] if card.completed_on)
        rows.append([title] + cells + [completed or None])
    return Table(rows)


def plan_tables(org: Organisation, today: date, link: Linker | None = None) -> dict[str, Table]:
    """The organisation's three action plans, one table each."""
    return {_("Quick wins"): quick_wins_table(org, today),
            _("Design opportunities"): opportunities_table(org, link),
            _("Roadmap"): roadmap_table(org, today)}
