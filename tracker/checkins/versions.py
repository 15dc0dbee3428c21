"""An organisation's agenda version: a stamp on everything its check-in agenda shows beyond the results.

The agenda reads the organisation's board (cards, their events, actions and progress updates, design
opportunities, the cards' indicators), its check-ins and their actions arising, the programme's surveys,
waves and questions, and people's names; the results tracker's part is stamped by the programme's results
version (``tracker.results.versions``). Any change to those rows bumps the organisation's row of
``agenda_version`` in the same transaction, so an agenda kept under an older version (``agenda_cache``) is
never shown again. The changes are gathered on flush, whichever code made them, and from the bulk
statements run through the session, which may say which organisation they change
(``execution_options(agenda_scope=("organisation", id))``) or that they change nothing an agenda shows
(``agenda_scope=None``); one that says nothing bumps every organisation.

Not watched, on purpose: survey responses, their answers, invitations and their use. The agenda reads only
closed waves, and a closed wave takes none of them; a wave's dates moving is a change to the wave.

The bump is the transaction's last statement, made just before it commits, so a version row's lock is held
only while the transaction commits and is taken after every other lock: its holder never waits for anyone,
so writers cannot deadlock over it (the organisation's own row, which the board locks for its quick-wins
lane, is not touched).
"""

import secrets

from sqlalchemy import event, inspect, literal, or_, select, true
from sqlalchemy.orm import ORMExecuteState, Session
from sqlalchemy.sql.dml import UpdateBase

from tracker.accounts.models import User
from tracker.board.models import Action, Card, CardEvent, Opportunity, ProgressUpdate
from tracker.checkins.models import AgendaVersion, CheckIn, CheckInArising
from tracker.core.db import insert, per_transaction
from tracker.extensions import db
from tracker.programmes.models import Organisation
from tracker.results.models import card_indicator
from tracker.surveys.models import Question, Survey, Wave, WaveOrganisation

#: Rows that belong to one organisation, those that belong to one of its cards, and the programme's own.
BY_ORGANISATION = (Card, Opportunity, CheckIn, WaveOrganisation)
BY_CARD = (CardEvent, Action, ProgressUpdate, CheckInArising)
BY_SURVEY = (Wave, Question)

#: The tables whose bulk statements are watched.
WATCHED = frozenset(t.name for t in (*(m.__table__ for m in (*BY_ORGANISATION, *BY_CARD, *BY_SURVEY, Survey, User)),
                                     card_indicator))

#: Every organisation: a change whose organisations are not known (a person renamed, a bulk statement).
EVERY = ("every", None)

_PENDING = "agenda_versions_pending"
# A rolled-back transaction's changes were never seen; a savepoint's are kept (bumping too often is safe).
per_transaction(_PENDING, savepoints=False)


def _scopes(obj, deleted: bool) -> set[tuple[str, int | None]]:
    """What ``obj`` changing (or being ``deleted``) touches: ("organisation", id), ("card", id),
    ("survey", id), ("programme", id) or :data:`EVERY` (nothing for a row the agenda does not show)."""
    if isinstance(obj, BY_ORGANISATION):
        return {("organisation", obj.organisation_id)}
    if isinstance(obj, BY_CARD):
        return {("card", obj.card_id)}
    if isinstance(obj, BY_SURVEY):
        return {("survey", obj.survey_id)}
    if isinstance(obj, Survey):
        return {("programme", obj.programme_id)}
    # Of people, only names are shown (the owners of actions): signing in or a new password is not a change.
    if isinstance(obj, User) and (deleted or inspect(obj).attrs.name.history.has_changes()):
        return {EVERY}
    return set()


def pending(session: Session) -> set:
    """The changes this transaction has made so far that an agenda shows (empty when it has made none)."""
    return session.info.get(_PENDING, set())


def _add(session: Session, scopes: set) -> None:
    if scopes:
        session.info.setdefault(_PENDING, set()).update(s for s in scopes if s == EVERY or s[1] is not None)


@event.listens_for(Session, "after_flush")
def _gather(session: Session, _context) -> None:
    # After the flush new rows have their ids; new, dirty and deleted still list what the flush wrote.
    scopes = set()
    for obj in (*session.new, *session.dirty):
        scopes |= _scopes(obj, False)
    for obj in session.deleted:  # (the objects' own state says "deleted" only once the flush is over)
        scopes |= _scopes(obj, True)
    _add(session, scopes)


@event.listens_for(Session, "do_orm_execute")
def _gather_bulk(state: ORMExecuteState) -> None:
    statement = state.statement
    if not isinstance(statement, UpdateBase) or getattr(statement, "table", None) is None:
        return
    if statement.table.name in WATCHED:
        scope = state.execution_options.get("agenda_scope", EVERY)
        if scope is not None:
            _add(state.session, {scope})


def _organisation_ids(session: Session, scopes: set) -> tuple[bool, set[int], set[int]]:
    """Whether every organisation is touched; else the organisations and programmes touched."""
    if EVERY in scopes:
        return True, set(), set()
    ids = {i for kind, i in scopes if kind == "organisation"}
    programmes = {i for kind, i in scopes if kind == "programme"}
    cards = [i for kind, i in scopes if kind == "card"]
    surveys = [i for kind, i in scopes if kind == "survey"]
    # A card or survey deleted in this transaction is not found; its deletion was gathered as its own change.
    if cards:
        ids |= set(session.scalars(select(Card.organisation_id).where(Card.id.in_(cards)).distinct()))
    if surveys:
        programmes |= set(session.scalars(select(Survey.programme_id).where(Survey.id.in_(surveys)).distinct()))
    return False, ids, programmes


@event.listens_for(Session, "before_commit")
def _bump(session: Session) -> None:
    if session.in_nested_transaction():
        return  # a savepoint released: its changes are bumped with the transaction's, at its commit
    session.flush()  # gather what is still to be written; the commit's own flush then has nothing left
    scopes = session.info.pop(_PENDING, None)
    if not scopes:
        return
    every, ids, programmes = _organisation_ids(session, scopes)
    org = Organisation.__table__.c
    # Always with a WHERE: SQLite needs one to tell an INSERT … SELECT's upsert from a join's ON.
    chosen = true() if every else or_(org.id.in_(sorted(ids)), org.programme_id.in_(sorted(programmes)))
    # A new random number, not a count: a database emptied or restored under running servers cannot bring
    # back a version an agenda was kept under.
    version = secrets.randbits(62)
    stmt = insert(AgendaVersion).from_select(["organisation_id", "version"],
                                             select(org.id, literal(version)).where(chosen).order_by(org.id))
    session.execute(stmt.on_conflict_do_update(index_elements=["organisation_id"], set_={"version": version}))


def version_of(organisation_id: int) -> int:
    """The organisation's agenda version now (0 before anything it shows has changed)."""
    return versions_of([organisation_id])[organisation_id]


def versions_of(organisation_ids) -> dict[int, int]:
    """Organisation id → its agenda version now, for many at once (one statement)."""
    ids = set(organisation_ids)
    found = dict(db.session.execute(select(AgendaVersion.organisation_id, AgendaVersion.version)
                                    .where(AgendaVersion.organisation_id.in_(ids))).all()) if ids else {}
    return {i: found.get(i, 0) for i in ids}

