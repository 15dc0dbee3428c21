"""Helpers for the results, import and download browser tests: a framework built with the services,
a programme whose first reporting period has started, and locators for the results tracker."""

from datetime import timedelta
from decimal import Decimal

from playwright.sync_api import Locator, Page

from tracker.board.services import today
from tracker.extensions import db
from tracker.results import services
from tracker.results.models import Direction, Indicator, Unit

#: The first reporting period's label (programmes report every three months).
PERIOD_1 = "0–3 months since start date"


def started(programme, days: int = 40) -> None:
    """Move the programme's start date ``days`` into the past (committed), so period 1 has started."""
    programme.start_date = today() - timedelta(days=days)
    db.session.commit()


def make_share_indicator(programme) -> Indicator:
    """Objective 1 > outcome 1.1 > indicator 1.1.1: a proportion, lower is better, target 12%."""
    objective = services.create_objective(programme, "Reduce prevention fall-out")
    outcome = services.create_outcome(objective, "Fewer households fall out")
    indicator = services.create_indicator(
        outcome, name="Share of households falling out", unit=Unit.PROPORTION,
        numerator_label="households that fell out", denominator_label="households under Prevention duty",
        direction=Direction.DECREASE, target=Decimal("12"))
    db.session.commit()
    return indicator


def save_figure(indicator, org, period: int, numerator: str, denominator: str, user=None) -> None:
    services.save_figure(indicator, org, period, services.FigureValues(numerator=numerator, denominator=denominator),
                         user=user, today=today(), may_change_locked=True)
    db.session.commit()


def tracker_url(programme) -> str:
    return f"/programmes/{programme.slug}/results"


def indicator_row(page: Page, indicator) -> Locator:
    """The tracker's row of one indicator."""
    return page.locator("tr.govuk-table__row").filter(
        has=page.get_by_role("link", name=f"{indicator.code} {indicator.name}"))


def rag_tag(page: Page, indicator) -> Locator:
    return indicator_row(page, indicator).locator("th .govuk-tag")


def figure_cells(page: Page, indicator) -> Locator:
    """The row's figure cells: per period, the organisation's own figure then the across-all figure."""
    return indicator_row(page, indicator).locator("td.app-figure")


def success_banner(page: Page) -> Locator:
    return page.locator(".govuk-notification-banner--success")



def ambiguous_ids(page: Page) -> list[str]:
    """Ids used more than once that a label, an ARIA reference or a link on the page points at: a label's
    ``for`` finds only the first element with its id, so the control it names is left without a label
    (axe does not notice)."""
    return page.evaluate("""() => {
        const count = {};
        document.querySelectorAll('[id]').forEach((el) => { count[el.id] = (count[el.id] || 0) + 1; });
        const used = new Set();
        document.querySelectorAll('label[for]').forEach((el) => used.add(el.htmlFor));
        document.querySelectorAll('[aria-labelledby], [aria-describedby], [aria-controls]').forEach((el) => {
            for (const name of ['aria-labelledby', 'aria-describedby', 'aria-controls']) {
                (el.getAttribute(name) || '').split(/\\s+/).forEach((id) => id && used.add(id));
            }
        });
        document.querySelectorAll('a[href^="#"]').forEach((el) => used.add(el.getAttribute('href').slice(1)));
        return Object.keys(count).filter((id) => count[id] > 1 && used.has(id));
    }""")
