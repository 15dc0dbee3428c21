"""Pages of an organisation's insights: by theme, one insight, add and change, archive and delete, and what
answers an insight (a quick win made in one step, or a link to a card or design opportunity).

Every view loads its object first and checks permission against that object's own organisation; readers of
the organisation see its insights, its team members and the programme's facilitators change them.
"""

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from tracker.accounts.permissions import current_user, login_required
from tracker.board.models import Card, Opportunity
from tracker.board.views import load_org
from tracker.core.confirm import ConfirmForm, confirm_page
from tracker.core.numbers import parse_id
from tracker.extensions import db
from tracker.insights import bp, services
from tracker.insights.forms import (
    AnswerForm,
    IdeaForm,
    InsightForm,
    PlainForm,
    UnlinkForm,
    card_label,
    opportunity_label,
)
from tracker.insights.models import Insight, InsightSource, InsightTheme
from tracker.programmes.permissions import can_edit_org, require_edit_org, require_view_org


def load_insight(insight_id: int, *, edit: bool = False) -> Insight:
    """The insight, checked against its own organisation."""
    insight = db.session.get(Insight, insight_id)
    if insight is None:
        abort(404)
    (require_edit_org if edit else require_view_org)(current_user(), insight.organisation)
    return insight


def _index_url(org) -> str:
    return url_for("insights.index", slug=org.programme.slug, org_slug=org.slug)


def _source(value: str | None) -> InsightSource | None:
    try:
        return InsightSource(value) if value else None
    except ValueError:
        return None


@bp.route("/programmes/<slug>/<org_slug>/insights")
@login_required
def index(slug: str, org_slug: str):
    """The organisation's insights grouped by theme, with their sources and what came of each."""
    org = load_org(slug, org_slug)
    groups, archived = services.grouped(org)
    every = [i for g in groups for i in g.insights]
    source_counts = {s: sum(1 for i in every if i.source == s) for s in InsightSource}
    chosen = _source(request.args.get("source"))
    if chosen is not None:
        groups = [services.ThemeGroup(g.theme, [i for i in g.insights if i.source == chosen]) for g in groups]
        groups = [g for g in groups if g.insights]
    answers = services.answers_of([i.id for g in groups for i in g.insights])
    return render_template("insights/index.html", org=org, groups=groups, archived=archived, answers=answers,
                           total=len(every), theme_count=len({i.theme_id for i in every}), chosen=chosen,
                           source_counts=source_counts, can_edit=can_edit_org(current_user(), org),
                           button_form=PlainForm(formdata=None))


def _theme(org, form: InsightForm, themes: list[InsightTheme]) -> InsightTheme:
    """The theme typed (found or added) or, if none was typed, the one chosen (from the form's own choices)."""
    typed = (form.new_theme.data or "").strip()
    if typed:
        return services.theme_named(org, typed)
    return next(t for t in themes if str(t.id) == form.theme.data)


@bp.route("/programmes/<slug>/<org_slug>/insights/new", methods=["GET", "POST"])
@login_required
def new(slug: str, org_slug: str):
    """Add an insight under a theme of the organisation's, or a new theme."""
    org = load_org(slug, org_slug, edit=True)
    themes = services.themes(org)
    form = InsightForm(themes=themes)
    if request.method == "GET" and (theme_id := parse_id(request.args.get("theme", ""))) is not None:
        form.theme.data = str(theme_id) if any(t.id == theme_id for t in themes) else ""
    if form.validate_on_submit():
        insight = services.create_insight(org, theme=_theme(org, form, themes), title=form.title.data,
                                          source=InsightSource(form.source.data), evidence=form.evidence.data,
                                          user=current_user())
        db.session.commit()
        flash(_("Insight added under “%(theme)s”", theme=insight.theme.name), "success")
        return redirect(url_for("insights.insight", insight_id=insight.id))
    return render_template("insights/form.html", form=form, org=org, insight=None), 422 if form.errors else 200


def insight_page(insight: Insight, status: int = 200, **forms):
    """The insight's page; ``forms`` replaces the empty link form with one carrying errors."""
    org = insight.organisation
    can_edit = can_edit_org(current_user(), org)
    answers = services.answers_of([insight.id])[insight.id]
    cards, opportunities = services.answer_choices(insight) if can_edit else ([], [])
    context = {"answer_form": AnswerForm(cards=cards, opportunities=opportunities, formdata=None),
               "button_form": PlainForm(formdata=None)}
    context.update(forms)
    return render_template("insights/insight.html", insight=insight, org=org, answers=answers, can_edit=can_edit,
                           **context), status


@bp.route("/insights/<int:insight_id>")
@login_required
def insight(insight_id: int):
    """One insight: its evidence, and what came of it."""
    return insight_page(load_insight(insight_id))


@bp.route("/insights/<int:insight_id>/edit", methods=["GET", "POST"])
@login_required
def edit(insight_id: int):
    """Change an insight (its theme, the finding, where it came from, the evidence)."""
    insight = load_insight(insight_id, edit=True)
    org = insight.organisation
    themes = services.themes(org)
    form = InsightForm(obj=insight, themes=themes)
    if request.method == "GET":
        form.theme.data, form.source.data, form.new_theme.data = str(insight.theme_id), insight.source.value, ""
    if form.validate_on_submit():
        try:
            changed = services.update_insight(insight, theme=_theme(org, form, themes), title=form.title.data,
                                              source=InsightSource(form.source.data), evidence=form.evidence.data,
                                              user=current_user(), expected_version=form.version.data)
        except services.StaleInsight:
            # What was typed stays in the form; the current values are shown above it, and the hidden version
            # becomes the current one, so saving again means "save mine anyway".
            db.session.rollback()
            current = db.session.get(Insight, insight_id)
            return render_template("insights/form.html", form=form, org=org, insight=current, stale=True), 409
        db.session.commit()
        flash(_("Insight saved") if changed else _("Nothing was changed"), "success")
        return redirect(url_for("insights.insight", insight_id=insight.id))
    return render_template("insights/form.html", form=form, org=org, insight=insight), 422 if form.errors else 200


@bp.route("/insights/<int:insight_id>/archive", methods=["GET", "POST"])
@login_required
def archive(insight_id: int):
    """Archive an insight, after a confirmation page: it leaves its theme's list; its links stay."""
    insight = load_insight(insight_id, edit=True)
    form = ConfirmForm()
    if form.validate_on_submit():
        services.archive_insight(insight, user=current_user())
        db.session.commit()
        flash(_("Insight archived: “%(title)s”", title=insight.title), "success")
        return redirect(_index_url(insight.organisation))
    return confirm_page(heading=_("Archive this insight?"), caption=insight.title, form=form,
                        button=_("Archive insight"), cancel=url_for("insights.insight", insight_id=insight.id),
                        details=[_("It leaves its theme's list and shows under “Archived insights” until it is "
                                   "restored. The quick wins and ideas that answer it stay linked to it.")])


@bp.route("/insights/<int:insight_id>/restore", methods=["POST"])
@login_required
def restore(insight_id: int):
    """Put an archived insight back under its theme."""
    insight = load_insight(insight_id, edit=True)
    form = PlainForm()
    if form.validate_on_submit():
        services.restore_insight(insight, user=current_user())
        db.session.commit()
        flash(_("Insight restored"), "success")
    return redirect(url_for("insights.insight", insight_id=insight.id))


@bp.route("/insights/<int:insight_id>/delete", methods=["GET", "POST"])
@login_required
def delete(insight_id: int):
    """Delete an insight for good, after a confirmation page (the cards that answer it stay on the board)."""
    insight = load_insight(insight_id, edit=True)
    org = insight.organisation
    form = ConfirmForm()
    if form.validate_on_submit():
        services.delete_insight(insight)
        db.session.commit()
        flash(_("Insight deleted"), "success")
        return redirect(_index_url(org))
    answers = services.answers_of([insight.id])[insight.id]
    details = [_("This cannot be undone. To keep it out of the list but on record, archive it instead.")]
    if answers:
        details.append(_("The quick wins, ideas and design opportunities that answer it stay on the board; they "
                         "will no longer show this insight."))
    return confirm_page(heading=_("Delete this insight?"), caption=insight.title, form=form,
                        button=_("Delete insight"), cancel=url_for("insights.insight", insight_id=insight.id),
                        details=details)


@bp.route("/insights/<int:insight_id>/quick-win", methods=["POST"])
@login_required
def quick_win(insight_id: int):
    """Answer the insight with a quick win, in one step: added to the backlog, titled from the insight, linked."""
    insight = load_insight(insight_id, edit=True)
    form = PlainForm()
    if not form.validate_on_submit():
        return redirect(url_for("insights.insight", insight_id=insight.id))
    try:
        card = services.answer_with_quick_win(insight, user=current_user())
    except services.InsightError as error:
        db.session.rollback()
        flash(str(error), "error")
        return redirect(url_for("insights.insight", insight_id=insight.id))
    db.session.commit()
    flash(_("Quick win %(code)s added to the backlog: it answers the insight “%(title)s”", code=card.code,
            title=insight.title), "success")
    return redirect(url_for("board.card", card_id=card.id))


@bp.route("/insights/<int:insight_id>/idea", methods=["GET", "POST"])
@login_required
def idea(insight_id: int):
    """Answer the insight with an idea: choose one of the organisation's design opportunities, and the idea is
    made under it in one step (in the backlog, titled from the insight, linked back)."""
    insight = load_insight(insight_id, edit=True)
    if insight.archived_dt is not None:
        flash(_("This insight is archived: restore it before answering it"), "error")
        return redirect(url_for("insights.insight", insight_id=insight.id))
    opportunities = services.idea_choices(insight)
    form = IdeaForm(opportunities=opportunities)
    if form.validate_on_submit():
        chosen = next(o for o in opportunities if str(o.id) == form.opportunity.data)
        try:
            card = services.answer_with_idea(insight, chosen, user=current_user())
        except services.InsightError as error:
            db.session.rollback()
            form.opportunity.errors = [str(error)]
        else:
            db.session.commit()
            flash(_("Idea %(code)s added under design opportunity %(n)s: it answers the insight “%(title)s”",
                    code=card.code, n=chosen.number, title=insight.title), "success")
            return redirect(url_for("board.card", card_id=card.id))
    return render_template("insights/idea.html", form=form, insight=insight, org=insight.organisation,
                           opportunities=opportunities), 422 if form.is_submitted() else 200


def _answer(insight: Insight, value: str) -> Card | Opportunity | None:
    """``card:<id>`` or ``opportunity:<id>`` as the object, if it exists (its organisation checked later)."""
    kind, _sep, number = (value or "").partition(":")
    model = {"card": Card, "opportunity": Opportunity}.get(kind)
    object_id = parse_id(number)
    if model is None or object_id is None:
        return None
    return db.session.get(model, object_id)


@bp.route("/insights/<int:insight_id>/links", methods=["POST"])
@login_required
def link(insight_id: int):
    """Record that a quick win, idea or design opportunity of the organisation answers the insight."""
    insight = load_insight(insight_id, edit=True)
    cards, opportunities = services.answer_choices(insight)
    form = AnswerForm(cards=cards, opportunities=opportunities)
    if not form.validate_on_submit():
        return insight_page(insight, 422, answer_form=form)
    target = _answer(insight, form.answer.data)
    try:
        if isinstance(target, Card):
            services.link_card(insight, target)
            label = card_label(target)
        elif isinstance(target, Opportunity):
            services.link_opportunity(insight, target)
            label = opportunity_label(target)
        else:  # not reachable through the form's own choices
            abort(404)
    except services.InsightError as error:
        db.session.rollback()
        form.answer.errors = [str(error)]
        return insight_page(insight, 422, answer_form=form)
    db.session.commit()
    flash(_("%(answer)s now answers this insight", answer=label), "success")
    return redirect(url_for("insights.insight", insight_id=insight.id) + "#what-came-of-it")


@bp.route("/insights/<int:insight_id>/links/remove", methods=["POST"])
@login_required
def unlink(insight_id: int):
    """Take away a link: the card or design opportunity stays on the board."""
    insight = load_insight(insight_id, edit=True)
    answers = services.answers_of([insight.id])[insight.id]
    linked = [(f"card:{c.id}", card_label(c)) for c in answers.cards] + [
        (f"opportunity:{o.id}", opportunity_label(o)) for o in answers.opportunities]
    form = UnlinkForm(linked=linked)
    if form.validate_on_submit():
        target = _answer(insight, form.answer.data)
        if isinstance(target, Card):
            services.unlink_card(insight, target)
        elif isinstance(target, Opportunity):
            services.unlink_opportunity(insight, target)
        db.session.commit()
        flash(_("%(answer)s no longer answers this insight", answer=dict(linked)[form.answer.data]), "success")
    else:
        flash(_("That link was already taken away"), "error")
    return redirect(url_for("insights.insight", insight_id=insight.id) + "#what-came-of-it")


@bp.route("/insight-themes/<int:theme_id>/move", methods=["POST"])
@login_required
def move_theme(theme_id: int):
    """Move a theme up or down the organisation's insights page."""
    theme = db.session.get(InsightTheme, theme_id)
    if theme is None:
        abort(404)
    require_edit_org(current_user(), theme.organisation)
    form = PlainForm()
    direction = request.form.get("direction", "")
    if form.validate_on_submit() and direction in ("up", "down") and services.move_theme(theme, up=direction == "up"):
        db.session.commit()
        flash(_("“%(theme)s” moved up", theme=theme.name) if direction == "up"
              else _("“%(theme)s” moved down", theme=theme.name), "success")
    return redirect(_index_url(theme.organisation) + f"#theme-{theme.id}")
