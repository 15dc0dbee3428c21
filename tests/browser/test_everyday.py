"""The everyday operations: changing an action, archiving and restoring a card, deleting an indicator,
renaming an organisation and removing a person, each confirmed first."""

import re
from datetime import date, timedelta
from decimal import Decimal

from playwright.sync_api import expect
from sqlalchemy import select

from tests.browser.pages import org_url, roadmap_url
from tracker.board.models import Action, Card
from tracker.extensions import db
from tracker.programmes.models import Membership
from tracker.results import services as results
from tracker.results.models import Direction, Indicator, Unit


def test_change_an_action_and_archive_it(page, world, sign_in, visit, axe, fresh):
    card = world.card_a
    action = db.session.scalar(select(Action).where(Action.card_id == card.id))
    sign_in(page.context, world.team_a)
    visit(page, f"/cards/{card.id}")
    page.get_by_role("link", name="Change action: Draft new letter").click()
    expect(page).to_have_url(re.compile(f"/actions/{action.id}/edit$"))
    page.get_by_label("Action", exact=True).fill("Draft the new letter with tenants")
    page.get_by_label("Day").fill("28")
    page.get_by_label("Month").fill("2")
    page.get_by_label("Year").fill("2027")
    page.get_by_role("button", name="Save action").click()
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text("Action saved")
    actions = page.locator("#details")
    expect(actions).to_contain_text("Draft the new letter with tenants")
    expect(actions).to_contain_text("28 February 2027")

    page.get_by_role("link", name="Archive action: Draft the new letter with tenants").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Are you sure you want to archive the action “Draft the new letter with tenants”?")
    axe(page, "confirm archiving an action")
    page.get_by_role("button", name="Yes, archive the action").click()
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text("Action archived")
    expect(page.get_by_text("No actions yet.")).to_be_visible()
    page.get_by_text("1 archived action").click()
    page.get_by_role("button", name="Restore action: Draft the new letter with tenants").click()
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text("Action restored")
    assert fresh(action).archived_dt is None
    page.get_by_role("tab", name="History").click()
    expect(page.locator("#history")).to_contain_text("Team A: Restored action: Draft the new letter with tenants")


def test_archive_a_card_and_restore_it(page, world, sign_in, visit, axe, fresh):
    card = world.card_a
    sign_in(page.context, world.team_a)
    visit(page, f"/cards/{card.id}")
    page.get_by_role("link", name="Archive this card").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        f"Are you sure you want to archive {card.code} {card.title}?")
    page.get_by_role("button", name="Yes, archive the card").click()
    expect(page).to_have_url(re.compile(roadmap_url(world.org_a) + "$"))
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text(f"{card.code} {card.title} archived")
    expect(page.locator(f"#card-{card.id}")).to_have_count(0)

    visit(page, org_url(world.org_a) + "archive")
    page.get_by_role("button", name=f"Restore {card.code} {card.title}").click()
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text("restored to Backlog")
    assert fresh(card).archived_dt is None
    visit(page, roadmap_url(world.org_a))
    expect(page.locator(f"#card-{card.id}")).to_have_count(1)


def test_delete_an_indicator_after_reading_what_goes_with_it(page, world, sign_in, visit, axe):
    programme = world.programme
    programme.start_date = date.today() - timedelta(days=40)
    objective = results.create_objective(programme, "Reduce fall-out")
    outcome = results.create_outcome(objective, "Fewer households fall out")
    indicator = results.create_indicator(outcome, name="Households helped", unit=Unit.COUNT,
                                         direction=Direction.INCREASE, target=Decimal("10"))
    results.save_figure(indicator, world.org_a, 1, results.FigureValues(value="7"), user=None, today=date.today())
    db.session.commit()
    indicator_id = indicator.id
    sign_in(page.context, world.facilitator)
    visit(page, f"/indicators/{indicator_id}")
    page.get_by_role("link", name="Delete indicator").click()
    expect(page.locator("main")).to_contain_text("1 figure from 1 organisation is deleted, with its history.")
    page.get_by_role("button", name="Yes, delete it").click()
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text("Deleted indicator 1.1.1")
    db.session.rollback()
    assert db.session.get(Indicator, indicator_id) is None


def test_rename_an_organisation_and_remove_a_person(page, world, sign_in, visit, axe):
    programme = world.programme
    sign_in(page.context, world.facilitator)
    visit(page, org_url(world.org_a))
    page.get_by_role("link", name="Change the organisation's name").click()
    page.get_by_label("Organisation name").fill("Council A (Housing Options)")
    page.get_by_role("button", name="Save changes").click()
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text("Council A (Housing Options)")

    visit(page, f"/programmes/{programme.slug}/people")
    page.get_by_role("link", name="Remove Team B").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Are you sure you want to remove Team B from the programme?")
    db.session.rollback()
    assert db.session.scalar(select(Membership).where(Membership.user_id == world.team_b.id)) is not None
    page.get_by_role("button", name="Yes, remove them").click()
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text("Team B removed from the programme")
    db.session.rollback()
    assert db.session.scalar(select(Membership).where(Membership.user_id == world.team_b.id)) is None
    assert db.session.scalar(select(Card.id).where(Card.id == world.card_b.id)) is not None
