"""The outbox: written in the caller's transaction, at most once per key, delivered with retries."""

import threading
from datetime import datetime, timedelta

import pytest
from sqlalchemy import func, insert, select, update
from sqlalchemy.exc import IntegrityError

from tests import factories
from tracker.accounts.models import User
from tracker.accounts.services import create_user
from tracker.core import mail
from tracker.core.mail import OutboxMessage, Status
from tracker.extensions import db

NOW = datetime(2026, 12, 1, 9, 0)


def queue(n: int = 1, **overrides) -> OutboxMessage | None:
    values = {"to": f"person{n}@council.example.org", "subject": f"Survey invitation {n}",
              "text": f"Answer the survey: https://tracker.example.org/s/token-{n}\n",
              "html": f'<p><a href="https://tracker.example.org/s/token-{n}">Answer the survey</a></p>',
              "sender_name": "Housing improvement programme", "kind": "test", "now": NOW}
    values.update(overrides)
    return mail.queue(**values)


def count(**where) -> int:
    db.session.rollback()
    statement = select(func.count()).select_from(OutboxMessage)
    for name, value in where.items():
        statement = statement.where(getattr(OutboxMessage, name) == value)
    return db.session.scalar(statement)


# --- writing -------------------------------------------------------------------------------------


def test_queue_is_written_by_the_callers_commit_and_undone_by_its_rollback(app):
    create_user("invited@example.org", "Invited Person", factories.PASSWORD)  # the change, uncommitted
    queue()
    db.session.rollback()
    assert count() == 0
    assert db.session.scalar(select(func.count()).select_from(User)) == 0

    create_user("invited@example.org", "Invited Person", factories.PASSWORD)
    message = queue()
    db.session.commit()  # the change and its message: both
    assert count() == 1
    assert db.session.scalar(select(func.count()).select_from(User)) == 1
    assert (message.status, message.attempts, message.next_attempt_dt, message.created_dt) == (
        Status.PENDING, 0, NOW, NOW)


def test_queue_with_a_dedupe_key_writes_one_message_however_often_it_runs(app):
    first = queue(dedupe_key="reminder:42:2026-12-01")
    assert first is not None
    assert queue(dedupe_key="reminder:42:2026-12-01", subject="Another") is None  # same transaction
    db.session.commit()
    assert queue(dedupe_key="reminder:42:2026-12-01") is None  # a later run
    db.session.commit()
    assert count() == 1
    assert queue(dedupe_key="reminder:42:2026-12-02") is not None
    queue(), queue()  # no key: no limit
    db.session.commit()
    assert count() == 4


def test_queue_with_a_dedupe_key_is_undone_by_a_rollback(app):
    queue(dedupe_key="k")
    db.session.rollback()
    assert count() == 0
    assert queue(dedupe_key="k") is not None


def test_the_database_refuses_a_second_message_with_the_same_key(app):
    queue(dedupe_key="k")
    db.session.commit()
    row = {"to_address": "a@example.org", "subject": "s", "text_body": "t", "html_body": "h", "sender_name": "n",
           "kind": "test", "dedupe_key": "k", "created_dt": NOW, "next_attempt_dt": NOW, "status": "pending",
           "attempts": 0}
    with pytest.raises(IntegrityError):
        db.session.execute(insert(OutboxMessage).values(**row))
    db.session.rollback()


def test_two_writers_of_one_key_at_once_write_one_message(app):
    """Two jobs queue the same key in their own transactions at once: one message, no error."""
    barrier = threading.Barrier(2)
    results, errors = [], []

    def job():
        with app.app_context():
            try:
                barrier.wait()
                message = queue(dedupe_key="job:wave-3:opening")
                results.append(message is not None)
                db.session.commit()
            except Exception as error:  # noqa: BLE001 - reported below
                errors.append(error)
            finally:
                db.session.remove()

    threads = [threading.Thread(target=job) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert not errors
    assert sorted(results) == [False, True]
    assert count() == 1


@pytest.mark.parametrize(("field", "value"), [
    ("to", "not an address"), ("to", ""), ("subject", "Line one\nBcc: victim@example.org"), ("subject", " "),
    ("sender_name", "Name\r\nBcc: x@example.org"), ("text", ""), ("html", "  "), ("subject", "x" * 256),
])
def test_queue_refuses_what_cannot_be_an_email(app, field, value):
    with pytest.raises(ValueError):
        queue(**{field: value})


def test_addresses_are_normalised(app):
    assert queue(to="Person@Council.Example.ORG").to_address == "Person@council.example.org"


# --- the schedule --------------------------------------------------------------------------------


def test_backoff_doubles_from_the_base_and_stops_at_twelve_hours():
    base = timedelta(minutes=5)
    assert [mail.backoff_delay(n, base) for n in range(1, 6)] == [
        timedelta(minutes=5), timedelta(minutes=10), timedelta(minutes=20), timedelta(minutes=40),
        timedelta(minutes=80)]
    assert mail.backoff_delay(40, base) == timedelta(hours=12)
    assert mail.backoff_delay(10**6, base) == timedelta(hours=12)


def test_settings_are_checked(app):
    with pytest.raises(mail.MailConfigError, match="MAIL_SECURITY"):
        mail.MailSettings.from_config({"MAIL_HOST": "smtp.example.org", "MAIL_SECURITY": "tls"})
    with pytest.raises(mail.MailConfigError, match="MAIL_FROM"):
        mail.MailSettings.from_config({"MAIL_HOST": "smtp.example.org"})
    with pytest.raises(mail.MailConfigError, match="MAIL_FROM"):
        mail.MailSettings.from_config({"MAIL_HOST": "smtp.example.org", "MAIL_FROM": "nobody"})
    settings = mail.MailSettings.from_config({"MAIL_HOST": "smtp.example.org", "MAIL_FROM": "a@example.org",
                                              "MAIL_SECURITY": "SSL"})
    assert (settings.port, settings.security, settings.max_attempts, settings.backoff) == (
        465, "ssl", 6, timedelta(minutes=5))
    assert mail.MailSettings.from_config({"MAIL_HOST": "h", "MAIL_FROM": "a@example.org"}).port == 587
    assert mail.MailSettings.from_config({"MAIL_HOST": "h", "MAIL_FROM": "a@example.org",
                                          "MAIL_SECURITY": "none", "MAIL_PORT": 2525}).port == 2525


# --- without SMTP ----------------------------------------------------------------------------------


def test_without_mail_host_nothing_is_sent_and_messages_wait(app, monkeypatch):
    monkeypatch.setitem(app.config, "MAIL_HOST", None)
    queue(1), queue(2)
    db.session.commit()
    summary = mail.deliver_due(NOW + timedelta(days=1))
    assert not summary.configured
    assert (summary.sent, summary.waiting) == (0, 2)
    assert count(status=Status.PENDING, attempts=0) == 2


def test_a_server_that_cannot_be_reached_costs_no_message_an_attempt(app, monkeypatch):
    from tests.mail.conftest import free_port

    for key, value in {"MAIL_HOST": "127.0.0.1", "MAIL_PORT": free_port(), "MAIL_SECURITY": "none",
                       "MAIL_FROM": "noreply@tracker.example.org", "MAIL_TIMEOUT_SECONDS": 2}.items():
        monkeypatch.setitem(app.config, key, value)
    queue(1), queue(2)
    db.session.commit()
    summary = mail.deliver_due(NOW)
    assert summary.error and "could not connect" in summary.error
    assert (summary.sent, summary.failed, summary.waiting) == (0, 0, 2)
    assert count(status=Status.PENDING, attempts=0) == 2


def test_nothing_due_opens_no_connection(app, monkeypatch):
    monkeypatch.setitem(app.config, "MAIL_HOST", "192.0.2.1")  # TEST-NET: connecting would hang, then fail
    monkeypatch.setitem(app.config, "MAIL_FROM", "noreply@tracker.example.org")
    monkeypatch.setitem(app.config, "MAIL_TIMEOUT_SECONDS", 1)
    queue(1)
    db.session.commit()
    summary = mail.deliver_due(NOW - timedelta(minutes=1))  # before it was queued
    assert (summary.error, summary.sent, summary.waiting) == (None, 0, 1)


def test_a_message_interrupted_mid_send_is_failed_and_never_sent_again(app, smtp_server):
    """A sender that died while "sending" may have delivered: after its lease, the message fails."""
    recorder, _server = smtp_server()
    message = queue(1)
    db.session.commit()
    db.session.execute(update(OutboxMessage).values(status=Status.SENDING, claim_token="dead", attempts=1,
                                                         lease_until_dt=NOW + mail.LEASE))
    db.session.commit()
    summary = mail.deliver_due(NOW + mail.LEASE - timedelta(seconds=1))  # the lease still holds
    assert (summary.sent, summary.failed) == (0, 0)
    summary = mail.deliver_due(NOW + mail.LEASE)
    assert (summary.sent, summary.failed) == (0, 1)
    db.session.refresh(message)
    assert message.status == Status.FAILED and message.last_error == mail.INTERRUPTED
    assert mail.deliver_due(NOW + timedelta(days=1)).sent == 0
    assert recorder.received == []
