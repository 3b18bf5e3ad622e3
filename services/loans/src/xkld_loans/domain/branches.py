"""Which VBSP branch an application from registration goes to: data, not code."""

from __future__ import annotations

import json
from dataclasses import dataclass
from importlib import resources

UNASSIGNED = "VBSP-UNASSIGNED"


@dataclass(frozen=True)
class BranchRouting:
    by_province_template: str
    by_commune: dict[str, str]

    def branch_of(self, commune_code: str, province_code: str | None) -> str:
        """A listed commune's branch, else its province's; with no province, the
        VBSP-UNASSIGNED branch: kept, not dropped, and visible to staff whose scope is that
        branch, until the routing data is completed."""
        if commune_code in self.by_commune:
            return self.by_commune[commune_code]
        if province_code is None:
            return UNASSIGNED
        return self.by_province_template.format(province_code=province_code)


def load_branch_routing() -> BranchRouting:
    raw = json.loads(resources.files("xkld_loans.domain").joinpath("branches.json").read_text())
    return BranchRouting(raw["branch_by_province_template"], dict(raw["branch_by_commune"]))
