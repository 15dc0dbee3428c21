"""``flask tracker send-mail``: one delivery run, and what it says."""

from datetime import timedelta

from tests.mail.test_outbox import NOW, count, queue
from tracker.core.mail import Status
from tracker.extensions import db


def test_send_mail_without_mail_host_says_so_and_sends_nothing(app, runner, monkeypatch):
    monkeypatch.setitem(app.config, "MAIL_HOST", None)
    queue(1), queue(2)
    db.session.commit()
    result = runner.invoke(args=["tracker", "send-mail"])
    assert result.exit_code == 0, result.output
    assert "MAIL_HOST is not set: nothing sent. 2 messages wait in the outbox" in result.output
    assert count(status=Status.PENDING, attempts=0) == 2


def test_send_mail_delivers_what_is_due_at_the_moment_given(app, runner, smtp_server):
    recorder, _server = smtp_server()
    recorder.refuse = 1
    queue(1), queue(2), queue(3, now=NOW + timedelta(hours=2))
    db.session.commit()
    result = runner.invoke(args=["tracker", "send-mail", "--now", "2026-12-01T09:30:00+00:00"])
    assert result.exit_code == 0, result.output
    assert result.output.strip() == "Sent 1, failed 0, will retry 1, waiting 2."
    # A time with a zone is converted to UTC: 11:00 in UK winter time is 11:00 UTC, after the retry is due.
    result = runner.invoke(args=["tracker", "send-mail", "--now", "2026-12-01T11:00:00"])
    assert result.output.strip() == "Sent 2, failed 0, will retry 0, waiting 0."
    assert sorted(recorder.subjects()) == ["Survey invitation 1", "Survey invitation 2", "Survey invitation 3"]


def test_send_mail_refuses_a_bad_moment_and_bad_settings(app, runner, monkeypatch):
    result = runner.invoke(args=["tracker", "send-mail", "--now", "tomorrow"])
    assert result.exit_code == 2 and "not an ISO date and time" in result.output
    monkeypatch.setitem(app.config, "MAIL_HOST", "smtp.example.org")
    monkeypatch.setitem(app.config, "MAIL_FROM", None)
    result = runner.invoke(args=["tracker", "send-mail"])
    assert result.exit_code == 1 and "MAIL_FROM" in result.output


def test_send_mail_fails_when_the_server_cannot_be_reached(app, runner, monkeypatch):
    from tests.mail.conftest import free_port

    for key, value in {"MAIL_HOST": "127.0.0.1", "MAIL_PORT": free_port(), "MAIL_SECURITY": "none",
                       "MAIL_FROM": "noreply@tracker.example.org"}.items():
        monkeypatch.setitem(app.config, key, value)
    queue(1)
    db.session.commit()
    result = runner.invoke(args=["tracker", "send-mail", "--now", "2026-12-01T10:00"])
    assert result.exit_code == 1
    assert "Sent 0, failed 0, will retry 0, waiting 1." in result.output
    assert "Stopped: could not connect to 127.0.0.1" in result.output
