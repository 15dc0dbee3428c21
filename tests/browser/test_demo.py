"""The demo programme's pages, checked like every other page: real content (long council names, six
reporting periods, the seed's long indicator) is what stretched the results tracker past the screen."""

from playwright.sync_api import expect
from sqlalchemy import select

from tracker.accounts.services import find_by_email
from tracker.board.models import Card, Kind
from tracker.demo import DEMO_PASSWORD, PROGRAMME_SLUG, load_demo
from tracker.extensions import db
from tracker.results.models import Indicator

RCT = f"/programmes/{PROGRAMME_SLUG}/rhondda-cynon-taf-county-borough-council"


def test_the_demo_pages_read_right(new_context, sign_in, visit):
    load_demo()
    db.session.commit()
    prototype = db.session.scalar(select(Card).where(Card.kind == Kind.PROTOTYPE))
    idea = db.session.scalar(select(Card).where(Card.kind == Kind.IDEA).order_by(Card.number))
    indicator = db.session.scalar(select(Indicator))
    team = sign_in(new_context(), find_by_email("gg@rct.example.org"), password=DEMO_PASSWORD).new_page()
    for path in (f"/programmes/{PROGRAMME_SLUG}", f"{RCT}/", f"{RCT}/roadmap", f"{RCT}/quick-wins",
                 f"{RCT}/opportunities", f"/cards/{idea.id}", f"/programmes/{PROGRAMME_SLUG}/results",
                 f"/indicators/{indicator.id}", "/account/tokens"):
        visit(team, path)
    # The seed's "LINKED TO …" notes show on the roadmap's cards.
    team.goto(f"{RCT}/roadmap")
    expect(team.locator(f"#card-{idea.id} .app-card__linked")).to_have_text("Linked to: Abritas upgrade")

    facilitator = sign_in(new_context(), find_by_email("facilitator@example.org"), password=DEMO_PASSWORD).new_page()
    for path in (f"/programmes/{PROGRAMME_SLUG}/people", f"/cards/{prototype.id}",
                 f"/programmes/{PROGRAMME_SLUG}/results/framework"):
        visit(facilitator, path)
