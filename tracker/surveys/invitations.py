"""Invitations to a wave: pasted addresses checked, one-use links made and emailed, reminders, counts, the
shared link, and the addresses forgotten once the wave has closed.

- **Checking** (:func:`check_addresses`) splits a paste on new lines, commas and semicolons ("Jane Smith
  <jane@council.gov.uk>" as an address book copies it is read too), and sorts each address into new,
  repeated, not an email address (email-validator, no DNS look-up) or already invited to the wave.
  Addresses are compared and stored in lower case. Nothing is written: the person sees the preview first.
- **Inviting** (:func:`invite`) writes one :class:`Invitation` per new address. While the wave is open
  (and a facilitator has not held the organisation back) each gets a fresh one-use token, of which only
  the hash is kept, and one email (``tracker.core.mail``) in the same transaction; the link is in that
  message and nowhere else. Before the wave opens, or while held back, the addresses are only *listed*
  (``sent`` false): the opening day's job (:mod:`tracker.surveys.jobs`) sends them with
  :func:`send_listed`, so nobody gets a link days before it works.
- **Holding back** (:func:`hold_back`): a facilitator stops an organisation's invitations and reminders
  going out by themselves, and releases them again.
- **Reminders** (:func:`remind`) go only to invitations sent and without a use, at most one a day each. A
  token is stored only as its hash, so a reminder carries a new link and the old one stops working.
- **Counts** (:func:`wave_counts`): invited, answered and the response rate per organisation; never who.
- **Shared link** (:func:`make_shared_link`): an organisation may answer through one link instead; its
  responses are then not limited to one per person.
- **Forgetting** (:func:`forget_addresses`): once a wave has closed its invitations' addresses are
  deleted, with the invitation emails in the outbox; the counts stay.

The messages in the outbox carry a ``dedupe_key`` that starts ``survey-wave:<wave id>:``, so that they can
be found (and deleted) with their wave.
"""

import random
import re
from dataclasses import dataclass, field
from datetime import date

from email_validator import EmailNotValidError, validate_email
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import bindparam, delete, func, insert, select, text, update

from tracker.core import clock, email_render, mail, secrets
from tracker.core.db import utcnow
from tracker.core.formats import uk_date
from tracker.extensions import db
from tracker.programmes.models import Organisation
from tracker.surveys import waves
from tracker.surveys.models import Answer, Invitation, InvitationUse, Response, Survey, Wave, WaveOrganisation

#: The most addresses one paste may hold (a large council's whole staff fits in a few pastes).
MAX_ADDRESSES = 2_000
#: The paste's limit in characters, stated in its hint.
MAX_PASTE = 100_000
#: What the outbox calls these messages.
INVITATION_KIND, REMINDER_KIND = "survey_invitation", "survey_reminder"
#: Shuffles a closed wave's responses (see :func:`_rewrite_responses`): from the system's randomness.
_RANDOM = random.SystemRandom()

#: One item of a paste: up to a new line, comma or semicolon, except inside double quotes (a name such as
#: "Smith, Jane" <jane@council.gov.uk>, as an address book copies it).
_ITEM = re.compile(r'(?:"[^"\r\n]*"|[^,;\r\n"]|")+')
_NAMED = re.compile(r"^[^<>]*<([^<>]+)>$")


class InvitationError(ValueError):
    """A rule about invitations was broken (the wave has closed …); the message is shown to the person."""


# --- addresses -----------------------------------------------------------------------------------


def split_addresses(pasted: str) -> list[str]:
    """The items of a paste, trimmed, blanks left out, in the order pasted: one a line, or separated by
    commas or semicolons; ``"Smith, Jane" <jane@council.gov.uk>`` gives the address between the brackets."""
    items = []
    for item in _ITEM.findall(pasted or ""):
        item = item.strip()
        if not item:
            continue
        named = _NAMED.match(item)
        items.append(named.group(1).strip() if named else item)
    return items


def normalise(address: str) -> str | None:
    """The address as it is compared and stored (lower case), or ``None`` if it is not an email address."""
    if not address or len(address) > 254 or not address.isprintable():
        return None
    try:
        valid = validate_email(address.lower(), check_deliverability=False)
    except EmailNotValidError:
        return None
    return valid.normalized


@dataclass
class AddressCheck:
    """A paste, sorted: what would be invited and what would not, and why."""

    #: To invite, normalised, in the order pasted.
    new: list[str] = field(default_factory=list)
    #: Given more than once in the paste (each listed once, as first given).
    repeated: list[str] = field(default_factory=list)
    #: Not email addresses, as typed.
    invalid: list[str] = field(default_factory=list)
    #: Invited to this wave by this organisation before. (Another organisation's list is never
    #: consulted, so a paste cannot reveal who is on it.)
    already: list[str] = field(default_factory=list)
    #: Left out because the paste held more than :data:`MAX_ADDRESSES`.
    too_many: int = 0

    @property
    def left_out(self) -> int:
        return len(self.repeated) + len(self.invalid) + len(self.already) + self.too_many


def invited_addresses(wave: Wave, org: Organisation, addresses: list[str]) -> set[str]:
    """Which of ``addresses`` (normalised) ``org`` has already invited to the wave."""
    found: set[str] = set()
    for start in range(0, len(addresses), 500):
        chunk = addresses[start:start + 500]
        found.update(db.session.scalars(select(Invitation.email).where(Invitation.wave_id == wave.id,
                                                                       Invitation.organisation_id == org.id,
                                                                       Invitation.email.in_(chunk))))
    return found


def check_addresses(wave: Wave, org: Organisation, pasted: str) -> AddressCheck:
    """Sort a paste of ``org``'s addresses for ``wave`` (see :class:`AddressCheck`). Reads only."""
    check = AddressCheck()
    seen: set[str] = set()
    repeated: set[str] = set()
    for item in split_addresses(pasted):
        address = normalise(item)
        if address is None:
            check.invalid.append(item[:320])
        elif address in seen:
            if address not in repeated:
                repeated.add(address)
                check.repeated.append(address)
        else:
            seen.add(address)
            check.new.append(address)
    if len(check.new) > MAX_ADDRESSES:
        check.too_many = len(check.new) - MAX_ADDRESSES
        check.new = check.new[:MAX_ADDRESSES]
    already = invited_addresses(wave, org, check.new)
    check.already = [a for a in check.new if a in already]
    check.new = [a for a in check.new if a not in already]
    return check


# --- the wave and its organisations ----------------------------------------------------------------


def can_invite(wave: Wave, today: date | None = None) -> bool:
    """Addresses can be added, and reminders sent, while the wave is scheduled or open."""
    return waves.state(wave, today) != waves.WaveState.CLOSED


def _require_not_closed(wave: Wave, today: date | None) -> None:
    if not can_invite(wave, today):
        raise InvitationError(_l("This wave has closed: nobody can be invited to it any more"))


def wave_organisation(wave: Wave, org: Organisation, *, create: bool = False) -> WaveOrganisation | None:
    """How ``org`` takes part in ``wave`` (made, with the default of invitations, if ``create``)."""
    row = db.session.scalar(select(WaveOrganisation).where(WaveOrganisation.wave_id == wave.id,
                                                           WaveOrganisation.organisation_id == org.id))
    if row is None and create:
        row = WaveOrganisation(wave=wave, organisation=org)
        db.session.add(row)
        db.session.flush()
    return row


# --- messages ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Message:
    subject: str
    text: str
    html: str


def _message(kind: str, *, wave: Wave, org: Organisation, link: str, today: date) -> Message:
    survey: Survey = wave.survey
    context = {"survey": survey, "wave": wave, "organisation": org, "programme": survey.programme, "link": link,
               "reminder": kind == REMINDER_KIND, "is_open": waves.state(wave, today) == waves.WaveState.OPEN}

    def subject():
        if kind == REMINDER_KIND:
            return _("Reminder: the %(organisation)s staff survey closes on %(day)s", organisation=org.name,
                     day=uk_date(wave.closes_on))
        return _("Please answer the %(organisation)s staff survey", organisation=org.name)

    # Staff have no language of their own here: the organisation's survey language, or both, Welsh first.
    email = email_render.render("surveys/invitations/email", email_render.languages_of(org.language),
                                email_render.PerLanguage(subject), **context)
    return Message(subject=email.subject, text=email.text, html=email.html)


def _sender(wave: Wave) -> str:
    return " ".join(wave.survey.programme.name.split())[:120]


def _queue(kind: str, invitation: Invitation, message: Message, wave: Wave, key: str):
    return mail.queue(to=invitation.email, subject=message.subject, text=message.text, html=message.html,
                      sender_name=_sender(wave), kind=kind, dedupe_key=f"survey-wave:{wave.id}:{key}")


# --- inviting ------------------------------------------------------------------------------------


def is_held_back(wave: Wave, org: Organisation) -> bool:
    """Whether a facilitator has held ``org``'s invitations to ``wave`` back."""
    row = wave_organisation(wave, org)
    return row is not None and row.held_back


def sends_at_once(wave: Wave, org: Organisation, today: date | None = None) -> bool:
    """Whether addresses added now are emailed at once: only while the wave is open and the organisation
    is not held back. Otherwise they wait for the opening day, or for the organisation's release."""
    return waves.state(wave, today) == waves.WaveState.OPEN and not is_held_back(wave, org)


def invite(wave: Wave, org: Organisation, addresses: list[str], *, link_for, today: date | None = None) -> int:
    """Invite each of ``addresses`` (normalised, as :func:`check_addresses` gives them) to answer ``wave``
    for ``org``: one invitation each; emailed at once with a fresh one-use token if :func:`sends_at_once`,
    else listed, to be sent on the opening day (or on release) by :func:`send_listed`.

    ``link_for(token)`` makes the link that goes in the email; the token itself is kept nowhere else. A
    listed invitation holds the hash of a random token that nobody has (the column is unique and
    required), so no link works until it is sent with a new one. Addresses invited meanwhile are left
    out. Returns how many were invited (sent or listed).

    :raises InvitationError: the wave has closed.
    """
    today = today or clock.today()
    _require_not_closed(wave, today)
    at_once = sends_at_once(wave, org, today)
    already = invited_addresses(wave, org, addresses)
    made = 0
    for address in dict.fromkeys(addresses):
        if address in already:
            continue
        token = secrets.new_token()
        invitation = Invitation(wave_id=wave.id, organisation_id=org.id, email=address,
                                token_hash=secrets.token_hash(token), sent=at_once)
        db.session.add(invitation)
        db.session.flush()  # its id names the message
        if at_once:
            message = _message(INVITATION_KIND, wave=wave, org=org, link=link_for(token), today=today)
            _queue(INVITATION_KIND, invitation, message, wave, f"invitation:{invitation.id}")
        made += 1
    wave_organisation(wave, org, create=True)
    db.session.flush()
    return made


def send_listed(wave: Wave, org: Organisation, *, link_for, today: date | None = None) -> int:
    """Email each of ``org``'s listed (unsent) invitations to ``wave`` once, with a fresh token: only
    while the wave is open, whatever the day (a late scheduler catches up), never once it has closed.

    Each invitation is marked sent by a conditional update before its email is queued, in the caller's
    transaction, and the email's outbox key is the invitation's: a second run, or a second process,
    finds nothing left to send. Returns how many were sent.
    """
    today = today or clock.today()
    if waves.state(wave, today) != waves.WaveState.OPEN or wave.addresses_deleted_dt is not None:
        return 0
    listed = db.session.scalars(
        select(Invitation).where(Invitation.wave_id == wave.id, Invitation.organisation_id == org.id,
                                 Invitation.sent.is_(False), Invitation.email.is_not(None))
        .order_by(Invitation.id)).all()
    if not listed:
        return 0
    tokens = {invitation.id: secrets.new_token() for invitation in listed}
    # One statement for them all (executemany); the queries above and this one run in the caller's
    # transaction, which for the scheduler holds the job's lock, so nobody sends them meanwhile.
    table = Invitation.__table__
    db.session.connection().execute(
        table.update().where(table.c.id == bindparam("invitation"), table.c.sent.is_(False))
        .values(sent=True, token_hash=bindparam("hashed")),
        [{"invitation": i, "hashed": secrets.token_hash(token)} for i, token in tokens.items()])
    sent = 0
    for invitation in listed:
        message = _message(INVITATION_KIND, wave=wave, org=org, link=link_for(tokens[invitation.id]), today=today)
        if _queue(INVITATION_KIND, invitation, message, wave, f"invitation:{invitation.id}") is not None:
            sent += 1
    for invitation in listed:
        db.session.expire(invitation, ["sent", "token_hash"])  # written by the updates above
    return sent


def hold_back(wave: Wave, org: Organisation, held: bool) -> bool:
    """Hold ``org``'s invitations (and automatic reminders) to ``wave`` back, or release them. Returns
    whether anything changed. Releasing sends nothing by itself: the caller decides (see
    :func:`send_listed`)."""
    row = wave_organisation(wave, org, create=True)
    if row.held_back == held:
        return False
    row.held_back = held
    db.session.flush()
    return True


@dataclass(frozen=True)
class Reminded:
    sent: int
    #: Had a reminder today already.
    skipped: int


def remind(wave: Wave, org: Organisation, *, link_for, today: date | None = None) -> Reminded:
    """Email a reminder to each of ``org``'s sent invitations to ``wave`` that has not been used, at most
    one a (UK) day each (a listed one waits for its first email). Only a token's hash is kept, so each
    reminder carries a new link; the old one stops working.

    :raises InvitationError: the wave has closed.
    """
    today = today or clock.today()
    _require_not_closed(wave, today)
    unused = db.session.scalars(
        select(Invitation).where(Invitation.wave_id == wave.id, Invitation.organisation_id == org.id,
                                 Invitation.email.is_not(None), Invitation.sent.is_(True),
                                 ~select(InvitationUse.invitation_id)
                                 .where(InvitationUse.invitation_id == Invitation.id).exists())
        .order_by(Invitation.id)).all()
    sent = skipped = 0
    for invitation in unused:
        token = secrets.new_token()
        message = _message(REMINDER_KIND, wave=wave, org=org, link=link_for(token), today=today)
        queued = _queue(REMINDER_KIND, invitation, message, wave, f"reminder:{invitation.id}:{today.isoformat()}")
        if queued is None:
            skipped += 1
            continue
        invitation.token_hash = secrets.token_hash(token)
        sent += 1
    db.session.flush()
    return Reminded(sent, skipped)


# --- counts --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Counts:
    """One organisation's part in a wave, in numbers only."""

    organisation: Organisation
    #: Invitations emailed.
    invited: int
    #: Invitations used (one-use links).
    answered: int
    #: Every response, shared link included.
    responses: int
    shared_link: bool
    #: Addresses listed and not emailed yet (before the opening day, or while held back).
    listed: int = 0
    #: A facilitator has held the organisation's invitations back.
    held_back: bool = False

    @property
    def rate(self) -> int | None:
        """The response rate of the invitations, as a whole percentage; ``None`` with none sent."""
        if not self.invited:
            return None
        return round(100 * self.answered / self.invited)


def wave_counts(wave: Wave, organisations: list[Organisation]) -> list[Counts]:
    """Invited, listed, answered, responses, whether a shared link is in use and whether held back, for
    each of ``organisations`` (four statements, however many organisations)."""
    ids = [org.id for org in organisations]
    if not ids:
        return []
    invited, listed = {}, {}
    for org_id, sent, n in db.session.execute(
            select(Invitation.organisation_id, Invitation.sent, func.count())
            .where(Invitation.wave_id == wave.id, Invitation.organisation_id.in_(ids),
                   Invitation.sent.is_(True) | Invitation.email.is_not(None))
            .group_by(Invitation.organisation_id, Invitation.sent)):
        (invited if sent else listed)[org_id] = n
    answered = dict(db.session.execute(
        select(Invitation.organisation_id, func.count())
        .join(InvitationUse, InvitationUse.invitation_id == Invitation.id)
        .where(Invitation.wave_id == wave.id, Invitation.organisation_id.in_(ids))
        .group_by(Invitation.organisation_id)).all())
    responses = dict(db.session.execute(
        select(Response.organisation_id, func.count()).where(Response.wave_id == wave.id,
                                                             Response.organisation_id.in_(ids))
        .group_by(Response.organisation_id)).all())
    shared, held = set(), set()
    for org_id, shared_hash, held_back in db.session.execute(
            select(WaveOrganisation.organisation_id, WaveOrganisation.shared_token_hash, WaveOrganisation.held_back)
            .where(WaveOrganisation.wave_id == wave.id, WaveOrganisation.organisation_id.in_(ids))):
        if shared_hash is not None:
            shared.add(org_id)
        if held_back:
            held.add(org_id)
    return [Counts(org, invited.get(org.id, 0), answered.get(org.id, 0), responses.get(org.id, 0), org.id in shared,
                   listed.get(org.id, 0), org.id in held)
            for org in organisations]


def uses_shared_link(wave: Wave, org: Organisation) -> bool:
    """Whether ``org`` answers ``wave`` through a shared link (its results say so)."""
    row = wave_organisation(wave, org)
    return row is not None and row.shared_token_hash is not None


# --- the shared link -----------------------------------------------------------------------------


def make_shared_link(wave: Wave, org: Organisation, today: date | None = None) -> str:
    """Give ``org`` a shared link to ``wave`` (a new one in place of any it had, which stops working) and
    return its token, to be shown once: only its hash is kept.

    :raises InvitationError: the wave has closed.
    """
    _require_not_closed(wave, today)
    row = wave_organisation(wave, org, create=True)
    token = secrets.new_token()
    row.shared_token_hash = secrets.token_hash(token)
    db.session.flush()
    return token


def remove_shared_link(wave: Wave, org: Organisation) -> bool:
    """Stop ``org``'s shared link to ``wave`` working. Returns whether it had one."""
    row = wave_organisation(wave, org)
    if row is None or row.shared_token_hash is None:
        return False
    row.shared_token_hash = None
    db.session.flush()
    return True


# --- forgetting the addresses ----------------------------------------------------------------------


@dataclass(frozen=True)
class Forgotten:
    waves: int
    addresses: int
    messages: int


def forget_addresses(today: date | None = None) -> Forgotten:
    """Delete the email addresses of every wave that has closed by ``today`` (a UK date) and has not had
    them deleted yet: the invitations' addresses become null, their emails leave the outbox (an address
    and a link in each) and the wave records when. Idempotent: a second run finds nothing to do.

    On PostgreSQL the closed wave's uses are also written again in invitation order, in one transaction,
    so that neither their order in the table nor their transaction ids say when each link was used (and
    so cannot be lined up with the responses); and its responses and answers are written again in a
    random order, so that their order says nothing of when each was sent either (which anything else
    with a time, such as an access log line, could be lined up with). Counts, ids and answers are
    unchanged.
    """
    today = today or clock.today()
    closed = db.session.scalars(select(Wave).where(Wave.closes_on < today, Wave.addresses_deleted_dt.is_(None))
                                .order_by(Wave.id).with_for_update()).all()
    addresses = messages = 0
    for wave in closed:
        addresses += db.session.execute(
            update(Invitation).where(Invitation.wave_id == wave.id, Invitation.email.is_not(None))
            .values(email=None).execution_options(synchronize_session=False)).rowcount
        messages += db.session.execute(
            delete(mail.OutboxMessage).where(mail.OutboxMessage.dedupe_key.like(f"survey-wave:{wave.id}:%"))
            .execution_options(synchronize_session=False)).rowcount
        _rewrite_uses(wave)
        _rewrite_responses(wave)
        wave.addresses_deleted_dt = utcnow()
    db.session.flush()
    return Forgotten(len(closed), addresses, messages)


def _rewrite_uses(wave: Wave) -> None:
    """PostgreSQL keeps rows in the order they were written, each with the id of the transaction that
    wrote it (``xmin``), which a response written in the same transaction shares. Delete the wave's uses
    and write them again in invitation order, all in this one transaction. (On SQLite a use's row id is
    its invitation's id, so its order says nothing.)"""
    if db.session.get_bind().dialect.name != "postgresql":
        return
    ids = list(db.session.scalars(
        select(InvitationUse.invitation_id).join(Invitation, Invitation.id == InvitationUse.invitation_id)
        .where(Invitation.wave_id == wave.id).order_by(InvitationUse.invitation_id)))
    if not ids:
        return
    db.session.execute(text("DELETE FROM survey_invitation_use WHERE invitation_id IN "
                            "(SELECT id FROM survey_invitation WHERE wave_id = :wave)"), {"wave": wave.id})
    for start in range(0, len(ids), 1000):
        db.session.execute(InvitationUse.__table__.insert(),
                           [{"invitation_id": i} for i in ids[start:start + 1000]])


def _rewrite_responses(wave: Wave) -> None:
    """PostgreSQL keeps a wave's responses and answers in the order they were sent, each with its own
    transaction id in the same order. Write them again, in a random order, in this transaction (in a
    savepoint, whose transaction id is not the uses' either). (On SQLite both tables are kept in the order of
    their random keys: see ``models.Response``.)"""
    if db.session.get_bind().dialect.name != "postgresql":
        return
    with db.session.begin_nested():
        _write_responses_again(wave)


def _write_responses_again(wave: Wave) -> None:
    connection = db.session.connection()
    responses = [dict(row) for row in connection.execute(
        select(Response.id, Response.wave_id, Response.organisation_id, Response.submitted_on)
        .where(Response.wave_id == wave.id)).mappings()]
    if not responses:
        return
    ids = [r["id"] for r in responses]
    answers: dict[str, list[dict]] = {}
    for start in range(0, len(ids), 1000):
        for row in connection.execute(select(Answer.__table__).where(Answer.response_id.in_(ids[start:start + 1000]))
                                      ).mappings():
            answers.setdefault(row["response_id"], []).append(dict(row))
    _RANDOM.shuffle(responses)
    connection.execute(delete(Answer.__table__).where(
        Answer.response_id.in_(select(Response.id).where(Response.wave_id == wave.id))))
    connection.execute(delete(Response.__table__).where(Response.wave_id == wave.id))
    for start in range(0, len(responses), 1000):
        connection.execute(insert(Response.__table__), responses[start:start + 1000])
    rows = [answer for response in responses for answer in answers.get(response["id"], [])]
    for start in range(0, len(rows), 1000):
        connection.execute(insert(Answer.__table__), rows[start:start + 1000])
