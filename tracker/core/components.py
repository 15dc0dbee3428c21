"""The GOV.UK Frontend components' own words, in the page's language.

The Jinja macros and govuk-frontend-wtf write some words of their own in English ("There is a problem",
"Error", "Show", "Menu" …). Each is given here through the component's i18n parameters, so a Welsh page
has none of them in English.
"""

from flask import Flask
from flask_babel import gettext as _
from govuk_frontend_wtf import main as wtf_main
from govuk_frontend_wtf.gov_form_base import GovFormBase
from govuk_frontend_wtf.wtforms_widgets import GovPasswordInput


def service_navigation(params: dict) -> dict:
    """The service navigation's parameters with its menu button and landmark named."""
    return {"menuButtonText": _("Menu"), "menuButtonLabel": _("Show or hide menu"),
            "navigationLabel": _("Menu"), "ariaLabel": _("Service information"), **params}


def wtforms_errors(form, params=None) -> dict:
    """govuk-frontend-wtf's error summary, titled in the page's language."""
    return wtf_main.wtforms_errors(form, {"titleText": _("There is a problem"), **(params or {})})


_map_gov_params = GovFormBase.map_gov_params


def _with_error_prefix(self, field, **kwargs):
    params = _map_gov_params(self, field, **kwargs)
    if params.get("errorMessage"):
        params["errorMessage"].setdefault("visuallyHiddenText", _("Error"))
    return params


_password_params = GovPasswordInput.map_gov_params


def _password_words(self, field, **kwargs):
    params = _password_params(self, field, **kwargs)
    words = {
        "showPasswordText": _("Show"), "hidePasswordText": _("Hide"),
        "showPasswordAriaLabelText": _("Show password"), "hidePasswordAriaLabelText": _("Hide password"),
        "passwordShownAnnouncementText": _("Your password is visible"),
        "passwordHiddenAnnouncementText": _("Your password is hidden"),
    }
    return {**words, **params}


def init_app(app: Flask) -> None:
    # Every form field's error message ("Error:" before it, for screen readers) and the password input's
    # button go through these two methods of govuk-frontend-wtf's widgets.
    GovFormBase.map_gov_params = _with_error_prefix
    GovPasswordInput.map_gov_params = _password_words
    app.add_template_global(wtforms_errors, "wtforms_errors")
    app.add_template_global(service_navigation, "service_navigation")
