"""Forms for setting up a programme."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import (
    GovDateInput,
    GovRadioInput,
    GovSelect,
    GovSubmitInput,
    GovTextArea,
    GovTextInput,
)
from wtforms import (
    DateField,
    EmailField,
    IntegerField,
    RadioField,
    SelectField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import Email, InputRequired, Length, NumberRange, ValidationError

from tracker.programmes.models import Role

ROLE_CHOICES = [
    (Role.FACILITATOR.value, _l("Facilitator: sees and changes every organisation's plans")),
    (Role.TEAM_MEMBER.value, _l("Team member: changes their own organisation's plans")),
    (Role.VIEWER.value, _l("Viewer: reads progress, never edits")),
]


class ProgrammeForm(FlaskForm):
    name = StringField(_l("Programme name"), widget=GovTextInput(),
                       validators=[InputRequired(message=_l("Enter the programme name")), Length(max=200)])
    aim = TextAreaField(_l("Aim"), widget=GovTextArea(), description=_l("Usually a “How might we…?” question"),
                        validators=[InputRequired(message=_l("Enter the aim of the programme"))])
    expected_outcomes = TextAreaField(_l("Expected outcomes"), widget=GovTextArea(),
                                      description=_l("One per line, starting with a dash. Markdown is allowed."))
    start_date = DateField(_l("Start date"), widget=GovDateInput(), format="%d %m %Y",
                           description=_l("For example, 1 2 2022"),
                           validators=[InputRequired(message=_l("Enter the start date"))])
    evaluation_months = IntegerField(_l("Evaluation length in months"), widget=GovTextInput(), default=12,
                                     description=_l("Between 12 and 18 months"), validators=[
        InputRequired(message=_l("Enter the evaluation length in months")),
        NumberRange(min=12, max=18, message=_l("Evaluation length must be between 12 and 18 months"))])
    checkin_interval_months = IntegerField(_l("Check-in interval in months"), widget=GovTextInput(), default=3,
                                           validators=[
        InputRequired(message=_l("Enter the check-in interval")),
        NumberRange(min=1, max=12, message=_l("Check-in interval must be between 1 and 12 months"))])
    survey_interval_months = IntegerField(_l("Staff survey interval in months"), widget=GovTextInput(),
                                          default=3, validators=[
        InputRequired(message=_l("Enter the staff survey interval")),
        NumberRange(min=1, max=12, message=_l("Survey interval must be between 1 and 12 months"))])
    reporting_interval_months = IntegerField(_l("Reporting period in months"), widget=GovTextInput(), default=3,
                                             description=_l("Indicator figures are reported for each period"),
                                             validators=[
        InputRequired(message=_l("Enter the reporting period")),
        NumberRange(min=1, max=12, message=_l("Reporting period must be between 1 and 12 months"))])
    figures_due_days = IntegerField(_l("Figures are due this many days after a period ends"), widget=GovTextInput(),
                                    default=14, validators=[
        InputRequired(message=_l("Enter the number of days")),
        NumberRange(min=0, max=180, message=_l("Enter a number of days from 0 to 180"))])
    figures_lock_days = IntegerField(_l("Figures are locked this many days after a period ends"),
                                     widget=GovTextInput(), default=90,
                                     description=_l("After that only facilitators can change them"), validators=[
        InputRequired(message=_l("Enter the number of days")),
        NumberRange(min=0, max=730, message=_l("Enter a number of days from 0 to 730"))])
    rag_band_percent = IntegerField(_l("On track means within this percentage of the target"), widget=GovTextInput(),
                                    default=15, validators=[
        InputRequired(message=_l("Enter a percentage")),
        NumberRange(min=0, max=100, message=_l("Enter a percentage from 0 to 100"))])
    submit = SubmitField(_l("Save programme"), widget=GovSubmitInput())

    def validate_figures_lock_days(self, field):
        due = self.figures_due_days.data
        if due is not None and field.data is not None and field.data < due:
            raise ValidationError(_l("Figures cannot be locked before they are due"))


class OrganisationForm(FlaskForm):
    name = StringField(_l("Organisation name"), widget=GovTextInput(), validators=[
        InputRequired(message=_l("Enter the organisation's name")), Length(max=200)])
    submit = SubmitField(_l("Add organisation"), widget=GovSubmitInput())


class MemberForm(FlaskForm):
    email = EmailField(_l("Email address"), widget=GovTextInput(), validators=[
        InputRequired(message=_l("Enter the person's email address")),
        Email(message=_l("Enter an email address in the correct format, like name@example.org"))])
    role = RadioField(_l("Role"), widget=GovRadioInput(), choices=lambda: ROLE_CHOICES,
                      validators=[InputRequired(message=_l("Choose a role"))])
    organisation = SelectField(_l("Organisation"), widget=GovSelect(), coerce=str,
                               description=_l("Required for team members; optional for viewers"))
    submit = SubmitField(_l("Add person"), widget=GovSubmitInput())

    def __init__(self, *args, organisations=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.organisation.choices = [("", _l("None (all organisations)"))] + [
            (str(org.id), org.name) for org in organisations]


class InitiativeForm(FlaskForm):
    name = StringField(_l("Initiative or project aim"), widget=GovTextInput(),
                       description=_l("For example, RRTPs or Ombudsman's report"),
                       validators=[InputRequired(message=_l("Enter a name")), Length(max=120)])
    submit = SubmitField(_l("Add"), widget=GovSubmitInput())
