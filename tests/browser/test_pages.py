"""Signing in and finding your way around, with axe on every page on the way."""

import re

from playwright.sync_api import expect

from tests.browser.pages import org_url, roadmap_url


def test_sign_in_through_the_form_lands_on_the_dashboard(page, world, visit, axe):
    visit(page, "/")  # signed out: sent to the sign-in page
    expect(page).to_have_url(re.compile(r"/sign-in\?next=(/|%2F)$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Sign in")

    # A wrong password is refused with an error the page announces.
    page.get_by_label("Email address").fill(world.team_a.email)
    page.get_by_label("Password", exact=True).fill("not-the-password")
    page.get_by_role("button", name="Sign in").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Enter a correct email address and password")
    axe(page, "sign-in with an error")

    page.get_by_label("Email address").fill(world.team_a.email)
    page.get_by_label("Password", exact=True).fill("correct-horse-battery")
    page.get_by_role("button", name="Sign in").click()

    expect(page).to_have_url(re.compile(r"/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Your programmes")
    expect(page.get_by_text("Signed in as")).to_contain_text("Team A")
    expect(page.get_by_role("link", name="Council A roadmap")).to_be_visible()
    expect(page.get_by_role("link", name="Council B roadmap")).to_have_count(0)
    axe(page, "dashboard", once=True)


def test_team_member_finds_their_plans_from_the_dashboard(page, world, sign_in, visit, axe):
    """Every page a team member passes through: dashboard, programme, organisation, plans, a card."""
    sign_in(page.context, world.team_a)
    programme, org, card = world.programme, world.org_a, world.card_a
    visit(page, "/")
    page.get_by_role("link", name=programme.name).click()
    expect(page).to_have_url(re.compile(f"/programmes/{programme.slug}$"))
    axe(page, "programme page", once=True)

    visit(page, org_url(org))
    expect(page.get_by_role("heading", level=1)).to_have_text(org.name)
    nav = page.get_by_role("navigation", name="Action plans")
    nav.get_by_role("link", name="Roadmap").click()
    expect(page).to_have_url(re.compile(re.escape(roadmap_url(org)) + "$"))
    expect(page.locator(f"#card-{card.id}")).to_be_visible()
    axe(page, "roadmap", once=True)

    nav.get_by_role("link", name="Quick wins").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Action plan: quick wins")
    expect(page.get_by_text(card.title).first).to_be_visible()
    axe(page, "quick wins", once=True)

    nav.get_by_role("link", name="Design opportunities").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Action plan: design opportunities, concepts and prototypes")
    expect(page.get_by_text(world.idea_a.title).first).to_be_visible()
    axe(page, "design opportunities", once=True)

    visit(page, f"/cards/{card.id}")
    expect(page.get_by_role("heading", level=1)).to_have_text(f"{card.code} {card.title}")
    page.get_by_role("link", name="Change details").click()
    expect(page.get_by_label("Name")).to_have_value(card.title)
    axe(page, "edit card", once=True)

    visit(page, f"/programmes/{programme.slug}/people")
    expect(page.get_by_role("heading", level=1)).to_have_text("People and roles")
    expect(page.get_by_role("cell", name="Team B", exact=True)).to_be_visible()
    expect(page.get_by_role("heading", name="Add a person")).to_have_count(0)


def test_facilitator_sees_the_people_page_with_its_form(page, world, sign_in, visit):
    """A facilitator's views differ (remove buttons, the "Add a person" form, set-up steps): check them too."""
    sign_in(page.context, world.facilitator)
    visit(page, f"/programmes/{world.programme.slug}/people")
    expect(page.get_by_role("cell", name="Team A", exact=True)).to_be_visible()
    expect(page.get_by_role("heading", name="Add a person")).to_be_visible()
    expect(page.get_by_role("link", name="Remove Team A")).to_be_visible()  # it asks first
    visit(page, f"/programmes/{world.programme.slug}")
    visit(page, f"/opportunities/{world.opportunity_a.id}")
    expect(page.get_by_role("heading", level=1)).to_contain_text(world.opportunity_a.title)
