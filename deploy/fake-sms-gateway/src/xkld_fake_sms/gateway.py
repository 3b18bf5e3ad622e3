"""The per-app bundle of settings, state and background workers."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Request

from .reports import ReportDispatcher
from .settings import Settings
from .state import GatewayState


@dataclass(frozen=True, slots=True)
class Gateway:
    settings: Settings
    state: GatewayState
    reports: ReportDispatcher

    @classmethod
    def build(cls, settings: Settings) -> Gateway:
        state = GatewayState(seed=settings.random_seed)
        return cls(settings=settings, state=state, reports=ReportDispatcher(state, settings))


def get_gateway(request: Request) -> Gateway:
    gateway = request.app.state.gateway
    if not isinstance(gateway, Gateway):
        raise TypeError("app.state.gateway is not set; build the app with create_app()")
    return gateway


GatewayDep = Annotated[Gateway, Depends(get_gateway)]
