"""SMS templates: the preview with its character and segment count, the list, and new
versions (checked as the rules file is checked)."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Request
from pydantic import BaseModel, ConfigDict, Field
from xkld_shared.http.strict import RequestModel
from xkld_shared.identity.http import require
from xkld_shared.identity.principal import Principal, Role

from xkld_notifications.domain.rules import Rules
from xkld_notifications.domain.templates import (
    Rendered,
    Template,
    TemplateProblem,
    check,
    render,
)
from xkld_notifications.entrypoints.http import (
    RulesDep,
    TemplateReaders,
    change_context,
    staff_actions,
    template_problem,
)

router = APIRouter(prefix="/sms", tags=["sms"])


class PreviewBody(RequestModel):
    """Either a saved template by code, or a draft text (checked as saving would check it)."""

    model_config = ConfigDict(extra="forbid")

    template_code: str | None = Field(default=None, max_length=40)
    text: str | None = Field(default=None, max_length=2000)
    ucs2: bool = False
    max_segments: int = Field(default=3, ge=1, le=10)
    variables: dict[str, str | int | bool | None] = Field(default_factory=dict, max_length=50)


class PreviewView(BaseModel):
    template_code: str
    version: int | None
    text: str
    encoding: Literal["gsm7", "ucs2"]
    characters: int
    segments: int
    max_segments: int


@router.post("/templates/preview")
async def preview(
    body: PreviewBody, request: Request, rules: RulesDep, _: TemplateReaders
) -> PreviewView:
    template = await _preview_template(body, request, rules)
    return _preview_view(body, template, _rendered(template, body))


def _rendered(template: Template, body: PreviewBody) -> Rendered:
    try:
        return render(template, dict(body.variables))
    except TemplateProblem as exc:
        raise template_problem("variables", exc) from exc


async def _preview_template(body: PreviewBody, request: Request, rules: Rules) -> Template:
    """The saved template named, or the draft text given."""
    if body.template_code is not None:
        if body.template_code not in rules.templates:
            raise template_problem("template_code", TemplateProblem("unknown template"))
        return await staff_actions(request).template(body.template_code)
    if body.text is not None:
        return _checked_draft(body.text, body.max_segments, body.ucs2)
    raise template_problem("text", TemplateProblem("give template_code or text"))


def _checked_draft(text: str, max_segments: int, ucs2: bool) -> Template:
    template = Template("draft", 1, text, max_segments, ucs2)
    try:
        check(template)
    except TemplateProblem as exc:
        raise template_problem("text", exc) from exc
    return template


def _preview_view(body: PreviewBody, template: Template, rendered: Rendered) -> PreviewView:
    return PreviewView(
        template_code=template.code,
        version=template.version if body.template_code else None,
        text=rendered.text,
        encoding=rendered.encoding.value,
        characters=len(rendered.text),
        segments=rendered.segments,
        max_segments=template.max_segments,
    )


class TemplateView(BaseModel):
    code: str
    version: int
    text: str
    ucs2: bool
    max_segments: int
    event_types: list[str]


@router.get("/templates")
async def list_templates(
    request: Request, rules: RulesDep, _: TemplateReaders
) -> list[TemplateView]:
    current = [await staff_actions(request).template(code) for code in rules.templates]
    return [_template_view(t, rules) for t in current]


def _template_view(t: Template, rules: Rules) -> TemplateView:
    return TemplateView(
        code=t.code,
        version=t.version,
        text=t.text,
        ucs2=t.ucs2,
        max_segments=t.max_segments,
        event_types=sorted(
            e for e, rs in rules.by_event.items() if any(r.template == t.code for r in rs)
        ),
    )


class TemplateBody(RequestModel):
    model_config = ConfigDict(extra="forbid")

    code: str = Field(max_length=40)
    text: str = Field(min_length=1, max_length=2000)
    max_segments: int = Field(default=2, ge=1, le=10)
    ucs2: bool = False


TemplateEditors = Annotated[Principal, Depends(require(Role.LABOUR_OFFICER, Role.ADMIN))]


@router.post("/template-versions", status_code=201)
async def save_template(
    body: TemplateBody, request: Request, rules: RulesDep, editor: TemplateEditors
) -> TemplateView:
    """A new version of an existing template, checked as the rules file is: a character that
    is not GSM-7 after conversion is refused here, not discovered when sending."""
    code = body.code
    if code not in rules.templates:
        raise template_problem("code", TemplateProblem("unknown template"))
    try:
        saved = await staff_actions(request).save_template(
            code, body.text, body.max_segments, body.ucs2, change_context(request, editor)
        )
    except TemplateProblem as exc:
        raise template_problem("text", exc) from exc
    return _template_view(saved, rules)
