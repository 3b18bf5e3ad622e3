"""Who may call what: every business endpoint of every service, against the real processes."""

from __future__ import annotations

import datetime as dt
import functools
import importlib
import json
import uuid
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass

import httpx
import jwt
import pytest
from xkld_shared.identity.principal import Principal, Role, Scope
from xkld_shared.identity.tokens import SigningKey, TokenIssuer
from xkld_shared.testing.http import local_client
from xkld_shared.testing.infra import Namespace, Templates, TestInfra
from xkld_shared.testing.kafka import eventually
from xkld_shared.testing.system import MODULES, System, officer_of, registration_body

# Each test is a few quick requests; the cost is the stack the module starts once, in the first
# test's time: five services on a busy machine took 147 s of the default 180 (CI ran out).
pytestmark = [pytest.mark.cost(0.5), pytest.mark.timeout(600)]

HOME, ELSEWHERE = "29800", "29641"  # both in Vĩnh Long (86)


@dataclass(frozen=True)
class Endpoint:
    service: str
    method: str
    path: str
    allowed: frozenset[Role]


_REPORT_READERS = frozenset({Role.REPORT_VIEWER, Role.LABOUR_OFFICER, Role.COMMUNE_OFFICER})

ENDPOINTS = [
    Endpoint("registration", "POST", "/registrations", frozenset({Role.COMMUNE_OFFICER})),
    Endpoint(
        "registration",
        "GET",
        "/registrations/{registration_id}",
        frozenset({Role.COMMUNE_OFFICER, Role.LABOUR_OFFICER}),
    ),
    Endpoint(
        "registration",
        "GET",
        "/registrations/{registration_id}/consents",
        frozenset({Role.COMMUNE_OFFICER, Role.LABOUR_OFFICER}),
    ),
    Endpoint(
        "registration",
        "GET",
        "/registrations/{registration_id}/consents/print",
        frozenset({Role.COMMUNE_OFFICER, Role.LABOUR_OFFICER}),
    ),
    Endpoint(
        "registration",
        "GET",
        "/registrations/{registration_id}/audit",
        frozenset({Role.LABOUR_OFFICER, Role.ADMIN}),
    ),
    Endpoint(
        "registration",
        "POST",
        "/registrations/{registration_id}/erasure",
        frozenset({Role.COMMUNE_OFFICER, Role.LABOUR_OFFICER}),
    ),
    Endpoint(
        "notifications",
        "GET",
        "/sms/messages/{registration_id}",
        frozenset({Role.COMMUNE_OFFICER, Role.LABOUR_OFFICER}),
    ),
    Endpoint(
        "reporting",
        "GET",
        "/reports/registrations-by-commune",
        frozenset({Role.REPORT_VIEWER, Role.LABOUR_OFFICER, Role.COMMUNE_OFFICER}),
    ),
    Endpoint("loans", "POST", "/loan-applications", frozenset({Role.LOAN_OFFICER})),
    Endpoint(
        "loans",
        "GET",
        "/loan-applications/{application_id}",
        frozenset({Role.LOAN_OFFICER, Role.BANK_MANAGER}),
    ),
    Endpoint(
        "loans",
        "POST",
        "/loan-applications/{application_id}/proposal",
        frozenset({Role.LOAN_OFFICER}),
    ),
    Endpoint(
        "loans",
        "POST",
        "/loan-applications/{application_id}/decision",
        frozenset({Role.BANK_MANAGER}),
    ),
    Endpoint(
        "loans",
        "POST",
        "/loan-applications/{application_id}/disbursement",
        frozenset({Role.LOAN_OFFICER}),
    ),
    Endpoint(
        "loans",
        "POST",
        "/loan-applications/{application_id}/repayments",
        frozenset({Role.LOAN_OFFICER}),
    ),
    Endpoint(
        "loans",
        "GET",
        "/loan-applications/{application_id}/schedule",
        frozenset({Role.LOAN_OFFICER, Role.BANK_MANAGER}),
    ),
    # loans: the bank's daily work
    *[
        Endpoint("loans", "GET", path, frozenset({Role.LOAN_OFFICER, Role.BANK_MANAGER}))
        for path in (
            "/loan-applications/{application_id}/repayments",
            "/loan-applications/{application_id}/balance",
            "/work-queues/disbursements-due",
            "/work-queues/flagged-for-review",
            "/portfolio",
            "/loan-applications/{application_id}/history",
            "/loan-applications/{application_id}/summary",
            "/work-queues/overdue",
        )
    ],
    Endpoint("loans", "GET", "/work-queues/applications-to-review", frozenset({Role.LOAN_OFFICER})),
    Endpoint("loans", "GET", "/work-queues/proposals-to-confirm", frozenset({Role.BANK_MANAGER})),
    Endpoint(
        "loans",
        "POST",
        "/loan-applications/{application_id}/restructuring",
        frozenset({Role.BANK_MANAGER}),
    ),
    Endpoint("loans", "POST", "/jobs/overdue", frozenset({Role.BANK_MANAGER})),
    Endpoint(
        "loans",
        "POST",
        "/loan-applications/{application_id}/review",
        frozenset({Role.LOAN_OFFICER}),
    ),
    Endpoint(
        "loans",
        "GET",
        "/regimes",
        frozenset({Role.LABOUR_OFFICER, Role.BANK_MANAGER, Role.LOAN_OFFICER}),
    ),
    Endpoint("loans", "POST", "/regimes", frozenset({Role.LABOUR_OFFICER, Role.BANK_MANAGER})),
    Endpoint(
        "loans",
        "POST",
        "/regimes/{code}/closure",
        frozenset({Role.LABOUR_OFFICER, Role.BANK_MANAGER}),
    ),
    # loans: the provincial capital pool (issue 17)
    Endpoint(
        "loans",
        "GET",
        "/capital-pools/{province_code}",
        frozenset({Role.LOAN_OFFICER, Role.BANK_MANAGER, Role.LABOUR_OFFICER}),
    ),
    Endpoint(
        "loans",
        "POST",
        "/capital-pools/{province_code}/allocations",
        frozenset({Role.BANK_MANAGER}),
    ),
    # notifications (issue 6)
    Endpoint(
        "notifications",
        "GET",
        "/sms/contacts/{registration_id}",
        frozenset({Role.COMMUNE_OFFICER, Role.LABOUR_OFFICER}),
    ),
    Endpoint(
        "notifications",
        "POST",
        "/sms/contacts/{registration_id}/opt-out",
        frozenset({Role.COMMUNE_OFFICER, Role.LABOUR_OFFICER}),
    ),
    Endpoint(
        "notifications",
        "POST",
        "/sms/manual-messages",
        frozenset({Role.COMMUNE_OFFICER, Role.LABOUR_OFFICER}),
    ),
    Endpoint(
        "notifications",
        "POST",
        "/sms/templates/preview",
        frozenset({Role.COMMUNE_OFFICER, Role.LABOUR_OFFICER, Role.ADMIN}),
    ),
    Endpoint(
        "notifications",
        "GET",
        "/sms/templates",
        frozenset({Role.COMMUNE_OFFICER, Role.LABOUR_OFFICER, Role.ADMIN}),
    ),
    Endpoint(
        "notifications",
        "GET",
        "/sms/trainee-replies",
        frozenset({Role.COMMUNE_OFFICER, Role.LABOUR_OFFICER}),
    ),
    Endpoint(
        "notifications",
        "POST",
        "/sms/template-versions",
        frozenset({Role.LABOUR_OFFICER, Role.ADMIN}),
    ),
    # registration: the journey after intake, and its reference data
    Endpoint(
        "registration",
        "GET",
        "/registrations/{registration_id}/journey",
        frozenset({Role.COMMUNE_OFFICER, Role.LABOUR_OFFICER, Role.TRAINING_STAFF}),
    ),
    Endpoint(
        "registration",
        "POST",
        "/registrations/{registration_id}/eligibility",
        frozenset({Role.LABOUR_OFFICER}),
    ),
    Endpoint(
        "registration",
        "POST",
        "/registrations/{registration_id}/rejection",
        frozenset({Role.LABOUR_OFFICER}),
    ),
    Endpoint(
        "registration",
        "POST",
        "/registrations/{registration_id}/withdrawal",
        frozenset({Role.COMMUNE_OFFICER, Role.LABOUR_OFFICER}),
    ),
    Endpoint(
        "registration",
        "POST",
        "/registrations/{registration_id}/enrolments",
        frozenset({Role.TRAINING_STAFF}),
    ),
    Endpoint(
        "registration",
        "POST",
        "/registrations/{registration_id}/attendance",
        frozenset({Role.TRAINING_STAFF}),
    ),
    Endpoint(
        "registration",
        "POST",
        "/registrations/{registration_id}/training-results",
        frozenset({Role.TRAINING_STAFF}),
    ),
    Endpoint(
        "registration",
        "POST",
        "/registrations/{registration_id}/loan-request",
        frozenset({Role.COMMUNE_OFFICER}),
    ),
    Endpoint(
        "registration",
        "POST",
        "/registrations/{registration_id}/no-loan",
        frozenset({Role.COMMUNE_OFFICER}),
    ),
    Endpoint(
        "registration",
        "POST",
        "/registrations/{registration_id}/contract",
        frozenset({Role.LABOUR_OFFICER}),
    ),
    Endpoint(
        "registration",
        "POST",
        "/registrations/{registration_id}/gates/health-certificate",
        frozenset({Role.COMMUNE_OFFICER, Role.LABOUR_OFFICER}),
    ),
    Endpoint(
        "registration",
        "POST",
        "/registrations/{registration_id}/gates/deposit-or-guarantee",
        frozenset({Role.COMMUNE_OFFICER, Role.LABOUR_OFFICER}),
    ),
    Endpoint(
        "registration",
        "POST",
        "/registrations/{registration_id}/gates/visa",
        frozenset({Role.LABOUR_OFFICER}),
    ),
    Endpoint(
        "registration",
        "POST",
        "/registrations/{registration_id}/departure-schedule",
        frozenset({Role.LABOUR_OFFICER}),
    ),
    Endpoint(
        "registration",
        "POST",
        "/registrations/{registration_id}/departure",
        frozenset({Role.LABOUR_OFFICER}),
    ),
    Endpoint(
        "registration",
        "POST",
        "/registrations/{registration_id}/check-ins",
        frozenset({Role.COMMUNE_OFFICER, Role.LABOUR_OFFICER}),
    ),
    Endpoint(
        "registration",
        "POST",
        "/registrations/{registration_id}/absconding",
        frozenset({Role.COMMUNE_OFFICER, Role.LABOUR_OFFICER}),
    ),
    Endpoint(
        "registration",
        "POST",
        "/registrations/{registration_id}/return",
        frozenset({Role.COMMUNE_OFFICER, Role.LABOUR_OFFICER}),
    ),
    Endpoint(
        "registration",
        "POST",
        "/registrations/{registration_id}/consents",
        frozenset({Role.COMMUNE_OFFICER}),
    ),
    Endpoint(
        "registration",
        "POST",
        "/registrations/{registration_id}/reintegration-referrals",
        frozenset({Role.COMMUNE_OFFICER, Role.LABOUR_OFFICER}),
    ),
    Endpoint("registration", "POST", "/enterprises", frozenset({Role.LABOUR_OFFICER})),
    Endpoint(
        "registration",
        "GET",
        "/enterprises",
        frozenset({Role.LABOUR_OFFICER, Role.TRAINING_STAFF, Role.COMMUNE_OFFICER}),
    ),
    Endpoint(
        "registration",
        "POST",
        "/enterprises/{enterprise_code}/licence",
        frozenset({Role.LABOUR_OFFICER}),
    ),
    Endpoint(
        "registration",
        "POST",
        "/enterprises/{enterprise_code}/revocation",
        frozenset({Role.LABOUR_OFFICER}),
    ),
    Endpoint("registration", "POST", "/courses", frozenset({Role.LABOUR_OFFICER})),
    Endpoint(
        "registration",
        "GET",
        "/courses",
        frozenset({Role.LABOUR_OFFICER, Role.TRAINING_STAFF, Role.COMMUNE_OFFICER}),
    ),
    Endpoint(
        "registration",
        "GET",
        "/courses/{course_code}/roster",
        frozenset({Role.LABOUR_OFFICER, Role.TRAINING_STAFF}),
    ),
    # registration: working the files (lists, search, import, timeline) and markets
    Endpoint(
        "registration",
        "GET",
        "/registrations",
        frozenset({Role.COMMUNE_OFFICER, Role.LABOUR_OFFICER}),
    ),
    Endpoint(
        "registration",
        "POST",
        "/registrations/search",
        frozenset({Role.COMMUNE_OFFICER, Role.LABOUR_OFFICER}),
    ),
    Endpoint("registration", "POST", "/registrations/imports", frozenset({Role.COMMUNE_OFFICER})),
    Endpoint(
        "registration",
        "GET",
        "/registrations/{registration_id}/timeline",
        frozenset({Role.COMMUNE_OFFICER, Role.LABOUR_OFFICER}),
    ),
    Endpoint("registration", "GET", "/markets", frozenset(Role)),
    # the staff portal's needs (issue 12): a commune's overview; the commune picker
    Endpoint(
        "registration",
        "GET",
        "/registrations/overview",
        frozenset({Role.COMMUNE_OFFICER, Role.LABOUR_OFFICER}),
    ),
    Endpoint("registration", "GET", "/communes", frozenset(Role)),
    Endpoint("registration", "POST", "/markets", frozenset({Role.LABOUR_OFFICER})),
    # registration: rural vocational training for people who stay (issue 19)
    Endpoint("registration", "POST", "/trainees", frozenset({Role.COMMUNE_OFFICER})),
    Endpoint(
        "registration",
        "POST",
        "/trainees/{trainee_id}/enrolments",
        frozenset({Role.TRAINING_STAFF}),
    ),
    Endpoint(
        "registration",
        "POST",
        "/trainees/{trainee_id}/attendance",
        frozenset({Role.TRAINING_STAFF}),
    ),
    Endpoint(
        "registration",
        "POST",
        "/trainees/{trainee_id}/training-results",
        frozenset({Role.TRAINING_STAFF}),
    ),
    Endpoint("registration", "GET", "/trainees/outcomes-due", frozenset({Role.COMMUNE_OFFICER})),
    Endpoint(
        "registration",
        "POST",
        "/trainees/{trainee_id}/employment-outcomes",
        frozenset({Role.COMMUNE_OFFICER}),
    ),
    Endpoint(
        "registration",
        "GET",
        "/trainees/{trainee_id}/history",
        frozenset({Role.COMMUNE_OFFICER, Role.LABOUR_OFFICER, Role.TRAINING_STAFF}),
    ),
    Endpoint(
        "registration",
        "GET",
        "/registrations/{registration_id}/rural-training",
        frozenset({Role.COMMUNE_OFFICER, Role.LABOUR_OFFICER}),
    ),
    Endpoint(
        "registration",
        "PUT",
        "/courses/{course_code}/support-terms",
        frozenset({Role.LABOUR_OFFICER}),
    ),
    Endpoint(
        "registration",
        "GET",
        "/courses/{course_code}/support-sheet",
        frozenset({Role.LABOUR_OFFICER, Role.TRAINING_STAFF}),
    ),
    Endpoint(
        "registration",
        "POST",
        "/courses/{course_code}/support-payments",
        frozenset({Role.LABOUR_OFFICER}),
    ),
    Endpoint(
        "registration",
        "POST",
        "/trainees/{trainee_id}/erasure",
        frozenset({Role.COMMUNE_OFFICER, Role.LABOUR_OFFICER}),
    ),
    # registration: the yearly course plan (issue 19)
    Endpoint(
        "registration", "PUT", "/course-plan/lines/{line_id}", frozenset({Role.LABOUR_OFFICER})
    ),
    Endpoint(
        "registration",
        "POST",
        "/course-plan/lines/{line_id}/withdraw",
        frozenset({Role.LABOUR_OFFICER}),
    ),
    Endpoint(
        "registration",
        "GET",
        "/course-plan",
        frozenset({Role.LABOUR_OFFICER, Role.COMMUNE_OFFICER, Role.TRAINING_STAFF}),
    ),
    # registration: the trainee reads of the portal's screens (issue 19)
    Endpoint(
        "registration",
        "GET",
        "/trainees",
        frozenset({Role.COMMUNE_OFFICER, Role.LABOUR_OFFICER, Role.TRAINING_STAFF}),
    ),
    Endpoint(
        "registration",
        "POST",
        "/trainees/search",
        frozenset({Role.COMMUNE_OFFICER, Role.LABOUR_OFFICER, Role.TRAINING_STAFF}),
    ),
    Endpoint(
        "registration",
        "GET",
        "/trainees/{trainee_id}",
        frozenset({Role.COMMUNE_OFFICER, Role.LABOUR_OFFICER, Role.TRAINING_STAFF}),
    ),
    Endpoint(
        "registration",
        "GET",
        "/courses/{course_code}/trainees",
        frozenset({Role.LABOUR_OFFICER, Role.TRAINING_STAFF}),
    ),
    # reporting (issue 7): aggregates for readers; targets set by labour officers
    Endpoint("reporting", "GET", "/reports/progress", _REPORT_READERS),
    Endpoint("reporting", "GET", "/reports/progress.csv", _REPORT_READERS),
    Endpoint("reporting", "GET", "/reports/progress.xlsx", _REPORT_READERS),
    Endpoint("reporting", "GET", "/reports/charts/progress.svg", _REPORT_READERS),
    Endpoint("reporting", "GET", "/reports/charts/departures.svg", _REPORT_READERS),
    Endpoint("reporting", "GET", "/reports/charts/markets.svg", _REPORT_READERS),
    Endpoint("reporting", "GET", "/reports/registrations", _REPORT_READERS),
    Endpoint("reporting", "GET", "/reports/loans", _REPORT_READERS),
    Endpoint("reporting", "GET", "/reports/training", _REPORT_READERS),
    Endpoint("reporting", "GET", "/reports/follow-up", _REPORT_READERS),
    Endpoint("reporting", "GET", "/reports/sms", _REPORT_READERS),
    Endpoint("reporting", "GET", "/reports/freshness", _REPORT_READERS),
    Endpoint("reporting", "GET", "/reports/rural-training/trainees", _REPORT_READERS),
    Endpoint("reporting", "GET", "/reports/rural-training/support", _REPORT_READERS),
    Endpoint("reporting", "GET", "/reports/rural-training/employment", _REPORT_READERS),
    Endpoint("reporting", "GET", "/targets", _REPORT_READERS),
    Endpoint("reporting", "GET", "/targets/template.csv", _REPORT_READERS),
    Endpoint("reporting", "POST", "/targets", frozenset({Role.LABOUR_OFFICER})),
    Endpoint("reporting", "POST", "/targets/import", frozenset({Role.LABOUR_OFFICER})),
    # every service's audit trail, field names only, for the administrator
    *[
        Endpoint(service, "GET", "/audit", frozenset({Role.ADMIN}))
        for service in ("registration", "loans", "notifications", "reporting", "outreach")
    ],
    # outreach: the labour-demand survey (issue 16)
    Endpoint("outreach", "POST", "/survey-rounds", frozenset({Role.COMMUNE_OFFICER})),
    Endpoint(
        "outreach", "GET", "/survey-rounds", frozenset({Role.COMMUNE_OFFICER, Role.LABOUR_OFFICER})
    ),
    Endpoint(
        "outreach",
        "GET",
        "/survey-rounds/{round_id}",
        frozenset({Role.COMMUNE_OFFICER, Role.LABOUR_OFFICER}),
    ),
    Endpoint(
        "outreach", "POST", "/survey-rounds/{round_id}/close", frozenset({Role.COMMUNE_OFFICER})
    ),
    Endpoint(
        "outreach",
        "POST",
        "/survey-rounds/{round_id}/households",
        frozenset({Role.COMMUNE_OFFICER}),
    ),
    Endpoint(
        "outreach", "POST", "/survey-rounds/{round_id}/imports", frozenset({Role.COMMUNE_OFFICER})
    ),
    *[
        Endpoint("outreach", "GET", path, frozenset({Role.COMMUNE_OFFICER, Role.LABOUR_OFFICER}))
        for path in ("/survey-rollups", "/survey-rollups/course-plan", "/survey-rollups/target")
    ],
    Endpoint(
        "outreach", "GET", "/respondents/{respondent_id}/intake", frozenset({Role.COMMUNE_OFFICER})
    ),
    # follow-up (issue 17): the worklist of workers abroad not heard from
    Endpoint(
        "registration",
        "GET",
        "/registrations/follow-up/silent-abroad",
        frozenset({Role.COMMUNE_OFFICER, Role.LABOUR_OFFICER}),
    ),
    # follow-up (issue 17): the inbox of check-in replies that could not be read
    Endpoint(
        "notifications",
        "GET",
        "/sms/check-in-replies",
        frozenset({Role.COMMUNE_OFFICER, Role.LABOUR_OFFICER}),
    ),
    Endpoint(
        "notifications",
        "POST",
        "/sms/check-in-replies/{reply_id}/handled",
        frozenset({Role.COMMUNE_OFFICER, Role.LABOUR_OFFICER}),
    ),
    # follow-up (issue 17): the support owed after an early return
    Endpoint(
        "registration",
        "GET",
        "/registrations/{registration_id}/return-support",
        frozenset({Role.COMMUNE_OFFICER, Role.LABOUR_OFFICER}),
    ),
    Endpoint(
        "registration",
        "POST",
        "/registrations/{registration_id}/return-support/{item_code}",
        frozenset({Role.COMMUNE_OFFICER, Role.LABOUR_OFFICER}),
    ),
    # follow-up (issue 17): reintegration outcomes 3 and 6 months after the return
    Endpoint(
        "registration",
        "POST",
        "/registrations/{registration_id}/reintegration-outcomes",
        frozenset({Role.COMMUNE_OFFICER, Role.LABOUR_OFFICER}),
    ),
    Endpoint(
        "registration",
        "GET",
        "/registrations/follow-up/reintegration-due",
        frozenset({Role.COMMUNE_OFFICER, Role.LABOUR_OFFICER}),
    ),
    # follow-up (issue 17): poverty status at intake and after return, and what it adds up to
    Endpoint(
        "registration",
        "GET",
        "/registrations/{registration_id}/poverty-status",
        frozenset({Role.COMMUNE_OFFICER, Role.LABOUR_OFFICER}),
    ),
    Endpoint(
        "registration",
        "POST",
        "/registrations/{registration_id}/poverty-status",
        frozenset({Role.COMMUNE_OFFICER, Role.LABOUR_OFFICER}),
    ),
    Endpoint("reporting", "GET", "/reports/outcomes", _REPORT_READERS),
    # success stories (issue 17)
    *[
        Endpoint(
            "registration", method, path, frozenset({Role.COMMUNE_OFFICER, Role.LABOUR_OFFICER})
        )
        for method, path in (
            ("PUT", "/registrations/{registration_id}/success-story"),
            ("GET", "/registrations/{registration_id}/success-story"),
            ("GET", "/registrations/{registration_id}/success-story/print"),
            ("GET", "/success-stories"),
        )
    ],
    # enterprise reputation (issue 17)
    Endpoint(
        "registration",
        "POST",
        "/enterprises/{enterprise_code}/complaints",
        frozenset({Role.LABOUR_OFFICER}),
    ),
    Endpoint(
        "registration",
        "GET",
        "/enterprises/{enterprise_code}/complaints",
        frozenset({Role.LABOUR_OFFICER}),
    ),
    Endpoint("reporting", "GET", "/reports/enterprises", _REPORT_READERS),
    # outreach campaigns (issue 16): templates, campaigns, meetings, broadcasts, funnel, exports
    *[
        Endpoint("outreach", method, path, frozenset({Role.COMMUNE_OFFICER, Role.LABOUR_OFFICER}))
        for method, path in (
            ("GET", "/message-templates"),
            ("GET", "/message-templates/{code}"),
            ("PUT", "/message-templates/{code}"),
            ("POST", "/campaigns"),
            ("GET", "/campaigns"),
            ("GET", "/campaigns/{campaign_id}"),
            ("POST", "/campaigns/{campaign_id}/status"),
            ("POST", "/campaigns/{campaign_id}/meetings"),
            ("GET", "/campaigns/{campaign_id}/announcement"),
            ("POST", "/campaigns/{campaign_id}/broadcasts"),
            ("GET", "/campaigns/{campaign_id}/recipients"),
            ("GET", "/campaigns/{campaign_id}/funnel"),
            ("GET", "/survey-rollups/export"),
        )
    ],
    # outreach (issue 16): erasure of a survey member who never registered
    Endpoint(
        "outreach",
        "POST",
        "/survey-members/{respondent_id}/erasure",
        frozenset({Role.COMMUNE_OFFICER, Role.LABOUR_OFFICER}),
    ),
    # campaign broadcasts (issue 16): the channel report, scoped to the reader's area
    Endpoint(
        "notifications",
        "GET",
        "/sms/channel-report",
        frozenset({Role.COMMUNE_OFFICER, Role.LABOUR_OFFICER}),
    ),
]
BRANCH = "VBSP-86"
_CAMPAIGN = {
    "goal": "Chính sách vay vốn của tỉnh",
    "communes": [HOME],
    "channels": ["sms_broadcast"],
    "period_start": "2026-03-01",
    "period_end": "2026-03-31",
    "template_code": "loan_policy_nq37",
}
# Open on purpose: probes, and the provider's callbacks (they prove themselves with a token).
OPEN = {
    "/health",
    "/ready",
    "/metrics",
    "/sms/delivery-reports",
    "/sms/inbound",
    "/sms/zalo-callbacks",  # Zalo's delivery webhook (issue 16), with a token like the others
}


@dataclass
class Running:
    system: System
    registration_id: str
    application_id: str
    trainee_id: str
    round_id: str
    respondent_id: str
    campaign_id: str = ""


@pytest.fixture(scope="module")
async def running(
    infra: TestInfra, templates: Templates, sms_gateway: str
) -> AsyncIterator[Running]:
    ns = await Namespace.create(infra, templates)
    system = System(ns, sms_gateway)
    try:
        await system.start(["registration", "notifications", "reporting", "loans", "outreach"])
        async with local_client() as client:
            answer = await client.post(
                f"{system.url('registration')}/registrations",
                json=registration_body(commune_code=HOME),
                headers=officer_of(ns, HOME),
            )
            assert answer.status_code == 201, answer.text
            loan = await client.post(
                f"{system.url('loans')}/loan-applications",
                json=application_body(),
                headers=ns.auth(Role.LOAN_OFFICER, branch=BRANCH),
            )
            assert loan.status_code == 201, loan.text
            trainee = await client.post(
                f"{system.url('registration')}/trainees",
                json=registration_body(commune_code=HOME),
                headers=officer_of(ns, HOME),
            )
            assert trainee.status_code == 201, trainee.text
            survey_round = await client.post(
                f"{system.url('outreach')}/survey-rounds",
                json=_BODIES["/survey-rounds"](),
                headers=officer_of(ns, HOME) | {"Idempotency-Key": "access-control-round"},
            )
            assert survey_round.status_code == 201, survey_round.text
            household = await client.post(
                f"{system.url('outreach')}/survey-rounds/{survey_round.json()['round_id']}"
                "/households",
                json={"hamlet": "Ấp 1", "members": [_SURVEY_MEMBER]},
                headers=officer_of(ns, HOME) | {"Idempotency-Key": "access-control-household"},
            )
            assert household.status_code == 201, household.text
            campaign = await client.post(
                f"{system.url('outreach')}/campaigns",
                json=_CAMPAIGN,
                headers=officer_of(ns, HOME) | {"Idempotency-Key": "access-control-campaign"},
            )
            assert campaign.status_code == 201, campaign.text
        yield Running(
            system,
            answer.json()["registration_id"],
            loan.json()["application_id"],
            trainee.json()["trainee_id"],
            survey_round.json()["round_id"],
            household.json()["member_ids"][0],
            campaign.json()["campaign_id"],
        )
    finally:
        await system.stop_all()
        await ns.drop()


def _url(running: Running, endpoint: Endpoint) -> str:
    ids = {
        "registration_id": running.registration_id,
        "application_id": running.application_id,
        "trainee_id": running.trainee_id,
        "round_id": running.round_id,
        "respondent_id": running.respondent_id,
        "code": "ND61-2015",  # a loan regime
        "province_code": "86",  # a province's capital pool
    }
    ids |= {"enterprise_code": "DN-NONE", "course_code": "KH-NONE"}  # registration's reference data
    ids |= {"line_id": _NEW_ID}  # a course plan line that does not exist
    ids |= {"reply_id": _NEW_ID}  # a check-in reply that does not exist
    ids |= {"item_code": "job_referral"}  # an item of the support owed after an early return
    ids |= {"campaign_id": running.campaign_id}  # an outreach campaign in HOME
    return running.system.url(endpoint.service) + endpoint.path.format(**ids)


def application_body() -> dict[str, object]:
    return {
        "registration_id": str(uuid.uuid4()),
        "commune_code": HOME,
        "programme": "labour_export",
        "application_date": "2026-02-10",
        "priority_groups": ["poor_household"],
        "contract_costs_vnd": 100_000_000,
        "requested_vnd": 90_000_000,
        "requested_term_months": 24,
        "contract_term_months": 36,
    }


_NEW_ID = "00000000-0000-4000-8000-000000000000"
# A survey respondent who wants to go: one the pre-filled intake is offered for.
_SURVEY_MEMBER = {
    "age_band": "18-24",
    "gender": "male",
    "education": "upper_secondary",
    "current_work": "farming",
    "wants_training": False,
    "wants_abroad": True,
    "market_code": "KR_EPS",
    "abroad_when": "later",
    "needs_loan": False,
    "contact_consent": True,
}
JOURNEY_BODIES: dict[str, Callable[[], dict[str, object]]] = {
    "/eligibility": lambda: {},
    "/rejection": lambda: {"reason_code": "not_voluntary"},
    "/withdrawal": lambda: {"reason_code": "changed_mind"},
    "/enrolments": lambda: {"course_id": _NEW_ID},
    "/attendance": lambda: {"course_id": _NEW_ID, "attended_on": "2026-03-01", "present": True},
    "/training-results": lambda: {"course_id": _NEW_ID, "passed": True},
    "/loan-request": lambda: {
        "requested_vnd": 90_000_000,
        "cost_breakdown_vnd": {"service_fee": 100_000_000},
        "purpose_code": "labour_export_costs",
        "requested_term_months": 36,
        "market_code": "JP",
        "programme": "TITP",
        "contract_term_months": 36,
    },
    "/no-loan": lambda: {},
    "/contract": lambda: {
        "enterprise_code": "DN-NONE",
        "contract_number": "HD-1",
        "market_code": "JP",
        "programme": "TITP",
        "employer_name": "KK Sato",
        "term_months": 36,
        "monthly_salary": 180_000,
        "salary_currency": "JPY",
        "signed_on": "2026-03-01",
    },
    "/gates/health-certificate": lambda: {
        "certificate_number": "SK-1",
        "issued_on": "2026-03-01",
        "facility": "BV Vĩnh Long",
        "conclusion": "Đủ sức khoẻ",
    },
    "/gates/deposit-or-guarantee": lambda: {"kind": "guarantee", "reference": "BL-1"},
    "/gates/visa": lambda: {"visa_number": "JP1", "issued_on": "2026-03-01"},
    "/departure-schedule": lambda: {"departure_on": "2026-12-01"},
    "/departure": lambda: {},
    "/check-ins": lambda: {
        "checked_in_on": "2026-03-01",
        "channel": "phone",
        "employment_status": "working",
        "wellbeing": "good",
    },
    "/absconding": lambda: {},
    "/return": lambda: {},
    "/reintegration-referrals": lambda: {"referral_code": "employment_service_centre"},
    "/consents": lambda: {
        "purpose": "share_with_bank",
        "granted": True,
        "consent_text_version": "2026-01",
    },
    "/registrations/search": lambda: {"name": "nguyen"},
    "/markets": lambda: {
        "code": "JP_TITP",
        "country_vi": "Nhật Bản",
        "programme": "TITP",
        "min_age": 18,
        "max_age": 35,
    },
    # reporting (issue 7)
    "/targets": lambda: {
        "targets": [{"area_code": HOME, "year": 2026, "indicator": "registered", "value": 10}]
    },
    "/targets/import": lambda: {"not": "a file; refused before it is read"},
}
_REFERENCE_BODIES: dict[str, Callable[[], dict[str, object]]] = {
    "/enterprises": lambda: {
        "code": "DN-NONE",
        "name": "X",
        "licence_number": "1",
        "licence_valid_from": "2026-01-01",
        "licence_valid_to": "2027-01-01",
        "markets": ["JP"],
    },
    "/enterprises/{enterprise_code}/licence": lambda: {
        "name": "X",
        "licence_number": "2",
        "licence_valid_from": "2026-01-01",
        "licence_valid_to": "2028-01-01",
        "markets": ["JP"],
    },
    "/enterprises/{enterprise_code}/revocation": lambda: {
        "revoked_on": "2026-03-01",
        "reason": "x",
    },
    "/courses": lambda: {
        "code": "KH-NONE",
        "course_type": "orientation",
        "title": "x",
        "provider": "x",
        "venue": "x",
        "starts_on": "2026-03-01",
        "ends_on": "2026-04-01",
        "capacity": 10,
    },
    "/enterprises/{enterprise_code}/complaints": lambda: {
        "category": "other",
        "complained_on": "2026-03-01",
        "details": "x",
    },
}

_BODIES: dict[str, Callable[[], dict[str, object]]] = {
    "/registrations": lambda: registration_body(commune_code=HOME),
    "/loan-applications": application_body,
    "/loan-applications/{application_id}/proposal": lambda: {"decision": "reject", "reason": "x"},
    "/loan-applications/{application_id}/decision": lambda: {"agree": False},
    "/loan-applications/{application_id}/repayments": lambda: {
        "amount_vnd": 1_000_000,
        "paid_on": "2026-04-01",
    },
    "/loan-applications/{application_id}/disbursement": lambda: {
        "amount_vnd": 90_000_000,
        "disbursed_on": "2026-03-01",
        "channel": "bank_transfer",
    },
    "/regimes": lambda: {"code": "X"},
    "/regimes/{code}/closure": lambda: {"effective_to": "2019-01-01"},
    "/loan-applications/{application_id}/restructuring": lambda: {
        "kind": "frozen",
        "effective_on": "2026-04-01",
        "reason": "x",
    },
    "/capital-pools/{province_code}/allocations": lambda: {
        "year": 2018,
        "amount_vnd": 1_000_000,
        "allocated_on": "2018-01-15",
    },
    # notifications (issue 6)
    "/sms/contacts/{registration_id}/opt-out": lambda: {"opted_out": False},
    "/sms/manual-messages": lambda: {"text": "Hop tai xa 8h", "registration_ids": []},
    "/sms/templates/preview": lambda: {"template_code": "loan_rejected"},
    "/sms/template-versions": lambda: {"code": "manual", "text": "XKLD: {{ text }}"},
    # registration: the journey after intake, and its reference data
    **{f"/registrations/{{registration_id}}{path}": body for path, body in JOURNEY_BODIES.items()},
    **_REFERENCE_BODIES,
    # registration: rural training (issue 19)
    "/trainees": lambda: registration_body(commune_code=HOME),
    "/trainees/{trainee_id}/enrolments": lambda: {"course_id": _NEW_ID, "distance_km": "3"},
    "/trainees/{trainee_id}/attendance": lambda: {
        "course_id": _NEW_ID,
        "attended_on": "2026-03-01",
        "present": True,
    },
    "/trainees/{trainee_id}/training-results": lambda: {"course_id": _NEW_ID, "passed": True},
    "/courses/{course_code}/support-payments": lambda: {"paid_on": "2026-03-01"},
    "/trainees/search": lambda: {"name": "an"},
    "/trainees/{trainee_id}/employment-outcomes": lambda: {
        "course_id": _NEW_ID,
        "outcome": "own_business",
        "observed_on": "2026-03-01",
    },
    # outreach (issue 16)
    "/survey-rounds": lambda: {
        "commune_code": HOME,
        "title": "Khảo sát 2026",
        "period_start": "2026-01-01",
        "period_end": "2026-03-31",
    },
    "/survey-rounds/{round_id}/households": lambda: {"hamlet": "Ấp 1", "members": []},
    # follow-up (issue 17)
    "/registrations/{registration_id}/return-support/{item_code}": lambda: {"status": "given"},
    "/registrations/{registration_id}/reintegration-outcomes": lambda: {
        "checkpoint_months": 3,
        "outcome": "job_found",
    },
    "/registrations/{registration_id}/poverty-status": lambda: {
        "list_year": 2026,
        "status": "poor",
    },
}


async def _call(running: Running, endpoint: Endpoint, headers: dict[str, str]) -> httpx.Response:
    make = _BODIES.get(endpoint.path)
    body = make() if make and endpoint.method == "POST" else None
    async with local_client() as client:
        return await client.request(
            endpoint.method, _url(running, endpoint), json=body, headers=headers
        )


def _ids(endpoint: Endpoint) -> str:
    return f"{endpoint.service} {endpoint.method} {endpoint.path}"


@pytest.mark.parametrize("endpoint", ENDPOINTS, ids=_ids)
async def test_every_business_endpoint_refuses_a_request_without_a_token(
    running: Running, endpoint: Endpoint
) -> None:
    answer = await _call(running, endpoint, {})
    assert answer.status_code == 401
    assert answer.json()["error"]["code"] == "not_authenticated"
    assert answer.json()["error"]["message_vi"]


@pytest.mark.parametrize("endpoint", ENDPOINTS, ids=_ids)
async def test_every_business_endpoint_refuses_the_wrong_roles(
    running: Running, endpoint: Endpoint
) -> None:
    ns = running.system.namespace
    for role in set(Role) - endpoint.allowed:
        headers = ns.auth(role, communes=(HOME,), province="86", branch=BRANCH)
        answer = await _call(running, endpoint, headers)
        assert answer.status_code == 403, f"{role} got {answer.status_code}"
        assert answer.json()["error"]["code"] == "forbidden"


async def test_admin_role_does_not_open_workers_personal_data(running: Running) -> None:
    ns = running.system.namespace
    admin = ns.auth(Role.ADMIN)
    url = f"{running.system.url('registration')}/registrations/{running.registration_id}"
    async with local_client() as client:
        assert (await client.get(url, headers=admin)).status_code == 403
        assert (await client.get(f"{url}/audit", headers=admin)).status_code == 200


@pytest.mark.parametrize(
    "endpoint", [e for e in ENDPOINTS if "_id}" in e.path and e.method == "GET"], ids=_ids
)
async def test_a_record_outside_the_readers_scope_answers_404(
    running: Running, endpoint: Endpoint
) -> None:
    ns = running.system.namespace
    outsiders = {
        Role.COMMUNE_OFFICER: ns.auth(Role.COMMUNE_OFFICER, communes=(ELSEWHERE,)),
        Role.LABOUR_OFFICER: ns.auth(Role.LABOUR_OFFICER, province="87"),
        Role.LOAN_OFFICER: ns.auth(Role.LOAN_OFFICER, branch="VBSP-87"),
        Role.BANK_MANAGER: ns.auth(Role.BANK_MANAGER, branch="VBSP-87"),
    }
    insiders = {
        Role.COMMUNE_OFFICER: ns.auth(Role.COMMUNE_OFFICER, communes=(HOME,)),
        Role.LABOUR_OFFICER: ns.auth(Role.LABOUR_OFFICER, province="86"),
        Role.LOAN_OFFICER: ns.auth(Role.LOAN_OFFICER, branch=BRANCH),
        Role.BANK_MANAGER: ns.auth(Role.BANK_MANAGER, branch=BRANCH),
    }
    for role in endpoint.allowed & set(outsiders):
        assert (await _call(running, endpoint, outsiders[role])).status_code == 404
        inside = await eventually(functools.partial(_ok, running, endpoint, insiders[role]))
        assert inside, f"{role} inside the scope was refused"


async def _ok(running: Running, endpoint: Endpoint, headers: dict[str, str]) -> bool:
    return (await _call(running, endpoint, headers)).status_code == 200


async def test_an_unknown_record_and_a_foreign_one_look_the_same(running: Running) -> None:
    ns = running.system.namespace
    base = f"{running.system.url('registration')}/registrations"
    outsider = ns.auth(Role.COMMUNE_OFFICER, communes=(ELSEWHERE,))
    async with local_client() as client:
        foreign = await client.get(f"{base}/{running.registration_id}", headers=outsider)
        unknown = await client.get(f"{base}/{uuid.uuid4()}", headers=outsider)
    assert foreign.status_code == unknown.status_code == 404
    assert foreign.json() == unknown.json()


async def test_registering_in_another_commune_is_forbidden(running: Running) -> None:
    ns = running.system.namespace
    async with local_client() as client:
        answer = await client.post(
            f"{running.system.url('registration')}/registrations",
            json=registration_body(commune_code=ELSEWHERE),
            headers=officer_of(ns, HOME),
        )
    assert answer.status_code == 403
    assert answer.json()["error"]["code"] == "outside_your_communes"


def _bad_tokens(ns: Namespace) -> dict[str, str]:
    officer = Principal("u1", "u1", frozenset({Role.COMMUNE_OFFICER}), Scope(frozenset({HOME})))
    good = TokenIssuer(ns.signing_key, issuer="xkld", audience="xkld")
    header, payload, signature = good.issue(officer).split(".")
    forged_claims = jwt.utils.base64url_decode(payload.encode())
    forged = json.loads(forged_claims) | {"xkld_scope": {"communes": [ELSEWHERE]}}
    tampered = jwt.utils.base64url_encode(json.dumps(forged).encode()).decode()
    stranger = SigningKey(ns.signing_key.kid, SigningKey.generate().private_key)
    past = dt.datetime.now(dt.UTC) - dt.timedelta(hours=1)
    return {
        "expired": good.issue(officer, now=past),
        "tampered payload": f"{header}.{tampered}.{signature}",
        "signed by another key with the same kid": TokenIssuer(
            stranger, issuer="xkld", audience="xkld"
        ).issue(officer),
        "unknown kid": TokenIssuer(SigningKey.generate(), "xkld", "xkld").issue(officer),
        "wrong audience": TokenIssuer(ns.signing_key, "xkld", "another-app").issue(officer),
        "wrong issuer": TokenIssuer(ns.signing_key, "evil", "xkld").issue(officer),
        # "" is PyJWT's "no key" for alg none (its types do not admit None).
        "alg none": jwt.encode({"sub": "u1", "aud": "xkld", "iss": "xkld"}, "", "none"),
        "not a jwt": "hello",
    }


async def test_expired_tampered_or_foreign_tokens_are_refused(running: Running) -> None:
    ns = running.system.namespace
    url = f"{running.system.url('registration')}/registrations/{running.registration_id}"
    async with local_client() as client:
        assert (
            await client.get(url, headers=ns.auth(Role.LABOUR_OFFICER, province="86"))
        ).status_code == 200
        for name, token in _bad_tokens(ns).items():
            answer = await client.get(url, headers={"Authorization": f"Bearer {token}"})
            assert answer.status_code == 401, name


async def test_every_route_of_every_service_is_either_listed_here_or_open(
    running: Running,
) -> None:
    """A new endpoint without access-control tests fails here. The OpenAPI document declares
    the bearer token on exactly the listed operations."""
    listed = {(e.service, e.method, e.path) for e in ENDPOINTS}
    env = running.system.namespace.env("registration")
    found, with_token = set(), set()
    with pytest.MonkeyPatch.context() as patch:
        for key, value in env.items():
            patch.setenv(key, value)
        for service, module in MODULES.items():
            app = importlib.import_module(f"{module}.bootstrap").create_app()
            document = app.openapi()
            assert document["components"]["securitySchemes"]["bearer"]["scheme"] == "bearer"
            for path, operations in document["paths"].items():
                for method, operation in operations.items():
                    if path not in OPEN:
                        found.add((service, method.upper(), path))
                    if operation.get("security") == [{"bearer": []}]:
                        with_token.add((service, method.upper(), path))
    assert found == listed
    assert with_token == listed
