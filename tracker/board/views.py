"""Pages of an organisation's action plans: overview, roadmap board, plans, opportunities and cards.

Every view loads its object first and checks permission against that object's own organisation.
"""

import json
from functools import lru_cache
from urllib.parse import urlencode

from flask import abort, flash, make_response, redirect, render_template, request, url_for
from flask_babel import get_locale, ngettext
from flask_babel import gettext as _
from flask_wtf.csrf import generate_csrf
from markupsafe import Markup, escape
from sqlalchemy import and_, select
from sqlalchemy.orm import contains_eager, selectinload

from tracker.accounts.permissions import current_user, login_required
from tracker.board import bp, queries, services
from tracker.board.forms import (
    ActionDoneForm,
    ActionEditForm,
    ActionForm,
    CardForm,
    ConceptSheetForm,
    FilterForm,
    LinkForm,
    MoveForm,
    OpportunityForm,
    ProgressUpdateForm,
    PrototypePlanForm,
    VersionedConfirmForm,
)
from tracker.board.models import (
    Action,
    Card,
    ConceptSheet,
    Kind,
    Opportunity,
    Priority,
    ProgressUpdate,
    PrototypePlan,
    RoadmapColumn,
)
from tracker.board.queries import TEAM_OWNER
from tracker.core.confirm import ConfirmForm, confirm_page
from tracker.core.errors import abort_with
from tracker.core.formats import uk_date
from tracker.core.htmx import render, wants_fragment
from tracker.core.numbers import parse_id
from tracker.extensions import db
from tracker.programmes.models import Membership, Organisation, Programme
from tracker.programmes.permissions import (
    can_edit_org,
    can_manage_programme,
    remember_membership,
    require_edit_org,
    require_view_org,
)
from tracker.results import queries as result_queries
from tracker.results import services as result_services
from tracker.results.forms import CardIndicatorsForm


def load_org(slug: str, org_slug: str, *, edit: bool = False) -> Organisation:
    """The organisation in that programme, if the signed-in person may see (or change) its plans."""
    user = current_user()
    # The signed-in person's membership comes in the same query (one statement fewer on every page).
    row = db.session.execute(
        select(Organisation, Membership).join(Programme, Organisation.programme_id == Programme.id)
        .outerjoin(Membership, and_(Membership.programme_id == Programme.id,
                                    Membership.user_id == (user.id if user else None)))
        .options(contains_eager(Organisation.programme))
        .where(Programme.slug == slug, Organisation.slug == org_slug)).first()
    if row is None:
        abort(404)
    org = row.Organisation
    remember_membership(user, org.programme_id, row.Membership)
    (require_edit_org if edit else require_view_org)(current_user(), org)
    return org


def load_card(card_id: int, *, edit: bool = False) -> Card:
    """The card, checked against its own organisation."""
    card = db.session.get(Card, card_id)
    if card is None:
        abort(404)
    (require_edit_org if edit else require_view_org)(current_user(), card.organisation)
    return card


def load_opportunity(opportunity_id: int, *, edit: bool = False) -> Opportunity:
    opportunity = db.session.get(Opportunity, opportunity_id)
    if opportunity is None:
        abort(404)
    (require_edit_org if edit else require_view_org)(current_user(), opportunity.organisation)
    return opportunity


def _ids(objects, chosen: list[str]):
    wanted = set(chosen or [])
    return [o for o in objects if str(o.id) in wanted]


def _person(people, value: str | None):
    return next((p for p in people if str(p.id) == value), None)


def stale_response(card: Card, template: str, status: int = 409, **context):
    """The "changed by someone else" answer: the current values, never a silent overwrite."""
    db.session.rollback()
    card = db.session.get(Card, card.id)
    return render_template(template, card=card, stale=True, **context), status


def board_context(filters: queries.Filters) -> dict:
    """What every card on the board shares, made once rather than once per card: labels, the tags and the
    "Move to" options for each column (once per language, see below), URL prefixes and the CSRF token
    (once per page); the board can hold 1,000 cards."""
    card_prefix = url_for("board.card", card_id=0)[:-1]
    return {**_board_words(str(get_locale())), "card_prefix": card_prefix, "move_prefix": card_prefix,
            "csrf": escape(generate_csrf()),
            "filter_qs": "?" + urlencode(filters.as_args()) if filters.active else ""}


@lru_cache(maxsize=8)
def _board_words(locale: str) -> dict:
    """The board's words and the markup built from them, made once per language: they depend on nothing
    else, and making them cost more than a tenth of a 100-card board."""
    columns = [(c, c.label) for c in RoadmapColumn]

    def options(selected: RoadmapColumn) -> Markup:
        return Markup("").join(
            Markup('<option value="{}"{}>{}</option>').format(c.value, Markup(" selected") if c == selected else "",
                                                             label) for c, label in columns)

    def tag(css: str, text: str) -> Markup:
        return Markup('<strong class="govuk-tag {}">{}</strong>').format(css, text)

    return {
        "column_choices": columns,
        "column_options": {c: options(c) for c in RoadmapColumn},
        "kind_tags": {k: tag(f"app-tag--kind-{k.value}", k.label) for k in Kind},
        "priority_tags": {p: tag(f"app-tag--priority-{p.value}", _("Priority: %(p)s", p=p.label)) for p in Priority},
        "owners_label": _("Owners:"), "completed_label": _("Completed"),
        "move_label": _("Move to"), "move_button": _("Move"), "position_label": _("Position"),
        "position_hint": _("1 is the top; leave it empty for the bottom"), "linked_label": _("Linked to:"),
        "move_toggle": _("Move"), "move_toggle_hidden": _("to another column or position"),
        "quick_wins_label": _("Quick wins"), "add_idea_label": _("Add an idea"),
        "add_quick_win_label": _("Add a quick win"),
        # Filled in per lane (``|format(n=…)``); gettext without variables leaves the placeholder as it is.
        "to_opportunity_label": _("to design opportunity %(n)s"),
    }


# --- organisation overview and plans -------------------------------------------------------------


@bp.route("/programmes/<slug>/<org_slug>/")
@login_required
def organisation(slug: str, org_slug: str):
    """An organisation's action plans, as a task list."""
    org = load_org(slug, org_slug)
    counts = dict(db.session.execute(
        queries.on_board(select(Card.kind, db.func.count())).where(Card.organisation_id == org.id)
        .group_by(Card.kind)).all())
    opportunity_count = db.session.scalar(
        select(db.func.count()).select_from(Opportunity).where(Opportunity.organisation_id == org.id,
                                                               Opportunity.archived_dt.is_(None)))
    return render_template("board/organisation.html", org=org, counts=counts,
                           opportunity_count=opportunity_count, can_edit=can_edit_org(current_user(), org),
                           can_manage=can_manage_programme(current_user(), org.programme))


@bp.route("/programmes/<slug>/<org_slug>/roadmap")
@login_required
def roadmap(slug: str, org_slug: str):
    """The roadmap board: swimlanes by design opportunity plus quick wins, five columns."""
    org = load_org(slug, org_slug)
    filters = queries.Filters.from_args(request.args)
    people = queries.owner_choices(org)
    lanes = queries.board_lanes(org, filters, services.today())
    form = FilterForm(formdata=request.args, people=people, indicators=result_queries.indicators(org.programme))
    can_edit = can_edit_org(current_user(), org)
    shared = board_context(filters)
    # The lanes are rendered on their own, then placed in the page as one piece: each of a thousand cards'
    # bits of markup would otherwise be handed up through every level of the page's template inheritance.
    lanes_html = Markup(render_template(  # noqa: S704 - an autoescaped template's output
        "board/_lanes.html", lanes=lanes, org=org, filters=filters, can_edit=can_edit, **shared))
    return render("board/roadmap.html", "board", org=org, lanes=lanes, lanes_html=lanes_html, filters=filters,
                  filter_form=form, can_edit=can_edit, **shared)


@bp.route("/programmes/<slug>/<org_slug>/quick-wins")
@login_required
def quick_wins(slug: str, org_slug: str):
    """Action plan: quick wins, in the seed's column order (printable)."""
    org = load_org(slug, org_slug)
    return render_template("board/quick_wins.html", org=org, cards=queries.quick_wins(org),
                           can_edit=can_edit_org(current_user(), org), today=services.today())


@bp.route("/programmes/<slug>/<org_slug>/opportunities")
@login_required
def opportunities(slug: str, org_slug: str):
    """Action plan: design opportunities with their ideas, concepts and prototypes (printable)."""
    org = load_org(slug, org_slug)
    return render_template("board/opportunities.html", org=org, opportunities=queries.opportunities_with_ideas(org),
                           can_edit=can_edit_org(current_user(), org))


@bp.route("/programmes/<slug>/<org_slug>/opportunities/new", methods=["GET", "POST"])
@login_required
def new_opportunity(slug: str, org_slug: str):
    """Add a design opportunity ("How might we…?")."""
    org = load_org(slug, org_slug, edit=True)
    people, initiatives = queries.owner_choices(org), org.programme.initiatives
    form = OpportunityForm(people=people, initiatives=initiatives)
    if form.validate_on_submit():
        opportunity = services.create_opportunity(
            org, title=form.title.data, rationale=form.rationale.data, priority=Priority(form.priority.data),
            assignee=_person(people, form.assignee.data), is_in_progress=form.is_in_progress.data,
            initiatives=_ids(initiatives, form.initiatives.data))
        db.session.commit()
        flash(_("Design opportunity %(n)s added", n=opportunity.number), "success")
        return redirect(url_for("board.opportunity", opportunity_id=opportunity.id))
    return render_template("board/opportunity_form.html", form=form, org=org, opportunity=None)


@bp.route("/opportunities/<int:opportunity_id>")
@login_required
def opportunity(opportunity_id: int):
    """A design opportunity with its ideas."""
    opp = load_opportunity(opportunity_id)
    return render_template("board/opportunity.html", opportunity=opp, org=opp.organisation,
                           can_edit=can_edit_org(current_user(), opp.organisation))


@bp.route("/opportunities/<int:opportunity_id>/edit", methods=["GET", "POST"])
@login_required
def edit_opportunity(opportunity_id: int):
    opp = load_opportunity(opportunity_id, edit=True)
    org = opp.organisation
    people, initiatives = queries.owner_choices(org), org.programme.initiatives
    form = OpportunityForm(obj=opp, people=people, initiatives=initiatives)
    if request.method == "GET":
        form.priority.data = opp.priority.value
        form.assignee.data = str(opp.assignee_id or "")
        form.initiatives.data = [str(i.id) for i in opp.initiatives]
    if form.validate_on_submit():
        services.update_opportunity(
            opp, title=form.title.data, rationale=form.rationale.data, priority=Priority(form.priority.data),
            assignee=_person(people, form.assignee.data), is_in_progress=form.is_in_progress.data,
            initiatives=_ids(initiatives, form.initiatives.data))
        db.session.commit()
        flash(_("Design opportunity saved"), "success")
        return redirect(url_for("board.opportunity", opportunity_id=opp.id))
    return render_template("board/opportunity_form.html", form=form, org=org, opportunity=opp)


# --- cards ---------------------------------------------------------------------------------------


@bp.route("/programmes/<slug>/<org_slug>/cards/new", methods=["GET", "POST"])
@login_required
def new_card(slug: str, org_slug: str):
    """Add a quick win (no ``opportunity``) or an idea under a design opportunity."""
    org = load_org(slug, org_slug, edit=True)
    opportunity = None
    opportunity_id = request.args.get("opportunity", "")
    if opportunity_id:
        number = parse_id(opportunity_id)
        opportunity = db.session.get(Opportunity, number) if number is not None else None
        if opportunity is None or opportunity.organisation_id != org.id:
            abort(404)
        if opportunity.archived_dt is not None:
            abort_with(409, _("Design opportunity %(n)s is archived: restore it before adding ideas to it",
                              n=opportunity.number))
    people, initiatives = queries.owner_choices(org), org.programme.initiatives
    form = CardForm(people=people, initiatives=initiatives, quick_win=opportunity is None)
    if request.method == "GET" and opportunity is not None:
        form.kind.data = Kind.IDEA.value
    if form.validate_on_submit():
        card = services.create_card(
            org, kind=Kind(form.kind.data), opportunity=opportunity, title=form.title.data,
            rationale=form.rationale.data, description=form.description.data,
            priority=Priority(form.priority.data), owners=_ids(people, form.owners.data),
            team_owned=TEAM_OWNER in (form.owners.data or []),
            initiatives=_ids(initiatives, form.initiatives.data), user=current_user())
        db.session.commit()
        flash(_("%(code)s %(title)s added to the backlog", code=card.code, title=card.title), "success")
        return redirect(url_for("board.card", card_id=card.id))
    return render_template("board/card_form.html", form=form, org=org, card=None, opportunity=opportunity)


@bp.route("/cards/<int:card_id>")
@login_required
def card(card_id: int):
    """A card's page: its fields, actions, progress updates, related cards, sheets and history."""
    return card_page(load_card(card_id))


def card_page(card: Card, status: int = 200, **forms):
    """Render the card page; ``forms`` replaces empty forms with ones carrying errors (422)."""
    org = card.organisation
    can_edit = can_edit_org(current_user(), org)
    people = queries.owner_choices(org) if can_edit else []
    others = []
    if can_edit:
        others = [c for c in db.session.scalars(
            queries.on_board(select(Card)).where(Card.organisation_id == org.id, Card.id != card.id)
            .options(selectinload(Card.opportunity)).order_by(Card.opportunity_id, Card.number))
            if c not in card.related]
    indicators = result_queries.indicators(org.programme)
    linked = result_services.card_indicator_ids(card)
    # Every form starts empty (formdata=None): on a re-shown POST they would otherwise read its values.
    context = {"move_form": MoveForm(formdata=None), "action_form": ActionForm(people=people, formdata=None),
               "update_form": ProgressUpdateForm(on=services.today(), formdata=None),
               "link_form": LinkForm(cards=others, formdata=None), "done_form": ActionDoneForm(formdata=None),

               "indicator_form": CardIndicatorsForm(indicators=indicators, formdata=None)}
    context["indicator_form"].indicators.data = [str(i) for i in linked]
    context.update(forms)
    return render_template("board/card.html", card=card, org=org, can_edit=can_edit, today=services.today(),
                           linked_indicators=[i for i in indicators if i.id in linked], **context), status


@bp.route("/cards/<int:card_id>/edit", methods=["GET", "POST"])
@login_required
def edit_card(card_id: int):
    """Edit a card; a save from an older version is refused with the current values."""
    card = load_card(card_id, edit=True)
    org = card.organisation
    people, initiatives = queries.owner_choices(org), org.programme.initiatives
    form = CardForm(obj=card, people=people, initiatives=initiatives, quick_win=card.kind == Kind.QUICK_WIN)
    if request.method == "GET":
        form.kind.data = card.kind.value
        form.priority.data = card.priority.value
        form.owners.data = [TEAM_OWNER] * card.team_owned + [str(u.id) for u in card.owners]
        form.initiatives.data = [str(i.id) for i in card.initiatives]
    if form.validate_on_submit():
        try:
            services.update_card(
                card, expected_version=form.version.data, user=current_user(), title=form.title.data,
                rationale=form.rationale.data, description=form.description.data,
                priority=Priority(form.priority.data), kind=Kind(form.kind.data),
                owners=_ids(people, form.owners.data), team_owned=TEAM_OWNER in (form.owners.data or []),
                initiatives=_ids(initiatives, form.initiatives.data))
        except services.StaleCard:
            db.session.rollback()
            current = db.session.get(Card, card.id)
            fresh = CardForm(obj=current, people=people, initiatives=initiatives,
                             quick_win=current.kind == Kind.QUICK_WIN, formdata=None)
            return render_template("board/card_form.html", form=form, org=org, card=current, opportunity=None,
                                   stale=True, fresh=fresh), 409
        except services.BoardError as error:
            form.kind.errors.append(str(error))
        else:
            db.session.commit()
            flash(_("Changes to “%(title)s” (%(code)s) saved", title=card.title, code=card.code), "success")
            return redirect(url_for("board.card", card_id=card.id))
    return render_template("board/card_form.html", form=form, org=org, card=card, opportunity=card.opportunity)


@bp.route("/cards/<int:card_id>/move", methods=["POST"])
@login_required
def move_card(card_id: int):
    """Move a card to another column or position: from drag and drop, the keyboard or the "Move to" form.

    An htmx request gets the card's lane back (re-rendered with the board's filters) and an
    announcement for screen readers; a plain form post is redirected back to the board.
    """
    card = load_card(card_id, edit=True)
    org = card.organisation
    form = MoveForm()
    status, message, stale = 200, None, False
    if not form.validate():
        # Not a move anyone could have meant (no column, a version or place that is not a number): refused,
        # with the lane as it really is.
        db.session.rollback()
        status = 422
        message = _("%(code)s was not moved: %(reason)s", code=card.code,
                    reason="; ".join(str(e) for errors in form.errors.values() for e in errors))
    else:
        try:
            result = services.move_card(card, column=RoadmapColumn(form.column.data),
                                        expected_version=form.version.data, user=current_user(),
                                        after_id=form.after.data, position=form.position.data)
        except services.StaleCard:
            db.session.rollback()
            card = db.session.get(Card, card_id)
            status, stale = 409, True
            message = _("“%(title)s” (%(code)s) was changed by someone else: it is now in %(column)s. Nothing "
                        "was moved.", title=card.title, code=card.code, column=card.column.label)
        except services.BoardError as error:
            db.session.rollback()
            status, message = 409, str(error)
        else:
            db.session.commit()
            message = result.message
    filters = queries.Filters.from_args(request.args)
    roadmap_url = url_for("board.roadmap", slug=org.programme.slug, org_slug=org.slug)
    if not wants_fragment():
        if status != 200:
            return render_template("board/move_conflict.html", card=card, org=org, message=message, stale=stale,
                                   heading=_("Nothing was moved")), status
        flash(message, "success")
        return redirect(roadmap_url + f"#card-{card.id}")
    lanes = queries.board_lanes(org, filters, services.today(), only_lane=card.opportunity_id)
    if not lanes:
        # The card's design opportunity was archived meanwhile: there is no lane to redraw, so the whole
        # board is loaded again, with the reason in its banner.
        flash(message, "error")
        response = make_response("", status)
        response.headers["HX-Redirect"] = roadmap_url
        return response
    response = make_response(render_template(
        "board/_lane.html", lane=lanes[0], org=org, filters=filters, can_edit=True,
        **board_context(filters)), status)
    response.headers["HX-Trigger"] = json.dumps({"board-moved": {
        "message": message, "cardId": card.id, "error": status != 200}})
    return response


@bp.route("/cards/<int:card_id>/actions", methods=["POST"])
@login_required
def add_action(card_id: int):
    card = load_card(card_id, edit=True)
    people = queries.owner_choices(card.organisation)
    form = ActionForm(people=people)
    if form.validate_on_submit():
        services.add_action(card, text=form.text.data, owner=_person(people, form.owner.data),
                            due_on=form.due_on.data, user=current_user())
        db.session.commit()
        flash(_("Action added"), "success")
        return redirect(url_for("board.card", card_id=card.id) + "#actions")
    return card_page(card, 422, action_form=form)


@bp.route("/actions/<int:action_id>/done", methods=["POST"])
@login_required
def set_action_done(action_id: int):
    action = load_item("actions", action_id)
    form = ActionDoneForm()
    services.set_action_done(action, done=form.done.data == "1", user=current_user())
    db.session.commit()
    flash(_("Action marked as done") if action.is_done else _("Action marked as not done"), "success")
    return redirect(url_for("board.card", card_id=action.card_id) + "#actions")


@bp.route("/cards/<int:card_id>/updates", methods=["POST"])
@login_required
def add_update(card_id: int):
    card = load_card(card_id, edit=True)
    form = ProgressUpdateForm()
    if form.validate_on_submit():
        try:
            services.add_progress_update(card, on=form.on.data, body=form.body.data, user=current_user())
        except services.BoardError as error:
            form.on.errors.append(str(error))
        else:
            db.session.commit()
            flash(_("Progress update added"), "success")
            return redirect(url_for("board.card", card_id=card.id) + "#updates")
    return card_page(card, 422, update_form=form)


@bp.route("/cards/<int:card_id>/links", methods=["POST"])
@login_required
def add_link(card_id: int):
    card = load_card(card_id, edit=True)
    others = db.session.scalars(queries.on_board(select(Card)).where(Card.organisation_id == card.organisation_id,
                                                                     Card.id != card.id)).all()
    form = LinkForm(cards=others)
    if form.validate_on_submit():
        other = next(c for c in others if str(c.id) == form.other.data)
        services.link_cards(card, other, user=current_user())
        db.session.commit()
        flash(_("Linked to %(code)s", code=other.code), "success")
        return redirect(url_for("board.card", card_id=card.id) + "#related")
    return card_page(card, 422, link_form=form)


@bp.route("/cards/<int:card_id>/links/<int:other_id>/remove", methods=["GET", "POST"])
@login_required
def remove_link(card_id: int, other_id: int):
    """Remove the link between two related cards, after a confirmation page (both cards stay)."""
    card = load_card(card_id, edit=True)
    other = db.session.get(Card, other_id)
    if other is None or other.organisation_id != card.organisation_id:
        abort(404)
    form = ConfirmForm()
    back = url_for("board.card", card_id=card.id) + "#related"
    if form.validate_on_submit():
        services.unlink_cards(card, other, user=current_user())
        db.session.commit()
        flash(_("Link removed"), "success")
        return redirect(back)
    return confirm_page(
        heading=_("Are you sure you want to remove the link to %(code)s %(title)s?", code=other.code,
                  title=other.title),
        caption=f"{card.code} {card.title}", button=_("Yes, remove the link"), cancel=back, form=form,
        details=[_("Both cards stay as they are; they are no longer listed as related.")])


SHEETS = {
    "concept": (ConceptSheet, ConceptSheetForm, "concept_sheet", _("concept capture sheet")),
    "prototype": (PrototypePlan, PrototypePlanForm, "prototype_plan", _("prototyping plan")),
}


@bp.route("/cards/<int:card_id>/<any(concept, prototype):sheet>/edit", methods=["GET", "POST"])
@login_required
def edit_sheet(card_id: int, sheet: str):
    """Fill in the concept capture sheet or the prototyping plan and feedback capture grid."""
    card = load_card(card_id, edit=True)
    if card.kind == Kind.QUICK_WIN:
        abort(404)
    model, form_class, attribute, _label = SHEETS[sheet]
    existing = getattr(card, attribute)
    form = form_class(obj=existing)
    if request.method == "GET":
        form.version.data = card.version
    if form.validate_on_submit():
        values = {name: getattr(form, name).data for name in services.SHEET_FIELDS[model]}
        try:
            services.save_sheet(card, model, expected_version=form.version.data, user=current_user(), **values)
        except services.StaleCard:
            db.session.rollback()
            current = db.session.get(Card, card.id)
            return render_template("board/sheet_form.html", form=form, card=current, sheet=sheet,
                                   stale=True, current=getattr(current, attribute)), 409
        db.session.commit()
        flash(_("Saved"), "success")
        return redirect(url_for("board.card", card_id=card.id) + f"#{sheet}")
    return render_template("board/sheet_form.html", form=form, card=card, sheet=sheet, stale=False, current=None)


# --- changing and archiving --------------------------------------------------------------------------


@bp.route("/actions/<int:action_id>/edit", methods=["GET", "POST"])
@login_required
def edit_action(action_id: int):
    """Change an action's text, owner or due date; a save from an older version is refused (409)."""
    action = load_item("actions", action_id)
    card = action.card
    people = queries.owner_choices(card.organisation)
    form = ActionEditForm(obj=action, people=people)
    if request.method == "GET":
        form.owner.data = str(action.owner_id or "")
    status = 200
    if form.validate_on_submit():
        try:
            services.update_action(action, expected_version=form.version.data, text=form.text.data,
                                   owner=_person(people, form.owner.data), due_on=form.due_on.data,
                                   user=current_user())
        except services.StaleAction:
            db.session.rollback()
            action = db.session.get(Action, action_id)
            return render_template("board/action_form.html", form=form, action=action, card=card, stale=True), 409
        db.session.commit()
        flash(_("Action saved"), "success")
        return redirect(url_for("board.card", card_id=card.id) + "#actions")
    if form.is_submitted():
        status = 422
    return render_template("board/action_form.html", form=form, action=action, card=card, stale=False), status


#: What can be archived on a card's page, by its URL's first part.
ITEMS = {"actions": Action, "updates": ProgressUpdate}


def load_item(kind: str, item_id: int) -> Action | ProgressUpdate:
    """An action or a progress update, checked against its card's own organisation."""
    item = db.session.get(ITEMS[kind], item_id)
    if item is None:
        abort(404)
    require_edit_org(current_user(), item.card.organisation)
    return item


def _item_words(item: Action | ProgressUpdate) -> dict:
    if isinstance(item, Action):
        return {"heading": _("Are you sure you want to archive the action “%(text)s”?", text=item.text),
                "button": _("Yes, archive the action"),
                "details": _("It leaves the card's list of actions and the quick wins log. You can restore it "
                             "from the card's archived actions."),
                "archived": _("Action archived: %(text)s", text=item.text),
                "restored": _("Action restored: %(text)s", text=item.text), "anchor": "#actions"}
    day = uk_date(item.on)
    return {"heading": _("Are you sure you want to archive the progress update of %(date)s?", date=day),
            "button": _("Yes, archive the progress update"),
            "details": _("It leaves the card's progress updates. You can restore it from the card's archived "
                         "updates."),
            "archived": _("Progress update of %(date)s archived", date=day),
            "restored": _("Progress update of %(date)s restored", date=day), "anchor": "#updates"}


@bp.route("/<any(actions, updates):kind>/<int:item_id>/archive", methods=["GET", "POST"])
@login_required
def archive_item(kind: str, item_id: int):
    """Archive an action or a progress update, after a confirmation page."""
    item = load_item(kind, item_id)
    words = _item_words(item)
    back = url_for("board.card", card_id=item.card_id) + words["anchor"]
    form = ConfirmForm()
    if form.validate_on_submit():
        services.set_archived(item, archived=True, user=current_user())
        db.session.commit()
        flash(words["archived"], "success")
        return redirect(back)
    return confirm_page(heading=words["heading"], caption=f"{item.card.code} {item.card.title}",
                        button=words["button"], details=[words["details"]], cancel=back, form=form)


@bp.route("/<any(actions, updates):kind>/<int:item_id>/restore", methods=["POST"])
@login_required
def restore_item(kind: str, item_id: int):
    item = load_item(kind, item_id)
    services.set_archived(item, archived=False, user=current_user())
    db.session.commit()
    words = _item_words(item)
    flash(words["restored"], "success")
    return redirect(url_for("board.card", card_id=item.card_id) + words["anchor"])


@bp.route("/cards/<int:card_id>/archive", methods=["GET", "POST"])
@login_required
def archive_card(card_id: int):
    """Take a card off the board (after a confirmation); it can be restored from the archive."""
    card = load_card(card_id, edit=True)
    org = card.organisation
    form = VersionedConfirmForm()
    if form.validate_on_submit():
        try:
            services.archive_card(card, expected_version=form.version.data, user=current_user())
        except services.StaleCard:
            return stale_response(card, "board/move_conflict.html", org=org, heading=_("Nothing was archived"),
                                  message=_("“%(title)s” (%(code)s) was changed by someone else, so it was not "
                                            "archived. Check it and try again.", title=card.title, code=card.code))
        db.session.commit()
        flash(_("%(code)s %(title)s archived. You can restore it from the archive.", code=card.code,
                title=card.title), "success")
        return redirect(url_for("board.roadmap", slug=org.programme.slug, org_slug=org.slug))
    details = [_("It leaves the roadmap, the action plans and their downloads."),
               _("Its actions, progress updates, sheets and history are kept; you can restore it from the "
                 "archive.")]
    return confirm_page(heading=_("Are you sure you want to archive %(code)s %(title)s?", code=card.code,
                                  title=card.title), caption=org.name, button=_("Yes, archive the card"),
                        details=details, cancel=url_for("board.card", card_id=card.id), form=form,
                        version=card.version)


@bp.route("/cards/<int:card_id>/restore", methods=["POST"])
@login_required
def restore_card(card_id: int):
    card = load_card(card_id, edit=True)
    services.restore_card(card, user=current_user())
    db.session.commit()
    flash(_("%(code)s %(title)s restored to %(column)s", code=card.code, title=card.title,
            column=card.column.label), "success")
    return redirect(url_for("board.card", card_id=card.id))


@bp.route("/opportunities/<int:opportunity_id>/archive", methods=["GET", "POST"])
@login_required
def archive_opportunity(opportunity_id: int):
    opp = load_opportunity(opportunity_id, edit=True)
    org = opp.organisation
    form = ConfirmForm()
    if form.validate_on_submit():
        services.archive_opportunity(opp)
        db.session.commit()
        flash(_("Design opportunity %(n)s archived. You can restore it from the archive.", n=opp.number), "success")
        return redirect(url_for("board.roadmap", slug=org.programme.slug, org_slug=org.slug))
    count = sum(1 for c in opp.cards if c.archived_dt is None)
    details = [ngettext("Its lane leaves the roadmap with the %(num)s idea, concept or prototype in it.",
                        "Its lane leaves the roadmap with the %(num)s ideas, concepts and prototypes in it.", count),
               _("Nothing is deleted; you can restore it from the archive.")]
    return confirm_page(heading=_("Are you sure you want to archive design opportunity %(n)s?", n=opp.number),
                        caption=opp.title, button=_("Yes, archive the design opportunity"), details=details,
                        cancel=url_for("board.opportunity", opportunity_id=opp.id), form=form)


@bp.route("/opportunities/<int:opportunity_id>/restore", methods=["POST"])
@login_required
def restore_opportunity(opportunity_id: int):
    opp = load_opportunity(opportunity_id, edit=True)
    services.restore_opportunity(opp)
    db.session.commit()
    flash(_("Design opportunity %(n)s restored", n=opp.number), "success")
    return redirect(url_for("board.opportunity", opportunity_id=opp.id))


@bp.route("/programmes/<slug>/<org_slug>/archive")
@login_required
def archive(slug: str, org_slug: str):
    """The organisation's archived cards and design opportunities, each with a "Restore" button."""
    org = load_org(slug, org_slug)
    cards, opportunities = queries.archived(org)
    return render_template("board/archive.html", org=org, cards=cards, opportunities=opportunities,
                           can_edit=can_edit_org(current_user(), org), form=ConfirmForm(formdata=None))
