"""Every router of the portal, in the order they are matched."""

from __future__ import annotations

from fastapi import APIRouter

from xkld_portal.entrypoints import (
    auth_pages,
    enterprises,
    health,
    home,
    labour,
    markets,
    training,
)


def routers() -> list[APIRouter]:
    return [
        health.router,
        auth_pages.router,
        home.router,
        training.router,
        labour.router,
        enterprises.router,
        markets.router,
    ]
