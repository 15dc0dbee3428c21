"""Security properties checked through HTTP (SECURITY.md items 7–16 and 24).

Headers, cookies, the secret key, sessions (sign-in, sign-out, ending sessions, timeouts), sign-in
throttling, redirects after sign-in, Markdown sanitising, autoescaping, error pages and "GET is safe".
"""

import hashlib
import logging
import re
from datetime import timedelta
from html.parser import HTMLParser
from urllib.parse import parse_qs, urlsplit

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from tests import factories
from tests.test_permissions import Ids, IsolatedClient, changed_tables, snapshot, url_for_endpoint
from tracker import create_app
from tracker.accounts import sessions
from tracker.accounts.models import User, UserSession
from tracker.board import queries
from tracker.board import services as board_services
from tracker.board.models import Card, CardEvent, CardEventKind, Opportunity
from tracker.core.db import utcnow
from tracker.core.markdown import render_markdown
from tracker.extensions import db
from tracker.programmes.models import Organisation, Programme


def new_client(app):
    return IsolatedClient(app, app.response_class, use_cookies=True)


def get_urls(app, w: Ids) -> list[str]:
    """Every GET route, pointed at organisation B's objects."""
    return [url_for_endpoint(app, rule.endpoint, w)
            for rule in sorted(app.url_map.iter_rules(), key=lambda r: r.endpoint)
            if rule.endpoint != "static" and "GET" in rule.methods]


# --- headers (SECURITY #12) ----------------------------------------------------------------------


def csp(response) -> dict[str, list[str]]:
    policy = {}
    for part in response.headers["Content-Security-Policy"].split(";"):
        if part.strip():
            name, *sources = part.split()
            policy[name.lower()] = sources
    return policy


def check_headers(response, where: str, *, production: bool = False) -> None:
    policy = csp(response)
    assert policy.get("object-src") == ["'none'"], where
    assert policy.get("base-uri") == ["'none'"], where
    assert policy.get("frame-ancestors") == ["'none'"], where
    assert "script-src" in policy and "default-src" in policy, where
    assert "'unsafe-inline'" not in policy["script-src"], where
    assert "'unsafe-inline'" not in policy["default-src"], where
    assert not any("'unsafe-eval'" in sources for sources in policy.values()), where
    assert "*" not in policy["script-src"] and "data:" not in policy["script-src"], where
    assert response.headers.get("X-Content-Type-Options") == "nosniff", where
    assert response.headers.get("Referrer-Policy") in ("no-referrer", "same-origin", "strict-origin",
                                                       "strict-origin-when-cross-origin"), where
    assert "hx-request" in response.headers.get("Vary", "").lower(), where
    if response.mimetype == "text/html":
        assert "no-store" in response.headers.get("Cache-Control", ""), where
    if production:
        hsts = response.headers.get("Strict-Transport-Security", "")
        assert int(re.search(r"max-age=(\d+)", hsts).group(1)) >= 31536000, where


class _Scripts(HTMLParser):
    def __init__(self):
        super().__init__()
        self.inline_nonces: list[str | None] = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "script" and "src" not in attrs:
            self.inline_nonces.append(attrs.get("nonce"))


def test_security_headers_on_every_response(app, world, login, monkeypatch):
    w = Ids(world)
    facilitator = login(new_client(app), world.facilitator)
    team_a = login(new_client(app), world.team_a)
    anonymous = new_client(app)
    responses = []
    for url in get_urls(app, w):
        responses += [(f"GET {url} (facilitator)", facilitator.get(url)),
                      (f"GET {url} (htmx)", facilitator.get(url, headers={"HX-Request": "true"})),
                      (f"GET {url} (team A)", team_a.get(url)),
                      (f"GET {url} (anonymous)", anonymous.get(url))]
    card = f"/cards/{w.card_b}"
    responses += [
        ("static file", anonymous.get("/static/favicon.svg")),
        ("unknown page", facilitator.get("/no-such-page")),
        ("405", facilitator.get(f"{card}/move")),
        ("401", anonymous.post(f"{card}/move")),
        ("403", login(new_client(app), world.viewer).post(f"{card}/move")),
        ("302 after a change", facilitator.post(f"{card}/move", data={"column": "completed",
                                                                      "version": w.version(w.card_b)})),
        ("htmx move", facilitator.post(f"{card}/move", data={"column": "backlog", "version": w.version(w.card_b)},
                                       headers={"HX-Request": "true"})),
        ("409", facilitator.post(f"{card}/move", data={"column": "backlog", "version": "0"})),
        ("422", facilitator.post(f"{card}/links", data={"other": "nonsense"})),
    ]

    for _ in range(app.config["LOGIN_MAX_FAILURES_PER_ACCOUNT"] + 1):
        throttled = attempt(anonymous, world.team_b.email, "wrong-password", address="10.1.1.1")
    responses.append(("429", throttled))
    app.config["WTF_CSRF_ENABLED"] = True  # conftest turns it off again
    responses.append(("400 (CSRF)", facilitator.post(f"{card}/move", data={"column": "completed"})))
    app.config["WTF_CSRF_ENABLED"] = False

    def boom(*args, **kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(queries, "board_lanes", boom)
    responses.append(("500", facilitator.get(f"/programmes/{w.slug}/{w.org_b}/roadmap")))
    statuses = {r.status_code for _, r in responses}
    assert statuses >= {200, 302, 400, 401, 403, 404, 405, 409, 422, 429, 500}, statuses
    for where, response in responses:
        check_headers(response, where)
        response.close()  # the static file's handle


def test_inline_scripts_carry_this_responses_nonce(app, world, login):
    client = login(new_client(app), world.facilitator)
    nonces = set()
    for url in ("/", f"/cards/{world.card_b.id}", "/sign-in", "/no-such-page"):
        response = client.get(url)
        nonce = next(s for s in csp(response)["script-src"] if s.startswith("'nonce-"))[7:-1]
        parser = _Scripts()
        parser.feed(response.data.decode())
        assert all(n == nonce for n in parser.inline_nonces), url
        nonces.add(nonce)
    assert len(nonces) == 4, "the CSP nonce must be new on every response"


# --- cookies (SECURITY #10) ----------------------------------------------------------------------


def cookie_attributes(response, name: str) -> dict[str, str]:
    for header in response.headers.getlist("Set-Cookie"):
        first, *rest = [part.strip() for part in header.split(";")]
        if first.split("=", 1)[0] == name:
            attributes = {}
            for part in rest:
                key, _, value = part.partition("=")
                attributes[key.lower()] = value
            return attributes
    raise AssertionError(f"no {name} cookie set: {response.headers.getlist('Set-Cookie')}")


def test_session_cookie_flags(app, world):
    response = new_client(app).post("/sign-in", data={"email": world.team_b.email,
                                                      "password": factories.PASSWORD})
    attributes = cookie_attributes(response, app.config["SESSION_COOKIE_NAME"])
    assert "httponly" in attributes
    assert attributes["samesite"].lower() == "lax"
    assert attributes["path"] == "/"


@pytest.fixture
def production_app(monkeypatch):
    monkeypatch.delenv("TRUSTED_PROXIES", raising=False)
    prod = create_app({"ENV_NAME": "production", "SECRET_KEY": "x" * 40, "SQLALCHEMY_DATABASE_URI": "sqlite://",
                       "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000"})
    with prod.app_context():
        db.create_all()
        factories.make_user("Prod Person", email="prod@example.org")
    yield prod
    with prod.app_context():
        db.session.remove()
        db.engine.dispose()


def test_production_cookie_is_secure_and_host_only(production_app):
    client = production_app.test_client()
    page = client.get("/sign-in", base_url="https://tracker.example")
    check_headers(page, "production sign-in page", production=True)
    token = re.search(rb'name="csrf_token" type="hidden" value="([^"]+)"', page.data)
    token = token or re.search(rb'value="([^"]+)"[^>]*name="csrf_token"', page.data)
    form = {"email": "prod@example.org", "password": factories.PASSWORD, "csrf_token": token.group(1).decode()}
    # Over HTTPS the CSRF check also wants a same-site Referer (Referrer-Policy same-origin sends it).
    response = client.post("/sign-in", base_url="https://tracker.example", data=form,
                           headers={"Referer": "https://evil.example/"})
    assert response.status_code == 400
    response = client.post("/sign-in", base_url="https://tracker.example", data=form,
                           headers={"Referer": "https://tracker.example/sign-in"})
    assert response.status_code == 302
    name = production_app.config["SESSION_COOKIE_NAME"]
    assert name.startswith("__Host-")
    attributes = cookie_attributes(response, name)
    assert "secure" in attributes and "httponly" in attributes
    assert attributes["samesite"].lower() == "lax"
    assert attributes["path"] == "/" and "domain" not in attributes  # what __Host- requires
    check_headers(response, "production redirect", production=True)
    assert client.get("/", base_url="https://tracker.example").status_code == 200


# --- secret key (SECURITY #11) -------------------------------------------------------------------


@pytest.mark.parametrize("key", [None, "", "dev", "changeme", "DEV", "secret", "too-short"])
def test_production_refuses_a_missing_or_default_secret_key(monkeypatch, key):
    monkeypatch.delenv("SECRET_KEY", raising=False)
    config = {"ENV_NAME": "production", "SQLALCHEMY_DATABASE_URI": "sqlite://"}
    if key is not None:
        config["SECRET_KEY"] = key
    with pytest.raises(RuntimeError, match="SECRET_KEY"):
        create_app(config)


def test_production_is_the_default_and_reads_the_key_from_the_environment(monkeypatch):
    monkeypatch.delenv("TRACKER_ENV", raising=False)
    monkeypatch.setenv("SECRET_KEY", "changeme")
    with pytest.raises(RuntimeError):
        create_app({"SQLALCHEMY_DATABASE_URI": "sqlite://"})
    monkeypatch.setenv("SECRET_KEY", "a-long-random-value-" * 3)
    good = create_app({"SQLALCHEMY_DATABASE_URI": "sqlite://"})
    assert good.config["ENV_NAME"] == "production" and good.secret_key == "a-long-random-value-" * 3
    with good.app_context():
        db.engine.dispose()


# --- sessions: sign-in, sign-out, ending sessions, timeouts (SECURITY #8, #9) ---------------------


def sid(client) -> str | None:
    with client.session_transaction() as session:
        return session.get("sid")


def test_sign_in_starts_a_new_session(app, world):
    client = new_client(app)
    with client.session_transaction() as session:  # whatever was in the cookie before
        session["sid"] = "planted-by-someone-else"
        session["note"] = "left over"
    client.post("/sign-in", data={"email": world.team_b.email, "password": factories.PASSWORD})
    first = sid(client)
    assert first and first != "planted-by-someone-else"
    with client.session_transaction() as session:
        assert "note" not in session
    # Only the token's hash is stored.
    hashes = set(db.session.scalars(select(UserSession.token_hash)))
    assert hashlib.sha256(first.encode()).hexdigest() in hashes and first not in hashes

    client.post("/sign-out")
    client.post("/sign-in", data={"email": world.team_b.email, "password": factories.PASSWORD})
    assert sid(client) not in (None, first)


def test_signed_out_cookie_cannot_be_replayed(app, world, login):
    client = login(new_client(app), world.team_b)
    cookie_name = app.config["SESSION_COOKIE_NAME"]
    stolen = client.get_cookie(cookie_name).value
    card = f"/cards/{world.card_b.id}"
    assert client.get(card).status_code == 200
    assert client.post("/sign-out").status_code == 302

    replay = new_client(app)
    replay.set_cookie(cookie_name, stolen)
    response = replay.get(card)
    assert response.status_code == 302 and response.headers["Location"].startswith("/sign-in")
    before = snapshot()
    assert replay.post(f"{card}/move", data={"column": "completed", "version": "1"}).status_code == 401
    changed = changed_tables(before, snapshot())
    assert not changed, changed


def test_ending_sessions_and_disabling_take_effect_on_the_next_request(app, world, login):
    team_b = login(new_client(app), world.team_b)
    team_b_again = login(new_client(app), world.team_b)  # a second browser
    team_a = login(new_client(app), world.team_a)
    admin = login(new_client(app), world.admin)
    card_b, card_a = f"/cards/{world.card_b.id}", f"/cards/{world.card_a.id}"
    user_id = world.team_b.id

    assert admin.post(f"/accounts/{user_id}/end-sessions").status_code == 302
    for browser in (team_b, team_b_again):
        response = browser.get(card_b)
        assert response.status_code == 302 and response.headers["Location"].startswith("/sign-in")
    assert team_a.get(card_a).status_code == 200  # other people stay signed in

    login(team_b, world.team_b)
    assert team_b.get(card_b).status_code == 200
    response = admin.post(f"/accounts/{user_id}", data={"name": "Team B"})  # "active" unticked
    assert response.status_code == 302
    assert team_b.get(card_b).status_code == 302
    response = team_b.post("/sign-in", data={"email": world.team_b.email, "password": factories.PASSWORD})
    assert response.status_code == 200 and sid(team_b) is None  # a disabled account cannot sign in

    admin.post(f"/accounts/{user_id}", data={"name": "Team B", "is_active": "y"})
    login(team_b, world.team_b)
    admin.post(f"/accounts/{user_id}", data={"name": "Team B", "is_active": "y",
                                             "password": "a-brand-new-password"})
    assert team_b.get(card_b).status_code == 302  # a new password ends the old sessions


@pytest.fixture
def clock(monkeypatch):
    """Moves the time that sessions see."""
    state = {"offset": timedelta(0)}
    monkeypatch.setattr(sessions, "utcnow", lambda: utcnow() + state["offset"])

    def advance(**kwargs):
        state["offset"] += timedelta(**kwargs)

    return advance


def test_idle_timeout(app, world, login, clock):
    idle = app.config["SESSION_IDLE_TIMEOUT"]
    client = login(new_client(app), world.team_b)
    clock(seconds=idle.total_seconds() - 60)
    assert client.get("/").status_code == 200  # activity keeps the session alive
    clock(seconds=idle.total_seconds() - 60)
    assert client.get("/").status_code == 200
    clock(seconds=idle.total_seconds() + 60)
    response = client.get("/")
    assert response.status_code == 302 and response.headers["Location"].startswith("/sign-in")
    assert sid(client) is None
    clock(minutes=-600)  # going back does not revive it: the cookie is gone
    assert client.get("/").status_code == 302


def test_absolute_timeout(app, world, login, clock):
    idle, absolute = app.config["SESSION_IDLE_TIMEOUT"], app.config["SESSION_ABSOLUTE_TIMEOUT"]
    client = login(new_client(app), world.team_b)
    step = idle - timedelta(minutes=5)
    elapsed = timedelta(0)
    while elapsed + step < absolute:
        clock(seconds=step.total_seconds())
        elapsed += step
        assert client.get("/").status_code == 200, f"signed out after {elapsed}"
    clock(seconds=(absolute - elapsed).total_seconds() + 60)
    response = client.get("/")
    assert response.status_code == 302 and response.headers["Location"].startswith("/sign-in")


# --- throttling (SECURITY #15) -------------------------------------------------------------------


def attempt(client, email, password, address="127.0.0.1", **headers):
    return client.post("/sign-in", data={"email": email, "password": password},
                       environ_base={"REMOTE_ADDR": address}, headers=headers)


def test_account_throttle_blocks_the_address_not_the_person(app, world):
    limit = app.config["LOGIN_MAX_FAILURES_PER_ACCOUNT"]
    assert limit == 5
    attacker, email = new_client(app), world.team_b.email
    for n in range(limit):
        response = attempt(attacker, email, f"wrong-password-{n}", **{"X-Forwarded-For": f"10.9.9.{n}"})
        assert response.status_code == 200, n
        assert b"Enter a correct email address and password" in response.data
    response = attempt(attacker, email, factories.PASSWORD)
    assert response.status_code == 429 and sid(attacker) is None
    response = attempt(attacker, email, factories.PASSWORD, **{"X-Forwarded-For": "10.0.0.2"})
    assert response.status_code == 429, "a spoofed X-Forwarded-For must not count as another address"
    assert b"Too many" in response.data

    person = new_client(app)
    assert attempt(person, email, factories.PASSWORD, address="10.0.0.2").status_code == 302
    assert person.get(f"/cards/{world.card_b.id}").status_code == 200
    # Other accounts from the attacker's address are not blocked by this account's failures.
    assert attempt(new_client(app), world.team_a.email, factories.PASSWORD).status_code == 302
    # And the person's success did not clear the attacker's address.
    assert attempt(new_client(app), email, factories.PASSWORD).status_code == 429


def test_address_throttle_across_many_accounts(app, world):
    limit = app.config["LOGIN_MAX_FAILURES_PER_ADDRESS"]
    client = new_client(app)
    for n in range(limit):
        email = world.team_a.email if n == 0 else f"guess{n}@example.org"
        assert attempt(client, email, "wrong-password", address="10.0.0.3").status_code == 200
    assert attempt(client, world.viewer.email, factories.PASSWORD, address="10.0.0.3").status_code == 429
    assert attempt(client, world.viewer.email, factories.PASSWORD, address="10.0.0.4").status_code == 302


def test_unknown_and_known_emails_fail_alike(app, world):
    known = attempt(new_client(app), world.team_b.email, "wrong-password")
    unknown = attempt(new_client(app), "nobody@example.org", "wrong-password")
    assert known.status_code == unknown.status_code == 200
    message = b"Enter a correct email address and password"
    assert message in known.data and message in unknown.data


# --- redirects after sign-in (SECURITY #16) ------------------------------------------------------

OFFSITE = ["//evil.example", "https://evil.example", "http://evil.example/", "/\\evil.example",
           "\\\\evil.example", "/\\/evil.example", "javascript:alert(1)", "JavaScript:alert(1)", "/\t/evil.example",
           "/\n/evil.example", "///evil.example", "http:evil.example", " //evil.example", "data:text/html,hi",
           "evil.example"]


@pytest.mark.parametrize("target", OFFSITE)
def test_offsite_next_goes_to_the_dashboard(app, world, target):
    client = new_client(app)
    response = client.post("/sign-in", data={"email": world.team_b.email, "password": factories.PASSWORD,
                                             "next": target})
    assert response.status_code == 302
    assert response.headers["Location"] == "/"
    response = client.get("/sign-in", query_string={"next": target})  # signed in already
    assert response.headers["Location"] == "/"


def test_local_next_is_followed(app, world):
    client = new_client(app)
    page = f"/programmes/{world.programme.slug}/{world.org_b.slug}/roadmap?q=debt"
    response = client.get(page)
    assert response.status_code == 302
    (next_value,) = parse_qs(urlsplit(response.headers["Location"]).query)["next"]
    assert next_value == page
    response = client.post("/sign-in", data={"email": world.team_b.email, "password": factories.PASSWORD,
                                             "next": next_value})
    assert response.headers["Location"] == page
    assert client.get(page).status_code == 200


# --- Markdown (SECURITY #13) ---------------------------------------------------------------------

XSS_CORPUS = [
    "<script>alert(1)</script>",
    "<SCRIPT SRC=//evil.example/x.js></SCRIPT>",
    "<img src=x onerror=alert(1)>",
    '<img src="javascript:alert(1)">',
    "[click](javascript:alert(1))",
    "[click](JaVaScRiPt:alert(1))",
    "[click](&#106;avascript:alert(1))",
    "[click](java\tscript:alert(1))",
    "[click]( javascript:alert(1))",
    "[click](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    "[click](vbscript:msgbox(1))",
    "[ref]\n\n[ref]: javascript:alert(1)",
    "<javascript:alert(1)>",
    '![x](x" onerror="alert(1))',
    '<a href="javascript:alert(1)">x</a>',
    '<a href="#" onclick="alert(1)">x</a>',
    '<a href="/x" hx-get="/accounts" hx-trigger="load">x</a>',
    '<div hx-post="/sign-out" hx-trigger="load">x</div>',
    '<p hx-on:click="alert(1)" hx-on::load="alert(1)" data-hx-get="/x">x</p>',
    '<p style="background:url(javascript:alert(1))">x</p>',
    "<style>body{display:none}</style>",
    '<iframe src="https://evil.example"></iframe>',
    '<svg onload="alert(1)"><script>alert(1)</script></svg>',
    '<svg><a xlink:href="javascript:alert(1)"><text>x</text></a></svg>',
    '<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>',
    '<object data="javascript:alert(1)"></object><embed src="javascript:alert(1)">',
    '<form action="javascript:alert(1)"><button formaction="javascript:alert(1)">x</button></form>',
    '<base href="https://evil.example/">',
    '<meta http-equiv="refresh" content="0;url=javascript:alert(1)">',
    '<link rel="stylesheet" href="https://evil.example/x.css">',
    "<template><script>alert(1)</script></template>",
    "<noscript><p title=\"</noscript><img src=x onerror=alert(1)>\"></noscript>",
    "<!--<img src=x onerror=alert(1)>-->",
    "<![CDATA[<script>alert(1)</script>]]>",
    "</div><script>alert(1)</script><div>",
    '<input autofocus onfocus="alert(1)">',
    "`<script>alert(1)</script>`",
    "```\n<script>alert(1)</script>\n```",
    "| a | b |\n|---|---|\n| <img src=x onerror=alert(1)> | [x](javascript:alert(1)) |",
    '<details open ontoggle="alert(1)">',
    '<a href="  javascript:alert(1)">x</a>',
    '<a href="jav&#x09;ascript:alert(1)">x</a>',
]

BAD_TAGS = {"script", "style", "iframe", "object", "embed", "svg", "math", "img", "form", "input", "button",
            "base", "meta", "link", "template", "noscript", "frame", "frameset", "textarea", "select", "div"}
URL_ATTRIBUTES = {"href", "src", "action", "formaction", "xlink:href", "data", "poster", "background"}
WRAPPER = '<div class="app-markdown" hx-disable>'


class _Audit(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.problems: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag in BAD_TAGS:
            self.problems.append(f"<{tag}>")
        for name, value in attrs:
            name = name.lower()
            if name.startswith("on") or name == "style" or "hx-" in name or name.startswith("data-"):
                self.problems.append(f"{tag} {name}=")
            if name in URL_ATTRIBUTES and value:
                # As a browser's URL parser reads it: outer spaces and controls stripped, tabs and
                # newlines removed anywhere; a scheme is letters, digits, "+", "-" or "." before a colon.
                url = re.sub(r"[\t\n\r]", "", value.strip("".join(map(chr, range(33))))).lower()
                scheme = re.match(r"([a-z][a-z0-9+.-]*):", url)
                if scheme and scheme.group(1) not in ("http", "https", "mailto"):
                    self.problems.append(f"{tag} {name}={value!r}")

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)

    def handle_endtag(self, tag):
        if tag in BAD_TAGS:
            self.problems.append(f"</{tag}>")


def audit_markdown(source: str) -> list[str]:
    html = str(render_markdown(source))
    if not source:
        return []
    problems = []
    if not (html.startswith(WRAPPER) and html.endswith("</div>")):
        problems.append("not wrapped in an hx-disable element")
    inner = html[len(WRAPPER):-len("</div>")]
    audit = _Audit()
    audit.feed(inner)
    audit.close()
    return problems + audit.problems


@pytest.mark.parametrize("source", XSS_CORPUS)
def test_markdown_payloads_are_neutralised(source):
    assert audit_markdown(source) == []


def test_markdown_keeps_ordinary_formatting():
    html = str(render_markdown("**Bold** and [a link](https://example.org)\n\n- one\n- two"))
    assert "<strong>Bold</strong>" in html and "<li>one</li>" in html
    assert 'href="https://example.org"' in html and "noopener" in html


FRAGMENTS = XSS_CORPUS + ["<", ">", '"', "'", "`", "javascript:", "data:", "[", "](", ")", "<a href=", "hx-get=",
                          " on", "error=", "\n\n", "    ", "```", "&#", ";", ":", "/", "*", "_", "|", "---",
                          "<!--", "-->", "<p ", "<a ", "\\", "&lt;", "&quot;", "\t", "\x00"]


@settings(max_examples=300, deadline=None, database=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(st.lists(st.one_of(st.sampled_from(FRAGMENTS), st.text(max_size=12)), max_size=25).map("".join))
def test_markdown_never_lets_active_content_through(source):
    assert audit_markdown(source) == []


def test_markdown_on_the_card_page_is_sanitised(app, world, login):
    card = world.card_b
    card.description = "\n\n".join(XSS_CORPUS)
    db.session.commit()
    page = login(new_client(app), world.team_b).get(f"/cards/{card.id}")
    assert page.status_code == 200
    body = page.data.decode()
    region = body[body.index(WRAPPER):]
    region = region[:region.index("</dd>")]
    assert audit_markdown(card.description) == []
    audit = _Audit()
    audit.feed(region[len(WRAPPER):])
    assert [p for p in audit.problems if p != "</div>"] == []


# --- autoescaping (SECURITY #14) -----------------------------------------------------------------

PAYLOAD = "<img src=x onerror=alert(1)>{{7*7}}"
ESCAPED = "&lt;img src=x onerror=alert(1)&gt;{{7*7}}"


class _Images(HTMLParser):
    def __init__(self):
        super().__init__()
        self.bad: list[str] = []

    def handle_starttag(self, tag, attrs):
        if any(name.startswith("on") for name, _ in attrs) or (tag == "img" and dict(attrs).get("src") == "x"):
            self.bad.append(tag)


def test_titles_are_rendered_as_text(app, world, login):
    w = Ids(world)
    world.card_b.title = PAYLOAD
    db.session.get(Opportunity, w.opportunity_b).title = PAYLOAD + " opportunity"
    db.session.get(Organisation, w.org_b_id).name = PAYLOAD + " council"
    db.session.get(Programme, world.programme.id).name = PAYLOAD + " programme"
    db.session.get(User, w.users["team_b"]).name = PAYLOAD + " person"
    board_services.add_action(world.card_b, text=PAYLOAD + " action", owner=world.team_b, due_on=None,
                              user=world.team_b)
    db.session.add(CardEvent(card=world.card_b, user=world.team_b, kind=CardEventKind.NOTE, note=PAYLOAD + " event"))
    db.session.commit()

    facilitator = login(new_client(app), world.facilitator)
    admin = login(new_client(app), world.admin)
    responses = [(url, facilitator.get(url)) for url in get_urls(app, w)]
    responses += [(f"{url} (htmx)", facilitator.get(url, headers={"HX-Request": "true"}))
                  for url in get_urls(app, w)]
    responses += [(url, admin.get(url)) for url in ("/accounts", f"/accounts/{w.users['team_b']}")]
    moved = facilitator.post(f"/cards/{w.card_b}/move", data={"column": "completed", "version": w.version(w.card_b)},
                             headers={"HX-Request": "true"})
    responses.append(("htmx move", moved))
    created = facilitator.post(f"/programmes/{w.slug}/{w.org_b}/cards/new",
                               data={"title": PAYLOAD, "kind": "quick_win", "priority": "low"},
                               follow_redirects=True)
    responses.append(("flash after creating a card", created))
    stale = facilitator.post(f"/cards/{w.card_b}/edit", data={"title": "x", "kind": "quick_win",
                                                              "priority": "low", "version": "0"})
    responses.append(("409 with the current values", stale))

    for where, response in responses:
        if response.mimetype != "text/html":
            continue  # JSON, CSV and spreadsheets are not parsed as HTML (nosniff)
        body = response.get_data(as_text=True)
        assert "<img src=x onerror" not in body, where
        assert "&gt;49" not in body, where
        parser = _Images()
        parser.feed(body)
        assert parser.bad == [], where
    card_page = facilitator.get(f"/cards/{w.card_b}").data.decode()
    board = facilitator.get(f"/programmes/{w.slug}/{w.org_b}/roadmap").data.decode()
    assert ESCAPED in card_page and ESCAPED in board
    assert ESCAPED in created.data.decode()
    assert stale.status_code == 409


# --- errors (SECURITY #24) -----------------------------------------------------------------------


def test_unexpected_errors_show_a_generic_page(app, world, login, monkeypatch, caplog):
    secret = "postgresql://tracker:hunter2-db-password@db.internal/tracker"

    def boom(*args, **kwargs):
        raise RuntimeError(f"could not connect to {secret}")

    monkeypatch.setattr(queries, "board_lanes", boom)
    # Alembic's fileConfig() (run in-process by test_migrations) disables loggers that already exist.
    monkeypatch.setattr(logging.getLogger("tracker.core.errors"), "disabled", False)
    client = login(new_client(app), world.team_b)
    url = f"/programmes/{world.programme.slug}/{world.org_b.slug}/roadmap"
    with caplog.at_level(logging.ERROR):
        for headers in ({}, {"HX-Request": "true"}):
            response = client.get(url, headers=headers)
            assert response.status_code == 500
            body = response.data.decode()
            assert "Sorry, there is a problem with the service" in body
            for detail in ("Traceback", "RuntimeError", "hunter2", "board_lanes", "File \""):
                assert detail not in body
    assert any(record.exc_info for record in caplog.records), "the error is logged for the operators"


def test_a_failing_write_is_rolled_back(app, world, login, monkeypatch):
    def boom(*args, **kwargs):
        raise RuntimeError("history could not be written")

    client = login(new_client(app), world.team_b)
    monkeypatch.setattr(board_services, "log", boom)
    before = snapshot()
    response = client.post(f"/cards/{world.card_b.id}/move", data={"column": "completed", "version": "1"})
    assert response.status_code == 500
    changed = changed_tables(before, snapshot())
    assert not changed, changed


def test_a_route_that_raises_on_a_fresh_app(app):
    fresh = create_app({"ENV_NAME": "testing", "SQLALCHEMY_DATABASE_URI": "sqlite://"})

    @fresh.route("/boom")
    def _boom():
        raise KeyError("SECRET_KEY=abc123")

    with fresh.app_context():
        db.create_all()
    response = fresh.test_client().get("/boom")
    assert response.status_code == 500
    assert b"abc123" not in response.data and b"KeyError" not in response.data
    check_headers(response, "500 on a fresh app")
    with fresh.app_context():
        db.engine.dispose()


def test_no_secrets_in_the_logs(app, world, monkeypatch, caplog):
    monkeypatch.setattr(logging.getLogger("tracker.core.errors"), "disabled", False)
    client = new_client(app)
    with caplog.at_level(logging.DEBUG):
        attempt(client, world.team_b.email, "a-wrong-password-123")
        attempt(client, world.team_b.email, factories.PASSWORD)
        token = sid(client)

        def boom(*args, **kwargs):
            raise RuntimeError("boom")

        monkeypatch.setattr(queries, "board_lanes", boom)
        client.get(f"/programmes/{world.programme.slug}/{world.org_b.slug}/roadmap")
    assert any(record.exc_info for record in caplog.records)
    text = caplog.text + "".join(str(r.args) for r in caplog.records)
    for secret in (factories.PASSWORD, "a-wrong-password-123", token, app.secret_key):
        assert secret not in text


# --- GET is safe (SECURITY #7) -------------------------------------------------------------------


class _Links(HTMLParser):
    def __init__(self):
        super().__init__()
        self.links: list[str] = []

    def handle_starttag(self, tag, attrs):
        href = dict(attrs).get("href")
        if tag == "a" and href:
            self.links.append(href)


def test_get_requests_change_nothing(app, world, login):
    w = Ids(world)
    actors = {name: login(new_client(app), getattr(world, name)) for name in ("facilitator", "team_b", "viewer")}
    actors["anonymous"] = new_client(app)
    before = snapshot()

    for name, client in actors.items():
        for url in get_urls(app, w):
            client.get(url)
            if name in ("facilitator", "team_b"):
                client.get(url, headers={"HX-Request": "true"})
        changed = changed_tables(before, snapshot())
        assert not changed, f"GETs as {name} changed {changed}"

    # Then follow every link the facilitator can see, breadth first.
    client = actors["facilitator"]
    seen, queue = set(), ["/"]
    while queue and len(seen) < 100:
        url = queue.pop(0)
        if url in seen:
            continue
        seen.add(url)
        response = client.get(url)
        assert response.status_code in (200, 302), url
        if response.mimetype != "text/html":
            continue
        parser = _Links()
        parser.feed(response.get_data(as_text=True))
        for href in parser.links:
            href = href.split("#", 1)[0]
            if href.startswith("/") and not href.startswith(("//", "/static/")) and href not in seen:
                queue.append(href)
    assert len(seen) > 15
    changed = changed_tables(before, snapshot())
    assert not changed, f"crawling changed {changed}"
    assert db.session.scalar(select(Card.version).where(Card.id == w.card_b)) == world.card_b.version


# --- two people editing one card (SECURITY #20) --------------------------------------------------


def test_second_save_of_the_same_version_gets_409(app, world, login):
    w = Ids(world)
    first, second = login(new_client(app), world.team_b), login(new_client(app), world.facilitator)
    version = w.version(w.card_b)
    form = {"kind": "quick_win", "priority": "high", "version": version}
    assert first.post(f"/cards/{w.card_b}/edit", data={**form, "title": "First save"}).status_code == 302
    response = second.post(f"/cards/{w.card_b}/edit", data={**form, "title": "Second save"})
    assert response.status_code == 409
    assert b"First save" in response.data  # the current values are shown, nothing is overwritten
    db.session.rollback()
    assert db.session.get(Card, w.card_b).title == "First save"

    version = w.version(w.card_b)
    move = {"column": "completed", "version": version}
    assert first.post(f"/cards/{w.card_b}/move", data=move).status_code == 302
    before = snapshot()
    assert second.post(f"/cards/{w.card_b}/move", data={**move, "column": "on_hold"}).status_code == 409
    response = second.post(f"/cards/{w.card_b}/move", data={**move, "column": "on_hold"},
                           headers={"HX-Request": "true"})
    assert response.status_code == 409 and '"error": true' in response.headers["HX-Trigger"]
    changed = changed_tables(before, snapshot())
    assert not changed, changed

    version = w.version(w.idea_b)
    sheet = f"/cards/{w.idea_b}/concept/edit"
    assert first.post(sheet, data={"name": "First", "version": version}).status_code == 302
    assert second.post(sheet, data={"name": "Second", "version": version}).status_code == 409


# --- CSV exports (SECURITY #23) ------------------------------------------------------------------


XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def test_exports_neutralise_formulas(app, world, login):
    """Any GET route that answers with CSV must prefix text cells starting with = + - @ (a quote), and a
    spreadsheet must hold them as text, never as formulas."""
    import csv
    import io

    w = Ids(world)
    world.card_b.title = '=HYPERLINK("https://evil.example","x")'
    world.card_b.rationale = "+1+1"
    world.card_b.description = "@SUM(A1)"
    db.session.get(Organisation, w.org_b_id).name = "-2+3 council"
    db.session.commit()
    client = login(new_client(app), world.facilitator)
    exports = [(url, r) for url in get_urls(app, w)
               if (r := client.get(url)).mimetype in ("text/csv", "application/vnd.ms-excel", XLSX)]
    if not exports:
        pytest.skip("no export route yet")
    number = re.compile(r"-?\d+(\.\d+)?")
    for url, response in exports:
        if response.mimetype == XLSX:
            from openpyxl import load_workbook

            book = load_workbook(io.BytesIO(response.data))
            for sheet in book.worksheets:
                for row in sheet.iter_rows():
                    for cell in row:
                        assert cell.data_type != "f", (url, cell.coordinate, cell.value)
        else:
            for row in csv.reader(io.StringIO(response.data.decode("utf-8-sig"))):
                for cell in row:
                    assert not cell.startswith(("=", "+", "-", "@")) or number.fullmatch(cell), (url, cell)


def test_nul_characters_are_refused_not_a_server_error(client, world, login):
    login(client, world.facilitator)
    assert client.get("/programmes/a%00b").status_code == 400
    assert client.get(f"/programmes/{world.programme.slug}/{world.org_a.slug}/roadmap?q=a%00b").status_code == 400
    assert client.post(f"/programmes/{world.programme.slug}/initiatives", data={"name": "x\x00y"}).status_code == 400
