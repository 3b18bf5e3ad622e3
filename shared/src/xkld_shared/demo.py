"""Demo staff accounts and registrations, through the real HTTP APIs, for a fresh local system.

`python -m xkld_shared.demo --identity URL --registration URL --accounts-file FILE`
reads the admin's password from XKLD_DEMO_ADMIN_PASSWORD and writes the demo staff's
credentials to FILE (mode 0600): development data, never for a real deployment.
"""

from __future__ import annotations

import argparse
import json
import os
import secrets

import httpx

# (username, full name, roles, communes, province, VBSP branch)
STAFF = [
    ("canbo.tanquoi", "Cán bộ xã Tân Quới", ["commune_officer"], ["29800", "29623"], None, None),
    ("laodong.vinhlong", "Chuyên viên Sở Nội vụ Vĩnh Long", ["labour_officer"], [], "86", None),
    ("baocao.vinhlong", "Người xem báo cáo", ["report_viewer"], [], None, None),
    ("daotao.longho", "Trung tâm GDNN-GDTX Long Hồ", ["training_staff"], [], "86", None),
    ("tindung.vinhlong", "Cán bộ tín dụng NHCSXH", ["loan_officer"], [], None, "VBSP-86"),
    ("giamdoc.vinhlong", "Giám đốc NHCSXH Vĩnh Long", ["bank_manager"], [], None, "VBSP-86"),
]
WORKERS = [
    ("Nguyễn Văn An", "086200111111", "2000-03-14", "male", "0912000001", "29800", True),
    ("Trần Thị Bình", "086301222222", "2001-07-02", "female", "0912000002", "29800", True),
    ("Lê Văn Cường", "086099333333", "1999-11-20", "male", "0912000003", "29623", False),
]


def _login(identity: httpx.Client, username: str, password: str) -> dict[str, str]:
    answer = identity.post("/auth/login", json={"username": username, "password": password})
    answer.raise_for_status()
    return {"Authorization": f"Bearer {answer.json()['access_token']}"}


def create_staff(identity: httpx.Client, admin: dict[str, str]) -> dict[str, str]:
    passwords = {}
    for username, name, roles, communes, province, branch in STAFF:
        password = secrets.token_urlsafe(12)
        answer = identity.post(
            "/accounts",
            headers=admin,
            json={
                "username": username,
                "full_name": name,
                "password": password,
                "roles": roles,
                "communes": communes,
                "province": province,
                "branch": branch,
            },
        )
        if answer.status_code == 409:
            continue  # created by an earlier run; its password is in the accounts file
        answer.raise_for_status()
        passwords[username] = password
    return passwords


def register_workers(registration: httpx.Client, officer: dict[str, str]) -> None:
    for name, cccd, born, gender, phone, commune, sms in WORKERS:
        answer = registration.post(
            "/registrations",
            headers=officer,
            json={
                "full_name": name,
                "cccd": cccd,
                "date_of_birth": born,
                "gender": gender,
                "phone": phone,
                "commune_code": commune,
                "ethnicity_code": "01",
                "household_poverty": "poor",
                "consents": {
                    "registration_processing": True,
                    "sms_notifications": sms,
                    "share_with_enterprise": True,
                    "share_with_bank": False,
                },
                "consent_text_version": "2026-01",
            },
        )
        if answer.status_code not in (201, 409):
            raise SystemExit(f"demo registration refused: {answer.status_code} {answer.text}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--identity", required=True)
    parser.add_argument("--registration", required=True)
    parser.add_argument("--admin", default="admin")
    parser.add_argument("--accounts-file", required=True)
    args = parser.parse_args()
    with (
        httpx.Client(base_url=args.identity, timeout=10) as identity,
        httpx.Client(base_url=args.registration, timeout=10) as registration,
    ):
        admin = _login(identity, args.admin, os.environ["XKLD_DEMO_ADMIN_PASSWORD"])
        passwords = create_staff(identity, admin)
        if passwords:
            fd = os.open(args.accounts_file, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
            with os.fdopen(fd, "a") as handle:
                handle.writelines(f"{user} {pw}\n" for user, pw in passwords.items())
        officer_password = passwords.get("canbo.tanquoi") or _saved(args.accounts_file)
        register_workers(registration, _login(identity, "canbo.tanquoi", officer_password))
    print(json.dumps({"staff_created": sorted(passwords), "workers": len(WORKERS)}))


def _saved(accounts_file: str) -> str:
    with open(accounts_file) as handle:
        for line in handle:
            user, _, password = line.strip().partition(" ")
            if user == "canbo.tanquoi":
                return password
    raise SystemExit("the demo officer exists but its password is not in the accounts file")


if __name__ == "__main__":
    main()
