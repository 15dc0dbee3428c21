"""A scheduler process for the tests: the real :func:`tracker.scheduler.process.run` with the probe jobs
and timings short enough to run a quarter in seconds.

``DATABASE_URL`` names the database; ``HOLDER`` names the process (its pid is added).
"""

import logging
import os
import sys
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from tests.scheduler import probe_jobs  # noqa: E402
from tracker import create_app  # noqa: E402
from tracker.scheduler import process, registry  # noqa: E402

logging.basicConfig(stream=sys.stdout, level=logging.INFO, format="%(asctime)s %(name)s: %(message)s")
logging.getLogger("apscheduler").setLevel(logging.WARNING)
app = create_app({"ENV_NAME": "testing", "SQLALCHEMY_DATABASE_URI": os.environ["DATABASE_URL"]})
registry.JOB_MODULES = ()
registry._JOBS.clear()
probe_jobs.register()
process.run(app, holder=f"{os.environ['HOLDER']}:{os.getpid()}", poll_seconds=0.2, beat=timedelta(seconds=0.5),
            lease=timedelta(seconds=2), minute=timedelta(seconds=0.3), hourly={"second": "*"})
