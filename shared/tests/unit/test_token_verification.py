"""A verified token is remembered until it expires, and never lends trust to another text."""

from __future__ import annotations

import datetime as dt

import pytest
from xkld_shared.identity.principal import Principal, Role, Scope
from xkld_shared.identity.tokens import (
    InvalidToken,
    SigningKey,
    TokenIssuer,
    TokenVerifier,
    jwks_of,
)

OFFICER = Principal("u1", "u1", frozenset({Role.COMMUNE_OFFICER}), Scope(frozenset({"29800"})))


def _pair() -> tuple[TokenIssuer, TokenVerifier]:
    key = SigningKey.generate()
    issuer = TokenIssuer(key, issuer="xkld", audience="xkld")
    return issuer, TokenVerifier(jwks_of([key]), issuer="xkld", audience="xkld")


def test_a_remembered_token_stops_working_when_it_expires(monkeypatch: pytest.MonkeyPatch) -> None:
    issuer, verifier = _pair()
    token = issuer.issue(OFFICER)
    assert verifier.verify(token) == OFFICER
    assert verifier.verify(token) == OFFICER  # from memory
    later = dt.datetime.now(dt.UTC) + dt.timedelta(days=1)
    monkeypatch.setattr("xkld_shared.identity.tokens.time.time", lambda: later.timestamp())

    def expired(_: str) -> dict[str, object]:
        raise InvalidToken("ExpiredSignatureError")  # what PyJWT says on that day

    # Past its expiry the token is checked again, not served from memory.
    monkeypatch.setattr(verifier, "_checked_claims", expired)
    with pytest.raises(InvalidToken):
        verifier.verify(token)


def test_remembering_a_good_token_never_admits_a_changed_one() -> None:
    issuer, verifier = _pair()
    token = issuer.issue(OFFICER)
    verifier.verify(token)
    header, payload, signature = token.split(".")
    flipped = signature[:-2] + ("A" if signature[-2] != "A" else "B") + signature[-1]
    with pytest.raises(InvalidToken):
        verifier.verify(f"{header}.{payload}.{flipped}")
