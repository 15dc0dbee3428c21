"""Where a card or a design opportunity came from: the evidence it answers (an insight, an audit finding, a
self-assessment's key question). Each discovery package registers a function that lists, for one card or
one design opportunity, the things it came from; their pages show them under "Where this came from", each
a link back.
"""

from collections.abc import Callable
from dataclasses import dataclass

from flask import Flask


@dataclass(frozen=True)
class Source:
    #: What kind of evidence ("Insight", "Case file audit", "Self-assessment"), in the page's language.
    kind: str
    #: The evidence in a few words (an insight's title, a finding's text).
    text: str
    url: str


_providers: list[Callable[[object], list[Source]]] = []
_opportunity_providers: list[Callable[[object], list[Source]]] = []


def register(provider: Callable[[object], list[Source]]) -> None:
    """Add ``provider(card) -> [Source, …]`` (called once per card page: one or two statements at most)."""
    if provider not in _providers:
        _providers.append(provider)


def register_for_opportunity(provider: Callable[[object], list[Source]]) -> None:
    """Add ``provider(opportunity) -> [Source, …]`` (called once per design opportunity's page)."""
    if provider not in _opportunity_providers:
        _opportunity_providers.append(provider)


def sources_of(card) -> list[Source]:
    return [source for provider in _providers for source in provider(card)]


def opportunity_sources_of(opportunity) -> list[Source]:
    return [source for provider in _opportunity_providers for source in provider(opportunity)]


def init_app(app: Flask) -> None:
    app.add_template_global(sources_of, "card_sources")
    app.add_template_global(opportunity_sources_of, "opportunity_sources")
