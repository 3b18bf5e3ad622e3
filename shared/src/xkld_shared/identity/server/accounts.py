"""What an account is and the rules an administrator's changes must follow. Pure; no I/O."""

from __future__ import annotations

import datetime as dt
import re
import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, fields
from typing import Any

from xkld_shared.errors import FieldProblem, InvalidInput
from xkld_shared.identity.principal import Principal, Role, Scope

_USERNAME = re.compile(r"[a-z0-9][a-z0-9._-]{2,63}")
_COMMUNE = re.compile(r"\d{5}")
_PROVINCE = re.compile(r"\d{2}")
MAX_NAME = 200
MAX_BRANCH = 64


@dataclass(frozen=True)
class Profile:
    """Everything about an account that an administrator may set."""

    full_name: str
    roles: frozenset[Role]
    communes: frozenset[str] = frozenset()
    province: str | None = None
    branch: str | None = None
    disabled: bool = False

    @property
    def scope(self) -> Scope:
        return Scope(self.communes, self.province, self.branch)


@dataclass(frozen=True)
class Account:
    id: uuid.UUID
    username: str
    profile: Profile
    locked_until: dt.datetime | None
    password_changed_at: dt.datetime
    created_at: dt.datetime
    updated_at: dt.datetime
    created_by: str

    def principal(self) -> Principal:
        p = self.profile
        return Principal(str(self.id), self.username, p.roles, p.scope)


def normalise_username(raw: str) -> str:
    """Lower-cased, so `Lan.NT` and `lan.nt` cannot be two different people."""
    return raw.strip().lower()


def username_problems(username: str) -> list[FieldProblem]:
    if _USERNAME.fullmatch(username):
        return []
    return [
        FieldProblem(
            "username",
            "Tên đăng nhập gồm 3–64 ký tự: chữ không dấu, số, dấu chấm, gạch ngang "
            "hoặc gạch dưới, bắt đầu bằng chữ hoặc số",
            "The username must be 3–64 characters of a–z, 0–9, '.', '-' or '_', "
            "starting with a letter or digit",
        )
    ]


def draft_profile(
    *,
    full_name: str,
    roles: Iterable[str],
    communes: Iterable[str] = (),
    province: str | None = None,
    branch: str | None = None,
    disabled: bool = False,
) -> tuple[Profile, list[FieldProblem]]:
    """The profile as given, with everything wrong with it, so all problems are shown at once."""
    problems: list[FieldProblem] = []
    known_roles = _parse_roles(roles, problems)
    profile = Profile(
        full_name=" ".join(full_name.split()),
        roles=known_roles,
        communes=frozenset(c.strip() for c in communes),
        province=_blank_to_none(province),
        branch=_blank_to_none(branch),
        disabled=disabled,
    )
    problems.extend(profile_problems(profile, roles_known=not problems))
    return profile, problems


def changed_profile(current: Profile, changes: Mapping[str, Any], *, own: bool) -> Profile:
    """`current` with an administrator's partial changes; `own` when editing their own account."""
    merged = {f.name: getattr(current, f.name) for f in fields(Profile)}
    merged.update(changes)
    updated, problems = draft_profile(**merged)
    if problems:
        raise InvalidInput.of(problems)
    if own:
        _refuse_self_lockout(updated)
    return updated


def profile_problems(profile: Profile, *, roles_known: bool = True) -> list[FieldProblem]:
    problems = []
    if not profile.full_name or len(profile.full_name) > MAX_NAME:
        problems.append(
            FieldProblem(
                "full_name",
                f"Họ tên không được để trống và không quá {MAX_NAME} ký tự",
                f"The full name must not be empty nor longer than {MAX_NAME} characters",
            )
        )
    if roles_known and not profile.roles:
        problems.append(
            FieldProblem("roles", "Cần ít nhất một vai trò", "At least one role is required")
        )
    problems.extend(_format_problems(profile))
    problems.extend(_scope_problems(profile))
    return problems


def _parse_roles(values: Iterable[str], problems: list[FieldProblem]) -> frozenset[Role]:
    known = {r.value: r for r in Role}
    unknown = sorted({v for v in values if v not in known})
    if unknown:
        problems.append(
            FieldProblem(
                "roles",
                f"Vai trò không tồn tại: {', '.join(unknown)}",
                f"Unknown role: {', '.join(unknown)}",
            )
        )
    return frozenset(known[v] for v in values if v in known)


def _format_problems(profile: Profile) -> list[FieldProblem]:
    problems = []
    if any(not _COMMUNE.fullmatch(c) for c in profile.communes):
        problems.append(
            FieldProblem(
                "communes",
                "Mã xã/phường phải gồm đúng 5 chữ số",
                "Each commune code must be exactly 5 digits",
            )
        )
    if profile.province is not None and not _PROVINCE.fullmatch(profile.province):
        problems.append(
            FieldProblem(
                "province",
                "Mã tỉnh/thành phố phải gồm đúng 2 chữ số",
                "The province code must be exactly 2 digits",
            )
        )
    if profile.branch is not None and len(profile.branch) > MAX_BRANCH:
        problems.append(
            FieldProblem(
                "branch",
                f"Mã chi nhánh không quá {MAX_BRANCH} ký tự",
                f"The branch code must be at most {MAX_BRANCH} characters",
            )
        )
    return problems


def _scope_problems(profile: Profile) -> list[FieldProblem]:
    """Each role acts over some part of the programme; without it the role would see nothing."""
    roles, problems = profile.roles, []
    if Role.COMMUNE_OFFICER in roles and not profile.communes:
        problems.append(
            FieldProblem(
                "communes",
                "Cán bộ xã cần ít nhất một mã xã/phường",
                "A commune officer needs at least one commune code",
            )
        )
    if Role.LABOUR_OFFICER in roles and profile.province is None and not profile.communes:
        problems.append(
            FieldProblem(
                "province",
                "Cán bộ LĐ-TB&XH cần mã tỉnh hoặc danh sách xã/phường",
                "A labour officer needs a province code or commune codes",
            )
        )
    if roles & {Role.LOAN_OFFICER, Role.BANK_MANAGER} and profile.branch is None:
        problems.append(
            FieldProblem(
                "branch",
                "Cán bộ ngân hàng cần mã chi nhánh NHCSXH",
                "Bank staff need a VBSP branch code",
            )
        )
    return problems


def _refuse_self_lockout(profile: Profile) -> None:
    # Otherwise the last administrator can leave nobody able to manage accounts.
    if Role.ADMIN not in profile.roles or profile.disabled:
        raise InvalidInput.of(
            [
                FieldProblem(
                    "roles" if Role.ADMIN not in profile.roles else "disabled",
                    "Không thể tự gỡ quyền quản trị hoặc tự vô hiệu hoá tài khoản của mình",
                    "You cannot remove your own admin role or disable your own account",
                )
            ]
        )


def _blank_to_none(value: str | None) -> str | None:
    value = None if value is None else value.strip()
    return value or None


def audit_view(profile: Profile) -> dict[str, Any]:
    """The profile as JSON for the audit log: sets sorted, so equal profiles log equal."""
    return {
        "full_name": profile.full_name,
        "roles": sorted(profile.roles),
        "communes": sorted(profile.communes),
        "province": profile.province,
        "branch": profile.branch,
        "disabled": profile.disabled,
    }


def differences(before: Profile, after: Profile) -> tuple[dict[str, Any], dict[str, Any]]:
    """Only the fields that changed, before and after."""
    old, new = audit_view(before), audit_view(after)
    changed = [k for k in old if old[k] != new[k]]
    return {k: old[k] for k in changed}, {k: new[k] for k in changed}
