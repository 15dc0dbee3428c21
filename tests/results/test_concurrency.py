"""Writers of one programme's figures at the same time, on PostgreSQL (SQLite lets one writer in at a
time for the whole database, so there is nothing to race there)."""

import threading

import pytest

from tests.exchange.conftest import TODAY, make_results
from tracker.extensions import db
from tracker.programmes.models import Organisation
from tracker.results import queries, services
from tracker.results.models import Indicator


def test_writers_in_opposite_orders_neither_deadlock_nor_lose_a_total(app, world):
    if db.engine.dialect.name != "postgresql":
        pytest.skip("a race between writers needs PostgreSQL (TEST_DATABASE_URL); SQLite serialises them")
    results = make_results(world)
    ids = {"count": results.count.id, "share": results.share.id, "a": world.org_a.id, "b": world.org_b.id}
    barrier, errors = threading.Barrier(4), []

    def write(org_key: str, order: tuple[str, str], period: int) -> None:
        with app.app_context():
            try:
                org = db.session.get(Organisation, ids[org_key])
                barrier.wait(timeout=10)
                for name in order:  # one transaction, two indicators, in this writer's order
                    indicator = db.session.get(Indicator, ids[name])
                    values = (services.FigureValues(value=str(period * 10)) if name == "count"
                              else services.FigureValues(numerator=str(period), denominator="10"))
                    services.save_figure(indicator, org, period, values, user=None, today=TODAY)
                db.session.commit()
            except Exception as error:  # noqa: BLE001 - reported below
                db.session.rollback()
                errors.append(repr(error))
            finally:
                db.session.remove()

    writers = [threading.Thread(target=write, args=args) for args in (
        ("a", ("count", "share"), 3), ("b", ("share", "count"), 3),
        ("a", ("share", "count"), 2), ("b", ("count", "share"), 2))]
    for writer in writers:
        writer.start()
    for writer in writers:
        writer.join(timeout=30)
    assert not any(writer.is_alive() for writer in writers), "a writer is stuck"
    assert errors == []
    db.session.rollback()
    assert queries.totals(world.programme) == queries.live_totals(world.programme)
    assert queries.totals(world.programme)[(ids["count"], 3)].value == 60  # 30 from A + 30 from B
