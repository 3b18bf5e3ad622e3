"""The rules on accounts, without a database: scope per role, usernames, passwords, diffs."""

from __future__ import annotations

import asyncio
import time
from typing import Any

import pytest
from argon2 import PasswordHasher
from xkld_shared.errors import InvalidInput
from xkld_shared.identity.principal import Role
from xkld_shared.identity.server.accounts import (
    Profile,
    changed_profile,
    differences,
    draft_profile,
    normalise_username,
    username_problems,
)
from xkld_shared.identity.server.passwords import Passwords, password_problems


def _problem_fields(**kwargs: Any) -> list[str]:
    kwargs.setdefault("full_name", "Nguyễn Thị Lan")
    _, problems = draft_profile(**kwargs)
    return [p.field for p in problems]


VALID: dict[str, dict[str, Any]] = {
    "commune officer with communes": {"roles": ["commune_officer"], "communes": ["29800"]},
    "labour officer with a province": {"roles": ["labour_officer"], "province": "38"},
    "labour officer with communes": {"roles": ["labour_officer"], "communes": ["29800"]},
    "loan officer with a branch": {"roles": ["loan_officer"], "branch": "TH-01"},
    "bank manager with a branch": {"roles": ["bank_manager"], "branch": "TH-01"},
    "admin without any scope": {"roles": ["admin"]},
    "training staff without any scope": {"roles": ["training_staff"]},
}


@pytest.mark.parametrize("case", VALID, ids=list(VALID))
def test_each_role_with_the_scope_it_needs_is_accepted(case: str) -> None:
    assert _problem_fields(**VALID[case]) == []


INVALID: dict[str, tuple[dict[str, Any], list[str]]] = {
    "unknown role": ({"roles": ["superuser"]}, ["roles"]),
    "no role": ({"roles": []}, ["roles"]),
    "commune officer without communes": ({"roles": ["commune_officer"]}, ["communes"]),
    "commune code of 4 digits": (
        {"roles": ["commune_officer"], "communes": ["2980"]},
        ["communes"],
    ),
    "labour officer with neither": ({"roles": ["labour_officer"]}, ["province"]),
    "province of 3 digits": ({"roles": ["labour_officer"], "province": "380"}, ["province"]),
    "loan officer without a branch": ({"roles": ["loan_officer"]}, ["branch"]),
    "bank manager with a blank branch": ({"roles": ["bank_manager"], "branch": "  "}, ["branch"]),
    "empty full name": ({"roles": ["admin"], "full_name": "   "}, ["full_name"]),
}


@pytest.mark.parametrize("case", INVALID, ids=list(INVALID))
def test_a_role_without_the_scope_it_needs_is_refused_naming_the_field(case: str) -> None:
    kwargs, fields = INVALID[case]
    assert _problem_fields(**kwargs) == fields


def test_every_problem_is_reported_at_once() -> None:
    fields = _problem_fields(full_name="", roles=["commune_officer", "loan_officer"], province="1")
    assert sorted(fields) == ["branch", "communes", "full_name", "province"]


def test_an_admin_gets_no_other_role_automatically() -> None:
    profile, _ = draft_profile(full_name="Quản trị", roles=["admin"])
    assert profile.roles == frozenset({Role.ADMIN})


def test_usernames_are_lower_cased_and_checked() -> None:
    assert normalise_username("  Lan.NT ") == "lan.nt"
    assert username_problems("lan.nt") == []
    assert [p.field for p in username_problems("la")] == ["username"]
    assert [p.field for p in username_problems("lan nt")] == ["username"]
    assert [p.field for p in username_problems(".lan")] == ["username"]


PASSWORDS: dict[str, tuple[str, str, bool]] = {
    "nine characters": ("123456789", "lan.nt", False),
    "ten characters": ("1234567890", "lan.nt", True),
    "the username": ("nguyen.thi.lan", "nguyen.thi.lan", False),
    "the username in capitals": ("NGUYEN.THI.LAN", "nguyen.thi.lan", False),
    "absurdly long": ("x" * 257, "lan.nt", False),
}


@pytest.mark.parametrize("case", PASSWORDS, ids=list(PASSWORDS))
def test_the_password_policy(case: str) -> None:
    password, username, acceptable = PASSWORDS[case]
    problems = password_problems(password, username)
    assert (problems == []) is acceptable
    for problem in problems:
        assert problem.field == "password"
        assert problem.message_vi
        assert problem.message_en
        assert problem.message_vi != problem.message_en


async def test_passwords_are_hashed_with_argon2id_and_verified() -> None:
    passwords = Passwords()
    hashed = await passwords.hash("correct horse battery")
    assert hashed.startswith("$argon2id$")
    assert await passwords.verify(hashed, "correct horse battery")
    assert not await passwords.verify(hashed, "correct horse batterY")
    assert not await passwords.verify("not a hash", "correct horse battery")
    assert not passwords.needs_rehash(hashed)


async def test_no_more_than_the_allowed_number_of_hashes_run_at_once() -> None:
    running = peak = 0

    class CountingHasher(PasswordHasher):
        def hash(self, password: str | bytes, *, salt: bytes | None = None) -> str:
            nonlocal running, peak
            running += 1
            peak = max(peak, running)
            time.sleep(0.05)
            running -= 1
            return "$argon2id$fake"

    passwords = Passwords(CountingHasher(), max_concurrent=2)
    await asyncio.gather(*(passwords.hash(f"password {i}") for i in range(8)))
    assert peak == 2


def test_a_change_reports_only_the_fields_that_changed() -> None:
    before = Profile("Lan", frozenset({Role.COMMUNE_OFFICER}), frozenset({"29800"}))
    after = changed_profile(before, {"communes": ["29800", "29801"]}, own=False)
    assert differences(before, after) == (
        {"communes": ["29800"]},
        {"communes": ["29800", "29801"]},
    )
    assert differences(before, before) == ({}, {})


def test_a_change_that_breaks_the_scope_rules_is_refused() -> None:
    before = Profile("Lan", frozenset({Role.COMMUNE_OFFICER}), frozenset({"29800"}))
    with pytest.raises(InvalidInput) as refused:
        changed_profile(before, {"communes": []}, own=False)
    assert [p.field for p in refused.value.body.fields] == ["communes"]


@pytest.mark.parametrize(
    ("change", "field"),
    [({"roles": ["report_viewer"]}, "roles"), ({"disabled": True}, "disabled")],
)
def test_an_admin_cannot_demote_or_disable_themselves(change: dict[str, Any], field: str) -> None:
    me = Profile("Quản trị", frozenset({Role.ADMIN}))
    with pytest.raises(InvalidInput) as refused:
        changed_profile(me, change, own=True)
    assert [p.field for p in refused.value.body.fields] == [field]
    assert changed_profile(me, change, own=False) != me  # another admin may
