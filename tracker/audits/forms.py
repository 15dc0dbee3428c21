"""Forms of the case file audit. The scoring form has one input per element of the audit, so it is read by
:func:`read_scores` (a plain function over the posted fields) rather than declared; the rest are WTForms."""

from dataclasses import dataclass, field

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from govuk_frontend_wtf.wtforms_widgets import GovRadioInput, GovSelect, GovSubmitInput
from wtforms import SubmitField

from tracker.audits.models import (
    LABEL_LENGTH,
    MAX_SCORE_LIMIT,
    NAME_LENGTH,
    REFERENCE_LENGTH,
    TITLE_LENGTH,
    Answer,
    AttributeKind,
    AuditAttribute,
    AuditElement,
    AuditItem,
    FindingKind,
)
from tracker.core.fields import LONG_TEXT, DateField, Form, RadioField, Required, SelectField, WholeNumberField, text
from tracker.core.formats import uk_number


class TemplateForm(Form):
    name = text(_l("Template name"), limit=NAME_LENGTH, required=_l("Enter a template name"))
    submit = SubmitField(_l("Add template"), widget=GovSubmitInput())


class StageForm(Form):
    title = text(_l("Stage title"), limit=TITLE_LENGTH, required=_l("Enter a stage title"),
                 hint=_l("For example, Facts and requirements established"))
    submit = SubmitField(_l("Add stage"), widget=GovSubmitInput())


class ElementForm(Form):
    title = text(_l("Element"), limit=TITLE_LENGTH, required=_l("Enter the element"),
                 hint=_l("For example, Client and household details"))
    max_score = WholeNumberField(_l("Maximum score"), called=_l("Maximum score"), minimum=1,
                                 maximum=MAX_SCORE_LIMIT, required=_l("Enter the maximum score"),
                                 description=_l("A whole number from 1 to 100"))
    submit = SubmitField(_l("Add element"), widget=GovSubmitInput())


class ItemForm(Form):
    # A text area, as items run to a sentence or two; kept as one line (``core.text.one_line``).
    text = text(_l("Checklist item"), limit=TITLE_LENGTH, required=_l("Enter the checklist item"), area=True,
                hint=_l("Something the file should show, answered yes, no or not applicable"))
    submit = SubmitField(_l("Add checklist item"), widget=GovSubmitInput())


_ATTRIBUTE_HINTS = {
    AttributeKind.CASE_TYPE: _l("One a line, for example Section 66"),
    AttributeKind.HOUSEHOLD: _l("One a line, for example Family"),
    AttributeKind.OUTCOME: _l("One a line; add a group after a bar, for example Withdrawn | Falling out"),
    AttributeKind.YEAR: _l("One a line, for example 20/21"),
}


class AuditDetailsForm(Form):
    title = text(_l("Audit title"), limit=NAME_LENGTH, required=_l("Enter an audit title"),
                 hint=_l("For example, Baseline audit 2021"))
    started_on = DateField(_l("Start date"), called=_l("Start date"), required=_l("Enter the start date"),
                           description=_l("For example, 18 8 2021"))
    ended_on = DateField(_l("End date (optional)"), called=_l("End date"), description=_l("For example, 19 8 2021"))
    auditors = text(_l("Auditors (optional)"), limit=LONG_TEXT, area=True, called=_l("Auditors"),
                    hint=_l("Who audited the files: names or posts"))
    case_types = text(_l("Case types"), limit=LONG_TEXT, area=True, called=_l("Case types"),
                      hint=_ATTRIBUTE_HINTS[AttributeKind.CASE_TYPE])
    households = text(_l("Household types"), limit=LONG_TEXT, area=True, called=_l("Household types"),
                      hint=_ATTRIBUTE_HINTS[AttributeKind.HOUSEHOLD])
    outcomes = text(_l("Logged outcomes"), limit=LONG_TEXT, area=True, called=_l("Logged outcomes"),
                    hint=_ATTRIBUTE_HINTS[AttributeKind.OUTCOME])
    years = text(_l("Years assessed"), limit=LONG_TEXT, area=True, called=_l("Years assessed"),
                 hint=_ATTRIBUTE_HINTS[AttributeKind.YEAR])
    submit = SubmitField(_l("Save audit"), widget=GovSubmitInput())

    #: The attribute lists' fields, by kind.
    LISTS = {AttributeKind.CASE_TYPE: "case_types", AttributeKind.HOUSEHOLD: "households",
             AttributeKind.OUTCOME: "outcomes", AttributeKind.YEAR: "years"}


class NewAuditForm(AuditDetailsForm):
    template = SelectField(_l("Template"), widget=GovSelect(), coerce=str, message=_l("Choose a template"),
                           description=_l("Its stages and elements are copied into the audit: changing the "
                                          "template later does not change this audit"))
    submit = SubmitField(_l("Start audit"), widget=GovSubmitInput())

    def __init__(self, *args, templates=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.template.choices = [("", _("Choose a template"))] + [(str(t.id), t.name) for t in templates]

    def validate_template(self, field):
        if not field.data:
            from wtforms.validators import ValidationError

            raise ValidationError(_("Choose a template"))


def _attribute_choices(values: list[AuditAttribute]) -> list[tuple[str, str]]:
    return [("", _("Not recorded"))] + [(str(a.id), a.label) for a in values]


class CaseForm(Form):
    reference = text(_l("Case reference (optional)"), limit=REFERENCE_LENGTH, called=_l("Case reference"),
                     hint=_l("The reference in the case management system: no names"))
    case_type = SelectField(_l("Case type"), widget=GovSelect(), coerce=str)
    household = SelectField(_l("Household type"), widget=GovSelect(), coerce=str)
    outcome = SelectField(_l("Logged outcome"), widget=GovSelect(), coerce=str)
    year = SelectField(_l("Year assessed"), widget=GovSelect(), coerce=str)
    submit = SubmitField(_l("Add case"), widget=GovSubmitInput())

    FIELDS = {AttributeKind.CASE_TYPE: "case_type", AttributeKind.HOUSEHOLD: "household",
              AttributeKind.OUTCOME: "outcome", AttributeKind.YEAR: "year"}

    def __init__(self, *args, attributes: dict[AttributeKind, list[AuditAttribute]] | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.attributes = attributes = attributes or {kind: [] for kind in self.FIELDS}
        for kind, name in self.FIELDS.items():
            getattr(self, name).choices = _attribute_choices(attributes[kind])

    def chosen(self) -> dict[AttributeKind, AuditAttribute | None]:
        return {kind: next((a for a in self.attributes[kind] if str(a.id) == getattr(self, name).data), None)
                for kind, name in self.FIELDS.items()}


class FindingForm(Form):
    kind = RadioField(_l("Kind of finding"), widget=GovRadioInput(),
                      message=_l("Choose positive or area for improvement"),
                      validators=[Required(_l("Choose positive or area for improvement"))])
    text = text(_l("Finding"), limit=TITLE_LENGTH, required=_l("Enter the finding"),
                hint=_l("For example, Lack of evidence of timescale discussions on 69% of files"))
    submit = SubmitField(_l("Add finding"), widget=GovSubmitInput())

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.kind.choices = [(k.value, k.label) for k in FindingKind]


class FindingCardForm(Form):
    """Where an area for improvement goes on the board: the quick-wins lane or under a design opportunity."""

    lane = SelectField(_l("Add to the board as"), widget=GovSelect(), coerce=str, message=_l("Choose where it goes"))
    submit = SubmitField(_l("Add to the board"), widget=GovSubmitInput())

    def __init__(self, *args, opportunities=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.lane.choices = [("quick_win", _("A quick win"))] + [
            (str(o.id), _("An idea under %(number)s. %(title)s", number=o.number, title=o.title))
            for o in opportunities]


# --- scoring a case ------------------------------------------------------------------------------

#: What people may type for "not applicable" in a score's input, as well as ticking the box.
NA_WORDS = {"na", "n/a", "n.a.", "-"}


@dataclass
class ScoreEntry:
    """A case's scoring form as posted (or as typed so far, for the live totals)."""

    raw: dict[int, str] = field(default_factory=dict)
    na: set[int] = field(default_factory=set)
    scores: dict[int, int | None] = field(default_factory=dict)
    answers: dict[int, Answer | None] = field(default_factory=dict)
    attributes: dict[AttributeKind, AuditAttribute | None] = field(default_factory=dict)
    notes: str = ""
    #: (field id, message) in page order, for the error summary and beside each input.
    errors: list[tuple[str, str]] = field(default_factory=list)

    def error_for(self, field_id: str) -> str | None:
        return next((message for fid, message in self.errors if fid == field_id), None)


def _first(formdata, name: str) -> str:
    value = formdata.get(name, "")
    return value if isinstance(value, str) else ""


def read_scores(formdata, elements: list[AuditElement], items: list[AuditItem],
                attributes: dict[AttributeKind, list[AuditAttribute]], *, partial: bool = False) -> ScoreEntry:
    """Read ``score-<element id>`` (a whole number, blank, or "n/a"), ``na-<element id>`` (the not-applicable
    box), ``item-<item id>`` (yes / no / na), the attribute selects and ``notes``.

    With ``partial`` (the live totals while typing) an element left blank or mistyped is simply not counted.
    """
    entry = ScoreEntry()
    for element in elements:
        raw = _first(formdata, f"score-{element.id}").strip()[:20]
        entry.raw[element.id] = raw
        is_na = bool(_first(formdata, f"na-{element.id}")) or raw.casefold() in NA_WORDS
        field_id = f"score-{element.id}"
        if is_na:
            entry.na.add(element.id)
            if raw and raw.casefold() not in NA_WORDS:
                entry.errors.append((field_id, _("%(element)s: enter a score or choose not applicable, not both",
                                                 element=element.title)))
            else:
                entry.scores[element.id] = None
            continue
        if not raw:
            entry.errors.append((field_id, _("Enter a score for %(element)s, or choose not applicable",
                                             element=element.title)))
        elif not raw.isascii() or not raw.isdigit() or not 0 <= int(raw) <= element.max_score:
            entry.errors.append((field_id, _("Score for %(element)s must be a whole number from 0 to %(max)s",
                                             element=element.title, max=element.max_score)))
        else:
            entry.scores[element.id] = int(raw)
    for item in items:
        value = _first(formdata, f"item-{item.id}")
        if value in {a.value for a in Answer}:
            entry.answers[item.id] = Answer(value)
        elif value:
            entry.errors.append((f"item-{item.id}", _("Choose yes, no or not applicable")))
        else:
            entry.answers[item.id] = None
    for kind, name in CaseForm.FIELDS.items():
        value = _first(formdata, name)
        chosen = next((a for a in attributes[kind] if str(a.id) == value), None)
        if value and chosen is None:
            entry.errors.append((name, _("Choose one of the options")))
        entry.attributes[kind] = chosen
    entry.notes = _first(formdata, "notes")
    if len(entry.notes) > LONG_TEXT:
        entry.errors.append(("notes", _("Notes must be %(n)s characters or fewer", n=uk_number(LONG_TEXT))))
    if partial:
        entry.errors = []
    return entry


#: Attribute value lengths, stated where the lists are entered.
ATTRIBUTE_LENGTH = LABEL_LENGTH


# --- changing a template's parts -----------------------------------------------------------------


class EditStageForm(StageForm):
    submit = SubmitField(_l("Save changes"), widget=GovSubmitInput())


class EditElementForm(ElementForm):
    submit = SubmitField(_l("Save changes"), widget=GovSubmitInput())


class EditItemForm(ItemForm):
    submit = SubmitField(_l("Save changes"), widget=GovSubmitInput())
