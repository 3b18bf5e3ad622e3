"""Message catalogues (gettext .po files, read with Babel) for each language.

Every `.po` file of a language is merged, so each area of the portal can keep its own file.
They are compiled in memory at start-up: no compiled `.mo` file is kept in the repository.
"""

from __future__ import annotations

import io
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import NullTranslations, Translations

LOCALES = Path(__file__).resolve().parent.parent / "locale"
LANGUAGES = ("vi", "en")
DEFAULT_LANGUAGE = "vi"


def read_catalogue(lang: str, root: Path = LOCALES) -> Catalog:
    merged = Catalog(locale=lang)
    for po in sorted((root / lang / "LC_MESSAGES").glob("*.po")):
        with po.open("rb") as handle:
            for message in read_po(handle, locale=lang):
                if message.id and message.string and not message.fuzzy:
                    merged.add(message.id, message.string)
    return merged


def translations(lang: str, root: Path = LOCALES) -> NullTranslations:
    """English is the source language: its catalogue is the messages themselves."""
    if lang == "en":
        return NullTranslations()
    buffer = io.BytesIO()
    write_mo(buffer, read_catalogue(lang, root))
    buffer.seek(0)
    return Translations(buffer)
