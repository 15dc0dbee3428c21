"""Who is signed in, and decorators that require it."""

from functools import wraps

from flask import abort, g, redirect, request, url_for


def current_user():
    return g.get("user")


def login_required(view):
    """Send anonymous people to sign in, and back here afterwards."""

    @wraps(view)
    def wrapped(*args, **kwargs):
        if current_user() is None:
            if request.method == "GET":
                return redirect(url_for("accounts.sign_in", next=request.full_path.rstrip("?")))
            abort(401)
        return view(*args, **kwargs)

    return wrapped


def admin_required(view):
    """Site administrators only (account management)."""

    @wraps(view)
    @login_required
    def wrapped(*args, **kwargs):
        if not current_user().is_admin:
            abort(403)
        return view(*args, **kwargs)

    return wrapped
