"""Results tracker pages: the tracker table, the framework, indicators, figures, outputs, card links.

Every view loads its object first and checks permission against that object's own programme and
organisation.
"""


from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext

from tracker.accounts.permissions import current_user, login_required
from tracker.board.models import Card
from tracker.board.services import today
from tracker.core.confirm import ConfirmForm, confirm_page
from tracker.extensions import db
from tracker.programmes.models import Organisation, Programme
from tracker.programmes.permissions import (
    can_edit_org,
    can_manage_programme,
    load_in_programme,
    load_programme,
    require_edit_org,
    require_view_org,
    visible_organisations,
)
from tracker.results import bp, chart, queries, services, table_cache
from tracker.results import periods as period_rules
from tracker.results.forms import (
    CardIndicatorsForm,
    FigureForm,
    IndicatorForm,
    ObjectiveEditForm,
    ObjectiveForm,
    OutcomeEditForm,
    OutcomeForm,
    OutputEditForm,
    OutputForm,
)
from tracker.results.models import Direction, Indicator, Objective, Outcome, Output, Unit


def load_indicator(indicator_id: int, *, manage: bool = False) -> Indicator:
    return load_in_programme(Indicator, indicator_id, lambda i: i.outcome.objective.programme, manage=manage)


def choose_organisation(programme: Programme, slug: str | None) -> tuple[list[Organisation], Organisation | None]:
    """The organisations the person may see, and the one this page shows ("testing phase in …")."""
    organisations = visible_organisations(current_user(), programme)
    chosen = next((o for o in organisations if o.slug == slug), None) if slug else None
    return organisations, chosen or (organisations[0] if organisations else None)


def _indicator_fields(form: IndicatorForm) -> dict:
    return {"name": form.name.data, "definition": form.definition.data or "", "unit": Unit(form.unit.data),
            "numerator_label": form.numerator_label.data or "", "denominator_label": form.denominator_label.data or "",
            "direction": Direction(form.direction.data), "baseline": form.baseline.data, "target": form.target.data,
            "frequency": form.frequency.data or "", "data_source": form.data_source.data or "",
            "who_collects": form.who_collects.data or ""}


@bp.route("/programmes/<slug>/results")
@login_required
def tracker(slug: str):
    """The results tracker in the seed's layout: per indicator and period, this organisation's figure and
    the figure across all organisations, then frequency, source and who collects."""
    programme = load_programme(slug)
    organisations, org = choose_organisation(programme, request.args.get("organisation"))
    can_edit = org is not None and can_edit_org(current_user(), org)
    can_manage = can_manage_programme(current_user(), programme)
    built = table_cache.tracker_table(programme, org, today(), can_edit=can_edit, can_manage=can_manage)
    return render_template("results/tracker.html", programme=programme, organisations=organisations, org=org,
                           blocks=built.blocks, periods=built.periods, can_manage=can_manage, can_edit=can_edit)


@bp.route("/programmes/<slug>/results/framework", methods=["GET", "POST"])
@login_required
def framework(slug: str):
    """Set up objectives, outcomes, indicators and outputs (facilitators change it; others read it)."""
    programme = load_programme(slug)
    can_manage = can_manage_programme(current_user(), programme)
    form = ObjectiveForm()
    if form.is_submitted() and not can_manage:
        abort(403)
    if form.validate_on_submit():
        objective = services.create_objective(programme, form.title.data)
        db.session.commit()
        flash(_("Objective %(n)s added", n=objective.number), "success")
        return redirect(url_for("results.framework", slug=programme.slug))
    return render_template("results/framework.html", programme=programme, objectives=queries.framework(programme),
                           form=form, can_manage=can_manage)


@bp.route("/objectives/<int:objective_id>/outcomes/new", methods=["GET", "POST"])
@login_required
def new_outcome(objective_id: int):
    objective = load_in_programme(Objective, objective_id, lambda o: o.programme, manage=True)
    form = OutcomeForm()
    if form.validate_on_submit():
        outcome = services.create_outcome(objective, form.title.data)
        db.session.commit()
        flash(_("Outcome %(code)s added", code=outcome.code), "success")
        return redirect(url_for("results.framework", slug=objective.programme.slug))
    return render_template("results/simple_form.html", form=form, programme=objective.programme,
                           caption=_("Objective %(n)s", n=objective.number), heading=_("Add an outcome"))


@bp.route("/outcomes/<int:outcome_id>/indicators/new", methods=["GET", "POST"])
@login_required
def new_indicator(outcome_id: int):
    outcome = load_in_programme(Outcome, outcome_id, lambda o: o.objective.programme, manage=True)
    form = IndicatorForm()
    if form.validate_on_submit():
        try:
            indicator = services.create_indicator(outcome, **_indicator_fields(form))
        except services.ResultsError as error:
            getattr(form, error.field or "unit").errors.append(str(error))
        else:
            db.session.commit()
            flash(_("Indicator %(code)s added", code=indicator.code), "success")
            return redirect(url_for("results.indicator", indicator_id=indicator.id))
    return render_template("results/indicator_form.html", form=form, outcome=outcome, indicator=None,
                           programme=outcome.objective.programme)


@bp.route("/indicators/<int:indicator_id>/edit", methods=["GET", "POST"])
@login_required
def edit_indicator(indicator_id: int):
    indicator = load_indicator(indicator_id, manage=True)
    form = IndicatorForm(obj=indicator)
    if request.method == "GET":
        form.unit.data, form.direction.data = indicator.unit.value, indicator.direction.value
    if form.validate_on_submit():
        try:
            services.update_indicator(indicator, **_indicator_fields(form))
        except services.ResultsError as error:
            db.session.rollback()
            getattr(form, error.field or "unit").errors.append(str(error))
        else:
            db.session.commit()
            flash(_("Indicator %(code)s saved", code=indicator.code), "success")
            return redirect(url_for("results.indicator", indicator_id=indicator.id))
    return render_template("results/indicator_form.html", form=form, outcome=indicator.outcome, indicator=indicator,
                           programme=indicator.outcome.objective.programme)


@bp.route("/outcomes/<int:outcome_id>/outputs/new", methods=["GET", "POST"])
@login_required
def new_output(outcome_id: int):
    outcome = load_in_programme(Outcome, outcome_id, lambda o: o.objective.programme, manage=True)
    form = OutputForm()
    if form.validate_on_submit():
        services.create_output(outcome, description=form.description.data, evidence=form.evidence.data or "",
                               due_days_after_period=form.due_days_after_period.data)
        db.session.commit()
        flash(_("Output added to outcome %(code)s", code=outcome.code), "success")
        return redirect(url_for("results.framework", slug=outcome.objective.programme.slug))
    return render_template("results/simple_form.html", form=form, programme=outcome.objective.programme,
                           caption=_("Outcome %(code)s", code=outcome.code), heading=_("Add an output"))


@bp.route("/indicators/<int:indicator_id>")
@login_required
def indicator(indicator_id: int):
    """An indicator: its definition, progress chart, figures by period and the cards meant to move it."""
    indicator = load_indicator(indicator_id)
    programme = indicator.outcome.objective.programme
    organisations, org = choose_organisation(programme, request.args.get("organisation"))
    periods = period_rules.periods(programme)
    totals = queries.totals(programme)
    figures = queries.organisation_figures(programme, org)
    across = [totals.get((indicator.id, p.number)) for p in periods]
    own = [figures.get((indicator.id, p.number)) for p in periods]
    series = []
    if indicator.unit in (Unit.COUNT, Unit.PROPORTION):
        series = [chart.Series(_("Across all organisations"), "across", [t.comparable if t else None for t in across])]
        if org is not None:
            series.append(chart.Series(org.name, "own", [
                queries.comparable(indicator.unit, f.value, f.numerator, f.denominator) if f else None for f in own]))
    drawing = chart.build(series, [str(p.number) for p in periods], indicator.target, _("Target")) if series else None
    latest = next((t for t in reversed(across) if t), None)
    return render_template(
        "results/indicator.html", indicator=indicator, programme=programme, organisations=organisations, org=org,
        periods=periods, across=across, own=own, chart=drawing, series=series,
        rag=services.rag(indicator, latest.comparable if latest else None, programme.rag_band_percent),
        cards=queries.linked_cards(indicator, organisations), today=today(), services=services, Unit=Unit,
        can_manage=can_manage_programme(current_user(), programme),
        can_edit=org is not None and can_edit_org(current_user(), org))


@bp.route("/indicators/<int:indicator_id>/figures/<org_slug>/<int:period_number>", methods=["GET", "POST"])
@login_required
def figure(indicator_id: int, org_slug: str, period_number: int):
    """Enter or change one organisation's figure for one period (its team, or a facilitator)."""
    indicator = load_indicator(indicator_id)
    programme = indicator.outcome.objective.programme
    org = next((o for o in programme.organisations if o.slug == org_slug), None)
    if org is None:
        abort(404)
    require_view_org(current_user(), org)
    period = period_rules.period(programme, period_number)
    if period is None:
        abort(404)
    existing = services.find_figure(indicator, org, period_number)
    may_edit = can_edit_org(current_user(), org)
    form = FigureForm(obj=existing)
    if request.method == "GET" and existing is not None:
        form.flag.data = None if existing.flag is None else ("yes" if existing.flag else "no")
        form.value.data = services.format_number(existing.value).replace(",", "")
        form.numerator.data = services.format_number(existing.numerator).replace(",", "")
        form.denominator.data = services.format_number(existing.denominator).replace(",", "")
    stale = None
    status = 200
    if form.is_submitted():
        require_edit_org(current_user(), org)
        if form.validate():
            values = services.FigureValues(
                value=form.value.data, numerator=form.numerator.data, denominator=form.denominator.data,
                flag=None if not form.flag.data else form.flag.data == "yes", narrative=form.narrative.data or "",
                is_testing_phase=form.is_testing_phase.data, note=form.note.data or "", source=form.source.data or "")
            try:
                _figure, changed = services.save_figure(
                    indicator, org, period_number, values, user=current_user(), today=today(),
                    expected_version=form.version.data,
                    may_change_locked=can_manage_programme(current_user(), programme))
            except services.FigureInvalid as error:
                db.session.rollback()
                for name, message in error.errors.items():
                    getattr(form, name if name != "period" else "value").errors.append(message)
                status = 422
            except services.StaleFigure:
                db.session.rollback()
                stale = services.find_figure(indicator, org, period_number)
                status = 409
            except services.ResultsError as error:
                db.session.rollback()
                form.value.errors.append(str(error))
                status = 422
            else:
                db.session.commit()
                flash(_("Figure saved for %(org)s, %(period)s", org=org.name, period=period.label) if changed
                      else _("Nothing changed"), "success")
                return redirect(url_for("results.tracker", slug=programme.slug, organisation=org.slug))
        else:
            status = 422
    current = stale or existing
    return render_template("results/figure.html", form=form, indicator=indicator, programme=programme, org=org,
                           period=period, figure=current, stale=stale, may_edit=may_edit, services=services,
                           Unit=Unit, today=today()), status


@bp.route("/outputs/<int:output_id>/received/<org_slug>/<int:period_number>", methods=["POST"])
@login_required
def output_received(output_id: int, org_slug: str, period_number: int):
    """Mark an organisation's output for a period received (facilitators), or undo it."""
    output = load_in_programme(Output, output_id, lambda o: o.outcome.objective.programme, manage=True)
    programme = output.outcome.objective.programme
    org = next((o for o in programme.organisations if o.slug == org_slug), None)
    if org is None:
        abort(404)
    received = request.form.get("received") == "1"
    try:
        services.record_output(output, org, period_number, received=received, user=current_user(), today=today())
    except services.ResultsError as error:
        db.session.rollback()
        abort(404, description=str(error))
    db.session.commit()
    flash(_("Output marked as received") if received else _("Output marked as not received"), "success")
    return redirect(url_for("results.tracker", slug=programme.slug, organisation=org.slug) + f"#output-{output.id}")


@bp.route("/cards/<int:card_id>/indicators", methods=["POST"])
@login_required
def card_indicators(card_id: int):
    """Choose the indicators a card is meant to move."""
    card = db.session.get(Card, card_id)
    if card is None:
        abort(404)
    require_edit_org(current_user(), card.organisation)
    choices = queries.indicators(card.organisation.programme)
    form = CardIndicatorsForm(indicators=choices)
    if not form.validate_on_submit():
        abort(400)
    chosen = [i for i in choices if str(i.id) in set(form.indicators.data or [])]
    services.set_card_indicators(card, chosen)
    db.session.commit()
    flash(_("Linked indicators saved"), "success")
    return redirect(url_for("board.card", card_id=card.id) + "#indicators")


# --- changing and deleting the framework -------------------------------------------------------------


def _programme_of(obj):
    if isinstance(obj, Objective):
        return obj.programme
    if isinstance(obj, Outcome):
        return obj.objective.programme
    if isinstance(obj, Indicator):
        return obj.outcome.objective.programme
    return obj.outcome.objective.programme


@bp.route("/objectives/<int:objective_id>/edit", methods=["GET", "POST"])
@login_required
def edit_objective(objective_id: int):
    objective = load_in_programme(Objective, objective_id, _programme_of, manage=True)
    form = ObjectiveEditForm(obj=objective)
    if form.validate_on_submit():
        services.update_text(objective, form.title.data)
        db.session.commit()
        flash(_("Objective %(n)s saved", n=objective.number), "success")
        return redirect(url_for("results.framework", slug=objective.programme.slug))
    return render_template("results/simple_form.html", form=form, programme=objective.programme,
                           caption=_("Objective %(n)s", n=objective.number), heading=_("Change the objective"))


@bp.route("/outcomes/<int:outcome_id>/edit", methods=["GET", "POST"])
@login_required
def edit_outcome(outcome_id: int):
    outcome = load_in_programme(Outcome, outcome_id, _programme_of, manage=True)
    form = OutcomeEditForm(obj=outcome)
    if form.validate_on_submit():
        services.update_text(outcome, form.title.data)
        db.session.commit()
        flash(_("Outcome %(code)s saved", code=outcome.code), "success")
        return redirect(url_for("results.framework", slug=outcome.objective.programme.slug))
    return render_template("results/simple_form.html", form=form, programme=outcome.objective.programme,
                           caption=_("Outcome %(code)s", code=outcome.code), heading=_("Change the outcome"))


@bp.route("/outputs/<int:output_id>/edit", methods=["GET", "POST"])
@login_required
def edit_output(output_id: int):
    output = load_in_programme(Output, output_id, _programme_of, manage=True)
    form = OutputEditForm(obj=output)
    if form.validate_on_submit():
        services.update_output(output, description=form.description.data, evidence=form.evidence.data or "",
                               due_days_after_period=form.due_days_after_period.data)
        db.session.commit()
        flash(_("Output saved"), "success")
        return redirect(url_for("results.framework", slug=output.outcome.objective.programme.slug))
    return render_template("results/simple_form.html", form=form, programme=output.outcome.objective.programme,
                           caption=_("Outcome %(code)s", code=output.outcome.code), heading=_("Change the output"))


def _describe(obj) -> str:
    if isinstance(obj, Objective):
        return _("objective %(n)s", n=obj.number)
    if isinstance(obj, Outcome):
        return _("outcome %(code)s", code=obj.code)
    if isinstance(obj, Indicator):
        return _("indicator %(code)s", code=obj.code)
    return _("the output “%(text)s”", text=obj.description[:80])


def _what_goes(found: services.Dependants) -> list[str]:
    """The confirmation page's sentences about what is deleted with the object."""
    if found.nothing:
        return [_("Nothing else is deleted with it: it has no outcomes, indicators, outputs or figures, and no "
                  "card is linked to it.")]
    # Each ngettext call spelt out, so the catalogue extraction finds every plural.
    parts = [text for number, text in (
        (found.outcomes, ngettext("%(num)s outcome", "%(num)s outcomes", found.outcomes)),
        (found.indicators, ngettext("%(num)s indicator", "%(num)s indicators", found.indicators)),
        (found.outputs, ngettext("%(num)s output", "%(num)s outputs", found.outputs)),
        (found.receipts, ngettext("%(num)s record of an output received", "%(num)s records of outputs received",
                                  found.receipts))) if number]
    lines = []
    if parts:
        lines.append(_("These are deleted with it: %(list)s.", list=", ".join(parts)))
    if found.figures:
        organisations = ngettext("%(num)s organisation", "%(num)s organisations", found.organisations)
        lines.append(ngettext("%(num)s figure from %(organisations)s is deleted, with its history.",
                              "%(num)s figures from %(organisations)s are deleted, with their history.",
                              found.figures, organisations=organisations))
    if found.cards:
        lines.append(ngettext("%(num)s card is no longer linked to it; the card itself stays.",
                              "%(num)s cards are no longer linked to it; the cards themselves stay.", found.cards))
    lines.append(_("This cannot be undone."))
    return lines


DELETABLE = {"objective": Objective, "outcome": Outcome, "indicator": Indicator, "output": Output}


@bp.route("/<any(objective, outcome, indicator, output):kind>s/<int:object_id>/delete", methods=["GET", "POST"])
@login_required
def delete(kind: str, object_id: int):
    """Delete part of the framework after a confirmation page that says what goes with it."""
    obj = load_in_programme(DELETABLE[kind], object_id, _programme_of, manage=True)
    programme = _programme_of(obj)
    form = ConfirmForm()
    described = _describe(obj)
    if form.validate_on_submit():
        services.delete_framework_item(obj)
        db.session.commit()
        flash(_("Deleted %(what)s", what=described), "success")
        return redirect(url_for("results.framework", slug=programme.slug))
    return confirm_page(heading=_("Are you sure you want to delete %(what)s?", what=described),
                        caption=programme.name, details=_what_goes(services.dependants(obj)),
                        button=_("Yes, delete it"), cancel=url_for("results.framework", slug=programme.slug),
                        form=form)
