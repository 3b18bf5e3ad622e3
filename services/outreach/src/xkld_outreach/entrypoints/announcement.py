"""The text read on the commune loudspeaker or the district radio: the template's announcement
and the campaign's period, as a plain printable page. Nothing personal is on it: it is built
from the template and the campaign only, never from survey members."""

from __future__ import annotations

import datetime as dt
import html
from typing import Any


def _date(iso: str) -> str:
    return dt.date.fromisoformat(iso).strftime("%d/%m/%Y")


def announcement_text(campaign: dict[str, Any], template: dict[str, Any]) -> str:
    period = f"Thời gian: từ {_date(campaign['period_start'])} đến {_date(campaign['period_end'])}"
    return f"{template['title'].upper()}\n\n{template['announcement']}\n\n{period}\n"


def announcement_html(campaign: dict[str, Any], template: dict[str, Any]) -> str:
    title = html.escape(template["title"])
    paragraphs = "\n".join(
        f"<p>{html.escape(p)}</p>" for p in template["announcement"].split("\n\n") if p.strip()
    )
    period = html.escape(
        f"Thời gian: từ {_date(campaign['period_start'])} đến {_date(campaign['period_end'])}"
    )
    return f"""<!doctype html>
<html lang="vi">
<head><meta charset="utf-8"><title>{title}</title>
<style>body{{font-family:serif;font-size:14pt;max-width:40em;margin:2em auto;line-height:1.5}}
h1{{font-size:16pt;text-align:center}}</style></head>
<body>
<h1>{title}</h1>
{paragraphs}
<p><em>{period}</em></p>
<p><small>Mẫu tin {html.escape(template["code"])}, phiên bản {template["version"]}</small></p>
</body>
</html>
"""
