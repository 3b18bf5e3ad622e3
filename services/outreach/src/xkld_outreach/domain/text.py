"""Text as commune officers type it: with or without accents."""

from __future__ import annotations

import unicodedata

# Đ/đ is a letter of its own, not D with a mark, so NFD does not take it apart.
_LETTERS = str.maketrans({"đ": "d", "Đ": "d"})


def fold(text: str) -> str:
    """Lower case, without diacritics, đ as d, spaces collapsed."""
    decomposed = unicodedata.normalize("NFD", text.translate(_LETTERS))
    bare = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(unicodedata.normalize("NFC", bare).casefold().split())
