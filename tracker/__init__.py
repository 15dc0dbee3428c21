"""The service improvement tracker: action plans, roadmap board and programme set-up."""

import os
from pathlib import Path

from flask import Flask, g, request
from govuk_frontend_wtf.main import WTFormsHelpers
from jinja2 import ChoiceLoader, FileSystemLoader, PackageLoader, PrefixLoader
from werkzeug.middleware.proxy_fix import ProxyFix

from tracker import config as config_module
from tracker.extensions import babel, csrf, db, htmx, migrate

ROOT = Path(__file__).resolve().parent.parent


def create_app(config: dict | None = None) -> Flask:
    """Build the app. ``config`` overrides the environment (tests pass ``ENV_NAME="testing"``)."""
    app = Flask(__name__, instance_path=str(ROOT / "instance"), template_folder=str(ROOT / "templates"),
                static_folder=str(ROOT / "static"))
    os.makedirs(app.instance_path, exist_ok=True)
    app.config.from_mapping(config_module.load(app.instance_path, config))
    # Before any route is added: every ``<int:…>`` in the app is bounded to what an id can be.
    from tracker.core.converters import BoundedIntConverter

    app.url_map.converters["int"] = BoundedIntConverter

    app.jinja_loader = ChoiceLoader([
        FileSystemLoader(str(ROOT / "templates")),
        PrefixLoader({
            "govuk_frontend_jinja": PackageLoader("govuk_frontend_jinja"),
            "govuk_frontend_wtf": PackageLoader("govuk_frontend_wtf"),
        }),
    ])
    app.jinja_env.trim_blocks = True
    app.jinja_env.lstrip_blocks = True

    if app.config["TRUSTED_PROXIES"]:
        n = app.config["TRUSTED_PROXIES"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=n, x_proto=n, x_host=n)

    _init_extensions(app)
    _register_blueprints(app)

    from tracker import cli
    from tracker.core import components, errors, fields, formats, security

    components.init_app(app)  # after WTFormsHelpers: its error summary is replaced by one in the page's language
    errors.init_app(app)
    fields.init_app(app)
    formats.init_app(app)
    security.init_app(app)
    cli.init_app(app)

    from tracker.scheduler import process

    process.start_in_background(app)  # only in `flask run` with TRACKER_SCHEDULER=1 (development)
    return app


def _init_extensions(app: Flask) -> None:
    from tracker.core.db import configure_sqlite

    db.init_app(app)
    with app.app_context():
        configure_sqlite(db.engine)
    migrate.init_app(app, db, directory=str(ROOT / "migrations"), render_as_batch=True)
    csrf.init_app(app)
    from tracker.core import i18n

    babel.init_app(app, locale_selector=i18n.select_locale)
    i18n.init_app(app)
    htmx.init_app(app)
    WTFormsHelpers(app)

    from tracker.accounts import sessions
    from tracker.core import mail  # noqa: F401 - the outbox's table, for every feature that sends email
    from tracker.core.markdown import render_markdown

    app.add_template_filter(render_markdown, "markdown")

    @app.before_request
    def _load_user():
        g.pop("memberships", None)  # per-request cache (see programmes.permissions.membership)
        # A respondent's pages never look at who is signed in: a session's last-seen time written as
        # someone sends answers would tie that person to the response written at the same moment.
        g.user = None if request.path.startswith("/s/") else sessions.load_current_user()

    @app.context_processor
    def _globals():
        return {"current_user": g.get("user")}


def _register_blueprints(app: Flask) -> None:
    from tracker import (
        accounts,
        assessments,
        audits,
        board,
        checkins,
        exchange,
        insights,
        programmes,
        results,
        scheduler,
        surveys,
    )
    from tracker.board import sources

    app.register_blueprint(accounts.bp)
    app.register_blueprint(programmes.bp)
    app.register_blueprint(board.bp)
    app.register_blueprint(results.bp)
    results.table_cache.init_app(app)
    app.register_blueprint(exchange.bp)
    app.register_blueprint(surveys.bp)
    app.register_blueprint(checkins.bp)
    checkins.agenda_cache.init_app(app)
    app.register_blueprint(scheduler.bp)
    # Discovery and evidence: insights, the case file audit, the self-assessment toolkit; each links cards
    # on the board back to the evidence they came from.
    app.register_blueprint(insights.bp)
    app.register_blueprint(audits.bp)
    app.register_blueprint(assessments.bp)
    sources.init_app(app)

    from tracker import api
    from tracker.api import tokens

    app.register_blueprint(api.bp)
    app.register_blueprint(tokens.bp)
    csrf.exempt(api.bp)  # bearer tokens only, never the cookie (tracker.api.auth)
