"""Forms for setting up a programme."""

from flask_babel import lazy_gettext as _l
from govuk_frontend_wtf.wtforms_widgets import GovRadioInput, GovSelect, GovSubmitInput, GovTextInput
from wtforms import EmailField, SubmitField
from wtforms.validators import Email, ValidationError

from tracker.core.fields import (
    LONG_TEXT,
    DateField,
    Form,
    MaxLength,
    RadioField,
    Required,
    SelectField,
    WholeNumberField,
    text,
)
from tracker.programmes.models import Role

ROLE_CHOICES = [
    (Role.FACILITATOR.value, _l("Facilitator: sees and changes every organisation's plans")),
    (Role.TEAM_MEMBER.value, _l("Team member: changes their own organisation's plans")),
    (Role.VIEWER.value, _l("Viewer: reads progress, never edits")),
]


class ProgrammeForm(Form):
    name = text(_l("Programme name"), limit=200, required=_l("Enter the programme name"))
    aim = text(_l("Aim"), limit=LONG_TEXT, area=True, hint=_l("Usually a “How might we…?” question"),
               required=_l("Enter the aim of the programme"))
    expected_outcomes = text(_l("Expected outcomes"), limit=LONG_TEXT, area=True,
                             hint=_l("One per line, starting with a dash. You can use Markdown: **bold**, lists "
                                     "starting with -, links"))
    start_date = DateField(_l("Start date"), description=_l("For example, 1 2 2022"), called=_l("Start date"),
                           required=_l("Enter the start date"))
    evaluation_months = WholeNumberField(
        _l("Evaluation length in months"), default=12, description=_l("Between 12 and 18 months"),
        called=_l("Evaluation length"), minimum=12, maximum=18, required=_l("Enter the evaluation length in months"),
        range_message=_l("Evaluation length must be between 12 and 18 months"))
    checkin_interval_months = WholeNumberField(
        _l("Check-in interval in months"), default=3, called=_l("Check-in interval"), minimum=1, maximum=12,
        required=_l("Enter the check-in interval"),
        range_message=_l("Check-in interval must be between 1 and 12 months"))
    survey_interval_months = WholeNumberField(
        _l("Staff survey interval in months"), default=3, called=_l("Survey interval"), minimum=1, maximum=12,
        required=_l("Enter the staff survey interval"),
        range_message=_l("Survey interval must be between 1 and 12 months"))
    reporting_interval_months = WholeNumberField(
        _l("Reporting period in months"), default=3, description=_l("Indicator figures are reported for each period"),
        called=_l("Reporting period"), minimum=1, maximum=12, required=_l("Enter the reporting period"),
        range_message=_l("Reporting period must be between 1 and 12 months"))
    figures_due_days = WholeNumberField(
        _l("Figures are due this many days after a period ends"), default=14, called=_l("The number of days"),
        minimum=0, maximum=180, required=_l("Enter the number of days"),
        range_message=_l("Enter a number of days from 0 to 180"))
    figures_lock_days = WholeNumberField(
        _l("Figures are locked this many days after a period ends"), default=90,
        description=_l("After that only facilitators can change them"), called=_l("The number of days"),
        minimum=0, maximum=730, required=_l("Enter the number of days"),
        range_message=_l("Enter a number of days from 0 to 730"))
    rag_band_percent = WholeNumberField(
        _l("On track means within this percentage of the target"), default=15, called=_l("The percentage"),
        minimum=0, maximum=100, required=_l("Enter a percentage"),
        range_message=_l("Enter a percentage from 0 to 100"))
    survey_min_group = WholeNumberField(
        _l("Smallest group whose staff survey results are shown"), default=5,
        description=_l("Results of fewer responses than this are hidden, to protect anonymity (3 at the least)"),
        called=_l("The smallest group"), minimum=3, maximum=100, required=_l("Enter the smallest group"),
        range_message=_l("The smallest group must be between 3 and 100 responses"))
    stalled_weeks = WholeNumberField(
        _l("A card is stalled after this many weeks without change"), default=6,
        description=_l("Cards in Concept development or Prototyping with no move, progress update or action "
                       "for longer than this are listed on the check-in agenda"),
        called=_l("The number of weeks"), minimum=1, maximum=52,
        required=_l("Enter the number of weeks after which a card is stalled"),
        range_message=_l("Enter a number of weeks from 1 to 52"))
    survey_reminder_days = WholeNumberField(
        _l("Send survey reminders this many days before a wave closes"), default=3,
        description=_l("Only to those who have not answered yet"), called=_l("The number of days"),
        minimum=1, maximum=30, required=_l("Enter the number of days before a wave closes"),
        range_message=_l("Enter a number of days from 1 to 30"))
    checkin_notice_days = WholeNumberField(
        _l("Plan each interval's check-ins this many days ahead"), default=28,
        description=_l("Each organisation's team and its facilitator are emailed then"),
        called=_l("The number of days"), minimum=1, maximum=90,
        required=_l("Enter the number of days ahead"), range_message=_l("Enter a number of days from 1 to 90"))
    checkin_reminder_days = WholeNumberField(
        _l("Remind people of a check-in this many days before it"), default=2, called=_l("The number of days"),
        minimum=1, maximum=30, required=_l("Enter the number of days before a check-in"),
        range_message=_l("Enter a number of days from 1 to 30"))
    submit = SubmitField(_l("Save programme"), widget=GovSubmitInput())

    def validate_figures_lock_days(self, field):
        due = self.figures_due_days.data
        if due is not None and field.data is not None and field.data < due:
            raise ValidationError(_l("Figures cannot be locked before they are due"))


class OrganisationForm(Form):
    name = text(_l("Organisation name"), limit=200, required=_l("Enter the organisation's name"))
    language = RadioField(_l("Language of its staff surveys"), widget=GovRadioInput(), default="both",
                          choices=lambda: [
                              ("both", _l("Welsh and English: invitations in both, Welsh first; the survey opens in "
                                          "the browser's language")),
                              ("cy", _l("Welsh: invitations in Welsh; the survey opens in Welsh")),
                              ("en", _l("English: invitations in English; the survey opens in English"))],
                          message=_l("Choose the language of its staff surveys"),
                          description=_l("Respondents can always switch between Cymraeg and English."))
    submit = SubmitField(_l("Add organisation"), widget=GovSubmitInput())


class MemberForm(Form):
    email = EmailField(_l("Email address"), widget=GovTextInput(), validators=[
        Required(_l("Enter the person's email address")), MaxLength(254, _l("Email address")),
        Email(message=_l("Enter an email address in the correct format, like name@example.org"))])
    role = RadioField(_l("Role"), widget=GovRadioInput(), choices=lambda: ROLE_CHOICES,
                      validators=[Required(_l("Choose a role"))], message=_l("Choose a role"))
    organisation = SelectField(_l("Organisation"), widget=GovSelect(), coerce=str,
                               description=_l("Required for team members; optional for viewers"),
                               message=_l("Choose an organisation from the list"))
    submit = SubmitField(_l("Add person"), widget=GovSubmitInput())

    def __init__(self, *args, organisations=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.organisation.choices = [("", _l("None (all organisations)"))] + [
            (str(org.id), org.name) for org in organisations]


class InitiativeForm(Form):
    name = text(_l("Initiative or project aim"), limit=120, called=_l("The name"),
                hint=_l("For example, RRTPs or Ombudsman's report"), required=_l("Enter a name"))
    submit = SubmitField(_l("Add"), widget=GovSubmitInput())
