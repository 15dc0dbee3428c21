"""The demo's insights: seed 002's discovery findings for RCT (data analysis, officer interviews, the workshops
and the desktop review) and one for Caerphilly, each linked to the quick win, idea or design opportunity that
answers it in the demo's plans. Loading twice changes nothing."""

from sqlalchemy import func, select

from tracker.board.models import Card, Opportunity
from tracker.extensions import db
from tracker.insights import services
from tracker.insights.models import Insight, InsightSource

S = InsightSource
#: organisation key, theme, insight, source, evidence, what answers it (a card's title or an opportunity's title)
INSIGHTS = [
    ("RCT", "Fallout rates S66", "Unsuccessful preventions increased by 10% from 2018 to 2021", S.DATA_ANALYSIS,
     "- Overall trend stayed the same through 18–20\n- No appreciable difference in fall out for men and women\n"
     "- Repeat placements reduced in 20/21\n\nS66 fallout: **16%** (19/20).", None),
    ("RCT", "Fallout rates S73", "Loss of contact doubled in 20/21", S.DATA_ANALYSIS,
     "- Overall figures stayed similar over three years\n- Large increase in unsuccessful relief from 7% to 31%\n"
     "- Double number of representations in S73 than S66\n\nS73 fallout: **24%** (19/20).", None),
    ("RCT", "Reasons for representation", "Most people who present again had an S60 or S62 decision last time",
     S.DATA_ANALYSIS, "Previous outcome logged, highest to lowest:\n\n1. S60 decision\n2. S62 decision\n"
     "3. Successful\n4. Unsuccessful\n5. Loss of contact\n6. Withdrawn\n7. Assistance refused", None),
    ("RCT", "Communication with customers", "Customers cannot always get through to officers on the phone",
     S.INTERVIEWS, "3 Housing Options officers interviewed. Covid has meant face to face contact with customers "
     "has been reduced; most of customers' contact is with their support worker.",
     "Review the tech used / methods used to communicate with customers"),
    ("RCT", "Communication with customers", "There is no set framework for when and how often customers are "
     "contacted", S.INTERVIEWS, "Officers hold higher caseloads than they think they should to give the best "
     "service, and no system tells them how often to contact customers during casework or when closing files.",
     "Casework standards"),
    ("RCT", "Communication with customers", "Partner organisations lack straightforward information to give "
     "customers", S.WORKSHOP, "Voluntary sector workshop and stakeholder/partner workshop.", None),
    ("RCT", "Accommodation options", "Customers spend too long in temporary accommodation", S.INTERVIEWS,
     "Raised in the officer interviews and again in the workshops: temporary accommodation options don't always "
     "meet need, and move-on accommodation is scarce.",
     "How might we use TA as a platform for positive, sustainable outcomes?"),
    ("RCT", "Accommodation options", "Tenancy debt can be a barrier to moving on", S.GOOD_PRACTICE,
     "Desktop review. The system for dealing with tenancy debt can cause feelings of hopelessness (workshops).",
     "Review debt pathway"),
    ("Caerphilly", "Current processes and partnerships", "Links with partners in health and care services could "
     "be improved", S.WORKSHOP, "Stakeholder/partner workshop: the council's homelessness team is well liked by "
     "partner organisations, but the housing department builds relationships with support providers rather than "
     "with customers directly.", "How might we provide continuity and clarity of support for customers?"),
]


def load(programme, names: dict[str, str]) -> None:
    """Add the insights to the demo's organisations that have none yet (``names``: the demo's key → name)."""
    by_name = {org.name: org for org in programme.organisations}
    orgs = {key: by_name[name] for key, name in names.items() if name in by_name}
    done = {key for key, org in orgs.items() if db.session.scalar(
        select(func.count()).select_from(Insight).where(Insight.organisation_id == org.id))}
    for key, theme, title, source, evidence, answer in INSIGHTS:
        org = orgs.get(key)
        if org is None or key in done:
            continue
        insight = services.create_insight(org, theme=services.theme_named(org, theme), title=title, source=source,
                                          evidence=evidence, user=None)
        if answer is None:
            continue
        card = db.session.scalar(select(Card).where(Card.organisation_id == org.id, Card.title == answer))
        if card is not None:
            services.link_card(insight, card)
            continue
        opportunity = db.session.scalar(select(Opportunity).where(Opportunity.organisation_id == org.id,
                                                                  Opportunity.title == answer))
        if opportunity is not None:
            services.link_opportunity(insight, opportunity)
    db.session.flush()
