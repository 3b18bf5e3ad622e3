"""Folding names for accent-insensitive search: `Nguyễn` and `nguyen` give the same token."""

from __future__ import annotations

import unicodedata

# Đ/đ is a letter of its own, not D with a mark, so NFD does not take it apart.
_LETTERS = str.maketrans({"đ": "d", "Đ": "d"})


def fold(text: str) -> str:
    """Lower case, without diacritics, đ as d: how a name is typed on a phone without Telex."""
    decomposed = unicodedata.normalize("NFD", text.translate(_LETTERS))
    bare = "".join(c for c in decomposed if not unicodedata.combining(c))
    return unicodedata.normalize("NFC", bare).casefold()


def name_tokens(name: str) -> frozenset[str]:
    """The folded words of a name; a search matches files whose name has all of its words."""
    words = "".join(c if c.isalnum() else " " for c in fold(name)).split()
    return frozenset(words)
