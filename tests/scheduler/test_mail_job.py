"""The mail job against a real SMTP server that refuses the first attempts and drops a connection in the
middle of a message: every message delivered once, each failure recorded with its error."""

from datetime import timedelta

from sqlalchemy import select

from tests.mail.conftest import Recorder, free_port, smtp_server  # noqa: F401 - the fixture
from tests.mail.test_outbox import NOW, queue
from tracker.core.mail import OutboxMessage, Status
from tracker.extensions import db
from tracker.scheduler import registry
from tracker.scheduler.models import JobRun


class DroppingRecorder(Recorder):
    """Drops the connection on the ``drop_at``-th DATA command, before answering: nothing is accepted."""

    drop_at: int = 0

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's API
        if self.data_commands + 1 == self.drop_at:
            self.data_commands += 1
            server.transport.abort()
            return "421 4.4.2 Connection dropped"
        return await super().handle_DATA(server, session, envelope)


def mail_job(now):
    (report,) = registry.run_due(now, only="mail")
    return report


def test_every_message_is_delivered_once_through_refusals_and_a_dropped_connection(app, smtp_server,  # noqa: F811
                                                                                   monkeypatch):
    recorder, controller = smtp_server()
    dropping = DroppingRecorder(refuse=2)  # "451 try again" for the first two, then the fifth DATA is cut off
    dropping.drop_at = 5
    controller.handler = dropping
    for n in range(10):
        queue(n)
    db.session.commit()

    port = controller.port
    monkeypatch.setitem(app.config, "MAIL_PORT", free_port())  # the server is not there yet
    unreachable = mail_job(NOW)
    assert "could not connect" in unreachable.error
    db.session.rollback()
    assert all(m.attempts == 0 and m.status == Status.PENDING for m in db.session.scalars(select(OutboxMessage)))

    monkeypatch.setitem(app.config, "MAIL_PORT", port)
    first = mail_job(NOW)
    assert not first.error and first.lines == ["Sent 7, failed 0, will retry 3, waiting 3."]
    db.session.rollback()
    errors = sorted(m.last_error for m in db.session.scalars(select(OutboxMessage)
                                                             .where(OutboxMessage.status == Status.PENDING)))
    assert errors[:2] == ["451 4.3.0 Try again later"] * 2
    assert errors[2].startswith("SMTPServerDisconnected")

    assert mail_job(NOW + timedelta(minutes=1)).lines == [], "not due again before the backoff"
    assert mail_job(NOW + timedelta(minutes=5)).lines == ["Sent 3, failed 0, will retry 0, waiting 0."]
    assert mail_job(NOW + timedelta(days=1)).lines == []

    subjects = [item.message["Subject"] for item in dropping.received]
    assert sorted(subjects) == sorted(f"Survey invitation {n}" for n in range(10)), "each once"
    db.session.rollback()
    assert {m.status for m in db.session.scalars(select(OutboxMessage))} == {Status.SENT}
    recorded = db.session.scalars(select(JobRun).where(JobRun.job == "mail").order_by(JobRun.id)).all()
    assert [bool(r.error) for r in recorded] == [True, False, False, False, False]
    assert recorded[1].summary == "Sent 7, failed 0, will retry 3, waiting 3."


def test_without_mail_host_the_job_says_once_that_messages_wait(app, monkeypatch):
    monkeypatch.setitem(app.config, "MAIL_HOST", None)
    assert mail_job(NOW).lines == []
    queue(1), queue(2)
    db.session.commit()
    assert mail_job(NOW).lines == ["MAIL_HOST is not set: nothing sent; 2 messages wait in the outbox."]


def test_the_mail_job_is_last_and_not_run_by_a_dry_run(app):
    assert registry.JOB_MODULES[-1] == "tracker.scheduler.mail_job"
    assert registry.jobs()[-1].name == "mail"
    assert registry.run_due(NOW, dry_run=True, only="mail")[0].skipped
