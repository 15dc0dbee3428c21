"""Secrets that travel in URLs and cookies: session ids, API tokens, one-use survey links, calendar feeds.

One helper for all of them, so each is made, stored and checked the same way: 256 random bits, URL-safe;
only their SHA-256 is stored (a random token that long needs no salt or slow hash: there is nothing to
guess); a comparison of secrets takes the same time whatever they share.
"""

import hashlib
import hmac
import secrets as _random


def new_token(prefix: str = "") -> str:
    """A fresh secret: ``prefix`` and 43 URL-safe random characters (256 bits)."""
    return prefix + _random.token_urlsafe(32)


def token_hash(token: str) -> str:
    """What is stored in place of the secret: its SHA-256, in hex (64 characters)."""
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).hexdigest()


def same(a: str, b: str) -> bool:
    """Whether two secrets (or their hashes) are equal, in constant time."""
    return hmac.compare_digest(a.encode("utf-8", "surrogatepass"), b.encode("utf-8", "surrogatepass"))
