"""Who may act on a person's records: the one rule every registration use case checks."""

from __future__ import annotations

from xkld_shared.identity.principal import Principal, Role


def may_act_on(actor: Principal, commune_code: str, province_code: str | None) -> bool:
    """Commune staff on their communes, labour officers on their province. A training centre
    serves the communes in its token's scope, or a whole province when it has one."""
    if actor.covers_commune(commune_code, province_code):
        return True
    return (
        Role.TRAINING_STAFF in actor.roles
        and actor.scope.province is not None
        and actor.scope.province == province_code
    )


def listed_scope(reader: Principal) -> tuple[list[str], str | None]:
    """What a list reads: the reader's communes, and their province for a labour officer."""
    province = reader.scope.province if Role.LABOUR_OFFICER in reader.roles else None
    return sorted(reader.scope.communes), province
