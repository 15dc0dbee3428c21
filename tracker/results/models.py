"""Objectives, outcomes, indicators, outputs, figures and their history."""

import enum
from datetime import date, datetime
from decimal import Decimal

from flask_babel import lazy_gettext as _l
from sqlalchemy import JSON, Column, ForeignKey, Index, Numeric, String, Table, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tracker.accounts.models import User
from tracker.core.db import str_enum, utcnow
from tracker.extensions import db
from tracker.programmes.models import Organisation, Programme


class Unit(enum.StrEnum):
    COUNT = "count"
    #: Numerator over denominator, shown as a percentage.
    PROPORTION = "proportion"
    YES_NO = "yes_no"
    NARRATIVE = "narrative"

    @property
    def label(self) -> str:
        return str({"count": _l("Count"), "proportion": _l("Proportion (numerator and denominator)"),
                    "yes_no": _l("Yes or no"), "narrative": _l("Narrative")}[self.value])


class Direction(enum.StrEnum):
    INCREASE = "increase"
    DECREASE = "decrease"

    @property
    def label(self) -> str:
        return str({"increase": _l("Higher is better"), "decrease": _l("Lower is better")}[self.value])


NUMBER = Numeric(18, 4)
#: Sums of figures across organisations: every figure is below 10¹⁴ (``core.numbers``), so ten digits more
#: hold the sum of ten thousand million of them.
TOTAL = Numeric(28, 4)

card_indicator = Table(
    "card_indicator", db.metadata,
    Column("card_id", ForeignKey("card.id", ondelete="CASCADE"), primary_key=True),
    Column("indicator_id", ForeignKey("indicator.id", ondelete="CASCADE"), primary_key=True, index=True),
)


class Objective(db.Model):
    """Objective 1, 2 … of a programme."""

    __table_args__ = (UniqueConstraint("programme_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    programme_id: Mapped[int] = mapped_column(ForeignKey("programme.id", ondelete="CASCADE"), index=True)
    number: Mapped[int]
    title: Mapped[str] = mapped_column(Text)

    programme: Mapped[Programme] = relationship()
    outcomes: Mapped[list["Outcome"]] = relationship(back_populates="objective", order_by="Outcome.number",
                                                     cascade="all, delete-orphan")


class Outcome(db.Model):
    """Outcome 1.1, 1.2 … under an objective."""

    __table_args__ = (UniqueConstraint("objective_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    objective_id: Mapped[int] = mapped_column(ForeignKey("objective.id", ondelete="CASCADE"), index=True)
    number: Mapped[int]
    title: Mapped[str] = mapped_column(Text)

    objective: Mapped[Objective] = relationship(back_populates="outcomes")
    indicators: Mapped[list["Indicator"]] = relationship(back_populates="outcome", order_by="Indicator.number",
                                                         cascade="all, delete-orphan")
    outputs: Mapped[list["Output"]] = relationship(back_populates="outcome", order_by="Output.number",
                                                   cascade="all, delete-orphan")

    @property
    def code(self) -> str:
        return f"{self.objective.number}.{self.number}"


class Indicator(db.Model):
    """An indicator under an outcome. ``code`` (e.g. ``1.1.2``) is unique in the programme and is what
    imports and the API use."""

    __table_args__ = (UniqueConstraint("programme_id", "code"), UniqueConstraint("outcome_id", "number"))

    id: Mapped[int] = mapped_column(primary_key=True)
    programme_id: Mapped[int] = mapped_column(ForeignKey("programme.id", ondelete="CASCADE"), index=True)
    outcome_id: Mapped[int] = mapped_column(ForeignKey("outcome.id", ondelete="CASCADE"), index=True)
    number: Mapped[int]
    code: Mapped[str] = mapped_column(String(20))
    #: The indicator, e.g. "Proportion of unique households … categorised as 'fall-out'".
    name: Mapped[str] = mapped_column(Text)
    #: Indicator definition, e.g. "Number of households recorded as 'fallen out' … reduced".
    definition: Mapped[str] = mapped_column(Text, default="")
    unit: Mapped[Unit] = mapped_column(str_enum(Unit), default=Unit.COUNT)
    numerator_label: Mapped[str] = mapped_column(String(200), default="")
    denominator_label: Mapped[str] = mapped_column(String(200), default="")
    direction: Mapped[Direction] = mapped_column(str_enum(Direction), default=Direction.INCREASE)
    #: For proportions, baseline and target are percentages (0–100).
    baseline: Mapped[Decimal | None] = mapped_column(NUMBER)
    target: Mapped[Decimal | None] = mapped_column(NUMBER)
    frequency: Mapped[str] = mapped_column(Text, default="")
    data_source: Mapped[str] = mapped_column(Text, default="")
    who_collects: Mapped[str] = mapped_column(Text, default="")

    outcome: Mapped[Outcome] = relationship(back_populates="indicators")


class Output(db.Model):
    """An output contributing to an outcome, due a number of days after each reporting period."""

    __table_args__ = (UniqueConstraint("outcome_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    outcome_id: Mapped[int] = mapped_column(ForeignKey("outcome.id", ondelete="CASCADE"), index=True)
    number: Mapped[int]
    description: Mapped[str] = mapped_column(Text)
    #: The output, e.g. "Narrative report … submitted in two weeks following reporting period".
    evidence: Mapped[str] = mapped_column(Text, default="")
    due_days_after_period: Mapped[int] = mapped_column(default=14)

    outcome: Mapped[Outcome] = relationship(back_populates="outputs")


class OutputReceipt(db.Model):
    """An organisation's output for one period was received."""

    __table_args__ = (UniqueConstraint("output_id", "organisation_id", "period_number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    output_id: Mapped[int] = mapped_column(ForeignKey("output.id", ondelete="CASCADE"), index=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisation.id", ondelete="CASCADE"))
    period_number: Mapped[int]
    received_on: Mapped[date]
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))


class Figure(db.Model):
    """One organisation's figure for one indicator and reporting period. Figures stay attached to the
    period *number*, so moving the programme's start date moves the periods, not the figures."""

    __table_args__ = (
        UniqueConstraint("indicator_id", "organisation_id", "period_number"),
        # Covers the "across all organisations" totals, so they are read from the index alone.
        Index("ix_figure_totals", "indicator_id", "period_number", "value", "numerator", "denominator", "flag"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    indicator_id: Mapped[int] = mapped_column(ForeignKey("indicator.id", ondelete="CASCADE"))
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisation.id", ondelete="CASCADE"), index=True)
    period_number: Mapped[int]
    #: Counts.
    value: Mapped[Decimal | None] = mapped_column(NUMBER)
    #: Proportions.
    numerator: Mapped[Decimal | None] = mapped_column(NUMBER)
    denominator: Mapped[Decimal | None] = mapped_column(NUMBER)
    #: Yes/no indicators.
    flag: Mapped[bool | None]
    #: Narrative indicators.
    narrative: Mapped[str] = mapped_column(Text, default="")
    #: From the organisation's testing phase ("Testing phase in LA").
    is_testing_phase: Mapped[bool] = mapped_column(default=True)
    note: Mapped[str] = mapped_column(Text, default="")
    source: Mapped[str] = mapped_column(Text, default="")
    version: Mapped[int] = mapped_column(default=1)
    entered_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    updated_dt: Mapped[datetime] = mapped_column(default=utcnow)

    __mapper_args__ = {"version_id_col": version}

    indicator: Mapped[Indicator] = relationship()
    organisation: Mapped[Organisation] = relationship()
    entered_by: Mapped[User | None] = relationship()
    changes: Mapped[list["FigureChange"]] = relationship(back_populates="figure", cascade="all, delete-orphan",
                                                         order_by="FigureChange.id.desc()")


class FigureTotal(db.Model):
    """One indicator's "across all organisations" figure for one period, kept by SQL as figures change
    (see ``services.refresh_total``), so the tracker reads one row per cell instead of aggregating every
    organisation's figures on every page."""

    indicator_id: Mapped[int] = mapped_column(ForeignKey("indicator.id", ondelete="CASCADE"), primary_key=True)
    period_number: Mapped[int] = mapped_column(primary_key=True)
    value_sum: Mapped[Decimal | None] = mapped_column(TOTAL)
    numerator_sum: Mapped[Decimal | None] = mapped_column(TOTAL)
    denominator_sum: Mapped[Decimal | None] = mapped_column(TOTAL)
    yes_count: Mapped[int] = mapped_column(default=0)
    #: How many organisations reported.
    reported: Mapped[int] = mapped_column(default=0)


class FigureChange(db.Model):
    """Who changed a figure, when, from what to what."""

    id: Mapped[int] = mapped_column(primary_key=True)
    figure_id: Mapped[int] = mapped_column(ForeignKey("figure.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    at_dt: Mapped[datetime] = mapped_column(default=utcnow)
    #: How it came: "form", "import" or "api".
    via: Mapped[str] = mapped_column(String(10), default="form")
    old: Mapped[dict | None] = mapped_column(JSON)
    new: Mapped[dict] = mapped_column(JSON)

    figure: Mapped[Figure] = relationship(back_populates="changes")
    user: Mapped[User | None] = relationship()
