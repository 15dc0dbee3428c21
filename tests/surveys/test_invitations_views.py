"""The invitations pages over the test client: who may use them, paste → preview → send, reminders,
the shared link shown once, a closed wave, and the counts on the wave's page."""

import re
from datetime import datetime

import pytest
from sqlalchemy import func, select

from tests import factories
from tests.conftest import IsolatedClient
from tests.surveys.conftest import make_survey
from tests.surveys.test_invitations import OPEN_DAY, invite_tokens, messages
from tests.surveys.test_respond import valid_answers
from tests.surveys.test_respond_views import as_pairs, start, text_of
from tracker.core import clock
from tracker.extensions import db
from tracker.surveys import invitations
from tracker.surveys.models import Invitation, InvitationUse


@pytest.fixture
def opened():
    with clock.frozen(OPEN_DAY):
        yield


def page_url(world, wave, org=None, suffix: str = "") -> str:
    org = org or world.org_a
    return f"/programmes/{world.programme.slug}/{org.slug}/survey-invitations/{wave.id}{suffix}"


def client_for(app, login, user) -> IsolatedClient:
    return login(IsolatedClient(app, app.response_class, use_cookies=True), user)


def count(model) -> int:
    db.session.rollback()
    return db.session.scalar(select(func.count()).select_from(model))


def test_team_members_for_their_own_organisation_facilitators_for_any(app, world, survey, login, opened):
    wave = survey.waves[1]
    expected = {"team_a": (200, 404), "team_b": (404, 200), "facilitator": (200, 200), "viewer": (403, 403),
                "viewer_b": (404, 403), "outsider": (404, 404), "admin": (404, 404)}
    for actor, (own_a, own_b) in expected.items():
        client = client_for(app, login, getattr(world, actor))
        assert client.get(page_url(world, wave)).status_code == own_a, actor
        assert client.get(page_url(world, wave, world.org_b)).status_code == own_b, actor
    anonymous = IsolatedClient(app, app.response_class)
    assert anonymous.get(page_url(world, wave)).status_code == 302


def test_a_wave_of_another_programme_is_a_404(app, world, survey, login, opened):
    other = make_survey(factories.make_programme(world.facilitator, name="Other programme"))
    client = client_for(app, login, world.facilitator)
    assert client.get(page_url(world, other.waves[1])).status_code == 404
    response = client.post(page_url(world, other.waves[1], suffix="/send"), data={"addresses": "a@x.org"})
    assert response.status_code == 404
    assert count(Invitation) == 0


def test_paste_preview_then_send(app, world, survey, login, opened):
    wave = survey.waves[1]
    invite_tokens(wave, world.org_a, ["taken@x.org"])  # by this organisation before
    client = client_for(app, login, world.team_a)
    page = client.get(page_url(world, wave))
    assert "Wave 2 invitations" in text_of(page) and "Invited 1" in text_of(page)

    empty = client.post(page_url(world, wave), data={"addresses": "  "})
    assert empty.status_code == 422 and "Enter the email addresses of the staff to invite" in text_of(empty)

    pasted = "ann@x.org, Bob@x.org; bob@x.org\nnot an address\nTaken@x.org\n\"Smith, Cat\" <cat@x.org>"
    preview = client.post(page_url(world, wave), data={"addresses": pasted})
    assert preview.status_code == 200
    text = text_of(preview)
    assert "3 people will be invited. 3 addresses are left out:" in text
    assert "Not email addresses (1)" in text and "not an address" in text
    assert "Given more than once (1)" in text and "Already invited to this wave (1) " in text
    assert "Send 3 invitations" in text
    assert count(Invitation) == 1 and len(messages()) == 1  # nothing sent yet
    hidden = re.search(r'name="addresses" type="hidden" value="([^"]*)"', preview.get_data(as_text=True)).group(1)
    assert hidden.split("&#10;") == ["ann@x.org", "bob@x.org", "cat@x.org"] or hidden.split("\n") == [
        "ann@x.org", "bob@x.org", "cat@x.org"]

    sent = client.post(page_url(world, wave, suffix="/send"), data={"addresses": "ann@x.org\nbob@x.org\ncat@x.org"})
    assert sent.status_code == 302 and sent.headers["Location"] == page_url(world, wave)
    after = client.get(page_url(world, wave))
    assert "3 invitations sent" in text_of(after) and "Invited 4" in text_of(after)
    assert [m.to_address for m in messages(invitations.INVITATION_KIND)][1:] == ["ann@x.org", "bob@x.org",
                                                                                "cat@x.org"]

    again = client.post(page_url(world, wave, suffix="/send"), data={"addresses": "ann@x.org"})
    assert again.status_code == 422 and "There are no new addresses to invite" in text_of(again)
    assert "<title>Error: " in again.get_data(as_text=True)
    assert count(Invitation) == 4


def test_reminders_and_the_response_rate(app, world, survey, login, opened):
    wave = survey.waves[1]
    tokens = invite_tokens(wave, world.org_a, ["ann@x.org", "bob@x.org"])
    respondent = IsolatedClient(app, app.response_class, use_cookies=True)
    start(respondent, tokens[0])
    assert respondent.post("/s/survey/send", data=as_pairs(valid_answers(survey))).status_code == 303
    client = client_for(app, login, world.team_a)
    page = text_of(client.get(page_url(world, wave)))
    assert "Invited 2 Answered 1 Response rate 50%" in page
    assert "1 person invited has not answered yet." in page
    assert "ann@x.org" not in page and "bob@x.org" not in page  # never who

    response = client.post(page_url(world, wave, suffix="/reminders"))
    assert response.status_code == 302
    assert "1 reminder sent" in text_of(client.get(page_url(world, wave)))
    assert [m.to_address for m in messages(invitations.REMINDER_KIND)] == ["bob@x.org"]
    client.post(page_url(world, wave, suffix="/reminders"))
    page = text_of(client.get(page_url(world, wave)))
    assert "1 person who has not answered was already sent a reminder today" in page
    assert len(messages(invitations.REMINDER_KIND)) == 1


def test_the_shared_link_is_shown_once_replaced_and_stopped(app, world, survey, login, opened):
    wave = survey.waves[1]
    client = client_for(app, login, world.team_b)
    url = page_url(world, wave, world.org_b, "/shared-link")
    assert "Make the shared link" in text_of(client.get(url))
    made = client.post(url)
    assert made.status_code == 200 and "Copy the link now" in text_of(made)
    link = re.search(r'id="shared-link"[^>]*value="http://localhost/s/([^"]+)"', made.get_data(as_text=True)).group(1)
    assert made.headers["Cache-Control"] == "no-store"
    assert link not in client.get(page_url(world, wave, world.org_b)).get_data(as_text=True)

    respondent = IsolatedClient(app, app.response_class, use_cookies=True)
    start(respondent, link)
    assert "shared with all the staff of Council B" in text_of(respondent.get("/s/survey"))

    page = text_of(client.get(page_url(world, wave, world.org_b)))
    assert "Shared link In use: 0 responses" in page
    replace = client.get(url)
    assert "The shared link you have now will stop working" in text_of(replace)
    newer = re.search(r'value="http://localhost/s/([^"]+)"', client.post(url).get_data(as_text=True)).group(1)
    assert newer != link
    assert IsolatedClient(app, app.response_class).get(f"/s/{link}").status_code == 404
    assert respondent.get("/s/survey").status_code == 404  # a visit from the old link ends too

    remove = page_url(world, wave, world.org_b, "/shared-link/remove")
    assert "Are you sure you want to stop the shared link?" in text_of(client.get(remove))
    assert client.post(remove).status_code == 302
    assert IsolatedClient(app, app.response_class).get(f"/s/{newer}").status_code == 404
    assert client.get(remove).status_code == 404  # nothing to stop


def test_a_closed_wave_takes_no_more_invitations(app, world, survey, login):
    wave = survey.waves[0]
    with clock.frozen(datetime(2026, 1, 2, 12)):
        invite_tokens(wave, world.org_a, ["ann@x.org"], today=datetime(2026, 1, 2).date())
    client = client_for(app, login, world.team_a)
    with clock.frozen(OPEN_DAY):
        page = client.get(page_url(world, wave))
        assert "This wave has closed" in text_of(page) and "Check the addresses" not in text_of(page)
        for suffix, data in (("", {"addresses": "bob@x.org"}), ("/send", {"addresses": "bob@x.org"}),
                             ("/reminders", {}), ("/shared-link", {})):
            response = client.post(page_url(world, wave, suffix=suffix), data=data)
            assert response.status_code == 302, suffix
        assert client.get(page_url(world, wave, suffix="/shared-link")).status_code == 302
        assert "nobody can be invited to it any more" in text_of(client.get(page_url(world, wave)))
        invitations.forget_addresses()
        db.session.commit()
        assert "The email addresses were deleted on" in text_of(client.get(page_url(world, wave)))
    assert count(Invitation) == 1 and len(messages()) == 0


def test_the_wave_page_counts_the_organisations_each_person_may_see(app, world, survey, login, opened):
    wave = survey.waves[1]
    invite_tokens(wave, world.org_a, ["ann@x.org", "bob@x.org"])
    invitations.make_shared_link(wave, world.org_b, OPEN_DAY.date())
    db.session.commit()
    facilitator = text_of(client_for(app, login, world.facilitator).get(f"/waves/{wave.id}"))
    assert "Council A Invitations for Council A 2 0 0% 0" in facilitator
    assert "Council B Shared link Invitations for Council B 0 0 No invitations 0" in facilitator
    team_a = text_of(client_for(app, login, world.team_a).get(f"/waves/{wave.id}"))
    assert "Council A Invitations for Council A 2 0 0% 0" in team_a and "Council B" not in team_a
    viewer = text_of(client_for(app, login, world.viewer).get(f"/waves/{wave.id}"))
    assert "Council A 2 0 0% 0" in viewer and "Invitations for" not in viewer


def test_close_waves_command(app, world, survey, runner):
    invite_tokens(survey.waves[0], world.org_a, ["ann@x.org"], today=datetime(2026, 1, 2).date())
    with clock.frozen(datetime(2026, 1, 20, 9)):
        result = runner.invoke(args=["tracker", "close-waves"])
        assert result.exit_code == 0, result.output
        assert "1 wave closed: 1 email address deleted, with 1 message from the outbox." in result.output
        again = runner.invoke(args=["tracker", "close-waves"])
        assert "No closed wave still has email addresses." in again.output
    db.session.rollback()
    assert db.session.scalar(select(Invitation.email)) is None
    assert count(InvitationUse) == 0
