"""The rules every input follows (issue 7 §2): one number format, GOV.UK dates and messages, text limits.

- ``tracker.core.numbers``: the one number format of forms, imports and the API, and bounded ids.
- Every form, read from its declaration: text fields have a limit that their hint states, required
  fields refuse a name of only spaces, numbers, dates and choices use the fields of ``tracker.core.fields``
  (never WTForms' own, whose messages are not GOV.UK's).
- ``DateField``: what is missing and what is impossible, in GOV.UK's words, the entered parts shown
  again, the error summary's link to the day input; on real pages too (the card page's forms).
"""

import importlib
import inspect
import pkgutil
import re
from decimal import Decimal

import pytest
import wtforms
from werkzeug.datastructures import MultiDict
from wtforms.validators import DataRequired, InputRequired, Length

import tracker
from tests.conftest import IsolatedClient
from tests.exchange.conftest import TODAY, csv_bytes, make_results
from tracker.board.forms import ActionForm, ProgressUpdateForm
from tracker.core import fields, numbers
from tracker.exchange import imports
from tracker.extensions import db
from tracker.programmes.forms import ProgrammeForm

# --- numbers ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(("raw", "whole", "expected"), [
    ("12", False, Decimal("12")),
    (" 12 ", False, Decimal("12")),
    ("0.5", False, Decimal("0.5")),
    ("1234.25", False, Decimal("1234.25")),
    ("0.00005", False, Decimal("0.0001")),  # kept to 4 places
    ("12.0", True, Decimal("12")),
    ("", False, None),
    ("   ", True, None),
    (None, False, None),
    (Decimal("7"), True, Decimal("7")),
])
def test_numbers_in_the_format(app, raw, whole, expected):
    assert numbers.parse_number(raw, whole=whole) == expected


@pytest.mark.parametrize(("raw", "whole", "reason"), [
    ("1e3", False, numbers.FORMAT),
    ("1E3", False, numbers.FORMAT),
    ("1_000", False, numbers.FORMAT),
    ("1,000", False, numbers.FORMAT),  # thousands separators: imports only
    ("\u0661\u0662", False, numbers.FORMAT),  # Arabic-Indic digits
    ("\uff11\uff12", False, numbers.FORMAT),  # full-width digits
    ("\u00b2", False, numbers.FORMAT),  # a superscript two is a digit to str.isdigit()
    ("+5", False, numbers.FORMAT),
    ("-0", False, numbers.FORMAT),
    (".5", False, numbers.FORMAT),
    ("5.", False, numbers.FORMAT),
    ("0x10", False, numbers.FORMAT),
    ("NaN", False, numbers.FORMAT),
    ("Infinity", False, numbers.FORMAT),
    ("12 000", False, numbers.FORMAT),
    (True, False, numbers.FORMAT),
    (Decimal("NaN"), False, numbers.FORMAT),
    ("-5", False, numbers.NEGATIVE),
    ("-0.5", False, numbers.NEGATIVE),
    (Decimal("-1"), False, numbers.NEGATIVE),
    ("2.5", True, numbers.WHOLE),
    ("100000000000000", False, numbers.TOO_LARGE),
    ("99999999999999.99999", False, numbers.TOO_LARGE),  # rounds up to the limit
    ("9" * 70, False, numbers.TOO_LARGE),
    ("1" * 10_000, True, numbers.TOO_LARGE),
])
def test_numbers_out_of_the_format(app, raw, whole, reason):
    with pytest.raises(numbers.NumberError) as error:
        numbers.parse_number(raw, whole=whole)
    assert error.value.reason == reason


def test_number_messages_name_the_field(app):
    def message(raw, whole=False):
        with pytest.raises(numbers.NumberError) as error:
            numbers.parse_number(raw, whole=whole)
        return numbers.number_message(error.value, "The value", whole=whole)

    assert message("1e3", whole=True) == "The value must be a whole number, like 12"
    assert message("2.5", whole=True) == "The value must be a whole number, like 12"
    assert message("ten") == "The value must be a number, like 12 or 0.5"
    assert message("-3") == "The value cannot be negative"
    assert message("1" * 20) == "The value must be less than 100,000,000,000,000"


@pytest.mark.parametrize(("text", "expected"), [
    ("1,234", "1234"), ("12,345.5", "12345.5"), ("1,234,567", "1234567"), ("-1,000", "-1000"),
    ("1,23", "1,23"), ("1,2345", "1,2345"), (",123", ",123"), ("1234", "1234"), ("", ""),
])
def test_imports_take_thousands_separators_and_nothing_else(text, expected):
    assert numbers.without_thousands(text) == expected


@pytest.mark.parametrize(("raw", "expected"), [
    ("1", 1), (" 42 ", 42), (str(2**63 - 1), 2**63 - 1), (str(2**63), None), ("1" * 40, None), ("0", None),
    ("-1", None), ("\u0661", None), ("\u00b2", None), ("1e3", None), ("", None), (None, None), ("x" * 10_000, None),
])
def test_ids_from_query_strings_are_bounded(raw, expected):
    assert numbers.parse_id(raw) == expected


def test_an_import_reads_thousands_separators_and_refuses_lax_numbers(world):
    make_results(world)
    data = csv_bytes('1.1.1,Council A,3,"1,234",,,,,', "1.1.1,Council B,3,1e3,,,,,", "1.1.1,Council B,2,2.5,,,,,",
                     '1.1.2,Council A,3,,"1,000","2,000",,,', "1.1.1,Council A,2,\uff11\uff12,,,,,",
                     "1.1.1,Council A,1e0,4,,,,,")
    found = {r.row: r for r in imports.preview(world.programme, imports.parse("f.csv", data), world.facilitator,
                                               TODAY)}
    assert found[2].status == "changed" or found[2].status == "new"
    assert found[2].values.value == "1234"
    assert (found[3].status, found[3].reason) == ("error", "The value must be a whole number, like 12")
    assert (found[4].status, found[4].reason) == ("error", "The value must be a whole number, like 12")
    assert found[5].status == "new" and (found[5].values.numerator, found[5].values.denominator) == ("1000", "2000")
    assert found[6].status == "error"
    assert (found[7].status, found[7].reason) == ("error", "The period number must be a whole number, such as 1")


# --- every form, from its declaration --------------------------------------------------------------


def _forms() -> list[type]:
    for module in pkgutil.walk_packages(tracker.__path__, "tracker."):
        importlib.import_module(module.name)
    found, queue = [], [fields.Form]
    while queue:
        cls = queue.pop()
        queue.extend(cls.__subclasses__())
        found.append(cls)
    return [f for f in found if f is not fields.Form]


FORMS = _forms()
#: Text fields whose hint says something other than their limit, and why.
NO_LIMIT_IN_HINT = {
    ("FilterForm", "q"): "the board's search box: it is cut to 200 characters, never refused",
    ("FigureForm", "value"): "a number: its hint gives the format",
    ("FigureForm", "numerator"): "a number: its hint gives the format",
    ("FigureForm", "denominator"): "a number: its hint gives the format",
}


def test_every_form_is_a_tracker_form():
    names = {f.__name__ for f in FORMS}
    assert {"CardForm", "ActionForm", "ProgrammeForm", "IndicatorForm", "FigureForm", "SignInForm",
            "NewTokenForm", "UploadForm"} <= names
    stray = []
    for module in pkgutil.walk_packages(tracker.__path__, "tracker."):
        for name, value in vars(importlib.import_module(module.name)).items():
            if (inspect.isclass(value) and issubclass(value, wtforms.Form) and value.__module__ == module.name
                    and not issubclass(value, fields.Form)):
                stray.append(f"{module.name}.{name}")
    assert not stray, f"forms not built on tracker.core.fields.Form: {stray}"


@pytest.mark.parametrize("form_class", FORMS, ids=lambda f: f.__name__)
def test_every_field_follows_the_rules(app, form_class):
    wtforms_own = (wtforms.IntegerField, wtforms.DecimalField, wtforms.FloatField, wtforms.DateField,
                   wtforms.DateTimeField, wtforms.IntegerRangeField, wtforms.DecimalRangeField)
    problems = []
    with app.test_request_context():
        form = form_class(formdata=None)
        for name, field in form._fields.items():
            where = f"{form_class.__name__}.{name}"
            validators = field.validators
            if isinstance(field, wtforms_own):
                problems.append(f"{where}: WTForms' {type(field).__name__} (its messages are not GOV.UK's)")
            if any(type(v) in (InputRequired, DataRequired) for v in validators):
                problems.append(f"{where}: InputRequired/DataRequired let spaces through: use Required")
            if any(type(v) is Length and v.max != -1 for v in validators):
                problems.append(f"{where}: Length(max=…) says \"Field cannot be longer than…\": use MaxLength")
            if isinstance(field, wtforms.SelectFieldBase) and not isinstance(
                    field, fields.SelectField | fields.RadioField | fields.SelectMultipleField):
                problems.append(f"{where}: WTForms' own choice field says \"Not a valid choice\"")
            is_text = isinstance(field, wtforms.StringField) and not isinstance(
                field, wtforms.HiddenField | wtforms.PasswordField | wtforms.SubmitField)
            if not is_text:
                continue
            limits = [v.limit for v in validators if isinstance(v, fields.MaxLength)]
            if not limits:
                problems.append(f"{where}: a text field without a length limit")
                continue
            if isinstance(field, wtforms.EmailField) or (form_class.__name__, name) in NO_LIMIT_IN_HINT:
                continue
            if f"{limits[0]:,} characters or fewer" not in str(field.description or ""):
                problems.append(f"{where}: its hint does not say \"{limits[0]:,} characters or fewer\"")
    assert not problems, "\n".join(problems)


def test_a_name_of_only_spaces_is_refused(app, world, login):
    client = login(IsolatedClient(app, app.response_class, use_cookies=True), world.team_b)
    url = f"/programmes/{world.programme.slug}/{world.org_b.slug}/cards/new"
    response = client.post(url, data={"title": " \t ", "kind": "quick_win", "priority": "high"})
    assert response.status_code == 200 and "Enter a name" in response.get_data(as_text=True)
    response = client.post(url, data={"title": "x" * 301, "kind": "quick_win", "priority": "high"})
    assert "Name must be 300 characters or fewer" in response.get_data(as_text=True)


@pytest.mark.parametrize(("raw", "message"), [
    ("1e3", "Evaluation length must be a whole number, like 12"),
    ("12.5", "Evaluation length must be a whole number, like 12"),
    ("\u0661\u0662", "Evaluation length must be a whole number, like 12"),
    ("1_2", "Evaluation length must be a whole number, like 12"),
    ("-12", "Evaluation length must be between 12 and 18 months"),
    ("9223372036854775808", "Evaluation length must be between 12 and 18 months"),
    ("  ", "Enter the evaluation length in months"),
])
def test_whole_numbers_in_forms(app, raw, message):
    with app.test_request_context(method="POST", data={"evaluation_months": raw}):
        form = ProgrammeForm()
        form.validate()
        assert form.evaluation_months.errors[0] == message
        assert form.evaluation_months._value() == raw  # shown again as entered


def test_a_whole_number_written_with_zero_decimals_is_taken(app):
    with app.test_request_context(method="POST", data={"evaluation_months": " 12.0 "}):
        form = ProgrammeForm()
        form.validate()
        assert form.evaluation_months.data == 12 and not form.evaluation_months.errors


# --- GOV.UK dates ------------------------------------------------------------------------------------


def _validated(app, form_class, parts):
    data = MultiDict([(form_class is ActionForm and "due_on" or "on", part) for part in parts])
    if form_class is ActionForm:
        data.add("text", "Call the council")
    with app.test_request_context(method="POST", data=data):
        form = form_class()
        form.validate()
        field = form.due_on if form_class is ActionForm else form.on
        html = str(field())
        return field, html, fields_summary(form)


def fields_summary(form):
    from govuk_frontend_wtf.main import wtforms_errors

    return wtforms_errors(form)["errorList"]


@pytest.mark.parametrize(("parts", "message", "wrong"), [
    (["1"], "Due date must include a month and a year", {"month", "year"}),  # due_on=1
    (["1", "", ""], "Due date must include a month and a year", {"month", "year"}),
    (["1", "2", ""], "Due date must include a year", {"year"}),
    (["", "2", "2027"], "Due date must include a day", {"day"}),
    (["", "", "2027"], "Due date must include a day and a month", {"day", "month"}),
    (["31", "2", "2026"], "Due date must be a real date", {"day", "month", "year"}),
    (["29", "2", "2025"], "Due date must be a real date", {"day", "month", "year"}),
    (["31/02/2026"], "Due date must include a month and a year", {"month", "year"}),
    (["1", "13", "2026"], "Due date must be a real date", {"day", "month", "year"}),
    (["x", "y", "z"], "Due date must be a real date", {"day", "month", "year"}),
    (["\uff11", "2", "2026"], "Due date must be a real date", {"day", "month", "year"}),
    (["1", "2", "26"], "Due date must include a year with 4 numbers, like 2027", {"year"}),
    (["1", "2", "9999"], "Due date must be between 1900 and 2199", {"day", "month", "year"}),
    (["1", "2", "1" * 30], "Due date must include a year with 4 numbers, like 2027", {"year"}),
    (["1", "2", "2026", "4"], "Due date must be a real date", {"day", "month", "year"}),
])
def test_a_date_that_is_not_one_says_why_and_is_shown_again(app, parts, message, wrong):
    field, html, summary = _validated(app, ActionForm, parts)
    assert field.errors == [message]
    assert summary == [{"text": message, "href": "#due_on-day"}]  # the link moves focus to the day
    shown = (parts + ["", "", ""])[:3]
    for part, value in zip(("day", "month", "year"), shown, strict=True):
        tag = re.search(rf'<input[^>]*id="due_on-{part}"[^>]*>', html).group(0)
        assert f'value="{value}"' in tag or (not value and "value=" not in tag.replace('value=""', "")), tag
        assert ("govuk-input--error" in tag) == (part in wrong), (part, tag)
    assert '<legend class="govuk-fieldset__legend">' in html and "Due date" in html


def test_a_date_is_optional_or_required_as_the_form_says(app):
    field, _html, _summary = _validated(app, ActionForm, ["", "", ""])
    assert field.errors == [] and field.data is None
    field, _html, _summary = _validated(app, ActionForm, [" 1 ", "2", "2027"])
    assert field.errors == [] and str(field.data) == "2027-02-01"
    field, _html, summary = _validated(app, ProgressUpdateForm, [])
    assert field.errors == ["Enter the date of the update"] and summary[0]["href"] == "#on-day"
    field, _html, _summary = _validated(app, ProgressUpdateForm, ["3", "", ""])
    assert field.errors == ["Date of the update must include a month and a year"]


@pytest.mark.parametrize("parts", [["1"], ["31", "2", "2026"], ["1", "2"], ["1", "2", "2026", "4"], []])
def test_the_card_page_shows_bad_dates_again_with_an_error_title(app, world, login, parts):
    """The page that crashed: a progress update or an action with a partial date, shown again."""
    client = login(IsolatedClient(app, app.response_class, use_cookies=True), world.team_b)
    card = world.card_b.id
    for url, name, other in ((f"/cards/{card}/updates", "on", ("body", "Met the team")),
                             (f"/cards/{card}/actions", "due_on", ("text", "Call them"))):
        response = client.post(url, data=MultiDict([other, *[(name, p) for p in parts]]))
        if name == "due_on" and not parts:
            assert response.status_code == 302  # no due date is fine for an action
            continue
        assert response.status_code == 422, (url, parts)
        page = response.get_data(as_text=True)
        assert re.search(r"<title>\s*Error: ", page), page[:300]
        assert f'href="#{name}-day"' in page
        assert f'id="{name}-day"' in page
    db.session.rollback()
