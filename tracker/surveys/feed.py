"""Survey questions feeding the results tracker.

A facilitator links a question with answers to count (Likert, 0–10, one or several choices) to a count or
proportion indicator of the same programme, and chooses which answers count ("Agree" and "Strongly agree").
For a closed wave, each organisation's figure for the reporting period that contains the wave's closing
date is then:

- for a proportion indicator: numerator = respondents who gave a counted answer (for a multiple choice
  question, who chose at least one counted option), denominator = respondents who answered the question;
- for a count indicator: the numerator alone.

Only organisations whose cell is shown under the minimum group rule (``results.suppress``, secondary
suppression included) are offered, so the tracker's totals cannot be set against the survey's to reach a
hidden one. The figures are previewed (new, changed or unchanged against what the tracker holds) and
written only when the facilitator confirms, through ``results.services.save_figure`` with
``via="survey"`` and the source "Staff survey, wave N"; the confirmation carries a fingerprint of the
preview, so figures that changed in between are shown again rather than written.
"""

import hashlib
import json
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from flask_babel import gettext as _
from sqlalchemy import and_, func, or_, select

from tracker.accounts.models import User
from tracker.core import clock
from tracker.core.formats import uk_date
from tracker.extensions import db
from tracker.programmes.models import Organisation
from tracker.results import periods as period_rules
from tracker.results import queries as results_queries
from tracker.results import services
from tracker.results.models import Figure, Indicator, Unit
from tracker.surveys import results, waves
from tracker.surveys.models import Answer, Question, Response, Wave

#: The indicators a question can feed.
LINKABLE_UNITS = (Unit.COUNT, Unit.PROPORTION)


class FeedError(ValueError):
    """A rule about linking a question or entering its figures was broken; the message is shown."""


class StaleFeed(Exception):
    """The figures changed between the preview and the confirmation; ``preview`` is what they are now."""

    def __init__(self, preview: "FeedPreview"):
        super().__init__("survey figures changed since the preview")
        self.preview = preview


def can_feed(question: Question) -> bool:
    """Whether a question's answers can be counted for an indicator."""
    return question.kind in results.COUNTED


def linkable_indicators(programme) -> list[Indicator]:
    """The programme's count and proportion indicators, in code order."""
    return [i for i in results_queries.indicators(programme) if i.unit in LINKABLE_UNITS]


def link(question: Question, indicator: Indicator | None, values) -> None:
    """Link a question to an indicator with the answer values that count, or unlink it (``indicator=None``).

    :raises FeedError: a free-text question, an indicator of another programme or of another unit, no
        counted value, or a value the question does not offer.
    """
    if indicator is None:
        question.indicator_id, question.indicator_values = None, []
        db.session.flush()
        return
    if not can_feed(question):
        raise FeedError(_("Only a question whose answers can be counted can feed an indicator"))
    if indicator.programme_id != question.survey.programme_id:
        raise FeedError(_("Choose an indicator of this programme"))
    if indicator.unit not in LINKABLE_UNITS:
        raise FeedError(_("Choose a count or a proportion indicator"))
    offered = {value for value, _label in results.options(question)}
    chosen = sorted({int(v) for v in values})
    if not chosen:
        raise FeedError(_("Choose the answers that count"))
    if not set(chosen) <= offered:
        raise FeedError(_("Choose answers from the list"))
    question.indicator_id, question.indicator_values = indicator.id, chosen
    db.session.flush()


def counted_labels(question: Question) -> list[str]:
    """The words of the answers that count, in order."""
    return [results.option_label(question, value) for value in question.indicator_values or []]


def wave_period(wave: Wave) -> period_rules.Period | None:
    """The reporting period that contains the wave's closing date."""
    return next((p for p in period_rules.periods(wave.survey.programme) if p.start <= wave.closes_on <= p.end),
                None)


@dataclass
class FeedRow:
    """One figure offered to the tracker."""

    question: Question
    indicator: Indicator
    organisation: Organisation
    numerator: int
    denominator: int
    values: services.FigureValues
    #: new, changed or unchanged, against the figure the tracker holds.
    status: str
    current: str
    shown: str
    #: The version of the figure the preview saw (0: none).
    version: int


@dataclass
class Skipped:
    """An organisation (or a whole question) not offered, and why."""

    question: Question
    organisation: Organisation | None
    reason: str


@dataclass
class FeedPreview:
    wave: Wave
    period: period_rules.Period | None
    rows: list[FeedRow] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)
    #: Why nothing can be entered (the wave is not closed, no period contains its closing date).
    problem: str | None = None
    linked: list[Question] = field(default_factory=list)

    @property
    def to_write(self) -> list[FeedRow]:
        return [row for row in self.rows if row.status != "unchanged"]

    @property
    def fingerprint(self) -> str:
        """What the preview would write, as a short hash: the confirmation must match it."""
        data = [[row.indicator.id, row.organisation.id, self.period.number if self.period else None, row.numerator,
                 row.denominator, row.status, row.version] for row in self.rows]
        return hashlib.sha256(json.dumps(data).encode()).hexdigest()[:32]


def counted_answers(wave_id: int, questions: list[Question]) -> dict[tuple[int, int], int]:
    """Respondents giving a counted answer, by (question, organisation), in one statement."""
    if not questions:
        return {}
    chosen = or_(*[and_(Answer.question_id == q.id, Answer.value.in_(list(q.indicator_values))) for q in questions])
    rows = db.session.execute(
        select(Answer.question_id, Response.organisation_id, func.count(Answer.response_id.distinct()))
        .join(Response, Response.id == Answer.response_id)
        .where(Response.wave_id == wave_id, chosen)
        .group_by(Answer.question_id, Response.organisation_id))
    return {(question, org): n for question, org, n in rows}


def preview(wave: Wave, today: date | None = None) -> FeedPreview:
    """The figures a closed wave would give its questions' indicators, without changing anything."""
    today = today or clock.today()
    survey, programme = wave.survey, wave.survey.programme
    linked = [q for q in survey.questions if q.indicator_id is not None and can_feed(q) and q.indicator_values]
    period = wave_period(wave)
    result = FeedPreview(wave, period, linked=linked)
    if waves.state(wave, today) != waves.WaveState.CLOSED:
        result.problem = _("Wave %(n)s is not closed yet: its figures can be entered after it closes on %(day)s.",
                           n=wave.number, day=uk_date(wave.closes_on))
        return result
    if period is None:
        result.problem = _("No reporting period of the programme contains the wave's closing date, %(day)s, so its "
                           "figures have no period to go in.", day=uk_date(wave.closes_on))
        return result
    if not linked:
        return result
    minimum = results.minimum_group(programme)
    counts = results.load_counts([wave.id], closed=[wave.id])[wave.id]
    numerators = counted_answers(wave.id, linked)
    indicators = {i.id: i for i in db.session.scalars(
        select(Indicator).where(Indicator.id.in_({q.indicator_id for q in linked})))}
    figures = {(f.indicator_id, f.organisation_id): f for f in db.session.scalars(
        select(Figure).where(Figure.indicator_id.in_(list(indicators)), Figure.period_number == period.number))}
    fed: dict[int, Question] = {}
    for question in linked:
        indicator = indicators[question.indicator_id]
        if indicator.unit not in LINKABLE_UNITS:
            result.skipped.append(Skipped(question, None, _("Indicator %(code)s is no longer a count or a proportion",
                                                            code=indicator.code)))
            continue
        if indicator.id in fed:
            result.skipped.append(Skipped(question, None, _(
                "Question %(n)s already gives indicator %(code)s its figures", n=fed[indicator.id].position + 1,
                code=indicator.code)))
            continue
        fed[indicator.id] = question
        answered = counts.answered_by_org(question.id)
        decision = results.suppress(answered, minimum, counts.responses)
        for org in programme.organisations:
            if org.id not in decision.shown:
                reason = decision.reason(org.id)
                result.skipped.append(Skipped(question, org, results.hidden_message(reason, minimum) if reason
                                              else _("No answers to this question")))
                continue
            result.rows.append(_row(question, indicator, org, numerators.get((question.id, org.id), 0),
                                    answered[org.id], figures.get((indicator.id, org.id)), wave, period, today))
    return result


def _row(question, indicator, org, numerator, denominator, current, wave, period, today) -> FeedRow:
    values = services.FigureValues(
        source=_("Staff survey, wave %(n)s", n=wave.number), note=current.note if current else "",
        is_testing_phase=current.is_testing_phase if current else True)
    if indicator.unit == Unit.COUNT:
        values.value = Decimal(numerator)
    else:
        values.numerator, values.denominator = Decimal(numerator), Decimal(denominator)
    stored = services.validate_figure(indicator, wave.survey.programme, period.number, values, today)
    new = services.snapshot(Figure(**stored))
    status = "new" if current is None else "unchanged" if services.snapshot(current) == new else "changed"
    return FeedRow(question, indicator, org, numerator, denominator, values, status,
                   services.display_value(indicator, current) if current else "",
                   services.format_amount(indicator.unit, stored["value"], stored["numerator"], stored["denominator"]),
                   current.version if current else 0)


def confirm(wave: Wave, fingerprint: str, *, user: User | None, today: date | None = None) -> int:
    """Enter the previewed figures (new and changed) and return how many were written. For facilitators
    only (the view checks): a locked period's figures are changed too. Flushes; the caller commits.

    :raises FeedError: nothing can be entered (see :func:`preview`).
    :raises StaleFeed: the figures are no longer what the preview showed.
    :raises tracker.results.services.StaleFigure: a figure changed while this was being written.
    """
    today = today or clock.today()
    shown = preview(wave, today)
    if shown.problem:
        raise FeedError(shown.problem)
    if fingerprint != shown.fingerprint:
        raise StaleFeed(shown)
    written = 0
    for row in shown.to_write:
        _figure, changed = services.save_figure(
            row.indicator, row.organisation, shown.period.number, row.values, user=user, today=today,
            expected_version=row.version, via="survey", may_change_locked=True)
        written += int(changed)
    return written
