"""Two scheduler processes at once with the app's real jobs, against one database (SQLite or PostgreSQL), for
a simulated quarter: every wave, check-in and email exactly once, and the same emails as one run of
``registry.run_due`` per moment in this process.

Each process is ``tests/scheduler/run_scheduler.py`` with ``REAL_JOBS=1``: the real jobs at the clock the
test moves (a file), three days at a time from 2 March to 4 June 2026. The first process is killed part-way
and the second takes over.
"""

import signal
from collections import Counter
from datetime import UTC, date, datetime, time, timedelta

import pytest
from sqlalchemy import func, select

from tests.conftest import _empty_tables
from tests.scheduler.helpers import scheduler_processes, wait_until
from tests.surveys.conftest import make_survey
from tracker.accounts.services import create_user
from tracker.board import services as board
from tracker.board.models import Kind
from tracker.checkins import calendar
from tracker.checkins.models import CheckIn
from tracker.core import clock
from tracker.core.mail import OutboxMessage
from tracker.extensions import db
from tracker.programmes import services as programmes
from tracker.programmes.models import Membership, Role
from tracker.scheduler import leader, registry
from tracker.scheduler.models import JobClaim
from tracker.surveys import invitations
from tracker.surveys import jobs as survey_jobs
from tracker.surveys.models import Invitation, Wave

JOBS = ("survey_waves", "checkins", "results_notices", "action_digest")
FACILITATOR = "fran@example.org"
ORGANISATIONS = ("Council A", "Council B", "Council C")
TEAM = {org: [f"team{n}@{org[-1].lower()}.example.org" for n in (1, 2)] for org in ORGANISATIONS}
#: Wave 2's staff addresses, pasted on 1 March while the wave is scheduled, so they wait as listed.
LISTED = {"Council A": ["a1@staff.example", "a2@staff.example", "a3@staff.example"],
          "Council B": ["b1@staff.example", "b2@staff.example"]}


def uk(day: date, at: time = time(9, 0)) -> datetime:
    """A UK wall-clock time as the naive UTC moment the jobs are given."""
    return datetime.combine(day, at, tzinfo=clock.UK).astimezone(UTC).replace(tzinfo=None)


#: The clock's steps: 09:00 UK every third day, across the clocks going forward on 29 March.
MOMENTS = [uk(date(2026, 3, 2) + timedelta(days=3 * n)) for n in range(33)]
KILL_AT = 12  # the first process dies as the clock reaches 8 April, during wave 2


def seed() -> None:
    """One programme (1 January 2026, quarterly check-ins and waves): three organisations with two team
    members each, a facilitator, wave 2's invitations listed for A and B, the check-ins planned, one action
    due in the quarter."""
    with clock.frozen(uk(date(2026, 3, 1))):
        facilitator = create_user(FACILITATOR, "Fran Facilitator", "correct-horse-battery", is_facilitator=True)
        programme = programmes.create_programme(
            name="Welsh pilot", aim="How might we reduce fall-out?", expected_outcomes="- Fewer people fall out",
            start_date=date(2026, 1, 1), evaluation_months=12, checkin_interval_months=3,
            survey_interval_months=3, creator=facilitator)
        orgs = {name: programmes.add_organisation(programme, name) for name in ORGANISATIONS}
        db.session.flush()
        team = {}
        for name, addresses in TEAM.items():
            for n, address in enumerate(addresses, 1):
                user = create_user(address, f"Team {name[-1]}{n}", "correct-horse-battery")
                db.session.add(Membership(programme=programme, user=user, role=Role.TEAM_MEMBER,
                                          organisation=orgs[name]))
                team[address] = user
        db.session.commit()
        card = board.create_card(orgs["Council A"], kind=Kind.QUICK_WIN, opportunity=None,
                                 title="Make letters friendlier", user=team[TEAM["Council A"][0]])
        board.add_action(card, text="Draft new letter", owner=team[TEAM["Council A"][0]], due_on=date(2026, 3, 25),
                         user=team[TEAM["Council A"][0]])
        db.session.commit()
        survey = make_survey(programme)
        wave_2 = survey.waves[1]
        for name, addresses in LISTED.items():
            invitations.invite(wave_2, orgs[name], addresses, link_for=lambda token: pytest.fail("sent at once"),
                               today=date(2026, 3, 1))
        calendar.ensure_checkins(programme)
        db.session.commit()
    assert db.session.scalar(select(func.count(Invitation.id)).where(Invitation.sent.is_(False))) == 5
    assert db.session.scalar(select(func.count(CheckIn.id))) > 0


def outbox() -> list[tuple]:
    """The outbox now: (id, kind, to_address, subject, dedupe_key) of each message."""
    return sorted(tuple(row) for row in db.session.execute(
        select(OutboxMessage.id, OutboxMessage.kind, OutboxMessage.to_address, OutboxMessage.subject,
               OutboxMessage.dedupe_key)))


def emails(snapshots: list[list[tuple]]) -> Counter:
    """Every email written over the run, as (kind, to_address, subject), however many times each: a wave's
    invitations and reminders leave the outbox when it closes, so each step's outbox is looked at."""
    return Counter(row[1:4] for row in {row for snapshot in snapshots for row in snapshot})


def reference(app) -> list[list[tuple]]:
    """The outbox after each moment of one in-process ``registry.run_due`` per moment, from a fresh seed;
    the database is then emptied again."""
    seed()
    snapshots = []
    for moment in MOMENTS:
        for report in registry.run_due(moment):
            assert not report.error, report.error
        snapshots.append(outbox())
    _empty_tables()
    app.extensions["results_tables"].clear()
    return snapshots


@pytest.fixture
def start(app, tmp_path):
    with scheduler_processes(app, tmp_path, REAL_JOBS="1") as pair:
        yield pair


def claims(job: str) -> list[JobClaim]:
    return db.session.scalars(select(JobClaim).where(JobClaim.job == job).order_by(JobClaim.id)).all()


def done_at(moment: datetime) -> bool:
    """Whether every job has run (and committed) at ``moment``."""
    return {c.subject for c in claims("test-clock") if c.due == moment.isoformat()} == set(JOBS)


def pids_that_ran() -> set[int]:
    return {int(c.subject.removeprefix("pid:")) for c in claims("test-run")}


def of_kind(snapshot: list[tuple], kind: str) -> list[tuple]:
    return [row for row in snapshot if row[1] == kind]


def test_two_schedulers_with_the_real_jobs_have_the_effect_of_one_through_a_quarter(app, start):
    expected = reference(app)
    set_clock, start_one = start
    seed()
    set_clock(MOMENTS[0])
    first, first_log = start_one("first")
    assert wait_until(lambda: (lease := leader.current()) is not None and lease.holder.startswith("first:"))
    assert wait_until(lambda: done_at(MOMENTS[0])), first_log.read_text()
    snapshots = [outbox()]
    second, second_log = start_one("second")
    assert wait_until(lambda: "is standing by" in second_log.read_text()), second_log.read_text()

    for step, moment in enumerate(MOMENTS[1:], 1):
        set_clock(moment)
        if step == KILL_AT:
            assert pids_that_ran() == {first.pid}, "only the lease holder runs jobs"
            first.send_signal(signal.SIGKILL)  # perhaps mid-transaction: its work goes with it
            first.wait(10)
        log = second_log if step >= KILL_AT else first_log
        assert wait_until(lambda moment=moment: done_at(moment), timeout=15), f"{moment} not done:\n{log.read_text()}"
        snapshots.append(outbox())
    assert pids_that_ran() == {first.pid, second.pid}
    assert leader.current().holder.startswith("second:")
    second.send_signal(signal.SIGTERM)
    assert second.wait(10) == 0
    db.session.rollback()
    assert "Traceback" not in first_log.read_text() + second_log.read_text()

    # Wave 2 (1–14 April), on the eve of its close: every listed invitation emailed once, and reminded once,
    # one round per organisation.
    eve = snapshots[MOMENTS.index(uk(date(2026, 4, 13)))]
    listed = sorted(a for addresses in LISTED.values() for a in addresses)
    invited = of_kind(eve, invitations.INVITATION_KIND)
    assert sorted(row[2] for row in invited) == listed
    assert Counter(row[4] for row in invited) == Counter({row[4]: 1 for row in invited})
    assert sorted(row[2] for row in of_kind(eve, invitations.REMINDER_KIND)) == listed
    assert len(claims(survey_jobs.REMINDERS)) == len(LISTED)
    # After its close: its addresses deleted, one "results are ready" to each of its people.
    wave_2 = db.session.scalar(select(Wave).where(Wave.number == 2))
    assert wave_2.addresses_deleted_dt is not None
    assert db.session.scalar(select(func.count(Invitation.id)).where(Invitation.email.is_not(None))) == 0
    assert of_kind(snapshots[-1], invitations.INVITATION_KIND) == []
    taking_part = [FACILITATOR] + [a for org in LISTED for a in TEAM[org]]
    assert sorted(row[2] for row in of_kind(snapshots[-1], survey_jobs.RESULTS_KIND)) == sorted(taking_part)
    # Check-ins: each announced and reminded once to each of its people (the team and the facilitator).
    everyone = sorted([FACILITATOR] + [a for addresses in TEAM.values() for a in addresses])
    for kind in ("checkin_notice", "checkin_reminder"):
        sent = of_kind(snapshots[-1], kind)
        assert sorted({row[2] for row in sent}) == everyone
    # The action (due 25 March) in the digests of the Mondays the clock stops on from its week: 23 March,
    # then overdue on 13 April, 4 May and 25 May — one email each, the same subject each week.
    digests = of_kind(snapshots[-1], "action_digest")
    assert [row[2] for row in digests] == [TEAM["Council A"][0]] * 4 and len({row[4] for row in digests}) == 4
    # No email twice over the quarter, and after each step the very outbox of the reference run.
    written = emails(snapshots)
    assert all(n == 1 for (kind, _to, _subject), n in written.items() if kind != "action_digest")
    assert len({row[4] for snapshot in snapshots for row in snapshot}) == sum(written.values())
    assert written == emails(expected)
    assert [[row[1:] for row in snapshot] for snapshot in snapshots] == [
        [row[1:] for row in snapshot] for snapshot in expected]
