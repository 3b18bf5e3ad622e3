"""A trainee's answer to the follow-up about work: "VL 1" … "VL 5" (pure).

People type it as they can: "vl1", "V L 1", "Vl: 1", full-width letters, stray accents, words
after it.
Anything else from someone who was asked is kept as not understood, for the officer to call.
"""

from __future__ import annotations

import re
import unicodedata

from xkld_shared.contracts.training import EmploymentOutcome

from xkld_notifications.domain.sms_text import unaccent

# The numbers the follow-up SMS lists, in its order.
WORK_ANSWERS: dict[str, EmploymentOutcome] = {
    "1": "work_in_trade",
    "2": "other_work",
    "3": "own_business",
    "4": "went_abroad",
    "5": "no_work_yet",
}
_ANSWER = re.compile(r"^\W*V\W*L\W*([1-5])(?!\d)")


def parse_work_reply(text: str) -> EmploymentOutcome | None:
    """The outcome the trainee chose, or None when the text does not say one."""
    plain = unaccent(unicodedata.normalize("NFKC", text)).upper()
    found = _ANSWER.match(plain)
    return WORK_ANSWERS[found.group(1)] if found else None
