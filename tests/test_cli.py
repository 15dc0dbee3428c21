"""Command-line tools."""

from sqlalchemy import func, select

from tracker.accounts.models import User
from tracker.board.models import Card
from tracker.extensions import db


def test_create_user(runner):
    result = runner.invoke(args=["tracker", "create-user", "--email", "New@Example.org", "--name", "New Person",
                                 "--password", "long-enough-pw", "--facilitator"])
    assert result.exit_code == 0, result.output
    user = db.session.scalar(select(User).where(User.email == "new@example.org"))
    assert user.is_facilitator and not user.is_admin


def test_create_user_refuses_a_short_password(runner):
    result = runner.invoke(args=["tracker", "create-user", "--email", "a@example.org", "--name", "A",
                                 "--password", "short"])
    assert result.exit_code != 0
    assert "10 characters" in result.output


def test_demo_is_idempotent_and_matches_the_seed(runner):
    first = runner.invoke(args=["tracker", "demo"])
    assert first.exit_code == 0, first.output
    counts = (db.session.scalar(select(func.count()).select_from(User)),
              db.session.scalar(select(func.count()).select_from(Card)))
    second = runner.invoke(args=["tracker", "demo"])
    assert second.exit_code == 0, second.output
    assert (db.session.scalar(select(func.count()).select_from(User)),
            db.session.scalar(select(func.count()).select_from(Card))) == counts
    assert "facilitator@example.org" in first.output
    titles = {c.code: (c.title, c.column.value) for c in db.session.scalars(select(Card))
              if c.organisation.name.startswith("Rhondda")}
    assert titles["1"] == ("Make PHPs more customer friendly", "concept")
    assert titles["3"][1] == "on_hold"
    assert titles["1.3"] == ("Management process/standards. How will we monitor?", "backlog")
    assert {titles[c][1] for c in ("1.1", "1.2", "1.4", "1.5")} == {"concept"}
