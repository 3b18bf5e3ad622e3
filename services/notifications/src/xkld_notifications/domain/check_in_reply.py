"""A worker's answer to the check-in SMS while abroad: "TT 1" … "TT 3" (pure).

Typed as people can: "tt1", "T T 2", "Tt: 3", full-width letters, accents, words after it.
Anything else from a worker who was asked goes to the officers' inbox, to be read by a person.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Literal

from xkld_notifications.domain.sms_text import unaccent

EmploymentStatus = Literal["working", "between_jobs", "not_working"]

# The numbers the check-in SMS lists, in its order.
CHECK_IN_ANSWERS: dict[str, EmploymentStatus] = {
    "1": "working",
    "2": "between_jobs",
    "3": "not_working",
}
_ANSWER = re.compile(r"^\W*T\W*T\W*([1-3])(?!\d)")


def parse_check_in_reply(text: str) -> EmploymentStatus | None:
    """What the worker said about their work, or None when the text does not say it."""
    plain = unaccent(unicodedata.normalize("NFKC", text)).upper()
    found = _ANSWER.match(plain)
    return CHECK_IN_ANSWERS[found.group(1)] if found else None
