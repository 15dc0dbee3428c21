"""Small text helpers."""

import re
import unicodedata


def one_line(text: str | None) -> str:
    """Text typed as one line (a title, a checklist item): line breaks and runs of spaces become one space."""
    return " ".join((text or "").split())


def slugify(text: str, max_length: int = 60) -> str:
    """``"Rhondda Cynon Taf"`` → ``"rhondda-cynon-taf"``."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")
    return slug[:max_length].strip("-") or "item"
