"""The facilitator's overview page of a programme, sortable without JavaScript, and its downloads.

Only people who see every organisation (the programme's facilitators and programme-wide viewers) see it;
everyone else gets a 404, as for any organisation's plans they may not see. The page compares organisations,
so a team member's "own row only" would be their organisation's board, check-ins and results, which they
already have; and a row of one organisation beside nothing else must not hint at how many others there are.
"""

from flask import abort, render_template, request, url_for

from tracker.accounts.permissions import current_user, login_required
from tracker.checkins import bp, overview
from tracker.core import clock
from tracker.exchange import files
from tracker.exchange.views import download
from tracker.programmes.models import Programme, Role
from tracker.programmes.permissions import load_programme, membership
from tracker.results import services as result_services
from tracker.surveys import results as survey_results


@bp.app_template_global()
def can_see_overview(programme: Programme) -> bool:
    """Whether the signed-in person sees every organisation of the programme, and so its overview."""
    member = membership(current_user(), programme.id)
    return member is not None and (member.role == Role.FACILITATOR or (
        member.role == Role.VIEWER and member.organisation_id is None))


def _load(slug: str) -> Programme:
    programme = load_programme(slug)
    if not can_see_overview(programme):
        abort(404)
    return programme


def _sorting() -> tuple[str, str]:
    """The requested sort, or the default (organisation, A to Z) for anything unknown."""
    sort = request.args.get("sort", "")
    if sort not in overview.SORTS:
        return overview.DEFAULT_SORT, "asc"
    direction = request.args.get("dir", "")
    return sort, direction if direction in ("asc", "desc") else overview.SORTS[sort][2]


def _headings(slug: str, sort: str, direction: str) -> dict[str, dict]:
    """Per sortable column: its words, its ``aria-sort`` and the link that sorts by it (the other way round
    when it is the current sort)."""
    headings = {}
    for name, (label, _key, first) in overview.SORTS.items():
        current = name == sort
        then = ("desc" if direction == "asc" else "asc") if current else first
        href = url_for("checkins.overview_page", slug=slug, sort=name, dir=then)
        headings[name] = {"label": str(label), "href": href,
                          "aria_sort": ("ascending" if direction == "asc" else "descending") if current else "none",
                          "current": current}
    return headings


@bp.route("/programmes/<slug>/overview")
@login_required
def overview_page(slug: str):
    """One row per organisation: cards per column, completed since the last check-in, overdue actions,
    stalled cards, progress against target, missing figures, the latest survey wave's response rate and the
    last and next check-ins; sorted by any column (``?sort=…&dir=asc|desc``)."""
    programme = _load(slug)
    today = clock.today()
    sort, direction = _sorting()
    rows = overview.sort_rows(overview.overview(programme, today), sort, direction)
    first = rows[0] if rows else None
    return render_template(
        "checkins/overview/page.html", programme=programme, rows=rows, today=today, sort=sort, direction=direction,
        headings=_headings(programme.slug, sort, direction), columns=overview.COLUMNS, rag_columns=overview.RAG_COLUMNS,
        Rag=result_services.Rag,
        missing_period=first.missing_period if first else None, wave=first.wave if first else None,
        hidden_words=survey_results.hidden_short(survey_results.Hidden.FEW_RESPONSES,
                                                 survey_results.minimum_group(programme)))


@bp.route("/programmes/<slug>/overview.<any(csv, xlsx):fmt>")
@login_required
def overview_export(slug: str, fmt: str):
    """The overview as .xlsx or .csv, in the order the page was sorted in, every text cell formula-neutralised."""
    programme = _load(slug)
    today = clock.today()
    sort, direction = _sorting()
    rows = overview.sort_rows(overview.overview(programme, today), sort, direction)
    table = overview.export_table(rows, survey_results.minimum_group(programme))
    name = f"{programme.slug}-overview-{today.isoformat()}"
    data = files.to_xlsx({str(overview.SHEET_NAME): table}) if fmt == "xlsx" else files.to_csv(table)
    return download(data, fmt, name)
