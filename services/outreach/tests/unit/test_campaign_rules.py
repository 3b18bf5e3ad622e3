"""Who a broadcast reaches, how outcomes move on, and how the funnel counts: pure rules."""

from __future__ import annotations

import uuid

import pytest
from xkld_outreach.domain.campaign import (
    CampaignStateConflict,
    Candidate,
    Target,
    audience,
    check_broadcastable,
    check_transition,
    furthest,
)
from xkld_outreach.domain.funnel import Person, funnel
from xkld_outreach.domain.phone import normalise_mobile
from xkld_outreach.domain.survey import Member, member_problems

HOME, OTHER = "29800", "29623"


def person(**overrides: object) -> Candidate:
    values: dict[str, object] = {
        "member_id": uuid.uuid4(),
        "commune_code": HOME,
        "hamlet": "Ấp Tân Phú",
        "age_band": "18-24",
        "priority_groups": frozenset({"demobilised_soldier"}),
        "contact_consent": True,
        "has_phone": True,
    }
    values.update(overrides)
    return Candidate(**values)  # type: ignore[arg-type]


def test_the_audience_is_the_consenting_people_with_a_phone_in_the_target() -> None:
    target = Target(frozenset({HOME}), frozenset({"demobilised_soldier"}))
    fits = person()
    others = [
        person(contact_consent=False),
        person(has_phone=False),
        person(commune_code=OTHER),
        person(priority_groups=frozenset({"poor_household"})),
        person(priority_groups=frozenset()),
    ]
    chosen = audience([fits, *others], target, [])
    assert [c.member_id for c in chosen.recipients] == [fits.member_id]
    assert chosen.already_sent == 0


def test_empty_target_dimensions_mean_anyone_and_hamlets_and_ages_narrow_it() -> None:
    people = [person(), person(hamlet="Ấp Khác"), person(age_band="45-54")]
    assert len(audience(people, Target(frozenset({HOME})), []).recipients) == 3
    narrow = Target(
        frozenset({HOME}), hamlets=frozenset({"Ấp Tân Phú"}), age_bands=frozenset({"18-24"})
    )
    assert [c.member_id for c in audience(people, narrow, []).recipients] == [people[0].member_id]


def test_a_person_already_asked_for_by_an_earlier_broadcast_is_left_out_and_counted() -> None:
    first, second = person(), person()
    chosen = audience([first, second], Target(frozenset({HOME})), [first.member_id])
    assert [c.member_id for c in chosen.recipients] == [second.member_id]
    assert chosen.already_sent == 1


def test_an_outcome_only_moves_forward() -> None:
    assert furthest("requested", "suppressed")
    assert furthest("requested", "sent")
    assert furthest("sent", "delivered")
    assert furthest("sent", "failed")
    assert furthest("failed", "delivered")
    assert not furthest("delivered", "sent")
    assert not furthest("delivered", "failed")
    assert not furthest("sent", "sent")


def test_a_campaign_moves_draft_active_closed_and_never_back() -> None:
    check_transition("draft", "active")
    check_transition("active", "closed")
    for current, wanted in (("active", "active"), ("closed", "active"), ("closed", "closed")):
        with pytest.raises(CampaignStateConflict):
            check_transition(current, wanted)


def test_a_broadcast_needs_an_active_campaign_with_the_sms_channel() -> None:
    check_broadcastable("active", ["sms_broadcast"])
    with pytest.raises(CampaignStateConflict):
        check_broadcastable("draft", ["sms_broadcast"])
    with pytest.raises(CampaignStateConflict):
        check_broadcastable("active", ["meeting"])


def test_the_funnel_counts_each_stage_as_a_subset_of_the_one_before() -> None:
    soldier, graduate = frozenset({"demobilised_soldier"}), frozenset({"unemployed_graduate"})
    both = soldier | graduate
    people = [
        Person(soldier, delivered=True),  # reached only
        Person(soldier, attended=True, marked_interested=True),  # interested
        Person(both, delivered=True, wants_abroad=True, registered=True, departed=True),
        Person(graduate, delivered=False, registered=True),  # never reached: not counted
        Person(graduate, attended=True, registered=True),  # registered implies interested
    ]
    result = funnel(people, walk_ins=4)
    assert result.total == {"reached": 4 + 4, "interested": 3, "registered": 2, "departed": 1}
    assert result.by_priority_group == {
        "demobilised_soldier": {"reached": 3, "interested": 2, "registered": 1, "departed": 1},
        "unemployed_graduate": {"reached": 2, "interested": 2, "registered": 2, "departed": 1},
    }
    assert result.walk_ins == 4


def test_a_phone_is_refused_without_consent_and_must_be_a_vietnamese_mobile() -> None:
    base = {
        "age_band": "18-24",
        "gender": "male",
        "education": "none",
        "current_work": "farming",
        "wants_training": False,
        "wants_abroad": False,
        "needs_loan": False,
    }
    no_consent = Member(**base, contact_consent=False, phone="0912345678")  # type: ignore[arg-type]
    assert [p.field for p in member_problems(no_consent)] == ["phone"]
    landline = Member(**base, contact_consent=True, phone="02703822222")  # type: ignore[arg-type]
    assert [p.field for p in member_problems(landline)] == ["phone"]
    mobile = Member(**base, contact_consent=True, phone="0912 345 678")  # type: ignore[arg-type]
    assert member_problems(mobile) == []
    assert normalise_mobile("0912 345 678") == "+84912345678"
    assert "0912" not in repr(mobile)
