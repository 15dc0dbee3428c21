"""Built tracker tables, kept between requests.

A tracker of 100 organisations × 50 indicators × 8 periods spends most of its time on building the
table (five queries, 800 formatted cells), and the table changes only when someone changes what it
shows. So the built table is kept in this process under a key of everything it depends on: the
programme's results version (bumped in the same transaction as any such change: ``versions``), the
organisation shown, whether the person may enter its figures and manage the programme, today's date
(periods start and fall due), the language and the script root of the URLs. A table holds plain values
only: no ORM objects and nothing of the person (the CSRF token is added when the page is rendered).

Each worker process has its own cache; the version in the key keeps them all correct.
"""

from datetime import date

from flask import Flask, current_app, request
from flask_babel import get_locale

from tracker.core.kept import Kept
from tracker.programmes.models import Organisation, Programme
from tracker.results import table

EXTENSION = "results_tables"


def init_app(app: Flask) -> None:
    app.extensions[EXTENSION] = Kept(app.config.get("RESULTS_TABLE_CACHE_SIZE", 64))


def tracker_table(programme: Programme, org: Organisation | None, today: date, *, can_edit: bool,
                  can_manage: bool) -> table.Tracker:
    """``table.build``, or the same table kept from an earlier request."""
    key = (programme.id, programme.results_version, org.id if org is not None else None, can_edit, can_manage,
           today, str(get_locale()), request.script_root)
    return current_app.extensions[EXTENSION].get(
        key, lambda: table.build(programme, org, today, can_edit=can_edit, can_manage=can_manage))
