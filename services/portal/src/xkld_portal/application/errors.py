"""What can go wrong behind a page, as the page must show it. No framework here."""

from __future__ import annotations

from dataclasses import dataclass, field


class SignInNeeded(Exception):
    """No session, or one that can no longer be renewed: sign in, then come back."""


class NotAllowed(Exception):
    """The service said 403: this person's role may not do this."""


class NothingHere(Exception):
    """The service said 404 (or the file is in another commune, which looks the same)."""


@dataclass
class Unavailable(Exception):
    """A 5xx, a timeout or no answer: try again later. Carries the request's correlation id."""

    correlation_id: str


@dataclass
class Refusal(Exception):
    """A 4xx the person can act on: the service's own words, and the fields they concern."""

    status: int
    message_vi: str
    message_en: str
    fields: dict[str, tuple[str, str]] = field(default_factory=dict)
    code: str = ""

    def message(self, lang: str) -> str:
        return self.message_en if lang == "en" else self.message_vi

    def field_message(self, name: str, lang: str) -> str | None:
        pair = self.fields.get(name)
        if pair is None:
            return None
        return pair[1] if lang == "en" else pair[0]


class CsrfRefused(Exception):
    """A form without this browser's CSRF token: refused before anything is sent."""


class TooManyAttempts(Exception):
    """Too many sign-in attempts from this address or for this username."""
