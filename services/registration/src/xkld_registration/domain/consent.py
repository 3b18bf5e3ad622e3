"""Consent per purpose (Decree 13/2023, Law 91/2025): recorded, versioned, and obeyed."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from xkld_shared.errors import FieldProblem


class Purpose(StrEnum):
    REGISTRATION_PROCESSING = "registration_processing"
    SMS_NOTIFICATIONS = "sms_notifications"
    SHARE_WITH_ENTERPRISE = "share_with_enterprise"
    SHARE_WITH_BANK = "share_with_bank"
    # Asked after return, from a completed contract (issue 17): the story on the radio.
    SUCCESS_STORY = "success_story"


PURPOSE_TEXT_VI = {
    Purpose.REGISTRATION_PROCESSING: "Xử lý dữ liệu cá nhân để nhận và quản lý hồ sơ",
    Purpose.SMS_NOTIFICATIONS: "Nhận tin nhắn SMS thông báo các bước của hồ sơ",
    Purpose.SHARE_WITH_ENTERPRISE: "Chia sẻ hồ sơ với doanh nghiệp dịch vụ đã chọn",
    Purpose.SHARE_WITH_BANK: "Chia sẻ hồ sơ với Ngân hàng Chính sách xã hội để vay vốn",
    Purpose.SUCCESS_STORY: (
        "Kể câu chuyện thành công (việc làm, thị trường, tiền tiết kiệm, việc làm sau khi về) "
        "trên đài truyền thanh huyện và bản in, với tên gọi và xã"
    ),
}


@dataclass(frozen=True)
class ConsentAnswers:
    """Every purpose answered explicitly, against one version of the consent text."""

    answers: dict[Purpose, bool]
    text_version: str

    def granted(self, purpose: Purpose) -> bool:
        return self.answers.get(purpose, False)


def consent_problem(consents: ConsentAnswers) -> FieldProblem | None:
    if not consents.granted(Purpose.REGISTRATION_PROCESSING):
        return FieldProblem(
            "consents.registration_processing",
            "Cần có sự đồng ý xử lý dữ liệu cá nhân thì mới nhận được hồ sơ",
            "A file cannot be taken in without consent to process personal data",
        )
    return None
