"""The enterprise-reputation thresholds and fee caps, read from a JSON file: the one shipped in
`data/enterprise_reputation.json`, or the office's own (`XKLD_REPUTATION_RULES_FILE`)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from decimal import Decimal
from importlib import resources
from pathlib import Path
from typing import Any

from xkld_reporting.domain.reputation import FeeCap, Thresholds


@dataclass(frozen=True)
class ReputationRules:
    thresholds: Thresholds
    fee_caps: list[FeeCap]


def _optional_int(value: Any) -> int | None:
    return None if value is None else int(value)


def parse_rules(data: dict[str, Any]) -> ReputationRules:
    return ReputationRules(_thresholds(data["thresholds"]), _fee_caps(data.get("fee_caps", [])))


def _thresholds(t: dict[str, Any]) -> Thresholds:
    rate = t.get("early_return_rate_percent")
    return Thresholds(
        early_return_rate_percent=None if rate is None else Decimal(str(rate)),
        min_departed_for_rate=int(t.get("min_departed_for_rate", 1)),
        absconded=_optional_int(t.get("absconded")),
        complaints=_optional_int(t.get("complaints")),
        fees_over_cap=_optional_int(t.get("fees_over_cap")),
    )


def _fee_caps(caps: list[dict[str, Any]]) -> list[FeeCap]:
    return [
        FeeCap(c["market_code"], c["programme"], _optional_int(c.get("cap_vnd")), c["basis"])
        for c in caps
    ]


def load_rules(path: str | None = None) -> ReputationRules:
    text = Path(path).read_text(encoding="utf-8") if path else _default_rules()
    return parse_rules(json.loads(text))


def _default_rules() -> str:
    """The rules shipped with the service."""
    data = resources.files("xkld_reporting.data")
    return data.joinpath("enterprise_reputation.json").read_text(encoding="utf-8")
