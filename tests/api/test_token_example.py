"""The "enter a figure" example on the API tokens page works as it is shown.

Each test reads the curl command off the page, puts a real token where the page says ``trk_…``, and
sends exactly that request through the test client: it must be accepted (201 or 200). Against the demo
(whose first indicator is a proportion, which the page's old example, a count, got a 422 for) and
against a programme whose first indicator is a count.
"""

import html
import json
import re
import shlex
from decimal import Decimal
from urllib.parse import urlsplit

import pytest
from sqlalchemy import select

from tests import factories
from tracker.accounts.services import find_by_email
from tracker.api import services as tokens
from tracker.demo import DEMO_PASSWORD, PROGRAMME_SLUG, load_demo
from tracker.extensions import db
from tracker.programmes.models import Organisation
from tracker.results.models import Figure


def shown_request(page: str) -> dict:
    """The example's method, path, headers and body, parsed from the page's curl command."""
    found = re.search(r'<code id="figure-example">(.*?)</code>', page, re.S)
    assert found, "the tokens page shows a figure example"
    argv = shlex.split(html.unescape(found.group(1)))
    assert argv[0] == "curl"
    request = {"method": "GET", "headers": {}, "body": None, "url": None}
    args = iter(argv[1:])
    for arg in args:
        if arg == "-X":
            request["method"] = next(args)
        elif arg == "-H":
            name, _colon, value = next(args).partition(": ")
            request["headers"][name] = value
        elif arg == "-d":
            request["body"] = next(args)
        else:
            assert request["url"] is None, f"one address only, not also {arg!r}"
            request["url"] = arg
    return request


def send(client, request: dict, token: str):
    headers = dict(request["headers"])
    assert headers["Authorization"] == "Bearer trk_…"
    headers["Authorization"] = f"Bearer {token}"
    url = urlsplit(request["url"])
    return client.open(url.path, method=request["method"], headers=headers, data=request["body"])


def example_of(client, login, user, password=factories.PASSWORD) -> dict:
    login(client, user, password)
    page = client.get("/account/tokens")
    assert page.status_code == 200
    return shown_request(page.data.decode())


@pytest.fixture
def demo(app):
    load_demo()
    db.session.commit()


@pytest.mark.parametrize(("email", "org_name"), [("gg@rct.example.org", "Rhondda Cynon Taf County Borough Council"),
                                                  ("facilitator@example.org", "Caerphilly County Borough Council")])
def test_the_example_works_against_the_demo(client, login, demo, email, org_name):
    user = find_by_email(email)
    org = db.session.scalar(select(Organisation).where(Organisation.name == org_name))
    request = example_of(client, login, user, DEMO_PASSWORD)
    assert request["method"] == "PUT"
    path = urlsplit(request["url"]).path
    assert path.startswith(f"/api/v1/programmes/{PROGRAMME_SLUG}/figures/1.1.1/{org.slug}/")
    body = json.loads(request["body"])
    assert {"numerator", "denominator"} <= set(body) and "value" not in body  # 1.1.1 is a proportion
    _row, token = tokens.create_token(user, "example")
    db.session.commit()
    response = send(client, request, token)
    assert response.status_code in (200, 201), response.get_json()
    saved = response.get_json()
    assert (saved["organisation"], saved["indicator"]) == (org.slug, "1.1.1")
    figure = db.session.scalar(select(Figure).where(Figure.organisation_id == org.id,
                                                    Figure.period_number == saved["period"]))
    assert (figure.numerator, figure.denominator) == (Decimal(body["numerator"]), Decimal(body["denominator"]))
    # The same request again replaces the figure with itself.
    assert send(client, request, token).status_code == 200


@pytest.mark.parametrize("actor", ["team_a", "facilitator"])
def test_the_example_works_for_a_count_indicator(client, login, api, actor):
    user = api.world.users()[actor]
    request = example_of(client, login, user)
    body = json.loads(request["body"])
    assert f"/figures/{api.count_code}/" in request["url"] and "value" in body
    response = send(client, request, api.tokens[actor])
    assert response.status_code in (200, 201), response.get_json()
    # Period 1 is locked: a team member is shown the latest open period, which has started.
    assert response.get_json()["period"] == 3


def test_without_a_programme_to_enter_figures_the_example_has_placeholders(client, login, api):
    request = example_of(client, login, api.world.viewer)
    assert "/programmes/PROGRAMME/figures/INDICATOR/ORGANISATION/3" in request["url"]
    assert json.loads(request["body"])["value"] == "12"
