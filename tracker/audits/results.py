"""An audit's results as seed 002 presents them, computed in a fixed number of statements.

- A case's score is a **% of possible score**: the sum of its scores over the sum of the maximums of the
  elements that apply to it (not-applicable elements count in neither). A case where every element is
  not applicable has no possible score and is left out of every figure (it is neither 0 % nor 100 %).
- The overall score, and the score of each group (case type, household type, outcome, outcome group,
  year), is the **mean of the case percentages** of the cases in it, with their number n.
- A stage's or an element's score is **pooled**: the sum of the scores over the sum of the possible
  scores, across the counted cases. A checklist item's score is its yes answers over its yes and no
  answers (not applicable and unanswered count in neither).
- The ranges use the unrounded percentage: 90 % and above; 80 % up to but not including 90 %; 50 % up
  to but not including 80 %; below 50 %.

Fractions are kept exact until they are shown, so a case at exactly 90 % is in "90%+".
"""

from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

from flask_babel import lazy_gettext as _l
from sqlalchemy import case as when
from sqlalchemy import func, select

from tracker.audits import services
from tracker.audits.models import (
    Answer,
    AttributeKind,
    Audit,
    AuditAnswer,
    AuditCase,
    AuditElement,
    AuditItem,
    AuditScore,
)
from tracker.extensions import db

#: The seed's score ranges: (label, lowest percentage in the range).
RANGES = [(_l("90%+"), 90), (_l("80% to 89%"), 80), (_l("50% to 79%"), 50), (_l("Below 50%"), 0)]
#: How many of the lowest-scoring elements and checklist items are listed.
LOWEST = 5


def percent(value: Fraction | None, places: int = 0) -> Decimal | None:
    """A fraction as a percentage, rounded half up (``Fraction(3, 4)`` → ``75``)."""
    if value is None:
        return None
    exact = Decimal(value.numerator * 100) / Decimal(value.denominator)
    return exact.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)


@dataclass
class CaseResult:
    id: int
    number: int
    reference: str
    score: int
    possible: int
    attributes: dict[AttributeKind, int | None]

    @property
    def share(self) -> Fraction | None:
        return Fraction(self.score, self.possible) if self.possible else None


@dataclass
class Group:
    """A mean of case percentages."""

    label: str
    shares: list[Fraction] = field(default_factory=list)

    @property
    def n(self) -> int:
        return len(self.shares)

    @property
    def mean(self) -> Fraction | None:
        if not self.shares:
            return None
        # Summed by denominator first: a thousand fractions add up in a few dozen exact additions.
        by_denominator: dict[int, int] = {}
        for share in self.shares:
            by_denominator[share.denominator] = by_denominator.get(share.denominator, 0) + share.numerator
        return sum((Fraction(n, d) for d, n in by_denominator.items()), Fraction(0)) / len(self.shares)


@dataclass
class Pooled:
    """A sum of scores over a sum of possible scores (or yes answers over yes and no answers)."""

    label: str
    score: int = 0
    possible: int = 0
    key: int | None = None

    @property
    def share(self) -> Fraction | None:
        return Fraction(self.score, self.possible) if self.possible else None


@dataclass
class Results:
    cases_total: int = 0
    #: Scored cases where nothing applied: left out of every figure.
    excluded: int = 0
    #: Cases added but not scored yet.
    unscored: int = 0
    counted: list[CaseResult] = field(default_factory=list)
    overall: Group = field(default_factory=lambda: Group(""))
    ranges: list[tuple[str, int]] = field(default_factory=list)
    at_100: int = 0
    at_90: int = 0
    groups: dict[str, list[Group]] = field(default_factory=dict)
    stages: list[Pooled] = field(default_factory=list)
    elements: list[Pooled] = field(default_factory=list)
    items: list[Pooled] = field(default_factory=list)

    @property
    def n(self) -> int:
        return len(self.counted)

    def share_of(self, count: int) -> Fraction | None:
        return Fraction(count, self.n) if self.n else None

    @property
    def lowest_elements(self) -> list[Pooled]:
        return _lowest(self.elements)

    @property
    def lowest_items(self) -> list[Pooled]:
        return _lowest(self.items)


def _lowest(rows: list[Pooled]) -> list[Pooled]:
    scored = [r for r in rows if r.share is not None]
    return sorted(scored, key=lambda r: (r.share, r.key or 0))[:LOWEST]


#: The group tables, in the order the page shows them: (key, heading, attribute kind).
GROUPS = [("case_type", _l("Mean score by case type"), AttributeKind.CASE_TYPE),
          ("household", _l("Mean score by household type"), AttributeKind.HOUSEHOLD),
          ("outcome", _l("Mean score by logged outcome"), AttributeKind.OUTCOME),
          ("outcome_group", _l("Mean score by outcome group"), AttributeKind.OUTCOME),
          ("year", _l("Mean score by year assessed"), AttributeKind.YEAR)]
NOT_RECORDED = _l("Not recorded")


def compute(audit: Audit) -> Results:
    """Every figure of the audit's results, from eight statements whatever the number of cases."""
    elements = services.elements_of(audit)  # 1
    stages = list(audit.stages)  # 2
    items = list(db.session.scalars(select(AuditItem).where(AuditItem.audit_id == audit.id)
                                    .order_by(AuditItem.position)))  # 3
    attributes = services.attributes_of(audit)  # 4
    case_rows = db.session.execute(select(
        AuditCase.id, AuditCase.number, AuditCase.reference, AuditCase.scored_dt, AuditCase.case_type_id,
        AuditCase.household_id, AuditCase.outcome_id, AuditCase.year_id,
    ).where(AuditCase.audit_id == audit.id).order_by(AuditCase.number)).all()  # 5
    scored = (AuditCase.audit_id == audit.id, AuditCase.scored_dt.is_not(None))
    applies = AuditScore.score.is_not(None)
    # Sums in SQL: per case (its score and possible score), and per element (pooled over every case; a case
    # where nothing applies adds nothing to either).
    per_case = {case_id: (score or 0, possible or 0) for case_id, score, possible in db.session.execute(
        select(AuditScore.case_id, func.sum(AuditScore.score),
               func.sum(when((applies, AuditElement.max_score), else_=0)))
        .join(AuditCase, AuditCase.id == AuditScore.case_id)
        .join(AuditElement, AuditElement.id == AuditScore.element_id)
        .where(*scored).group_by(AuditScore.case_id))}  # 6
    per_element = {element_id: (score or 0, possible or 0) for element_id, score, possible in db.session.execute(
        select(AuditScore.element_id, func.sum(AuditScore.score),
               func.sum(when((applies, AuditElement.max_score), else_=0)))
        .join(AuditCase, AuditCase.id == AuditScore.case_id)
        .join(AuditElement, AuditElement.id == AuditScore.element_id)
        .where(*scored).group_by(AuditScore.element_id))}  # 7
    # Answers of the counted cases only: a case where nothing applies is left out with its answers.
    counted_case = select(AuditScore.id).where(AuditScore.case_id == AuditAnswer.case_id, applies).exists()
    answer_counts = db.session.execute(
        select(AuditAnswer.item_id, AuditAnswer.answer, func.count())
        .join(AuditCase, AuditCase.id == AuditAnswer.case_id)
        .where(*scored, counted_case).group_by(AuditAnswer.item_id, AuditAnswer.answer)).all()  # 8

    results = Results(cases_total=len(case_rows))
    for row in case_rows:
        if row.scored_dt is None:
            results.unscored += 1
            continue
        score, possible = per_case.get(row.id, (0, 0))
        if possible == 0:
            results.excluded += 1
            continue
        results.counted.append(CaseResult(row.id, row.number, row.reference, score, possible, {
            AttributeKind.CASE_TYPE: row.case_type_id, AttributeKind.HOUSEHOLD: row.household_id,
            AttributeKind.OUTCOME: row.outcome_id, AttributeKind.YEAR: row.year_id}))
    element_pools = {e.id: Pooled(e.title, *per_element.get(e.id, (0, 0)), key=e.id) for e in elements}

    shares = [case.share for case in results.counted]
    results.overall = Group("", shares)
    results.ranges = [(str(label), sum(1 for s in shares if s * 100 >= low
                                       and (i == 0 or s * 100 < RANGES[i - 1][1])))
                      for i, (label, low) in enumerate(RANGES)]
    results.at_100 = sum(1 for s in shares if s == 1)
    results.at_90 = sum(1 for s in shares if s * 100 >= 90)

    for key, _heading, kind in GROUPS:
        by_value = {a.id: a for a in attributes[kind]}
        if key == "outcome_group":
            groups = {}
            for attribute in attributes[kind]:
                groups.setdefault(attribute.group_label.casefold(), Group(attribute.group_label))
            label_of = {a.id: a.group_label.casefold() for a in attributes[kind]}
        else:
            groups = {a.id: Group(a.label) for a in attributes[kind]}
            label_of = {a.id: a.id for a in attributes[kind]}
        missing = Group(str(NOT_RECORDED))
        for case in results.counted:
            value = case.attributes[kind]
            (groups[label_of[value]] if value in by_value else missing).shares.append(case.share)
        results.groups[key] = list(groups.values()) + ([missing] if missing.n else [])

    stage_pools = {stage.id: Pooled(stage.title, key=stage.id) for stage in stages}
    for element in elements:
        stage_pools[element.stage_id].score += element_pools[element.id].score
        stage_pools[element.stage_id].possible += element_pools[element.id].possible
    results.stages = list(stage_pools.values())
    results.elements = [element_pools[e.id] for e in elements]

    item_pools = {i.id: Pooled(i.text, key=i.id) for i in items}
    for item_id, answer, count in answer_counts:
        if item_id in item_pools and answer != Answer.NA:
            item_pools[item_id].possible += count
            item_pools[item_id].score += count if answer == Answer.YES else 0
    order = {e.id: n for n, e in enumerate(elements)}
    element_of = {i.id: i.element_id for i in items}
    results.items = sorted(item_pools.values(), key=lambda p: (order.get(element_of[p.key], 0), p.key))
    return results


@dataclass
class Change:
    label: str
    then: Fraction | None
    now: Fraction | None

    @property
    def points(self) -> Decimal | None:
        if self.then is None or self.now is None:
            return None
        return percent(self.now) - percent(self.then)


def compare(baseline: Results, current: Results) -> list[Change]:
    """Then and now: the overall mean, then each stage (matched by its place in the template)."""
    changes = [Change(str(_l("Overall mean score")), baseline.overall.mean, current.overall.mean)]
    for position, stage in enumerate(current.stages):
        then = baseline.stages[position].share if position < len(baseline.stages) else None
        changes.append(Change(stage.label, then, stage.share))
    return changes
