"""The app as gunicorn serves it for ``bench/bench_surveys.py``, plus one bare endpoint of the bench's own.

``POST /bench/bare-insert`` inserts one row into ``bench_bare`` (a table the bench makes) and commits,
through the same app, workers, database and request plumbing as the survey (no CSRF, no form, no
template): the floor a submission is compared with. It exists only here, never in ``wsgi.py``.
"""

import secrets

from sqlalchemy import text

from tracker import create_app
from tracker.extensions import csrf, db

app = create_app()


@app.post("/bench/bare-insert")
@csrf.exempt
def bare_insert():
    db.session.execute(text("INSERT INTO bench_bare (value) VALUES (:value)"), {"value": secrets.token_hex(16)})
    db.session.commit()
    return "", 204
