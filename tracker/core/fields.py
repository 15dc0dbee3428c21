"""Form plumbing shared by every form: the base class, GOV.UK date and number fields, text limits.

- :class:`Form` reads a form only from the posted form fields (and files only into file fields): a
  JSON body or a file sent in place of a text field is never taken for a field's value.
- :class:`DateField` is a GOV.UK date input: three inputs (day, month, year) under one name. It reports
  what is missing and impossible dates in GOV.UK's words ("Due date must include a month", "Due date
  must be a real date"), shows the parts as they were entered when the page is shown again, and its
  id is the day input's, so the error summary's link moves focus to the first input.
- :class:`WholeNumberField` and :class:`NumberField` read numbers in the one format of
  ``tracker.core.numbers``, with messages that name the field ("Evaluation length must be a whole
  number, like 12").
- :func:`text` builds a text input or area with a length limit that its hint states
  ("300 characters or fewer") and a required check that a name of only spaces does not pass.
- :class:`RadioField`, :class:`SelectField` and :class:`SelectMultipleField` take the message to show
  for a missing or unknown choice, never WTForms' "Not a valid choice".
"""

import re
from datetime import date

from flask import request
from flask_babel import LazyString
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from flask_wtf.form import _Auto, _is_submitted
from govuk_frontend_wtf.gov_form_base import GovFormBase
from govuk_frontend_wtf.wtforms_widgets import GovDateInput, GovTextArea, GovTextInput
from werkzeug.datastructures import CombinedMultiDict, MultiDict
from wtforms import Field, StringField, TextAreaField
from wtforms import RadioField as _RadioField
from wtforms import SelectField as _SelectField
from wtforms import SelectMultipleField as _SelectMultipleField
from wtforms.validators import StopValidation, ValidationError

from tracker.core import numbers

#: Text columns (``Text``) have no limit in the database; this is the one people are given.
LONG_TEXT = 10_000


class Form(FlaskForm):
    """The base of every form: form fields from ``request.form``, files only into file fields."""

    class Meta(FlaskForm.Meta):
        def wrap_formdata(self, form, formdata):
            if formdata is not _Auto:
                return formdata
            if not _is_submitted():
                return None
            file_fields = {name for name, f in form._fields.items() if isinstance(f, FileField)}
            files = MultiDict([(k, v) for k, v in request.files.items(multi=True) if k in file_fields])
            if files:
                return CombinedMultiDict((files, request.form))
            return request.form or None


# --- text --------------------------------------------------------------------------------------------


def _blank(field) -> bool:
    if field.raw_data is not None:
        value = field.raw_data[0] if field.raw_data else ""
        return not isinstance(value, str) or not value.strip()
    data = field.data
    return data is None or data in ((), []) or (isinstance(data, str) and not data.strip())


class Required:
    """Something must be entered: unlike WTForms' ``InputRequired``, spaces alone are not something."""

    field_flags = {"required": True}

    def __init__(self, message):
        self.message = message

    def __call__(self, form, field):
        if _blank(field):
            field.errors[:] = []
            raise StopValidation(self.message)


class MaxLength:
    """At most ``limit`` characters: "Name must be 300 characters or fewer"."""

    def __init__(self, limit: int, name):
        self.limit, self.name = limit, name

    def __call__(self, form, field):
        data = field.data
        if isinstance(data, str) and len(data) > self.limit:
            raise ValidationError(_("%(name)s must be %(n)s characters or fewer", name=self.name,
                                    n=f"{self.limit:,}"))


def limit_hint(limit: int, hint=None) -> LazyString:
    """A field's hint with its limit: "Start with “How might we…?” (300 characters or fewer)"."""

    def text():
        n = f"{limit:,}"
        if hint:
            return _("%(hint)s (%(n)s characters or fewer)", hint=str(hint), n=n)
        return _("%(n)s characters or fewer", n=n)

    return LazyString(text)


def text(label, *, limit: int, called=None, required=None, hint=None, area: bool = False, **kwargs):
    """A text input (or, with ``area``, a text area) of at most ``limit`` characters, stated in its hint.

    ``called`` is the field as its messages call it (the label by default); ``required`` is the message
    when nothing (or only spaces) is entered, ``None`` for an optional field.
    """
    validators = [Required(required)] if required else []
    validators.append(MaxLength(limit, called or label))
    field_class, widget = (TextAreaField, GovTextArea()) if area else (StringField, GovTextInput())
    return field_class(label, widget=kwargs.pop("widget", widget), validators=validators,
                       description=limit_hint(limit, hint), **kwargs)


# --- choices -----------------------------------------------------------------------------------------


class _ChoiceMessage:
    """A missing or unknown choice gets the field's own message."""

    def __init__(self, *args, message=None, **kwargs):
        message = message or _l("Choose one of the options")
        kwargs.setdefault("invalid_choice_message", message)
        kwargs.setdefault("invalid_value_message", message)
        super().__init__(*args, **kwargs)
        self.choice_message = message

    def process_formdata(self, valuelist):
        # A value sent twice is one answer too many; only the first counts (as WTForms does).
        valuelist = [v for v in valuelist if isinstance(v, str)]
        super().process_formdata(valuelist)

    def pre_validate(self, form):
        if _blank(self):
            return  # nothing chosen: ``Required`` says so if an answer is needed
        super().pre_validate(form)


class SelectField(_ChoiceMessage, _SelectField):
    pass


class RadioField(_ChoiceMessage, _RadioField):
    pass


class SelectMultipleField(_ChoiceMessage, _SelectMultipleField):
    def pre_validate(self, form):
        try:
            _SelectMultipleField.pre_validate(self, form)  # every value chosen must be a choice
        except ValidationError:
            raise ValidationError(self.choice_message) from None


# --- numbers -----------------------------------------------------------------------------------------


class WholeNumberField(Field):
    """A whole number from ``minimum`` to ``maximum`` (``None``: unbounded), in ASCII digits.

    ``called`` is the field as its messages call it: "Evaluation length must be a whole number, like 12";
    ``range_message`` is shown for a number outside the range; ``required`` when nothing is entered
    (``None``: optional, and blank is ``None``).
    """

    widget = GovTextInput()

    def __init__(self, label=None, validators=None, *, called=None, minimum: int | None = 0,
                 maximum: int | None = numbers.MAX_ID, required=None, range_message=None, **kwargs):
        validators = list(validators or [])
        if required:
            validators.insert(0, Required(required))
        super().__init__(label, validators, **kwargs)
        self.message_name = called or label
        self.minimum, self.maximum, self.range_message = minimum, maximum, range_message

    def _value(self):
        if self.raw_data:
            return self.raw_data[0] if isinstance(self.raw_data[0], str) else ""
        return "" if self.data is None else str(self.data)

    def _out_of_range(self):
        if self.range_message:
            return self.range_message
        if self.maximum is None or self.maximum >= numbers.MAX_ID:
            return _("%(name)s must be %(min)s or more", name=self.message_name, min=self.minimum)
        return _("%(name)s must be between %(min)s and %(max)s", name=self.message_name, min=self.minimum,
                 max=self.maximum)

    def process_formdata(self, valuelist):
        self.data = None
        if not valuelist or not isinstance(valuelist[0], str) or not valuelist[0].strip():
            return
        text = valuelist[0].strip()
        if re.fullmatch(r"[0-9]+", text):  # no need for a Decimal to compare digits with a range
            value = int(text) if len(text) <= 20 else None
            if value is None or (self.minimum is not None and value < self.minimum) or (
                    self.maximum is not None and value > self.maximum):
                raise ValueError(self._out_of_range())
            self.data = value
            return
        try:
            numbers.parse_number(text, whole=True)
        except numbers.NumberError as error:
            if error.reason == numbers.NEGATIVE and self.minimum is not None and self.minimum >= 0:
                raise ValueError(self._out_of_range()) from None
            raise ValueError(numbers.number_message(error, self.message_name, whole=True)) from None
        # Digits with a decimal point and only zeros after it ("12.0"): the whole number it is.
        self.process_formdata([text.split(".")[0]])

    def pre_validate(self, form):
        if self.process_errors:
            raise StopValidation()


class NumberField(Field):
    """A decimal number (``12``, ``0.5``) in the one format, as a ``Decimal``; blank is ``None``."""

    widget = GovTextInput()

    def __init__(self, label=None, validators=None, *, called=None, required=None, **kwargs):
        validators = list(validators or [])
        if required:
            validators.insert(0, Required(required))
        super().__init__(label, validators, **kwargs)
        self.message_name = called or label

    def _value(self):
        if self.raw_data:
            return self.raw_data[0] if isinstance(self.raw_data[0], str) else ""
        if self.data is None:
            return ""
        return format(self.data.normalize(), "f")

    def process_formdata(self, valuelist):
        self.data = None
        if not valuelist or not isinstance(valuelist[0], str):
            return
        try:
            self.data = numbers.parse_number(valuelist[0])
        except numbers.NumberError as error:
            raise ValueError(numbers.number_message(error, self.message_name)) from None

    def pre_validate(self, form):
        if self.process_errors:
            raise StopValidation()


# --- dates -------------------------------------------------------------------------------------------

EARLIEST, LATEST = date(1900, 1, 1), date(2199, 12, 31)
PARTS = ("day", "month", "year")


class DateInput(GovDateInput):
    """The GOV.UK date input for :class:`DateField`: the parts as entered, errors on the parts at fault,
    the field's label as the legend even when a template passes only the legend's classes."""

    def __call__(self, field, **kwargs):
        kwargs.setdefault("id", field.base_id)
        return GovFormBase.__call__(self, field, **kwargs)

    def map_gov_params(self, field, **kwargs):
        params = GovFormBase.map_gov_params(self, field, **kwargs)
        legend = params.setdefault("fieldset", {}).setdefault("legend", {})
        legend.setdefault("text", field.label.text)
        labels = {"day": _("Day"), "month": _("Month"), "year": _("Year")}
        # The parts at fault; all three for an error about the date as a whole (one a view added).
        wrong = (field.error_parts or set(PARTS)) if field.errors else set()
        params["items"] = [{
            "label": labels[part], "id": f"{field.base_id}-{part}", "name": field.name, "value": value,
            "classes": ("govuk-input--width-4" if part == "year" else "govuk-input--width-2")
                       + (" govuk-input--error" if part in wrong else ""),
        } for part, value in zip(PARTS, field.shown_parts(), strict=True)]
        return params


class DateField(Field):
    """A date entered as day, month and year (three inputs of one name), GOV.UK's date input pattern.

    ``called`` is the field as its messages call it ("Due date"); ``required`` is the message when
    nothing is entered (``None``: optional, and a blank date is ``None``). Dates before 1900 or after
    2199 are refused.
    """

    widget = DateInput()

    def __init__(self, label=None, validators=None, *, called=None, required=None, **kwargs):
        super().__init__(label, validators, **kwargs)
        self.message_name = called or label
        self.required_message = required
        if required:
            self.flags.required = True
        # The error summary links to the field's id: the day, the first input.
        self.base_id = self.id
        self.id = f"{self.base_id}-day"
        self.label.field_id = self.id
        self.parts: tuple[str, str, str] | None = None
        self.error_parts: set[str] = set()
        self._problem: str | None = None

    def shown_parts(self) -> tuple[str, str, str]:
        if self.parts is not None:
            return self.parts
        if isinstance(self.data, date):
            return str(self.data.day), str(self.data.month), str(self.data.year)
        return "", "", ""

    def _value(self):
        return " ".join(self.shown_parts()).strip()

    def process_formdata(self, valuelist):
        values = [v.strip() if isinstance(v, str) else "" for v in valuelist]
        self.data = None
        self._problem = None
        self.parts = tuple((values + ["", "", ""])[:3])
        if len(values) > 3:
            self._problem, self.error_parts = "real", set(PARTS)
            return
        day, month, year = self.parts
        missing = [part for part, value in zip(PARTS, self.parts, strict=True) if not value]
        if len(missing) == 3:
            return
        if missing:
            self._problem, self.error_parts = "missing", set(missing)
            return
        if not (re.fullmatch(r"[0-9]{1,2}", day) and re.fullmatch(r"[0-9]{1,2}", month)
                and re.fullmatch(r"[0-9]+", year)):
            self._problem, self.error_parts = "real", set(PARTS)
            return
        if len(year) != 4:
            self._problem, self.error_parts = "year", {"year"}
            return
        try:
            value = date(int(year), int(month), int(day))
        except ValueError:
            self._problem, self.error_parts = "real", set(PARTS)
            return
        if not EARLIEST <= value <= LATEST:
            self._problem, self.error_parts = "range", set(PARTS)
            return
        self.data = value

    def pre_validate(self, form):
        name = self.message_name
        if self._problem == "missing":
            missing = [p for p in PARTS if p in self.error_parts]
            words = {"day": _("a day"), "month": _("a month"), "year": _("a year")}
            if len(missing) == 1:
                raise StopValidation(_("%(name)s must include %(part)s", name=name, part=words[missing[0]]))
            raise StopValidation(_("%(name)s must include %(first)s and %(second)s", name=name,
                                   first=words[missing[0]], second=words[missing[1]]))
        if self._problem == "real":
            raise StopValidation(_("%(name)s must be a real date", name=name))
        if self._problem == "year":
            raise StopValidation(_("%(name)s must include a year with 4 numbers, like 2027", name=name))
        if self._problem == "range":
            raise StopValidation(_("%(name)s must be between 1900 and 2199", name=name))
        if self.data is None:
            if self.required_message:
                self.error_parts = set(PARTS)
                raise StopValidation(self.required_message)
            raise StopValidation()  # optional and left blank: nothing else to check


# --- pages that show errors --------------------------------------------------------------------------


def init_app(app) -> None:
    """Every template gets ``page_errors``: whether any form it is given has errors. ``base.html`` starts
    the page title with "Error: " when it is true, or when the template itself says it shows an error
    summary (``{% set shows_error_summary = … %}``, for summaries not made from a form)."""
    from flask import before_render_template
    from wtforms import Form as AnyForm

    def _page_errors(sender, template, context, **extra):
        context.setdefault("page_errors", any(
            isinstance(value, AnyForm) and value.errors for value in list(context.values())))

    before_render_template.connect(_page_errors, app, weak=False)
