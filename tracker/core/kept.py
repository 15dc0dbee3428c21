"""Things built for a page and kept between requests, under a key of everything they depend on.

Each worker process keeps its own; a version stamp in the key, read from the database on every request,
keeps all of them correct (``tracker.results.versions``, ``tracker.checkins.versions``). What is kept holds
plain values only: no ORM objects and nothing of the person.
"""

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Generic, TypeVar

T = TypeVar("T")


class Kept(Generic[T]):
    """A small least-recently-used map; ``size`` 0 keeps nothing."""

    def __init__(self, size: int):
        self.size = size
        self.hits = self.misses = 0
        self._entries: OrderedDict[Hashable, T] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: Hashable, build: Callable[[], T]) -> T:
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
