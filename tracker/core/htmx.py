"""One place decides whether a request gets the whole page or one fragment of it."""

from flask import render_template
from jinja2_fragments.flask import render_block

from tracker.extensions import htmx


def wants_fragment() -> bool:
    """A targeted htmx request: not a boosted navigation, not a history restore."""
    return bool(htmx) and not htmx.boosted and not htmx.history_restore_request


def render(template: str, block: str | None = None, **context) -> str:
    """Render ``template``, or only ``block`` of it for a targeted htmx request.

    Page and fragment come from the same template, so they never drift apart. ``Vary: HX-Request``
    is added to every response in ``tracker.core.security``.
    """
    if block and wants_fragment():
        return render_block(template, block, **context)
    return render_template(template, **context)
