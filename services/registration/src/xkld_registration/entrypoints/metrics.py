"""The programme's steps on `/metrics`, counted from registration's events as the relay
publishes them (so only committed steps count)."""

from __future__ import annotations

from xkld_shared.contracts import journey, registration, training
from xkld_shared.metrics import ServiceMetrics


def add_programme_metrics(metrics: ServiceMetrics) -> None:
    _count_files(metrics)
    _count_trainees(metrics)


def _count_files(metrics: ServiceMetrics) -> None:
    metrics.count_events(
        "xkld_registrations",
        "Labour-export files by step reached: submitted, eligible, rejected, withdrawn, "
        "departed, returned, absconded.",
        "step",
        {
            registration.RegistrationSubmitted.EVENT_TYPE: "submitted",
            journey.RegistrationFoundEligible.EVENT_TYPE: "eligible",
            journey.RegistrationRejected.EVENT_TYPE: "rejected",
            journey.RegistrationWithdrawn.EVENT_TYPE: "withdrawn",
            journey.WorkerDeparted.EVENT_TYPE: "departed",
            journey.WorkerReturned.EVENT_TYPE: "returned",
            journey.WorkerAbsconded.EVENT_TYPE: "absconded",
        },
    )


def _count_trainees(metrics: ServiceMetrics) -> None:
    metrics.count_events(
        "xkld_trainees",
        "Rural vocational trainees by step reached: registered, enrolled, completed, "
        "employment recorded.",
        "step",
        {
            training.TraineeRegistered.EVENT_TYPE: "registered",
            training.TraineeEnrolled.EVENT_TYPE: "enrolled",
            training.TraineeCourseCompleted.EVENT_TYPE: "completed",
            training.TraineeEmploymentRecorded.EVENT_TYPE: "employment_recorded",
        },
    )
