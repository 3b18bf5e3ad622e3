"""Vietnamese mobile number parsing, as lenient as eSMS is in practice."""

from __future__ import annotations

import re

# After the country/trunk prefix, Vietnamese mobile numbers have nine digits and
# start with 3, 5, 7, 8 or 9 (the post-2018 numbering plan).
# ASCII classes on purpose: ``\d`` would also accept Arabic-Indic and other digits.
_MOBILE = re.compile(r"(?:\+?84|0)([35789][0-9]{8})")


def normalize_phone(raw: str) -> str | None:
    """Return the number as ``84xxxxxxxxx``, or None if it is not a VN mobile."""
    compact = re.sub(r"[\s.\-]", "", raw)
    match = _MOBILE.fullmatch(compact)
    return f"84{match.group(1)}" if match else None
