"""Invitations, for the people who send them: a team member for their own organisation, a facilitator for
any. Viewers are refused (403); people who may not see the organisation get a 404.

The wave's page (``surveys.wave``, every member of the programme) lists each organisation's counts and
links here (``surveys/_wave_invitations.html``).

- ``/programmes/<slug>/<org>/survey-invitations/<wave>``: one wave for the organisation — invited,
  answered, the response rate, the shared link if there is one — and the form to paste staff email
  addresses. Posting it shows what would be sent (new addresses, and those repeated, not valid or already
  invited), and nothing more.
- ``…/send``: the preview's button: one invitation each, emailed at once while the wave is open, else
  listed and emailed on the opening day by the scheduler (``tracker.surveys.jobs``).
- ``…/hold`` (facilitators): hold the organisation's invitations and automatic reminders back, or release
  them (a release while the wave is open sends the listed invitations at once).
- ``…/reminders``: email every invitation not yet used, at most once a day each.
- ``…/shared-link`` (and ``…/remove``): make, replace or stop the organisation's shared link; a new link is
  shown once.

Nothing here says which person answered: only counts.
"""

from flask import abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from govuk_frontend_wtf.wtforms_widgets import GovSubmitInput
from sqlalchemy.exc import IntegrityError
from wtforms import HiddenField, SubmitField

from tracker.accounts.permissions import current_user, login_required
from tracker.board.views import load_org
from tracker.core import clock
from tracker.core.confirm import ConfirmForm, confirm_page
from tracker.core.fields import Form, MaxLength, text
from tracker.core.formats import uk_date
from tracker.extensions import db
from tracker.programmes.models import Organisation
from tracker.programmes.permissions import can_edit_org, can_manage_programme, visible_organisations
from tracker.surveys import bp, invitations, invitations_cli, waves  # noqa: F401 - the CLI attaches its command
from tracker.surveys.models import Wave


class AddressesForm(Form):
    addresses = text(_l("Staff email addresses"), limit=invitations.MAX_PASTE, area=True,
                     called=_l("The email addresses"),
                     hint=_l("One on each line, or separated by commas or semicolons. You can paste them from "
                             "a spreadsheet or an email. Nothing is sent until you have checked them"),
                     required=_l("Enter the email addresses of the staff to invite"))
    submit = SubmitField(_l("Check the addresses"), widget=GovSubmitInput())


class HoldForm(Form):
    #: "hold" or "release".
    action = HiddenField()


class SendForm(Form):
    #: The new addresses of the preview, one a line; checked again when sent.
    addresses = HiddenField(validators=[MaxLength(invitations.MAX_PASTE, _l("The email addresses"))])


def _link_for(token: str) -> str:
    return url_for("surveys.respond_link", token=token, _external=True)


def load_wave(slug: str, org_slug: str, wave_id: int, *, edit: bool = True) -> tuple[Wave, Organisation]:
    """The wave and the organisation, if the person may send the organisation's invitations (404 when the
    organisation is unseen or the wave is another programme's, 403 when seen but read-only)."""
    org = load_org(slug, org_slug, edit=edit)
    wave = db.session.get(Wave, wave_id)
    if wave is None or wave.survey.programme_id != org.programme_id:
        abort(404)
    return wave, org


def _wave_page(wave: Wave, org: Organisation, form: AddressesForm, status: int = 200):
    today = clock.today()
    (counts,) = invitations.wave_counts(wave, [org])
    return render_template("surveys/invitations/wave.html", wave=wave, org=org, survey=wave.survey,
                           programme=org.programme, form=form, counts=counts, state=waves.state(wave, today),
                           can_invite=invitations.can_invite(wave, today),
                           can_hold=can_manage_programme(current_user(), org.programme)), status


def _closed(wave: Wave, org: Organisation):
    flash(_("This wave has closed: nobody can be invited to it any more."))
    return redirect(url_for("surveys.invitations", slug=org.programme.slug, org_slug=org.slug, wave_id=wave.id))


def _back(wave: Wave, org: Organisation):
    return redirect(url_for("surveys.invitations", slug=org.programme.slug, org_slug=org.slug, wave_id=wave.id))


@bp.route("/programmes/<slug>/<org_slug>/survey-invitations/<int:wave_id>", methods=["GET", "POST"],
          endpoint="invitations")
@login_required
def invitations_page(slug: str, org_slug: str, wave_id: int):
    """The wave for this organisation, and the addresses form; a post shows the preview (nothing sent)."""
    wave, org = load_wave(slug, org_slug, wave_id)
    form = AddressesForm()
    if not form.is_submitted():
        return _wave_page(wave, org, form)
    if not invitations.can_invite(wave):
        return _closed(wave, org)
    if not form.validate():
        return _wave_page(wave, org, form, 422)
    check = invitations.check_addresses(wave, org, form.addresses.data)
    return _preview(wave, org, form, check)


def _preview(wave: Wave, org: Organisation, form: AddressesForm, check: invitations.AddressCheck, *,
             message: str | None = None, status: int = 200):
    send = SendForm(formdata=None, addresses="\n".join(check.new))
    return render_template("surveys/invitations/preview.html", wave=wave, org=org, survey=wave.survey,
                           programme=org.programme, form=form, send=send, check=check, message=message,
                           max_addresses=invitations.MAX_ADDRESSES, at_once=invitations.sends_at_once(wave, org),
                           held_back=invitations.is_held_back(wave, org)), status


@bp.route("/programmes/<slug>/<org_slug>/survey-invitations/<int:wave_id>/send", methods=["POST"])
@login_required
def send_invitations(slug: str, org_slug: str, wave_id: int):
    """The preview's button: invite the new addresses (checked again), one email each."""
    wave, org = load_wave(slug, org_slug, wave_id)
    form = SendForm()
    if not form.validate():
        abort(400)
    if not invitations.can_invite(wave):
        return _closed(wave, org)
    check = invitations.check_addresses(wave, org, form.addresses.data or "")
    if not check.new:
        again = AddressesForm(formdata=None, addresses=form.addresses.data or "")
        return _preview(wave, org, again, check, status=422,
                        message=_("There are no new addresses to invite. Check the addresses and try again."))
    at_once = invitations.sends_at_once(wave, org)
    try:
        made = invitations.invite(wave, org, check.new, link_for=_link_for)
        db.session.commit()
    except IntegrityError:  # someone invited one of them at the same moment
        db.session.rollback()
        wave, org = load_wave(slug, org_slug, wave_id)
        again = AddressesForm(formdata=None, addresses=form.addresses.data or "")
        return _preview(wave, org, again, invitations.check_addresses(wave, org, form.addresses.data or ""),
                        status=409, message=_("Some of these addresses were invited by someone else at the same "
                                              "moment. Nothing was sent: check the addresses again."))
    except invitations.InvitationError:
        db.session.rollback()
        return _closed(wave, org)
    if at_once:
        flash(ngettext("%(num)s invitation sent", "%(num)s invitations sent", made), "success")
    elif invitations.is_held_back(wave, org):
        flash(ngettext("%(num)s address listed. It will be emailed when a facilitator releases the invitations.",
                       "%(num)s addresses listed. They will be emailed when a facilitator releases the invitations.",
                       made), "success")
    else:
        flash(ngettext("%(num)s address listed. It will be emailed on %(day)s, when the wave opens.",
                       "%(num)s addresses listed. They will be emailed on %(day)s, when the wave opens.",
                       made, day=uk_date(wave.opens_on)), "success")
    return _back(wave, org)


@bp.route("/programmes/<slug>/<org_slug>/survey-invitations/<int:wave_id>/hold", methods=["POST"])
@login_required
def hold_invitations(slug: str, org_slug: str, wave_id: int):
    """Hold the organisation's invitations back, or release them (facilitators only): a release while the
    wave is open emails the listed invitations at once, since their opening day has come."""
    wave, org = load_wave(slug, org_slug, wave_id)
    if not can_manage_programme(current_user(), org.programme):
        abort(403)
    form = HoldForm()
    if not form.validate() or form.action.data not in ("hold", "release"):
        abort(400)
    if not invitations.can_invite(wave):
        return _closed(wave, org)
    held = form.action.data == "hold"
    invitations.hold_back(wave, org, held)
    sent = 0 if held else invitations.send_listed(wave, org, link_for=_link_for)
    db.session.commit()
    if held:
        flash(_("Invitations for %(organisation)s are held back: nothing is emailed to its staff until you "
                "release them.", organisation=org.name), "success")
    elif sent:
        flash(ngettext("Invitations for %(organisation)s released: %(num)s invitation sent.",
                       "Invitations for %(organisation)s released: %(num)s invitations sent.", sent,
                       organisation=org.name), "success")
    elif waves.state(wave) == waves.WaveState.SCHEDULED:
        flash(_("Invitations for %(organisation)s released: they will be emailed on %(day)s, when the wave opens.",
                organisation=org.name, day=uk_date(wave.opens_on)), "success")
    else:
        flash(_("Invitations for %(organisation)s released.", organisation=org.name), "success")
    return _back(wave, org)


@bp.route("/programmes/<slug>/<org_slug>/survey-invitations/<int:wave_id>/reminders", methods=["POST"])
@login_required
def send_reminders(slug: str, org_slug: str, wave_id: int):
    """Email a reminder (with a new link) to every invitation not yet used, at most once a day each."""
    wave, org = load_wave(slug, org_slug, wave_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    try:
        reminded = invitations.remind(wave, org, link_for=_link_for)
    except invitations.InvitationError:
        db.session.rollback()
        return _closed(wave, org)
    db.session.commit()
    if reminded.sent:
        flash(ngettext("%(num)s reminder sent", "%(num)s reminders sent", reminded.sent), "success")
    if reminded.skipped:
        flash(ngettext("%(num)s person who has not answered was already sent a reminder today",
                       "%(num)s people who have not answered were already sent a reminder today", reminded.skipped))
    if not reminded.sent and not reminded.skipped:
        flash(_("Nobody to remind: everyone invited has answered."))
    return _back(wave, org)


@bp.route("/programmes/<slug>/<org_slug>/survey-invitations/<int:wave_id>/shared-link", methods=["GET", "POST"])
@login_required
def shared_link(slug: str, org_slug: str, wave_id: int):
    """Make the organisation's shared link (or a new one in place of the old): shown once, on the page the
    post returns."""
    wave, org = load_wave(slug, org_slug, wave_id)
    has_link = invitations.uses_shared_link(wave, org)
    form = ConfirmForm()
    if not invitations.can_invite(wave):
        return _closed(wave, org)
    if not form.validate_on_submit():
        return render_template("surveys/invitations/shared_link.html", wave=wave, org=org, survey=wave.survey,
                               programme=org.programme, form=form, has_link=has_link)
    token = invitations.make_shared_link(wave, org)
    db.session.commit()
    return render_template("surveys/invitations/shared_link_made.html", wave=wave, org=org, survey=wave.survey,
                           programme=org.programme, link=_link_for(token), replaced=has_link)


@bp.route("/programmes/<slug>/<org_slug>/survey-invitations/<int:wave_id>/shared-link/remove",
          methods=["GET", "POST"])
@login_required
def remove_shared_link(slug: str, org_slug: str, wave_id: int):
    """Stop the shared link working, after a confirmation page."""
    wave, org = load_wave(slug, org_slug, wave_id)
    if not invitations.uses_shared_link(wave, org):
        abort(404)
    form = ConfirmForm()
    if not form.validate_on_submit():
        return confirm_page(
            heading=_("Are you sure you want to stop the shared link?"), button=_("Yes, stop the shared link"),
            cancel=url_for("surveys.invitations", slug=org.programme.slug, org_slug=org.slug, wave_id=wave.id),
            form=form, caption=f"{org.name} · {wave.survey.title}",
            details=[_("Nobody will be able to answer the survey with it. The answers already sent are kept."),
                     _("You can make a new shared link afterwards, or send invitations instead.")])
    invitations.remove_shared_link(wave, org)
    db.session.commit()
    flash(_("The shared link has been stopped. It no longer works."), "success")
    return _back(wave, org)


@bp.app_template_global()
def survey_invitation_counts(wave: Wave) -> list[tuple[invitations.Counts, bool]]:
    """For the wave page (``surveys/_wave_invitations.html``): each organisation the signed-in person may
    see, with its counts and whether they may send its invitations."""
    user = current_user()
    organisations = visible_organisations(user, wave.survey.programme)
    return [(counts, can_edit_org(user, counts.organisation))
            for counts in invitations.wave_counts(wave, organisations)]
