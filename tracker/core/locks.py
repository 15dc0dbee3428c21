"""Row locks for rules that read rows and then rewrite them (positions, versions, totals, numbers).

On PostgreSQL a lock is ``SELECT … FOR NO KEY UPDATE``: it makes concurrent writers of the same row take
turns until the transaction ends, without blocking inserts elsewhere that merely refer to the row by a
foreign key (those take a key-share lock). The rules that read before they write take their lock first:
moves and archiving (the lane's owner row, then the card), saves from a version (the card, action,
progress update or opportunity, read again), figures (the programme, through ``results.versions``),
numbering a new design opportunity (the organisation), an organisation's name and a programme's last
facilitator (the programme), an audit case's scores (the case). The order is always the wider row first
(programme or lane, then card), so two writers can neither interleave nor deadlock. On SQLite a write
request already holds the database's write lock from ``BEGIN IMMEDIATE`` (``tracker.core.db``), and these
statements lock nothing more.
"""

from sqlalchemy import select

from tracker.extensions import db


def lock(model, object_id: int) -> None:
    """Hold ``model``'s row ``object_id`` until the transaction ends."""
    db.session.execute(select(model.id).where(model.id == object_id).with_for_update(key_share=True))


def relock(obj):
    """Lock ``obj``'s row and read it again, so what the caller checks next (its version) is what is
    committed now, not what was read before the lock was granted."""
    db.session.refresh(obj, with_for_update={"key_share": True})
    return obj
