"""Kept tracker tables: every change the tracker shows moves the programme's results version, and a page
is never built from a table kept under an older version, another organisation or other permissions."""

from datetime import date, timedelta

import pytest
from flask import current_app
from sqlalchemy import select

from tests import factories
from tests.exchange.conftest import TODAY, Results, csv_bytes, make_results
from tests.exchange.test_views import upload
from tracker.api.services import create_token
from tracker.board import services as board
from tracker.board.models import RoadmapColumn
from tracker.exchange import views as exchange_views
from tracker.exchange.models import PendingImport
from tracker.extensions import db
from tracker.programmes import services as programmes
from tracker.programmes.models import Programme
from tracker.results import services
from tracker.results.models import Unit


@pytest.fixture(autouse=True)
def _fixed_today(monkeypatch):
    monkeypatch.setattr("tracker.results.views.today", lambda: TODAY)
    monkeypatch.setattr(exchange_views, "today", lambda: TODAY)


@pytest.fixture
def results(world) -> Results:
    return make_results(world)


def version(programme: Programme) -> int:
    db.session.commit()
    return db.session.scalar(select(Programme.results_version).where(Programme.id == programme.id))


def cache():
    return current_app.extensions["results_tables"]


def tracker_page(client, world, org=None) -> str:
    org = org or world.org_a
    response = client.get(f"/programmes/{world.programme.slug}/results?organisation={org.slug}")
    assert response.status_code == 200
    return response.get_data(as_text=True)


# --- the version ------------------------------------------------------------------------------------


CHANGES = {
    "figure": lambda w, r: services.save_figure(r.count, w.org_b, 2, services.FigureValues(value="7"), user=None,
                                                today=TODAY),
    "objective": lambda w, r: services.create_objective(w.programme, "Second objective"),
    "outcome": lambda w, r: services.create_outcome(r.count.outcome.objective, "Second outcome"),
    "indicator": lambda w, r: services.create_indicator(r.count.outcome, name="Another", unit=Unit.COUNT),
    "indicator edited": lambda w, r: services.update_indicator(r.count, name="Households helped well"),
    "output": lambda w, r: services.create_output(r.count.outcome, description="Another report"),
    "output received": lambda w, r: services.record_output(r.output, w.org_b, 1, received=True, user=None,
                                                           today=TODAY),
    "output undone": lambda w, r: services.record_output(r.output, w.org_a, 1, received=False, user=None,
                                                         today=TODAY),
    "organisation": lambda w, r: programmes.add_organisation(w.programme, "Council C"),
    "start date": lambda w, r: programmes.update_programme(w.programme, start_date=date(2026, 2, 1)),
    "on-track band": lambda w, r: programmes.update_programme(w.programme, rag_band_percent=5),
    "totals rebuilt": lambda w, r: services.refresh_all_totals(w.programme.id),
}


@pytest.mark.parametrize("change", CHANGES)
def test_every_change_the_tracker_shows_moves_the_version(world, results, change):
    before = version(world.programme)
    CHANGES[change](world, results)
    assert version(world.programme) > before


def test_other_changes_leave_the_version_alone(world, results):
    other = factories.make_programme(world.facilitator, "Another programme")
    before = version(world.programme)
    board.move_card(world.card_a, column=RoadmapColumn.PROTOTYPING, expected_version=world.card_a.version,
                    user=world.team_a)
    programmes.add_organisation(other, "Council elsewhere")
    objective = services.create_objective(other, "Their objective")
    services.create_outcome(objective, "Their outcome")
    assert version(world.programme) == before


def test_a_change_rolled_back_leaves_the_version_alone(world, results):
    before = version(world.programme)
    services.create_objective(world.programme, "Never kept")
    db.session.flush()
    db.session.rollback()
    assert version(world.programme) == before


def test_a_bump_undone_with_a_savepoint_is_made_again(world, results):
    before = version(world.programme)
    savepoint = db.session.begin_nested()
    services.create_objective(world.programme, "Undone")
    savepoint.rollback()
    services.create_objective(world.programme, "Kept")
    assert version(world.programme) == before + 1


def test_one_transaction_moves_the_version_once(world, results):
    before = version(world.programme)
    for period in (2, 3):
        services.save_figure(results.count, world.org_b, period, services.FigureValues(value="9"), user=None,
                             today=TODAY)
    services.create_objective(world.programme, "Second objective")
    assert version(world.programme) == before + 1


# --- the pages ---------------------------------------------------------------------------------------


def test_the_second_view_uses_the_kept_table(client, login, world, results):
    login(client, world.facilitator)
    first = tracker_page(client, world)
    hits = cache().hits
    second = tracker_page(client, world)
    assert cache().hits == hits + 1

    def indicator_rows(page):  # the output rows' forms carry a fresh CSRF token each time
        return page.split("<tbody", 1)[1].split("Outputs contributing", 1)[0]

    assert indicator_rows(second) == indicator_rows(first) and ">12<" in indicator_rows(second)


def test_a_figure_entered_in_the_form_shows_at_once(client, login, world, results):
    login(client, world.team_a)
    assert ">12<" in tracker_page(client, world)
    response = client.post(f"/indicators/{results.count.id}/figures/{world.org_a.slug}/2",
                           data={"value": "14", "is_testing_phase": "y"})
    assert response.status_code == 302
    page = tracker_page(client, world)
    assert ">14<" in page and ">12<" not in page


def test_a_figure_written_through_the_api_shows_at_once(client, login, world, results):
    _token, secret = create_token(world.facilitator, "Scripts")
    db.session.commit()
    login(client, world.facilitator)
    assert ">21<" not in tracker_page(client, world)
    response = client.put(f"/api/v1/programmes/{world.programme.slug}/figures/1.1.1/{world.org_b.slug}/2",
                          json={"value": "9"}, headers={"Authorization": f"Bearer {secret}"})
    assert response.status_code in (200, 201), response.data
    assert ">21<" in tracker_page(client, world)  # 12 + 9 across all organisations in period 2


def test_an_import_shows_at_once(client, login, world, results):
    login(client, world.team_a)
    assert "21" not in tracker_page(client, world).split("app-figure", 1)[1].split("</tr>")[0]
    upload(client, world.programme.slug, csv_bytes("1.1.1,Council A,3,21,,,yes,,"))
    pending = db.session.scalar(select(PendingImport))
    assert client.post(f"/imports/{pending.id}/confirm").status_code == 302
    assert ">21<" in tracker_page(client, world)


def test_an_output_marked_received_shows_at_once(client, login, world, results):
    login(client, world.facilitator)
    assert tracker_page(client, world, world.org_b).count(">Received<") == 0
    response = client.post(f"/outputs/{results.output.id}/received/{world.org_b.slug}/1", data={"received": "1"})
    assert response.status_code == 302
    assert tracker_page(client, world, world.org_b).count(">Received<") == 1


def test_a_new_organisation_changes_how_many_reported(client, login, world, results):
    login(client, world.facilitator)
    assert "2 of 2 reported" in tracker_page(client, world)
    response = client.post(f"/programmes/{world.programme.slug}/organisations/new", data={"name": "Council C"})
    assert response.status_code == 302
    assert "2 of 3 reported" in tracker_page(client, world)


def test_tables_are_kept_per_organisation_and_permission(client, login, world, results):
    """Team A may enter A's figures; a viewer of every organisation sees A's figures without the links;
    team B, asking for A, gets B's."""
    figure_link = f"/indicators/{results.count.id}/figures/{world.org_a.slug}/2"
    login(client, world.team_a)
    assert figure_link in tracker_page(client, world)
    login(client, world.viewer)
    viewer_page = tracker_page(client, world)
    assert figure_link not in viewer_page and ">12<" in viewer_page
    login(client, world.team_b)
    team_b_page = tracker_page(client, world, world.org_a)
    assert figure_link not in team_b_page and "Testing phase in Council A" not in team_b_page
    assert f"/indicators/{results.count.id}/figures/{world.org_b.slug}/2" in team_b_page


def test_a_new_day_builds_the_table_again(client, login, world, results, monkeypatch):
    """Period 3 ends on 30 September and its figures are due by 14 October: the next day, B's missing
    figures for it say so (to those who cannot enter them, who get an "Enter" link instead)."""
    login(client, world.viewer_b)
    monkeypatch.setattr("tracker.results.views.today", lambda: date(2026, 10, 14))
    missing = tracker_page(client, world, world.org_b).count("Missing")
    monkeypatch.setattr("tracker.results.views.today", lambda: date(2026, 10, 14) + timedelta(days=1))
    assert tracker_page(client, world, world.org_b).count("Missing") > missing


def test_no_table_is_kept_when_the_size_is_zero(client, login, world, results, app):
    kept = cache()
    try:
        from tracker.core.kept import Kept

        app.extensions["results_tables"] = Kept(0)
        login(client, world.facilitator)
        tracker_page(client, world)
        tracker_page(client, world)
        assert cache().hits == 0 and cache().misses == 2
    finally:
        app.extensions["results_tables"] = kept


def test_the_least_recently_used_table_goes_first():
    from tracker.core.kept import Kept

    built = []
    tables = Kept(2)
    for key in ("a", "b", "a", "c", "b"):
        tables.get(key, lambda key=key: built.append(key) or key)
    assert built == ["a", "b", "c", "b"]  # "a" was used again, so "b" went when "c" came
    assert tables.hits == 1
