"""The demo's starter toolkit: a short section of seed 004's housing advice and homelessness toolkit.

Section A1 "User focus" and headline question A1.1 are the seed's (Appendix 4); the key questions, what to
look for and where to gather evidence are drawn from its Appendix 1 task list and evidence examples. The
wording of headline A1.2 is ours: the seed lists its key questions' references (A1 2.1) but not its text.
Loading twice changes nothing.
"""

from sqlalchemy import select

from tracker.assessments import services
from tracker.assessments.models import Toolkit
from tracker.extensions import db

TITLE = "Housing advice and homelessness"

A1_1_1_LOOK_FOR = """\
- Does the council provide members of the public with information about the range of housing advice and \
homelessness services available locally (provided by both the council and other organisations) and how to \
access these services, including out of hours arrangements?
- Is the information comprehensive and accurate? Is it clear when the information was last updated?
- Can service users make initial contact by phone, text, email or in person?"""

A1_1_1_SOURCES = {
    "documents": "Written information, leaflets and website information available to the public",
    "observation": "Front line staff dealing with housing advice and homelessness queries at the main office: "
                   "are callers responded to promptly, treated courteously, and waiting times kept to a minimum?",
    "user_opinion": "Service users' views on how easy it was to find out about the service and make contact",
}

A1_1_2_LOOK_FOR = """\
- Are the offices accessible to people with disabilities? Is a hearing loop available?
- Is it possible to receive the service in a language other than English or Welsh (for example through \
Language Line)?"""

A1_1_2_SOURCES = {
    "observation": "The reception and interview rooms at the main office",
    "interviews": "The Housing Options Manager",
    "focus_groups": "Front line staff",
}

A1_2_1_LOOK_FOR = """\
- Is the information available in a range of formats? Does it include service standards?
- Does it include the legal responsibilities of the council in relation to homelessness?
- Do decision letters clearly state the decision, the reasons for it, what happens next, and the applicant's \
right to request a review?"""

A1_2_1_SOURCES = {
    "documents": "Decision letters (a sample of 10) and the published service standards",
    "interviews": "The Housing Benefit key officer",
    "user_opinion": "Applicants who received a decision in the last three months",
}


def load(programme) -> Toolkit:
    """The starter toolkit in ``programme``, unless one of that title is there already."""
    existing = db.session.scalar(select(Toolkit).where(Toolkit.programme_id == programme.id, Toolkit.title == TITLE))
    if existing is not None:
        return existing
    toolkit = services.create_toolkit(
        programme, title=TITLE,
        description="A starter: Part A section 1 of the WLGA housing advice and homelessness improvement toolkit.")
    section = services.add_section(toolkit, ref="A1", title="User focus")
    accessible = services.add_headline(section, ref="A1.1", text="Are our services accessible for users?")
    services.add_question(accessible, ref="A1 1.1",
                          text="Does the council provide members of the public with information about the range "
                               "of services available and how to access them?",
                          look_for=A1_1_1_LOOK_FOR, sources=A1_1_1_SOURCES)
    services.add_question(accessible, ref="A1 1.2",
                          text="Can everyone use the service, whatever their disability or language?",
                          look_for=A1_1_2_LOOK_FOR, sources=A1_1_2_SOURCES)
    informed = services.add_headline(section, ref="A1.2",
                                     text="Do we give users clear information about their options and our decisions?")
    services.add_question(informed, ref="A1 2.1",
                          text="Is the information given to service users clear, available in a range of formats, "
                               "and does it explain their rights?",
                          look_for=A1_2_1_LOOK_FOR, sources=A1_2_1_SOURCES)
    return toolkit
