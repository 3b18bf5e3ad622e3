"""A page with many forms: only the refused one shows the message, keeps its key and what was
typed; the others start afresh."""

from __future__ import annotations

from xkld_portal.application.errors import Refusal
from xkld_portal.entrypoints.staff_common import Attempt, form_key_of, refusal

REFUSED = Refusal(409, "Khoá đã đủ", "The course is full", {"file_code": ("Sai mã", "Bad code")})


def test_the_refused_form_keeps_its_key_and_the_others_get_fresh_ones() -> None:
    attempt = Attempt("enrol", "key-1", {"file_code": "abc"}, REFUSED)
    assert attempt.key("enrol") == "key-1"
    assert attempt.key("result") != "key-1"
    assert attempt.key("result") != attempt.key("result")


def test_only_the_refused_form_shows_what_was_typed_and_the_refusal() -> None:
    attempt = Attempt("enrol", "key-1", {"file_code": "abc"}, REFUSED)
    assert attempt.value("enrol", "file_code") == "abc"
    assert attempt.value("result", "file_code", "default") == "default"
    assert attempt.refused("enrol") is REFUSED
    assert attempt.refused("result") is None


def test_a_page_answers_with_the_refusal_s_status_or_200_when_nothing_was_refused() -> None:
    assert Attempt("enrol", "k", {}, REFUSED).status == 409
    assert Attempt().status == 200


def test_a_value_that_is_not_text_falls_back_to_the_default() -> None:
    attempt = Attempt("markets", "k", {"markets": ["JP", "KR"]})
    assert attempt.value("markets", "markets", "") == ""


def test_a_form_without_a_key_gets_one_so_that_it_is_still_sent_once() -> None:
    assert form_key_of({"form_key": "abc"}) == "abc"
    assert len(form_key_of({})) == 36


def test_the_portal_s_own_refusal_names_its_field_in_both_languages() -> None:
    made = refusal("file_code", "Sai mã", "Bad code")
    assert made.status == 422
    assert made.field_message("file_code", "vi") == "Sai mã"
    assert made.field_message("file_code", "en") == "Bad code"
