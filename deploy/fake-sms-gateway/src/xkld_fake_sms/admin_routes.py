"""Test-control API: fault injection, recorded messages, counters."""

from __future__ import annotations

import logging

from fastapi import APIRouter, Response
from pydantic import BaseModel

from .gateway import GatewayDep
from .models import FaultConfig, RecordedMessage, Stats

logger = logging.getLogger(__name__)

router = APIRouter(prefix="/_admin")


class MessageList(BaseModel):
    count: int
    messages: list[RecordedMessage]


@router.get("/faults")
async def get_faults(gateway: GatewayDep) -> FaultConfig:
    return await gateway.state.get_faults()


@router.put("/faults")
async def put_faults(config: FaultConfig, gateway: GatewayDep) -> FaultConfig:
    await gateway.state.set_faults(config)
    logger.info("fault config replaced")
    return await gateway.state.get_faults()


@router.delete("/faults")
async def delete_faults(gateway: GatewayDep) -> FaultConfig:
    await gateway.state.reset_faults()
    logger.info("fault config reset")
    return await gateway.state.get_faults()


@router.get("/messages")
async def list_messages(
    gateway: GatewayDep, phone: str | None = None, request_id: str | None = None
) -> MessageList:
    messages = await gateway.state.list_messages(phone=phone, request_id=request_id)
    return MessageList(count=len(messages), messages=messages)


@router.delete("/messages", status_code=204)
async def clear_messages(gateway: GatewayDep) -> Response:
    # Cancel pending reports first so a callback from the previous scenario
    # cannot land in the next one.
    await gateway.reports.cancel_all()
    await gateway.state.clear()
    logger.info("messages and stats cleared")
    return Response(status_code=204)


@router.get("/stats")
async def get_stats(gateway: GatewayDep) -> Stats:
    return await gateway.state.stats()
