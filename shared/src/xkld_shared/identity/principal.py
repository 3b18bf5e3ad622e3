"""Who is asking, and over which part of the programme they may act. Pure; no framework."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum


class Role(StrEnum):
    COMMUNE_OFFICER = "commune_officer"
    TRAINING_STAFF = "training_staff"
    LABOUR_OFFICER = "labour_officer"
    LOAN_OFFICER = "loan_officer"
    BANK_MANAGER = "bank_manager"
    REPORT_VIEWER = "report_viewer"
    ADMIN = "admin"


@dataclass(frozen=True)
class Scope:
    """Communes for commune staff; a province for labour officers; a VBSP branch for bank staff."""

    communes: frozenset[str] = frozenset()
    province: str | None = None
    branch: str | None = None


@dataclass(frozen=True)
class Principal:
    subject: str
    username: str
    roles: frozenset[Role]
    scope: Scope = field(default_factory=Scope)

    def has_any(self, roles: frozenset[Role]) -> bool:
        return bool(self.roles & roles)

    def covers_commune(self, commune_code: str, province_code: str | None = None) -> bool:
        """Whether this person may see a record of that commune (and province, when known)."""
        if commune_code in self.scope.communes:
            return True
        return (
            Role.LABOUR_OFFICER in self.roles
            and self.scope.province is not None
            and province_code == self.scope.province
        )
