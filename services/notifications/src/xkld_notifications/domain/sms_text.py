"""SMS text rules: unaccented GSM-7 by default, and how many parts a text costs."""

from __future__ import annotations

import unicodedata
from enum import StrEnum

# GSM 03.38 basic set, and the extension set whose characters cost two septets.
_GSM7_BASIC = frozenset(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
_GSM7_EXTENDED = frozenset("^{}\\[~]|€\f")


class Encoding(StrEnum):
    GSM7 = "gsm7"
    UCS2 = "ucs2"


def unaccent(text: str) -> str:
    """Vietnamese without diacritics: đ/Đ become d/D, other marks are dropped."""
    text = text.replace("đ", "d").replace("Đ", "D")
    decomposed = unicodedata.normalize("NFD", text)
    stripped = "".join(ch for ch in decomposed if unicodedata.category(ch) != "Mn")
    return unicodedata.normalize("NFC", stripped)


def non_gsm7_characters(text: str) -> set[str]:
    return {ch for ch in text if ch not in _GSM7_BASIC and ch not in _GSM7_EXTENDED}


def encoding_of(text: str) -> Encoding:
    return Encoding.UCS2 if non_gsm7_characters(text) else Encoding.GSM7


def segment_count(text: str) -> int:
    """Parts the network bills: 160/153 septets in GSM-7, 70/67 characters in UCS-2."""
    if encoding_of(text) is Encoding.GSM7:
        length = sum(2 if ch in _GSM7_EXTENDED else 1 for ch in text)
        single, multi = 160, 153
    else:
        # UCS-2 counts UTF-16 code units: characters outside the BMP take two.
        length = len(text.encode("utf-16-le")) // 2
        single, multi = 70, 67
    if length <= single:
        return 1
    return -(-length // multi)
