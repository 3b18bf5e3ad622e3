"""Campaigns through the API: a survey member's phone (sealed, only with consent), editable
templates (versioned, audited), campaigns in the officer's area, meetings and the loudspeaker
text. A real outreach process and database."""

from __future__ import annotations

import asyncpg
from xkld_shared.contracts.registration import PHONE_PURPOSE
from xkld_shared.crypto import FieldCipher, parse_keyring
from xkld_shared.testing.http import local_client
from xkld_shared.testing.infra import Namespace
from xkld_shared.testing.processes import ServiceProcess

from .conftest import (
    OTHER,
    active_campaign,
    add_household,
    campaign_body,
    keyed,
    labour_officer,
    member,
    officer,
    open_round,
)


async def test_a_phone_is_kept_sealed_only_with_consent_and_never_shown(
    namespace: Namespace, outreach: ServiceProcess
) -> None:
    headers = officer(namespace)
    async with local_client(base_url=outreach.url, timeout=30) as client:
        round_id = await open_round(client, outreach.url, headers)
        refused = await client.post(
            f"/survey-rounds/{round_id}/households",
            json={"hamlet": "Ấp 1", "members": [member(contact_consent=False, phone="0912345678")]},
            headers=keyed(headers),
        )
        not_mobile = await client.post(
            f"/survey-rounds/{round_id}/households",
            json={"hamlet": "Ấp 1", "members": [member(phone="12345")]},
            headers=keyed(headers),
        )
        household = await add_household(
            client, outreach.url, round_id, headers, [member(phone="0912 345 678")]
        )
        shown = await client.get(f"/survey-rounds/{round_id}", headers=headers)
    assert refused.status_code == 422
    problem = refused.json()["error"]["fields"][0]
    assert problem["field"] == "members.0.phone"
    assert problem["message_vi"].startswith("Chỉ ghi số điện thoại")
    assert not_mobile.status_code == 422
    assert "0912345678" not in shown.text
    assert "345 678" not in shown.text
    [listed] = shown.json()["households"][0]["members"]
    assert listed["has_phone"] is True
    conn = await asyncpg.connect(namespace.dsn("outreach"))
    try:
        sealed = await conn.fetchval(
            "SELECT phone_sealed FROM survey_member WHERE id = $1::uuid",
            household["member_ids"][0],
        )
    finally:
        await conn.close()
    assert "912345678" not in sealed
    cipher = FieldCipher(parse_keyring(namespace.pii_keys), "k1")
    assert cipher.decrypt(sealed, purpose=PHONE_PURPOSE) == "+84912345678"


async def test_a_template_edit_is_a_new_version_once_per_key_with_an_audit_row(
    namespace: Namespace, outreach: ServiceProcess
) -> None:
    headers = labour_officer(namespace)
    edit = {
        "title": "Vay vốn đi làm việc ở nước ngoài",
        "sms_text": "UBND xa: vay von di lam viec o nuoc ngoai, lien he can bo xa.",
        "zalo_template_id": "vay_von_tinh",
        "zalo_params": {"lien_he": "cán bộ xã"},
        "announcement": "Bà con chú ý.\n\nXã thông báo chính sách vay vốn mới.",
    }
    async with local_client(base_url=outreach.url, timeout=30) as client:
        seeded = await client.get("/message-templates", headers=headers)
        same = keyed(headers)
        first = await client.put("/message-templates/loan_policy_nq37", json=edit, headers=same)
        again = await client.put("/message-templates/loan_policy_nq37", json=edit, headers=same)
        bad = await client.put(
            "/message-templates/loan_policy_nq37",
            json=edit | {"sms_text": ""},
            headers=keyed(headers),
        )
        unknown = await client.put("/message-templates/nope", json=edit, headers=keyed(headers))
        shown = await client.get("/message-templates/loan_policy_nq37", headers=headers)
    assert {t["code"] for t in seeded.json()} == {"loan_policy_nq37", "eps_korea"}
    assert all(t["version"] == 1 and t["zalo_template_id"] for t in seeded.json())
    assert first.status_code == 200
    assert first.json()["version"] == 2
    assert again.json() == first.json()
    assert again.headers.get("Idempotent-Replayed") == "true"
    assert bad.status_code == 422
    assert bad.json()["error"]["message_vi"]
    assert unknown.status_code == 404
    assert shown.json()["sms_text"] == edit["sms_text"]
    assert [v["version"] for v in shown.json()["versions"]] == [2, 1]
    conn = await asyncpg.connect(namespace.dsn("outreach"))
    try:
        audits = await conn.fetch(
            "SELECT actor_username, entity_id FROM audit.audit_log"
            " WHERE action = 'message_template.edited'"
        )
    finally:
        await conn.close()
    assert [(a["actor_username"], a["entity_id"]) for a in audits] == [
        ("can-bo-lao-dong", "loan_policy_nq37")
    ]


async def test_campaigns_stay_in_the_officers_area_and_refuse_bad_input_in_vietnamese_first(
    namespace: Namespace, outreach: ServiceProcess
) -> None:
    headers, stranger = officer(namespace), officer(namespace, OTHER)
    async with local_client(base_url=outreach.url, timeout=30) as client:
        outside = await client.post(
            "/campaigns", json=campaign_body(communes=[OTHER]), headers=keyed(headers)
        )
        backwards = await client.post(
            "/campaigns", json=campaign_body(period_end="2026-01-01"), headers=keyed(headers)
        )
        no_template = await client.post(
            "/campaigns", json=campaign_body(template_code="nope"), headers=keyed(headers)
        )
        no_key = await client.post("/campaigns", json=campaign_body(), headers=headers)
        campaign_id = await active_campaign(client, outreach.url, headers)
        twice = await client.post(
            f"/campaigns/{campaign_id}/status", json={"status": "active"}, headers=headers
        )
        mine = await client.get("/campaigns", headers=headers)
        theirs = await client.get("/campaigns", headers=stranger)
        hidden = await client.get(f"/campaigns/{campaign_id}", headers=stranger)
        province = await client.get(f"/campaigns/{campaign_id}", headers=labour_officer(namespace))
        other_province = await client.get(
            f"/campaigns/{campaign_id}", headers=labour_officer(namespace, "79")
        )
    assert outside.status_code == 403
    assert backwards.status_code == 422
    body = backwards.json()["error"]
    assert body["fields"][0]["field"] == "period_end"
    assert body["message_vi"]
    assert no_template.status_code == 404
    assert no_key.status_code in (400, 422)
    assert no_key.json()["error"]["message_vi"]
    assert twice.status_code == 409
    assert [c["campaign_id"] for c in mine.json()] == [campaign_id]
    assert theirs.json() == []
    assert hidden.status_code == 404
    assert other_province.status_code == 404
    assert province.status_code == 200
    assert province.json()["status"] == "active"


async def test_a_meeting_is_recorded_once_and_the_announcement_has_no_personal_data(
    namespace: Namespace, outreach: ServiceProcess
) -> None:
    headers = officer(namespace)
    async with local_client(base_url=outreach.url, timeout=30) as client:
        round_id = await open_round(client, outreach.url, headers)
        household = await add_household(
            client, outreach.url, round_id, headers, [member(phone="0912345678"), member()]
        )
        a, b = household["member_ids"]
        campaign_id = await active_campaign(client, outreach.url, headers)
        meeting = {
            "commune_code": "29800",
            "held_on": "2026-03-10",
            "place": "Hội trường ấp Tân Phú",
            "attendees": [{"respondent_id": a, "interested": True}, {"respondent_id": b}],
            "walk_ins": 7,
        }
        same = keyed(headers)
        first = await client.post(f"/campaigns/{campaign_id}/meetings", json=meeting, headers=same)
        again = await client.post(f"/campaigns/{campaign_id}/meetings", json=meeting, headers=same)
        wrong = await client.post(
            f"/campaigns/{campaign_id}/meetings",
            json=meeting | {"attendees": [{"respondent_id": campaign_id}]},
            headers=keyed(headers),
        )
        shown = await client.get(f"/campaigns/{campaign_id}", headers=headers)
        page = await client.get(f"/campaigns/{campaign_id}/announcement", headers=headers)
        text = await client.get(
            f"/campaigns/{campaign_id}/announcement?format=text", headers=headers
        )
    assert first.status_code == 201
    assert again.json() == first.json()
    assert wrong.status_code == 422
    assert wrong.json()["error"]["fields"][0]["field"] == "attendees"
    [held] = shown.json()["meetings"]
    assert (held["attendees"], held["interested"], held["walk_ins"]) == (2, 1, 7)
    assert page.status_code == 200
    assert page.headers["content-type"].startswith("text/html")
    assert "Nghị quyết số 37/2016/NQ-HĐND" in page.text
    assert "01/03/2026" in page.text
    for personal in ("Trần Văn Bình", "0912345678", a, b):
        assert personal not in page.text
        assert personal not in text.text
    assert text.headers["content-type"].startswith("text/plain")
