from __future__ import annotations

from pydantic import Field
from xkld_shared.settings import ServiceSettings


class ReportingSettings(ServiceSettings):
    http_port: int = 8104
    # Larger than the shared default (500): a batch costs about a dozen statements whatever its
    # size, and projecting 117 191 events ran at 12 400 events/s with 500, 17 400 with 2 000
    # and 20 600 with 5 000 (bench/README.md, Reporting). A batch of 5 000 is a few MB.
    consumer_batch_size: int = Field(default=5000, gt=0)
    # The enterprise-reputation thresholds and fee caps (issue 17): a JSON file of the office's
    # own; unset, the shipped `data/enterprise_reputation.json`.
    reputation_rules_file: str | None = None
