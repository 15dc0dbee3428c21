"""Invitations as services: addresses pasted and checked, one-use links made and emailed, reminders,
counts, shared links, and the addresses forgotten when a wave closes."""

import re
from datetime import date, datetime

import pytest
from sqlalchemy import delete, func, select

from tracker.core import clock, mail, secrets
from tracker.extensions import db
from tracker.surveys import invitations
from tracker.surveys.models import Invitation, InvitationUse, WaveOrganisation

#: Wave 2 of the ``survey`` fixture is open from 1 to 14 April 2026.
OPEN_DAY = datetime(2026, 4, 2, 12)


def link_for(token: str) -> str:
    return f"https://tracker.example/s/{token}"


def invite_tokens(wave, org, addresses: list[str], today: date | None = None) -> list[str]:
    """Invite ``addresses`` and return their tokens (read from the links in the emails), in order."""
    made: list[str] = []
    invitations.invite(wave, org, addresses, link_for=lambda token: made.append(token) or link_for(token),
                       today=today or OPEN_DAY.date())
    db.session.commit()
    return made


def messages(kind: str | None = None) -> list[mail.OutboxMessage]:
    query = select(mail.OutboxMessage).order_by(mail.OutboxMessage.id)
    if kind:
        query = query.where(mail.OutboxMessage.kind == kind)
    return list(db.session.scalars(query))


def link_in(message: mail.OutboxMessage) -> str:
    return re.search(r"https://tracker\.example/s/(\S+)", message.text_body).group(1)


# --- checking a paste ----------------------------------------------------------------------------


def test_a_paste_is_split_on_lines_commas_and_semicolons_and_trimmed():
    pasted = " a@x.org ,b@x.org;c@x.org\r\n\n  d@x.org  ;; \nJane Smith <jane@x.org>; \"Smith, J\" <js@x.org>"
    assert invitations.split_addresses(pasted) == ["a@x.org", "b@x.org", "c@x.org", "d@x.org", "jane@x.org",
                                                   "js@x.org"]
    assert invitations.split_addresses('"unclosed, quote@x.org') == ['"unclosed', "quote@x.org"]
    assert invitations.split_addresses("") == []
    assert invitations.split_addresses(" , ; \n") == []


def test_addresses_are_compared_in_lower_case(world, survey):
    wave = survey.waves[1]
    check = invitations.check_addresses(wave, world.org_a,
                                        "Ann@Council.gov.uk\nann@council.gov.uk\nBOB@council.gov.uk")
    assert check.new == ["ann@council.gov.uk", "bob@council.gov.uk"]
    assert check.repeated == ["ann@council.gov.uk"]


def test_repeated_invalid_and_already_invited_addresses_are_listed_back(world, survey):
    wave = survey.waves[1]
    invite_tokens(wave, world.org_a, ["old@council.gov.uk"])
    invite_tokens(wave, world.org_b, ["theirs@council.gov.uk"])
    check = invitations.check_addresses(wave, world.org_a, "\n".join([
        "new@council.gov.uk", "NEW@council.gov.uk", "not an address", "no-at-sign.org", "a@b@c.org",
        "old@council.gov.uk", "x" * 300 + "@council.gov.uk", "new2@council.gov.uk", "new@council.gov.uk",
        "theirs@council.gov.uk"]))
    assert check.new == ["new@council.gov.uk", "new2@council.gov.uk", "theirs@council.gov.uk"]
    assert check.repeated == ["new@council.gov.uk"]
    assert check.invalid[:3] == ["not an address", "no-at-sign.org", "a@b@c.org"]
    assert len(check.invalid) == 4
    assert check.already == ["old@council.gov.uk"]  # another council's list is never consulted
    assert check.left_out == 6


def test_two_organisations_may_invite_one_address_and_neither_learns_of_the_other(world, survey):
    wave = survey.waves[1]
    assert len(invite_tokens(wave, world.org_b, ["shared@council.gov.uk"])) == 1
    assert invitations.check_addresses(wave, world.org_a, "shared@council.gov.uk").new == ["shared@council.gov.uk"]
    assert len(invite_tokens(wave, world.org_a, ["shared@council.gov.uk"])) == 1
    assert invitations.check_addresses(wave, world.org_a, "shared@council.gov.uk").already == [
        "shared@council.gov.uk"]


def test_a_domain_without_dns_is_fine_but_not_a_malformed_one(world, survey):
    check = invitations.check_addresses(survey.waves[1], world.org_a,
                                        "someone@council-that-does-not-exist.example\nsomeone@-bad.org")
    assert check.new == ["someone@council-that-does-not-exist.example"]
    assert check.invalid == ["someone@-bad.org"]


def test_a_paste_of_too_many_addresses_keeps_the_first(world, survey, monkeypatch):
    monkeypatch.setattr(invitations, "MAX_ADDRESSES", 3)
    check = invitations.check_addresses(survey.waves[1], world.org_a,
                                        ",".join(f"p{n}@x.org" for n in range(5)))
    assert check.new == ["p0@x.org", "p1@x.org", "p2@x.org"]
    assert check.too_many == 2


def test_checking_writes_nothing(world, survey):
    invitations.check_addresses(survey.waves[1], world.org_a, "a@x.org\nb@x.org")
    db.session.commit()
    assert db.session.scalar(select(func.count()).select_from(Invitation)) == 0
    assert messages() == []


# --- inviting ------------------------------------------------------------------------------------


def test_inviting_makes_one_invitation_and_one_email_each_with_only_the_tokens_hash_stored(world, survey):
    wave = survey.waves[1]
    tokens = invite_tokens(wave, world.org_a, ["ann@council.gov.uk", "bob@council.gov.uk"])
    rows = db.session.scalars(select(Invitation).order_by(Invitation.id)).all()
    assert [(r.email, r.organisation_id, r.wave_id, r.sent) for r in rows] == [
        ("ann@council.gov.uk", world.org_a.id, wave.id, True), ("bob@council.gov.uk", world.org_a.id, wave.id, True)]
    assert [r.token_hash for r in rows] == [secrets.token_hash(t) for t in tokens]
    assert len(set(tokens)) == 2 and all(len(t) >= 43 for t in tokens)
    sent = messages(invitations.INVITATION_KIND)
    assert [m.to_address for m in sent] == ["ann@council.gov.uk", "bob@council.gov.uk"]
    assert [link_in(m) for m in sent] == tokens
    for message, token in zip(sent, tokens, strict=True):
        assert message.sender_name == world.programme.name
        # Staff have no language of their own: both, Welsh first (the organisation's setting is "both").
        assert message.subject == ("Atebwch arolwg staff Council A, os gwelwch yn dda / "
                                   "Please answer the Council A staff survey")
        assert token in message.html_body and f'href="https://tracker.example/s/{token}"' in message.html_body
        assert "open until 14 April 2026" in message.text_body
        assert "works once" in message.text_body
        assert message.dedupe_key.startswith(f"survey-wave:{wave.id}:")
        assert "<" not in message.text_body  # the text part is text
    # The token is kept nowhere but in its message.
    for row in rows:
        assert all(token not in str(value) for token in tokens for value in vars(row).values())


def test_addresses_for_a_scheduled_wave_are_listed_and_emailed_on_its_opening_day(world, survey):
    wave = survey.waves[2]  # 1 to 14 July 2026
    tokens = invite_tokens(wave, world.org_a, ["ann@council.gov.uk"], today=date(2026, 4, 20))
    assert tokens == [] and messages() == []
    (row,) = db.session.scalars(select(Invitation)).all()
    assert (row.email, row.sent, len(row.token_hash)) == ("ann@council.gov.uk", False, 64)
    (counts,) = invitations.wave_counts(wave, [world.org_a])
    assert (counts.invited, counts.listed, counts.rate) == (0, 1, None)
    assert invitations.remind(wave, world.org_a, link_for=link_for, today=date(2026, 4, 20)).sent == 0
    assert invitations.send_listed(wave, world.org_a, link_for=link_for, today=date(2026, 6, 30)) == 0
    made = []
    assert invitations.send_listed(wave, world.org_a, link_for=lambda t: made.append(t) or link_for(t),
                                   today=date(2026, 7, 1)) == 1
    assert invitations.send_listed(wave, world.org_a, link_for=link_for, today=date(2026, 7, 1)) == 0
    db.session.commit()
    (message,) = messages()
    assert link_in(message) == made[0] and db.session.get(Invitation, row.id).token_hash == secrets.token_hash(made[0])
    assert "open until 14 July 2026" in message.text_body


def test_an_invitation_sent_for_a_wave_moved_later_says_when_the_link_works(world, survey):
    invite_tokens(survey.waves[2], world.org_a, ["ann@council.gov.uk"], today=date(2026, 7, 2))
    db.session.execute(delete(mail.OutboxMessage))
    invitations.remind(survey.waves[2], world.org_a, link_for=link_for, today=date(2026, 6, 20))
    (message,) = messages()
    assert "open from 1 July 2026 to 14 July 2026; the link works from 1 July 2026" in message.text_body


def test_the_email_and_the_invitation_are_written_together_or_not_at_all(world, survey):
    invitations.invite(survey.waves[1], world.org_a, ["ann@council.gov.uk"], link_for=link_for,
                       today=OPEN_DAY.date())
    db.session.rollback()
    assert db.session.scalar(select(func.count()).select_from(Invitation)) == 0
    assert messages() == []


def test_addresses_invited_meanwhile_are_left_out(world, survey):
    wave = survey.waves[1]
    invite_tokens(wave, world.org_a, ["ann@council.gov.uk"])
    made = invitations.invite(wave, world.org_a, ["ann@council.gov.uk", "bob@council.gov.uk"], link_for=link_for,
                              today=OPEN_DAY.date())
    db.session.commit()
    assert made == 1
    assert len(messages()) == 2


def test_nobody_is_invited_to_a_closed_wave(world, survey):
    wave = survey.waves[0]  # 1 to 14 January 2026
    with pytest.raises(invitations.InvitationError):
        invitations.invite(wave, world.org_a, ["ann@council.gov.uk"], link_for=link_for, today=date(2026, 1, 15))
    assert invitations.can_invite(wave, date(2026, 1, 14))
    assert invitations.can_invite(survey.waves[1], date(2026, 1, 15))  # scheduled: yes


# --- reminders -----------------------------------------------------------------------------------


def use(token: str) -> None:
    invitation = db.session.scalar(select(Invitation).where(Invitation.token_hash == secrets.token_hash(token)))
    db.session.add(InvitationUse(invitation_id=invitation.id))
    db.session.commit()


@pytest.mark.parametrize("language", ["cy", "en"])
def test_an_organisation_with_one_survey_language_invites_in_that_language_only(world, survey, language):
    world.org_a.language = language
    wave = survey.waves[1]
    (token,) = invite_tokens(wave, world.org_a, ["ann@council.gov.uk"])
    (message,) = messages(invitations.INVITATION_KIND)
    assert message.subject == {"cy": "Atebwch arolwg staff Council A, os gwelwch yn dda",
                               "en": "Please answer the Council A staff survey"}[language]
    assert ("14 Ebrill 2026" in message.text_body, "14 April 2026" in message.text_body) == (
        language == "cy", language == "en")
    assert f'<html lang="{"cy" if language == "cy" else "en-GB"}">' in message.html_body
    assert message.text_body.count(token) == 1


def test_a_bilingual_invitation_has_one_link_in_each_language(world, survey):
    wave = survey.waves[1]
    (token,) = invite_tokens(wave, world.org_a, ["ann@council.gov.uk"])
    (message,) = messages(invitations.INVITATION_KIND)
    welsh, english = message.text_body.split("-" * 40)
    assert token in welsh and token in english and "14 Ebrill 2026" in welsh and "14 April 2026" in english
    assert message.html_body.index('<div lang="cy">') < message.html_body.index('<div lang="en-GB">')


def test_reminders_go_only_to_invitations_without_a_use_with_a_new_link(world, survey):
    wave = survey.waves[1]
    ann, bob, cat = invite_tokens(wave, world.org_a, ["ann@x.org", "bob@x.org", "cat@x.org"])
    invite_tokens(wave, world.org_b, ["other@x.org"])
    use(bob)
    reminded = invitations.remind(wave, world.org_a, link_for=link_for, today=OPEN_DAY.date())
    db.session.commit()
    assert reminded == invitations.Reminded(sent=2, skipped=0)
    sent = messages(invitations.REMINDER_KIND)
    assert [m.to_address for m in sent] == ["ann@x.org", "cat@x.org"]
    assert sent[0].subject == ("Nodyn atgoffa: mae arolwg staff Council A yn cau ar 14 Ebrill 2026 / "
                               "Reminder: the Council A staff survey closes on 14 April 2026")
    new_tokens = [link_in(m) for m in sent]
    assert not set(new_tokens) & {ann, bob, cat}
    hashes = set(db.session.scalars(select(Invitation.token_hash)))
    assert secrets.token_hash(ann) not in hashes  # the old link stops working
    assert secrets.token_hash(bob) in hashes  # the used one is untouched
    assert {secrets.token_hash(t) for t in new_tokens} <= hashes


def test_at_most_one_reminder_a_day_each(world, survey):
    wave = survey.waves[1]
    invite_tokens(wave, world.org_a, ["ann@x.org"])
    first = invitations.remind(wave, world.org_a, link_for=link_for, today=date(2026, 4, 5))
    db.session.commit()
    hash_after_first = db.session.scalar(select(Invitation.token_hash))
    second = invitations.remind(wave, world.org_a, link_for=link_for, today=date(2026, 4, 5))
    db.session.commit()
    assert (first.sent, second.sent, second.skipped) == (1, 0, 1)
    assert db.session.scalar(select(Invitation.token_hash)) == hash_after_first  # its link still works
    third = invitations.remind(wave, world.org_a, link_for=link_for, today=date(2026, 4, 6))
    assert third.sent == 1
    with pytest.raises(invitations.InvitationError):
        invitations.remind(wave, world.org_a, link_for=link_for, today=date(2026, 4, 15))


# --- counts --------------------------------------------------------------------------------------


def test_counts_per_organisation_say_how_many_never_who(world, survey):
    wave = survey.waves[1]
    tokens = invite_tokens(wave, world.org_a, [f"p{n}@x.org" for n in range(4)])
    use(tokens[0])
    counts = {c.organisation.name: c for c in invitations.wave_counts(wave, [world.org_a, world.org_b])}
    assert (counts["Council A"].invited, counts["Council A"].answered, counts["Council A"].rate) == (4, 1, 25)
    assert (counts["Council B"].invited, counts["Council B"].rate, counts["Council B"].shared_link) == (0, None, False)
    assert set(vars(counts["Council A"])) == {"organisation", "invited", "answered", "responses", "shared_link",
                                               "listed", "held_back"}
    assert invitations.wave_counts(wave, []) == []


# --- the shared link -----------------------------------------------------------------------------


def test_a_shared_link_is_stored_hashed_and_replacing_it_stops_the_old_one(world, survey):
    wave = survey.waves[1]
    first = invitations.make_shared_link(wave, world.org_a, OPEN_DAY.date())
    db.session.commit()
    row = db.session.scalar(select(WaveOrganisation))
    assert row.shared_token_hash == secrets.token_hash(first)
    assert invitations.uses_shared_link(wave, world.org_a) and not invitations.uses_shared_link(wave, world.org_b)
    second = invitations.make_shared_link(wave, world.org_a, OPEN_DAY.date())
    db.session.commit()
    assert second != first and row.shared_token_hash == secrets.token_hash(second)
    assert db.session.scalar(select(func.count()).select_from(WaveOrganisation)) == 1
    assert invitations.remove_shared_link(wave, world.org_a) is True
    assert invitations.remove_shared_link(wave, world.org_a) is False
    assert not invitations.uses_shared_link(wave, world.org_a)
    with pytest.raises(invitations.InvitationError):
        invitations.make_shared_link(wave, world.org_a, date(2026, 4, 15))


# --- forgetting the addresses --------------------------------------------------------------------


def test_addresses_are_deleted_once_the_wave_has_closed_and_the_counts_stay(world, survey):
    first, second = survey.waves[0], survey.waves[1]
    tokens = invite_tokens(first, world.org_a, ["ann@x.org", "bob@x.org"], today=date(2026, 1, 2))
    use(tokens[1])
    invite_tokens(second, world.org_a, ["ann@x.org"], today=second.opens_on)  # sent: pasted while open
    assert len(messages()) == 3

    with clock.frozen(datetime(2026, 1, 14, 23, 30)):  # already 15 January in the UK? No: GMT in winter
        assert invitations.forget_addresses() == invitations.Forgotten(0, 0, 0)
    with clock.frozen(datetime(2026, 1, 15, 0, 30)):
        done = invitations.forget_addresses()
    db.session.commit()
    assert done == invitations.Forgotten(waves=1, addresses=2, messages=2)
    assert list(db.session.scalars(select(Invitation.email).where(Invitation.wave_id == first.id))) == [None, None]
    assert first.addresses_deleted_dt is not None and second.addresses_deleted_dt is None
    assert [m.to_address for m in messages()] == ["ann@x.org"]  # the second wave's invitation
    (counts,) = invitations.wave_counts(first, [world.org_a])
    assert (counts.invited, counts.answered) == (2, 1)

    # Idempotent: a second run (the next day, or the same minute) finds nothing to do.
    deleted_dt = first.addresses_deleted_dt
    assert invitations.forget_addresses(date(2026, 1, 16)) == invitations.Forgotten(0, 0, 0)
    assert first.addresses_deleted_dt == deleted_dt


def test_forgetting_keeps_who_answered_out_of_the_uses_order(world, survey):
    """The uses of a closed wave are in invitation order afterwards, whatever order they were made in."""
    wave = survey.waves[0]
    tokens = invite_tokens(wave, world.org_a, [f"p{n}@x.org" for n in range(6)], today=date(2026, 1, 2))
    for token in reversed(tokens):
        use(token)
    invitations.forget_addresses(date(2026, 1, 20))
    db.session.commit()
    uses = list(db.session.scalars(select(InvitationUse.invitation_id)))  # no ORDER BY: as stored
    assert uses == sorted(uses) and len(uses) == 6
