"""Claims, the job registry and ``flask tracker run-due``: each thing once, whatever runs again."""

from datetime import date, datetime

import pytest
from sqlalchemy import func, select

from tracker.core import clock
from tracker.extensions import db
from tracker.scheduler import claims, registry
from tracker.scheduler.models import JobClaim, JobRun


@pytest.fixture
def probe(monkeypatch):
    """A job of the test's own: claims one thing per UK day, and records the clock it saw."""
    seen = []
    registry.jobs()  # the app's job modules imported first, so none registers into the test's own list
    monkeypatch.setattr(registry, "_JOBS", {})

    @registry.job("probe")
    def run_due(now):
        seen.append(clock.now())
        day = clock.today()
        return [f"Did the thing of {day.isoformat()}"] if claims.claim("probe", "thing:1", day) else []

    return seen


def test_a_claim_is_made_once(app):
    assert claims.claim("job", "wave:1", date(2026, 4, 1))
    assert not claims.claim("job", "wave:1", date(2026, 4, 1))
    assert claims.claim("job", "wave:1", date(2026, 4, 2))
    assert claims.claim("other", "wave:1", date(2026, 4, 1))
    db.session.commit()
    assert claims.claimed("job", "wave:1", "2026-04-01")
    assert db.session.scalar(select(func.count()).select_from(JobClaim)) == 3


def test_a_claim_rolled_back_goes_with_its_work(app):
    assert claims.claim("job", "wave:1", datetime(2026, 4, 1, 9, 30, 12))
    db.session.rollback()
    assert claims.claim("job", "wave:1", datetime(2026, 4, 1, 9, 30))  # to the minute
    assert claims.due_key(datetime(2026, 4, 1, 9, 30, 59)) == "2026-04-01T09:30"


def test_running_twice_for_a_moment_or_an_earlier_one_does_nothing_more(app, probe):
    moment = datetime(2026, 3, 29, 0, 30)  # UTC: 00:30 GMT, the UK day the clocks go forward
    (report,) = registry.run_due(moment)
    assert report.lines == ["Did the thing of 2026-03-29"] and not report.error
    assert probe[-1] == moment.replace(tzinfo=clock.UTC)
    assert registry.run_due(moment)[0].lines == []
    assert registry.run_due(datetime(2026, 3, 28, 23, 0))[0].lines == ["Did the thing of 2026-03-28"]
    assert registry.run_due(datetime(2026, 3, 28, 23, 59))[0].lines == []
    runs = db.session.scalars(select(JobRun).order_by(JobRun.id)).all()
    assert [r.summary for r in runs] == ["Did the thing of 2026-03-29", "", "Did the thing of 2026-03-28", ""]


def test_a_dry_run_says_what_it_would_do_and_does_none_of_it(app, probe):
    moment = datetime(2026, 4, 1, 8, 0)
    assert registry.run_due(moment, dry_run=True)[0].lines == ["Did the thing of 2026-04-01"]
    assert db.session.scalar(select(func.count()).select_from(JobClaim)) == 0
    assert db.session.scalar(select(func.count()).select_from(JobRun)) == 0
    assert registry.run_due(moment)[0].lines == ["Did the thing of 2026-04-01"]


def test_a_failing_job_is_recorded_and_the_others_still_run(app, probe):
    @registry.job("broken")
    def broken(now):
        claims.claim("broken", "x", "1")
        raise RuntimeError("the database said no")

    reports = registry.run_due(datetime(2026, 4, 1, 8, 0))
    assert [r.job for r in reports] == ["probe", "broken"]
    assert reports[0].lines and "the database said no" in reports[1].error
    assert not claims.claimed("broken", "x", "1")  # its work was rolled back
    failed = db.session.scalar(select(JobRun).where(JobRun.job == "broken"))
    assert "RuntimeError" in failed.error and failed.finished_dt is not None


def test_the_command(runner, probe):
    first = runner.invoke(args=["tracker", "run-due", "--now", "2026-04-01T09:00+01:00"])
    assert first.exit_code == 0, first.output
    assert "Ran the jobs due at 2026-04-01T08:00 UTC" in first.output
    assert "- probe:\n    Did the thing of 2026-04-01" in first.output
    again = runner.invoke(args=["tracker", "run-due", "--now", "2026-04-01T08:00"])
    assert "- probe: nothing due" in again.output
    dry = runner.invoke(args=["tracker", "run-due", "--now", "2026-04-02T08:00", "--dry-run"])
    assert "Would run" in dry.output and "Did the thing of 2026-04-02" in dry.output
    assert runner.invoke(args=["tracker", "run-due", "--job", "nope"]).exit_code != 0
    assert runner.invoke(args=["tracker", "run-due", "--now", "yesterday"]).exit_code != 0


def test_batched_claims_are_decided_from_what_is_claimed_and_written_at_the_end(app):
    assert claims.claim("job", "a", "1")
    db.session.commit()
    with claims.batched():
        assert not claims.claim("job", "a", "1")  # claimed before
        assert claims.claim("job", "b", "1")
        assert not claims.claim("job", "b", "1")  # claimed in the batch
        assert claims.claim("other", "a", "1")
        assert db.session.scalar(select(func.count()).select_from(JobClaim)) == 1  # nothing written yet
    assert db.session.scalar(select(func.count()).select_from(JobClaim)) == 3
    with pytest.raises(RuntimeError), claims.batched():
        claims.claim("job", "c", "1")
        raise RuntimeError("the work failed")
    assert not claims.claimed("job", "c", "1")


def test_batched_mail_is_one_insert_that_leaves_out_keys_written_before(app):
    from tracker.core import mail

    def queue(key, to="a@example.org"):
        return mail.queue(to=to, subject="Hello", text="Hi", html="<p>Hi</p>", sender_name="Pilot", kind="test",
                          dedupe_key=key)

    assert queue("k1") is not None
    db.session.commit()
    with mail.batched():
        assert queue("k1") is not None  # decided at the end: written before, so left out
        assert queue("k2") is not None
        assert queue("k2", to="b@example.org") is None  # a repeat within the batch
    db.session.commit()
    rows = db.session.execute(select(mail.OutboxMessage.dedupe_key, mail.OutboxMessage.to_address)
                              .order_by(mail.OutboxMessage.id)).all()
    assert [tuple(r) for r in rows] == [("k1", "a@example.org"), ("k2", "a@example.org")]
