"""Settings, read from the environment.

``TRACKER_ENV`` is ``production`` (the default), ``development`` or ``testing``. Outside development and
testing the app refuses to start without a real ``SECRET_KEY``.
"""

import os
import secrets
from datetime import timedelta
from pathlib import Path

#: Values that must never sign a production session.
INSECURE_SECRET_KEYS = {"", "dev", "changeme", "change-me", "secret", "development"}


def database_url(raw: str | None, instance_path: str) -> str:
    """Normalise ``DATABASE_URL``; default to an SQLite file under ``instance/``."""
    if not raw:
        return f"sqlite:///{Path(instance_path) / 'tracker.db'}"
    # Heroku-style and plain URLs get the psycopg 3 driver.
    for prefix in ("postgres://", "postgresql://"):
        if raw.startswith(prefix):
            return "postgresql+psycopg://" + raw[len(prefix) :]
    return raw


def _int(name: str, default: int) -> int:
    value = os.environ.get(name)
    return int(value) if value else default


def load(instance_path: str, overrides: dict | None = None) -> dict:
    """Build the config mapping from the environment, then apply ``overrides`` (tests)."""
    overrides = overrides or {}
    env = overrides.get("ENV_NAME") or os.environ.get("TRACKER_ENV", "production")
    config = {
        "ENV_NAME": env,
        "SECRET_KEY": os.environ.get("SECRET_KEY"),
        "SQLALCHEMY_DATABASE_URI": database_url(os.environ.get("DATABASE_URL"), instance_path),
        "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True},
        # Cookies: HttpOnly, SameSite=Lax, Secure and the __Host- prefix outside development.
        "SESSION_COOKIE_NAME": "__Host-session" if env == "production" else "session",
        "SESSION_COOKIE_SECURE": env == "production",
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_IDLE_TIMEOUT": timedelta(minutes=_int("SESSION_IDLE_MINUTES", 60)),
        "SESSION_ABSOLUTE_TIMEOUT": timedelta(hours=_int("SESSION_ABSOLUTE_HOURS", 12)),
        "PERMANENT_SESSION_LIFETIME": timedelta(hours=_int("SESSION_ABSOLUTE_HOURS", 12)),
        # Sign-in throttling: failures allowed per (account, address) and per address in the window.
        "LOGIN_MAX_FAILURES_PER_ACCOUNT": _int("LOGIN_MAX_FAILURES_PER_ACCOUNT", 5),
        "LOGIN_MAX_FAILURES_PER_ADDRESS": _int("LOGIN_MAX_FAILURES_PER_ADDRESS", 20),
        "LOGIN_FAILURE_WINDOW": timedelta(minutes=_int("LOGIN_FAILURE_WINDOW_MINUTES", 15)),
        # Number of reverse proxies in front of the app whose X-Forwarded-For may be trusted.
        "TRUSTED_PROXIES": _int("TRUSTED_PROXIES", 0),
        "PASSWORD_HASH_METHOD": os.environ.get("PASSWORD_HASH_METHOD", "scrypt"),
        "WTF_CSRF_TIME_LIMIT": None,  # the token lives as long as the session
        "WTF_CSRF_HEADERS": ["X-CSRFToken"],
        "BABEL_DEFAULT_LOCALE": "en_GB",
        "BABEL_DEFAULT_TIMEZONE": "Europe/London",
        "BABEL_TRANSLATION_DIRECTORIES": str(Path(__file__).parent / "translations"),
        "MAX_CONTENT_LENGTH": 5 * 1024 * 1024,
        # Built results-tracker tables kept per process (tracker.results.table_cache); 0 keeps none.
        "RESULTS_TABLE_CACHE_SIZE": _int("RESULTS_TABLE_CACHE_SIZE", 64),
        # Built check-in agendas kept per process (tracker.checkins.agenda_cache); 0 keeps none. Under test,
        # each one taken from the cache is checked against a fresh build.
        "AGENDA_CACHE_SIZE": _int("AGENDA_CACHE_SIZE", 32),
        "AGENDA_CACHE_VERIFY": env == "testing",
        # Email (tracker.core.mail): with no MAIL_HOST nothing is sent and the outbox is read in the app.
        "MAIL_HOST": os.environ.get("MAIL_HOST"),
        "MAIL_PORT": _int("MAIL_PORT", 0),  # 0: 25, 587 or 465 after MAIL_SECURITY
        "MAIL_SECURITY": os.environ.get("MAIL_SECURITY", "starttls"),  # none, starttls or ssl
        "MAIL_USERNAME": os.environ.get("MAIL_USERNAME"),
        "MAIL_PASSWORD": os.environ.get("MAIL_PASSWORD"),
        "MAIL_FROM": os.environ.get("MAIL_FROM"),
        "MAIL_MAX_ATTEMPTS": _int("MAIL_MAX_ATTEMPTS", 6),
        "MAIL_BACKOFF_SECONDS": _int("MAIL_BACKOFF_SECONDS", 300),
        "MAIL_TIMEOUT_SECONDS": _int("MAIL_TIMEOUT_SECONDS", 30),
        "MAIL_CA_FILE": os.environ.get("MAIL_CA_FILE"),  # trusted instead of the system's CAs
        # The site's address for links in emails written outside a request (the scheduler's jobs).
        "BASE_URL": os.environ.get("BASE_URL") or ("http://127.0.0.1:5000" if env in ("development", "testing")
                                                   else ""),
    }
    config.update(overrides)
    check_secret_key(config, instance_path)
    return config


def check_secret_key(config: dict, instance_path: str) -> None:
    """Refuse a missing or default key outside development and tests.

    In development a random key is kept in ``instance/dev-secret-key`` so sessions survive a restart.
    """
    key = config.get("SECRET_KEY") or ""
    if key and key.lower() not in INSECURE_SECRET_KEYS and len(key) >= 16:
        return
    if config["ENV_NAME"] == "testing":
        config["SECRET_KEY"] = key or secrets.token_hex(32)
        return
    if config["ENV_NAME"] == "development":
        path = Path(instance_path) / "dev-secret-key"
        path.parent.mkdir(parents=True, exist_ok=True)
        if not path.exists():
            path.write_text(secrets.token_hex(32))
        config["SECRET_KEY"] = path.read_text().strip()
        return
    raise RuntimeError(
        "SECRET_KEY is missing, too short or a default value. Set SECRET_KEY to a long random string "
        "(for example: python -c 'import secrets; print(secrets.token_hex(32))')."
    )
