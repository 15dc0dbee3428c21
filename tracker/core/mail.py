"""Email: an outbox written with the change that causes it, then delivered over SMTP by a separate step.

Every feature that sends mail calls :func:`queue`. It only *adds* a row to the current SQLAlchemy session
(or, with a ``dedupe_key``, inserts it in the session's transaction); it never commits. The message is
therefore written in the same transaction as the change that causes it — the invitation, the reminder,
the new account — and a rollback of that change leaves no message behind. Nothing is sent at this point.

:func:`deliver_due` (``flask --app wsgi tracker send-mail``, or the scheduler) sends what is due. Each
message is *claimed* before it is sent, by one conditional ``UPDATE … WHERE status = 'pending'`` in a
transaction of its own: on PostgreSQL a second process waits on the row lock and then finds the row no
longer pending; on SQLite the write lock serialises the two. Only the process whose update changed the
row sends it, so two delivery processes at once never send a message twice. A claimed message carries
a lease; one still "sending" when its lease runs out (its process died mid-send) is marked failed as
"interrupted", never sent again automatically, because it may already have gone.

A refusal the server says is temporary (4xx), a dropped connection or a timeout is tried again later,
after ``MAIL_BACKOFF_SECONDS`` × 2^(attempts − 1), until ``MAIL_MAX_ATTEMPTS``; a permanent refusal
(5xx) fails at once. A failure to connect or sign in to the server is nobody's message's fault: the run
stops and claims nothing, and the messages wait for the next run.

With no ``MAIL_HOST`` nothing is sent and messages stay pending; site administrators read them under
Accounts → Email outbox (``tracker.accounts.outbox``) and can copy a link from one by hand.
"""

import secrets
import smtplib
import ssl
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid
from enum import StrEnum

from email_validator import EmailNotValidError, validate_email
from flask import current_app
from sqlalchemy import Index, String, Text, func, select, update
from sqlalchemy.orm import Mapped, mapped_column

from tracker.core.db import insert, str_enum, utcnow
from tracker.extensions import db

#: How long a claimed message may stay "sending" before it counts as interrupted. Far longer than one
#: SMTP conversation can take (each network step times out after ``MAIL_TIMEOUT_SECONDS``).
LEASE = timedelta(minutes=15)
#: The longest wait between two attempts, however many attempts are allowed.
MAX_BACKOFF = timedelta(hours=12)
#: How much of an error is kept.
ERROR_CHARS = 500
INTERRUPTED = "Interrupted while sending; it may or may not have been delivered, so it is not sent again"


class Status(StrEnum):
    PENDING = "pending"
    SENDING = "sending"  # claimed by a delivery process, which is talking to the server
    SENT = "sent"
    FAILED = "failed"


class OutboxMessage(db.Model):
    """One email, as written by the feature that sends it, with its delivery state."""

    __tablename__ = "outbox_message"
    __table_args__ = (Index("ix_outbox_message_status_next_attempt_dt", "status", "next_attempt_dt"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    to_address: Mapped[str] = mapped_column(String(254))
    subject: Mapped[str] = mapped_column(String(255))
    text_body: Mapped[str] = mapped_column(Text)
    html_body: Mapped[str] = mapped_column(Text)
    #: The name the message comes from (usually the programme's); the address is ``MAIL_FROM``.
    sender_name: Mapped[str] = mapped_column(String(120))
    #: What sent it ("survey_invitation", "checkin_reminder" …), for the outbox page and for tests.
    kind: Mapped[str] = mapped_column(String(40))
    #: Set by a job that must write a message at most once (e.g. "job:subject:due moment"): unique.
    dedupe_key: Mapped[str | None] = mapped_column(String(255), unique=True)
    created_dt: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    status: Mapped[Status] = mapped_column(str_enum(Status), default=Status.PENDING)
    attempts: Mapped[int] = mapped_column(default=0)
    #: Not sent before this moment (UTC); moved on after each failed attempt.
    next_attempt_dt: Mapped[datetime] = mapped_column(default=utcnow)
    #: While "sending": the claim's owner and when the claim runs out.
    claim_token: Mapped[str | None] = mapped_column(String(32))
    lease_until_dt: Mapped[datetime | None]
    last_error: Mapped[str | None] = mapped_column(String(ERROR_CHARS))
    sent_dt: Mapped[datetime | None]

    def __repr__(self) -> str:
        return f"<OutboxMessage {self.id} {self.kind} {self.status}>"


# --- writing -------------------------------------------------------------------------------------


def _one_line(name: str, value: str, limit: int) -> str:
    value = (value or "").strip()
    if "\r" in value or "\n" in value:
        raise ValueError(f"{name} must be one line")
    if len(value) > limit:
        raise ValueError(f"{name} is longer than {limit} characters")
    return value


def queue(*, to: str, subject: str, text: str, html: str, sender_name: str, kind: str,
          dedupe_key: str | None = None, now: datetime | None = None) -> OutboxMessage | None:
    """Put one email in the outbox, in the current transaction; the caller's commit writes it.

    It is added to ``db.session`` and not committed: call it in the same transaction as the change that
    causes the message, so that both are written or neither is. It is due at once (the next delivery
    run sends it).

    With a ``dedupe_key`` the row is inserted straight away (still uncommitted) with "on conflict do
    nothing": if a message with that key exists — or another transaction is writing one — nothing is
    added and ``None`` is returned, so a job that runs twice writes its message once.

    Raises ``ValueError`` for an address that is not an email address, a header of more than one line,
    or an empty subject or body.
    """
    try:
        address = validate_email(to, check_deliverability=False).normalized
    except EmailNotValidError as error:
        raise ValueError(f"not an email address: {to!r}") from error
    subject = _one_line("subject", subject, 255)
    sender_name = _one_line("sender name", sender_name, 120)
    if not subject or not (text or "").strip() or not (html or "").strip():
        raise ValueError("an email needs a subject, a text body and an HTML body")
    now = now or utcnow()
    values = {"to_address": address, "subject": subject, "text_body": text, "html_body": html,
              "sender_name": sender_name, "kind": _one_line("kind", kind, 40), "dedupe_key": dedupe_key,
              "created_dt": now, "next_attempt_dt": now, "status": Status.PENDING, "attempts": 0}
    if dedupe_key is None:
        message = OutboxMessage(**values)
        db.session.add(message)
        return message
    held = _held.get()
    if held is not None:  # written with the rest of the batch (see batched())
        if dedupe_key in held:
            return None
        held[dedupe_key] = values
        return OutboxMessage(**values)
    new_id = db.session.execute(_insert_once().values(**values).returning(OutboxMessage.id)).scalar()
    return None if new_id is None else db.session.get(OutboxMessage, new_id)


def _insert_once():
    return insert(OutboxMessage).on_conflict_do_nothing(index_elements=["dedupe_key"])


#: Messages with a dedupe key held for one multi-row insert, inside batched().
_held: ContextVar[dict | None] = ContextVar("outbox_held", default=None)


@contextmanager
def batched() -> Iterator[None]:
    """Hold the messages queued with a ``dedupe_key`` inside and write them, at the end, in one multi-row
    ``INSERT … ON CONFLICT DO NOTHING`` (still in the caller's transaction), so a job that writes a notice to
    each of many people makes one statement, not one each.

    Inside, :func:`queue` returns an unsaved message for a key it has not been given before in the batch
    (``None`` for a repeat); a key written by an earlier transaction is left out at the end, as ever. The
    scheduler's jobs run one at a time per job (``tracker.scheduler.registry``), so nothing else writes
    their keys meanwhile. Nothing is written if the block raises.
    """
    token = _held.set({})
    try:
        yield
        rows = list(_held.get().values())
        if rows:
            db.session.execute(_insert_once(), rows)
    finally:
        _held.reset(token)


# --- settings --------------------------------------------------------------------------------------


class MailConfigError(RuntimeError):
    """The SMTP settings cannot work (an unknown MAIL_SECURITY, no MAIL_FROM …)."""


SECURITY = ("none", "starttls", "ssl")
DEFAULT_PORTS = {"none": 25, "starttls": 587, "ssl": 465}


@dataclass(frozen=True)
class MailSettings:
    host: str | None
    port: int
    security: str
    username: str | None
    password: str | None
    from_address: str
    max_attempts: int
    backoff: timedelta
    timeout: float
    #: A CA bundle trusted instead of the system's (a relay with an internal certificate).
    ca_file: str | None = None

    @classmethod
    def from_config(cls, config) -> "MailSettings":
        """Read the ``MAIL_*`` settings (``tracker.config``); raise ``MailConfigError`` if they cannot work."""
        host = (config.get("MAIL_HOST") or "").strip() or None
        security = (config.get("MAIL_SECURITY") or "starttls").strip().lower()
        if security not in SECURITY:
            raise MailConfigError(f"MAIL_SECURITY must be one of {', '.join(SECURITY)}, not {security!r}")
        from_address = (config.get("MAIL_FROM") or "").strip()
        if host:
            if not from_address:
                raise MailConfigError("MAIL_HOST is set but MAIL_FROM is not: set the address mail comes from")
            try:
                from_address = validate_email(from_address, check_deliverability=False).normalized
            except EmailNotValidError as error:
                raise MailConfigError(f"MAIL_FROM is not an email address: {from_address!r}") from error
        max_attempts = int(config.get("MAIL_MAX_ATTEMPTS") or 6)
        backoff = int(config.get("MAIL_BACKOFF_SECONDS") or 300)
        if max_attempts < 1 or backoff < 1:
            raise MailConfigError("MAIL_MAX_ATTEMPTS and MAIL_BACKOFF_SECONDS must be at least 1")
        return cls(host=host, port=int(config.get("MAIL_PORT") or DEFAULT_PORTS[security]), security=security,
                   username=config.get("MAIL_USERNAME") or None, password=config.get("MAIL_PASSWORD") or None,
                   from_address=from_address, max_attempts=max_attempts, backoff=timedelta(seconds=backoff),
                   timeout=float(config.get("MAIL_TIMEOUT_SECONDS") or 30),
                   ca_file=config.get("MAIL_CA_FILE") or None)

    def connect(self) -> smtplib.SMTP:
        """An open, signed-in SMTP connection (``OSError`` or ``smtplib.SMTPException`` if not)."""
        context = ssl.create_default_context(cafile=self.ca_file)  # certificates and host names checked
        if self.security == "ssl":
            connection = smtplib.SMTP_SSL(self.host, self.port, timeout=self.timeout, context=context)
        else:
            connection = smtplib.SMTP(self.host, self.port, timeout=self.timeout)
        try:
            if self.security == "starttls":
                connection.starttls(context=context)
            if self.username:
                connection.login(self.username, self.password or "")
        except BaseException:
            connection.close()
            raise
        return connection


def backoff_delay(attempts: int, base: timedelta) -> timedelta:
    """The wait after the ``attempts``-th failed attempt: base, 2 × base, 4 × base … at most 12 hours."""
    return min(base * (2 ** min(max(attempts - 1, 0), 30)), MAX_BACKOFF)


def build_email(message: "OutboxMessage | Claimed", settings: MailSettings, now: datetime) -> EmailMessage:
    """The message as sent: plain text and HTML alternatives, from "<sender name> <MAIL_FROM>"."""
    email = EmailMessage()
    domain = settings.from_address.rpartition("@")[2]
    username = settings.from_address.rpartition("@")[0]
    email["Subject"] = message.subject
    email["From"] = Address(display_name=message.sender_name, username=username, domain=domain)
    email["To"] = message.to_address
    email["Date"] = format_datetime(now.astimezone(UTC) if now.tzinfo else now.replace(tzinfo=UTC))
    email["Message-ID"] = make_msgid(idstring=f"outbox.{message.id}", domain=domain)
    email["Auto-Submitted"] = "auto-generated"  # RFC 3834: out-of-office replies stay quiet
    email.set_content(message.text_body)
    email.add_alternative(message.html_body, subtype="html")
    return email


# --- delivering ----------------------------------------------------------------------------------


@dataclass
class Summary:
    """What one delivery run did."""

    configured: bool = True
    sent: int = 0
    failed: int = 0  # given up on in this run (permanent refusal, last attempt, or interrupted)
    retrying: int = 0  # refused for now in this run; tried again later
    waiting: int = 0  # pending after the run (not yet due, or to be retried)
    error: str | None = None  # why the run stopped early (could not connect or sign in)

    def __str__(self) -> str:
        return f"Sent {self.sent}, failed {self.failed}, will retry {self.retrying}, waiting {self.waiting}."


class _Unsendable(Exception):
    """The message cannot be turned into an email (a header the library refuses)."""


#: Errors after which the SMTP conversation can go on with the next message.
REFUSALS = (smtplib.SMTPRecipientsRefused, smtplib.SMTPSenderRefused, smtplib.SMTPDataError, _Unsendable)


def _permanent(error: BaseException) -> bool:
    """A refusal the server says is final (5xx), or a message that cannot be built."""
    if isinstance(error, _Unsendable):
        return True
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        return all(code >= 500 for code, _ in error.recipients.values())
    code = getattr(error, "smtp_code", None)
    return isinstance(code, int) and code >= 500


def _describe(error: BaseException) -> str:
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        text = "; ".join(f"{code} {reply.decode(errors='replace')}" for code, reply in error.recipients.values())
    elif isinstance(error, smtplib.SMTPResponseException):
        reply = error.smtp_error.decode(errors="replace") if isinstance(error.smtp_error, bytes) else error.smtp_error
        text = f"{error.smtp_code} {reply}"
    else:
        text = f"{type(error).__name__}: {error}"
    return " ".join(text.split())[:ERROR_CHARS]


def pending_count() -> int:
    return db.session.scalar(select(func.count()).select_from(OutboxMessage)
                             .where(OutboxMessage.status == Status.PENDING)) or 0


def _expire_leases(now: datetime) -> int:
    """Messages whose sender died mid-send: failed, never sent again (they may have gone)."""
    result = db.session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.status == Status.SENDING, OutboxMessage.lease_until_dt <= now)
        .values(status=Status.FAILED, last_error=INTERRUPTED, lease_until_dt=None)
        .execution_options(synchronize_session=False))
    db.session.commit()
    return result.rowcount


def _due_ids(now: datetime, limit: int) -> list[int]:
    ids = list(db.session.scalars(
        select(OutboxMessage.id)
        .where(OutboxMessage.status == Status.PENDING, OutboxMessage.next_attempt_dt <= now)
        .order_by(OutboxMessage.next_attempt_dt, OutboxMessage.id).limit(limit)))
    db.session.commit()  # end the read, so each claim's transaction starts with its write
    return ids


@dataclass(frozen=True)
class Claimed:
    """A claimed message as plain values: sending it reads nothing more from the database, so the write
    that records the outcome starts its own transaction (on SQLite a read first could not turn into a
    write after another process's write)."""

    id: int
    to_address: str
    subject: str
    text_body: str
    html_body: str
    sender_name: str
    attempts: int


def _claim(message_id: int, token: str, now: datetime) -> Claimed | None:
    """Mark one due message "sending" for this run, or ``None`` if another run has it (or sent it)."""
    result = db.session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.id == message_id, OutboxMessage.status == Status.PENDING,
               OutboxMessage.next_attempt_dt <= now)
        .values(status=Status.SENDING, claim_token=token, lease_until_dt=now + LEASE,
                attempts=OutboxMessage.attempts + 1)
        .execution_options(synchronize_session=False))
    db.session.commit()
    if result.rowcount != 1:
        return None
    row = db.session.execute(select(*(getattr(OutboxMessage, name) for name in Claimed.__dataclass_fields__))
                             .where(OutboxMessage.id == message_id)).one()
    db.session.commit()
    return Claimed(*row)


def _record(message: Claimed, token: str, **values) -> None:
    """Write the outcome of this run's attempt. The claim token, not the status, picks the row: a send
    that succeeded after its lease ran out is still recorded as sent, which is the truth."""
    db.session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.id == message.id, OutboxMessage.claim_token == token)
        .values(claim_token=None, lease_until_dt=None, **values)
        .execution_options(synchronize_session=False))
    db.session.commit()


def deliver_due(now: datetime | None = None, *, limit: int = 1000, settings: MailSettings | None = None) -> Summary:
    """Send the messages that are due at ``now`` (UTC, naive), at most ``limit`` of them.

    Each message is claimed in the database before it is sent, so two runs at once send it once. With no
    ``MAIL_HOST`` nothing is sent and the summary says so (``configured`` is false). Raises
    ``MailConfigError`` for settings that cannot work.
    """
    now = now or utcnow()
    settings = settings or MailSettings.from_config(current_app.config)
    summary = Summary(configured=bool(settings.host))
    db.session.commit()  # start from a clean transaction: the claims below commit
    if settings.host:
        summary.failed += _expire_leases(now)
        _deliver(now, limit, settings, summary)
    summary.waiting = pending_count()
    db.session.commit()
    return summary


def _deliver(now: datetime, limit: int, settings: MailSettings, summary: Summary) -> None:
    token = secrets.token_hex(16)
    connection = None
    done = 0
    try:
        while done < limit:
            ids = _due_ids(now, min(50, limit - done))
            if not ids:
                return
            for message_id in ids:
                if connection is None:
                    try:
                        connection = settings.connect()
                    except (OSError, smtplib.SMTPException) as error:
                        # Nothing is claimed yet: the messages wait for the next run, attempts unchanged.
                        summary.error = f"could not connect to {settings.host}:{settings.port}: {_describe(error)}"
                        return
                message = _claim(message_id, token, now)
                if message is None:
                    continue  # another run has it
                done += 1
                try:
                    try:
                        email = build_email(message, settings, now)
                    except (ValueError, TypeError) as error:
                        raise _Unsendable(str(error)) from error
                    connection.send_message(email, from_addr=settings.from_address, to_addrs=[message.to_address])
                except (OSError, smtplib.SMTPException, _Unsendable) as error:
                    _failed(message, token, error, now, settings, summary)
                    # After a refusal smtplib has reset the conversation; after anything else (a dropped
                    # connection, a timeout) its state is unknown, so the next message gets a new one.
                    if not isinstance(error, REFUSALS):
                        connection = _close(connection)
                else:
                    _record(message, token, status=Status.SENT, sent_dt=now, last_error=None)
                    summary.sent += 1
                if done >= limit:
                    return
    finally:
        _close(connection)


def _failed(message: Claimed, token: str, error: BaseException, now: datetime, settings: MailSettings,
            summary: Summary) -> None:
    if _permanent(error) or message.attempts >= settings.max_attempts:
        _record(message, token, status=Status.FAILED, last_error=_describe(error))
        summary.failed += 1
    else:
        _record(message, token, status=Status.PENDING, last_error=_describe(error),
                next_attempt_dt=now + backoff_delay(message.attempts, settings.backoff))
        summary.retrying += 1


def _close(connection: smtplib.SMTP | None) -> None:
    if connection is not None:
        try:
            connection.quit()
        except (OSError, smtplib.SMTPException):
            connection.close()
    return None
