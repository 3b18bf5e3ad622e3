"""The signing key and the public keys being retired, as files an operator manages.

Rotation: generate a new key, put the old key's public JWK into the retired-keys file, switch
`XKLD_AUTH_SIGNING_KEY_FILE`/`_KID` to the new key, and drop the old JWK once every token it
signed has expired (the access-token lifetime, plus services' JWKS cache time).
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from xkld_shared.identity.tokens import SigningKey, jwks_of

# JWK members that hold private key material, for any key type.
_PRIVATE_MEMBERS = frozenset({"d", "p", "q", "dp", "dq", "qi", "oth", "k"})


class KeyFileError(Exception):
    """The signing key file is missing, unreadable, or not an EC P-256 private key."""


@dataclass(frozen=True)
class KeySet:
    signing: SigningKey
    retired: tuple[dict[str, Any], ...] = ()

    def jwks(self) -> dict[str, Any]:
        return {"keys": jwks_of([self.signing])["keys"] + list(self.retired)}


def load_key_set(signing_key_file: Path, kid: str, retired_jwks_file: Path | None) -> KeySet:
    signing = SigningKey.from_pem(kid, signing_key_file.read_bytes())
    retired = () if retired_jwks_file is None else _retired_keys(retired_jwks_file)
    return KeySet(signing, tuple(k for k in retired if k["kid"] != kid))


def _retired_keys(path: Path) -> tuple[dict[str, Any], ...]:
    document = json.loads(path.read_text())
    keys = document.get("keys") if isinstance(document, dict) else document
    if not isinstance(keys, list) or not all(isinstance(k, dict) and "kid" in k for k in keys):
        raise KeyFileError(f"{path}: expected a JWKS whose keys all have a kid")
    if any(_PRIVATE_MEMBERS & k.keys() for k in keys):
        # Everything in this file is published; a private key here would be given away.
        raise KeyFileError(f"{path}: contains private key material; keep only public JWKs")
    return tuple(keys)


def write_new_key(path: Path, kid: str) -> SigningKey:
    """A new P-256 key in a file only its owner can read; never overwrites an existing key."""
    key = SigningKey.generate(kid)
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "wb") as out:
        out.write(key.to_pem())
    return key
