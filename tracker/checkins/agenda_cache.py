"""Built agendas, kept between requests.

An organisation with a thousand cards and twenty thousand card events spends most of its agenda page on
building the agenda (seventeen statements and some 1,300 items), and the agenda changes only when
something it shows changes, or the day does. So the built agenda is kept in this process under a key of
everything it depends on: the check-in, today's UK date, the programme's results version and the
organisation's agenda version (both bumped in the same transaction as any change they stamp:
``tracker.results.versions``, ``tracker.checkins.versions``). An agenda is plain values (ids, codes, titles,
ISO dates) put into words when it is shown, so one kept agenda serves every reader and every language.

A held check-in shows its frozen copy instead, holding one builds afresh, and a transaction with changes
not yet committed (whose versions are not bumped yet) builds its own, as does a request in the first
minutes of a UK day (:data:`SETTLING`). With ``AGENDA_CACHE_VERIFY`` (the
test suite) every agenda taken from the cache is compared with a fresh build, so a change that forgot to
bump a version fails the test that made it.
"""

from datetime import date, timedelta

from flask import Flask, current_app
from sqlalchemy import select

from tracker.checkins import agenda as agenda_rules
from tracker.checkins import versions
from tracker.checkins.models import CheckIn, CheckInStatus
from tracker.core import clock
from tracker.core.kept import Kept
from tracker.extensions import db
from tracker.programmes.models import Programme
from tracker.results import versions as results_versions

EXTENSION = "checkin_agendas"


class StaleAgenda(AssertionError):
    """A kept agenda differs from a fresh build: some change did not bump the versions in its key."""


def init_app(app: Flask) -> None:
    app.extensions[EXTENSION] = Kept(app.config.get("AGENDA_CACHE_SIZE", 32))


def agenda_of(checkin: CheckIn, today: date | None = None, *,
              version: int | None = None) -> tuple[agenda_rules.Agenda, bool]:
    """The agenda to show and whether it is frozen: the copy kept when the check-in was held, else the agenda
    as the data stands now (kept from an earlier request when nothing it shows has changed since).

    :param version: the organisation's agenda version, read by the caller (``versions.versions_of``) when it
        shows many agendas; read here otherwise.
    """
    if checkin.status == CheckInStatus.HELD and checkin.agenda is not None:
        return agenda_rules.from_json(checkin.agenda), True
    today = today or clock.today()
    session = db.session()
    if (session.new or session.dirty or session.deleted or versions.pending(session)
            or results_versions.touched(session) or _day_just_begun()):
        return agenda_rules.build(checkin, today), False
    org, programme = checkin.organisation, checkin.programme
    # The versions are read before the agenda is built, so it is never older than its key.
    if version is None:
        version = versions.version_of(org.id)
    key = (checkin.id, today, programme.id, programme.results_version, org.id, version)
    agenda = current_app.extensions[EXTENSION].get(key, lambda: agenda_rules.build(checkin, today))
    if current_app.config.get("AGENDA_CACHE_VERIFY"):
        _verify(checkin, today, key, agenda)
    return agenda, False


#: Answers sent just before midnight may still be committing for a while after it: a survey response bumps
#: no version (the agenda reads only closed waves, which take none), so an agenda built in the first minutes
#: of the day a wave is closed on could miss the last of them. Agendas are not kept until this has passed
#: (a request runs at most ``gunicorn --timeout`` seconds).
SETTLING = timedelta(minutes=2)


def _day_just_begun() -> bool:
    now = clock.now().astimezone(clock.UK)
    return now - now.replace(hour=0, minute=0, second=0, microsecond=0) < SETTLING


def _verify(checkin: CheckIn, today: date, key: tuple, agenda: agenda_rules.Agenda) -> None:
    """Raise :class:`StaleAgenda` if ``agenda`` differs from a fresh build while its versions are unchanged.
    (On PostgreSQL a writer may commit between reading the versions and the fresh build; that difference is
    a change the versions have recorded, not a stale agenda.)"""
    fresh = agenda_rules.build(checkin, today)
    if agenda_rules.to_json(agenda) == agenda_rules.to_json(fresh):
        return
    results_version = db.session.scalar(select(Programme.results_version).where(Programme.id == key[2]))
    if (results_version, versions.version_of(key[4])) == (key[3], key[5]):  # see the key in agenda_of
        raise StaleAgenda(f"the kept agenda of check-in {checkin.id} differs from a fresh build")
