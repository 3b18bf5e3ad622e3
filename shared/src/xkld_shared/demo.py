"""A few demo registrations through the real HTTP API, so a fresh system has something to show.

`python -m xkld_shared.demo http://127.0.0.1:8101`
"""

from __future__ import annotations

import sys

import httpx

DEMO = [
    ("Nguyễn Văn An", "086200111111", "2000-03-14", "male", "0912000001", "29800", True),
    ("Trần Thị Bình", "086301222222", "2001-07-02", "female", "0912000002", "29800", True),
    ("Lê Văn Cường", "086099333333", "1999-11-20", "male", "0912000003", "29791", False),
]


def main(base_url: str) -> None:
    with httpx.Client(base_url=base_url, timeout=10) as client:
        for name, cccd, born, gender, phone, commune, consent in DEMO:
            answer = client.post(
                "/registrations",
                json={
                    "full_name": name,
                    "cccd": cccd,
                    "date_of_birth": born,
                    "gender": gender,
                    "phone": phone,
                    "commune_code": commune,
                    "sms_consent": consent,
                },
            )
            if answer.status_code not in (201, 409):
                raise SystemExit(f"demo registration refused: {answer.status_code} {answer.text}")
    print(f"demo: {len(DEMO)} registrations submitted")


if __name__ == "__main__":
    main(sys.argv[1])
