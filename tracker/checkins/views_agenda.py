"""A check-in's agenda (built from the data until the check-in is held, then the copy kept at that moment),
holding it, the meeting record, the actions arising, and every organisation's agenda to print at once.

Every view loads the check-in first and decides from its own organisation: team members see their own
organisation's agenda and record and no other's; viewers read; only the programme's facilitators hold
check-ins, record them and add actions arising.
"""

from datetime import date
from functools import lru_cache

from flask import flash, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from markupsafe import Markup
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from tracker.accounts.models import User
from tracker.accounts.permissions import current_user, login_required
from tracker.board import queries as board_queries
from tracker.board.models import Card, Opportunity, RoadmapColumn
from tracker.checkins import agenda as agenda_rules
from tracker.checkins import agenda_cache, bp, calendar, record, versions
from tracker.checkins.forms_agenda import NEW_QUICK_WIN, ArisingForm, HoldForm, RecordForm, names
from tracker.checkins.models import CheckIn, CheckInRag, CheckInStatus
from tracker.checkins.views import load_checkin
from tracker.core import clock
from tracker.core.formats import uk_date
from tracker.extensions import db
from tracker.programmes.models import Membership
from tracker.programmes.permissions import can_manage_programme, load_programme, visible_organisations
from tracker.results.services import Rag


@bp.app_template_filter("iso_day")
def iso_day(value: str | None) -> str:
    """An agenda's ISO day as people read it: ``12 March 2027``."""
    return uk_date(date.fromisoformat(value)) if value else ""


@bp.app_template_global("column_label")
def column_label(value: str | None) -> str:
    return RoadmapColumn(value).label if value else ""


@bp.app_template_global("results_rag")
def results_rag(value: str | None) -> Rag | None:
    return Rag(value) if value else None


class _Days(dict):
    """ISO day → as people read it, each day formatted once per page (an agenda dates ~1,300 items)."""

    def __missing__(self, value: str | None) -> str:
        self[value] = day = iso_day(value)
        return day


#: Where a value goes in a sentence cut around it (no translation holds it).
_CUT = "\x00"


def _fill(translated: str, **values) -> Markup:
    """A translated sentence as the template's ``_()`` writes it: the translation as markup, the values
    escaped."""
    return Markup(translated) % values  # noqa: S704 - our own translation, its values escaped


def _cut(translated: str, name: str, **values) -> tuple[Markup, Markup]:
    """The sentence before and after its value ``name`` (the other values filled in), for the template to
    write the value between."""
    before, after = _fill(translated, **{name: _CUT}, **values).split(_CUT)
    return before, after


@lru_cache(maxsize=8)
def _agenda_words(_locale: str) -> dict:
    """The words of the agenda's items, translated and escaped once per language: gettext, a column's label and
    a macro per item cost more than half of an agenda of 1,300 items. They depend on nothing else."""
    columns = [None, *(c.value for c in RoadmapColumn)]
    tag = Markup('<strong class="govuk-tag {}">{}</strong>')
    rag_css = {"green": "govuk-tag--green", "amber": "govuk-tag--yellow", "red": "govuk-tag--red"}
    return {
        "moves": {old: {new: _fill(_("%(old)s to %(new)s"), old=column_label(old), new=column_label(new))
                        for new in columns} for old in columns},
        "stalled_in": {c: _cut(_("in %(column)s, last change %(date)s"), "date", column=column_label(c))
                       for c in columns},
        "now_in": {c: _fill(_("now in %(column)s"), column=column_label(c)) for c in columns},
        "rag_tags": {None: Markup(""), **{r.value: tag.format(rag_css.get(r.colour, "govuk-tag--grey"), r.label)
                                          for r in Rag}},
        "due": _cut(_("due %(date)s"), "date"), "owner": _cut(_("owner: %(name)s"), "name"),
        "new_quick_win": _cut(_("new quick win %(code)s"), "code"), "period": _cut(_("period %(n)s"), "n"),
        "done": tag.format("govuk-tag--green", _("Done")), "archived": tag.format("govuk-tag--grey", _("Archived")),
        "overdue": tag.format("govuk-tag--red", _("Overdue")), "open": tag.format("govuk-tag--blue", _("Open")),
        "yes_no": {agenda_rules.YES: _("Yes"), agenda_rules.NO: _("No")},
        "indicator": _("Indicator"), "before": _("Before"), "after": _("After"), "no_figure": _("No figure"),
        "no_figure_yet": _("No figure yet"),
        "card_lists": [("completed", _("Completed")), ("moved", _("Moved")), ("on_hold", _("Put on hold")),
                       ("started", _("Concepts and prototypes started")), ("new_quick_wins", _("New quick wins")),
                       ("new_ideas", _("New ideas")), ("archived", _("Archived"))],
    }


@bp.app_template_global("agenda_words")
def agenda_words() -> dict:
    """What every item of an agenda shares, made once per agenda: its words (once per language), a memo of
    formatted days, and link prefixes to add an id to (``url_for`` per item cost as much as the item)."""
    return {**_agenda_words(str(get_locale())), "days": _Days(),
            "card_href": url_for("board.card", card_id=0)[:-1],
            "indicator_href": url_for("results.indicator", indicator_id=0)[:-1]}


@bp.app_template_global("checkin_arising")
def checkin_arising(checkin: CheckIn) -> list[agenda_rules.ActionItem]:
    """The actions arising from a check-in with their state now, for its page."""
    return agenda_rules.arising_items(checkin, clock.today())


def _rag(value: str | None) -> CheckInRag | None:
    """The chosen colour; nothing chosen (blank, or spaces the radios' check lets through as blank) is none."""
    value = (value or "").strip()
    return CheckInRag(value) if value in {r.value for r in CheckInRag} else None


def _attendee_choices(checkin: CheckIn) -> list[User]:
    """People of the programme who may come to this organisation's check-in: its team, the facilitators and
    the viewers who see it."""
    return list(db.session.scalars(
        select(User).join(Membership, Membership.user_id == User.id)
        .where(Membership.programme_id == checkin.programme_id,
               (Membership.organisation_id == checkin.organisation_id) | (Membership.organisation_id.is_(None)))
        .order_by(User.name, User.id)))


def _board_cards(checkin: CheckIn) -> list[Card]:
    """The organisation's cards on the board, in lane and number order, to put an action on."""
    return list(db.session.scalars(
        select(Card).outerjoin(Card.opportunity)
        .where(Card.organisation_id == checkin.organisation_id, Card.archived_dt.is_(None),
               Opportunity.archived_dt.is_(None))
        .options(selectinload(Card.opportunity))
        .order_by(Opportunity.number.nulls_first(), Card.number)))


def _agenda_html(programme, agenda: agenda_rules.Agenda, frozen: bool) -> Markup:
    """An agenda's markup, rendered on its own and placed in the page as one piece: each of its items' bits
    would otherwise be handed up, one at a time, through every level of the page's template inheritance."""
    return Markup(render_template(  # noqa: S704 - an autoescaped template's output
        "checkins/agenda/_agenda.html", programme=programme, agenda=agenda, frozen=frozen))


def _page(checkin: CheckIn, **context):
    programme = checkin.programme
    can_manage = can_manage_programme(current_user(), programme)
    agenda, frozen = agenda_cache.agenda_of(checkin)
    hold_form = HoldForm(formdata=None, data={"version": checkin.version}) if can_manage else None
    return render_template(
        "checkins/agenda/agenda.html", checkin=checkin, programme=programme, agenda=agenda, frozen=frozen,
        agenda_html=_agenda_html(programme, agenda, frozen),
        title=calendar.checkin_title(checkin), today=clock.today(), can_manage=can_manage, hold_form=hold_form,
        can_hold=can_manage and checkin.status == CheckInStatus.SCHEDULED and checkin.on <= clock.today(),
        **context)


@bp.route("/checkins/<int:checkin_id>/agenda")
@login_required
def agenda(checkin_id: int):
    """The check-in's agenda: written from the data since the previous check-in until it is held, then the
    copy kept when it was held. Prints on A4."""
    return _page(load_checkin(checkin_id))


@bp.route("/checkins/<int:checkin_id>/hold", methods=["POST"])
@login_required
def hold(checkin_id: int):
    """Mark the check-in held and keep its agenda as it stands (facilitators). A stale page gets a 409."""
    checkin = load_checkin(checkin_id, manage=True)
    form = HoldForm()
    if not form.validate_on_submit():
        return _page(checkin, hold_error=_("Reload the page and try again")), 422
    try:
        record.hold(checkin, expected_version=form.version.data)
    except calendar.Stale:
        db.session.rollback()
        return _page(db.session.get(CheckIn, checkin_id), stale=True), 409
    except calendar.CheckInError as error:
        db.session.rollback()
        return _page(db.session.get(CheckIn, checkin_id), hold_error=str(error)), 422
    db.session.commit()
    flash(_("Check-in marked as held: its agenda is kept as it is now"), "success")
    return redirect(url_for("checkins.record_page", checkin_id=checkin.id))


@bp.route("/checkins/<int:checkin_id>/record", methods=["GET", "POST"])
@login_required
def record_page(checkin_id: int):
    """The meeting record (facilitators): who came, notes, the overall green/amber/red and why. A save from an
    older version is refused (409) with the record as it is now."""
    checkin = load_checkin(checkin_id, manage=True)
    people = _attendee_choices(checkin)
    form = RecordForm(people=people)
    if request.method == "GET":
        form.attendees.data = [str(a.user_id) for a in checkin.attendees if a.user_id]
        form.other_names.data = "\n".join(a.name for a in checkin.attendees if a.user_id is None)
        form.notes.data, form.rag_reason.data = checkin.notes, checkin.rag_reason
        form.rag.data = checkin.rag.value if checkin.rag else None
        form.version.data = checkin.version
    code = 200
    if form.validate_on_submit():
        chosen = [p for p in people if str(p.id) in set(form.attendees.data or [])]
        try:
            record.save_record(checkin, expected_version=form.version.data, attendees=chosen,
                               other_names=names(form.other_names.data), notes=form.notes.data or "",
                               rag=_rag(form.rag.data),
                               rag_reason=form.rag_reason.data or "")
        except calendar.Stale:
            db.session.rollback()
            checkin = db.session.get(CheckIn, checkin_id)
            return render_template("checkins/agenda/record.html", form=form, checkin=checkin, stale=True,
                                   programme=checkin.programme, title=calendar.checkin_title(checkin)), 409
        db.session.commit()
        flash(_("Meeting record saved"), "success")
        return redirect(url_for("checkins.checkin", checkin_id=checkin.id) + "#meeting-record")
    if form.is_submitted():
        code = 422
    return render_template("checkins/agenda/record.html", form=form, checkin=checkin, stale=False,
                           programme=checkin.programme, title=calendar.checkin_title(checkin)), code


@bp.route("/checkins/<int:checkin_id>/arising", methods=["GET", "POST"])
@login_required
def arising(checkin_id: int):
    """Add an action arising (facilitators): on one of the organisation's cards, or as a new quick win."""
    checkin = load_checkin(checkin_id, manage=True)
    cards, people = _board_cards(checkin), board_queries.owner_choices(checkin.organisation)
    form = ArisingForm(cards=cards, people=people)
    code = 200
    if form.validate_on_submit():
        card = None if form.card.data == NEW_QUICK_WIN else next(c for c in cards if str(c.id) == form.card.data)
        owner = next((p for p in people if str(p.id) == form.owner.data), None)
        try:
            action = record.add_arising(checkin, text=form.text.data, card=card, owner=owner,
                                        due_on=form.due_on.data, user=current_user())
        except calendar.CheckInError as error:
            field = getattr(form, error.field, form.text)
            field.errors = [*field.errors, str(error)]
        else:
            db.session.commit()
            flash(_("Action added to %(code)s %(title)s", code=action.card.code, title=action.card.title),
                  "success")
            if "another" in request.form:
                return redirect(url_for("checkins.arising", checkin_id=checkin.id))
            return redirect(url_for("checkins.checkin", checkin_id=checkin.id) + "#actions-arising")
    if form.is_submitted():
        code = 422
    return render_template("checkins/agenda/arising.html", form=form, checkin=checkin, programme=checkin.programme,
                           title=calendar.checkin_title(checkin)), code


def _current_checkins(programme, organisations, today: date) -> list[CheckIn]:
    """Each organisation's check-in to prepare: its next one not cancelled from today, else its latest
    (two statements, whatever the number of organisations)."""
    ids = [o.id for o in organisations]
    rows = list(db.session.scalars(
        select(CheckIn).where(CheckIn.programme_id == programme.id, CheckIn.organisation_id.in_(ids or [0]),
                              CheckIn.status != CheckInStatus.CANCELLED)
        .options(selectinload(CheckIn.organisation)).order_by(CheckIn.on, CheckIn.id)))
    chosen: dict[int, CheckIn] = {}
    for checkin in rows:
        if checkin.organisation_id not in chosen or chosen[checkin.organisation_id].on < today:
            chosen[checkin.organisation_id] = checkin
    return [chosen[o.id] for o in organisations if o.id in chosen]


@bp.route("/programmes/<slug>/agendas")
@login_required
def all_agendas(slug: str):
    """Every organisation's next check-in agenda on one page, one organisation to a printed page."""
    programme = load_programme(slug)
    today = clock.today()
    checkins = _current_checkins(programme, visible_organisations(current_user(), programme), today)
    stamps = versions.versions_of(c.organisation_id for c in checkins)  # read before any agenda is built
    agendas = [(checkin, _agenda_html(programme, *agenda_cache.agenda_of(
        checkin, today, version=stamps[checkin.organisation_id]))) for checkin in checkins]
    return render_template("checkins/agenda/all.html", programme=programme, agendas=agendas, today=today,
                           title_of=calendar.checkin_title)
