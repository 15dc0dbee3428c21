"""An audit's results as tables for .xlsx (one sheet each) and .csv (every table in turn, a blank row between).

Percentages are given to one decimal place (the page rounds to whole numbers), n beside each.
"""

from flask_babel import gettext as _

from tracker.audits.models import Audit
from tracker.audits.results import GROUPS, Results, percent


def sheets(audit: Audit, figures: Results) -> dict[str, list[list]]:
    pct = _("Percentage of possible score")
    cases = [[_("Case"), _("Reference"), _("Score"), _("Possible score"), pct]]
    cases += [[c.number, c.reference, c.score, c.possible, percent(c.share, 1)] for c in figures.counted]
    summary = [[_("Figure"), _("Value")],
               [_("Cases in the sample"), figures.cases_total],
               [_("Cases counted (n)"), figures.n],
               [_("Cases where nothing applied (left out)"), figures.excluded],
               [_("Cases not scored yet"), figures.unscored],
               [_("Overall mean score (%)"), percent(figures.overall.mean, 1)],
               [_("Cases scoring 100% (%)"), percent(figures.share_of(figures.at_100), 1)],
               [_("Cases scoring 90% and above (%)"), percent(figures.share_of(figures.at_90), 1)]]
    ranges = [[_("Score range"), _("Cases")]] + [[label, count] for label, count in figures.ranges]
    groups = [[_("Grouping"), _("Group"), "n", _("Mean score (%)")]]
    for key, heading, _kind in GROUPS:
        groups += [[str(heading), g.label, g.n, percent(g.mean, 1)] for g in figures.groups[key]]
    stages = [[_("Stage"), _("Score"), _("Possible score"), pct]]
    stages += [[s.label, s.score, s.possible, percent(s.share, 1)] for s in figures.stages]
    elements = [[_("Element"), _("Score"), _("Possible score"), pct]]
    elements += [[e.label, e.score, e.possible, percent(e.share, 1)] for e in figures.elements]
    items = [[_("Checklist item"), _("Yes"), _("Yes or no"), _("% yes")]]
    items += [[i.label, i.score, i.possible, percent(i.share, 1)] for i in figures.items]
    return {_("Summary"): summary, _("Score ranges"): ranges, _("Mean scores"): groups, _("Stages"): stages,
            _("Elements"): elements, _("Checklist items"): items, _("Cases"): cases}


def as_one_table(tables: dict[str, list[list]]) -> list[list]:
    """Every table under its name, a blank row between, for one .csv file."""
    rows: list[list] = []
    for name, table in tables.items():
        if rows:
            rows.append([])
        rows.append([name])
        rows.extend(table)
    return rows
