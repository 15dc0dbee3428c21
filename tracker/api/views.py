"""API endpoints. Every object is loaded first and checked against *its* programme and organisation
with ``tracker.programmes.permissions``; what the token's owner may not see is a 404, never its data.

Numbers (figures, baselines, targets) are JSON strings holding a plain decimal (``"12"``, ``"0.5"``), so
no precision is lost to floating point; dates are ISO 8601 (``2026-01-01``) and times ISO 8601 in UTC.
"""

import math
from datetime import UTC, date, datetime
from decimal import Decimal

from flask import g, jsonify, request
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload
from sqlalchemy.orm.exc import StaleDataError

from tracker.api import auth, bp
from tracker.api.errors import ApiError, json_error
from tracker.api.openapi import openapi_document
from tracker.board.models import Card, Kind, RoadmapColumn
from tracker.board.queries import on_board
from tracker.board.services import today
from tracker.extensions import db
from tracker.programmes.models import Membership, Organisation, Programme
from tracker.programmes.permissions import (
    can_edit_org,
    can_manage_programme,
    can_view_org,
    can_view_programme,
    membership,
    visible_organisations,
)
from tracker.results import periods as period_rules
from tracker.results import services
from tracker.results.models import Figure, Indicator, Outcome, Unit, card_indicator

bp.before_request(auth.authenticate_request)


@bp.errorhandler(ApiError)
def _api_error(error: ApiError):
    db.session.rollback()
    return json_error(error.status, error.message, error.details, **error.extra)


@bp.after_request
def _no_store(response):
    response.headers.setdefault("Cache-Control", "no-store")
    return response


# --- serialisation -------------------------------------------------------------------------------


def number(value) -> str | None:
    """A stored decimal as a plain string: ``12``, ``0.5`` (never an exponent)."""
    if value is None:
        return None
    text = format(Decimal(value).normalize(), "f")
    return "0" if text in ("-0", "") else text


def iso_date(value: date | None) -> str | None:
    return value.isoformat() if value is not None else None


def iso_datetime(value: datetime | None) -> str | None:
    """Stored times are naive UTC; they go out with their offset."""
    return value.replace(tzinfo=UTC).isoformat() if value is not None else None


def programme_json(programme: Programme) -> dict:
    member = membership(g.user, programme.id)
    return {
        "slug": programme.slug,
        "name": programme.name,
        "aim": programme.aim,
        "expected_outcomes": programme.expected_outcomes,
        "start_date": iso_date(programme.start_date),
        "evaluation_months": programme.evaluation_months,
        "reporting_interval_months": programme.reporting_interval_months,
        "figures_due_days": programme.figures_due_days,
        "figures_lock_days": programme.figures_lock_days,
        "rag_band_percent": programme.rag_band_percent,
        "role": member.role.value,
        "organisation": member.organisation.slug if member.organisation is not None else None,
    }


def organisation_json(org: Organisation) -> dict:
    return {"slug": org.slug, "name": org.name, "can_edit": can_edit_org(g.user, org)}


def period_json(period: period_rules.Period, day: date) -> dict:
    return {
        "number": period.number,
        "label": period.label,
        "months_from": period.months_from,
        "months_to": period.months_to,
        "start": iso_date(period.start),
        "end": iso_date(period.end),
        "due": iso_date(period.due),
        "locks": iso_date(period.locks),
        "has_started": period.has_started(day),
        "is_locked": period.is_locked(day),
    }


def indicator_json(indicator: Indicator) -> dict:
    return {
        "code": indicator.code,
        "name": indicator.name,
        "definition": indicator.definition,
        "unit": indicator.unit.value,
        "numerator_label": indicator.numerator_label,
        "denominator_label": indicator.denominator_label,
        "direction": indicator.direction.value,
        "baseline": number(indicator.baseline),
        "target": number(indicator.target),
        "frequency": indicator.frequency,
        "data_source": indicator.data_source,
        "who_collects": indicator.who_collects,
        "outcome": indicator.outcome.code,
    }


def figure_json(figure: Figure) -> dict:
    return {
        "indicator": figure.indicator.code,
        "organisation": figure.organisation.slug,
        "period": figure.period_number,
        "value": number(figure.value),
        "numerator": number(figure.numerator),
        "denominator": number(figure.denominator),
        "flag": figure.flag,
        "narrative": figure.narrative,
        "is_testing_phase": figure.is_testing_phase,
        "note": figure.note,
        "source": figure.source,
        "version": figure.version,
        "updated": iso_datetime(figure.updated_dt),
    }


def card_json(card: Card, indicator_codes: list[str]) -> dict:
    return {
        "code": card.code,
        "number": card.number,
        "opportunity": card.opportunity.number if card.opportunity is not None else None,
        "title": card.title,
        "kind": card.kind.value,
        "priority": card.priority.value,
        "column": card.column.value,
        "completed_on": iso_date(card.completed_on),
        "owners": [owner.name for owner in card.owners],
        "team_owned": card.team_owned,
        "indicators": indicator_codes,
        "version": card.version,
        "updated": iso_datetime(card.updated_dt),
    }


# --- loading, with permission checks -------------------------------------------------------------


def storable(text: str) -> bool:
    """Whether a string can be stored or compared at all: PostgreSQL refuses NUL characters in text, and
    neither database takes a lone surrogate (``"\\udcff"`` in JSON), which is not a character at all."""
    if "\x00" in text:
        return False
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def load_programme(slug: str) -> Programme:
    programme = db.session.scalar(select(Programme).where(Programme.slug == slug)) if storable(slug) else None
    if programme is None or not can_view_programme(g.user, programme):
        raise ApiError(404, "No programme with that slug")
    return programme


def load_organisation(programme: Programme, org_slug: str) -> Organisation:
    org = next((o for o in programme.organisations if o.slug == org_slug), None)
    if org is None or not can_view_org(g.user, org):
        raise ApiError(404, "No organisation with that slug in this programme")
    return org


def _arg(name: str) -> str | None:
    """A filter from the query string: ``None`` when left out. Sent empty (``?column=``), it is refused
    like any other value outside its schema: the OpenAPI description lists no empty value."""
    raw = request.args.get(name)
    if raw == "":
        message = "Must not be empty: leave the filter out to see everything"
        raise ApiError(422, f"'{name}': {message.lower()}", {name: message})
    return raw


def _int_arg(name: str, low: int = 1, high: int = 1000) -> int | None:
    raw = _arg(name)
    if raw is None:
        return None
    if len(raw) > 6 or not raw.isascii() or not raw.isdigit() or not low <= int(raw) <= high:
        message = f"Enter a whole number from {low} to {high}"
        raise ApiError(422, f"'{name}': {message.lower()}", {name: message})
    return int(raw)


def _str_arg(name: str, max_length: int) -> str | None:
    raw = _arg(name)
    if raw is None:
        return None
    if len(raw) > max_length:
        message = f"Must be {max_length} characters or fewer"
        raise ApiError(422, f"'{name}': {message.lower()}", {name: message})
    return raw


def _enum_arg(name: str, enum_cls):
    raw = _arg(name)
    if raw is None:
        return None
    try:
        return enum_cls(raw)
    except ValueError:
        choices = ", ".join(m.value for m in enum_cls)
        raise ApiError(422, f"'{name}' must be one of: {choices}", {name: f"Choose one of: {choices}"}) from None


# --- reading -------------------------------------------------------------------------------------


@bp.get("/openapi.json")
def openapi():
    """The OpenAPI description of this API (public: it holds no data)."""
    return jsonify(openapi_document(request.script_root + bp.url_prefix))


@bp.get("/programmes")
def programmes():
    """The programmes the token's owner belongs to."""
    rows = db.session.scalars(select(Programme).join(Membership, Membership.programme_id == Programme.id)
                              .where(Membership.user_id == g.user.id).order_by(Programme.name, Programme.id))
    return jsonify({"programmes": [programme_json(p) for p in rows]})


@bp.get("/programmes/<slug>")
def programme(slug: str):
    return jsonify(programme_json(load_programme(slug)))


@bp.get("/programmes/<slug>/organisations")
def organisations(slug: str):
    """The participating organisations the token's owner may see."""
    programme = load_programme(slug)
    return jsonify({"organisations": [organisation_json(o) for o in visible_organisations(g.user, programme)]})


@bp.get("/programmes/<slug>/periods")
def periods(slug: str):
    programme = load_programme(slug)
    day = today()
    return jsonify({"periods": [period_json(p, day) for p in period_rules.periods(programme)]})


@bp.get("/programmes/<slug>/indicators")
def indicators(slug: str):
    programme = load_programme(slug)
    rows = db.session.scalars(select(Indicator).where(Indicator.programme_id == programme.id)
                              .options(selectinload(Indicator.outcome).selectinload(Outcome.objective))
                              .order_by(Indicator.outcome_id, Indicator.number))
    return jsonify({"indicators": [indicator_json(i) for i in rows]})


@bp.get("/programmes/<slug>/figures")
def figures(slug: str):
    """Figures of the organisations the token's owner may see, filtered by indicator code, organisation
    slug and period number. A filter that matches nothing the person may see gives an empty list."""
    programme = load_programme(slug)
    visible = visible_organisations(g.user, programme)
    org_slug = _str_arg("organisation", 80)
    period_number = _int_arg("period")
    code = _str_arg("indicator", 20)
    if org_slug is not None:
        visible = [o for o in visible if o.slug == org_slug]
    if not visible:
        return jsonify({"figures": []})
    stmt = (select(Figure).join(Indicator, Indicator.id == Figure.indicator_id)
            .where(Indicator.programme_id == programme.id,
                   Figure.organisation_id.in_([o.id for o in visible]))
            .options(selectinload(Figure.indicator), selectinload(Figure.organisation))
            .order_by(Indicator.outcome_id, Indicator.number, Figure.organisation_id, Figure.period_number))
    if code is not None:
        if not storable(code):
            return jsonify({"figures": []})
        stmt = stmt.where(Indicator.code == code)
    if period_number is not None:
        stmt = stmt.where(Figure.period_number == period_number)
    return jsonify({"figures": [figure_json(f) for f in db.session.scalars(stmt)]})


@bp.get("/programmes/<slug>/organisations/<org_slug>/cards")
def cards(slug: str, org_slug: str):
    """An organisation's roadmap cards, optionally only one column or kind."""
    programme = load_programme(slug)
    org = load_organisation(programme, org_slug)
    column = _enum_arg("column", RoadmapColumn)
    kind = _enum_arg("kind", Kind)
    # What the board shows: no archived card, nor the cards of an archived design opportunity.
    stmt = (on_board(select(Card)).where(Card.organisation_id == org.id)
            .options(selectinload(Card.owners), selectinload(Card.opportunity))
            .order_by(Card.opportunity_id.is_not(None), Card.opportunity_id, Card.number))
    if column is not None:
        stmt = stmt.where(Card.column == column)
    if kind is not None:
        stmt = stmt.where(Card.kind == kind)
    rows = list(db.session.scalars(stmt))
    codes: dict[int, list[str]] = {}
    if rows:
        links = (select(card_indicator.c.card_id, Indicator.code)
                 .join(Indicator, Indicator.id == card_indicator.c.indicator_id)
                 .join(Card, Card.id == card_indicator.c.card_id)
                 .where(Card.organisation_id == org.id).order_by(Indicator.outcome_id, Indicator.number))
        for card_id, indicator_code in db.session.execute(links):
            codes.setdefault(card_id, []).append(indicator_code)
    return jsonify({"cards": [card_json(c, codes.get(c.id, [])) for c in rows]})


# --- writing -------------------------------------------------------------------------------------

NUMBER_FIELDS = ("value", "numerator", "denominator")
TEXT_FIELDS = {"narrative": 10_000, "note": 10_000, "source": 1_000}
FIGURE_FIELDS = frozenset({*NUMBER_FIELDS, *TEXT_FIELDS, "flag", "is_testing_phase", "version"})


#: The fields each unit uses; the others must be left out (or null, or empty).
UNIT_FIELDS = {Unit.COUNT: {"value"}, Unit.PROPORTION: {"numerator", "denominator"}, Unit.YES_NO: {"flag"},
               Unit.NARRATIVE: {"narrative"}}


def figure_values(body: dict, indicator: Indicator) -> tuple[services.FigureValues, int | None]:
    """Check the JSON body's shape and types; the rules about values are ``save_figure``'s.

    :raises ApiError: 422 with a message per field.
    """
    errors: dict[str, str] = {}
    for name in body:
        if name not in FIGURE_FIELDS:
            errors[str(name).encode("utf-8", "replace").decode("utf-8")[:50]] = "Unknown field"
    used = UNIT_FIELDS[indicator.unit]
    for name in ("value", "numerator", "denominator", "flag", "narrative"):
        if name not in used and body.get(name) not in (None, ""):
            errors[name] = (f"Indicator {indicator.code} is a {indicator.unit.value} indicator: send "
                            f"{' and '.join(sorted(used))}, not {name}")
    values = services.FigureValues()
    for name in NUMBER_FIELDS:
        raw = body.get(name)
        if raw is None or name in errors:
            continue
        if isinstance(raw, bool) or not isinstance(raw, int | float | str):
            errors[name] = "Must be a number, a string holding a number, or null"
        elif (isinstance(raw, str) and (len(raw) > 40 or not storable(raw))
              or isinstance(raw, float) and not math.isfinite(raw)):
            errors[name] = "Must be a number, like \"12\" or \"0.5\""
        elif not isinstance(raw, str) and raw < 0:
            errors[name] = "Cannot be negative"
        else:
            # Strings are read by the one number format (``tracker.core.numbers``); a JSON number is
            # taken as the decimal it is written as (``2.5``, never ``2.4999…``).
            setattr(values, name, raw if isinstance(raw, str) else Decimal(repr(raw)))
    for name, limit in TEXT_FIELDS.items():
        raw = body.get(name)
        if raw is None:
            continue
        if not isinstance(raw, str):
            errors[name] = "Must be a string"
        elif not storable(raw):
            errors[name] = "Must be text without NUL characters or unpaired surrogates"
        elif len(raw) > limit:
            errors[name] = f"Must be {limit:,} characters or fewer"
        else:
            setattr(values, name, raw)
    flag = body.get("flag")
    if flag is not None and not isinstance(flag, bool):
        errors["flag"] = "Must be true, false or null"
    else:
        values.flag = flag
    testing = body.get("is_testing_phase", True)
    if not isinstance(testing, bool):
        errors["is_testing_phase"] = "Must be true or false"
    else:
        values.is_testing_phase = testing
    version = body.get("version")
    if version is not None and (isinstance(version, bool) or not isinstance(version, int) or version < 0):
        errors["version"] = "Must be a whole number (the figure's version you last read), or null"
        version = None
    if errors:
        raise ApiError(422, "The figure is not valid", errors)
    return values, version


def _concurrent_write(indicator_id: int, org_id: int, period: int):
    """Someone else created or changed the same figure at the same moment: 409 with what is there now."""
    db.session.rollback()
    current = db.session.scalar(select(Figure).where(Figure.indicator_id == indicator_id,
                                                     Figure.organisation_id == org_id,
                                                     Figure.period_number == period))
    raise ApiError(409, "This figure was changed by someone else at the same moment; the current figure is in "
                        "'current'", current=figure_json(current) if current is not None else None) from None


@bp.put("/programmes/<slug>/figures/<indicator_code>/<org_slug>/<int:period>")
def put_figure(slug: str, indicator_code: str, org_slug: str, period: int):
    """Create or replace one organisation's figure for one indicator and period.

    Team members may write their own organisation's figures, facilitators any; others are refused (404
    for an organisation they may not see, 403 for one they may only read). Send ``version`` (the
    figure's version you last read) to be refused with 409 if someone changed it since.
    """
    programme = load_programme(slug)
    org = load_organisation(programme, org_slug)
    if not can_edit_org(g.user, org):
        raise ApiError(403, "You may read this organisation's figures but not change them")
    if not request.is_json:
        raise ApiError(415)
    try:
        body = request.get_json(silent=True)
    except RecursionError:  # absurdly deep nesting
        body = None
    if not isinstance(body, dict):
        raise ApiError(400, "The body must be a JSON object")
    indicator = db.session.scalar(select(Indicator).where(Indicator.programme_id == programme.id,
                                                          Indicator.code == indicator_code)) \
        if storable(indicator_code) else None
    if indicator is None:
        raise ApiError(422, "There is no indicator with that code in this programme",
                       {"indicator": "There is no indicator with that code in this programme"})
    values, version = figure_values(body, indicator)
    day = today()
    may_change_locked = can_manage_programme(g.user, programme)
    key = (indicator.id, org.id, period)
    existing = services.find_figure(indicator, org, period)
    if existing is None and version:
        raise ApiError(409, "This figure no longer exists; read it again", current=None)
    try:
        figure, _changed = services.save_figure(indicator, org, period, values, user=g.user, today=day,
                                                expected_version=version, via="api",
                                                may_change_locked=may_change_locked)
    except services.FigureInvalid as error:
        raise ApiError(422, "The figure is not valid", error.errors) from None
    except services.StaleFigure as error:
        current = figure_json(error.figure)
        raise ApiError(409, "This figure was changed by someone else since the version you sent; "
                            "the current figure is in 'current'", current=current) from None
    except services.ResultsError as error:
        period_info = period_rules.period(programme, period)
        if period_info is not None and period_info.is_locked(day) and not may_change_locked:
            raise ApiError(403, str(error), {"period": str(error)}) from None
        raise ApiError(422, str(error)) from None
    except (IntegrityError, StaleDataError):
        _concurrent_write(*key)
    try:
        db.session.commit()
    except (IntegrityError, StaleDataError):
        _concurrent_write(*key)
    return jsonify(figure_json(figure)), 201 if existing is None else 200
