"""The email outbox, read by site administrators: what the app has written, and what became of it.

With no SMTP server configured this is where email goes; an administrator can open a message and copy a
link from it by hand. Once a message has been delivered its text is no longer shown here: any link in it
now belongs to its recipient.
"""

from flask import abort, current_app, render_template
from sqlalchemy import func, select

from tracker.accounts import bp
from tracker.accounts.permissions import admin_required
from tracker.core.mail import OutboxMessage, Status
from tracker.extensions import db

#: The outbox page lists this many messages, newest first.
SHOWN = 200


@bp.route("/accounts/outbox")
@admin_required
def outbox():
    """The latest messages, newest first, with their delivery state."""
    messages = db.session.scalars(select(OutboxMessage)
                                  .order_by(OutboxMessage.created_dt.desc(), OutboxMessage.id.desc())
                                  .limit(SHOWN)).all()
    counts = dict(db.session.execute(select(OutboxMessage.status, func.count())
                                     .group_by(OutboxMessage.status)).all())
    total = sum(counts.values())
    return render_template("accounts/outbox.html", messages=messages, counts=counts, total=total, shown=SHOWN,
                           statuses=list(Status), configured=bool(current_app.config.get("MAIL_HOST")))


@bp.route("/accounts/outbox/<int:message_id>")
@admin_required
def outbox_message(message_id: int):
    """One message: its addressee, state and (until it is delivered) its text."""
    message = db.session.get(OutboxMessage, message_id) or abort(404)
    # The text is shown as text, never as links, so opening a link in it can send no referrer from here.
    return render_template("accounts/outbox_message.html", message=message,
                           configured=bool(current_app.config.get("MAIL_HOST")))
