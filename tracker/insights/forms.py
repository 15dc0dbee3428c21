"""Forms for insights: add or change one (theme chosen or typed), link what answers it."""

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from govuk_frontend_wtf.wtforms_widgets import GovRadioInput, GovSelect, GovSubmitInput
from wtforms import SubmitField
from wtforms.widgets import HiddenInput

from tracker.core.fields import (
    LONG_TEXT,
    Form,
    RadioField,
    Required,
    SelectField,
    WholeNumberField,
    limit_hint,
    text,
)
from tracker.insights.models import THEME_LENGTH, TITLE_LENGTH, InsightSource


class InsightForm(Form):
    """An insight. The theme is one of the organisation's (``theme``) or a new one typed (``new_theme``);
    a typed name is used when both are given, and a typed name that is an existing theme's is that theme."""

    theme = SelectField(_l("Theme"), widget=GovSelect(), coerce=str, message=_l("Choose a theme from the list"))
    new_theme = text(_l("Or type a new theme"), limit=THEME_LENGTH, called=_l("The new theme"),
                     hint=_l("For example, “Communication with customers”. If you type one, it is used instead of "
                             "the theme chosen above"))
    title = text(_l("Insight"), limit=TITLE_LENGTH, hint=_l("The finding in a sentence"),
                 required=_l("Enter the insight"), area=True)
    source = RadioField(_l("Where did this insight come from?"), widget=GovRadioInput(),
                        validators=[Required(_l("Choose where the insight came from"))],
                        message=_l("Choose where the insight came from"))
    evidence = text(_l("Evidence"), limit=LONG_TEXT, area=True, called=_l("The evidence"),
                    hint=_l("Figures, quotes and where they came from. You can use Markdown: **bold**, lists "
                            "starting with -, links"))
    #: The version the person saw (editing only): a save from an older one is refused with the current values.
    version = WholeNumberField(widget=HiddenInput(), called=_l("The version"))
    submit = SubmitField(_l("Save insight"), widget=GovSubmitInput())

    def __init__(self, *args, themes=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.theme.choices = [("", _l("Choose a theme"))] + [(str(t.id), t.name) for t in themes]
        self.source.choices = [(s.value, s.label) for s in InsightSource]
        if not themes:
            self.new_theme.label.text = _l("Theme")
            self.new_theme.description = limit_hint(THEME_LENGTH, _l("For example, “Communication with customers”"))

    def validate(self, extra_validators=None) -> bool:
        ok = super().validate(extra_validators)
        if not (self.new_theme.data or "").strip() and not self.theme.data and not self.theme.errors:
            field = self.theme if len(self.theme.choices) > 1 else self.new_theme
            field.errors = [*field.errors, _l("Choose a theme or type a new one") if field is self.theme
                            else _l("Enter a theme")]
            ok = False
        return ok


class AnswerForm(Form):
    """Link a quick win, an idea (concept, prototype) or a design opportunity that answers the insight:
    ``card:<id>`` or ``opportunity:<id>``, from the organisation's own."""

    answer = SelectField(_l("Quick win, idea or design opportunity"), widget=GovSelect(), coerce=str,
                         validators=[Required(_l("Choose a quick win, idea or design opportunity"))],
                         message=_l("Choose a quick win, idea or design opportunity from the list"))
    submit = SubmitField(_l("Link"), widget=GovSubmitInput())

    def __init__(self, *args, cards=(), opportunities=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.answer.choices = [("", _l("Choose one"))] + [
            (f"card:{c.id}", card_label(c)) for c in cards] + [
            (f"opportunity:{o.id}", opportunity_label(o)) for o in opportunities]


class IdeaForm(Form):
    """Answer the insight with a new idea under one of the organisation's design opportunities."""

    opportunity = RadioField(_l("Which design opportunity should the idea go under?"), widget=GovRadioInput(),
                             validators=[Required(_l("Choose a design opportunity"))],
                             message=_l("Choose a design opportunity from the list"))
    submit = SubmitField(_l("Add the idea"), widget=GovSubmitInput())

    def __init__(self, *args, opportunities=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.opportunity.choices = [(str(o.id), opportunity_label(o)) for o in opportunities]


class UnlinkForm(Form):
    """Take away one link (the value names it, as in :class:`AnswerForm`; checked against the links)."""

    answer = SelectField(coerce=str, validators=[Required(_l("Choose a link to remove"))],
                         message=_l("Choose a link to remove"))

    def __init__(self, *args, linked=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.answer.choices = list(linked)


class PlainForm(Form):
    """A button (CSRF only)."""


def card_label(card) -> str:
    return _("%(kind)s %(code)s: %(title)s", kind=card.kind.label, code=card.code, title=card.title)


def opportunity_label(opportunity) -> str:
    return _("Design opportunity %(n)s: %(title)s", n=opportunity.number, title=opportunity.title)
