"""The campaign recipient's channel state machine, every state against every event, and every
sequence of up to five events: a recipient is never carried by both channels unless the first
one failed, nothing leaves a final state, and each outcome names the channel that carried it."""

from __future__ import annotations

import itertools

import pytest
from xkld_notifications.domain.broadcast import (
    FINAL,
    Happened,
    Recipient,
    Settle,
    State,
    Step,
    initial,
    step,
)

H = Happened
S = State

# Every (state, event) whose answer is not "nothing changes", for a recipient not yet taken
# up for SMS. Anything missing here must answer None.
EXPECTED: dict[tuple[State, Happened], Step] = {
    (S.PENDING_ZALO, H.ZALO_ACCEPTED): Step(S.ZALO_SENT, False, None, Settle("sent", "zalo")),
    (S.PENDING_ZALO, H.ZALO_DELIVERED): Step(S.DELIVERED, False, None, Settle("delivered", "zalo")),
    (S.PENDING_ZALO, H.ZALO_NO_ACCOUNT): Step(S.PENDING_SMS, True, "zalo_no_account"),
    (S.PENDING_ZALO, H.ZALO_REFUSED): Step(S.PENDING_SMS, True, "zalo_refused"),
    (S.PENDING_ZALO, H.OPTED_OUT): Step(
        S.SUPPRESSED, False, "opted_out", Settle("suppressed", None, "opted_out")
    ),
    (S.ZALO_SENT, H.ZALO_DELIVERED): Step(S.DELIVERED, False, None, Settle("delivered", "zalo")),
    (S.ZALO_SENT, H.ZALO_NO_ACCOUNT): Step(S.PENDING_SMS, True, "zalo_no_account"),
    (S.ZALO_SENT, H.ZALO_REFUSED): Step(S.PENDING_SMS, True, "zalo_refused"),
    (S.ZALO_SENT, H.ZALO_DEADLINE): Step(S.PENDING_SMS, True, "zalo_not_delivered"),
    (S.PENDING_SMS, H.SMS_ACCEPTED): Step(S.SMS_SENT, False, None, Settle("sent", "sms")),
    (S.PENDING_SMS, H.SMS_DELIVERED): Step(S.DELIVERED, False, None, Settle("delivered", "sms")),
    (S.PENDING_SMS, H.SMS_REFUSED): Step(
        S.FAILED, False, "sms_refused", Settle("failed", "sms", "sms_refused")
    ),
    (S.PENDING_SMS, H.SMS_FAILED): Step(
        S.FAILED, False, "sms_not_delivered", Settle("failed", "sms", "sms_not_delivered")
    ),
    (S.PENDING_SMS, H.ZALO_DELIVERED): Step(S.DELIVERED, False, None, Settle("delivered", "zalo")),
    (S.PENDING_SMS, H.OPTED_OUT): Step(
        S.SUPPRESSED, False, "opted_out", Settle("suppressed", None, "opted_out")
    ),
    (S.SMS_SENT, H.SMS_DELIVERED): Step(S.DELIVERED, False, None, Settle("delivered", "sms")),
    (S.SMS_SENT, H.SMS_FAILED): Step(
        S.FAILED, False, "sms_not_delivered", Settle("failed", "sms", "sms_not_delivered")
    ),
    (S.SMS_SENT, H.ZALO_DELIVERED): Step(S.SMS_SENT, False, None, late_zalo=True),
}


@pytest.mark.parametrize(("state", "happened"), list(itertools.product(State, Happened)))
def test_every_state_answers_every_event_as_the_table_says(
    state: State, happened: Happened
) -> None:
    assert step(Recipient(state), happened) == EXPECTED.get((state, happened))


@pytest.mark.parametrize("happened", list(Happened))
def test_a_late_zalo_report_cannot_cancel_an_sms_already_taken_up(happened: Happened) -> None:
    taken = Recipient(S.PENDING_SMS, fell_back=True, sms_attempted=True, reason="zalo_refused")
    result = step(taken, happened)
    if happened is H.ZALO_DELIVERED:
        assert result == Step(S.PENDING_SMS, True, "zalo_refused", late_zalo=True)
    else:
        untaken = step(Recipient(S.PENDING_SMS, True, False, "zalo_refused"), happened)
        assert result == untaken


def test_a_late_zalo_report_wins_while_the_fallback_sms_has_not_been_taken_up() -> None:
    waiting = Recipient(S.PENDING_SMS, fell_back=True, reason="zalo_not_delivered")
    assert step(waiting, H.ZALO_DELIVERED) == Step(
        S.DELIVERED, False, None, Settle("delivered", "zalo")
    )


def test_an_sms_after_a_fallback_says_so_and_keeps_the_reason() -> None:
    fell = Recipient(S.PENDING_SMS, fell_back=True, reason="zalo_no_account")
    assert step(fell, H.SMS_ACCEPTED) == Step(
        S.SMS_SENT, True, "zalo_no_account", Settle("sent", "sms")
    )


def test_the_route_and_the_template_choose_the_first_channel() -> None:
    assert initial("zalo_then_sms", True) is S.PENDING_ZALO
    assert initial("zalo_then_sms", False) is S.PENDING_SMS
    assert initial("sms", True) is S.PENDING_SMS


def _received(start: State, events: tuple[Happened, ...]) -> tuple[set[str], list[str], bool]:
    """Play a sequence as the store would: which channels carried it, what was published, and
    whether every SMS that carried it came after Zalo had given up."""
    r = Recipient(start)
    carried: set[str] = set()
    published: list[str] = []
    zalo_gave_up = sms_only_after_zalo_gave_up = False
    for happened in events:
        if happened is H.SMS_ACCEPTED and r.state is S.PENDING_SMS:
            r = Recipient(r.state, r.fell_back, True, r.reason)  # taken up before the answer
        nxt = step(r, happened)
        if nxt is None:
            continue
        zalo_gave_up |= nxt.fell_back and not r.fell_back
        if nxt.settle is not None:
            published.append(f"{nxt.settle.outcome}:{nxt.settle.channel}")
            if nxt.settle.outcome in ("sent", "delivered") and nxt.settle.channel:
                if nxt.settle.channel == "sms" and "sms" not in carried:
                    sms_only_after_zalo_gave_up = zalo_gave_up
                carried.add(nxt.settle.channel)
        r = Recipient(nxt.state, nxt.fell_back, r.sms_attempted, nxt.reason)
    assert (r.state in FINAL) == any(
        p.split(":")[0] in ("delivered", "failed", "suppressed") for p in published
    ), (start, events)
    return carried, published, sms_only_after_zalo_gave_up


SEQUENCES = [
    (start, events)
    for start in (S.PENDING_ZALO, S.PENDING_SMS)
    for n in range(1, 6)
    for events in itertools.product(Happened, repeat=n)
]


def test_no_sequence_of_events_carries_a_recipient_on_both_channels_unless_zalo_failed() -> None:
    for start, events in SEQUENCES:
        carried, published, sms_after_failure = _received(start, events)
        if carried == {"sms", "zalo"}:
            assert sms_after_failure, (start, events)
        # At most one final outcome is ever published for a recipient.
        finals = [p for p in published if p.split(":")[0] in ("delivered", "failed", "suppressed")]
        assert len(finals) <= 1, (start, events)


def test_an_sms_only_route_never_touches_zalo_except_to_note_a_stray_report() -> None:
    for start, events in SEQUENCES:
        if start is S.PENDING_SMS and H.ZALO_DELIVERED not in events:
            carried, _, _ = _received(start, events)
            assert "zalo" not in carried, events
