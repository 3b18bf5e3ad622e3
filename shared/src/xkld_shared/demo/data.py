"""What the demo loads: staff, reference data, targets, and about sixty workers with the
journey each one is walked through. Pure data, made the same way on every run.

Choices that look random (names, birthdays, hamlets, phone numbers) come from a hash of a fixed
seed and the worker's number, never from a random generator, so every run and every Python
version builds the same workers, and the same Idempotency-Keys.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import unicodedata
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

SEED = "xkld-demo-2026"
KEYS = uuid.uuid5(uuid.NAMESPACE_URL, f"https://xkld.invalid/demo/{SEED}")
TAN_QUOI, NHON_PHU = "29800", "29623"  # Xã Tân Quới and Xã Nhơn Phú, province 86 (Vĩnh Long)
PROVINCE = "86"
BRANCH = "VBSP-86"


def key(*parts: object) -> str:
    """A stable Idempotency-Key: the same request gets the same key on every run."""
    return str(uuid.uuid5(KEYS, "/".join(str(p) for p in parts)))


def nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text)


def _pick(options: Sequence[str], *parts: object) -> str:
    digest = hashlib.sha256("/".join([SEED, *map(str, parts)]).encode()).digest()
    return options[int.from_bytes(digest[:8], "big") % len(options)]


# --- staff ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Staff:
    username: str
    full_name: str
    roles: tuple[str, ...]
    communes: tuple[str, ...] = ()
    province: str | None = None
    branch: str | None = None

    def account(self, password: str) -> dict[str, Any]:
        return {
            "username": self.username,
            "full_name": self.full_name,
            "password": password,
            "roles": list(self.roles),
            "communes": list(self.communes),
            "province": self.province,
            "branch": self.branch,
        }


COMMUNE_OFFICER = "canbo.tanquoi"
LABOUR_OFFICER = "laodong.vinhlong"
TRAINING_STAFF = "daotao.longho"
LOAN_OFFICER = "tindung.vinhlong"
BANK_MANAGER = "giamdoc.vinhlong"
STAFF = (
    Staff(COMMUNE_OFFICER, "Cán bộ xã Tân Quới", ("commune_officer",), (TAN_QUOI, NHON_PHU)),
    Staff(LABOUR_OFFICER, "Chuyên viên Sở Nội vụ Vĩnh Long", ("labour_officer",), (), PROVINCE),
    Staff("baocao.vinhlong", "Người xem báo cáo", ("report_viewer",)),
    Staff(TRAINING_STAFF, "Trung tâm GDNN-GDTX Long Hồ", ("training_staff",), (), PROVINCE),
    Staff(LOAN_OFFICER, "Cán bộ tín dụng NHCSXH", ("loan_officer",), branch=BRANCH),
    Staff(BANK_MANAGER, "Giám đốc NHCSXH Vĩnh Long", ("bank_manager",), branch=BRANCH),
    Staff("canbo.nhonphu", "Cán bộ xã Nhơn Phú", ("commune_officer",), (NHON_PHU,)),
    Staff("quantri.demo", "Quản trị viên (demo)", ("admin",)),
)


# --- reference data ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Enterprise:
    code: str
    name: str
    licence_number: str
    markets: tuple[str, ...]
    valid_from_days: int  # relative to the first load's day
    valid_to_days: int

    def body(self, today: dt.date) -> dict[str, Any]:
        return {
            "code": self.code,
            "name": self.name,
            "licence_number": self.licence_number,
            "licence_valid_from": (today + dt.timedelta(self.valid_from_days)).isoformat(),
            "licence_valid_to": (today + dt.timedelta(self.valid_to_days)).isoformat(),
            "markets": list(self.markets),
        }


ENTERPRISES = (
    Enterprise(
        "DN-MEKONG-HR",
        "Công ty TNHH Nhân lực Quốc tế Mê Kông",
        "215/LĐTBXH-GP",
        ("JP_TITP", "JP_SSW"),
        -900,
        1200,
    ),
    Enterprise(
        "DN-CUULONG",
        "Công ty Cổ phần Hợp tác Lao động Cửu Long",
        "087/LĐTBXH-GP",
        ("KR_EPS", "TW", "MY"),
        -400,
        1500,
    ),
    Enterprise(
        "DN-PHUONGNAM",
        "Công ty Cổ phần Cung ứng Nhân lực Phương Nam",
        "342/LĐTBXH-GP",
        ("JP_TITP", "DE_CARE"),
        -200,
        1600,
    ),
    # Licence ended two months ago: the portal should show it, and no contract can be signed.
    Enterprise(
        "DN-SAOMAI",
        "Công ty TNHH Xuất khẩu Lao động Sao Mai",
        "019/LĐTBXH-GP",
        ("JP_TITP", "TW"),
        -1900,
        -60,
    ),
)


@dataclass(frozen=True)
class Course:
    code: str
    course_type: str
    title: str
    capacity: int
    starts_days: int
    ends_days: int

    def body(self, today: dt.date) -> dict[str, Any]:
        return {
            "code": self.code,
            "course_type": self.course_type,
            "title": self.title,
            "provider": "Trung tâm GDNN-GDTX Long Hồ",
            "venue": "Thị trấn Long Hồ, Vĩnh Long",
            "starts_on": (today + dt.timedelta(self.starts_days)).isoformat(),
            "ends_on": (today + dt.timedelta(self.ends_days)).isoformat(),
            "capacity": self.capacity,
        }


ORIENTATION = "GDDH-LONGHO-01"
JAPANESE, KOREAN, WELDING = "TIENGNHAT-N5-01", "TIENGHAN-EPS-01", "NGHE-HAN-01"
COURSES = (
    Course(ORIENTATION, "orientation", "Giáo dục định hướng cho người lao động", 60, -30, 30),
    Course(JAPANESE, "language", "Tiếng Nhật sơ cấp N5", 30, -45, 60),
    Course(KOREAN, "language", "Tiếng Hàn EPS-TOPIK", 25, -20, 70),
    Course(WELDING, "vocational", "Nghề hàn điện cơ bản", 20, -10, 80),
)


def targets(year: int) -> list[dict[str, Any]]:
    """This year's chỉ tiêu for the province and the two demo communes."""
    plan = {
        PROVINCE: (1200, 900, 600, 300, 27_000_000_000),
        TAN_QUOI: (45, 30, 20, 12, 1_000_000_000),
        NHON_PHU: (35, 25, 15, 8, 700_000_000),
    }
    indicators = ("registered", "trained", "departed", "loans_disbursed", "loans_disbursed_vnd")
    return [
        {"area_code": area, "year": year, "indicator": name, "value": value}
        for area, values in plan.items()
        for name, value in zip(indicators, values, strict=True)
    ]


# --- markets, as a contract and a loan see them -----------------------------------------------


@dataclass(frozen=True)
class Market:
    enterprise: str
    programme: str
    employer: str
    salary: int
    currency: str
    term_months: int
    costs_vnd: dict[str, int]
    loan_vnd: int


MARKETS = {
    "JP_TITP": Market(
        "DN-MEKONG-HR",
        "TITP",
        "Kabushiki Kaisha Sato Seiko",
        180_000,
        "JPY",
        36,
        {"service_fee": 60_000_000, "training": 15_000_000, "airfare": 12_000_000},
        80_000_000,
    ),
    "JP_SSW": Market(
        "DN-MEKONG-HR",
        "SSW",
        "Yamada Foods Co., Ltd.",
        220_000,
        "JPY",
        36,
        {"service_fee": 50_000_000, "airfare": 12_000_000},
        60_000_000,
    ),
    "KR_EPS": Market(
        "DN-CUULONG",
        "EPS",
        "Hanil Industrial Co.",
        2_060_740,
        "KRW",
        36,
        {"deposit": 20_000_000, "airfare": 9_000_000},
        25_000_000,
    ),
    "TW": Market(
        "DN-CUULONG",
        "contract_labour",
        "Formosa Electronics Corp.",
        27_470,
        "TWD",
        36,
        {"service_fee": 80_000_000, "airfare": 8_000_000},
        70_000_000,
    ),
    "DE_CARE": Market(
        "DN-PHUONGNAM",
        "nursing",
        "Pflegeheim am Park GmbH",
        2_900,
        "EUR",
        36,
        {"service_fee": 40_000_000, "language": 20_000_000},
        50_000_000,
    ),
}


# --- the journeys -----------------------------------------------------------------------------

TRAIN = ("eligible", f"enrol:{ORIENTATION}", f"pass:{ORIENTATION}")
GATES = ("contract", "health", "deposit", "visa")
LOAN_PAID = ("loan", "approve", "disburse")
READY_LOAN = (*TRAIN, *LOAN_PAID, *GATES)
READY_NO_LOAN = (*TRAIN, "no_loan", *GATES)
GONE = ("schedule", "depart")


@dataclass(frozen=True)
class Scenario:
    """Where a group of workers ends: the steps that take each of them there."""

    name: str
    count: int
    steps: tuple[str, ...]
    bank_consent: bool = True
    repay: bool = False  # a first repayment after the disbursement


SCENARIOS = (
    Scenario("submitted", 5, ()),
    Scenario("eligible", 3, ("eligible",)),
    Scenario("eligible_with_language", 1, ("eligible", f"enrol:{JAPANESE}")),
    Scenario("rejected", 2, ("reject",), bank_consent=False),
    Scenario("withdrawn_at_intake", 1, ("withdraw",), bank_consent=False),
    Scenario("withdrawn_with_a_loan_request", 1, ("eligible", "loan", "withdraw")),
    Scenario("in_training", 5, ("eligible", f"enrol:{ORIENTATION}")),
    Scenario("in_training_two_courses", 2, ("eligible", f"enrol:{ORIENTATION}", "enrol:lang")),
    Scenario("trained", 3, TRAIN),
    Scenario("withdrawn_after_training", 1, (*TRAIN, "withdraw")),
    Scenario("loan_requested", 3, (*TRAIN, "loan")),
    Scenario("loan_approved", 2, (*TRAIN, "loan", "approve", "health")),
    Scenario("loan_rejected", 1, (*TRAIN, "loan", "decline")),
    Scenario("loan_rejected_then_no_loan", 1, (*TRAIN, "loan", "decline", "no_loan", "health")),
    Scenario("no_loan_gates_partly_met", 3, (*TRAIN, "no_loan", "contract", "health")),
    Scenario("loan_disbursed_gates_met", 2, READY_LOAN, repay=True),
    Scenario("no_loan_gates_met", 1, READY_NO_LOAN),
    Scenario("departure_scheduled_with_loan", 2, (*READY_LOAN, "schedule")),
    Scenario("departure_scheduled", 2, (*READY_NO_LOAN, "schedule")),
    Scenario("abroad_with_loan", 4, (*READY_LOAN, *GONE, "check_in", "check_in"), repay=True),
    Scenario("abroad", 3, (*READY_NO_LOAN, *GONE, "check_in")),
    Scenario("absconded", 2, (*READY_NO_LOAN, *GONE, "check_in", "abscond")),
    Scenario("returned_completed", 3, (*READY_NO_LOAN, *GONE, "check_in", "return")),
    Scenario("returned_early", 3, (*READY_NO_LOAN, *GONE, "check_in", "return_early")),
    Scenario("returned_early_with_loan", 1, (*READY_LOAN, *GONE, "return_early")),
    Scenario("reintegration", 2, (*READY_NO_LOAN, *GONE, "check_in", "return", "refer")),
    Scenario("reintegration_after_early_return", 1, (*READY_LOAN, *GONE, "return_early", "refer")),
)
BANK_STEPS = frozenset({"approve", "decline", "disburse"})
EARLY_CAUSES = (
    "accident_or_illness",
    "employer_bankruptcy_or_force_majeure",
    "terminated_for_abuse",
    "dispute",
)
MARKET_ROTATION = ("JP_TITP", "KR_EPS", "JP_TITP", "TW", "JP_SSW", "KR_EPS", "DE_CARE")


@dataclass(frozen=True)
class Worker:
    number: int
    scenario: Scenario
    full_name: str
    cccd: str
    date_of_birth: str
    gender: str
    phone: str
    commune_code: str
    hamlet: str
    household_poverty: str
    priority_groups: tuple[str, ...]
    market: str
    education: str
    occupation: str
    sms: bool = True
    extras: dict[str, str] = field(default_factory=dict)

    @property
    def idempotency_key(self) -> str:
        return key("registration", self.number)

    @property
    def early_cause(self) -> str:
        return EARLY_CAUSES[self.number % len(EARLY_CAUSES)]

    @property
    def language_course(self) -> str:
        return KOREAN if self.market == "KR_EPS" else JAPANESE

    def registration_body(self) -> dict[str, Any]:
        return {
            "full_name": self.full_name,
            "cccd": self.cccd,
            "date_of_birth": self.date_of_birth,
            "gender": self.gender,
            "phone": self.phone,
            "commune_code": self.commune_code,
            "ethnicity_code": self.extras.get("ethnicity", "01"),
            "household_poverty": self.household_poverty,
            "consents": {
                "registration_processing": True,
                "sms_notifications": self.sms,
                "share_with_enterprise": True,
                "share_with_bank": self.scenario.bank_consent,
            },
            "consent_text_version": "2026-01",
            "hamlet": self.hamlet,
            "education": self.education,
            "occupation": self.occupation,
            "priority_groups": list(self.priority_groups),
            "desired_market": self.market,
            "desired_occupation": _pick(OCCUPATIONS_WANTED[self.market], "want", self.number),
            "loan_wanted": "loan" in self.scenario.steps,
        }


FAMILY = (
    "Nguyễn", "Trần", "Lê", "Phạm", "Huỳnh", "Võ", "Phan", "Trương", "Đặng", "Bùi",
    "Đỗ", "Hồ", "Ngô", "Dương", "Lý", "Châu", "Thạch", "Lâm",
)  # fmt: skip
KHMER_FAMILY = ("Thạch", "Sơn", "Danh", "Kim", "Lâm")
MIDDLE = {
    "male": ("Văn", "Hữu", "Minh", "Quốc", "Thanh", "Công", "Hoàng", "Đức"),
    "female": ("Thị", "Ngọc", "Thu", "Kim", "Mỹ", "Thanh", "Bích", "Hồng"),
}
GIVEN = {
    "male": (
        "An", "Bảo", "Cường", "Dũng", "Đạt", "Hải", "Hiếu", "Hùng", "Khang", "Khoa", "Lộc",
        "Nam", "Phát", "Phúc", "Quân", "Sơn", "Tài", "Thắng", "Thịnh", "Toàn", "Trí", "Tuấn",
        "Vinh", "Nghĩa",
    ),
    "female": (
        "Anh", "Diễm", "Duyên", "Giang", "Hà", "Hạnh", "Hằng", "Hoa", "Hương", "Lan", "Linh",
        "Loan", "Mai", "My", "Ngân", "Nhung", "Oanh", "Phương", "Quyên", "Thảo", "Thư",
        "Trang", "Tuyết", "Yến",
    ),
}  # fmt: skip
HAMLETS = {
    TAN_QUOI: ("Ấp Tân Thuận", "Ấp Tân Hòa", "Ấp Tân Lập", "Ấp Tân Quới Tây", "Ấp Tân Phú"),
    NHON_PHU: ("Ấp Phú Thạnh", "Ấp Phú Long", "Ấp Nhơn Bình", "Ấp Nhơn Hòa"),
}
OCCUPATIONS = (
    "Làm ruộng", "Công nhân may", "Thợ hàn", "Phụ hồ", "Bán hàng", "Nuôi cá",
    "Thợ điện", "Lao động tự do",
)  # fmt: skip
OCCUPATIONS_WANTED = {
    "JP_TITP": ("Chế biến thực phẩm", "Cơ khí", "Xây dựng", "Nông nghiệp"),
    "JP_SSW": ("Chế biến thực phẩm", "Điều dưỡng", "Nhà hàng"),
    "KR_EPS": ("Sản xuất chế tạo", "Nông nghiệp", "Ngư nghiệp"),
    "TW": ("Điện tử", "Dệt may", "Cơ khí"),
    "DE_CARE": ("Điều dưỡng", "Hộ lý"),
}
EDUCATION = ("lower_secondary", "upper_secondary", "upper_secondary", "vocational", "college")
POVERTY = ("poor", "near_poor", "not_poor", "not_poor")
GROUPS = {"poor": ("poor_household",), "near_poor": ("near_poor_household",), "not_poor": ()}
EXTRA_GROUPS = ("", "", "", "demobilised_soldier", "farmland_recovered", "unemployed_graduate")
# Valid Vietnamese mobile prefixes (Viettel, Vinaphone, MobiFone).
MOBILE_PREFIXES = ("090", "091", "093", "094", "096", "097", "098", "032", "033", "035",
                   "036", "037", "038", "039", "070", "076", "077", "079", "081", "083",
                   "084", "085", "086", "088")  # fmt: skip

# The three workers the first demo loaded (same people, so a system that has them keeps them).
FIRST_THREE = (
    ("Nguyễn Văn An", "086200111111", "2000-03-14", "male", "0912000001", TAN_QUOI, True),
    ("Trần Thị Bình", "086301222222", "2001-07-02", "female", "0912000002", TAN_QUOI, True),
    ("Lê Văn Cường", "086099333333", "1999-11-20", "male", "0912000003", NHON_PHU, False),
)


def _khmer(number: int) -> bool:
    """A few Khmer workers (ethnicity 05), as in any Mekong delta commune."""
    return number % 13 == 7


def _identity(number: int) -> tuple[str, str, str, str, str, str, bool]:
    if number < len(FIRST_THREE):
        return FIRST_THREE[number]
    gender = "female" if number % 5 in (1, 3) else "male"
    family = KHMER_FAMILY if _khmer(number) else FAMILY
    name = " ".join(
        _pick(part, kind, number)
        for kind, part in (("family", family), ("middle", MIDDLE[gender]), ("given", GIVEN[gender]))
    )
    born = dt.date(1994, 1, 1) + dt.timedelta(days=(number * 2749) % 4300)  # 1994 - 2005
    century_digit = {"male": 0, "female": 1}[gender] + (2 if born.year >= 2000 else 0)
    serial = (number * 104_729 + 31_337) % 1_000_000  # 104 729 is prime: no two alike
    cccd = f"086{century_digit}{born.year % 100:02d}{serial:06d}"
    prefix = MOBILE_PREFIXES[number % len(MOBILE_PREFIXES)]
    phone = f"{prefix}{(number * 7_919 + 1_234_567) % 10_000_000:07d}"
    commune = NHON_PHU if number % 3 == 0 else TAN_QUOI
    return nfc(name), cccd, born.isoformat(), gender, phone, commune, number % 11 != 4


def workers() -> list[Worker]:
    made: list[Worker] = []
    for scenario in SCENARIOS:
        for _ in range(scenario.count):
            made.append(_worker(len(made), scenario))
    return made


def _worker(number: int, scenario: Scenario) -> Worker:
    name, cccd, born, gender, phone, commune, sms = _identity(number)
    poverty = _pick(POVERTY, "poverty", number)
    extra = _pick(EXTRA_GROUPS, "group", number)
    khmer = _khmer(number)
    chosen = {*GROUPS[poverty], extra, "ethnic_minority" if khmer else ""}
    groups = tuple(sorted(chosen - {""}))
    market = MARKET_ROTATION[number % len(MARKET_ROTATION)]
    return Worker(
        number=number,
        scenario=scenario,
        full_name=nfc(name),
        cccd=cccd,
        date_of_birth=born,
        gender=gender,
        phone=phone,
        commune_code=commune,
        hamlet=nfc(_pick(HAMLETS[commune], "hamlet", number)),
        household_poverty=poverty,
        priority_groups=groups,
        market=market,
        education=_pick(EDUCATION, "education", number),
        occupation=nfc(_pick(OCCUPATIONS, "occupation", number)),
        sms=sms,
        extras={"ethnicity": "05"} if khmer else {},
    )
