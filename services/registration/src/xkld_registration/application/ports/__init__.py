"""What the application layer needs from the outside world, one module per area; every port
is importable from here too, so a use case names `application.ports` and not its file."""

from __future__ import annotations

from xkld_registration.application.ports.follow_up import (
    ConsentAnswer,
    ConsentStore,
    PovertyRecord,
    PovertyStore,
    StoryInput,
    StoryRow,
    StoryStore,
)
from xkld_registration.application.ports.journey import JourneyDetails
from xkld_registration.application.ports.reference import (
    EnterpriseLicence,
    FileErasure,
    FileFilters,
    FileFinder,
    FileState,
    LookupIndexes,
    MarketStore,
    ReferenceStore,
    Sort,
)
from xkld_registration.application.ports.registrations import (
    Clock,
    CommuneDirectory,
    GivenConsents,
    MarketCatalogue,
    PersonalDataVault,
    RegistrationStore,
    Row,
    Sealed,
)
from xkld_registration.application.ports.support import (
    Enrolments,
    FileCourse,
    NewPayment,
    SupportFacts,
    SupportStore,
)
from xkld_registration.application.ports.trainees import (
    FileLink,
    FileOwner,
    Holder,
    TraineeCourse,
    TraineeHead,
    TraineeInsert,
    TraineeRecords,
    TraineeRow,
    TraineeStore,
)

__all__ = [
    "Clock",
    "CommuneDirectory",
    "ConsentAnswer",
    "ConsentStore",
    "Enrolments",
    "EnterpriseLicence",
    "FileCourse",
    "FileErasure",
    "FileFilters",
    "FileFinder",
    "FileLink",
    "FileOwner",
    "FileState",
    "GivenConsents",
    "Holder",
    "JourneyDetails",
    "LookupIndexes",
    "MarketCatalogue",
    "MarketStore",
    "NewPayment",
    "PersonalDataVault",
    "PovertyRecord",
    "PovertyStore",
    "ReferenceStore",
    "RegistrationStore",
    "Row",
    "Sealed",
    "Sort",
    "StoryInput",
    "StoryRow",
    "StoryStore",
    "SupportFacts",
    "SupportStore",
    "TraineeCourse",
    "TraineeHead",
    "TraineeInsert",
    "TraineeRecords",
    "TraineeRow",
    "TraineeStore",
]
