"""What the training centre's and the labour officer's pages share: which of a page's forms was
refused (so only that one shows the message, keeps its key and what was typed), and the answer
to a form that went through."""

from __future__ import annotations

from collections.abc import Awaitable, Mapping
from dataclasses import dataclass, field
from typing import Any

from fastapi import Request
from fastapi.responses import RedirectResponse, Response

from xkld_portal.application.errors import Refusal
from xkld_portal.entrypoints.web import is_htmx, new_form_key


@dataclass(frozen=True)
class Attempt:
    """The form of a page that was just refused, or `Attempt()` when none was."""

    form: str | None = None
    form_key: str = ""
    typed: Mapping[str, Any] = field(default_factory=dict)
    refusal: Refusal | None = None

    def key(self, form: str) -> str:
        """A refused form is resent with its own key; any other form gets a fresh one."""
        return self.form_key if self.form == form else new_form_key()

    def value(self, form: str, name: str, default: Any = "") -> Any:
        if self.form != form:
            return default
        typed = self.typed.get(name)
        return typed if isinstance(typed, str) else default

    def refused(self, form: str) -> Refusal | None:
        return self.refusal if self.form == form else None

    @property
    def status(self) -> int:
        return self.refusal.status if self.refusal else 200


def form_key_of(form: Mapping[str, Any]) -> str:
    sent = form.get("form_key")
    return sent if isinstance(sent, str) and sent else new_form_key()


def finished(request: Request, target: str, form_key: str) -> Response:
    """After a form went through: htmx is told where to go (with `done`, so the browser drops
    the saved draft); a plain post is redirected."""
    if is_htmx(request):
        joiner = "&" if "?" in target else "?"
        to = f"{target}{joiner}done={form_key}"
        return Response(status_code=200, headers={"HX-Redirect": to})
    return RedirectResponse(target, status_code=303)


def refusal(field_name: str, vi: str, en: str, status: int = 422) -> Refusal:
    """A refusal the portal itself gives, shaped like a service's, before anything is sent."""
    return Refusal(status, vi, en, {field_name: (vi, en)})


async def answer_or_refusal(call: Awaitable[Any]) -> tuple[Any, Refusal | None]:
    """A read's answer, or None and the service's refusal of what was asked."""
    try:
        return await call, None
    except Refusal as refused:
        return None, refused
