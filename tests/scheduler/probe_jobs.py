"""Jobs for the scheduler process tests: each run claims one thing per UK day up to the test's clock,
and records which process did it.

The test's clock is a file (``TRACKER_TEST_CLOCK_FILE``, an ISO moment in UTC) that the test moves on,
so a quarter passes in seconds while the scheduler itself runs on real time.
"""

import os
from datetime import date, datetime, timedelta

from tracker.core import clock
from tracker.scheduler import claims, registry

START = date(2026, 1, 5)


def test_moment(now: datetime) -> datetime:
    path = os.environ.get("TRACKER_TEST_CLOCK_FILE")
    if not path or not os.path.exists(path):
        return now
    with open(path) as file:
        return datetime.fromisoformat(file.read().strip())


def catch_up(job: str, now: datetime) -> list[str]:
    """Every day since :data:`START` that has not been done, done once: as the real jobs look at what is due."""
    today = clock.uk_date_of(test_moment(now).replace(tzinfo=clock.UTC))
    pid = os.getpid()
    claims.claim("probe-run", f"pid:{pid}", "ran")
    done = []
    day = START
    while day <= today:
        if claims.claim("probe", "day", day):
            claims.claim("probe-by", f"day:{day.isoformat()}", f"pid:{pid}:{job}")
            done.append(f"Did day {day.isoformat()}")
        day += timedelta(days=1)
    return done


def register() -> None:
    registry.job("probe", every="minute")(lambda now: catch_up("probe", now))
    registry.job("probe_hourly", every="hour")(lambda now: catch_up("probe_hourly", now))
