"""The email settings page: the signed-in person's own choices, with CSRF, linked from every page."""

from tracker.extensions import db


def test_signed_out_people_are_sent_to_sign_in(client):
    response = client.get("/account/email")
    assert response.status_code == 302 and response.headers["Location"].startswith("/sign-in?next=")
    assert client.post("/account/email", data={}).status_code == 401


def test_saves_the_persons_own_choices(client, world, login):
    login(client, world.team_a)
    page = client.get("/account/email")
    assert page.status_code == 200 and b'name="email_digest"' in page.data and b"Email settings" in page.data
    response = client.post("/account/email", data={"email_notices": "y"})
    assert response.status_code == 302 and response.headers["Location"] == "/account/email"
    db.session.refresh(world.team_a)
    db.session.refresh(world.team_b)
    assert (world.team_a.email_digest, world.team_a.email_notices) == (False, True)
    assert (world.team_b.email_digest, world.team_b.email_notices) == (True, True)
    client.post("/account/email", data={"email_digest": "y"})
    db.session.refresh(world.team_a)
    assert (world.team_a.email_digest, world.team_a.email_notices) == (True, False)
    assert b"/account/email" in client.get("/").data  # the account bar links to it


def test_a_post_without_the_csrf_token_is_refused(app, client, world, login):
    login(client, world.team_a)
    app.config["WTF_CSRF_ENABLED"] = True
    assert client.post("/account/email", data={}).status_code == 400
    db.session.refresh(world.team_a)
    assert world.team_a.email_digest and world.team_a.email_notices
