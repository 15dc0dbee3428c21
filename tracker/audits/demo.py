"""The demo's case file audit: the seed's 27-point template, and a baseline audit of one council with a few
scored cases and seed 002's positives and areas for improvement. Loading twice changes nothing.

Call ``load(programme, org)`` from ``tracker.demo.load_demo`` once the organisations exist.
"""

from datetime import date

from sqlalchemy import select

from tracker.audits import services
from tracker.audits.models import AttributeKind, Audit, FindingKind
from tracker.programmes.models import Organisation, Programme

NA = None
#: (case type, household, outcome, year, scores in the template's element order)
CASES = [
    ("Section 66", "Family", "Successful", "18/19", [2, 1, 2, 2, 1, 1, 1, 10, 4, 3]),
    ("Section 66", "Single", "Withdrawn", "18/19", [2, 1, 1, NA, 1, 1, 0, 6, 3, 3]),
    ("Section 73", "Single", "Application refused", "19/20", [2, 1, 2, 2, 1, 1, 1, 8, NA, NA]),
    ("Section 73", "Family", "Non-cooperation", "20/21", [2, 1, 1, NA, 1, 1, 1, 6, 4, 3]),
    ("Section 73", "Single", "Withdrawn – Loss of contact", "20/21", [1, 0, 1, NA, NA, 1, NA, 3, 2, 1]),
    ("Section 66", "Single", "Other", "19/20", [1, 1, 0, 2, 0, 1, 0, 4, 2, 2]),
]
POSITIVES = ["Interim accommodation seemed suitable for needs in 100% of cases",
             "Initial advice recorded was generally thorough and clear"]
IMPROVEMENTS = ["Lack of evidence of timescale discussions on 69% of files",
                "Support needs not always recorded initially"]


def load(programme: Programme, org: Organisation) -> None:
    template = services.load_seed_template(programme)
    if services.audits_of(org) or not template.stages:
        return
    audit = services.start_audit(org, template, title="Baseline audit", started_on=date(2021, 8, 18),
                                 ended_on=date(2021, 8, 19), auditors="Two housing options officers",
                                 attributes=services.SEED_ATTRIBUTES)
    lists = services.attributes_of(audit)
    elements = services.elements_of(audit)
    for case_type, household, outcome, year, scores in CASES:
        chosen = {kind: next(a for a in lists[kind] if a.label == label) for kind, label in (
            (AttributeKind.CASE_TYPE, case_type), (AttributeKind.HOUSEHOLD, household),
            (AttributeKind.OUTCOME, outcome), (AttributeKind.YEAR, year))}
        case = services.add_case(audit)
        services.score_case(case, scores={e.id: s for e, s in zip(elements, scores, strict=True)}, answers={},
                            attributes=chosen)
    services.add_case(audit, reference="Still to score")
    for text in POSITIVES:
        services.add_finding(audit, FindingKind.POSITIVE, text)
    for text in IMPROVEMENTS:
        services.add_finding(audit, FindingKind.IMPROVEMENT, text)


def loaded(org: Organisation) -> bool:
    from tracker.extensions import db

    return db.session.scalar(select(Audit.id).where(Audit.organisation_id == org.id).limit(1)) is not None
