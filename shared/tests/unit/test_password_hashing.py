"""The production argon2 parameters are the default everywhere a real account is made; the
test suite's cheap profile is named as such and never reaches what `./scripts/run` starts."""

from __future__ import annotations

from pathlib import Path

from xkld_shared.identity.server.passwords import PRODUCTION_HASHING, Passwords, hasher_for
from xkld_shared.identity.server.settings import AccountSettings, IdentitySettings

REPO = Path(__file__).resolve().parents[3]


def test_the_identity_settings_and_the_account_commands_hash_with_the_production_profile() -> None:
    for settings in (IdentitySettings, AccountSettings):
        assert settings.model_fields["auth_password_hashing"].default == "rfc9106-low-memory"
    assert PRODUCTION_HASHING == "rfc9106-low-memory"


async def test_the_production_profile_hashes_with_rfc_9106s_low_memory_parameters() -> None:
    made = await Passwords(hasher_for("rfc9106-low-memory")).hash("a long passphrase")
    assert made.startswith("$argon2id$v=19$m=65536,t=3,p=4$")


async def test_a_hash_made_by_the_fast_test_profile_is_upgraded_under_the_production_one() -> None:
    cheap = await Passwords(hasher_for("fast-test-only")).hash("a long passphrase")
    assert cheap.startswith("$argon2id$v=19$m=1024,t=1,p=1$")
    production = Passwords(hasher_for("rfc9106-low-memory"))
    assert await production.verify(cheap, "a long passphrase")
    assert production.needs_rehash(cheap)


def test_nothing_that_runs_the_system_names_the_fast_hashing_profile() -> None:
    places = [REPO / "scripts", REPO / "deploy", REPO / "services", REPO / "shared" / "src"]
    offenders = [
        str(path.relative_to(REPO))
        for place in places
        for path in place.rglob("*")
        if path.is_file()
        and "/tests/" not in str(path)
        and "/testing/" not in str(path)
        and path.suffix in {".sh", ".py", ".env", ".toml", ".yaml", ".yml", ""}
        and "XKLD_AUTH_PASSWORD_HASHING" in path.read_text(errors="ignore")
    ]
    assert offenders == []
