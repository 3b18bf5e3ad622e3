"""The support owed after an early return: every cause opens its items, and a decided item
moves only forward."""

from __future__ import annotations

from typing import get_args

import pytest
from xkld_registration.domain.return_support import (
    OWED,
    SupportAlreadyGiven,
    SupportBackToDue,
    SupportStatus,
    check_item,
    next_status,
    owed_for,
)
from xkld_shared.contracts.journey import EarlyReturnCause
from xkld_shared.errors import InvalidInput


def test_every_early_return_cause_of_the_contract_opens_some_support() -> None:
    assert set(OWED) == set(get_args(EarlyReturnCause))
    assert all(owed_for(cause) for cause in get_args(EarlyReturnCause))


def test_a_completed_contract_owes_nothing() -> None:
    assert owed_for(None) == ()


def test_an_item_of_another_cause_is_refused() -> None:
    assert check_item("death_or_missing", "repatriation").code == "repatriation"
    with pytest.raises(InvalidInput):
        check_item("dispute", "repatriation")


def test_due_becomes_given_or_refused_and_a_refusal_may_still_be_followed_by_the_support() -> None:
    due, given, refused = SupportStatus.DUE, SupportStatus.GIVEN, SupportStatus.REFUSED
    assert next_status(due, given) is given
    assert next_status(due, refused) is refused
    assert next_status(refused, given) is given
    assert next_status(given, given) is None


def test_given_is_final_and_nothing_goes_back_to_due() -> None:
    with pytest.raises(SupportAlreadyGiven):
        next_status(SupportStatus.GIVEN, SupportStatus.REFUSED)
    with pytest.raises(SupportBackToDue):
        next_status(SupportStatus.REFUSED, SupportStatus.DUE)
