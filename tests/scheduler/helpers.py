"""Waiting for something another thread or process does, without sleeping longer than needed; starting
scheduler processes for the tests."""

import os
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path

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


RUNNER = Path(__file__).with_name("run_scheduler.py")
ROOT = Path(__file__).resolve().parents[2]


@contextmanager
def scheduler_processes(app, folder: Path, **extra_env: str) -> Iterator[tuple[Callable, Callable]]:
    """``(set_clock, start_one)`` for scheduler processes against ``app``'s database
    (``tests/scheduler/run_scheduler.py``): ``set_clock(moment)`` moves the jobs' clock file atomically,
    ``start_one(holder)`` starts a process (with ``extra_env``, and no ``MAIL_HOST``) logging to
    ``folder/holder.log``. Every process still running at the end is killed."""
    clock_file = folder / "clock"
    processes = []

    def set_clock(moment: datetime) -> None:
        partial = folder / "clock.partial"
        partial.write_text(moment.isoformat())
        partial.replace(clock_file)

    def start_one(holder: str) -> tuple[subprocess.Popen, Path]:
        log = folder / f"{holder}.log"
        env = {**os.environ, "DATABASE_URL": app.config["SQLALCHEMY_DATABASE_URI"], "HOLDER": holder,
               "TRACKER_TEST_CLOCK_FILE": str(clock_file), "PYTHONPATH": str(ROOT), **extra_env}
        env.pop("MAIL_HOST", None)
        with log.open("w") as out:
            process = subprocess.Popen([sys.executable, str(RUNNER)], env=env, stdout=out, stderr=subprocess.STDOUT)
        processes.append(process)
        return process, log

    try:
        yield set_clock, start_one
    finally:
        for process in processes:
            if process.poll() is None:
                process.kill()
            process.wait(10)
