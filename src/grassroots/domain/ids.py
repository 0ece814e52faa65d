"""Deterministic ids that give nothing away: keyed by the server's secret.

An account's id and a phone claim's id are derived from the phone number, so
the event store's unique key refuses a second one for the same number. Named
by ``derived_id`` (uuid5 under a namespace anyone can read), such an id gave
back its phone number to anyone who saw it, by trying every mobile number.
Here the name is tagged with HMAC-SHA256 under a key derived from the server's
secret instead: the same phone still gives the same id (so uniqueness holds,
across processes too), but without the secret the id says nothing.

Records made before keyed ids keep their uuid5 ids (events are never
rewritten): ``Account.ids_for`` and ``PhoneClaim.ids_for`` name the keyed id
first and the earlier one second, and whoever looks a phone up tries both.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from uuid import UUID

__all__ = ["MIN_SECRET_BYTES", "keyed_id"]

MIN_SECRET_BYTES = 32

# The key is derived from the server secret for this one use, so the secret
# itself (which also signs venue codes) never tags anything else.
_KEY_LABEL = b"grassroots keyed ids"


def keyed_id(secret: bytes, kind: str, *parts: str) -> UUID:
    """The id named by ``kind`` and ``parts`` under ``secret``: equal inputs (and an
    equal secret) give the same id; without the secret it cannot be recomputed."""
    if len(secret) < MIN_SECRET_BYTES:
        raise ValueError(f"a keyed id needs a secret of at least {MIN_SECRET_BYTES} bytes")
    key = hmac.new(secret, _KEY_LABEL, hashlib.sha256).digest()
    # JSON keeps the parts apart: ("a/b",) and ("a", "b") must not name the same id.
    name = json.dumps([kind, *parts], ensure_ascii=False).encode()
    tag = bytearray(hmac.new(key, name, hashlib.sha256).digest()[:16])
    # Marked as an RFC 9562 version 8 ("custom") UUID, so it is never mistaken for
    # (nor equal to) a uuid5 of the same name.
    tag[6] = (tag[6] & 0x0F) | 0x80
    tag[8] = (tag[8] & 0x3F) | 0x80
    return UUID(bytes=bytes(tag))
