"""Delivery against a real SMTP server (aiosmtpd on loopback): what arrives, retries, and "sent once"."""

import threading
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from tests.mail.conftest import PASSWORD, USERNAME, server_tls_context
from tests.mail.test_outbox import NOW, count, queue
from tracker.core import mail
from tracker.core.mail import OutboxMessage, Status
from tracker.extensions import db


def test_a_message_arrives_as_plain_text_and_html_from_the_programme(app, smtp_server):
    recorder, _server = smtp_server()
    message = queue(1, sender_name="Housing improvement programme — Cymru", subject="Staff survey: wave 2 is open",
                    text="Answer here: https://tracker.example.org/s/abc\nDiolch.\n",
                    html='<p>Answer <a href="https://tracker.example.org/s/abc">here</a>. Diolch.</p>')
    db.session.commit()
    summary = mail.deliver_due(NOW)
    assert (summary.sent, summary.failed, summary.retrying, summary.waiting, summary.error) == (1, 0, 0, 0, None)

    (received,) = recorder.received
    assert received.mail_from == "noreply@tracker.example.org"
    assert received.rcpt_tos == ["person1@council.example.org"]
    email = received.message
    assert email["Subject"] == "Staff survey: wave 2 is open"
    assert email["From"].addresses[0].display_name == "Housing improvement programme — Cymru"
    assert email["From"].addresses[0].addr_spec == "noreply@tracker.example.org"
    assert email["To"] == "person1@council.example.org"
    assert email["Auto-Submitted"] == "auto-generated"
    assert email["Message-ID"].endswith("@tracker.example.org>")
    assert email.get_content_type() == "multipart/alternative"
    assert email.get_body(("plain",)).get_content().replace("\r\n", "\n") == "Answer here: https://tracker.example.org/s/abc\nDiolch.\n"
    assert 'href="https://tracker.example.org/s/abc"' in email.get_body(("html",)).get_content()

    db.session.refresh(message)
    assert (message.status, message.attempts, message.sent_dt, message.last_error, message.claim_token) == (
        Status.SENT, 1, NOW, None, None)


def test_a_sent_message_is_never_sent_again(app, smtp_server):
    recorder, _server = smtp_server()
    queue(1), queue(2)
    db.session.commit()
    assert mail.deliver_due(NOW).sent == 2
    for later in (NOW, NOW + timedelta(hours=1), NOW + timedelta(days=30)):
        assert mail.deliver_due(later).sent == 0
    assert sorted(recorder.subjects()) == ["Survey invitation 1", "Survey invitation 2"]


def test_a_message_not_yet_due_waits(app, smtp_server):
    recorder, _server = smtp_server()
    queue(1)
    db.session.commit()
    summary = mail.deliver_due(NOW - timedelta(seconds=1))
    assert (summary.sent, summary.waiting) == (0, 1)
    assert recorder.received == []


def test_a_server_that_refuses_twice_gets_the_message_on_the_third_attempt(app, smtp_server):
    recorder, _server = smtp_server()
    recorder.refuse = 2  # "451 try again" twice, then accept
    message = queue(1)
    db.session.commit()

    summary = mail.deliver_due(NOW)
    assert (summary.sent, summary.retrying, summary.waiting) == (0, 1, 1)
    db.session.refresh(message)
    assert (message.status, message.attempts) == (Status.PENDING, 1)
    assert message.last_error == "451 4.3.0 Try again later"
    assert message.next_attempt_dt == NOW + timedelta(minutes=5)

    assert mail.deliver_due(NOW + timedelta(minutes=4)).sent == 0  # not due yet: no attempt
    assert recorder.data_commands == 1

    second = NOW + timedelta(minutes=5)
    assert mail.deliver_due(second).retrying == 1
    db.session.refresh(message)
    assert (message.attempts, message.next_attempt_dt) == (2, second + timedelta(minutes=10))

    third = second + timedelta(minutes=10)
    summary = mail.deliver_due(third)
    assert (summary.sent, summary.retrying, summary.waiting) == (1, 0, 0)
    db.session.refresh(message)
    assert (message.status, message.attempts, message.sent_dt, message.last_error) == (Status.SENT, 3, third, None)
    assert recorder.subjects() == ["Survey invitation 1"]
    assert recorder.data_commands == 3


def test_after_the_last_attempt_the_message_fails_with_the_error(app, smtp_server, monkeypatch):
    recorder, _server = smtp_server()
    monkeypatch.setitem(app.config, "MAIL_MAX_ATTEMPTS", 3)
    recorder.refuse = 100
    message = queue(1)
    db.session.commit()
    moment, schedule = NOW, []
    for _attempt in range(3):
        summary = mail.deliver_due(moment)
        db.session.refresh(message)
        schedule.append((message.status, message.attempts))
        moment = message.next_attempt_dt
    assert schedule == [(Status.PENDING, 1), (Status.PENDING, 2), (Status.FAILED, 3)]
    assert (summary.failed, summary.waiting) == (1, 0)
    assert message.last_error == "451 4.3.0 Try again later"
    assert mail.deliver_due(NOW + timedelta(days=10)).sent == 0
    assert recorder.data_commands == 3 and recorder.received == []


def test_a_permanent_refusal_fails_at_once_and_the_others_still_go(app, smtp_server):
    recorder, _server = smtp_server()
    recorder.unknown = {"person1@council.example.org"}
    refused, accepted = queue(1), queue(2)
    db.session.commit()
    summary = mail.deliver_due(NOW)
    assert (summary.sent, summary.failed, summary.retrying) == (1, 1, 0)
    db.session.refresh(refused)
    db.session.refresh(accepted)
    assert (refused.status, refused.attempts) == (Status.FAILED, 1)
    assert refused.last_error.startswith("550 5.1.1 No such user here")
    assert accepted.status == Status.SENT
    assert recorder.subjects() == ["Survey invitation 2"]


@pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS:UserWarning")
def test_signing_in_to_the_server(app, smtp_server, monkeypatch):
    recorder, _server = smtp_server(authenticate=True, auth_required=True)
    monkeypatch.setitem(app.config, "MAIL_USERNAME", USERNAME)
    monkeypatch.setitem(app.config, "MAIL_PASSWORD", "wrong-password")
    queue(1)
    db.session.commit()
    summary = mail.deliver_due(NOW)
    assert summary.error and "535" in summary.error
    assert count(status=Status.PENDING, attempts=0) == 1  # the settings' fault, not the message's

    monkeypatch.setitem(app.config, "MAIL_PASSWORD", PASSWORD)
    assert mail.deliver_due(NOW).sent == 1
    assert recorder.subjects() == ["Survey invitation 1"]


def _at_once(app, runs: int, now) -> list[mail.Summary]:
    """``runs`` delivery processes (threads, each with its own session and SMTP connection), started together."""
    barrier = threading.Barrier(runs)
    summaries, errors = [], []

    def deliver():
        with app.app_context():
            try:
                barrier.wait()
                summaries.append(mail.deliver_due(now))
            except Exception as error:  # noqa: BLE001 - reported below
                errors.append(error)
            finally:
                db.session.remove()

    threads = [threading.Thread(target=deliver) for _ in range(runs)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert not errors, errors
    assert len(summaries) == runs
    return summaries


def test_two_deliveries_at_once_send_each_message_once(app, smtp_server):
    recorder, _server = smtp_server()
    recorder.refuse = 3  # three refusals in the mix: those are retried, by whichever run gets them
    for n in range(40):
        queue(n)
    db.session.commit()

    summaries = _at_once(app, 2, NOW)
    assert sum(s.sent for s in summaries) == 37
    assert sum(s.retrying for s in summaries) == 3
    assert all(s.sent for s in summaries), "both runs took part"

    summaries = _at_once(app, 2, NOW + timedelta(minutes=5))
    assert sum(s.sent for s in summaries) == 3
    assert _at_once(app, 2, NOW + timedelta(days=1))[0].sent == 0

    subjects = recorder.subjects()
    assert len(subjects) == 40 and len(set(subjects)) == 40
    assert count(status=Status.SENT) == 40
    assert db.session.scalar(select(func.sum(OutboxMessage.attempts))) == 43


@pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS:UserWarning")
@pytest.mark.parametrize("security", ["starttls", "ssl"])
def test_over_tls_the_certificate_is_checked_and_the_password_goes_encrypted(app, smtp_server, certificate,
                                                                             monkeypatch, security):
    context = server_tls_context(certificate)
    if security == "starttls":
        recorder, _server = smtp_server(authenticate=True, tls_context=context, require_starttls=True)
    else:
        recorder, _server = smtp_server(authenticate=True, ssl_context=context)
    for key, value in {"MAIL_SECURITY": security, "MAIL_USERNAME": USERNAME, "MAIL_PASSWORD": PASSWORD}.items():
        monkeypatch.setitem(app.config, key, value)
    queue(1)
    db.session.commit()

    summary = mail.deliver_due(NOW)  # the system's CAs do not know a self-signed certificate
    assert summary.error and "CERTIFICATE_VERIFY_FAILED" in summary.error
    assert count(status=Status.PENDING, attempts=0) == 1

    monkeypatch.setitem(app.config, "MAIL_CA_FILE", certificate[0])
    summary = mail.deliver_due(NOW)
    assert (summary.sent, summary.error) == (1, None)
    assert recorder.subjects() == ["Survey invitation 1"]
