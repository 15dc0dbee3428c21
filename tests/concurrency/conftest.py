"""Several people at once, the way it happens: gunicorn with four workers on a loopback port, real HTTP,
the suite's own database (SQLite file or PostgreSQL).

The data is made in the test process with ``tests.factories`` (which commit), so the workers see it.
CSRF protection is on in the workers (the test client's switch does not reach them): every post carries
the token its page gave.
"""

import os
import re
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests

from tests import factories
from tracker.extensions import db

ROOT = Path(__file__).resolve().parents[2]
WORKERS = 4


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(scope="module")
def server(app, tmp_path_factory):
    """The app under ``gunicorn --workers 4``; yields its base URL and the path of its log."""
    port = _free_port()
    log = tmp_path_factory.mktemp("gunicorn") / "gunicorn.log"
    env = {
        **os.environ,
        "TRACKER_ENV": "testing",
        "SECRET_KEY": "concurrency-tests-" + "k" * 32,  # one key for every worker, or sessions break
        "DATABASE_URL": app.config["SQLALCHEMY_DATABASE_URI"],
        # Tables emptied between tests restart their ids, so a worker's kept tracker table could match
        # a new programme's key: keep none (the cache has tests of its own).
        "RESULTS_TABLE_CACHE_SIZE": "0",
    }
    gunicorn = Path(sys.executable).with_name("gunicorn")
    with open(log, "wb") as out:
        process = subprocess.Popen(
            [str(gunicorn), "--workers", str(WORKERS), "--bind", f"127.0.0.1:{port}", "--timeout", "60",
             "--graceful-timeout", "5", "--log-level", "warning", "wsgi:app"],
            cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)
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
            pytest.fail("gunicorn did not start:\n" + log.read_text(errors="replace")[-3000:])
        time.sleep(0.2)
    # Every worker answers once, so none is still importing the app when a round starts.
    for _ in range(WORKERS * 3):
        requests.get(base + "/sign-in", timeout=10)
    yield Server(base, log)
    process.terminate()
    try:
        process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        process.kill()


class Server:
    def __init__(self, base: str, log: Path):
        self.base = base
        self.log = log

    def errors_logged(self) -> list[str]:
        """Lines of the workers' log that show a failure (tracebacks, "database is locked")."""
        text = self.log.read_text(errors="replace")
        return [line for line in text.splitlines()
                if "Traceback" in line or "database is locked" in line or "Error" in line]


TOKEN = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


class Person:
    """One browser: its own cookies and the CSRF token of the last page it read."""

    def __init__(self, server: Server, user, password: str = factories.PASSWORD):
        self.base = server.base
        self.http = requests.Session()
        page = self.http.get(self.base + "/sign-in", timeout=30)
        response = self.http.post(self.base + "/sign-in", data={
            "csrf_token": TOKEN.search(page.text).group(1), "email": user.email, "password": password, "next": ""},
            allow_redirects=False, timeout=30)
        assert response.status_code == 302, response.text[:500]
        self.token = ""

    def get(self, path: str, **kwargs) -> requests.Response:
        response = self.http.get(self.base + path, timeout=60, **kwargs)
        match = TOKEN.search(response.text)
        if match:
            self.token = match.group(1)
        return response

    def post(self, path: str, data: dict, *, htmx: bool = False, **kwargs) -> requests.Response:
        headers = {"HX-Request": "true", "X-CSRFToken": self.token} if htmx else {}
        return self.http.post(self.base + path, data={"csrf_token": self.token, **data}, headers=headers,
                              allow_redirects=False, timeout=60, **kwargs)


@pytest.fixture
def person(server):
    """``person(user)`` signs a new browser in over HTTP."""

    def _person(user) -> Person:
        return Person(server, user)

    return _person


@pytest.fixture
def committed(app):
    """Re-read from the database what the workers wrote (not this process's identity map)."""

    def _committed():
        db.session.rollback()
        db.session.expire_all()
        return db.session

    return _committed
