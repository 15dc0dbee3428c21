"""Sign in and out; account administration."""

from urllib.parse import urlsplit

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from sqlalchemy import select

from tracker.accounts import bp, services, sessions, throttle
from tracker.accounts.forms import EditUserForm, EndSessionsForm, NewUserForm, SignInForm
from tracker.accounts.models import User
from tracker.accounts.permissions import admin_required, current_user
from tracker.core.errors import abort_with
from tracker.extensions import db


def safe_next(target: str | None) -> str:
    """Only a local path is followed after sign-in; anything else goes to the dashboard."""
    if target and target.startswith("/") and not target.startswith(("//", "/\\")):
        parts = urlsplit(target)
        if not parts.scheme and not parts.netloc and "\\" not in target:
            return target
    return url_for("programmes.dashboard")


@bp.route("/sign-in", methods=["GET", "POST"])
def sign_in():
    """The sign-in page (GOV.UK pattern: email address, password, "Sign in")."""
    if current_user() is not None and request.method == "GET":
        return redirect(safe_next(request.args.get("next")))
    form = SignInForm(next=request.args.get("next", ""))
    if form.validate_on_submit():
        email = services.normalise_email(form.email.data)
        address = throttle.client_address()
        if throttle.is_blocked(email, address):
            abort_with(429, _("Too many failed sign-in attempts from this address. Wait 15 minutes, "
                              "then try again."))
        user = services.authenticate(email, form.password.data)
        if user is None:
            throttle.record_failure(email, address)
            db.session.commit()
            form.password.errors.append(_("Enter a correct email address and password"))
            return render_template("accounts/sign_in.html", form=form), 200
        throttle.clear(email, address)
        sessions.start(user)
        db.session.commit()
        return redirect(safe_next(form.next.data))
    return render_template("accounts/sign_in.html", form=form)


@bp.route("/sign-out", methods=["POST"])
def sign_out():
    """End this browser's session (CSRFProtect has already checked the token)."""
    sessions.end_current()
    db.session.commit()
    flash(_("You have signed out"), "success")
    return redirect(url_for("accounts.sign_in"))


@bp.route("/accounts")
@admin_required
def users():
    """All accounts, for site administrators."""
    people = db.session.scalars(select(User).order_by(User.name)).all()
    return render_template("accounts/users.html", people=people)


@bp.route("/accounts/new", methods=["GET", "POST"])
@admin_required
def new_user():
    """Create an account."""
    form = NewUserForm()
    if form.validate_on_submit():
        try:
            user = services.create_user(form.email.data, form.name.data, form.password.data,
                                        is_admin=form.is_admin.data, is_facilitator=form.is_facilitator.data,
                                        language=form.language.data)
        except services.AccountError as error:
            form.email.errors.append(str(error))
        else:
            db.session.commit()
            flash(_("Account created for %(name)s", name=user.name), "success")
            return redirect(url_for("accounts.users"))
    return render_template("accounts/new_user.html", form=form)


@bp.route("/accounts/<int:user_id>", methods=["GET", "POST"])
@admin_required
def edit_user(user_id: int):
    """Change an account: name, roles, active, password."""
    user = db.session.get(User, user_id) or abort(404)
    form = EditUserForm(obj=user)
    if not form.is_submitted():
        form.language.data = user.language or ""
    if form.validate_on_submit():
        try:
            services.update_user(user, name=form.name.data, is_admin=form.is_admin.data,
                                 is_facilitator=form.is_facilitator.data, is_active=form.is_active.data,
                                 acting=current_user(), language=form.language.data)
            if form.password.data:
                services.set_password(user, form.password.data)
        except services.AccountError as error:
            db.session.rollback()
            form.is_active.errors.append(str(error))
        else:
            db.session.commit()
            flash(_("Changes saved for %(name)s", name=user.name), "success")
            return redirect(url_for("accounts.users"))
    return render_template("accounts/edit_user.html", form=form, person=user, end_form=EndSessionsForm())


@bp.route("/accounts/<int:user_id>/end-sessions", methods=["POST"])
@admin_required
def end_sessions(user_id: int):
    """Sign a person out everywhere."""
    user = db.session.get(User, user_id) or abort(404)
    count = sessions.end_all(user)
    db.session.commit()
    flash(_("Ended %(count)s sessions for %(name)s", count=count, name=user.name), "success")
    return redirect(url_for("accounts.edit_user", user_id=user.id))
