from __future__ import annotations

from pydantic import Field
from xkld_shared.settings import ServiceSettings


class LoansSettings(ServiceSettings):
    http_port: int = 8102
    # The daily overdue job: local hour (Asia/Ho_Chi_Minh) it runs at; off for tools and tests
    # that drive the job themselves.
    overdue_job_enabled: bool = True
    overdue_job_hour: int = Field(default=1, ge=0, le=23)
