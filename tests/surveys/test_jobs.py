"""The survey waves' job at scripted moments, run as the scheduler runs it: invitations on the opening day
for listed organisations not held back, reminders before closing, addresses forgotten and "results are
ready" after it, each once — again, late or for an earlier moment, nothing more."""

import re
from collections import defaultdict
from datetime import UTC, date, datetime, time, timedelta

import pytest
from sqlalchemy import func, select

from tracker.core import clock, mail, secrets
from tracker.extensions import db
from tracker.scheduler import registry
from tracker.surveys import invitations, jobs
from tracker.surveys.models import Invitation, InvitationUse

W1, W2, W3, W4, W5 = (f"Wave {n} of “Staff pulse survey”" for n in range(1, 6))


def moment(day: date, at: time) -> datetime:
    """A UK wall-clock time as the naive UTC moment the scheduler is given."""
    return datetime.combine(day, at, tzinfo=clock.UK).astimezone(UTC).replace(tzinfo=None)


def run(at: datetime) -> list[str]:
    """Run the job for ``at`` through the registry, as ``flask tracker run-due --now`` does."""
    (report,) = registry.run_due(at, only=jobs.NAME)
    assert not report.error, report.error
    return report.lines


def run_wave_2(at: datetime) -> list[str]:
    """What the job did for wave 2 (wave 1, closed in January, is forgotten on a first run in spring)."""
    return [line for line in run(at) if line.startswith(W2)]


def outbox_after(message_id: int) -> list[mail.OutboxMessage]:
    return list(db.session.scalars(select(mail.OutboxMessage).where(mail.OutboxMessage.id > message_id)
                                   .order_by(mail.OutboxMessage.id)))


def last_id() -> int:
    return db.session.scalar(select(func.max(mail.OutboxMessage.id))) or 0


def keys() -> set[str]:
    """The outbox's messages by key (every survey message has one; SQLite reuses deleted rows' ids)."""
    return set(db.session.scalars(select(mail.OutboxMessage.dedupe_key)))


def listed(wave, org, addresses: list[str], today: date) -> None:
    invitations.invite(wave, org, addresses, link_for=lambda token: pytest.fail("a listed address got a link"),
                       today=today)
    db.session.commit()


def use_invitation(address: str, wave) -> None:
    invitation = db.session.scalar(select(Invitation).where(Invitation.wave_id == wave.id,
                                                            Invitation.email == address))
    db.session.add(InvitationUse(invitation_id=invitation.id))
    db.session.commit()


@pytest.fixture
def year(world, survey):
    """The programme's five waves (1 Jan, 1 Apr → moved to 23 March–5 April across the clocks going
    forward, 1 Jul, 1 Oct, 1 Jan 2027), with addresses listed ahead of time, Council B held back from wave 3
    and Team B's notices turned off."""
    w1, w2, w3, w4, _w5 = survey.waves
    w2.opens_on, w2.closes_on = date(2026, 3, 23), date(2026, 4, 5)
    world.team_b.email_notices = False
    db.session.commit()
    a, b = world.org_a, world.org_b
    listed(w1, a, ["a1@a.example", "a2@a.example"], date(2025, 12, 20))
    listed(w2, a, ["a1@a.example", "a2@a.example", "a3@a.example"], date(2026, 3, 1))
    listed(w2, b, ["b1@b.example", "b2@b.example"], date(2026, 3, 1))
    invitations.hold_back(w3, b, True)
    listed(w3, b, ["b1@b.example"], date(2026, 6, 1))
    listed(w4, a, ["a1@a.example"], date(2026, 9, 1))
    return survey


def every_day_of_the_programme():
    day = date(2026, 1, 1)
    while day <= date(2027, 1, 20):
        yield day
        day += timedelta(days=1)


def test_a_whole_year_each_thing_on_its_day_and_once(world, year):
    w2 = year.waves[1]
    log: dict[date, list[str]] = defaultdict(list)
    mail_of: dict[date, list[tuple[str, str]]] = defaultdict(list)
    moments = []
    for day in every_day_of_the_programme():
        if day == date(2026, 3, 25):  # wave 2 open: one answers, and an address pasted now goes at once
            use_invitation("a1@a.example", w2)
            made = invitations.invite(w2, world.org_a, ["a4@a.example"], link_for=jobs._link_for, today=day)
            db.session.commit()
            assert made == 1 and outbox_after(last_id() - 1)[0].to_address == "a4@a.example"
        for at in (time(0, 10), time(23, 50)):  # each UK day's first and last minutes, in GMT and in BST
            seen = keys()
            when = moment(day, at)
            moments.append(when)
            for line in run(when):
                log[day].append(line)
            mail_of[day] += [(m.kind, m.to_address) for m in outbox_after(0) if m.dedupe_key not in seen]
    facilitator, team_a = world.facilitator.email, world.team_a.email
    assert dict(log) == {
        date(2026, 1, 1): [f"{W1}: 2 invitations sent for Council A"],
        date(2026, 1, 11): [f"{W1}: 2 reminders sent for Council A"],
        date(2026, 1, 15): [f"{W1} has closed: its email addresses were deleted",
                            f"{W1}: 2 “results are ready” notices sent"],
        date(2026, 3, 23): [f"{W2}: 3 invitations sent for Council A", f"{W2}: 2 invitations sent for Council B"],
        date(2026, 4, 2): [f"{W2}: 3 reminders sent for Council A", f"{W2}: 2 reminders sent for Council B"],
        date(2026, 4, 6): [f"{W2} has closed: its email addresses were deleted",
                           f"{W2}: 2 “results are ready” notices sent"],
        date(2026, 7, 15): [f"{W3} has closed: its email addresses were deleted"],  # B held back: nobody asked
        date(2026, 10, 1): [f"{W4}: 1 invitation sent for Council A"],
        date(2026, 10, 11): [f"{W4}: 1 reminder sent for Council A"],
        date(2026, 10, 15): [f"{W4} has closed: its email addresses were deleted",
                             f"{W4}: 2 “results are ready” notices sent"],
        date(2027, 1, 15): [f"{W5} has closed: its email addresses were deleted"],
    }
    # In summer time the UK day starts at 23:00 UTC the day before: wave 2's reminders went then.
    assert moment(date(2026, 4, 2), time(0, 10)) == datetime(2026, 4, 1, 23, 10)
    assert mail_of[date(2026, 3, 23)] == [(invitations.INVITATION_KIND, a) for a in
                                          ("a1@a.example", "a2@a.example", "a3@a.example")] + [
                                             (invitations.INVITATION_KIND, b) for b in ("b1@b.example", "b2@b.example")]
    assert sorted(mail_of[date(2026, 4, 2)]) == sorted(
        [(invitations.REMINDER_KIND, a) for a in ("a2@a.example", "a3@a.example", "a4@a.example")]
        + [(invitations.REMINDER_KIND, b) for b in ("b1@b.example", "b2@b.example")])  # a1 answered
    # Team B turned notices off; Council B took no part in wave 4; facilitators see every organisation.
    for day in (date(2026, 1, 15), date(2026, 4, 6), date(2026, 10, 15)):
        assert sorted(mail_of[day]) == sorted([(jobs.RESULTS_KIND, facilitator), (jobs.RESULTS_KIND, team_a)])
    # The held-back invitation was never sent, and its address is gone with its wave.
    b1 = db.session.scalar(select(Invitation).where(Invitation.wave_id == year.waves[2].id))
    assert (b1.sent, b1.email) == (False, None)

    # Every moment again, and the earliest after the latest: nothing more.
    before = keys()
    assert [line for at in [*moments, moments[0], moments[-1]] for line in run(at)] == []
    assert keys() == before


def test_the_emails_carry_absolute_links_and_the_notice_a_way_to_stop_them(world, year):
    run(moment(date(2026, 1, 1), time(9)))
    sent = db.session.scalars(select(mail.OutboxMessage).order_by(mail.OutboxMessage.id)).all()
    rows = db.session.scalars(select(Invitation).where(Invitation.wave_id == year.waves[0].id)
                              .order_by(Invitation.id)).all()
    tokens = [re.search(r"http://127\.0\.0\.1:5000/s/(\S+)", m.text_body).group(1) for m in sent]
    assert [r.token_hash for r in rows] == [secrets.token_hash(t) for t in tokens]
    assert all(r.sent for r in rows)
    assert "open until 14 January 2026" in sent[0].text_body
    run(moment(date(2026, 1, 15), time(9)))
    notices = db.session.scalars(select(mail.OutboxMessage).where(mail.OutboxMessage.kind == jobs.RESULTS_KIND)
                                 .order_by(mail.OutboxMessage.to_address)).all()
    assert {n.to_address for n in notices} == {world.facilitator.email, world.team_a.email}
    wave_id = year.waves[0].id
    for notice in notices:
        assert notice.subject == f"Mae'r canlyniadau'n barod: Cylch 1 o “Staff pulse survey” / Results are ready: {W1}"
        assert f"http://127.0.0.1:5000/waves/{wave_id}/results" in notice.text_body
        assert f'href="http://127.0.0.1:5000/waves/{wave_id}/results"' in notice.html_body
        assert "Stop sending me these: http://127.0.0.1:5000/account/email" in notice.text_body
        assert notice.sender_name == world.programme.name


# --- catching up -------------------------------------------------------------------------------------


def test_started_a_week_after_the_opening_day_it_invites_once_and_reminds_on_the_day(world, survey):
    wave = survey.waves[1]  # 1 to 14 April 2026: reminders on the 11th
    listed(wave, world.org_a, ["a1@a.example", "a2@a.example"], date(2026, 3, 1))
    hours = [datetime(2026, 4, 8, 9) + timedelta(hours=h) for h in range(48)]
    lines = [line for at in hours for line in run_wave_2(at)]
    assert lines == [f"{W2}: 2 invitations sent for Council A"]
    assert run(datetime(2026, 4, 1, 9)) == []  # the missed opening day itself, run late: nothing more
    assert [line for day in range(10, 16) for line in run(datetime(2026, 4, day, 12))] == [
        f"{W2}: 2 reminders sent for Council A", f"{W2} has closed: its email addresses were deleted",
        f"{W2}: 2 “results are ready” notices sent"]


def test_started_after_the_reminder_day_it_reminds_once_before_closing(world, survey):
    wave = survey.waves[1]
    listed(wave, world.org_a, ["a1@a.example"], date(2026, 3, 1))
    assert run_wave_2(datetime(2026, 4, 1, 8)) == [f"{W2}: 1 invitation sent for Council A"]
    # Down from the 10th to the 13th: the 11th's reminders go on the 13th, once.
    assert [line for h in range(30) for line in run(datetime(2026, 4, 13, 0, 30) + timedelta(hours=h))] == [
        f"{W2}: 1 reminder sent for Council A"]


def test_started_a_week_after_closing_it_invites_and_reminds_nobody_and_forgets_once(world, survey):
    wave = survey.waves[1]
    listed(wave, world.org_a, ["a1@a.example"], date(2026, 3, 1))
    lines = [line for h in range(7 * 24) for line in run(datetime(2026, 4, 21, 6) + timedelta(hours=h))]
    assert lines == [f"{W1} has closed: its email addresses were deleted",
                     f"{W2} has closed: its email addresses were deleted"]  # nobody took part: no notice
    assert keys() == set()
    (row,) = db.session.scalars(select(Invitation)).all()
    assert (row.sent, row.email) == (False, None)
    assert run(datetime(2026, 4, 2, 9)) == []  # an earlier moment, while the wave was open: nothing more


def test_results_notices_for_a_wave_closed_long_before_the_first_run_are_not_sent(world, survey):
    invitations.invite(survey.waves[0], world.org_a, ["a1@a.example"], link_for=jobs._link_for,
                       today=date(2026, 1, 2))
    db.session.commit()
    assert run(datetime(2026, 3, 20, 9)) == [f"{W1} has closed: its email addresses were deleted"]
    assert keys() == set()  # the invitation's message went with its address, and no notice came


def test_releasing_a_held_back_organisation_sends_on_the_next_run_while_open(world, survey):
    wave = survey.waves[1]
    invitations.hold_back(wave, world.org_a, True)
    listed(wave, world.org_a, ["a1@a.example"], date(2026, 4, 2))  # open, but held back: listed
    assert run_wave_2(datetime(2026, 4, 2, 10)) == []
    invitations.hold_back(wave, world.org_a, False)
    db.session.commit()
    assert run(datetime(2026, 4, 3, 10)) == [f"{W2}: 1 invitation sent for Council A"]


# --- the page: pasting ahead of the opening day, holding back and releasing ----------------------------


def test_addresses_pasted_before_the_opening_day_are_listed_and_a_facilitator_holds_back_and_releases(
        app, world, survey, login):
    from tests.surveys.test_invitations_views import client_for, page_url
    from tests.surveys.test_respond_views import text_of

    wave = survey.waves[1]  # 1 to 14 April 2026
    team, facilitator = client_for(app, login, world.team_a), client_for(app, login, world.facilitator)
    with clock.frozen(datetime(2026, 3, 20, 12)):
        preview = text_of(team.post(page_url(world, wave), data={"addresses": "ann@x.org\nbob@x.org"}))
        assert "List 2 addresses" in preview and "The wave opens on 1 April 2026" in preview
        team.post(page_url(world, wave, suffix="/send"), data={"addresses": "ann@x.org\nbob@x.org"})
        page = text_of(team.get(page_url(world, wave)))
        assert "2 addresses listed. They will be emailed on 1 April 2026, when the wave opens." in page
        assert "Listed, not emailed yet 2" in page and "Hold back the invitations" not in page
        assert keys() == set()
        assert team.post(page_url(world, wave, suffix="/hold"), data={"action": "hold"}).status_code == 403
        assert facilitator.post(page_url(world, wave, suffix="/hold"), data={"action": "freeze"}).status_code == 400
        assert facilitator.post(page_url(world, wave, suffix="/hold"), data={"action": "hold"}).status_code == 302
        assert "Release the invitations" in text_of(facilitator.get(page_url(world, wave)))
    assert run_wave_2(datetime(2026, 4, 1, 9)) == []  # held back: nothing on the opening day
    with clock.frozen(datetime(2026, 4, 2, 12)):
        held = text_of(team.get(page_url(world, wave)))
        assert "A facilitator has held back these invitations" in held
        released = facilitator.post(page_url(world, wave, suffix="/hold"), data={"action": "release"},
                                    follow_redirects=True)
        assert "Invitations for Council A released: 2 invitations sent." in text_of(released)
    db.session.rollback()
    assert {m.to_address for m in db.session.scalars(select(mail.OutboxMessage))} == {"ann@x.org", "bob@x.org"}
    assert run(datetime(2026, 4, 2, 13)) == []
