"""Writing figures through the API: validation (422 with field messages), stale versions (409), locks,
and errors that are always JSON."""

import pytest
from sqlalchemy import func, select

from tests.api.test_permissions import changed, snapshot
from tracker.extensions import db
from tracker.results.models import Figure, FigureChange


def put(client, api, actor, code, org, period, body, **kwargs):
    return client.put(f"/api/v1/programmes/{api.slug}/figures/{code}/{org}/{period}", json=body,
                      headers=api.headers(actor), **kwargs)


def assert_error(response, status, field=None):
    assert response.status_code == status, response.data[:500]
    assert response.is_json
    error = response.get_json()["error"]
    assert error["status"] == status and error["message"]
    if field is not None:
        assert field in error.get("details", {}), error
    return error


def test_create_then_update_with_version(client, api):
    response = put(client, api, "team_a", api.count_code, "council-a", 3,
                   {"value": 7, "note": "From the CMS", "source": "Monthly report", "is_testing_phase": False})
    assert response.status_code == 201
    figure = response.get_json()
    assert figure == {**figure, "indicator": "1.1.1", "organisation": "council-a", "period": 3, "value": "7",
                      "numerator": None, "denominator": None, "flag": None, "note": "From the CMS",
                      "source": "Monthly report", "is_testing_phase": False, "version": 1}
    assert figure["updated"].endswith("+00:00")

    response = put(client, api, "team_a", api.count_code, "council-a", 3, {"value": "725", "version": 1})
    assert response.status_code == 200
    assert response.get_json()["value"] == "725" and response.get_json()["version"] == 2
    assert response.get_json()["note"] == "", "PUT replaces the figure"
    db.session.rollback()
    vias = db.session.scalars(select(FigureChange.via).join(Figure).where(Figure.period_number == 3)).all()
    assert vias == ["api", "api"]
    # The same values again change nothing (and keep the version).
    response = put(client, api, "team_a", api.count_code, "council-a", 3, {"value": "725", "version": 2})
    assert response.status_code == 200 and response.get_json()["version"] == 2


def test_proportion_and_yes_no(client, api):
    response = put(client, api, "facilitator", api.proportion_code, "council-b", 3,
                   {"numerator": "5", "denominator": 20})
    assert response.status_code == 201
    assert (response.get_json()["numerator"], response.get_json()["denominator"]) == ("5", "20")
    response = put(client, api, "team_b", api.yes_no_code, "council-b", 3, {"flag": True})
    assert response.status_code == 201 and response.get_json()["flag"] is True


def test_stale_version_is_409_with_the_current_figure(client, api):
    url_args = (api.count_code, "council-a", 2)
    first = put(client, api, "team_a", *url_args, {"value": "13", "version": 1})
    assert first.status_code == 200 and first.get_json()["version"] == 2
    before = snapshot()
    response = put(client, api, "facilitator", *url_args, {"value": "99", "version": 1})
    error = assert_error(response, 409)
    assert error["current"]["value"] == "13" and error["current"]["version"] == 2
    assert not changed(before, snapshot())
    # A version for a figure that does not exist yet is stale too.
    response = put(client, api, "team_a", api.count_code, "council-a", 3, {"value": "1", "version": 4})
    assert assert_error(response, 409)["current"] is None
    assert not changed(before, snapshot())


@pytest.mark.parametrize(("code", "period", "body", "field"), [
    ("1.1.1", 3, {"value": -1}, "value"),
    ("1.1.1", 3, {"value": "-3"}, "value"),
    ("1.1.1", 3, {"value": "twelve"}, "value"),
    ("1.1.1", 3, {"value": "NaN"}, "value"),
    ("1.1.1", 3, {}, "value"),
    ("1.1.2", 3, {"numerator": 21, "denominator": 20}, "numerator"),
    ("1.1.2", 3, {"numerator": 1, "denominator": 0}, "denominator"),
    ("1.1.2", 3, {"numerator": 1}, "denominator"),
    ("1.1.3", 3, {"flag": None}, "flag"),
    ("1.1.3", 3, {"flag": "yes"}, "flag"),
    ("1.1.1", 4, {"value": 1}, "period"),  # has not started
    ("1.1.1", 99, {"value": 1}, "period"),  # no such period
    ("9.9.9", 3, {"value": 1}, "indicator"),  # unknown indicator
    ("1.1.1", 3, {"value": True}, "value"),
    ("1.1.1", 3, {"value": [1]}, "value"),
    ("1.1.1", 3, {"value": 1, "note": 5}, "note"),
    ("1.1.1", 3, {"value": 1, "is_testing_phase": "yes"}, "is_testing_phase"),
    ("1.1.1", 3, {"value": 1, "version": "1"}, "version"),
    ("1.1.1", 3, {"value": 1, "organisation_id": 2}, "organisation_id"),  # mass assignment: refused
    ("1.1.1", 3, {"value": 1, "narrative": "x" * 10_001}, "narrative"),
    # One number format (tracker.core.numbers): digits and a decimal point, nothing else; counts are whole.
    ("1.1.1", 3, {"value": "1e3"}, "value"),
    ("1.1.1", 3, {"value": "2.5"}, "value"),
    ("1.1.1", 3, {"value": 2.5}, "value"),
    ("1.1.1", 3, {"value": "1_000"}, "value"),
    ("1.1.1", 3, {"value": "1,000"}, "value"),  # thousands separators in imports only
    ("1.1.1", 3, {"value": "\u0661\u0662"}, "value"),  # Arabic-Indic digits
    ("1.1.1", 3, {"value": "\uff11\uff12"}, "value"),  # full-width digits
    ("1.1.1", 3, {"value": "+5"}, "value"),
    ("1.1.1", 3, {"value": "Infinity"}, "value"),
    ("1.1.1", 3, {"value": 10**40}, "value"),
    ("1.1.2", 3, {"numerator": "0x10", "denominator": "20"}, "numerator"),
    ("1.1.1", 3, {"value": 1, "note": "a\udcffb"}, "note"),  # a lone surrogate cannot be stored
    ("1.1.1", 3, {"value": "1\udcff"}, "value"),
])
def test_invalid_figures_are_422_with_field_details(client, api, code, period, body, field):
    before = snapshot()
    assert_error(put(client, api, "team_a", code, "council-a", period, body), 422, field)
    assert not changed(before, snapshot())


def test_numbers_in_the_one_format_are_taken(client, api):
    for raw, stored in (("12", "12"), (" 40 ", "40"), ("12.0", "12"), (7, "7")):
        response = put(client, api, "team_a", api.count_code, "council-a", 3, {"value": raw})
        assert response.status_code in (200, 201), (raw, response.get_json())
        assert response.get_json()["value"] == stored
    response = put(client, api, "team_a", api.proportion_code, "council-a", 3, {"numerator": "2.5", "denominator": 10})
    assert response.status_code == 201 and response.get_json()["numerator"] == "2.5"


def test_a_lone_surrogate_raw_in_the_body_is_422_json(client, api):
    url = f"/api/v1/programmes/{api.slug}/figures/{api.count_code}/council-a/3"
    headers = {**api.headers("team_a"), "Content-Type": "application/json"}
    for body in ('{"value": "1", "note": "a\\udcffb"}', '{"value": "1", "source": "\\ud800"}',
                 '{"value": "1", "a\\udcffb": 1}'):
        before = snapshot()
        assert_error(client.put(url, data=body, headers=headers), 422)
        assert not changed(before, snapshot())


@pytest.mark.parametrize("period", ["0", "9223372036854775808", "1" * 30, "-1", "\u0661"])
def test_a_period_that_cannot_be_a_number_is_404_json(client, api, period):
    url = f"/api/v1/programmes/{api.slug}/figures/{api.count_code}/council-a/{period}"
    assert_error(client.put(url, json={"value": "1"}, headers=api.headers("team_a")), 404)


def test_locked_period_is_refused_to_team_members_not_facilitators(client, api):
    before = snapshot()
    error = assert_error(put(client, api, "team_a", api.count_code, "council-a", 1, {"value": 3}), 403)
    assert "locked" in error["message"]
    assert not changed(before, snapshot())
    assert put(client, api, "facilitator", api.count_code, "council-a", 1, {"value": 3}).status_code == 201


def test_malformed_bodies(client, api):
    url = f"/api/v1/programmes/{api.slug}/figures/{api.count_code}/council-a/3"
    headers = api.headers("team_a")
    assert_error(client.put(url, data="value=3", headers=headers), 415)
    assert_error(client.put(url, data="{not json", headers={**headers, "Content-Type": "application/json"}), 400)
    assert_error(client.put(url, json=[1, 2], headers=headers), 400)
    assert_error(client.put(url, json="3", headers=headers), 400)
    deep = "[" * 100_000 + "]" * 100_000
    assert_error(client.put(url, data=deep, headers={**headers, "Content-Type": "application/json"}), 400)
    assert db.session.scalar(select(func.count(Figure.id)).where(Figure.period_number == 3)) == 0


def test_every_api_error_is_json(app, client, api):
    headers = api.headers("team_a")
    assert_error(client.get("/api/v1/nothing-here", headers=headers), 404)
    assert_error(client.get("/api/v1", headers=headers), 404)
    response = client.delete(f"/api/v1/programmes/{api.slug}", headers=headers)
    assert_error(response, 405)
    assert "GET" in response.headers["Allow"]
    response = client.post(f"/api/v1/programmes/{api.slug}/figures/1.1.1/council-a/3", json={}, headers=headers)
    assert_error(response, 405)
    assert_error(client.get(f"/api/v1/programmes/{api.slug}/figures?period=x", headers=headers), 422, "period")
    limit = app.config["MAX_CONTENT_LENGTH"]
    app.config["MAX_CONTENT_LENGTH"] = 1000
    try:
        response = put(client, api, "team_a", api.count_code, "council-a", 3, {"value": 1, "note": "x" * 2000})
        assert_error(response, 413)
    finally:
        app.config["MAX_CONTENT_LENGTH"] = limit


def test_unexpected_error_is_json_500(client, api, monkeypatch, caplog):
    from tracker.api import views

    def broken(_programme):
        raise RuntimeError("secret detail")

    monkeypatch.setattr(views.period_rules, "periods", broken)
    response = client.get(f"/api/v1/programmes/{api.slug}/periods", headers=api.headers("team_a"))
    error = assert_error(response, 500)
    assert "secret detail" not in response.get_data(as_text=True)
    assert error["message"]


def test_reads_have_the_documented_shapes(client, api):
    headers = api.headers("facilitator")
    periods = client.get(f"/api/v1/programmes/{api.slug}/periods", headers=headers).get_json()["periods"]
    assert [p["number"] for p in periods] == [1, 2, 3, 4]
    assert [(p["has_started"], p["is_locked"]) for p in periods] == [(True, True), (True, False), (True, False),
                                                                      (False, False)]
    assert periods[0]["label"] == "0–3 months since start date"
    indicators = client.get(f"/api/v1/programmes/{api.slug}/indicators", headers=headers).get_json()["indicators"]
    first = indicators[0]
    assert (first["code"], first["unit"], first["target"], first["baseline"], first["outcome"]) == \
        ("1.1.1", "count", "100", "40", "1.1")
    assert [i["code"] for i in indicators] == ["1.1.1", "1.1.2", "1.1.3"]


def test_simultaneous_create_is_409_not_500(client, api, monkeypatch):
    """Two scripts create the same figure at once: the second one's insert hits the unique constraint
    (simulated here by hiding the first one from the lookup) and gets 409 with the figure as it is."""
    from tracker.results import services

    monkeypatch.setattr(services, "find_figure", lambda *args, **kwargs: None)
    before = snapshot()
    error = assert_error(put(client, api, "team_a", api.count_code, "council-a", 2, {"value": "40"}), 409)
    assert error["current"]["value"] == "12" and error["current"]["version"] == 1
    assert not changed(before, snapshot())


def test_nul_characters_are_refused_not_500(client, api):
    """PostgreSQL refuses NUL in text: such values are a 404, an empty list or a 422, never a 500."""
    headers = api.headers("facilitator")
    assert_error(client.get("/api/v1/programmes/a%00b", headers=headers), 404)
    response = client.get(f"/api/v1/programmes/{api.slug}/figures?indicator=1.1%001", headers=headers)
    assert response.status_code == 200 and response.get_json() == {"figures": []}
    response = client.get(f"/api/v1/programmes/{api.slug}/figures?organisation=a%00", headers=headers)
    assert response.status_code == 200 and response.get_json() == {"figures": []}
    assert_error(client.put(f"/api/v1/programmes/{api.slug}/figures/1%001/council-a/3", json={"value": 1},
                            headers=headers), 422, "indicator")
    for field, body in (("note", {"value": 1, "note": "a\x00b"}), ("value", {"value": "1\x00"})):
        assert_error(put(client, api, "facilitator", api.count_code, "council-a", 3, body), 422, field)
    assert_error(client.get(f"/api/v1/programmes/{api.slug}/figures?period=" + "9" * 5000, headers=headers),
                 422, "period")
