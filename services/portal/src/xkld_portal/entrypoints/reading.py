"""What the pages of progress and reports share: who may read them, which area a page is
about when none is asked for, and the reporting service's answer for it."""

from __future__ import annotations

import re

from xkld_shared.identity.principal import Role

from xkld_portal.application.errors import NotAllowed
from xkld_portal.entrypoints.web import Visitor

# The programme serves one province (Vĩnh Long, code 86 after the 2025 merger): a report
# viewer's account carries no area, and the pages open on that province.
HOME_PROVINCE = "86"
AREA = re.compile(r"^(\d{2}|\d{5})$")


def readers_only(visitor: Visitor) -> None:
    """Labour officers and report viewers read progress and reports; the reports are
    aggregates, so the report viewer sees no personal data there."""
    if not visitor.can(Role.LABOUR_OFFICER, Role.REPORT_VIEWER):
        raise NotAllowed


def labour_only(visitor: Visitor) -> None:
    if not visitor.can(Role.LABOUR_OFFICER):
        raise NotAllowed


def home_area(visitor: Visitor) -> str:
    """The province the visitor covers, or the programme's own."""
    return visitor.principal.scope.province or HOME_PROVINCE


def area_of(visitor: Visitor, asked: str | None) -> str:
    """The area asked for when it is shaped like one (the service checks the rest), else the
    visitor's own."""
    asked = (asked or "").strip()
    return asked if AREA.match(asked) else home_area(visitor)
