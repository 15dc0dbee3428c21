"""CSRF (SECURITY.md item 6): with protection on, every unsafe route refuses a missing or bad token.

The routes are read from ``app.url_map``, so a new POST (or PUT, PATCH, DELETE) route is covered without
editing this file; the URL and form data come from the permission matrix's ``TARGETS`` when the route is
there, otherwise its arguments are filled in by ``url_for_endpoint`` (the token is checked before the view
runs). A route exempt from CSRF (the bearer-token API) must instead refuse the session cookie.
"""

import re
from html.parser import HTMLParser

import pytest
from itsdangerous import URLSafeTimedSerializer

from tests import factories
from tests.test_permissions import TARGETS, Ids, IsolatedClient, changed_tables, snapshot, url_for_endpoint
from tracker import create_app
from tracker.board.models import Card, RoadmapColumn
from tracker.extensions import db

EXPIRED = b"Your form expired or was sent from another site"
UNSAFE = ("POST", "PUT", "PATCH", "DELETE")


def _unsafe_rules():
    app = create_app({"ENV_NAME": "testing", "SQLALCHEMY_DATABASE_URI": "sqlite://"})
    cases = sorted((r.endpoint, method) for r in app.url_map.iter_rules() for method in UNSAFE if method in r.methods)
    with app.app_context():
        db.engine.dispose()
    return cases


UNSAFE_RULES = _unsafe_rules()


class _Inputs(HTMLParser):
    def __init__(self):
        super().__init__()
        self.tokens: list[str] = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "input" and attrs.get("name") == "csrf_token":
            self.tokens.append(attrs.get("value") or "")


def form_token(body: bytes) -> str:
    parser = _Inputs()
    parser.feed(body.decode())
    assert parser.tokens, "no csrf_token input on the page"
    return parser.tokens[0]


def csrf_login(client, user) -> str:
    """Sign in the way a browser does (read the token from the sign-in form, then post it) and return
    the token of the signed-in session (signing in starts a new session, so the token changes)."""
    token = form_token(client.get("/sign-in").data)
    response = client.post("/sign-in", data={"email": user.email, "password": factories.PASSWORD,
                                             "csrf_token": token})
    assert response.status_code == 302, response.data[:300]
    return form_token(client.get("/").data)  # the sign-out form's


@pytest.fixture
def csrf_on(app):
    app.config["WTF_CSRF_ENABLED"] = True  # conftest's autouse fixture turns it off again


@pytest.mark.parametrize(("endpoint", "method"), UNSAFE_RULES, ids=[f"{e}-{m}" for e, m in UNSAFE_RULES])
def test_unsafe_request_without_a_good_token_is_refused(app, world, csrf_on, endpoint, method):
    client = IsolatedClient(app, app.response_class, use_cookies=True)
    good = csrf_login(client, world.facilitator)
    w = Ids(world)
    url = url_for_endpoint(app, endpoint, w)
    target = TARGETS.get(endpoint)

    def form_data() -> dict:
        """Built afresh for every request: an uploaded file is consumed by the request that sends it."""
        return target.data(w) if target and target.data else {}

    data = form_data()

    before = snapshot()
    response = client.open(url, method=method, data=data)
    if EXPIRED not in response.data:
        # Not protected by the CSRF token, so the session cookie must not be enough to act.
        assert response.status_code in (401, 403), (
            f"{method} {endpoint} is not CSRF-protected and accepts the session cookie ({response.status_code})")
        changed = changed_tables(before, snapshot())
        assert not changed, f"{endpoint}: changed {changed}"
        return

    # A token that is genuine, but belongs to someone else's session.
    other = IsolatedClient(app, app.response_class, use_cookies=True)
    foreign = csrf_login(other, world.team_b)
    forged = URLSafeTimedSerializer(app.secret_key, salt="wtf-csrf-token").dumps("0" * 40)
    before = snapshot()
    attempts = [
        ("no token", {}, {}),
        ("empty token", {"csrf_token": ""}, {}),
        ("garbage token", {"csrf_token": "not-a-token"}, {}),
        ("forged token", {"csrf_token": forged}, {}),
        ("another session's token", {"csrf_token": foreign}, {}),
        ("garbage header", {}, {"X-CSRFToken": "not-a-token"}),
        ("another session's token in the header (htmx)", {}, {"X-CSRFToken": foreign, "HX-Request": "true"}),
    ]
    for label, extra, headers in attempts:
        response = client.open(url, method=method, data={**form_data(), **extra}, headers=headers)
        assert response.status_code == 400, f"{endpoint} with {label}: {response.status_code}"
        assert EXPIRED in response.data, f"{endpoint} with {label}: no explanation"
        if label == "no token":
            assert b"<html" in response.data.lower()
        if headers.get("HX-Request"):
            assert b"<html" not in response.data.lower()  # the fragment, for htmx to show
    changed = changed_tables(before, snapshot())
    assert not changed, f"{endpoint}: refused requests changed {changed}"
    assert client.get("/").status_code == 200, "the refused requests signed the facilitator out"

    # The same request with the right token gets past the check: the 400s above were the token's doing.
    response = client.open(url, method=method, data={**form_data(), "csrf_token": good})
    assert EXPIRED not in response.data, f"{endpoint}: refused even with the right token"


def test_sign_in_needs_a_token(app, world, csrf_on):
    client = IsolatedClient(app, app.response_class, use_cookies=True)
    response = client.post("/sign-in", data={"email": world.team_b.email, "password": factories.PASSWORD})
    assert response.status_code == 400
    with client.session_transaction() as session:
        assert "sid" not in session


def test_token_from_before_sign_in_stops_working(app, world, csrf_on):
    """Signing in starts a new session, so a token planted or read before it is worthless after it."""
    client = IsolatedClient(app, app.response_class, use_cookies=True)
    before = form_token(client.get("/sign-in").data)
    client.post("/sign-in", data={"email": world.team_b.email, "password": factories.PASSWORD,
                                  "csrf_token": before})
    assert client.get("/").status_code == 200
    response = client.post("/sign-out", data={"csrf_token": before})
    assert response.status_code == 400
    assert client.get("/").status_code == 200


def test_htmx_header_token_is_accepted_for_a_move(app, world, csrf_on):
    client = IsolatedClient(app, app.response_class, use_cookies=True)
    csrf_login(client, world.team_b)
    card_id = world.card_b.id
    page = client.get(f"/cards/{card_id}")
    assert page.status_code == 200
    # The token htmx sends: the body's hx-headers attribute.
    header_token = re.search(rb'X-CSRFToken&#34;: &#34;([^&]+)&#34;|X-CSRFToken": "([^"]+)"', page.data)
    assert header_token, "no hx-headers CSRF token on the page"
    token = (header_token.group(1) or header_token.group(2)).decode()
    version = db.session.get(Card, card_id).version

    response = client.post(f"/cards/{card_id}/move", data={"column": "completed", "version": str(version)},
                           headers={"X-CSRFToken": token, "HX-Request": "true"})
    assert response.status_code == 200
    db.session.rollback()
    assert db.session.get(Card, card_id).column == RoadmapColumn.COMPLETED
