"""Every string a person reads is in the catalogue, and Vietnamese has them all."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po
from xkld_portal.adapters.catalogue import read_catalogue
from xkld_portal.adapters.templating import TEMPLATES

PORTAL = Path(__file__).resolve().parents[2]
METHODS = [
    ("src/**.py", "python"),
    ("src/**/templates/**.html", "jinja2"),
]
OPTIONS = {"src/**/templates/**.html": {"extensions": "jinja2.ext.i18n"}}


def _messages() -> set[str]:
    found = extract_from_dir(
        PORTAL, METHODS, keywords={"_": None, "N_": None, "gettext": None}, options_map=OPTIONS
    )
    return {m[2] if isinstance(m[2], str) else m[2][0] for m in found}


def test_every_message_has_a_vietnamese_translation() -> None:
    vietnamese = read_catalogue("vi")
    missing = sorted(m for m in _messages() if m and not vietnamese.get(m))
    assert missing == []


def test_the_extraction_finds_the_templates_messages() -> None:
    assert "Files by stage" in _messages()  # so the test above cannot pass on nothing


_JINJA = re.compile(r"{%.*?%}|{{.*?}}|{#.*?#}", re.S)
_TAGS = re.compile(r"<(script|style)\b.*?</\1>|<[^>]+>", re.S | re.I)
# What may stand in a template outside a message: punctuation, digits, symbols, entities, and
# words that are the same in every language (language names offered by the switch, codes).
_ALLOWED = re.compile(r"^[\s\W\d_]*$")
_SAME_IN_EVERY_LANGUAGE = {"English", "Tiếng", "Việt", "CCCD", "VND", "SMS", "xkld"}
_ATTRIBUTE = re.compile(r'^[a-z][\w-]*="')  # a macro writing part of a tag


@pytest.mark.parametrize("template", sorted(p.name for p in TEMPLATES.glob("*.html")))
def test_no_template_holds_text_outside_the_catalogue(template: str) -> None:
    text = _TAGS.sub(" ", _JINJA.sub(" ", (TEMPLATES / template).read_text()))
    words = [w for w in text.split() if not _ALLOWED.match(w) and not _ATTRIBUTE.match(w)]
    assert [w for w in words if w not in _SAME_IN_EVERY_LANGUAGE] == []


def test_no_message_is_translated_two_ways_in_two_files() -> None:
    """The files of a language are merged and the first file (by name) keeps a message, so a
    message in two of them shows that file's translation on every page: the progress report's
    "Loans" read as the bank's count of loans, and a page title as a count's heading."""
    locale = PORTAL / "src/xkld_portal/locale"
    for language in sorted(p for p in locale.iterdir() if p.is_dir()):
        seen: dict[str, dict[str, str]] = {}
        for po in sorted((language / "LC_MESSAGES").glob("*.po")):
            with po.open("rb") as handle:
                for message in read_po(handle):
                    if message.id and message.string:
                        seen.setdefault(str(message.id), {})[po.name] = str(message.string)
        twice = {m: by for m, by in seen.items() if len(set(by.values())) > 1}
        assert twice == {}, language.name
