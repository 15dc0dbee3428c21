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

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from datetime import date

from flask import Flask, current_app, request
from flask_babel import get_locale

from tracker.programmes.models import Organisation, Programme
from tracker.results import table

EXTENSION = "results_tables"


class TableCache:
    """A small least-recently-used map; ``size`` 0 keeps nothing."""

    def __init__(self, size: int):
        self.size = size
        self.hits = self.misses = 0
        self._entries: OrderedDict[Hashable, table.Tracker] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: Hashable, build: Callable[[], table.Tracker]) -> table.Tracker:
        with self._lock:
            found = self._entries.get(key)
            if found is not None:
                self._entries.move_to_end(key)
                self.hits += 1
                return found
            self.misses += 1
        built = build()  # outside the lock: a slow build does not hold up other requests
        if self.size:
            with self._lock:
                self._entries[key] = built
                while len(self._entries) > self.size:
                    self._entries.popitem(last=False)
        return built

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()
            self.hits = self.misses = 0


def init_app(app: Flask) -> None:
    app.extensions[EXTENSION] = TableCache(app.config.get("RESULTS_TABLE_CACHE_SIZE", 64))


def tracker_table(programme: Programme, org: Organisation | None, today: date, *, can_edit: bool,
                  can_manage: bool) -> table.Tracker:
    """``table.build``, or the same table kept from an earlier request."""
    key = (programme.id, programme.results_version, org.id if org is not None else None, can_edit, can_manage,
           today, str(get_locale()), request.script_root)
    return current_app.extensions[EXTENSION].get(
        key, lambda: table.build(programme, org, today, can_edit=can_edit, can_manage=can_manage))
