"""Where a card came from: the case file audit finding it was made from (shown on the card's page)."""

from flask import url_for
from flask_babel import gettext as _
from sqlalchemy import select

from tracker.audits.models import Audit, AuditFinding, AuditFindingCard
from tracker.board import sources
from tracker.extensions import db


def finding_sources(card) -> list[sources.Source]:
    """The audit finding behind ``card``, in one statement."""
    rows = db.session.execute(
        select(AuditFinding.text, Audit.id, Audit.title).join(AuditFindingCard, AuditFindingCard.finding_id ==
                                                              AuditFinding.id)
        .join(Audit, Audit.id == AuditFinding.audit_id).where(AuditFindingCard.card_id == card.id)).all()
    return [sources.Source(kind=_("Case file audit: %(audit)s", audit=title), text=text,
                           url=url_for("audits.findings", audit_id=audit_id)) for text, audit_id, title in rows]


sources.register(finding_sources)
