"""Check-ins: the programme calendar (one check-in per organisation every check-in interval, the mid-way
staff event), moving and recording check-ins, and the calendar as .ics files and a secret feed."""

from flask import Blueprint

bp = Blueprint("checkins", __name__)

from tracker.checkins import (  # noqa: E402,F401  (the views register their routes on bp)
    agenda_cache,
    models,
    versions,  # noqa: E402,F401  (registers its flush and commit hooks)
    views,
    views_agenda,  # noqa: E402,F401  (the agenda and meeting record routes)
    views_overview,  # noqa: E402,F401  (the facilitator's overview)
)
