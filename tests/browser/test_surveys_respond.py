"""Invitations and answering in the browser: a team member pastes addresses, checks them and sends the
invitations, makes a shared link; two staff answer from their links, one on a phone and one without
JavaScript; a used link, an unknown one and a wave not open yet say which. Every page checked with axe."""

import re
from datetime import timedelta

from playwright.sync_api import expect
from sqlalchemy import func, select

from tests.browser.results_pages import success_banner
from tests.surveys.conftest import make_survey
from tracker.core import clock, mail
from tracker.extensions import db
from tracker.surveys import invitations
from tracker.surveys.models import Answer, InvitationUse, Response

PHONE = {"width": 375, "height": 667}


def links_sent() -> dict[str, str]:
    """Address → the path of the link in the latest email to it."""
    db.session.rollback()
    found = {}
    for message in db.session.scalars(select(mail.OutboxMessage).order_by(mail.OutboxMessage.id)):
        match = re.search(r"https?://[^/\s]+(/s/\S+)", message.text_body)
        if match:
            found[message.to_address] = match.group(1)
    return found


def test_send_invitations_and_a_shared_link(page, world, sign_in, visit, axe):
    world.programme.start_date = clock.today() - timedelta(days=2)  # wave 1 is open
    db.session.commit()
    survey = make_survey(world.programme)
    wave = survey.waves[0]
    sign_in(page.context, world.team_a)
    visit(page, f"/waves/{wave.id}")
    page.get_by_role("link", name="Invitations for Council A").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Wave 1 invitations")
    axe(page, "wave invitations, none sent", once=True)

    page.get_by_label("Staff email addresses").fill("ann@council-a.example\nBob@council-a.example; "
                                                    "bob@council-a.example, not an address")
    page.get_by_role("button", name="Check the addresses").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Check the addresses before you send the invitations")
    expect(page.get_by_text("2 people will be invited.")).to_be_visible()
    expect(page.get_by_role("heading", name="Not email addresses (1)")).to_be_visible()
    expect(page.get_by_role("heading", name="Given more than once (1)")).to_be_visible()
    axe(page, "invitations preview")
    assert links_sent() == {}  # nothing sent until confirmed

    page.get_by_role("button", name="Send 2 invitations").click()
    expect(success_banner(page)).to_contain_text("2 invitations sent")
    expect(page.locator(".govuk-summary-list")).to_contain_text("Invited")
    axe(page, "wave invitations, sent")
    assert set(links_sent()) == {"ann@council-a.example", "bob@council-a.example"}

    page.get_by_role("button", name="Send reminders").click()
    expect(success_banner(page)).to_contain_text("2 reminders sent")

    page.get_by_role("link", name="Make a shared link").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Make a shared link")
    axe(page, "make a shared link", once=True)
    page.get_by_role("button", name="Make the shared link").click()
    expect(page.locator(".govuk-panel")).to_contain_text("Shared link made")
    shared = page.get_by_label("The shared link for Council A").input_value()
    assert re.fullmatch(r"http://127\.0\.0\.1:\d+/s/\S{43}", shared)
    axe(page, "shared link made")
    page.get_by_role("link", name="I have copied the link").click()
    expect(page.locator(".govuk-summary-list")).to_contain_text("In use: 0 responses")
    assert shared not in page.content()
    page.get_by_role("link", name="Stop the shared link").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Are you sure you want to stop the shared link?")
    axe(page, "stop the shared link", once=True)
    page.get_by_role("button", name="Yes, stop the shared link").click()
    expect(success_banner(page)).to_contain_text("The shared link has been stopped")


def answer_all(page, survey, *, free_text: str) -> None:
    page.get_by_role("group", name=f"1. {survey.questions[0].text}").get_by_label("Agree", exact=True).check()
    page.get_by_role("group", name=f"2. {survey.questions[1].text}").get_by_label("9", exact=True).check()
    page.get_by_role("group", name=f"3. {survey.questions[2].text}").get_by_label("Case standards").check()
    page.get_by_role("group", name=re.compile(r"^4\. Which have you used")).get_by_label("Templates").check()
    page.get_by_label("5. What should change next? (optional)").fill(free_text)


def test_answer_from_two_links_one_on_a_phone_one_without_javascript(browser, base_url, page, world, axe):
    world.programme.start_date = clock.today() - timedelta(days=2)
    db.session.commit()
    survey = make_survey(world.programme)
    tokens = []
    invitations.invite(survey.waves[0], world.org_a, ["ann@council-a.example", "bob@council-a.example"],
                       link_for=lambda token: tokens.append(token) or f"/s/{token}")
    invitations.invite(survey.waves[1], world.org_a, ["ann@council-a.example"],  # sent as if open, then moved
                       link_for=lambda token: tokens.append(token) or f"/s/{token}", today=survey.waves[1].opens_on)
    db.session.commit()
    ann, bob, later = tokens

    # Ann, on a phone: a question left out, then the answers checked and one changed.
    page.set_viewport_size(PHONE)
    page.goto(f"/s/{ann}")
    expect(page).to_have_url(re.compile(r"/s/survey$"))  # the token is gone from the address bar
    expect(page.get_by_role("heading", level=1)).to_have_text("Staff pulse survey")
    expect(page.locator(".govuk-service-navigation")).to_contain_text("Council A")
    axe(page, "survey questions on a phone", once=True)
    page.get_by_role("group", name=f"1. {survey.questions[0].text}").get_by_label("Agree", exact=True).check()
    page.get_by_label("5. What should change next? (optional)").fill("Shorter forms")
    page.get_by_role("button", name="Continue").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Choose an answer to question 2")
    expect(page).to_have_title(re.compile(r"^Error: "))
    expect(page.get_by_label("Agree", exact=True)).to_be_checked()  # what was given is kept
    expect(page.get_by_label("5. What should change next? (optional)")).to_have_value("Shorter forms")
    axe(page, "survey questions with errors, on a phone")
    page.locator(".govuk-error-summary a").first.click()
    expect(page.locator("#" + f"q{survey.questions[1].id}")).to_be_focused()
    answer_all(page, survey, free_text="Shorter forms,\nplease")
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Check your answers")
    expect(page.locator(".govuk-summary-list")).to_contain_text("Case standards")
    axe(page, "check your answers on a phone")
    page.get_by_role("button", name="Change your answer to question 3").click()
    expect(page.get_by_label("Case standards")).to_be_checked()
    page.get_by_label("Contact methods").check()
    page.get_by_role("button", name="Continue").click()
    expect(page.locator(".govuk-summary-list")).to_contain_text("Contact methods")
    page.get_by_role("button", name="Send answers").click()
    expect(page.locator(".govuk-panel")).to_contain_text("Answers sent")
    axe(page, "answers sent on a phone")

    # Bob, without JavaScript, at desktop size.
    context = browser.new_context(java_script_enabled=False, base_url=base_url, locale="en-GB",
                                  viewport={"width": 1280, "height": 900})
    plain = context.new_page()
    plain.goto(f"/s/{bob}")
    expect(plain.get_by_role("heading", level=1)).to_have_text("Staff pulse survey")
    axe(plain, "survey questions without JavaScript", once=True)
    answer_all(plain, survey, free_text="More training")
    plain.get_by_role("button", name="Continue").click()
    expect(plain.get_by_role("heading", level=1)).to_have_text("Check your answers")
    axe(plain, "check your answers without JavaScript")
    plain.get_by_role("button", name="Send answers").click()
    expect(plain.locator(".govuk-panel")).to_contain_text("Answers sent")
    axe(plain, "answers sent without JavaScript")

    # The used link, an unknown one and one for a wave not open yet each say which.
    response = plain.goto(f"/s/{bob}")
    assert response.status == 410  # the link, then the page it sends the browser on to: gone
    expect(plain.get_by_role("heading", level=1)).to_have_text("This link has already been used")
    axe(plain, "link already used")
    response = plain.goto("/s/not-a-link-" + "x" * 40)
    assert response.status == 404
    expect(plain.get_by_role("heading", level=1)).to_have_text("This survey link is not recognised")
    axe(plain, "survey link not recognised")
    plain.goto(f"/s/{later}")
    expect(plain.get_by_role("heading", level=1)).to_have_text("This survey is not open yet")
    axe(plain, "survey not open yet")
    context.close()

    db.session.rollback()
    assert db.session.scalar(select(func.count()).select_from(Response)) == 2
    assert db.session.scalar(select(func.count()).select_from(InvitationUse)) == 2
    texts = set(db.session.scalars(select(Answer.text).where(Answer.text.is_not(None))))
    assert texts == {"Shorter forms,\nplease", "More training"}
