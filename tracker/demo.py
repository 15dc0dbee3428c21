"""Demo data from the source documents: the Welsh service improvement project (seed 002).

RCT's quick wins 1–4 and design opportunity 1 with ideas 1.1–1.5 are placed as in the seed's sample
roadmap; Caerphilly carries the seed's example concept capture sheet and prototyping plan. The third
council's name is ours: the seed names only two of the three. Loading twice changes nothing.
"""

import random
import uuid
from datetime import date
from decimal import Decimal

from sqlalchemy import select

from tracker.accounts.models import User
from tracker.accounts.services import create_user, find_by_email
from tracker.assessments import demo as assessments_demo
from tracker.audits import demo as audits_demo
from tracker.board import services as board
from tracker.board.models import Card, ConceptSheet, Kind, Priority, PrototypePlan, RoadmapColumn
from tracker.checkins import demo as checkins_demo
from tracker.extensions import db
from tracker.programmes import services as programmes
from tracker.programmes.models import Membership, Programme, Role
from tracker.results import services as results
from tracker.results.models import Direction, Unit
from tracker.surveys import builder as surveys
from tracker.surveys.models import Answer, QuestionKind, Response

DEMO_PASSWORD = "demo-password-1"  # noqa: S105 - printed for the demo accounts only
PROGRAMME_SLUG = "welsh-service-improvement-project"

ACCOUNTS = [
    # email, name, role in programme, organisation, site admin, may create programmes
    ("admin@example.org", "Alex Admin", None, None, True, False),
    ("facilitator@example.org", "Marcia Evans", Role.FACILITATOR, None, False, True),
    ("gg@rct.example.org", "Gareth Griffiths", Role.TEAM_MEMBER, "RCT", False, False),
    ("dh@rct.example.org", "Dawn Hughes", Role.TEAM_MEMBER, "RCT", False, False),
    ("rg@rct.example.org", "Rhian Gwilym", Role.TEAM_MEMBER, "RCT", False, False),
    ("team@caerphilly.example.org", "Carys Price", Role.TEAM_MEMBER, "Caerphilly", False, False),
    ("viewer@example.org", "Vaughan Head", Role.VIEWER, None, False, False),
]
ROLE_NAMES = {Role.FACILITATOR: "facilitator", Role.TEAM_MEMBER: "team member", Role.VIEWER: "viewer (read only)"}

ORGANISATIONS = {
    "RCT": "Rhondda Cynon Taf County Borough Council",
    "Caerphilly": "Caerphilly County Borough Council",
    "Merthyr": "Merthyr Tydfil County Borough Council",
}
INITIATIVES = ["HSG needs assessment", "RRTPs", "High Level Action Plan", "Ombudsman's Report",
               "Housing Support Programme strategy", "Tyfu Tai", "PSL leasing scheme", "Code of Guidance",
               # The "LINKED TO …" notes on the seed's sample roadmap:
               "Abritas upgrade", "HMO work in Treforest", "Housing First expansion",
               "Work to strengthen partnerships"]

AIM = ("How might we redesign services to reduce the number of customers “falling out” of the statutory "
       "housing system within S66 and S73?")
OUTCOMES = """\
- Increase successful prevention and relief outcomes for people currently falling out of your service system and those who may do so in the future
- Support to work through specific factors that contribute to people falling out
- Ongoing support to trial changes, learn from them and evaluate the impact over the medium and long term
- Opportunity to exchange knowledge and practice with a close group of local authorities
- Opportunity to involve and upskill officers in co-designing changes
- Learn and adapt your service in light of the pandemic
- Gain novel and invaluable insight from your service users"""

QUICK_WINS = [
    # title, rationale, description, priority, owners (none: the whole team), action, progress (date, text), column
    ("Make PHPs more customer friendly",
     "Improves customer awareness, promotes a more open and friendly relationship with the housing adviser and "
     "helps to keep customer in the system.",
     "Consider a number of other LA's PHPs and devise more useful version for RCT making it easier to read and "
     "more informative for the customer.",
     Priority.HIGH, ["gg@rct.example.org", "dh@rct.example.org", "rg@rct.example.org"],
     ("Meeting to discuss took place 05/01/22 - Crisis supplied sample PHPs for discussion", date(2022, 1, 5), True),
     (date(2022, 1, 10), "Meeting set for 31/01/22 to review current wording."), RoadmapColumn.CONCEPT),
    ("Casework standards",
     "Improves customer relationship with caseworker, improves customer experience, makes patterns of fall-out "
     "more identifiable and enables service to be built more successfully around customer need.",
     "Gaps in staff knowledge around how to work on cases and interact with customers has been identified. Many "
     "HO officers work to different standards and work methods. A gold standard casework document to provide "
     "guidance on how cases should be progressed will aid in making the customer journey more successful.",
     Priority.MEDIUM, ["rg@rct.example.org"],
     ("Agree the link with quick wins 4, 5 and 8 (case management standards, end of duty categories, "
      "preferred contact methods)", date(2022, 2, 1), False),
     (date(2022, 1, 10), "Agreed timescale for commencement by 01/02/22 and potential completion date. "
      "This is a large piece of work."), RoadmapColumn.BACKLOG),
    ("Review debt pathway",
     "Improves customer knowledge and their ability to make informed choices. Promotes a climate of help and "
     "assistance towards the customer and allows for realistic plans to be made.",
     "Current debt pathway is through CAB. A need to evaluation of the work done by CAB and how effective this "
     "is, is needed. More direct referrals to CAB are required and a debt evaluation sheet could help to "
     "consistently identify cases which would benefit from the debt pathway.",
     Priority.MEDIUM, [],
     ("Set dates to start the review", None, False),
     (date(2022, 1, 10), "Awaiting commencement. Currently on hold."), RoadmapColumn.ON_HOLD),
    ("Introduce case management standards",
     "Improves customer journey and effectiveness of data collection. Ensures that customers receives the same "
     "journey whichever officer deals with their case.",
     "Provide staff with a comprehensive guide to how cases should be progressed including training on how "
     "customers should be communicated with both in terms of time and attitude.",
     Priority.HIGH, [],
     ("Agree the link with quick wins 2, 5 and 8", date(2022, 2, 1), False),
     (date(2022, 1, 10), "Agreed timescale for commencement by 01/02/22 and potential completion date. "
      "This is a large piece of work."), RoadmapColumn.BACKLOG),
]

OPPORTUNITY_1 = ("How might we use TA as a platform for positive, sustainable outcomes?",
                 "It was identified that some of the fall-out happened from temporary accommodation and that this TA "
                 "might not be suitable for the needs of the customer, resulting in them leaving the system. "
                 "Improving our provision of TA and supported housing provision will give customers more choice "
                 "and assist in positive outcomes and promote a culture of sustainability.")
IDEAS_1 = [
    # title, priority, column, the initiative it is linked to
    ("Review the tech used / methods used to communicate with customers", Priority.HIGH, RoadmapColumn.CONCEPT,
     "Abritas upgrade"),
    ("Increase the provision of TA we need - right type, trauma informed etc. Lease/ RSL?", Priority.MEDIUM,
     RoadmapColumn.CONCEPT, "HMO work in Treforest"),
    ("Management process/standards. How will we monitor?", Priority.HIGH, RoadmapColumn.BACKLOG, None),
    ("Complex needs supported housing/housing first provision?", Priority.LOW, RoadmapColumn.CONCEPT,
     "Housing First expansion"),
    ("Regular feedback from TA providers.", Priority.MEDIUM, RoadmapColumn.CONCEPT,
     "Work to strengthen partnerships"),
]

CONCEPT = {
    "name": "How might we… provide continuity and clarity of support for customers?",
    "how_it_works": "- Consider existing partnership working arrangements and identify where there are gaps in "
                    "existing provision either in terms of collaboration opportunities, joint working or information "
                    "sharing.\n- Consider reinstating CELL meetings\n- Consider the effectiveness of existing meetings "
                    "already taking place\n- Pay particular attention to our relationship with health and care",
    "target_users": "Partners of the homelessness service but particular health and social care colleagues and "
                    "first and second line health services eg. GPs and hospitals.",
    "value": "Strengthening existing relationships and working towards a service that can offer a multi-agency "
             "approach to the management of homelessness throughout Caerphilly.",
    "barriers": "- Partner buy-in\n- Officer buy-in\n- Time to undertake more engagement with partners\n"
                "- Aligned vision and values",
    "success_factors": "A desire from other services both within the LA and outside to engage with the "
                       "multi-agency approach and to take responsibility for their part in ending homelessness.",
    "description": "Reinvigorate partnership working and meetings – definitely with health and care.",
}
PLAN = {
    "concept_tested": "Design Opportunity 2 - How might we provide continuity and clarity of support for customer? "
                      "Reinvigorate partnership working and meetings – definitely with health and care",
    "assumptions": "1. There is an appetite for more partnership working from our partners.\n2. That we already "
                   "have some strong relationships that just need revisiting\n3. Working more closely with partners "
                   "would bring extra benefits across all our work.\n4. Health and care are particularly useful "
                   "partners in relation to falling out work.",
    "key_questions": "1. Can we piggy-back on existing partnership meetings or opportunities?\n2. How often should "
                     "any meetings with partners be?\n3. Should we have an all partners meeting or specific meetings "
                     "with different partners?\n4. What other types of interaction do we need to think about?",
    "how_to_test": "1. Telephone/email partners to scope out appetite for meetings\n2. Survey of partners to rank "
                   "our relationship and the need for meetings\n3. Target our partners in health and care services\n"
                   "4. Check out what events/meetings are already on the timetable\n5. Research good partnership "
                   "working principles.",
    "scenarios_roles": "",
    "needs": "1. Staff time to prepare survey, ring or email partners, research existing meetings\n2. Potential "
             "venues – if not online – for meetings to happen.\n3. Staff time to evaluate results and feed back to "
             "management.",
}


def load_insights(programme) -> None:
    """Seed 002's discovery insights by theme, linked to what answers them (``tracker.insights.demo``)."""
    from tracker.insights import demo as insights_demo

    insights_demo.load(programme, ORGANISATIONS)


def _accounts() -> dict[str, User]:
    users = {}
    for email, name, _role, _org, is_admin, is_facilitator in ACCOUNTS:
        users[email] = find_by_email(email) or create_user(email, name, DEMO_PASSWORD, is_admin=is_admin,
                                                           is_facilitator=is_facilitator)
    return users


def load_demo() -> list[tuple[str, str]]:
    """Create the demo programme and accounts unless they exist; returns (email, role) to print."""
    users = _accounts()
    listing = [(email, "site administrator" if role is None else ROLE_NAMES[role]
                + (f", {ORGANISATIONS[org].split(' County')[0]}" if org else ""))
               for email, _n, role, org, _a, _f in ACCOUNTS]
    if db.session.scalar(select(Programme).where(Programme.slug == PROGRAMME_SLUG)):
        return listing

    programme = programmes.create_programme(
        name="Welsh Service Improvement Project", aim=AIM, expected_outcomes=OUTCOMES,
        start_date=date(2022, 2, 1), evaluation_months=18, checkin_interval_months=3, survey_interval_months=3,
        creator=users["facilitator@example.org"],
        # The demo's periods all ended years ago; keep their figures open so the demo can be tried.
        figures_lock_days=3650)
    assert programme.slug == PROGRAMME_SLUG
    orgs = {key: programmes.add_organisation(programme, name) for key, name in ORGANISATIONS.items()}
    initiatives = {name: programmes.add_initiative(programme, name) for name in INITIATIVES}
    for email, _name, role, org, _admin, _fac in ACCOUNTS:
        if role is not None and role != Role.FACILITATOR:
            db.session.add(Membership(programme=programme, user=users[email], role=role,
                                      organisation=orgs[org] if org else None))
    db.session.flush()

    facilitator = users["facilitator@example.org"]
    rct = orgs["RCT"]
    cards: list[Card] = []
    for title, rationale, description, priority, owners, action, progress, column in QUICK_WINS:
        card = board.create_card(rct, kind=Kind.QUICK_WIN, title=title, rationale=rationale,
                                 description=description, priority=priority,
                                 owners=[users[e] for e in owners], user=facilitator, column=column,
                                 team_owned=not owners)  # the seed's owner "Team": the whole project team
        text, due, done = action
        board.add_action(card, text=text, owner=card.owners[0] if card.owners else None, due_on=due,
                         user=facilitator).is_done = done
        board.add_progress_update(card, on=progress[0], body=progress[1], user=facilitator)
        cards.append(card)
    board.link_cards(cards[1], cards[3], user=facilitator)

    opportunity = board.create_opportunity(rct, title=OPPORTUNITY_1[0], rationale=OPPORTUNITY_1[1],
                                           priority=Priority.HIGH, is_in_progress=True,
                                           initiatives=[initiatives["RRTPs"], initiatives["HSG needs assessment"]])
    for title, priority, column, initiative in IDEAS_1:
        board.create_card(rct, kind=Kind.IDEA, opportunity=opportunity, title=title, priority=priority,
                          user=facilitator, column=column, initiatives=[initiatives[initiative]] if initiative else [])

    caerphilly = orgs["Caerphilly"]
    board.create_opportunity(caerphilly, title="How might we use our TA as a platform for positive, sustainable "
                             "outcomes?", priority=Priority.MEDIUM)
    continuity = board.create_opportunity(
        caerphilly, title="How might we provide continuity and clarity of support for customers?",
        rationale="Providing a service that increases positive, informative contact in a range of different ways "
                  "will build trust, positive relationships and helps to reduce the number of people leaving the "
                  "system with a “fall out” outcome.", priority=Priority.HIGH, is_in_progress=True)
    prototype = board.create_card(caerphilly, kind=Kind.PROTOTYPE, opportunity=continuity,
                                  title="Reinvigorate partnership working and meetings – definitely with health "
                                  "and care", priority=Priority.HIGH, user=facilitator,
                                  owners=[users["team@caerphilly.example.org"]], column=RoadmapColumn.PROTOTYPING)
    board.save_sheet(prototype, ConceptSheet, expected_version=prototype.version, user=facilitator, **CONCEPT)
    board.save_sheet(prototype, PrototypePlan, expected_version=prototype.version, user=facilitator, **PLAN)
    _results(programme, orgs, facilitator)
    _survey(programme)
    checkins_demo.load(programme)
    load_insights(programme)
    audits_demo.load(programme, rct)  # the seed's 27-point template and RCT's baseline audit
    assessments_demo.load(programme)  # the starter self-assessment toolkit
    return listing


#: The seed's "staff's observations on the changes being made", asked every three months, as a few concrete
#: questions: kind, text, hint, required, choices, scored as eNPS (their Welsh in SURVEY_QUESTIONS_CY).
SURVEY_QUESTIONS = [
    (QuestionKind.LIKERT, "The changes being made are improving how we work with customers",
     "Think of the changes your team has made since the project started", True, [], False),
    (QuestionKind.LIKERT, "I understand why the changes are being made", "", True, [], False),
    (QuestionKind.SCALE, "How likely are you to recommend the new ways of working to a colleague in another council?",
     "0 is not at all likely, 10 is extremely likely", True, [], True),
    (QuestionKind.SINGLE, "Which change has made the most difference to your work so far?", "", False,
     ["More customer-friendly personal housing plans", "Casework standards", "Reviewing the debt pathway",
      "New ways of contacting customers", "None of these yet"], False),
    (QuestionKind.TEXT, "What should change next?",
     "Please do not write names, or anything else that could identify you, a colleague or a customer", False, [],
     False),
]

#: The same questions in Welsh: text, hint and choices (in the order of the English choices).
SURVEY_QUESTIONS_CY = [
    ("Mae'r newidiadau sy'n cael eu gwneud yn gwella'r ffordd rydym yn gweithio gyda chwsmeriaid",
     "Meddyliwch am y newidiadau y mae eich tîm wedi'u gwneud ers i'r prosiect ddechrau", []),
    ("Rwy'n deall pam mae'r newidiadau'n cael eu gwneud", "", []),
    ("Pa mor debygol ydych chi o argymell y ffyrdd newydd o weithio i gydweithiwr mewn cyngor arall?",
     "Mae 0 yn golygu ddim yn debygol o gwbl, ac mae 10 yn golygu hynod o debygol", []),
    ("Pa newid sydd wedi gwneud y gwahaniaeth mwyaf i'ch gwaith hyd yma?", "",
     ["Cynlluniau tai personol sy'n fwy cyfeillgar i gwsmeriaid", "Safonau gwaith achos", "Adolygu'r llwybr dyledion",
      "Ffyrdd newydd o gysylltu â chwsmeriaid", "Dim un o'r rhain eto"]),
    ("Beth ddylai newid nesaf?",
     "Peidiwch ag ysgrifennu enwau, nac unrhyw beth arall a allai eich adnabod chi, cydweithiwr neu gwsmer", []),
]


def _survey(programme) -> None:
    """The starter staff survey (seed 002, "Evaluation and monitoring"), with its waves from the calendar."""
    survey = surveys.create_survey(
        programme, title="Staff pulse survey: the changes being made",
        introduction="Every three months we ask staff in the three councils’ housing teams how the changes made in "
                     "the Welsh Service Improvement Project are going. It takes about three minutes, and your "
                     "answers are anonymous.",
        privacy_note=surveys.default_privacy_note(programme), open_days=14,
        title_cy="Arolwg pwls staff: y newidiadau sy'n cael eu gwneud",
        introduction_cy="Bob tri mis, rydym yn gofyn i staff timau tai'r tri chyngor sut mae'r newidiadau a wnaed "
                        "ym Mhrosiect Gwella Gwasanaethau Cymru yn mynd. Mae'n cymryd tua thri munud, ac mae eich "
                        "atebion yn ddienw.",
        # From the Welsh catalogue ("" until it has the default note: never the English as the Welsh).
        privacy_note_cy=surveys.default_privacy_note_cy(programme))
    for (kind, text, hint, required, choices, nps), (text_cy, hint_cy, choices_cy) in zip(
            SURVEY_QUESTIONS, SURVEY_QUESTIONS_CY, strict=True):
        surveys.add_question(survey, kind=kind, text=text, hint=hint, required=required, choices=choices, nps=nps,
                             text_cy=text_cy, hint_cy=hint_cy, choices_cy=choices_cy)
    _survey_answers(survey)


#: Demo responses per council in waves 1 and 2: the third council's first wave is below the minimum of 5, so
#: the demo shows results hidden to protect anonymity (and the smallest other council hidden with it).
DEMO_RESPONSES = {1: (9, 7, 3), 2: (11, 8, 6)}
DEMO_TEXTS = ["Fewer forms to fill in before the first visit", "More time with customers, less on the phone",
              "Share the new letters with the other councils", "Training for new starters on the standards"]


def _survey_answers(survey) -> None:
    """Answers to the first two waves, made up but steady (the same every load), improving from one to the next."""
    chance = random.Random(2026)  # noqa: S311 - made-up demo answers, not a secret
    orgs = sorted(survey.programme.organisations, key=lambda org: org.id)
    questions = sorted(survey.questions, key=lambda q: q.position)
    for wave in sorted(survey.waves, key=lambda w: w.number)[:2]:
        lift = wave.number - 1
        for org, count in zip(orgs, DEMO_RESPONSES[wave.number], strict=False):
            for _ in range(count):
                response = Response(id=uuid.uuid4().hex, wave_id=wave.id, organisation_id=org.id,
                                    submitted_on=wave.opens_on)
                db.session.add(response)
                for question in questions:
                    if question.kind == QuestionKind.LIKERT:
                        value, text = min(5, chance.choice([2, 3, 3, 4, 4, 5]) + lift), None
                    elif question.kind == QuestionKind.SCALE:
                        value, text = min(10, chance.choice([4, 6, 7, 7, 8, 9, 10]) + lift), None
                    elif question.kind == QuestionKind.SINGLE:
                        value, text = chance.randrange(len(question.choices)), None
                    elif chance.random() < 0.4:
                        value, text = None, chance.choice(DEMO_TEXTS)
                    else:
                        continue
                    response.answers.append(Answer(question_id=question.id, item=0, value=value, text=text))
    db.session.flush()


def _results(programme, orgs, facilitator) -> None:
    """The seed's sample results tracker: Objective 1, Outcome 1.1, its indicator and output."""
    objective = results.create_objective(
        programme, "To reduce prevention ‘fallout’ from the homelessness system in three Welsh LAs")
    outcome = results.create_outcome(
        objective, "Number of households recorded as ‘fallen out’ under Prevention duty reduced during reporting period")
    indicator = results.create_indicator(
        outcome, name="Proportion of unique households under Prevention duty categorised as ‘fall-out’ during "
        "three-month period (total)",
        definition="Number of households recorded as ‘fallen out’ under Prevention duty reduced during reporting "
        "period", unit=Unit.PROPORTION, numerator_label="households categorised as fall-out",
        denominator_label="unique households under Prevention duty", direction=Direction.DECREASE,
        baseline=Decimal("16"), target=Decimal("12"),
        frequency="Data inputted into participating LA system daily/weekly, and extracted at end of reporting period",
        data_source="Participating LA homelessness monitoring/case management system",
        who_collects="Front-line staff will input - LA contact will extract")
    output = results.create_output(
        outcome, description="LAs implement actions for prevention duty following action plan",
        evidence="Narrative report describing prevention action plan implementation is submitted to Crisis in two "
        "weeks following reporting period", due_days_after_period=14)
    today = date.today()
    for key, figures in {"RCT": [(19, 120), (17, 118), (14, 115)], "Caerphilly": [(22, 140), (20, 138)]}.items():
        for period, (numerator, denominator) in enumerate(figures, start=1):
            results.save_figure(indicator, orgs[key], period,
                                results.FigureValues(numerator=Decimal(numerator), denominator=Decimal(denominator),
                                                     source="Case management system quarterly extract"),
                                user=facilitator, today=today, via="import", may_change_locked=True)
    results.record_output(output, orgs["RCT"], 1, received=True, user=facilitator, today=date(2022, 5, 10))
    cards = db.session.scalars(select(Card).where(Card.organisation_id == orgs["RCT"].id,
                                                  Card.opportunity_id.is_not(None))).all()
    for card in cards[:2]:
        results.set_card_indicators(card, [indicator])
