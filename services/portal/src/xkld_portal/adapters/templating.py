"""Jinja2 environments, one per language, with the catalogue installed and the local formats."""

from __future__ import annotations

import hashlib
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from xkld_portal.adapters.catalogue import LANGUAGES, translations
from xkld_portal.domain import format as fmt

PACKAGE = Path(__file__).resolve().parent.parent
TEMPLATES = PACKAGE / "templates"
STATIC = PACKAGE / "static"


def _asset_versions() -> dict[str, str]:
    """A content hash per static file, so that a changed file is fetched anew, not from cache."""
    return {
        str(p.relative_to(STATIC)): hashlib.sha256(p.read_bytes()).hexdigest()[:10]
        for p in STATIC.rglob("*")
        if p.is_file()
    }


def environments() -> dict[str, Environment]:
    versions = _asset_versions()

    def static(name: str) -> str:
        return f"/static/{name}?v={versions.get(name, '0')}"

    built = {}
    for lang in LANGUAGES:
        env = Environment(
            loader=FileSystemLoader(TEMPLATES),
            autoescape=select_autoescape(default=True),
            undefined=StrictUndefined,
            extensions=["jinja2.ext.i18n"],
            trim_blocks=True,
            lstrip_blocks=True,
        )
        env.install_gettext_translations(translations(lang), newstyle=True)  # type: ignore[attr-defined]
        env.filters.update(money=fmt.money, day=fmt.day, moment=fmt.moment)
        env.globals.update(static=static)
        built[lang] = env
    return built
