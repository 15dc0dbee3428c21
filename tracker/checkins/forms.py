"""Forms for check-ins and the mid-way staff event: when and where, status, an extra check-in."""

import re
from datetime import time

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from govuk_frontend_wtf.wtforms_widgets import GovRadioInput, GovSelect, GovSubmitInput, GovTextInput
from wtforms import Field, SubmitField
from wtforms.validators import StopValidation, ValidationError
from wtforms.widgets import HiddenInput

from tracker.checkins import calendar
from tracker.checkins.models import LINK_LENGTH, PLACE_LENGTH, CheckInStatus
from tracker.core.fields import DateField, Form, RadioField, Required, SelectField, WholeNumberField, text

_TIME = re.compile(r"([0-9]{1,2})(?:[:.]([0-9]{2}))?\s*(am|pm|a\.m\.|p\.m\.)?", re.IGNORECASE)


def parse_time(value: str) -> time | None:
    """``10:00``, ``14:30``, ``9.15``, ``2pm``, ``2:30 pm`` as a time; ``None`` if it is not one."""
    match = _TIME.fullmatch(value.strip())
    if match is None:
        return None
    hour, minute, half = int(match.group(1)), int(match.group(2) or 0), (match.group(3) or "").lower()[:1]
    if half:
        if not 1 <= hour <= 12:
            return None
        hour = hour % 12 + (12 if half == "p" else 0)
    elif match.group(2) is None and hour > 23:
        return None
    if hour > 23 or minute > 59:
        return None
    return time(hour, minute)


class TimeField(Field):
    """A time of day typed as people write it (``10:00``, ``2:30pm``); blank is ``None``.

    GOV.UK has no time input: a short text input with a hint that says what is understood, and a
    message that names the field ("Start time must be a real time, like 10:00 or 2:30pm").
    """

    widget = GovTextInput()

    def __init__(self, label=None, validators=None, *, called=None, **kwargs):
        super().__init__(label, validators, **kwargs)
        self.message_name = called or label

    def _value(self):
        if self.raw_data:
            return self.raw_data[0] if isinstance(self.raw_data[0], str) else ""
        return "" if self.data is None else f"{self.data.hour:02d}:{self.data.minute:02d}"

    def process_formdata(self, valuelist):
        self.data = None
        if not valuelist or not isinstance(valuelist[0], str) or not valuelist[0].strip():
            return
        if len(valuelist[0]) > 20 or (parsed := parse_time(valuelist[0])) is None:
            raise ValueError(_("%(name)s must be a real time, like 10:00 or 2:30pm", name=self.message_name))
        self.data = parsed

    def pre_validate(self, form):
        if self.process_errors:
            raise StopValidation()


def _version():
    return WholeNumberField(widget=HiddenInput(), called=_l("The version"),
                            required=_l("Reload the page and try again"))


def _link_rule(form, field):
    try:
        field.data = calendar.clean_link(field.data)
    except calendar.CheckInError as error:
        raise ValidationError(str(error)) from None


#: Made before the date and time fields, so that a form with both lists it (and its error) first, as the page
#: shows it: WTForms orders fields by when they were made.
_ORGANISATION = SelectField(_l("Organisation"), widget=GovSelect(), coerce=str,
                            validators=[Required(_l("Choose the organisation"))],
                            message=_l("Choose an organisation from the list"))


class WhenWhereForm(Form):
    on = DateField(_l("Date"), called=_l("Date"), description=_l("For example, 27 3 2026"),
                   required=_l("Enter the date"))
    start_time = TimeField(_l("Start time (optional)"), called=_l("Start time"),
                           description=_l("UK time, for example 10:00 or 2:30pm"))
    end_time = TimeField(_l("End time (optional)"), called=_l("End time"),
                         description=_l("UK time, for example 11:30 or 4pm"))
    place = text(_l("Place (optional)"), limit=PLACE_LENGTH, called=_l("The place"),
                 hint=_l("A room and building, or an address"))
    video_link = text(_l("Video call link (optional)"), limit=LINK_LENGTH, called=_l("The video link"),
                      hint=_l("A web address starting with https://"))
    submit = SubmitField(_l("Save"), widget=GovSubmitInput())

    def validate_video_link(self, field):
        _link_rule(self, field)

    def validate_end_time(self, field):
        if self.start_time.errors:
            return  # a start time that is not a time: nothing to compare with
        try:
            calendar.check_times(self.start_time.data, field.data)
        except calendar.CheckInError as error:
            if error.field == "end_time":
                raise ValidationError(str(error)) from None
            self.start_time.errors = [*self.start_time.errors, str(error)]
            raise StopValidation() from None


class _Facilitator:
    def set_facilitators(self, people) -> None:
        self.facilitator.choices = [("", _l("Nobody yet"))] + [(str(p.id), p.name) for p in people]


class CheckInForm(_Facilitator, WhenWhereForm):
    """Move a check-in: carries the version the person saw, so a stale change is refused."""

    facilitator = SelectField(_l("Facilitator"), widget=GovSelect(), coerce=str,
                              message=_l("Choose a facilitator from the list"))
    version = _version()
    submit = SubmitField(_l("Save check-in"), widget=GovSubmitInput())

    def __init__(self, *args, facilitators=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.set_facilitators(facilitators)


class ExtraCheckInForm(_Facilitator, WhenWhereForm):
    organisation = _ORGANISATION
    facilitator = SelectField(_l("Facilitator"), widget=GovSelect(), coerce=str,
                              message=_l("Choose a facilitator from the list"))
    submit = SubmitField(_l("Add check-in"), widget=GovSubmitInput())

    def __init__(self, *args, organisations=(), facilitators=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.organisation.choices = [("", _l("Choose an organisation"))] + [
            (str(o.id), o.name) for o in organisations]
        self.set_facilitators(facilitators)


def _status_choices():
    return [(s.value, s.label) for s in CheckInStatus]


class StatusForm(Form):
    status = RadioField(_l("What happened to this check-in?"), widget=GovRadioInput(),
                        choices=_status_choices, validators=[Required(_l("Choose a status"))],
                        message=_l("Choose a status"))
    version = _version()
    submit = SubmitField(_l("Save status"), widget=GovSubmitInput())


class EventForm(WhenWhereForm):
    title = text(_l("Title (optional)"), limit=200, called=_l("The title"),
                 hint=_l("Leave it empty to call it “Mid-way staff event”"))
    version = _version()
    submit = SubmitField(_l("Save event"), widget=GovSubmitInput())


class FeedForm(Form):
    """The one button that makes (or replaces) the calendar address: CSRF only."""
