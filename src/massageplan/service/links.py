"""Links from a CDS card to the printable plan and the letter to the doctor.

A link must open in a browser, which carries no token, and the service keeps
nothing of a call. So the client's answers travel in the link itself, sealed
with AES-GCM under a key only this server holds: whoever has the link can
open that one page until it expires, and a log of URLs holds nothing
readable. Nothing is stored. The key is made when the server starts (links
end with it) unless one is given, as servers behind a load balancer need.
"""

from __future__ import annotations

import base64
import binascii
import json
import os
import time

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from pydantic import ValidationError

from ..model.errors import MassagePlanError
from ..model.profile import ClientProfile

LINK_HOURS = 24  # long enough to print on the day of booking, no longer
KINDS = ("plan", "letter")
_NONCE = 12  # bytes: AES-GCM's standard nonce


class LinkError(MassagePlanError):
    """A link that is not this server's, was changed, or has expired."""


class LinkSealer:
    """Makes and opens the sealed part of a card's link."""

    def __init__(self, key: bytes | None = None, *, hours: float = LINK_HOURS) -> None:
        if key is not None and len(key) != 32:
            raise MassagePlanError("a link key is 32 bytes (AES-256)")
        self._aead = AESGCM(key if key is not None else AESGCM.generate_key(bit_length=256))
        self.seconds = hours * 3600

    def seal(self, kind: str, profile: ClientProfile, now: float | None = None) -> str:
        """The token for ``kind``'s page of ``profile``, valid for LINK_HOURS."""
        expires = int((time.time() if now is None else now) + self.seconds)
        payload = json.dumps(
            {"e": expires, "p": profile.model_dump(mode="json", exclude_defaults=True)},
            separators=(",", ":"),
        ).encode()
        nonce = os.urandom(_NONCE)
        sealed = nonce + self._aead.encrypt(nonce, payload, kind.encode())
        return base64.urlsafe_b64encode(sealed).rstrip(b"=").decode()

    def open(self, kind: str, token: str, now: float | None = None) -> ClientProfile:
        """The profile a token seals for ``kind``, or LinkError saying why not."""
        try:
            raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
        except (binascii.Error, ValueError):
            raise LinkError("this link is not one of this service's") from None
        if kind not in KINDS or len(raw) <= _NONCE:
            raise LinkError("this link is not one of this service's")
        try:
            payload = json.loads(self._aead.decrypt(raw[:_NONCE], raw[_NONCE:], kind.encode()))
        except InvalidTag:  # another server's key, a changed link, or another page's
            raise LinkError(
                "this link is not one of this service's, or the service restarted since "
                "it was made: book again for a new one"
            ) from None
        if (time.time() if now is None else now) > payload["e"]:
            raise LinkError(f"this link has expired (links last {LINK_HOURS} hours)")
        try:
            return ClientProfile.model_validate(payload["p"])
        except ValidationError:  # sealed by this key, but under an older model
            raise LinkError("this link was made by an older version: book again") from None
