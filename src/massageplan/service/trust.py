"""Who may call the service: the CDS Client's signed JWTs, checked as CDS Hooks says.

With a trusted issuer and its keys (:class:`Trust`), every request must
carry a JWT signed by one of those keys, for this endpoint, unexpired and
not seen before. Without that, :func:`check_bind` refuses any address but
loopback.
"""

from __future__ import annotations

import ipaddress
import json
import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import jwt

from ..model.errors import MassagePlanError

# Asymmetric signatures only: the specification forbids 'none' and shared-key (HMAC) ones.
ALGORITHMS = ("ES256", "ES384", "ES512", "RS256", "RS384", "RS512", "PS256", "PS384", "PS512")


@dataclass
class Trust:
    """The CDS Client a service trusts: its issuer, its public keys (by ``kid``),
    and this service's own base URL, which every token's ``aud`` must name."""

    issuer: str
    keys: Mapping[str, tuple[jwt.PyJWK, str | None]]  # by kid: the key, the alg it declares
    base_url: str
    _seen: dict[str, float] = field(default_factory=dict, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    @classmethod
    def from_files(cls, issuer: str, jwks: str | Path, base_url: str) -> Trust:
        """Read the issuer's JWK Set once, at start: a bad one stops the server there."""
        try:
            document = json.loads(Path(jwks).read_text(encoding="utf-8"))
            keys = {
                str(entry["kid"]): (jwt.PyJWK(entry), entry.get("alg"))
                for entry in document["keys"]
                if "kid" in entry
            }
        except (OSError, ValueError, TypeError, KeyError, jwt.PyJWTError) as exc:
            raise MassagePlanError(f"{jwks}: not a usable JWK Set: {exc}") from None
        if not keys:
            raise MassagePlanError(f"{jwks}: no key with a 'kid', which tokens name theirs by")
        return cls(issuer=issuer, keys=keys, base_url=base_url.rstrip("/"))

    def check(self, authorization: str | None, path: str) -> str | None:
        """Why the request may not proceed (None: it may)."""
        if not authorization or not authorization.startswith("Bearer "):
            return "a bearer token (a JWT from the trusted issuer) is required"
        token = authorization.removeprefix("Bearer ").strip()
        try:
            found = self.keys.get(str(jwt.get_unverified_header(token).get("kid")))
            if found is None:
                return "the token's key (kid) is not among the trusted issuer's keys"
            key, declared = found
            # A key that declares its algorithm is good for that one only.
            allowed = [a for a in ALGORITHMS if declared in (None, a)]
            claims = jwt.decode(
                token,
                key.key,
                algorithms=allowed,
                audience=self.base_url + path,
                issuer=self.issuer,
                options={"require": ["iss", "aud", "exp", "iat", "jti"]},
            )
        except jwt.PyJWTError as exc:
            return f"the token was refused: {exc}"
        return self._first_use(str(claims["jti"]), float(claims["exp"]))

    def _first_use(self, jti: str, expires: float) -> str | None:
        now = time.time()
        with self._lock:
            for old in [j for j, until in self._seen.items() if until < now]:
                del self._seen[old]  # expired tokens are refused anyway: forget them
            if jti in self._seen:
                return "the token was used before (jti seen): send a new one"
            self._seen[jti] = expires
        return None


def _loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def check_bind(host: str, trust: Trust | None) -> None:
    """Refuse to listen beyond this machine with nobody to check who calls."""
    if trust is None and not _loopback(host):
        raise MassagePlanError(
            f"refusing to listen on {host}: without a trusted issuer and its keys "
            "(--issuer, --jwks, --base-url) any caller could read plans; CDS Hooks "
            "services authenticate their clients by signed JWTs. Listen on 127.0.0.1, "
            "or configure the issuer"
        )


def check_origin(origin: str) -> None:
    """Refuse a CORS origin that is not one exact web origin (scheme://host[:port]):
    a wildcard, a path or plain http to a host other than loopback."""
    parts = urlsplit(origin)
    exact = (
        parts.scheme in ("https", "http")
        and parts.hostname
        and not parts.path
        and not parts.query
        and not parts.fragment
        and not parts.username
        and "*" not in origin
    )
    if not exact:
        raise MassagePlanError(
            f"not a web origin for CORS (scheme://host[:port], nothing after it): {origin!r}"
        )
    if parts.scheme == "http" and not _loopback(parts.hostname or ""):
        raise MassagePlanError(f"a CORS origin other than loopback must be https: {origin!r}")
