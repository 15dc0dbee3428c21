"""The "API tokens" pages: create a token, see it once, use it, revoke it."""

import re

from playwright.sync_api import expect
from sqlalchemy import select

from tests.browser.results_pages import ambiguous_ids
from tracker.api.models import ApiToken
from tracker.extensions import db


def test_create_use_and_revoke_an_api_token(page, world, sign_in, visit, axe, fresh):
    sign_in(page.context, world.team_a)
    visit(page, "/")
    page.get_by_role("link", name="API tokens").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("API tokens")
    expect(page.get_by_text("You have no API tokens.")).to_be_visible()
    axe(page, "API tokens, none yet", once=True)

    page.get_by_label("Token name").fill("Case management export")
    page.get_by_role("button", name="Create token").click()
    expect(page.locator(".govuk-panel")).to_contain_text("API token created")
    expect(page.locator(".govuk-panel")).to_contain_text("Case management export")
    expect(page.locator(".govuk-warning-text")).to_contain_text("You will not be able to see it again")
    shown = page.get_by_label("Your new API token")
    expect(shown).to_have_value(re.compile(r"^trk_\S{20,}$"))
    token = shown.input_value()
    axe(page, "API token created", once=True)

    # The token works against the API (it is sent as a bearer token, not with the session cookie).
    api = page.context.request
    answer = api.get("/api/v1/programmes", headers={"Authorization": f"Bearer {token}"})
    assert answer.status == 200, answer.text()[:300]
    assert [p["slug"] for p in answer.json()["programmes"]] == [world.programme.slug]

    # Back on the list, it is listed by name and its first characters only.
    page.get_by_role("link", name="I have copied my token").click()
    rows = page.get_by_role("table", name="Your API tokens").locator("tbody tr")
    expect(rows).to_have_count(1)
    expect(rows.locator("td").nth(0)).to_have_text("Case management export")
    db.session.rollback()  # read what the server wrote
    saved = db.session.scalars(select(ApiToken).where(ApiToken.user_id == world.team_a.id)).one()
    expect(rows.locator("td").nth(1)).to_have_text(f"{saved.prefix}…")
    assert token.startswith(saved.prefix) and len(saved.prefix) < len(token)
    expect(rows.locator(".govuk-tag")).to_have_text("Active")
    assert token not in page.content()

    rows.get_by_role("link", name="Revoke Case management export").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Are you sure you want to revoke the token “Case management export”?")
    axe(page, "confirm revoking a token")
    page.get_by_role("button", name="Yes, revoke the token").click()
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text(
        'Token "Case management export" revoked. It no longer works.')
    expect(rows.locator(".govuk-tag")).to_have_text("Revoked")
    expect(rows.get_by_role("link", name="Revoke Case management export")).to_have_count(0)
    axe(page, "API tokens after revoking one")
    assert ambiguous_ids(page) == []
    assert fresh(saved).revoked_dt is not None

    answer = api.get("/api/v1/programmes", headers={"Authorization": f"Bearer {token}"})
    assert answer.status == 401
