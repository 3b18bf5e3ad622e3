"""Names of what the audit trail holds: the services that keep one, the kinds of record and
the actions, by the codes each service writes (its `GET /audit`), as messages to translate.

They are kept by service because a code is only one service's word: identity's "update" is
an account's, and another service could use the word for something else. A code the portal
has no name for (one a newer service writes) is shown as it is.
"""

from __future__ import annotations

from xkld_portal.domain.bank import HISTORY_ACTIONS
from xkld_portal.domain.labels import N_

SERVICES = {
    "identity": N_("Staff accounts"),
    "registration": N_("Files and training"),
    "loans": N_("Bank loans"),
    "notifications": N_("Messages"),
    "reporting": N_("Reports and targets"),
    "outreach": N_("Outreach and surveys"),
}

RECORD_KINDS = {
    "identity": {"account": N_("Staff account")},
    "registration": {
        "registration": N_("Worker's file"),
        "trainee": N_("Trainee"),
        "course": N_("Course"),
        "course_plan_line": N_("Course plan line"),
        "enterprise": N_("Enterprise"),
        "market": N_("Market"),
    },
    "loans": {
        "loan_application": N_("Loan application"),
        "capital_pool": N_("Provincial loan capital"),
        "loan_regime": N_("Loan regime"),
    },
    "notifications": {
        "sms_template": N_("SMS template"),
        "sms_manual": N_("Message from staff"),
        "sms_contact": N_("Worker's SMS settings"),
        "sms_check_in_reply": N_("Check-in reply"),
    },
    "reporting": {"target": N_("Target")},
    "outreach": {
        "campaign": N_("Campaign"),
        "campaign_meeting": N_("Commune meeting"),
        "campaign_broadcast": N_("Campaign messages"),
        "campaign_recipient": N_("Campaign message to one person"),
        "message_template": N_("Message template"),
        "survey_round": N_("Survey round"),
        "survey_household": N_("Surveyed household"),
        "survey_member": N_("Surveyed person"),
    },
}

_GATES = {
    "journey.gate_cleared.health_certificate": N_("Health certificate recorded"),
    "journey.gate_cleared.contract": N_("Contract with a licensed enterprise recorded"),
    "journey.gate_cleared.deposit_or_guarantee": N_("Deposit or guarantee recorded"),
    "journey.gate_cleared.visa": N_("Visa recorded"),
}
_JOURNEY = {
    "registration.submitted": N_("File submitted"),
    "journey.found_eligible": N_("Found eligible"),
    "journey.rejected": N_("Rejected"),
    "journey.withdrawn": N_("Withdrawn"),
    "journey.enrolled": N_("Enrolled in a course"),
    "journey.attendance_recorded": N_("Attendance recorded"),
    "journey.course_completed": N_("Course completed"),
    "journey.loan_requested": N_("Loan requested"),
    "journey.no_loan_declared": N_("Goes without a loan"),
    "journey.loan_approved": N_("Loan approved"),
    "journey.loan_rejected": N_("Loan refused"),
    "journey.loan_disbursed": N_("Loan disbursed"),
    "journey.contract_signed": N_("Contract signed"),
    **_GATES,
    "journey.departure_scheduled": N_("Departure scheduled"),
    "journey.departed": N_("Departed"),
    "journey.check_in_recorded": N_("Check-in recorded"),
    "journey.absconded": N_("Absconded"),
    "journey.returned": N_("Returned"),
    "journey.reintegration_referred": N_("Referred for reintegration"),
}
_AFTER_RETURN = {
    "reintegration.outcome_recorded": N_("Reintegration outcome recorded"),
    "return_support.due": N_("Support after an early return owed"),
    "return_support.given": N_("Support after an early return given"),
    "return_support.refused": N_("Support after an early return refused"),
    "poverty_status.recorded": N_("Household poverty status recorded"),
    "success_story.written": N_("Success story written"),
}
_FILE_DATA = {
    "registration.consent_changed": N_("Consent changed"),
    "registration.personal_data_erased": N_("Personal data erased"),
}
_TRAINEES = {
    "trainee.registered": N_("Trainee registered"),
    "trainee.enrolled": N_("Trainee enrolled"),
    "trainee.attendance_recorded": N_("Trainee attendance recorded"),
    "trainee.course_completed": N_("Rural course completed"),
    "trainee.outcome_recorded": N_("Work after the course recorded"),
    "trainee.personal_data_erased": N_("Trainee's personal data erased"),
}
_REFERENCE = {
    "course.opened": N_("Course opened"),
    "course.support_terms_set": N_("Support terms of the course set"),
    "training.support_paid": N_("Training support paid"),
    "course_plan.line_set": N_("Course plan line set"),
    "course_plan.line_withdrawn": N_("Course plan line withdrawn"),
    "enterprise.listed": N_("Enterprise listed"),
    "enterprise.licence_renewed": N_("Enterprise licence renewed"),
    "enterprise.revoked": N_("Enterprise licence revoked"),
    "enterprise.complaint_recorded": N_("Complaint about an enterprise recorded"),
    "market.saved": N_("Market saved"),
}
# The loan page's own history names the application's steps; the audit trail adds the
# capital pool's and the regimes'.
_LOANS = HISTORY_ACTIONS | {
    "loan.pool_allocated": N_("Loan capital allocated"),
    "loan.pool_drawn": N_("Loan capital drawn for a loan"),
    "loan.pool_returned_repayment": N_("Loan capital returned by a repayment"),
    "loan.pool_returned_withdrawal": N_("Loan capital returned by a withdrawn application"),
    "loan.regime_added": N_("Loan regime added"),
    "loan.regime_closed": N_("Loan regime closed"),
}
ACTIONS = {
    "identity": {
        "create": N_("Account created"),
        "update": N_("Account changed"),
        "reset_password": N_("Password reset"),
        "unlock": N_("Account unlocked"),
        "sign_in_throttled": N_("Sign-in slowed after wrong passwords"),
        "locked_distributed_attack": N_("Locked: wrong passwords from many addresses"),
    },
    "registration": _JOURNEY | _AFTER_RETURN | _FILE_DATA | _TRAINEES | _REFERENCE,
    "loans": _LOANS,
    "notifications": {
        "sms_template_saved": N_("SMS template saved"),
        "sms_manual_sent": N_("Message sent by staff"),
        "sms_opt_out_set": N_("SMS opt-out changed"),
        "sms_check_in_reply_handled": N_("Check-in reply handled"),
    },
    "reporting": {"target_set": N_("Target set")},
    "outreach": {
        "campaign.created": N_("Campaign created"),
        "campaign.active": N_("Campaign started"),
        "campaign.closed": N_("Campaign ended"),
        "campaign_meeting.recorded": N_("Commune meeting recorded"),
        "campaign_broadcast.requested": N_("Campaign messages sent"),
        "campaign_recipient.settled": N_("Campaign message outcome recorded"),
        "message_template.edited": N_("Message template edited"),
        "survey_round.opened": N_("Survey round opened"),
        "survey_round.closed": N_("Survey round closed"),
        "survey_household.recorded": N_("Household recorded"),
        "survey_member.converted": N_("Surveyed person registered"),
        "survey_member.name_erased": N_("Surveyed person's name erased"),
        "survey_member.erased": N_("Surveyed person's data erased"),
    },
}


def action_name(service: str, code: str) -> str | None:
    """The action's message, or None when the portal has no name for it."""
    return ACTIONS.get(service, {}).get(code)


def record_kind_name(service: str, code: str) -> str | None:
    """The kind of record's message, or None when the portal has no name for it."""
    return RECORD_KINDS.get(service, {}).get(code)
