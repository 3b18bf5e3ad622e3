"""Names of codes the services use, as messages to translate (English is the source text)."""

from __future__ import annotations


def N_(message: str) -> str:  # noqa: N802 - gettext's marker name, so extraction finds it
    """Marks a message for the catalogue; it is translated where it is shown."""
    return message


STAGES = {
    "submitted": N_("Submitted"),
    "eligible": N_("Eligible"),
    "rejected": N_("Rejected"),
    "in_training": N_("In training"),
    "trained": N_("Trained"),
    "departure_scheduled": N_("Departure scheduled"),
    "abroad": N_("Abroad"),
    "absconded": N_("Absconded"),
    "returned_completed": N_("Returned, contract completed"),
    "returned_early": N_("Returned early"),
    "reintegration": N_("Reintegration"),
    "withdrawn": N_("Withdrawn"),
}
LOANS = {
    "none": N_("No loan asked yet"),
    "requested": N_("Loan requested"),
    "approved": N_("Loan approved"),
    "rejected": N_("Loan refused"),
    "disbursed": N_("Loan disbursed"),
    "no_loan": N_("Goes without a loan"),
}
GATES = {
    "health_certificate": N_("Health certificate"),
    "contract": N_("Contract with a licensed enterprise"),
    "deposit_or_guarantee": N_("Deposit or guarantee"),
    "visa": N_("Visa"),
}
PRIORITY_GROUPS = {
    "poor_household": N_("Poor household"),
    "near_poor_household": N_("Near-poor household"),
    "ethnic_minority": N_("Ethnic minority"),
    "farmland_recovered": N_("Household whose farmland was recovered"),
    "revolutionary_merit_family": N_("Family of a person with revolutionary merit"),
    "demobilised_soldier": N_("Demobilised soldier or police"),
    "youth_volunteer": N_("Youth volunteer"),
    "unemployed_graduate": N_("Unemployed new graduate"),
}
EARLY_CAUSES = {
    "accident_or_illness": N_("Accident or illness"),
    "employer_bankruptcy_or_force_majeure": N_("Employer bankruptcy or force majeure"),
    "terminated_for_abuse": N_("Contract ended because of abuse"),
    "dispute": N_("Dispute"),
    "death_or_missing": N_("Death or missing"),
}
POVERTY = {
    "poor": N_("Poor household"),
    "near_poor": N_("Near-poor household"),
    "not_poor": N_("Not poor"),
}
GENDERS = {"male": N_("Male"), "female": N_("Female")}
EDUCATION = {
    "none": N_("No schooling"),
    "primary": N_("Primary school"),
    "lower_secondary": N_("Lower secondary school"),
    "upper_secondary": N_("Upper secondary school"),
    "vocational": N_("Vocational training"),
    "college": N_("College"),
    "university": N_("University"),
}
ROLES = {
    "commune_officer": N_("Commune officer"),
    "training_staff": N_("Training centre"),
    "labour_officer": N_("Labour officer"),
    "loan_officer": N_("Bank loan officer"),
    "bank_manager": N_("Bank manager"),
    "report_viewer": N_("Report viewer"),
    "admin": N_("Administrator"),
}
# What the timeline shows for each event a file's history holds.
EVENTS = {
    "RegistrationSubmitted": N_("File submitted"),
    "RegistrationFoundEligible": N_("Found eligible"),
    "RegistrationRejected": N_("Rejected"),
    "RegistrationWithdrawn": N_("Withdrawn"),
    "RegistrationPersonalDataErased": N_("Personal data erased"),
    "TrainingEnrolled": N_("Enrolled in a course"),
    "TrainingCompleted": N_("Course completed"),
    "WorkerTrained": N_("Orientation certificate issued"),
    "LoanRequested": N_("Loan requested"),
    "NoLoanDeclared": N_("Goes without a loan"),
    "ContractSigned": N_("Contract signed"),
    "DepartureGateCleared": N_("Departure document recorded"),
    "DepartureScheduled": N_("Departure scheduled"),
    "WorkerDeparted": N_("Departed"),
    "CheckInRecorded": N_("Check-in recorded"),
    "WorkerReturned": N_("Returned"),
    "WorkerAbsconded": N_("Absconded"),
    "ReintegrationReferred": N_("Referred for reintegration"),
    "LoanApproved": N_("Loan approved"),
    "LoanRejected": N_("Loan refused"),
    "LoanDisbursed": N_("Loan disbursed"),
}
# The SMS templates notifications keeps, by the code it keys them with.
SMS_TEMPLATES = {
    "registration_received": N_("File received"),
    "registration_eligible": N_("File found eligible"),
    "registration_rejected": N_("File not eligible"),
    "course_enrolled": N_("Placed in a course"),
    "training_completed": N_("Course finished"),
    "loan_approved": N_("Loan approved"),
    "loan_rejected": N_("Loan refused"),
    "disbursement_day": N_("Disbursement day"),
    "repayment_due": N_("Repayment due"),
    "installment_overdue": N_("Repayment overdue"),
    "departure_scheduled": N_("Departure date"),
    "check_in_reminder": N_("Check-in reminder"),
    "welcome_home": N_("Welcome home"),
    "trainee_enrolled": N_("Trainee enrolled"),
    "trainee_course_start": N_("Course starts"),
    "trainee_course_result": N_("Course result"),
    "trainee_work_followup": N_("Work after the course"),
    "manual": N_("Message from staff"),
}
# The events a template is sent on: the file's events, and those of loans and rural training.
SMS_TRIGGERS = EVENTS | {
    "InstallmentOverdue": N_("Repayment overdue"),
    "LoanRestructured": N_("Loan restructured"),
    "TraineeEnrolled": N_("Trainee enrolled"),
    "TraineeCourseCompleted": N_("Rural course completed"),
    "TraineeEmploymentRecorded": N_("Work after the course recorded"),
}
# An SMS to a worker, as notifications reports it, and why one was not sent.
SMS_STATUSES = {
    "pending": N_("Waiting to be sent"),
    "awaiting_contact": N_("Waiting for the phone number"),
    "sent": N_("Sent to the provider"),
    "delivered": N_("Delivered to the phone"),
    "failed": N_("Not delivered"),
    "suppressed": N_("Not sent"),
    "cancelled": N_("Cancelled, no longer needed"),
}
SMS_NOT_SENT_BECAUSE = {
    "erased": N_("personal data erased"),
    "no_consent": N_("no consent to SMS"),
    "opted_out": N_("asked to receive no more SMS"),
}
IMPORT_OUTCOMES = {
    "created": N_("New file made"),
    "valid": N_("Valid, would be imported"),
    "skipped": N_("Already registered, skipped"),
    "rejected": N_("Refused"),
}
