"""Personal API tokens: created hashed and shown once, listed, revoked; what does and does not authenticate."""

import hashlib
import re
from datetime import timedelta

from flask import url_for
from sqlalchemy import select

from tests import factories
from tracker.api import services
from tracker.api.models import ApiToken
from tracker.core.db import utcnow
from tracker.extensions import db

TOKEN = re.compile(r"trk_[A-Za-z0-9_-]{43}")


def _create_through_page(client, name="Case management export"):
    response = client.post("/account/tokens", data={"name": name})
    assert response.status_code == 200, response.data[:500]
    found = TOKEN.findall(response.get_data(as_text=True))
    assert found, "the new token is shown"
    assert len(set(found)) == 1
    return response, found[0]


def test_token_is_created_hashed_and_shown_once(client, world, login):
    login(client, world.team_a)
    response, token = _create_through_page(client)
    page = response.get_data(as_text=True)
    assert "Copy your token now" in page
    assert "no-store" in response.headers["Cache-Control"]

    row = db.session.scalar(select(ApiToken))
    assert row.user_id == world.team_a.id
    assert row.name == "Case management export"
    assert row.token_hash == hashlib.sha256(token.encode()).hexdigest()
    assert row.prefix == token[:8] and row.prefix.startswith("trk_")
    assert row.revoked_dt is None and row.last_used_dt is None
    # Never stored in clear, anywhere.
    for column in ApiToken.__table__.columns:
        assert token not in str(getattr(row, column.key))

    listing = client.get("/account/tokens")
    assert listing.status_code == 200
    text = listing.get_data(as_text=True)
    assert token not in text, "the list never shows the token again"
    assert row.prefix in text and "Case management export" in text and "Never" in text
    assert "Authorization: Bearer" in text, "the page explains how to use the API"

    api = client.get("/api/v1/programmes", headers={"Authorization": f"Bearer {token}"})
    assert api.status_code == 200
    assert [p["slug"] for p in api.get_json()["programmes"]] == [world.programme.slug]


def test_token_page_needs_sign_in_and_a_name(client, world, login):
    assert client.get("/account/tokens").status_code == 302
    assert client.post("/account/tokens", data={"name": "x"}).status_code == 401
    login(client, world.team_a)
    response = client.post("/account/tokens", data={"name": "   "})
    assert response.status_code == 422
    assert "Enter a name for the token" in response.get_data(as_text=True)
    response = client.post("/account/tokens", data={"name": "x" * 101})
    assert response.status_code == 422
    assert db.session.scalar(select(ApiToken)) is None


def test_nav_links_to_tokens(app, client, world, login):
    with app.test_request_context():
        dashboard = url_for("programmes.dashboard")
    assert "API tokens" not in client.get("/sign-in").get_data(as_text=True)
    login(client, world.viewer)
    page = client.get(dashboard).get_data(as_text=True)
    assert re.search(r'<a class="govuk-service-navigation__link" href="/account/tokens"[^>]*>\s*API tokens', page)


def test_revoke_stops_the_token_on_the_next_request(client, world, login):
    login(client, world.team_a)
    _response, token = _create_through_page(client)
    headers = {"Authorization": f"Bearer {token}"}
    assert client.get("/api/v1/programmes", headers=headers).status_code == 200
    row = db.session.scalar(select(ApiToken))
    response = client.post(f"/account/tokens/{row.id}/revoke")
    assert response.status_code == 302 and response.headers["Location"] == "/account/tokens"
    db.session.rollback()
    assert db.session.get(ApiToken, row.id).revoked_dt is not None

    response = client.get("/api/v1/programmes", headers=headers)
    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"].startswith("Bearer")
    assert response.get_json()["error"]["status"] == 401
    assert "Revoked" in client.get("/account/tokens").get_data(as_text=True)
    # Revoking again changes nothing.
    assert client.post(f"/account/tokens/{row.id}/revoke").status_code == 302


def test_another_persons_token_cannot_be_revoked(client, world, login):
    row, token = services.create_token(world.team_b, "B's script")
    db.session.commit()
    token_id = row.id
    login(client, world.team_a)
    assert client.post(f"/account/tokens/{token_id}/revoke").status_code == 404
    assert client.post("/account/tokens/999999/revoke").status_code == 404
    assert "B&#39;s script" not in client.get("/account/tokens").get_data(as_text=True)
    db.session.rollback()
    assert db.session.get(ApiToken, token_id).revoked_dt is None
    assert client.get("/api/v1/programmes", headers={"Authorization": f"Bearer {token}"}).status_code == 200


def test_disabled_account_token_is_refused(client, world):
    _row, token = services.create_token(world.team_a, "script")
    db.session.commit()
    headers = {"Authorization": f"Bearer {token}"}
    assert client.get("/api/v1/programmes", headers=headers).status_code == 200
    world.team_a.is_active = False
    db.session.commit()
    response = client.get("/api/v1/programmes", headers=headers)
    assert response.status_code == 401
    assert response.get_json()["error"]["message"]


def test_session_cookie_alone_does_not_authenticate(client, world, login):
    login(client, world.facilitator)
    assert client.get("/account/tokens").status_code == 200  # the cookie works for pages …
    slug = world.programme.slug
    for url in ("/api/v1/programmes", f"/api/v1/programmes/{slug}", f"/api/v1/programmes/{slug}/figures"):
        response = client.get(url)  # … but never for the API
        assert response.status_code == 401, url
        assert response.is_json and response.headers["WWW-Authenticate"].startswith("Bearer")
    response = client.put(f"/api/v1/programmes/{slug}/figures/1.1.1/council-b/3", json={"value": 1})
    assert response.status_code == 401


def test_token_acts_as_its_owner_not_the_cookie(client, world, login):
    """A facilitator's cookie beside a team member's token: the request is the team member's."""
    _row, token = services.create_token(world.team_a, "script")
    db.session.commit()
    login(client, world.facilitator)
    url = f"/api/v1/programmes/{world.programme.slug}/organisations/{world.org_b.slug}/cards"
    assert client.get(url, headers={"Authorization": f"Bearer {token}"}).status_code == 404
    response = client.get(f"/api/v1/programmes/{world.programme.slug}",
                          headers={"Authorization": f"Bearer {token}"})
    assert response.get_json()["role"] == "team_member"


def test_bad_authorization_headers(client, world):
    _row, token = services.create_token(world.team_a, "script")
    db.session.commit()
    for value in ("", "Bearer", "Bearer ", f"Basic {token}", f"Token {token}", "Bearer trk_nope",
                  f"Bearer {token}x", f"Bearer {token[:-1]}", "Bearer " + "x" * 5000):
        response = client.get("/api/v1/programmes", headers={"Authorization": value} if value else {})
        assert response.status_code == 401, value
        assert response.headers["WWW-Authenticate"].startswith("Bearer")
        body = response.get_json()
        assert body["error"]["status"] == 401 and body["error"]["message"]
    # The scheme is case-insensitive.
    assert client.get("/api/v1/programmes", headers={"Authorization": f"bearer {token}"}).status_code == 200


def test_last_used_is_written_at_most_once_a_minute(client, world):
    row, token = services.create_token(world.team_a, "script")
    db.session.commit()
    token_id = row.id
    headers = {"Authorization": f"Bearer {token}"}
    client.get("/api/v1/programmes", headers=headers)
    db.session.rollback()
    first = db.session.get(ApiToken, token_id).last_used_dt
    assert first is not None
    client.get("/api/v1/programmes", headers=headers)
    db.session.rollback()
    assert db.session.get(ApiToken, token_id).last_used_dt == first
    db.session.get(ApiToken, token_id).last_used_dt = utcnow() - timedelta(minutes=2)
    db.session.commit()
    client.get("/api/v1/programmes", headers=headers)
    db.session.rollback()
    assert db.session.get(ApiToken, token_id).last_used_dt > first - timedelta(seconds=1)
    assert utcnow() - db.session.get(ApiToken, token_id).last_used_dt < timedelta(minutes=1)


def test_token_pages_are_csrf_protected_but_the_api_is_exempt(app, client, world, login):
    _row, token = services.create_token(world.facilitator, "script")
    db.session.commit()
    app.config["WTF_CSRF_ENABLED"] = True  # conftest switches it back off after the test
    login_client = client
    # Sign in with a CSRF token read from the form.
    page = login_client.get("/sign-in").get_data(as_text=True)
    csrf = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    response = login_client.post("/sign-in", data={"email": world.facilitator.email,
                                                    "password": factories.PASSWORD, "csrf_token": csrf})
    assert response.status_code == 302
    assert login_client.post("/account/tokens", data={"name": "no csrf"}).status_code == 400
    other = db.session.scalar(select(ApiToken))
    assert login_client.post(f"/account/tokens/{other.id}/revoke").status_code == 400
    db.session.rollback()
    assert db.session.scalar(select(ApiToken.revoked_dt)) is None
    assert len(db.session.scalars(select(ApiToken)).all()) == 1
    # The API takes no CSRF token: it authenticates with the bearer token only.
    response = client.get(f"/api/v1/programmes/{world.programme.slug}/periods",
                          headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 200
    slug = world.programme.slug
    response = client.put(f"/api/v1/programmes/{slug}/figures/9.9.9/{world.org_a.slug}/1",
                          json={"value": "1"}, headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 422  # got past CSRF to the view (no such indicator)


def test_too_many_tokens(world):
    for n in range(services.MAX_ACTIVE_TOKENS):
        services.create_token(world.team_a, f"t{n}")
    try:
        services.create_token(world.team_a, "one too many")
    except services.TokenError:
        pass
    else:
        raise AssertionError("expected TokenError")


def test_revoke_all_on_user(world):
    services.create_token(world.team_a, "a")
    services.create_token(world.team_a, "b")
    services.create_token(world.team_b, "c")
    assert services.revoke_all(world.team_a) == 2
    assert services.active_count(world.team_a) == 0
    assert services.active_count(world.team_b) == 1
