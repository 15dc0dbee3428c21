"""Thirty-two people sending one survey link at the same moment, over real HTTP against gunicorn with four
workers, on SQLite and on PostgreSQL (SECURITY.md item 17).

Each client opens the link itself (the token is exchanged for its own cookie), reads the questions (and
its CSRF token), then all 32 send their answers together. One response is written; the other 31 get the
"already used" page; none gets a 5xx and no worker logs an error. The same 32 through an organisation's
shared link write 32 responses, none lost.

The server of this module writes gunicorn's access log too (``GUNICORN_CMD_ARGS``), which must show the
requests for the link without its token.
"""

import os
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from tests.concurrency.conftest import Person
from tests.concurrency.test_http import run_together
from tests.surveys.conftest import make_survey
from tracker.core import clock
from tracker.extensions import db
from tracker.surveys import invitations
from tracker.surveys.models import InvitationUse, Response

CLIENTS = 32


@pytest.fixture(scope="module", autouse=True)
def _access_log():
    """Before the module's server starts: gunicorn writes its access log to the server's log."""
    previous = os.environ.get("GUNICORN_CMD_ARGS")
    os.environ["GUNICORN_CMD_ARGS"] = "--access-logfile -"
    yield
    if previous is None:
        os.environ.pop("GUNICORN_CMD_ARGS", None)
    else:
        os.environ["GUNICORN_CMD_ARGS"] = previous


class Respondent(Person):
    """A browser with no account: its own cookies and the CSRF token of the last page it read."""

    def __init__(self, server):  # no sign-in
        import requests

        self.base = server.base
        self.http = requests.Session()
        self.token = ""


@pytest.fixture
def open_survey(world):
    """The world's survey with wave 1 open today (the workers read the real clock)."""
    world.programme.start_date = clock.today() - timedelta(days=1)
    db.session.commit()
    survey = make_survey(world.programme)
    return survey, survey.waves[0]


def answers(survey) -> dict:
    likert, scale, single, multiple, free = survey.questions
    return {f"q{likert.id}": "4", f"q{scale.id}": "9", f"q{single.id}": "1", f"q{multiple.id}": ["0", "2"],
            f"q{free.id}": "Sent at the same moment"}


def send_all(server, survey, token: str) -> list:
    """32 respondents open the link, read the questions, and send their answers together."""
    people = [Respondent(server) for _ in range(CLIENTS)]
    for person in people:
        page = person.get(f"/s/{token}")  # 303 to /s/survey, followed
        assert page.status_code == 200 and page.url.endswith("/s/survey"), (page.status_code, page.url)
        assert person.token, "no CSRF token on the survey page"
    data = answers(survey)
    return run_together([lambda person=person: person.post("/s/survey/send", data) for person in people])


def test_32_submissions_of_one_link_give_one_response(server, world, open_survey, committed):
    survey, wave = open_survey
    made = []
    invitations.invite(wave, world.org_a, ["ann@council-a.example"],
                       link_for=lambda token: made.append(token) or f"{server.base}/s/{token}")
    db.session.commit()
    (token,) = made

    responses = send_all(server, survey, token)
    statuses = sorted(r.status_code for r in responses)
    assert statuses == [303] + [410] * (CLIENTS - 1), statuses
    assert all("This link has already been used" in r.text for r in responses if r.status_code == 410)
    session = committed()
    assert session.scalar(select(func.count()).select_from(Response)) == 1
    assert session.scalar(select(func.count()).select_from(InvitationUse)) == 1
    assert len(session.scalars(select(Response)).one().answers) == 6
    assert server.errors_logged() == []

    log = server.log.read_text(errors="replace")
    assert token not in log
    assert "GET /s/… HTTP/1.1" in log and "POST /s/survey/send HTTP/1.1" in log


def test_32_submissions_of_a_shared_link_give_32_responses(server, world, open_survey, committed):
    survey, wave = open_survey
    token = invitations.make_shared_link(wave, world.org_b)
    db.session.commit()

    responses = send_all(server, survey, token)
    assert [r.status_code for r in responses] == [303] * CLIENTS
    session = committed()
    assert session.scalar(select(func.count()).select_from(Response)) == CLIENTS
    assert session.scalar(select(func.count()).select_from(InvitationUse)) == 0
    assert server.errors_logged() == []
    assert token not in server.log.read_text(errors="replace")
