"""Waiting for something another thread or process does, without sleeping longer than needed."""

import time
from collections.abc import Callable

from tracker.extensions import db


def wait_until(predicate: Callable[[], bool], timeout: float = 10.0, step: float = 0.05) -> bool:
    """Poll ``predicate`` (each time in a fresh transaction) until it is true or ``timeout`` seconds pass."""
    deadline = time.monotonic() + timeout
    while True:
        db.session.rollback()
        if predicate():
            return True
        if time.monotonic() > deadline:
            return False
        time.sleep(step)
