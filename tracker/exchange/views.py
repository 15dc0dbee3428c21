"""Downloads of the results tracker and the action plans; the upload, preview and confirmation of figures.

Who may do what:

- the downloads page and the results download: anybody with a role in the programme; each person's
  download holds only the organisations they may see (the across-all figures count every organisation);
- an organisation's action plans: whoever may see that organisation's plans;
- importing figures: whoever may change at least one organisation's figures (facilitators, team
  members); rows for other organisations are errors;
- the preview and the confirmation of an upload: only the person who uploaded it.
"""

from datetime import timedelta

from flask import abort, flash, make_response, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from sqlalchemy import delete
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.exc import StaleDataError

from tracker.accounts.permissions import current_user, login_required
from tracker.board.services import today
from tracker.board.views import load_org
from tracker.core.db import utcnow
from tracker.exchange import bp, files, imports, tables
from tracker.exchange.forms import ConfirmForm, UploadForm
from tracker.exchange.models import PendingImport
from tracker.extensions import db
from tracker.programmes.models import Programme
from tracker.programmes.permissions import can_edit_org, can_view_programme, load_programme, visible_organisations
from tracker.results import services as result_services

#: How long an uploaded file waits for its confirmation.
PENDING_LIFETIME = timedelta(days=1)
PLANS = ("quick-wins", "opportunities", "roadmap")


@bp.app_template_global()
def can_import_figures(programme: Programme) -> bool:
    """Whether the signed-in person may change the figures of at least one organisation."""
    user = current_user()
    return any(can_edit_org(user, org) for org in programme.organisations)


def download(data: bytes, fmt: str, name: str):
    """The file as an attachment, never cached by a shared cache."""
    response = make_response(data)
    response.headers["Content-Type"] = files.XLSX_MIMETYPE if fmt == "xlsx" else files.CSV_MIMETYPE
    response.headers["Content-Disposition"] = f'attachment; filename="{name}.{fmt}"'
    response.headers["Cache-Control"] = "private, no-store"
    return response


@bp.route("/programmes/<slug>/export")
@login_required
def export_page(slug: str):
    """The downloads: the results tracker, and each organisation's action plans the person may see."""
    programme = load_programme(slug)
    return render_template("exchange/export.html", programme=programme,
                           organisations=visible_organisations(current_user(), programme))


@bp.route("/programmes/<slug>/export/results.<any(csv, xlsx):fmt>")
@login_required
def export_results(slug: str, fmt: str):
    """The results tracker as .xlsx (the tracker and a "Figures" sheet) or .csv (``?sheet=figures`` for
    the figures, one row per organisation, indicator and period, in the import's columns)."""
    programme = load_programme(slug)
    organisations = visible_organisations(current_user(), programme)
    day = today()
    name = f"{programme.slug}-results-{day.isoformat()}"
    if fmt == "xlsx":
        return download(files.to_xlsx(tables.results_tables(programme, organisations, day)), fmt, name)
    if request.args.get("sheet") == "figures":
        return download(files.to_csv(tables.figures_table(programme, organisations)), fmt,
                        f"{programme.slug}-figures-{day.isoformat()}")
    return download(files.to_csv(tables.results_tracker(programme, organisations, day)), fmt, name)


def _card_link(card, sheet: str) -> str:
    return url_for("board.card", card_id=card.id, _external=True) + f"#{sheet}"


@bp.route("/programmes/<slug>/<org_slug>/export/plans.<any(csv, xlsx):fmt>")
@login_required
def export_plans(slug: str, org_slug: str, fmt: str):
    """An organisation's action plans: .xlsx with one sheet per plan, or one plan as .csv
    (``?plan=quick-wins|opportunities|roadmap``, quick wins by default)."""
    org = load_org(slug, org_slug)
    day = today()
    name = f"{org.programme.slug}-{org.slug}-action-plans-{day.isoformat()}"
    if fmt == "xlsx":
        return download(files.to_xlsx(tables.plan_tables(org, day, _card_link)), fmt, name)
    plan = request.args.get("plan") or "quick-wins"
    if plan not in PLANS:
        abort(404)
    table = {"quick-wins": lambda: tables.quick_wins_table(org, day),
             "opportunities": lambda: tables.opportunities_table(org, _card_link),
             "roadmap": lambda: tables.roadmap_table(org, day)}[plan]()
    return download(files.to_csv(table), fmt, f"{org.programme.slug}-{org.slug}-{plan}-{day.isoformat()}")


# --- import ----------------------------------------------------------------------------------------


@bp.route("/programmes/<slug>/import", methods=["GET", "POST"])
@login_required
def import_figures(slug: str):
    """Upload a .csv or .xlsx file of figures; it is read and kept for a preview, nothing else changes."""
    programme = load_programme(slug)
    if not can_import_figures(programme):
        abort(403)
    form = UploadForm()
    status = 200
    if form.validate_on_submit():
        upload = form.file.data
        try:
            parsed = imports.parse(upload.filename or "", upload.read(imports.MAX_BYTES + 1))
        except imports.ImportFileError as error:
            form.file.errors.append(str(error))
        else:
            db.session.execute(delete(PendingImport).where(PendingImport.created_dt < utcnow() - PENDING_LIFETIME))
            pending = PendingImport(programme_id=programme.id, user_id=current_user().id,
                                    filename=(upload.filename or "")[:255], rows=parsed.to_json())
            db.session.add(pending)
            db.session.commit()
            return redirect(url_for("exchange.preview_import", import_id=pending.id))
    if form.is_submitted():
        status = 422
    return render_template("exchange/import.html", programme=programme, form=form,
                           headings=tables.figure_headings()), status


def load_pending(import_id: int) -> PendingImport:
    """The upload, if it is the signed-in person's own, not expired, in a programme they still belong to."""
    pending = db.session.get(PendingImport, import_id)
    user = current_user()
    if (pending is None or pending.user_id != user.id or pending.created_dt < utcnow() - PENDING_LIFETIME
            or not can_view_programme(user, pending.programme)):
        abort(404)
    return pending


def _preview_page(pending: PendingImport, results, *, message: str | None = None, status: int = 200):
    counts = imports.summary(results)
    return render_template("exchange/preview.html", pending=pending, programme=pending.programme, results=results,
                           counts=counts, form=ConfirmForm(), message=message,
                           can_confirm=counts["error"] == 0 and counts["new"] + counts["changed"] > 0), status


@bp.route("/imports/<int:import_id>")
@login_required
def preview_import(import_id: int):
    """Check your answers: each row as new, changed, unchanged or an error, with the reason."""
    pending = load_pending(import_id)
    return _preview_page(pending, imports.preview(pending.programme, pending.rows, current_user(), today()))


@bp.route("/imports/<int:import_id>/confirm", methods=["POST"])
@login_required
def confirm_import(import_id: int):
    """Check every row again and write them all in one transaction, or none."""
    pending = load_pending(import_id)
    form = ConfirmForm()
    if not form.validate_on_submit():
        abort(400)
    programme = pending.programme
    try:
        written = imports.commit(programme, pending.rows, current_user(), today())
    except imports.ImportRejected as rejected:
        db.session.rollback()
        return _preview_page(pending, rejected.results, status=422, message=_(
            "Nothing was imported: some rows have errors. Correct the file and upload it again."))
    except (result_services.ResultsError, StaleDataError, IntegrityError):
        db.session.rollback()
        pending = load_pending(import_id)
        return _preview_page(pending, imports.preview(pending.programme, pending.rows, current_user(), today()),
                             status=409, message=_("Nothing was imported: figures changed while importing. "
                                                   "Check the rows again."))
    db.session.delete(pending)
    db.session.commit()
    flash(ngettext("%(num)s figure imported", "%(num)s figures imported", written), "success")
    return redirect(url_for("results.tracker", slug=programme.slug))
