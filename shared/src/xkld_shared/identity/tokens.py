"""Signed access tokens: ES256 with a key id, OIDC-shaped claims, verified locally.

Services hold only public keys (a JWKS), so an identity provider such as Keycloak can replace
the built-in issuer by configuration: point `XKLD_AUTH_JWKS_URL`, `XKLD_AUTH_ISSUER` and
`XKLD_AUTH_AUDIENCE` at it and map its roles into the `roles` claim.
"""

from __future__ import annotations

import datetime as dt
import json
import time
import uuid
from dataclasses import dataclass
from typing import Any

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec

from xkld_shared.identity.principal import Principal, Role, Scope

ALGORITHM = "ES256"


class InvalidToken(Exception):
    """Expired, tampered, signed by an unknown key, or meant for someone else."""


@dataclass(frozen=True)
class SigningKey:
    kid: str
    private_key: ec.EllipticCurvePrivateKey

    @classmethod
    def generate(cls, kid: str | None = None) -> SigningKey:
        return cls(kid or uuid.uuid4().hex[:12], ec.generate_private_key(ec.SECP256R1()))

    @classmethod
    def from_pem(cls, kid: str, pem: bytes) -> SigningKey:
        key = serialization.load_pem_private_key(pem, password=None)
        if not isinstance(key, ec.EllipticCurvePrivateKey):
            raise ValueError("an ES256 signing key must be an EC P-256 private key")
        return cls(kid, key)

    def to_pem(self) -> bytes:
        return self.private_key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )

    def public_jwk(self) -> dict[str, Any]:
        jwk: dict[str, Any] = json.loads(
            jwt.algorithms.ECAlgorithm.to_jwk(self.private_key.public_key())
        )
        return {**jwk, "kid": self.kid, "alg": ALGORITHM, "use": "sig"}


def jwks_of(keys: list[SigningKey]) -> dict[str, Any]:
    """The public half of every key still in use: the current one and those being retired."""
    return {"keys": [k.public_jwk() for k in keys]}


@dataclass(frozen=True)
class TokenIssuer:
    key: SigningKey
    issuer: str
    audience: str
    lifetime: dt.timedelta = dt.timedelta(minutes=15)

    def issue(self, principal: Principal, now: dt.datetime | None = None) -> str:
        now = now or dt.datetime.now(dt.UTC)
        claims = {
            "iss": self.issuer,
            "aud": self.audience,
            "sub": principal.subject,
            "iat": now,
            "nbf": now,
            "exp": now + self.lifetime,
            "jti": uuid.uuid4().hex,
            "preferred_username": principal.username,
            "roles": sorted(principal.roles),
            "xkld_scope": {
                "communes": sorted(principal.scope.communes),
                "province": principal.scope.province,
                "branch": principal.scope.branch,
            },
        }
        return jwt.encode(claims, self.key.private_key, ALGORITHM, headers={"kid": self.key.kid})


class TokenVerifier:
    """Checks a token's signature, issuer, audience and times, and reads who it names.

    A token that verified is remembered, by its exact text, until it expires: an ES256 check
    costs real CPU on every request, and the same officer sends the same token all day. A
    token that differs by one character is a different key, so nothing unverified is trusted.
    """

    CACHE_SIZE = 4096

    def __init__(self, jwks: dict[str, Any], *, issuer: str, audience: str) -> None:
        self._keys = {k["kid"]: jwt.PyJWK(k) for k in jwks.get("keys", []) if "kid" in k}
        self._issuer = issuer
        self._audience = audience
        self._verified: dict[str, tuple[Principal, float]] = {}

    def verify(self, token: str) -> Principal:
        remembered = self._verified.get(token)
        if remembered is not None and time.time() < remembered[1]:
            return remembered[0]
        claims = self._checked_claims(token)
        principal = _principal(claims)
        if len(self._verified) >= self.CACHE_SIZE:
            self._verified.clear()  # simple and bounded; the next requests re-verify
        self._verified[token] = (principal, float(claims["exp"]))
        return principal

    def _checked_claims(self, token: str) -> dict[str, Any]:
        try:
            kid = jwt.get_unverified_header(token).get("kid")
            key = self._keys.get(str(kid))
            if key is None:
                raise InvalidToken("signed by an unknown key")
            claims = jwt.decode(
                token,
                key.key,
                algorithms=[ALGORITHM],  # never "none", never HS256 with a public key
                audience=self._audience,
                issuer=self._issuer,
                options={"require": ["exp", "iat", "sub", "aud", "iss"]},
                leeway=30,
            )
        except jwt.PyJWTError as exc:
            raise InvalidToken(type(exc).__name__) from exc
        return claims


def _principal(claims: dict[str, Any]) -> Principal:
    scope = claims.get("xkld_scope") or {}
    known = {r.value for r in Role}
    return Principal(
        subject=str(claims["sub"]),
        username=str(claims.get("preferred_username", claims["sub"])),
        roles=frozenset(Role(r) for r in claims.get("roles", []) if r in known),
        scope=Scope(
            communes=frozenset(scope.get("communes") or ()),
            province=scope.get("province"),
            branch=scope.get("branch"),
        ),
    )
