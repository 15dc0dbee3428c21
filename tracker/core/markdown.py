"""Markdown for user-written text: rendered, then sanitised with an allow-list."""

import markdown as md
import nh3
from markupsafe import Markup

ALLOWED_TAGS = {
    "p", "br", "hr", "strong", "em", "b", "i", "code", "pre", "blockquote",
    "ul", "ol", "li", "h2", "h3", "h4", "a", "table", "thead", "tbody", "tr", "th", "td", "del",
}
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "th": {"align"}, "td": {"align"}}
# Tags whose content is dropped, not kept as text.
CLEAN_CONTENT_TAGS = {"script", "style", "iframe", "object", "embed", "template", "noscript", "svg", "math"}


def render_markdown(text: str | None) -> Markup:
    """Markdown → HTML that is safe to show, inside an element where htmx is disabled.

    Only the allow-listed tags and attributes survive (no ``hx-*``, ``on*`` or ``style``); links may
    only use http, https and mailto and get ``rel="noopener noreferrer nofollow"``.
    """
    if not text:
        return Markup("")
    html = md.markdown(text, extensions=["sane_lists", "tables"], output_format="html")
    clean = nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        clean_content_tags=CLEAN_CONTENT_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes={"http", "https", "mailto"},
        link_rel="noopener noreferrer nofollow",
        set_tag_attribute_values={"a": {"class": "govuk-link"}},  # GOV.UK's link colours and focus
    )
    # ``clean`` is nh3's allow-listed output, so marking it safe is the point of this function.
    return Markup('<div class="app-markdown" hx-disable>') + Markup(clean) + Markup("</div>")  # noqa: S704
