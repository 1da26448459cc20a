"""Join codes, presenter tokens and member ids: drawn with ``secrets``; tokens kept only as hashes.

>>> normalise_code(" k7qm-2x ")
'K7QM2X'
>>> is_code("K7QM2X"), is_code("K7QM2O")
(True, False)
>>> tokens_match(hash_token("abc"), "abc"), tokens_match(hash_token("abc"), "abd")
(True, False)
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets

ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"  # no 0/O, 1/I/L: read off a projector
CODE_LENGTH = 6
TOKEN_BYTES = 16  # 128 bits
MAX_TOKEN_CHARS = 200  # longer text is no token of ours; it is not even hashed
_DROP = re.compile(r"[\s\-]+")


def normalise_code(text: object) -> str:
    """A typed code as stored: stripped, upper-case, without spaces or dashes ("" for non-text)."""
    if not isinstance(text, str):
        return ""
    return _DROP.sub("", text[:100]).upper()


def is_code(code: str) -> bool:
    """True for 6 characters of :data:`ALPHABET` (a code that could exist)."""
    return len(code) == CODE_LENGTH and all(c in ALPHABET for c in code)


def new_code() -> str:
    """A random join code."""
    return "".join(secrets.choice(ALPHABET) for _ in range(CODE_LENGTH))


def new_token() -> str:
    """A presenter token: 128 random bits, URL-safe text."""
    return secrets.token_urlsafe(TOKEN_BYTES)


def new_member_id() -> str:
    """A member id: 32 hex characters."""
    return secrets.token_hex(16)


def hash_token(token: str) -> str:
    """The SHA-256 of a token, as 64 hex characters (what the database keeps)."""
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).hexdigest()


def tokens_match(stored_hash: str, token: object) -> bool:
    """Whether ``token`` hashes to ``stored_hash``, compared in constant time."""
    if not isinstance(token, str) or not token or len(token) > MAX_TOKEN_CHARS:
        token = ""  # still compare, so a refusal takes as long as an acceptance
    candidate = hash_token(token)
    return bool(token) and hmac.compare_digest(candidate, str(stored_hash))
