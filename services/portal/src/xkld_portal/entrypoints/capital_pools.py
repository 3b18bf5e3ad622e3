"""The provincial capital pool (Vĩnh Long NQ 37/2016): per year, the allocation entrusted to
VBSP, what was lent and repaid and what is left; the bank manager records an allocation."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response
from xkld_shared.identity.principal import Role

from xkld_portal.application.errors import NotAllowed, Refusal
from xkld_portal.application.ports import Service
from xkld_portal.domain.capital_pool import allocation_body, province_of
from xkld_portal.entrypoints.staff_common import Attempt, finished, form_key_of
from xkld_portal.entrypoints.web import FormDep, Portal, PortalDep, Visitor, VisitorDep, render

router = APIRouter()
READERS = (Role.LOAN_OFFICER, Role.BANK_MANAGER, Role.LABOUR_OFFICER)
RECORDERS = (Role.BANK_MANAGER,)


def _province(visitor: Visitor, roles: tuple[Role, ...]) -> str:
    province = province_of(visitor.principal)
    if not visitor.can(*roles) or province is None:
        raise NotAllowed
    return province


async def _page(request: Request, portal: Portal, visitor: Visitor, attempt: Attempt) -> Response:
    province = _province(visitor, READERS)
    report = await portal.api.get(Service.LOANS, f"/capital-pools/{province}", token=visitor.token)
    if attempt.form is None:
        attempt = Attempt("allocation", attempt.key("allocation"), {})
    return render(
        request,
        portal,
        "capital_pools.html",
        visitor=visitor,
        status_code=attempt.status,
        report=report,
        attempt=attempt,
        may_record=visitor.can(*RECORDERS),
    )


@router.get("/capital-pools")
async def capital_pools(request: Request, portal: PortalDep, visitor: VisitorDep) -> Response:
    return await _page(request, portal, visitor, Attempt())


@router.post("/capital-pools/allocations")
async def record_allocation(
    request: Request, portal: PortalDep, visitor: VisitorDep, form: FormDep
) -> Response:
    province = _province(visitor, RECORDERS)
    key = form_key_of(form)
    try:
        await portal.api.send(
            Service.LOANS,
            "POST",
            f"/capital-pools/{province}/allocations",
            token=visitor.token,
            json=allocation_body(form),
            key=key,
        )
    except Refusal as refused:
        return await _page(request, portal, visitor, Attempt("allocation", key, form, refused))
    return finished(request, "/capital-pools", key)
