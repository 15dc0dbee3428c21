"""Cases from a .csv or .xlsx file: the preview, row errors, all or nothing, and the pages."""

import io

import pytest
from openpyxl import Workbook
from sqlalchemy import func, select

from tests.audits.conftest import count_statements, make_sample
from tracker.audits import imports, results, services
from tracker.audits.models import AuditCase, AuditImport
from tracker.exchange.imports import ImportFileError
from tracker.extensions import db

ELEMENTS = ["Client and household details", "Current circumstances", "Health/ support", "S68 interim accommodation",
            "Relevant notification sent", "Advice", "Signposting/ referrals",
            "Develop tailored PHP for reasonable and SMART actions to be taken (by both LA and applicant)",
            "Prompt, timely, efficient setting completion and recording of tasks",
            "Closure/progression at appropriate point"]
HEADER = ["Case reference", "Case type", "Household type", "Logged outcome", "Year assessed", "Notes", *ELEMENTS]


def _csv(rows) -> bytes:
    return "\n".join(",".join(f'"{c}"' for c in row) for row in [HEADER, *rows]).encode()


@pytest.fixture
def empty(world):
    return make_sample(world.org_b, sample=[], unscored=0)


def test_rows_are_previewed_then_added_scored_or_to_score(empty):
    data = _csv([["HO-1", "section 66", "Family", "Successful", "18/19", "Good file",
                  "2", "1", "2", "n/a", "1", "1", "1", "10", "4", "3"],
                 ["HO-2", "Section 73", "", "", "", "", *[""] * 10]])
    rows = imports.parse(empty, "cases.csv", data)
    preview = imports.preview(empty, rows)
    assert [(r.row, r.reference, r.scored, r.score, r.possible, r.errors) for r in preview] == [
        (2, "HO-1", True, 25, 25, []), (3, "HO-2", False, 0, 0, [])]
    assert db.session.scalar(select(func.count()).select_from(AuditCase)) == 0
    assert imports.commit(empty, rows) == 2
    cases = services.cases_of(empty)
    assert [(c.reference, c.score, c.possible, c.notes, c.scored_dt is not None) for c in cases] == [
        ("HO-1", 25, 25, "Good file", True), ("HO-2", 0, 0, "", False)]
    figures = results.compute(empty)
    assert (figures.n, figures.unscored) == (1, 1)
    assert {g.label: g.n for g in figures.groups["case_type"]}["Section 66"] == 1


def test_an_import_adds_its_cases_in_the_same_few_statements_for_3_rows_or_300(world, empty):
    """Numbered after the cases already there, with their attributes, scores and totals as one at a time."""
    services.add_case(empty, reference="Already here")
    db.session.commit()

    def rows(n: int) -> list[dict]:
        return imports.parse(empty, "cases.csv", _csv(
            [[f"HO-{i}", "Section 66", "Family", "Successful", "18/19", f"Note {i}",
              "2", "1", "2", "n/a", "1", "1", "1", str(i % 11), "4", "3"] if i % 2 else
             [f"HO-{i}", "", "", "", "", "", *[""] * 10] for i in range(n)]))

    few, many = rows(3), rows(300)
    statements_few = count_statements(lambda: imports.commit(empty, few))
    statements_many = count_statements(lambda: imports.commit(empty, many))
    db.session.commit()
    assert statements_many == statements_few, (statements_few, statements_many)
    cases = services.cases_of(empty)
    assert [c.number for c in cases] == list(range(1, 305))
    second = next(c for c in cases if c.reference == "HO-1" and c.number == 3)
    assert (second.score, second.possible, second.notes, second.scored_dt is not None) == (16, 25, "Note 1", True)
    labels = {a.id: a.label for values in services.attributes_of(empty).values() for a in values}
    assert [labels[second.case_type_id], labels[second.household_id], labels[second.outcome_id],
            labels[second.year_id]] == ["Section 66", "Family", "Successful", "18/19"]
    scores, _answers = services.scores_of(second)
    assert sorted(scores.values(), key=str) == sorted([2, 1, 2, None, 1, 1, 1, 1, 4, 3], key=str)
    unscored = next(c for c in cases if c.reference == "HO-0" and c.number == 2)
    assert (unscored.scored_dt, unscored.score, services.scores_of(unscored)[0]) == (None, 0, {})
    figures = results.compute(empty)
    assert (figures.n, figures.unscored) == (151, 153)


def test_row_errors_and_nothing_added(empty):
    data = _csv([["HO-1", "Section 99", "", "", "", "", "3", "1", "2", "2", "1", "1", "1", "10", "4", "3"],
                 ["HO-2", "", "", "", "", "", "2", "", *[""] * 8]])
    rows = imports.parse(empty, "cases.csv", data)
    first, second = imports.preview(empty, rows)
    assert "Case type “Section 99” is not in the audit's list" in first.errors
    assert any("Client and household details: the score must be a whole number from 0 to 2" in e for e in first.errors)
    assert second.errors[0].startswith("Score every element or none: no score for Current circumstances")
    with pytest.raises(ImportFileError):
        imports.commit(empty, rows)
    assert services.cases_of(empty) == []


def test_an_xlsx_file_is_read(empty):
    book = Workbook()
    sheet = book.active
    sheet.append(["Case reference", "Case type"])
    sheet.append(["HO-7", "Section 73"])
    buffer = io.BytesIO()
    book.save(buffer)
    rows = imports.parse(empty, "cases.xlsx", buffer.getvalue())
    assert [(r["reference"], r["case_type"]) for r in rows] == [("HO-7", "Section 73")]


@pytest.mark.parametrize(("name", "data", "message"), [
    ("cases.txt", b"x", "must be a .csv or .xlsx"),
    ("cases.csv", b"", "empty"),
    ("cases.csv", b"Colour,Size\nred,big\n", "The first row must name the columns"),
    ("cases.xlsx", b"not a zip", "not a valid .xlsx"),
])
def test_unreadable_files(empty, name, data, message):
    with pytest.raises(ImportFileError, match=message):
        imports.parse(empty, name, data)


def test_the_import_pages(client, login, world, empty):
    login(client, world.team_b)
    assert b"Client and household details (0" in client.get(f"/audits/{empty.id}/import").data
    bad = client.post(f"/audits/{empty.id}/import", data={"file": (io.BytesIO(b"Colour\nred\n"), "c.csv")})
    assert bad.status_code == 422 and b"The first row must name the columns" in bad.data
    response = client.post(f"/audits/{empty.id}/import", data={"file": (io.BytesIO(_csv([
        ["HO-1", "Section 66", "", "", "", "", "2", "1", "2", "2", "1", "1", "1", "10", "4", "3"]])), "c.csv")})
    assert response.status_code == 302
    pending = db.session.scalar(select(AuditImport))
    page = client.get(f"/audit-imports/{pending.id}").data.decode()
    assert "27 of 27 (100%)" in page and "Import 1 case" in page
    login(client, world.facilitator)
    assert client.get(f"/audit-imports/{pending.id}").status_code == 404  # only the uploader's
    login(client, world.team_b)
    done = client.post(f"/audit-imports/{pending.id}/confirm")
    assert done.headers["Location"].endswith(f"/audits/{empty.id}")
    assert [c.reference for c in services.cases_of(empty)] == ["HO-1"]
    assert db.session.scalar(select(func.count()).select_from(AuditImport)) == 0


def test_a_confirmation_with_errors_adds_nothing(client, login, world, empty):
    pending = AuditImport(audit_id=empty.id, user_id=world.team_b.id, filename="c.csv", rows=[
        {"row": 2, "reference": "X", "case_type": "Unknown", "scores": {}}])
    db.session.add(pending)
    db.session.commit()
    login(client, world.team_b)
    response = client.post(f"/audit-imports/{pending.id}/confirm")
    assert response.status_code == 422 and b"Nothing was imported" in response.data
    assert services.cases_of(empty) == []
