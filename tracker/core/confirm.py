"""The GOV.UK confirmation page shown before anything is archived, deleted or taken away."""

from flask import render_template

from tracker.core.fields import Form


class ConfirmForm(Form):
    """The page's one button (CSRF only: what is confirmed is in the URL)."""


def confirm_page(*, heading: str, button: str, cancel: str, form: Form, caption: str = "", details=(),
                 version: int | None = None):
    """Say what is about to happen and what goes with it, then one warning button and a way back.

    ``version`` (a card's) is posted back, so a change made meanwhile by someone else is refused. Shown
    again for a post (its form did not validate: a version that is not a number), it answers 422.
    """
    status = 422 if form.is_submitted() else 200
    return render_template("confirm.html", heading=heading, button=button, cancel=cancel, form=form,
                           caption=caption, details=details, version=version), status
