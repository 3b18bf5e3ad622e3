"""A vocational course's trainees who stay, for the course page (`training.py`): only labour
officers and training centres read them, and only vocational courses have any."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from xkld_shared.identity.principal import Role

from xkld_portal.application.ports import Service
from xkld_portal.entrypoints.web import Portal, Visitor


async def trainees_of(portal: Portal, visitor: Visitor, course: dict[str, Any]) -> list[Any]:
    if not _listed_for(visitor, course):
        return []
    path = f"/courses/{quote(str(course['code']))}/trainees"
    listed: list[Any] = await portal.api.get(Service.REGISTRATION, path, token=visitor.token)
    return listed


def _listed_for(visitor: Visitor, course: dict[str, Any]) -> bool:
    """Only a vocational course has trainees who stay, and only these roles read them."""
    vocational = course.get("course_type") == "vocational"
    return vocational and visitor.can(Role.TRAINING_STAFF, Role.LABOUR_OFFICER)
