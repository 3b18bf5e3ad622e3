from __future__ import annotations

from xkld_shared.settings import ServiceSettings


class LoansSettings(ServiceSettings):
    http_port: int = 8102
