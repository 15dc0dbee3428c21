"""A programme's results version: a stamp on everything the results tracker shows.

Any change a tracker table shows — a figure, the framework, an output receipt, an organisation, the
programme's own settings — bumps ``programme.results_version`` in the same transaction, so a table kept
under an older version (``table_cache``) is never shown again. The bump happens on flush, whichever
code made the change, so a new writer cannot forget it.

Bumping also takes the programme's row lock on PostgreSQL (SQLite already serialises writers): writers
of one programme's results take turns, always programme first, so they cannot deadlock.
"""

from sqlalchemy import event, update
from sqlalchemy.orm import Session

from tracker.core.db import per_transaction
from tracker.programmes.models import Organisation, Programme
from tracker.results.models import Figure, Indicator, Objective, Outcome, Output, OutputReceipt

_TOUCHED = "results_versions_touched"
per_transaction(_TOUCHED, savepoints=True)  # a bump undone with a savepoint is made again


def touch(session: Session, programme_id: int) -> None:
    """Bump the programme's results version once per transaction (the first call takes the lock)."""
    touched = session.info.setdefault(_TOUCHED, set())
    if programme_id in touched:
        return
    touched.add(programme_id)
    table = Programme.__table__
    session.execute(update(table).where(table.c.id == programme_id)
                    .values(results_version=table.c.results_version + 1))


def touched(session: Session) -> bool:
    """Whether this transaction has bumped a results version (changes not committed yet)."""
    return bool(session.info.get(_TOUCHED))


def _programme_id(session: Session, obj) -> int | None:
    """The programme whose tracker ``obj`` appears in (``None`` for anything else)."""
    if isinstance(obj, Programme):
        return obj.id
    if isinstance(obj, Organisation | Objective):
        return obj.programme_id or (obj.programme.id if obj.programme is not None else None)
    if isinstance(obj, Indicator):
        return obj.programme_id or (obj.outcome.objective.programme_id if obj.outcome is not None else None)
    if isinstance(obj, Outcome):
        return obj.objective.programme_id if obj.objective is not None else None
    if isinstance(obj, Output):
        return obj.outcome.objective.programme_id if obj.outcome is not None else None
    if isinstance(obj, Figure):
        indicator = obj.indicator or session.get(Indicator, obj.indicator_id)
        return indicator.programme_id if indicator is not None else None
    if isinstance(obj, OutputReceipt):
        org = session.get(Organisation, obj.organisation_id)
        return org.programme_id if org is not None else None
    return None


@event.listens_for(Session, "before_flush")
def _bump_on_flush(session: Session, _context, _instances) -> None:
    with session.no_autoflush:
        ids = {_programme_id(session, obj) for obj in (*session.new, *session.dirty, *session.deleted)}
        for programme_id in sorted(i for i in ids if i is not None):
            touch(session, programme_id)

