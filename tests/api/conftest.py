"""Fixtures for the API: a world with indicators and figures in both organisations, and a token per actor.

The programme starts seven months before today, so (with 3-month periods) period 1 is locked, periods 2
and 3 are open, period 3 is the current one and period 4 has not started yet.
"""

from dataclasses import dataclass
from decimal import Decimal

import pytest

from tests import factories
from tracker.api import services as tokens
from tracker.board.services import today
from tracker.extensions import db
from tracker.results import services as results
from tracker.results.models import Unit
from tracker.results.periods import add_months

#: Words of organisation B that nobody who may not see organisation B may ever read.
ORG_B_SECRETS = ("council-b", "Council B", "Review debt pathway", "Partnership meetings", "Figure note of B",
                 "Source of B")
ACTORS = ("outsider", "admin", "team_a", "viewer_b", "viewer", "team_b", "facilitator")
SEES_ORG_B = {"viewer_b", "viewer", "team_b", "facilitator"}


@dataclass
class ApiWorld:
    world: factories.World
    slug: str
    tokens: dict[str, str]
    count_code: str
    proportion_code: str
    yes_no_code: str

    def headers(self, actor: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.tokens[actor]}"}


def leaked(body: bytes) -> list[str]:
    text = body.decode("utf-8", "replace")
    return [secret for secret in ORG_B_SECRETS if secret in text]


@pytest.fixture
def api(world) -> ApiWorld:
    programme = world.programme
    programme.start_date = add_months(today(), -7)
    objective = results.create_objective(programme, "Fewer households fall out of the process")
    outcome = results.create_outcome(objective, "People keep in touch")
    count = results.create_indicator(outcome, name="Households contacted", unit=Unit.COUNT,
                                     target=Decimal("100"), baseline=Decimal("40"), frequency="Quarterly")
    proportion = results.create_indicator(outcome, name="Share who fall out", unit=Unit.PROPORTION,
                                          numerator_label="Fallen out", denominator_label="All households",
                                          target=Decimal("10"))
    yes_no = results.create_indicator(outcome, name="Protocol agreed", unit=Unit.YES_NO)
    for org, note, source in ((world.org_a, "Figure note of A", "Source of A"),
                              (world.org_b, "Figure note of B", "Source of B")):
        results.save_figure(count, org, 2, results.FigureValues(value="12", note=note, source=source),
                            user=world.facilitator, today=today())
        results.save_figure(proportion, org, 2, results.FigureValues(numerator="3", denominator="20", note=note),
                            user=world.facilitator, today=today())
    results.set_card_indicators(world.card_b, [count])
    results.set_card_indicators(world.card_a, [count, proportion])
    db.session.commit()
    issued = {}
    for actor, user in world.users().items():
        _row, issued[actor] = tokens.create_token(user, f"{actor} script")
    db.session.commit()
    return ApiWorld(world, programme.slug, issued, count.code, proportion.code, yes_no.code)
