"""Every router of the portal, in the order they are matched."""

from __future__ import annotations

from fastapi import APIRouter

from xkld_portal.entrypoints import (
    admin_accounts,
    admin_audit,
    auth_pages,
    bank,
    bank_manager,
    enterprises,
    file_page,
    files,
    health,
    home,
    imports,
    intake,
    labour,
    markets,
    progress,
    regimes,
    report_pages,
    rural_courses,
    rural_reports,
    rural_support,
    rural_trainees,
    sms,
    sms_manual,
    steps,
    targets,
    trainee_replies,
    training,
)
from xkld_portal.entrypoints import course_plan as course_plan_pages


def routers() -> list[APIRouter]:
    # intake's /files/new before the file page's /files/{rid}; /courses/new before /courses/{code}
    return [
        health.router,
        auth_pages.router,
        home.router,
        intake.router,
        files.router,
        file_page.router,
        steps.router,
        imports.router,
        training.router,
        labour.router,
        enterprises.router,
        markets.router,
        targets.router,
        progress.router,
        report_pages.router,
        regimes.router,
        bank_manager.router,  # its /loans/proposals and /loans/portfolio before /loans/{id}
        bank.router,
        sms_manual.router,
        sms.router,
        admin_accounts.router,
        admin_audit.router,
        rural_trainees.router,
        rural_courses.router,
        rural_support.router,
        course_plan_pages.router,
        rural_reports.router,
        trainee_replies.router,
    ]
