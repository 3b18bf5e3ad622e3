"""Password policy and argon2id hashing. Hashing is slow on purpose: call it off the event loop."""

from __future__ import annotations

import asyncio
import dataclasses
import logging
import secrets
from typing import Literal

from argon2 import PasswordHasher, profiles
from argon2.exceptions import InvalidHashError, VerificationError

from xkld_shared.errors import FieldProblem, InvalidInput

HashingProfile = Literal["rfc9106-low-memory", "fast-test-only"]
# What every real deployment uses: argon2id with RFC 9106's second recommended parameter set
# (3 passes over 64 MiB, 4 lanes), about 0.3 s of CPU per hash on a 2 GHz core.
PRODUCTION_HASHING: HashingProfile = "rfc9106-low-memory"
# NOT for real accounts: the test suite's throw-away identity processes hash and sign in
# hundreds of times a run, and at 0.3 s each that was minutes of its CPU. Hashes made with it are
# upgraded to the production parameters at the next sign-in under the production profile.
_PARAMETERS = {
    "rfc9106-low-memory": profiles.RFC_9106_LOW_MEMORY,
    "fast-test-only": dataclasses.replace(
        profiles.RFC_9106_LOW_MEMORY, time_cost=1, memory_cost=1024, parallelism=1
    ),
}
_log = logging.getLogger(__name__)

MIN_LENGTH = 10
# Far above any real passphrase; bounds the work one request can ask the hasher to do.
MAX_LENGTH = 256


def password_problems(password: str, username: str) -> list[FieldProblem]:
    if len(password) < MIN_LENGTH:
        return [
            FieldProblem(
                "password",
                f"Mật khẩu phải có ít nhất {MIN_LENGTH} ký tự",
                f"The password must be at least {MIN_LENGTH} characters long",
            )
        ]
    if len(password) > MAX_LENGTH:
        return [
            FieldProblem(
                "password",
                f"Mật khẩu không được dài quá {MAX_LENGTH} ký tự",
                f"The password must be at most {MAX_LENGTH} characters long",
            )
        ]
    if password.strip().casefold() == username.strip().casefold():
        return [
            FieldProblem(
                "password",
                "Mật khẩu không được trùng với tên đăng nhập",
                "The password must not be the same as the username",
            )
        ]
    return []


def check_password_policy(password: str, username: str) -> None:
    if problems := password_problems(password, username):
        raise InvalidInput.of(problems)


def hasher_for(profile: HashingProfile) -> PasswordHasher:
    if profile != PRODUCTION_HASHING:
        _log.warning("password hashing profile %s: NOT for real accounts", profile)
    return PasswordHasher.from_parameters(_PARAMETERS[profile])


class Passwords:
    """argon2id, run in worker threads, a few at a time.

    Each hash takes 64 MiB by default, so a burst of logins left unbounded could exhaust the
    memory of the host; beyond `max_concurrent`, requests wait their turn instead.
    """

    def __init__(self, hasher: PasswordHasher | None = None, *, max_concurrent: int = 4) -> None:
        self._hasher = hasher or PasswordHasher()
        self._slots = asyncio.Semaphore(max_concurrent)
        # Checked against when the account is unknown or refused, so every failed login costs
        # the same time and response timing does not reveal which usernames exist.
        self._decoy = self._hasher.hash(secrets.token_urlsafe(16))

    async def hash(self, password: str) -> str:
        async with self._slots:
            return await asyncio.to_thread(self._hasher.hash, password)

    async def verify(self, password_hash: str, password: str) -> bool:
        async with self._slots:
            return await asyncio.to_thread(self._verify, password_hash, password)

    async def spend_equal_time(self, password: str) -> None:
        await self.verify(self._decoy, password)

    def needs_rehash(self, password_hash: str) -> bool:
        return self._hasher.check_needs_rehash(password_hash)

    def _verify(self, password_hash: str, password: str) -> bool:
        try:
            return self._hasher.verify(password_hash, password)
        except (VerificationError, InvalidHashError):
            return False
