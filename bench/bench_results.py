# ruff: noqa: E501 - the bare template is one long line per row, like the page it mirrors
"""Benchmark of the results tracker: page time against a bare page of the same table, SQL statements.

Run from the project root::

    .venv/bin/python bench/bench_results.py

stdout carries one ``name value`` line per figure; progress goes to stderr. The data: one programme
with 100 organisations and 50 indicators (8 reporting periods), every organisation reporting every
indicator for every period: 40,000 figures. ``results_queries`` is counted on that programme and on a
small one (5 organisations × 5 indicators); they must be equal.

The ``results_*`` figures are for the page as people mostly see it: the built table kept from an earlier
request (``tracker.results.table_cache``). The ``results_cold_*`` figures are for the first request after
a change, which builds the table again.
"""

import os
import sys
import tempfile
import time
from datetime import date
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from flask import render_template  # noqa: E402

from bench.bench_board import PASSWORD, StatementCounter, log, median_ms, shorten, sign_in, timed_get  # noqa: E402
from tracker import create_app  # noqa: E402
from tracker.accounts.services import create_user  # noqa: E402
from tracker.config import database_url  # noqa: E402
from tracker.extensions import db  # noqa: E402
from tracker.programmes import services as programmes  # noqa: E402
from tracker.results import services as results  # noqa: E402
from tracker.results.models import Direction, Figure, Indicator, Unit  # noqa: E402

BARE_TEMPLATE = """<!DOCTYPE html>
<html lang="en-GB"><head><meta charset="utf-8"><title>Bare results</title></head><body><main>
<table><thead><tr><th>Indicator definition</th><th>Indicator</th><th>Target</th>
{% for p in periods %}<th colspan="2">{{ p }}</th>{% endfor %}<th>Frequency</th><th>Source</th><th>Who</th></tr></thead>
<tbody>
{% for row in rows %}<tr><td>{{ row.definition }}</td><th scope="row"><a href="/indicators/{{ row.id }}">{{ row.code }} {{ row.name }}</a><br><strong class="govuk-tag govuk-tag--green">On track</strong></th><td>{{ row.target }}%<br><span>Lower is better</span></td>
{% for cell in row.cells %}<td>{{ cell.own }}<br><a href="/indicators/{{ row.id }}/figures/org/{{ loop.index }}">Change<span> {{ row.code }}, {{ cell.label }}</span></a></td><td>{{ cell.total }}<br><span>{{ cell.reported }} of 100 reported</span></td>{% endfor %}
<td>{{ row.frequency }}</td><td>{{ row.source }}</td><td>{{ row.who }}</td></tr>
{% endfor %}</tbody></table></main></body></html>"""


def seed(n_orgs: int, n_indicators: int, name: str) -> dict:
    facilitator = create_user(f"fac-{name}@bench.example", "Fran Facilitator", PASSWORD, is_facilitator=True)
    programme = programmes.create_programme(
        name=name, aim="How might we?", expected_outcomes="", start_date=date(2024, 1, 1), evaluation_months=24,
        checkin_interval_months=3, survey_interval_months=3, creator=facilitator, figures_lock_days=3650)
    orgs = [programmes.add_organisation(programme, f"{name} council {i:03d}") for i in range(n_orgs)]
    objective = results.create_objective(programme, "Reduce fall-out")
    outcomes = [results.create_outcome(objective, f"Outcome {k}") for k in range(5)]
    indicators = []
    for i in range(n_indicators):
        proportion = i % 2 == 0
        indicators.append(results.create_indicator(
            outcomes[i % 5], name=f"Indicator {i}", definition="Households recorded as fallen out, reduced",
            unit=Unit.PROPORTION if proportion else Unit.COUNT, numerator_label="fell out" if proportion else "",
            denominator_label="households" if proportion else "", direction=Direction.DECREASE,
            target=Decimal("12"), frequency="Quarterly", data_source="CMS", who_collects="LA contact"))
    db.session.flush()
    rows = []
    for org in orgs:
        for indicator in indicators:
            for period in range(1, 9):
                proportion = indicator.unit == Unit.PROPORTION
                rows.append({"indicator_id": indicator.id, "organisation_id": org.id, "period_number": period,
                             "value": None if proportion else Decimal(period * 3),
                             "numerator": Decimal(10 + period) if proportion else None,
                             "denominator": Decimal(100) if proportion else None, "version": 1})
    db.session.execute(Figure.__table__.insert(), rows)
    results.refresh_all_totals(programme.id)  # bulk rows bypass save_figure, which keeps totals current
    db.session.commit()
    return {"programme": programme.slug, "user": facilitator.email, "org": orgs[0].slug}


def bare_rows() -> list[dict]:
    rows = []
    for indicator in db.session.query(Indicator).order_by(Indicator.id).limit(50):
        rows.append({"id": indicator.id, "code": indicator.code, "name": indicator.name,
                     "definition": indicator.definition, "target": "12", "frequency": indicator.frequency,
                     "source": indicator.data_source, "who": indicator.who_collects,
                     "cells": [{"own": "11.0% (11/100)", "total": "11.0% (1,100/10,000)", "reported": 100,
                                "label": f"{p * 3}–{p * 3 + 3} months since start date"} for p in range(8)]})
    return rows


def interleaved_ms(client, page_url: str, bare_url: str, before_page=None, repeats: int = 31) -> tuple[float, float]:
    """Median wall times of the page and the bare page, requested alternately so that drift on the
    machine hits both alike (3 warm-ups each). ``before_page`` runs, untimed, before each page request."""
    before_page = before_page or (lambda: None)
    for _ in range(3):
        before_page()
        timed_get(client, page_url)
        timed_get(client, bare_url)
    page, bare, page_cpu, bare_cpu = [], [], [], []
    for _ in range(repeats):
        before_page()
        elapsed, cpu, body = timed_get(client, page_url)
        page.append(elapsed)
        page_cpu.append(cpu)
        elapsed, cpu, _body = timed_get(client, bare_url)
        bare.append(elapsed)
        bare_cpu.append(cpu)
    cells = body.count(b"app-figure")
    if cells != 50 * 8 * 2:
        raise SystemExit(f"expected 800 figure cells on the tracker, got {cells}")
    log(f"cpu-time medians: results {median_ms(page_cpu):.1f} ms, bare {median_ms(bare_cpu):.1f} ms")
    return median_ms(page), median_ms(bare)


def main() -> None:
    tmp = tempfile.TemporaryDirectory(prefix="bench-results-")
    env_url = os.environ.get("BENCH_DATABASE_URL")
    url = database_url(env_url, "") if env_url else f"sqlite:///{Path(tmp.name) / 'bench.db'}"
    app = create_app({"ENV_NAME": "testing", "TESTING": True, "WTF_CSRF_ENABLED": False,
                      "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000", "SQLALCHEMY_DATABASE_URI": url})
    bare = {"rows": [], "template": app.jinja_env.from_string(BARE_TEMPLATE)}

    @app.get("/__bare_results")
    def _bare():
        return render_template(bare["template"], rows=bare["rows"],
                               periods=[f"{p * 3}–{p * 3 + 3} months since start date" for p in range(8)])

    try:
        with app.app_context():
            db.create_all()
            t = time.perf_counter()
            big = seed(100, 50, "Big")
            small = seed(5, 5, "Small")
            bare["rows"] = bare_rows()
            log(f"seeded 40,000 + 200 figures in {time.perf_counter() - t:.1f}s")
            engine = db.engine
        counter = StatementCounter(engine)
        client, client_small = sign_in(app, big["user"]), sign_in(app, small["user"])
        big_url = f"/programmes/{big['programme']}/results?organisation={big['org']}"
        small_url = f"/programmes/{small['programme']}/results?organisation={small['org']}"
        tables = app.extensions["results_tables"]
        # Cold: the built table was dropped, as when a figure has just changed (the results version moved).
        tables.clear()
        cold_big, cold_statements = counter.count(client, big_url)
        tables.clear()
        cold_small, _ = counter.count(client_small, small_url)
        # Warm: the table built by the request before.
        client.get(big_url)
        queries_big, statements = counter.count(client, big_url)
        queries_small, _ = counter.count(client_small, small_url)
        counter.remove()
        log(f"statements, table built ({cold_big}):")
        for statement in cold_statements:
            log(f"  {shorten(statement)}")
        log(f"statements, table kept ({queries_big}):")
        for statement in statements:
            log(f"  {shorten(statement)}")
        page_ms, bare_ms = interleaved_ms(client, big_url, "/__bare_results")
        cold_ms, cold_bare_ms = interleaved_ms(client, big_url, "/__bare_results", before_page=tables.clear)
        print(f"results_ms {page_ms:.1f}")
        print(f"bare_results_ms {bare_ms:.1f}")
        print(f"results_ratio_vs_bare {page_ms / bare_ms:.2f}")
        print(f"results_queries {queries_big}")
        print(f"results_queries_small {queries_small}")
        print(f"results_cold_ms {cold_ms:.1f}")
        print(f"results_cold_ratio_vs_bare {cold_ms / cold_bare_ms:.2f}")
        print(f"results_cold_queries {cold_big}")
        print(f"results_cold_queries_small {cold_small}")
    finally:
        with app.app_context():
            db.session.remove()
            db.drop_all()
            db.engine.dispose()
        tmp.cleanup()


if __name__ == "__main__":
    main()
