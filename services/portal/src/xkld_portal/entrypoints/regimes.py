"""Loan regimes: each with its legal basis and dates in force; the roles the loans service lets
change them (labour officers and bank managers) add a regime or close one, and only they see
those forms."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response
from xkld_shared.identity.principal import Role

from xkld_portal.application.errors import NotAllowed, Refusal
from xkld_portal.application.ports import Service
from xkld_portal.domain import staff_forms as forms
from xkld_portal.domain.labels import N_
from xkld_portal.entrypoints.staff_common import Attempt, finished, form_key_of
from xkld_portal.entrypoints.web import FormDep, Portal, PortalDep, Visitor, VisitorDep, render

router = APIRouter()
READERS = (Role.LABOUR_OFFICER, Role.BANK_MANAGER, Role.LOAN_OFFICER)
CHANGERS = (Role.LABOUR_OFFICER, Role.BANK_MANAGER)
PROGRAMMES = {
    "labour_export": N_("Loans for working abroad"),
    "labour_export_poor_district": N_("Loans for working abroad, poor districts"),
    "korea_eps_deposit": N_("Deposit for Korea (EPS)"),
}
ORIGINS = {"shipped": N_("Issued with the system"), "added": N_("Added here")}
# The figures a regime's source may leave unknown (loans' `unknown` list), as people name them.
UNKNOWN_FIGURES = {
    "effective_from": N_("In force from"),
    "effective_to": N_("Ends on"),
    "absolute_cap_vnd": N_("Largest amount lent"),
    "max_term_months": N_("Longest term"),
    "poor_household_monthly_rate": N_("Monthly rate for poor households"),
    "yearly_allocation_vnd": N_("Yearly allocation"),
}


def _may(visitor: Visitor, roles: tuple[Role, ...]) -> None:
    if not visitor.can(*roles):
        raise NotAllowed


async def _page(request: Request, portal: Portal, visitor: Visitor, attempt: Attempt) -> Response:
    regimes = await portal.api.get(Service.LOANS, "/regimes", token=visitor.token)
    if attempt.form is None:
        typed = {"max_share_of_costs": "1", "default_factor": "1", "overdue_factor": "1.3"}
        attempt = Attempt("regime", attempt.key("regime"), typed)
    return render(
        request,
        portal,
        "regimes.html",
        visitor=visitor,
        status_code=attempt.status,
        regimes=regimes,
        attempt=attempt,
        may_change=visitor.can(*CHANGERS),
        programmes=PROGRAMMES,
        origins=ORIGINS,
        unknown_figures=UNKNOWN_FIGURES,
    )


@router.get("/regimes")
async def regimes(request: Request, portal: PortalDep, visitor: VisitorDep) -> Response:
    _may(visitor, READERS)
    return await _page(request, portal, visitor, Attempt())


def _optional_whole(form: forms.Form, name: str) -> int | str | None:
    return forms.whole_vnd(form, name)


def regime_body(form: forms.Form) -> dict[str, Any]:
    """A regime as the loans service takes it (the shape of an entry of its regimes.json):
    decimals stay text, so no rate is rounded on the way; no group is singled out."""
    note = forms.text(form, "source_note")
    return {
        "code": forms.text(form, "code"),
        "name": forms.text(form, "name"),
        "legal_basis": forms.text(form, "legal_basis"),
        "programme": forms.text(form, "programme"),
        "effective_from": forms.text(form, "effective_from"),
        "effective_to": forms.optional(form, "effective_to"),
        "eligible_groups": None,
        "max_share_of_costs": forms.text(form, "max_share_of_costs"),
        "absolute_cap_vnd": _optional_whole(form, "absolute_cap_vnd"),
        "collateral_threshold_vnd": _optional_whole(form, "collateral_threshold_vnd"),
        "no_collateral_groups": [],
        "poor_household_monthly_rate": forms.optional(form, "poor_household_monthly_rate"),
        "rate_factor_by_group": {"default": forms.text(form, "default_factor")},
        "overdue_factor": forms.text(form, "overdue_factor"),
        "max_term_months": forms.whole(form, "max_term_months"),
        "source_notes": [note] if note else [],
    }


@router.post("/regimes")
async def add(request: Request, portal: PortalDep, visitor: VisitorDep, form: FormDep) -> Response:
    _may(visitor, CHANGERS)
    key = form_key_of(form)
    try:
        await portal.api.send(
            Service.LOANS, "POST", "/regimes", token=visitor.token, json=regime_body(form), key=key
        )
    except Refusal as refused:
        return await _page(request, portal, visitor, Attempt("regime", key, form, refused))
    return finished(request, "/regimes", key)


@router.post("/regimes/{code}/closure")
async def close(
    request: Request, portal: PortalDep, visitor: VisitorDep, form: FormDep, code: str
) -> Response:
    _may(visitor, CHANGERS)
    key = form_key_of(form)
    body = {"effective_to": forms.text(form, "effective_to")}
    try:
        await portal.api.send(
            Service.LOANS,
            "POST",
            f"/regimes/{code}/closure",
            token=visitor.token,
            json=body,
            key=key,
        )
    except Refusal as refused:
        return await _page(request, portal, visitor, Attempt(f"close-{code}", key, form, refused))
    return finished(request, "/regimes", key)
