"""The survey results pages over HTTP: who sees what, the minimum group rule on the page and in the
downloads (property-based over random cohorts), free text, trends, and linking questions to indicators."""

import csv
import io
from collections import defaultdict
from datetime import datetime
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import load_workbook
from sqlalchemy import delete, event, select

from tests.conftest import IsolatedClient
from tests.surveys.test_results import respond_alike
from tracker.core import clock
from tracker.extensions import db
from tracker.programmes import services as programmes
from tracker.results import services
from tracker.results.models import Figure, Unit
from tracker.surveys.models import Answer, Response

AFTER_WAVE_1 = datetime(2026, 2, 1, 12)  # wave 1 (1–14 January 2026) closed, wave 2 not open
AFTER_WAVE_2 = datetime(2026, 5, 1, 12)
HIDDEN = "Fewer than 5 responses: results hidden to protect anonymity"


@pytest.fixture
def frozen():
    with clock.frozen(AFTER_WAVE_1):
        yield


def page(client, url: str, status: int = 200) -> str:
    response = client.get(url)
    assert response.status_code == status, response.data[-2000:]
    return response.data.decode()


def test_results_wait_for_the_wave_to_close(client, login, world, survey):
    wave = survey.waves[0]
    respond_alike(wave, world.org_a, survey, 6, text="Secret comment")
    db.session.commit()
    login(client, world.facilitator)
    with clock.frozen(datetime(2026, 1, 10, 12)):
        body = page(client, f"/waves/{wave.id}/results")
        assert "Results are shown after the wave closes on 14 January 2026" in body
        assert "Strongly agree" not in body and ">6<" in body  # the responses, counted
        assert "Secret comment" not in page(client, f"/waves/{wave.id}/questions/{survey.questions[4].id}/answers")
        rows = list(csv.reader(io.StringIO(client.get(f"/waves/{wave.id}/results.csv").data.decode("utf-8-sig"))))
        assert rows[0][:2] == ["Wave", "Organisation"] and "Answer" not in rows[0]
    with clock.frozen(AFTER_WAVE_1):
        body = page(client, f"/waves/{wave.id}/results")
        assert "Strongly agree" in body and "Results are shown after" not in body


def test_an_organisation_below_the_minimum_is_hidden_and_shown_at_it(client, login, world, survey, frozen):
    wave = survey.waves[0]
    respond_alike(wave, world.org_a, survey, 4, likert=5)
    db.session.commit()
    login(client, world.facilitator)
    body = page(client, f"/waves/{wave.id}/results?organisation={world.org_a.slug}")
    assert HIDDEN in body and "Strongly agree</th>" not in body
    respond_alike(wave, world.org_a, survey, 1, likert=5)
    db.session.commit()
    body = page(client, f"/waves/{wave.id}/results?organisation={world.org_a.slug}")
    assert HIDDEN not in body
    assert "Strongly agree</th>" in body and ">100%<" in body and ">5.0<" in body


def test_a_team_member_sees_their_organisation_and_the_totals(client, login, world, survey, frozen):
    wave = survey.waves[0]
    respond_alike(wave, world.org_a, survey, 5, likert=4, text="Comment of A")
    respond_alike(wave, world.org_b, survey, 6, likert=2, text="Comment of B")
    db.session.commit()
    login(client, world.team_a)
    body = page(client, f"/waves/{wave.id}/results?organisation={world.org_b.slug}")  # B is not theirs
    assert "Council A" in body and "Council B" not in body
    assert "All organisations" in body
    answers = f"/waves/{wave.id}/questions/{survey.questions[4].id}/answers"
    own = page(client, answers + "?organisation=all")  # their own organisation's words only
    assert "Comment of A" in own and "Comment of B" not in own
    rows = list(csv.reader(io.StringIO(client.get(f"/waves/{wave.id}/results.csv").data.decode("utf-8-sig"))))
    assert {row[1] for row in rows[1:]} == {"Across all organisations", "Council A"}
    login(client, world.facilitator)
    everyone = page(client, answers + "?organisation=all")
    assert "Comment of A" in everyone and "Comment of B" in everyone and "11 answers, in random order." in everyone


def test_a_viewer_of_one_organisation_reads_it_and_cannot_link_or_enter(client, login, world, survey, frozen):
    wave = survey.waves[0]
    respond_alike(wave, world.org_b, survey, 5)
    db.session.commit()
    login(client, world.viewer_b)
    body = page(client, f"/waves/{wave.id}/results")
    assert "Council B" in body and "Feed an indicator" not in body and "Enter the figures" not in body
    assert client.get(f"/questions/{survey.questions[0].id}/indicator").status_code == 403
    assert client.get(f"/waves/{wave.id}/indicator-figures").status_code == 403
    assert client.post(f"/waves/{wave.id}/indicator-figures", data={"fingerprint": "x"}).status_code == 403


def test_a_shared_link_is_said(client, login, world, survey, frozen):
    from tracker.surveys.models import WaveOrganisation

    wave = survey.waves[0]
    db.session.add(WaveOrganisation(wave_id=wave.id, organisation_id=world.org_b.id, shared_token_hash="e" * 64))
    respond_alike(wave, world.org_b, survey, 5)
    db.session.commit()
    login(client, world.facilitator)
    body = page(client, f"/waves/{wave.id}/results?organisation={world.org_b.slug}")
    assert body.count("Shared link: responses are not limited to one per person") == 2  # the table, the answers


def test_someone_outside_the_programme_gets_nothing(client, login, world, survey, frozen):
    wave = survey.waves[0]
    login(client, world.outsider)
    for url in (f"/waves/{wave.id}/results", f"/waves/{wave.id}/results.csv", f"/surveys/{survey.id}/results",
                f"/waves/{wave.id}/questions/{survey.questions[4].id}/answers"):
        assert client.get(url).status_code == 404


def test_a_question_of_another_survey_or_not_free_text_has_no_answers_page(client, login, world, survey, frozen):
    from tests.surveys.conftest import make_survey

    other = make_survey(world.programme, "Another")
    wave = survey.waves[0]
    login(client, world.facilitator)
    assert client.get(f"/waves/{wave.id}/questions/{other.questions[4].id}/answers").status_code == 404
    assert client.get(f"/waves/{wave.id}/questions/{survey.questions[0].id}/answers").status_code == 404


def test_the_xlsx_holds_responses_and_answers(client, login, world, survey, frozen):
    wave = survey.waves[0]
    respond_alike(wave, world.org_a, survey, 6, likert=4, scale=10, text="=HYPERLINK(\"x\")")
    respond_alike(wave, world.org_b, survey, 2)
    db.session.commit()
    login(client, world.facilitator)
    response = client.get(f"/waves/{wave.id}/results.xlsx")
    assert response.headers["Content-Disposition"].endswith('.xlsx"')
    book = load_workbook(io.BytesIO(response.data))
    assert book.sheetnames == ["Responses", "Answers"]
    responses = [[c.value for c in row] for row in book["Responses"].iter_rows()]
    assert responses[1][:5] == [1, "Across all organisations", "No", 0, 8]
    answers = [[c.value for c in row] for row in book["Answers"].iter_rows()]
    text = " ".join(str(v) for row in answers for v in row)
    assert "HYPERLINK" not in text and "Free-text answers are not downloaded" in text
    # A (6) is hidden with B (2), whose 2 the total would otherwise give away.
    a_rows = [row for row in answers if row[1] == "Council A"]
    assert a_rows and all(row[6] is None for row in a_rows)
    enps = {row[9] for row in answers if row[1] == "Across all organisations" and row[2] == 2}
    assert enps == {100}


def test_trends_after_a_second_wave(client, login, world, survey):
    first, second = survey.waves[0], survey.waves[1]
    respond_alike(first, world.org_a, survey, 5, likert=2)
    respond_alike(second, world.org_a, survey, 5, likert=4)
    respond_alike(second, world.org_b, survey, 3, likert=5)
    db.session.commit()
    login(client, world.facilitator)
    with clock.frozen(AFTER_WAVE_1):
        body = page(client, f"/surveys/{survey.id}/results?organisation={world.org_a.slug}")
        trends = body.split("Each question")[1]
        assert body.count("<svg") == 2 and "Wave\u00a01</th>" in trends and "Wave\u00a02</th>" not in trends
    with clock.frozen(AFTER_WAVE_2):
        body = page(client, f"/surveys/{survey.id}/results?organisation={world.org_b.slug}")
        assert 'id="chart-' in body and ">2.0<" in body and ">4.4<" in body  # all: 2.0, then (20 + 15) / 8
        assert "Hidden: fewer than 5 responses" in body  # B in wave 2
        body = page(client, f"/surveys/{survey.id}/results?organisation=all")
        assert "No single organisation" in body


def test_linking_a_question_and_entering_its_figures(client, login, world, survey, frozen):
    from tracker.surveys import feed

    objective = services.create_objective(world.programme, "Staff take to the changes")
    outcome = services.create_outcome(objective, "Standards help")
    share = services.create_indicator(outcome, name="Staff who agree", unit=Unit.PROPORTION, numerator_label="agree",
                                      denominator_label="answered")
    wave = survey.waves[0]
    likert = survey.questions[0]
    respond_alike(wave, world.org_a, survey, 5, likert=5)
    respond_alike(wave, world.org_b, survey, 5, likert=1)
    db.session.commit()
    login(client, world.facilitator)
    url = f"/questions/{likert.id}/indicator?wave={wave.id}"
    assert "None: this question feeds no indicator" in page(client, url)
    response = client.post(url, data={"indicator": str(share.id)})
    assert response.status_code == 422
    body = response.data.decode()
    assert "<title>Error: " in body and "Choose the answers that count" in body
    response = client.post(url, data={"indicator": str(share.id), "values": ["4", "5"]})
    assert response.status_code == 302 and response.headers["Location"].endswith(f"/waves/{wave.id}/results")
    assert "Feeds indicator 1.1.1 Staff who agree, counting: Agree, Strongly agree." in page(
        client, f"/waves/{wave.id}/results")
    preview = page(client, f"/waves/{wave.id}/indicator-figures")
    assert "100.0% (5/5)" in preview and "0.0% (0/5)" in preview and "Enter 2 figures" in preview
    stale = client.post(f"/waves/{wave.id}/indicator-figures", data={"fingerprint": "0" * 32})
    assert stale.status_code == 409 and "The figures changed since you checked them" in stale.data.decode()
    with client.application.test_request_context():
        fingerprint = feed.preview(wave).fingerprint
    response = client.post(f"/waves/{wave.id}/indicator-figures", data={"fingerprint": fingerprint})
    assert response.status_code == 302
    db.session.rollback()
    assert {(f.organisation_id, f.numerator) for f in db.session.scalars(select(Figure))} == {
        (world.org_a.id, Decimal(5)), (world.org_b.id, Decimal(0))}
    assert "2 figures entered in the results tracker" in page(client, f"/waves/{wave.id}/results")
    assert "Nothing to enter" in page(client, f"/waves/{wave.id}/indicator-figures")
    response = client.post(url, data={"indicator": ""})
    assert response.status_code == 302 and "no longer feeds an indicator" in page(client, response.headers["Location"])


def test_the_results_page_reads_a_fixed_number_of_statements(app, client, login, world, survey, frozen):
    wave = survey.waves[0]
    login(client, world.facilitator)
    statements = []

    def count(*args):
        statements.append(args[2])

    def measured() -> int:
        statements.clear()
        event.listen(db.engine, "before_cursor_execute", count)
        try:
            page(client, f"/waves/{wave.id}/results")
        finally:
            event.remove(db.engine, "before_cursor_execute", count)
        return len(statements)

    respond_alike(wave, world.org_a, survey, 5)
    db.session.commit()
    small = measured()
    respond_alike(wave, world.org_a, survey, 40)
    respond_alike(wave, world.org_b, survey, 30)
    db.session.commit()
    assert measured() == small


# --- random cohorts through the downloads ---------------------------------------------------------------


def _cells(rows: list[list[str]]) -> dict:
    """From a downloaded answers table: per question, each group's answered count and whether its answers
    are shown."""
    cells = defaultdict(dict)
    header = rows[0]
    at = {name: header.index(name) for name in ("Organisation", "Question number", "Answered", "Count")}
    for row in rows[1:]:
        shown = row[at["Count"]] != ""
        key = (row[at["Question number"]], row[at["Organisation"]])
        cells[key[0]][key[1]] = (int(row[at["Answered"]]), cells[key[0]].get(key[1], (0, False))[1] or shown)
    return cells


@pytest.fixture
def four_councils(world):
    for name in ("Council C", "Council D"):
        programmes.add_organisation(world.programme, name)
    db.session.commit()
    return sorted(world.programme.organisations, key=lambda o: o.name)


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                  HealthCheck.too_slow])
@given(sizes=st.lists(st.integers(0, 8), min_size=4, max_size=4), minimum=st.integers(3, 6))
def test_no_download_shows_or_gives_away_a_group_below_the_minimum(app, login, world, survey, four_councils, sizes,
                                                                   minimum):
    """As the facilitator and as a team member: every group whose answers are downloaded has at least the
    minimum, and so does the total minus the organisations shown."""
    wave = survey.waves[0]
    db.session.execute(delete(Answer))
    db.session.execute(delete(Response))
    world.programme.survey_min_group = minimum
    for org, n in zip(four_councils, sizes, strict=True):
        respond_alike(wave, org, survey, n)
    db.session.commit()
    with clock.frozen(AFTER_WAVE_1):
        for user in (world.facilitator, world.team_a):
            client = IsolatedClient(app, app.response_class, use_cookies=True)
            login(client, user)
            body = client.get(f"/waves/{wave.id}/results.csv").data.decode("utf-8-sig")
            for question, groups in _cells(list(csv.reader(io.StringIO(body)))).items():
                total, total_shown = groups.pop("Across all organisations")
                shown = {name: n for name, (n, is_shown) in groups.items() if is_shown}
                assert all(n >= minimum for n in shown.values()), (question, groups)
                assert not total_shown or total >= minimum
                rest = total - sum(shown.values())
                assert not total_shown or rest == 0 or rest >= minimum, (question, groups, total)
