"""What every secret token the store hands out shares: how it is kept.

Receipt tokens and staff API tokens are random, so one SHA-256 suffices to keep them
unguessable at rest; only this hash is stored, and a look-up hashes what it is given.
"""

from __future__ import annotations

import hashlib


def hash_token(token: str) -> str:
    """The stored form of `token`: its SHA-256 as 64 lowercase hex digits."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()
