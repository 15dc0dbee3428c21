"""Downloads and the upload → preview → confirm flow, through the real pages."""

import io
from datetime import date, timedelta

import pytest
from openpyxl import load_workbook
from sqlalchemy import func, select

from tests.exchange.conftest import TODAY, csv_bytes
from tracker.core.db import utcnow
from tracker.exchange import files, views
from tracker.exchange.models import PendingImport
from tracker.extensions import db
from tracker.programmes import services as programmes
from tracker.results.models import Figure

ORG_A_WORDS = ("Council A", "Make letters friendlier", "Regular feedback", "Draft new letter")


@pytest.fixture(autouse=True)
def fixed_today(monkeypatch):
    monkeypatch.setattr(views, "today", lambda: TODAY)


def workbook_text(data: bytes) -> str:
    workbook = load_workbook(io.BytesIO(data))
    return "\n".join(str(c.value) for sheet in workbook for row in sheet.iter_rows() for c in row
                     if c.value is not None)


def figure_count() -> int:
    return db.session.scalar(select(func.count()).select_from(Figure))


def pending_count() -> int:
    return db.session.scalar(select(func.count()).select_from(PendingImport))


def upload(client, slug: str, data: bytes, name: str = "figures.csv"):
    return client.post(f"/programmes/{slug}/import", data={"file": (io.BytesIO(data), name)},
                       content_type="multipart/form-data")


# --- downloads ------------------------------------------------------------------------------------


def test_results_downloads_are_attachments(client, login, world, results):
    login(client, world.viewer)
    slug = world.programme.slug
    response = client.get(f"/programmes/{slug}/export/results.xlsx")
    assert response.status_code == 200
    assert response.headers["Content-Type"] == files.XLSX_MIMETYPE
    assert response.headers["Content-Disposition"] == f'attachment; filename="{slug}-results-2026-08-01.xlsx"'
    assert "no-store" in response.headers["Cache-Control"]
    assert load_workbook(io.BytesIO(response.data)).sheetnames == ["Results tracker", "Figures"]
    response = client.get(f"/programmes/{slug}/export/results.csv")
    assert response.headers["Content-Type"] == "text/csv; charset=utf-8"
    assert response.headers["Content-Disposition"].startswith("attachment; ")
    assert response.data.startswith(("\ufeffIndicator definition,Indicator,Target,Direction,Progress against target,"
                                  "Actual count").encode())
    response = client.get(f"/programmes/{slug}/export/results.csv?sheet=figures")
    assert response.data.decode("utf-8-sig").startswith("Indicator code,Organisation,Period number,Period,")
    assert 'filename="' + slug + '-figures-2026-08-01.csv"' in response.headers["Content-Disposition"]


def test_a_team_member_downloads_only_their_organisation(client, login, world, results):
    login(client, world.team_b)
    slug = world.programme.slug
    text = workbook_text(client.get(f"/programmes/{slug}/export/results.xlsx").data)
    assert "Council B" in text and "Households helped" in text
    assert not [word for word in ORG_A_WORDS if word in text]
    csv_text = client.get(f"/programmes/{slug}/export/results.csv?sheet=figures").data.decode("utf-8-sig")
    assert "Council B" in csv_text and "Council A" not in csv_text
    for url in (f"/programmes/{slug}/{world.org_a.slug}/export/plans.xlsx",
                f"/programmes/{slug}/{world.org_a.slug}/export/plans.csv"):
        response = client.get(url)
        assert response.status_code == 404
        assert not [word for word in ORG_A_WORDS if word in response.data.decode()]
    own = client.get(f"/programmes/{slug}/{world.org_b.slug}/export/plans.xlsx")
    assert own.status_code == 200 and own.headers["Content-Disposition"].startswith("attachment; ")
    text = workbook_text(own.data)
    assert "Review debt pathway" in text and "Partnership meetings" in text and "Call CAB" in text
    assert not [word for word in ORG_A_WORDS if word in text]


def test_one_plan_as_csv(client, login, world):
    login(client, world.team_a)
    base = f"/programmes/{world.programme.slug}/{world.org_a.slug}/export/plans.csv"
    quick = client.get(base).data.decode("utf-8-sig").splitlines()
    assert quick[0] == ("Name,How does this change support the objectives?,Description,Priority (l/m/h),Owner,"
                        "Actions,Progress,Linked quick wins,Roadmap column")
    assert quick[1].startswith("1. Make letters friendlier,")
    roadmap = client.get(base + "?plan=roadmap")
    assert roadmap.data.decode("utf-8-sig").startswith("Welsh pilot,Backlog (not started),Concept development,")
    assert 'filename="' in roadmap.headers["Content-Disposition"] and "-roadmap-" in roadmap.headers[
        "Content-Disposition"]
    opportunities = client.get(base + "?plan=opportunities").data.decode("utf-8-sig")
    assert opportunities.startswith("Design Opportunity,")
    assert client.get(base + "?plan=everything").status_code == 404


def test_the_downloads_page(client, login, world):
    slug = world.programme.slug
    login(client, world.viewer)
    page = client.get(f"/programmes/{slug}/export").data.decode()
    assert "Results tracker (.xlsx)" in page and "Council A" in page and "Council B" in page
    assert "Import figures" not in page
    login(client, world.team_b)
    page = client.get(f"/programmes/{slug}/export").data.decode()
    assert "Council B" in page and "Council A" not in page
    assert "Import figures from a spreadsheet" in page
    login(client, world.outsider)
    assert client.get(f"/programmes/{slug}/export").status_code == 404
    assert client.get(f"/programmes/{slug}/export/results.csv").status_code == 404


def test_anonymous_people_are_sent_to_sign_in(client, world):
    response = client.get(f"/programmes/{world.programme.slug}/export/results.xlsx")
    assert response.status_code == 302 and response.headers["Location"].startswith("/sign-in?next=")


def test_links_on_the_tracker_and_organisation_pages(client, login, world):
    slug = world.programme.slug
    login(client, world.team_a)
    page = client.get(f"/programmes/{slug}/results").data.decode()
    assert "Download (.xlsx)" in page and "Download (.csv)" in page
    assert f'href="/programmes/{slug}/import"' in page
    page = client.get(f"/programmes/{slug}/{world.org_a.slug}/").data.decode()
    assert "Download the action plans (.xlsx)" in page
    assert f"/programmes/{slug}/{world.org_a.slug}/export/plans.xlsx" in page
    login(client, world.viewer)
    page = client.get(f"/programmes/{slug}/results").data.decode()
    assert "Download (.xlsx)" in page and "Import figures" not in page


# --- import ---------------------------------------------------------------------------------------


def test_import_preview_then_confirm(client, login, world, results):
    slug = world.programme.slug
    login(client, world.team_a)
    page = client.get(f"/programmes/{slug}/import")
    assert page.status_code == 200 and b'enctype="multipart/form-data"' in page.data
    before = figure_count()
    response = upload(client, slug, csv_bytes("1.1.1,Council A,3,21,,,yes,Spring count,Case system",
                                              "1.1.1,Council A,2,13,,,yes,,",
                                              "1.1.2,Council A,3,,2,8,,,"))
    assert response.status_code == 302
    (pending,) = db.session.scalars(select(PendingImport))
    assert response.headers["Location"] == f"/imports/{pending.id}"
    assert figure_count() == before, "an upload writes no figures"
    preview = client.get(f"/imports/{pending.id}").data.decode()
    assert preview.count(">New</strong>") == 2 and preview.count(">Changed</strong>") == 1
    assert "Value: 12 → 13" in preview
    assert "Import 3 figures" in preview
    response = client.post(f"/imports/{pending.id}/confirm")
    assert response.status_code == 302
    assert response.headers["Location"] == f"/programmes/{slug}/results"
    assert "3 figures imported" in client.get(response.headers["Location"]).data.decode()
    assert figure_count() == before + 2
    assert pending_count() == 0
    assert client.post(f"/imports/{pending.id}/confirm").status_code == 404


def test_an_import_with_errors_cannot_be_confirmed(client, login, world, results):
    slug = world.programme.slug
    login(client, world.team_a)
    before = figure_count()
    response = upload(client, slug, csv_bytes("1.1.1,Council A,3,21,,,,,", "1.1.1,Council B,3,4,,,,,"))
    pending_id = int(response.headers["Location"].rsplit("/", 1)[1])
    preview = client.get(f"/imports/{pending_id}").data.decode()
    assert ">Error</strong>" in preview and "You cannot change the figures of Council B" in preview
    assert f"/imports/{pending_id}/confirm" not in preview
    response = client.post(f"/imports/{pending_id}/confirm")
    assert response.status_code == 422
    assert "Nothing was imported: some rows have errors" in response.data.decode()
    assert figure_count() == before
    assert pending_count() == 1


def test_confirm_checks_every_row_again(client, login, world, results):
    slug = world.programme.slug
    login(client, world.facilitator)
    response = upload(client, slug, csv_bytes("1.1.1,Council A,3,21,,,,,", "1.1.1,Council B,3,4,,,,,"))
    pending_id = int(response.headers["Location"].rsplit("/", 1)[1])
    assert "Import 2 figures" in client.get(f"/imports/{pending_id}").data.decode()
    # Meanwhile the programme's start moves: period 3 has not started any more.
    programmes.update_programme(world.programme, start_date=date(2026, 3, 1))
    db.session.commit()
    before = figure_count()
    response = client.post(f"/imports/{pending_id}/confirm")
    assert response.status_code == 422
    assert "has not started yet" in response.data.decode()
    assert figure_count() == before


def test_someone_elses_import_is_not_found(client, login, world, results):
    slug = world.programme.slug
    login(client, world.team_a)
    response = upload(client, slug, csv_bytes("1.1.1,Council A,3,21,,,,,"))
    pending_id = int(response.headers["Location"].rsplit("/", 1)[1])
    before = figure_count()
    for actor in (world.facilitator, world.team_b, world.outsider):
        login(client, actor)
        assert client.get(f"/imports/{pending_id}").status_code == 404
        assert client.post(f"/imports/{pending_id}/confirm").status_code == 404
    assert figure_count() == before and pending_count() == 1


def test_who_may_import(client, login, world):
    slug = world.programme.slug
    login(client, world.viewer)
    assert client.get(f"/programmes/{slug}/import").status_code == 403
    assert upload(client, slug, csv_bytes("1.1.1,Council A,3,21,,,,,")).status_code == 403
    login(client, world.outsider)
    assert client.get(f"/programmes/{slug}/import").status_code == 404
    login(client, world.team_b)
    assert client.get(f"/programmes/{slug}/import").status_code == 200
    assert pending_count() == 0


@pytest.mark.parametrize(("name", "data", "message"), [
    ("figures.txt", b"Indicator code,Organisation,Period number\n", "The file must be a .csv or .xlsx file"),
    ("figures.csv", b"Code,Value\n1.1.1,3\n", "The file has no column for: Organisation, Period number"),
    ("figures.xlsx", b"not really", "The file is not a valid .xlsx workbook"),
])
def test_a_bad_file_is_refused_with_a_reason(client, login, world, name, data, message):
    login(client, world.team_a)
    response = upload(client, world.programme.slug, data, name)
    assert response.status_code == 422
    assert message in response.data.decode()
    assert pending_count() == 0


def test_no_file_chosen(client, login, world):
    login(client, world.team_a)
    response = client.post(f"/programmes/{world.programme.slug}/import", data={},
                           content_type="multipart/form-data")
    assert response.status_code == 422 and "Choose a .csv or .xlsx file" in response.data.decode()


def test_an_expired_import_is_gone(client, login, world, results):
    login(client, world.team_a)
    old = PendingImport(programme_id=world.programme.id, user_id=world.team_a.id, filename="old.csv",
                        created_dt=utcnow() - timedelta(days=2), rows={"columns": [], "rows": []})
    db.session.add(old)
    db.session.commit()
    old_id = old.id
    assert client.get(f"/imports/{old_id}").status_code == 404
    upload(client, world.programme.slug, csv_bytes("1.1.1,Council A,3,21,,,,,"))
    # (SQLite may give the new upload the old one's id.)
    assert db.session.scalars(select(PendingImport.filename)).all() == ["figures.csv"], "expired ones are cleared"
