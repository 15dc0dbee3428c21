"""Benchmark of answering a staff survey: submissions per second from 32 clients over real HTTP against
gunicorn with four workers, against a bare one-row insert in the same server, and answers lost.

Run from the project root::

    .venv/bin/python bench/bench_surveys.py                    # 32 clients × 25 submissions, each kind
    .venv/bin/python bench/bench_surveys.py --per-client 50

stdout carries one ``name value`` line per figure; progress goes to stderr:

- ``survey_submit_rps``: answers sent per second, each a ``POST /s/survey/send`` of a five-question
  survey (Likert, 0–10, one choice, two of three choices, a sentence) with its CSRF token, through a
  one-use link that the client exchanged for its cookies beforehand (not timed): the answers checked, the
  link's use, the response and six answers written in one transaction, then the redirect.
- ``bare_insert_rps``: ``POST /bench/bare-insert`` (``bench/surveys_wsgi.py``), one row in one transaction,
  in the same server and run; ``survey_ratio_vs_bare`` is the first over the second (target ≥ 0.5).
- ``lost_responses``: submissions answered 303 whose response is not in the database (target 0); every
  link is used once, so a 303 with no row would be an answer lost.

Both kinds are sent by the same lean client: each request one ``http.client`` connection (gunicorn's sync
workers close every connection) with its body and ``Cookie`` header made before the clock starts, so the
client's own work (``requests``' cookie jar took as much CPU as the server) weighs on neither kind. The
client's CPU per request goes to stderr.

The kinds run alternately, two rounds each, so drift on the machine hits both alike; each figure is the
submissions of both rounds over their time. The database is a temporary SQLite file (removed at the end)
unless ``BENCH_DATABASE_URL`` is set; that database must be empty: the bench creates the tables, fills
them and drops them again.
"""

import argparse
import http.client
import os
import re
import socket
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlencode, urlsplit

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import requests  # noqa: E402
from sqlalchemy import Column, Integer, MetaData, String, Table, func, select, text  # noqa: E402

from tracker import create_app  # noqa: E402
from tracker.accounts.services import create_user  # noqa: E402
from tracker.config import database_url  # noqa: E402
from tracker.core import clock, secrets  # noqa: E402
from tracker.extensions import db  # noqa: E402
from tracker.programmes import services as programmes  # noqa: E402
from tracker.surveys import waves  # noqa: E402
from tracker.surveys.models import Invitation, Question, QuestionKind, Response, Survey  # noqa: E402

CLIENTS = 32
WORKERS = 4
ROUNDS = 2
SECRET_KEY = "bench-surveys-" + "k" * 40
CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')
#: The bare endpoint's table (``bench/surveys_wsgi.py``): an id and 32 characters.
BARE = Table("bench_bare", MetaData(), Column("id", Integer, primary_key=True), Column("value", String(32)))


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


# --- data ----------------------------------------------------------------------------------------


def build(app, links: int) -> tuple[list[str], dict]:
    """A programme whose survey's first wave is open today, ``links`` one-use invitations for one
    organisation (tokens returned, hashes stored) and the form data that answers every question."""
    with app.app_context():
        db.create_all()
        BARE.create(db.engine)
        facilitator = create_user("bench@example.org", "Bench Facilitator", "correct-horse-battery",
                                  is_facilitator=True)
        programme = programmes.create_programme(
            name="Bench programme", aim="Benchmarks", expected_outcomes="- Figures",
            start_date=clock.today() - timedelta(days=1), evaluation_months=12, checkin_interval_months=3,
            survey_interval_months=3, creator=facilitator)
        org = programmes.add_organisation(programme, "Bench council")
        survey = Survey(programme=programme, title="Pulse", privacy_note="Only your answers and the day.")
        survey.questions = [
            Question(position=0, kind=QuestionKind.LIKERT, text="The changes help me"),
            Question(position=1, kind=QuestionKind.SCALE, text="How likely are you to recommend it?", nps=True),
            Question(position=2, kind=QuestionKind.SINGLE, text="Which helped most?", choices=["A", "B", "C"]),
            Question(position=3, kind=QuestionKind.MULTIPLE, text="Which have you used?", required=False,
                     choices=["X", "Y", "Z"]),
            Question(position=4, kind=QuestionKind.TEXT, text="What next?", required=False),
        ]
        db.session.add(survey)
        db.session.flush()
        wave = waves.ensure_waves(survey)[0]
        assert waves.state(wave) == waves.WaveState.OPEN
        tokens = [secrets.new_token() for _ in range(links)]
        db.session.execute(Invitation.__table__.insert(), [
            {"wave_id": wave.id, "organisation_id": org.id, "email": f"staff{n}@bench.example",
             "token_hash": secrets.token_hash(token), "sent": True} for n, token in enumerate(tokens)])
        likert, scale, single, multiple, free = survey.questions
        answers = {f"q{likert.id}": "4", f"q{scale.id}": "9", f"q{single.id}": "1",
                   f"q{multiple.id}": ["0", "2"], f"q{free.id}": "Fewer forms, and more time with people"}
        db.session.commit()
    return tokens, answers


# --- the server ----------------------------------------------------------------------------------


def start_server(url: str, log_path: Path) -> tuple[subprocess.Popen, str]:
    port = free_port()
    env = {**os.environ, "TRACKER_ENV": "testing", "SECRET_KEY": SECRET_KEY, "DATABASE_URL": url,
           "RESULTS_TABLE_CACHE_SIZE": "0"}
    env.pop("GUNICORN_CMD_ARGS", None)
    gunicorn = Path(sys.executable).with_name("gunicorn")
    out = open(log_path, "wb")  # noqa: SIM115 - open for the server's whole life
    process = subprocess.Popen(  # noqa: S603 - our own gunicorn, fixed arguments
        [str(gunicorn), "--workers", str(WORKERS), "--bind", f"127.0.0.1:{port}", "--timeout", "60",
         "--log-level", "warning", "bench.surveys_wsgi:app"], cwd=ROOT, env=env, stdout=out,
        stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while True:
        try:
            if requests.get(base + "/sign-in", timeout=10).status_code == 200:
                break
        except requests.RequestException:
            pass
        if process.poll() is not None or time.monotonic() > deadline:
            process.kill()
            raise SystemExit("gunicorn did not start:\n" + log_path.read_text(errors="replace")[-3000:])
        time.sleep(0.2)
    for _ in range(WORKERS * 3):  # every worker has imported the app
        requests.get(base + "/sign-in", timeout=10)
    return process, base


# --- clients -------------------------------------------------------------------------------------


def post(base: str, path: str, body: bytes = b"", headers: dict | None = None) -> int:
    """``POST path`` on a connection of its own (as every request to a sync worker is); the status."""
    address = urlsplit(base)
    connection = http.client.HTTPConnection(address.hostname, address.port, timeout=60)
    try:
        connection.request("POST", path, body=body, headers=headers or {})
        response = connection.getresponse()
        response.read()
        return response.status
    finally:
        connection.close()


class Respondent:
    """One browser with its links already opened: for each, the answers' body (with the form's CSRF token)
    and the ``Cookie`` header the browser would send with them."""

    def __init__(self, base: str, tokens: list[str], answers: dict):
        self.base = base
        self.visits = []
        for token in tokens:
            with requests.Session() as http:
                page = http.get(f"{base}/s/{token}", timeout=60)
                if page.status_code != 200 or not page.url.endswith("/s/survey"):
                    raise SystemExit(f"the link did not open the survey: {page.status_code} {page.url}")
                body = urlencode({**answers, "csrf_token": CSRF.search(page.text).group(1)}, doseq=True)
                cookies = "; ".join(f"{cookie.name}={cookie.value}" for cookie in http.cookies)
            self.visits.append((body.encode(), {"Content-Type": "application/x-www-form-urlencoded",
                                                "Cookie": cookies}))

    def submit_all(self) -> list[int]:
        return [post(self.base, "/s/survey/send", body, headers) for body, headers in self.visits]


def bare_all(base: str, count: int) -> list[int]:
    return [post(base, "/bench/bare-insert") for _ in range(count)]


def together(jobs) -> tuple[float, list]:
    """Run the callables at once, one thread each; the seconds from their start to the last one's end."""
    barrier = threading.Barrier(len(jobs) + 1)

    def run(job):
        barrier.wait()
        return job()

    with ThreadPoolExecutor(len(jobs)) as pool:
        futures = [pool.submit(run, job) for job in jobs]
        barrier.wait()
        started = time.perf_counter()
        results = [future.result() for future in futures]
        return time.perf_counter() - started, results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--per-client", type=int, default=25, help="Submissions per client per round.")
    args = parser.parse_args()
    per_client = args.per_client

    with tempfile.TemporaryDirectory() as tmp:
        url = database_url(os.environ.get("BENCH_DATABASE_URL") or f"sqlite:///{Path(tmp) / 'bench.db'}", "")
        app = create_app({"ENV_NAME": "testing", "SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": SECRET_KEY})
        links = CLIENTS * per_client * ROUNDS
        log(f"making {links} one-use links …")
        tokens, answers = build(app, links)
        process, base = start_server(url, Path(tmp) / "gunicorn.log")
        try:
            survey_time = bare_time = 0.0
            sent = bare = 0
            statuses: dict[int, int] = {}
            client_cpu = {"survey": 0.0, "bare": 0.0}
            for round_number in range(ROUNDS):
                log(f"round {round_number + 1}: opening {CLIENTS * per_client} links (not timed) …")
                start = round_number * CLIENTS * per_client
                with ThreadPoolExecutor(CLIENTS) as pool:
                    people = list(pool.map(lambda n, start=start: Respondent(base, tokens[
                        start + n * per_client:start + (n + 1) * per_client], answers), range(CLIENTS)))
                cpu = time.process_time()
                seconds, results = together([lambda p=p: p.submit_all() for p in people])
                client_cpu["survey"] += time.process_time() - cpu
                survey_time += seconds
                for status in (s for result in results for s in result):
                    statuses[status] = statuses.get(status, 0) + 1
                sent += sum(s == 303 for result in results for s in result)
                log(f"  {CLIENTS * per_client} submissions in {seconds:.2f} s")
                cpu = time.process_time()
                seconds, results = together([lambda: bare_all(base, per_client) for _ in range(CLIENTS)])
                client_cpu["bare"] += time.process_time() - cpu
                bare_time += seconds
                bare += sum(s == 204 for result in results for s in result)
                log(f"  {CLIENTS * per_client} bare inserts in {seconds:.2f} s")
            log(f"survey statuses: {statuses}")
            requests_each = CLIENTS * per_client * ROUNDS
            log("client CPU per request: " + ", ".join(
                f"{kind} {1000 * seconds / requests_each:.2f} ms" for kind, seconds in client_cpu.items()))
            errors = [line for line in (Path(tmp) / "gunicorn.log").read_text(errors="replace").splitlines()
                      if "Traceback" in line or "locked" in line or "Error" in line]
            if errors:
                log("worker errors:\n" + "\n".join(errors[:20]))
        finally:
            process.terminate()
            process.wait(timeout=15)

        with app.app_context():
            stored = db.session.scalar(select(func.count()).select_from(Response))
            bare_rows = db.session.scalar(text("SELECT count(*) FROM bench_bare"))
            log(f"responses stored {stored}, bare rows {bare_rows}")
            db.session.remove()
            BARE.drop(db.engine)
            db.drop_all()
            db.engine.dispose()

    survey_rps = sent / survey_time
    bare_rps = bare / bare_time
    print(f"survey_submit_rps {survey_rps:.1f}")
    print(f"bare_insert_rps {bare_rps:.1f}")
    print(f"survey_ratio_vs_bare {survey_rps / bare_rps:.2f}")
    print(f"lost_responses {max(sent - stored, 0)}")


if __name__ == "__main__":
    main()
