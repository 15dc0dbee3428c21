"""Helpers for the self-assessment tests: the demo's starter toolkit in the world's programme, and an
assessment of an organisation against it."""

from tracker.assessments import demo, services
from tracker.extensions import db


def make_toolkit(programme):
    """The starter toolkit (seed 004, section A1): two headline questions, three key questions."""
    toolkit = demo.load(programme)
    db.session.commit()
    return toolkit


def make_assessment(org, toolkit, *, title="Self-assessment 2026", coordinator=None, team=()):
    assessment = services.start_assessment(org, toolkit, title=title, coordinator=coordinator, team=list(team))
    db.session.commit()
    return assessment


def evidence_text(n: int = 1) -> str:
    return (f"The council has a range of information leaflets ({n}) available at various outlets including council "
            "offices, in English and Welsh, and on request in large type and Braille.")
