"""The worked example: a small sample scored against seed 002's 27-point template, with known N/A cells.

Elements, in order (maximum): client and household details (2), current circumstances (1), health/support (2),
S68 interim accommodation (2), relevant notification sent (1) | advice (1), signposting/referrals (1), PHP (10) |
prompt, timely, efficient tasks (4), closure/progression (3). ``None`` is not applicable.
"""

from datetime import date

import pytest
from sqlalchemy import event

from tracker.audits import services
from tracker.audits.models import Answer, AttributeKind
from tracker.extensions import db

NA = None
#: case: (case type, household, outcome, year, scores, checklist answers by item text start)
SAMPLE = [
    ("Section 66", "Family", "Successful", "18/19", [2, 1, 2, 2, 1, 1, 1, 10, 4, 3],
     {"Timescales": Answer.YES, "Record of types": Answer.YES}),  # 27/27 = 100%
    ("Section 66", "Single", "Withdrawn", "18/19", [2, 1, 1, NA, 1, 1, 0, 9, 3, 3],
     {"Timescales": Answer.NO, "Record of types": Answer.YES}),  # 21/25 = 84%
    ("Section 73", "Single", "Application refused", "19/20", [2, 1, 2, 2, 1, 1, 1, 8, NA, NA],
     {"Timescales": Answer.NO, "Record of types": Answer.NO}),  # 18/20 = exactly 90%
    ("Section 73", "Family", "Non-cooperation", "20/21", [2, 1, 1, NA, 1, 1, 1, 6, 4, 3],
     {"Timescales": Answer.NO}),  # 20/25 = exactly 80%
    ("Section 73", "Single", "Withdrawn – Loss of contact", "20/21", [1, 0, 1, NA, NA, NA, NA, 5, 2, 2],
     {"Timescales": Answer.NA}),  # 11/22 = exactly 50%
    ("Section 66", "Single", "Other", "19/20", [NA] * 10,
     {"Timescales": Answer.YES}),  # nothing applies: left out of every figure
    ("Section 66", "Single", "Other", "19/20", [1, 1, 0, 2, 0, 1, 0, 4, 2, 2],
     {"Timescales": Answer.NO}),  # 13/27 = 48.1%
]


def make_sample(org, *, title="Baseline audit", started_on=date(2021, 8, 18), sample=SAMPLE, unscored=1):
    template = services.load_seed_template(org.programme)
    audit = services.start_audit(org, template, title=title, started_on=started_on,
                                 attributes=services.SEED_ATTRIBUTES)
    attributes = services.attributes_of(audit)
    elements = services.elements_of(audit)
    items = services.items_of(audit)

    def value(kind, label):
        return next(a for a in attributes[kind] if a.label == label)

    for case_type, household, outcome, year, scores, answers in sample:
        chosen = {AttributeKind.CASE_TYPE: value(AttributeKind.CASE_TYPE, case_type),
                  AttributeKind.HOUSEHOLD: value(AttributeKind.HOUSEHOLD, household),
                  AttributeKind.OUTCOME: value(AttributeKind.OUTCOME, outcome),
                  AttributeKind.YEAR: value(AttributeKind.YEAR, year)}
        case = services.add_case(audit, case_type=chosen[AttributeKind.CASE_TYPE],
                                 household=chosen[AttributeKind.HOUSEHOLD], outcome=chosen[AttributeKind.OUTCOME],
                                 year=chosen[AttributeKind.YEAR])
        given = {next(i.id for i in items if i.text.startswith(start)): answer for start, answer in answers.items()}
        services.score_case(case, scores={e.id: s for e, s in zip(elements, scores, strict=True)}, answers=given)
    for _n in range(unscored):
        services.add_case(audit, reference="Not yet")
    db.session.commit()
    return audit


@pytest.fixture
def sample(world):
    return make_sample(world.org_b)


def count_statements(fn, *, reads: bool = False, seen: list[str] | None = None) -> int:
    """How many statements ``fn`` sends to the database (for the tests that they do not grow with the data);
    with ``reads``, only its SELECTs. ``seen`` collects the statements' text."""
    statements = [] if seen is None else seen

    def count(_conn, _cursor, statement, *_args, **_kwargs):
        if not reads or statement.lstrip().upper().startswith("SELECT"):
            statements.append(statement)

    engine = db.engine
    event.listen(engine, "before_cursor_execute", count)
    try:
        fn()
    finally:
        event.remove(engine, "before_cursor_execute", count)
    return len(statements)
