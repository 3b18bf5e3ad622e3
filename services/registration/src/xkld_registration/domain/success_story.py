"""A success story for the district radio, from a completed contract and with the worker's
consent (pure): who may have one, and the Vietnamese text read on air."""

from __future__ import annotations

from dataclasses import dataclass

from xkld_shared.errors import Conflict

from xkld_registration.domain.journey_state import Journey, Stage


@dataclass(frozen=True)
class Story:
    given_name: str  # the name the radio uses: the last word of the full name, nothing more
    commune_name: str
    country_vi: str
    job: str
    term_months: int | None
    savings_vnd: int
    after_return: str


class StoryNeedsCompletedContract(Conflict):
    code = "story_needs_completed_contract"

    def __init__(self) -> None:
        super().__init__(
            "Chỉ viết câu chuyện thành công cho người đã về nước đúng hạn hợp đồng",
            "A success story is written only for a worker who completed the contract",
        )


class StoryNeedsConsent(Conflict):
    code = "missing_story_consent"

    def __init__(self) -> None:
        super().__init__(
            "Người lao động chưa đồng ý cho kể câu chuyện thành công (mục đích success_story): "
            "ghi nhận đồng ý trước",
            "The worker has not consented to a success story (purpose success_story): "
            "record the consent first",
        )


def check_completed(journey: Journey) -> None:
    completed = journey.stage is Stage.RETURNED_COMPLETED or (
        journey.stage is Stage.REINTEGRATION and journey.early_cause is None
    )
    if not completed:
        raise StoryNeedsCompletedContract


def given_name(full_name: str) -> str:
    words = full_name.split()
    return words[-1] if words else ""


def vnd(amount: int) -> str:
    return f"{amount:,}".replace(",", ".")


def radio_text(story: Story) -> str:
    """What the district radio reads: a few plain sentences, in Vietnamese."""
    s = story
    term = f" {s.term_months} tháng" if s.term_months else ""
    return (
        f"Câu chuyện đi làm việc ở nước ngoài thành công. "
        f"Người lao động {s.given_name}, ở {s.commune_name}, đã đi làm việc tại {s.country_vi} "
        f"theo hợp đồng{term}, làm công việc {s.job}. "
        f"Sau khi hoàn thành hợp đồng, {s.given_name} tiết kiệm được {vnd(s.savings_vnd)} đồng. "
        f"Về nước, {s.after_return.rstrip('.')}. "
        f"Người dân có nhu cầu đi làm việc ở nước ngoài theo hợp đồng, xin liên hệ cán bộ "
        f"lao động xã để được tư vấn và hỗ trợ vay vốn."
    )
