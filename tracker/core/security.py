"""Security headers on every response, and a per-request CSP nonce for the one inline script."""

import secrets

from flask import Flask, abort, g, request

CSP = (
    "default-src 'self'; "
    "script-src 'self' 'nonce-{nonce}'; "
    "style-src 'self'; "
    "img-src 'self' data:; "
    "font-src 'self'; "
    "connect-src 'self'; "
    "form-action 'self'; "
    "object-src 'none'; "
    "base-uri 'none'; "
    "frame-ancestors 'none'"
)


def csp_nonce() -> str:
    """The nonce for this request (the GOV.UK template's ``js-enabled`` snippet is inline)."""
    if "csp_nonce" not in g:
        g.csp_nonce = secrets.token_urlsafe(16)
    return g.csp_nonce


def init_app(app: Flask) -> None:
    app.jinja_env.globals["csp_nonce"] = csp_nonce

    @app.before_request
    def _refuse_nul():
        # No text we store may hold NUL (PostgreSQL refuses it): answer 400, not a database error. The
        # JSON API checks its own input and answers in the statuses its OpenAPI description lists.
        if request.blueprint == "api":
            return
        if "\x00" in request.path or any("\x00" in value for value in request.values.values()):
            abort(400)

    @app.after_request
    def _headers(response):
        headers = response.headers
        headers["Content-Security-Policy"] = CSP.format(nonce=csp_nonce())
        headers["X-Content-Type-Options"] = "nosniff"
        headers["Referrer-Policy"] = "same-origin"
        headers["X-Frame-Options"] = "DENY"
        headers["Cross-Origin-Opener-Policy"] = "same-origin"
        headers["Permissions-Policy"] = "camera=(), microphone=(), geolocation=()"
        if app.config["ENV_NAME"] == "production":
            headers["Strict-Transport-Security"] = "max-age=31536000; includeSubDomains"
        if response.mimetype == "text/html":
            headers["Cache-Control"] = "no-store"
        response.vary.add("HX-Request")
        return response
