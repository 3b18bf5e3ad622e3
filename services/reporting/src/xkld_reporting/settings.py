from __future__ import annotations

from xkld_shared.settings import ServiceSettings


class ReportingSettings(ServiceSettings):
    http_port: int = 8104
