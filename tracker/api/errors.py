"""JSON errors for the API: ``{"error": {"status": N, "message": "…", "details": {…}}}``.

Every error under ``/api/v1`` is JSON, whether a view raised it, the router refused the URL or method
(404, 405), the request was too large (413) or something broke (500). ``tracker.core.errors.error_page``
hands API requests to :func:`json_error`.
"""

from flask import jsonify, request

#: The prefix the API blueprint is mounted at.
PREFIX = "/api/v1"

MESSAGES = {
    400: "The request is not valid",
    401: "Authentication required: send a personal API token as 'Authorization: Bearer <token>'",
    403: "Your account may not do that",
    404: "Not found",
    405: "Method not allowed",
    409: "This was changed by someone else",
    413: "The request is too large",
    415: "Send the request body as JSON (Content-Type: application/json)",
    422: "The request could not be processed",
    429: "Too many requests",
    500: "Sorry, there is a problem with the service",
}


class ApiError(Exception):
    """Raised by API views; turned into a JSON error response by the blueprint's handler."""

    def __init__(self, status: int, message: str | None = None, details: dict | None = None, **extra):
        super().__init__(message or MESSAGES.get(status, MESSAGES[500]))
        self.status = status
        self.message = message or MESSAGES.get(status, MESSAGES[500])
        self.details = details
        self.extra = extra


def is_api_request() -> bool:
    path = request.path
    return path == PREFIX or path.startswith(PREFIX + "/")


def json_error(status: int, message: str | None = None, details: dict | None = None, **extra):
    """The JSON error response (a ``Response``, with its status set)."""
    body = {"status": status, "message": message or MESSAGES.get(status, MESSAGES[500])}
    if details:
        body["details"] = {str(k): str(v) for k, v in details.items()}
    body.update(extra)
    response = jsonify({"error": body})
    response.status_code = status
    response.headers["Cache-Control"] = "no-store"
    if status == 401:
        response.headers["WWW-Authenticate"] = 'Bearer realm="api"'
    return response
