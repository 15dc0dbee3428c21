"""Insights: what discovery found for one organisation, grouped by theme, and what answers each of them.

A theme belongs to one organisation and is shared by its insights (so "Communication with customers" is one
heading however many insights sit under it); themes are listed by ``position``. Which quick wins, ideas and
design opportunities answer an insight is kept in this package's own link tables, never on the board's rows.
"""

import enum
from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import Column, ForeignKey, String, Table, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tracker.accounts.models import User
from tracker.core.db import str_enum, utcnow
from tracker.extensions import db
from tracker.programmes.models import Organisation

THEME_LENGTH = 200
TITLE_LENGTH = 300


class InsightSource(enum.StrEnum):
    """Where an insight came from: the seed's discovery activities."""

    DATA_ANALYSIS = "data_analysis"
    INTERVIEWS = "interviews"
    WORKSHOP = "workshop"
    AUDIT = "audit"
    GOOD_PRACTICE = "good_practice"

    @property
    def label(self) -> str:
        return str(SOURCE_LABELS[self])

    @property
    def tag_class(self) -> str:
        """A GOV.UK tag colour per source (the tag always carries the word too)."""
        return {"data_analysis": "govuk-tag--teal", "interviews": "govuk-tag--purple",
                "workshop": "govuk-tag--magenta", "audit": "govuk-tag--orange",
                "good_practice": "govuk-tag--green"}[self.value]


SOURCE_LABELS = {
    InsightSource.DATA_ANALYSIS: _l("Data analysis"),
    InsightSource.INTERVIEWS: _l("Interviews"),
    InsightSource.WORKSHOP: _l("Workshop"),
    InsightSource.AUDIT: _l("Audit"),
    InsightSource.GOOD_PRACTICE: _l("Good-practice research"),
}

#: The quick wins, ideas, concepts and prototypes that answer an insight.
insight_card = Table(
    "insight_card", db.metadata,
    Column("insight_id", ForeignKey("insight.id", ondelete="CASCADE"), primary_key=True),
    Column("card_id", ForeignKey("card.id", ondelete="CASCADE"), primary_key=True, index=True),
)
#: The design opportunities that answer an insight.
insight_opportunity = Table(
    "insight_opportunity", db.metadata,
    Column("insight_id", ForeignKey("insight.id", ondelete="CASCADE"), primary_key=True),
    Column("opportunity_id", ForeignKey("opportunity.id", ondelete="CASCADE"), primary_key=True, index=True),
)


class InsightTheme(db.Model):
    """A heading insights are grouped under, reused within one organisation."""

    __tablename__ = "insight_theme"
    __table_args__ = (UniqueConstraint("organisation_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisation.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(THEME_LENGTH))
    #: Order of the themes on the organisation's insights page (0 first).
    position: Mapped[int] = mapped_column(default=0)
    created_dt: Mapped[datetime] = mapped_column(default=utcnow)

    organisation: Mapped[Organisation] = relationship()


class Insight(db.Model):
    """One finding of discovery, in a sentence, with where it came from and the evidence (Markdown).

    ``version`` guards against silent overwrites, as a card's does.
    """

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisation.id", ondelete="CASCADE"), index=True)
    theme_id: Mapped[int] = mapped_column(ForeignKey("insight_theme.id", ondelete="CASCADE"), index=True)
    title: Mapped[str] = mapped_column(String(TITLE_LENGTH))
    source: Mapped[InsightSource] = mapped_column(str_enum(InsightSource))
    #: The evidence notes (Markdown, shown only through the ``markdown`` filter).
    evidence: Mapped[str] = mapped_column(Text, default="")
    created_dt: Mapped[datetime] = mapped_column(default=utcnow)
    updated_dt: Mapped[datetime] = mapped_column(default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    #: Set when archived: the insight leaves its theme's list (shown under "Archived insights") until restored.
    archived_dt: Mapped[datetime | None]
    #: Bumped by every change: a change made from an older version is refused (two people editing at once).
    version: Mapped[int] = mapped_column(default=1, server_default="1")

    __mapper_args__ = {"version_id_col": version}

    organisation: Mapped[Organisation] = relationship()
    theme: Mapped[InsightTheme] = relationship()
    created_by: Mapped[User | None] = relationship(foreign_keys=[created_by_id])
    updated_by: Mapped[User | None] = relationship(foreign_keys=[updated_by_id])
