"""A load generator in C (`wrk`), so that the client does not eat the cores it measures.

The httpx client spends more CPU per request than the service does; on a 2-core machine that
caps the figure at the client. `wrk` (Debian package `wrk`) sends the same requests for a
fraction of the CPU. A Lua script gives every request a distinct serial, so that each one is a
new person; wrk counts the answers that are not 2xx.
"""

from __future__ import annotations

import asyncio
import json
import re
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

_SCRIPT = """
local counter, tid = 0, 0
local next_tid = 0
function setup(thread)
  thread:set("tid", next_tid)
  next_tid = next_tid + 1
end
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
%(headers)s
request = function()
  counter = counter + 1
  local serial = %(offset)d + tid * %(per_thread)d + counter
  %(key_line)s
  return wrk.format(nil, "%(path)s", nil, string.format(%(template)s, serial))
end
done = function(summary, latency, requests)
  io.write(string.format("LATENCY p50=%%d p99=%%d\\n",
    latency:percentile(50), latency:percentile(99)))
end
"""


@dataclass(frozen=True)
class WrkResult:
    requests: int
    seconds: float
    errors: int
    p50_ms: float
    p99_ms: float
    output: str

    @property
    def per_second(self) -> float:
        return self.requests / self.seconds


def available() -> bool:
    return shutil.which("wrk") is not None


def lua_string(text: str) -> str:
    """A Lua string literal of `text`'s UTF-8 bytes (Lua 5.1 has no \\u escapes)."""
    safe = (
        chr(b) if 32 <= b < 127 and chr(b) not in '"\\' else f"\\{b:03d}" for b in text.encode()
    )
    return '"' + "".join(safe) + '"'


def script(
    path: str,
    headers: dict[str, str],
    body: dict[str, object],
    slot: str,
    *,
    idempotency_keys: str | None = None,
) -> str:
    """Lua for wrk: POST `body` to `path` with `slot` (a string field) replaced by a serial.

    With `idempotency_keys` (a prefix), each request carries its own Idempotency-Key, as a
    client that keys every form it sends would."""
    text = json.dumps(body, ensure_ascii=False).replace("%", "%%")
    placeholder = "__SERIAL__"
    if placeholder not in text:
        raise ValueError(f"the body has no {placeholder} for {slot}")
    template = lua_string(text.replace(placeholder, "%06d"))
    header_lines = "\n".join(
        f"wrk.headers[{lua_string(k)}] = {lua_string(v)}" for k, v in headers.items()
    )
    return _SCRIPT % {
        "headers": header_lines,
        "offset": 0,
        "per_thread": 200_000,
        "path": path,
        "template": template,
        "key_line": (
            ""
            if idempotency_keys is None
            else f'wrk.headers["Idempotency-Key"] = {lua_string(idempotency_keys)} .. serial'
        ),
    }


async def post_for(
    url: str,
    *,
    script_text: str,
    seconds: float,
    connections: int,
    threads: int = 1,
) -> WrkResult:
    """Run wrk for `seconds` against `url` (whose path the script names) and parse its report."""
    with tempfile.TemporaryDirectory() as tmp:
        lua = Path(tmp) / "post.lua"
        lua.write_text(script_text)
        parts = urlsplit(url)
        proc = await asyncio.create_subprocess_exec(
            "wrk",
            f"-t{threads}",
            f"-c{connections}",
            f"-d{seconds:g}s",
            "--timeout",
            "30s",
            "-s",
            str(lua),
            f"{parts.scheme}://{parts.netloc}",
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.STDOUT,
        )
        out, _ = await proc.communicate()
    text = out.decode()
    if proc.returncode != 0:
        raise RuntimeError(f"wrk failed: {text}")
    return parse(text)


def parse(text: str) -> WrkResult:
    done = re.search(r"(\d+) requests in ([\d.]+)(ms|s|m)", text)
    latency = re.search(r"LATENCY p50=(\d+) p99=(\d+)", text)
    if done is None or latency is None:
        raise RuntimeError(f"cannot read wrk's report: {text}")
    scale = {"ms": 0.001, "s": 1.0, "m": 60.0}[done.group(3)]
    non_2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", text)
    socket_errors = re.search(r"Socket errors: (.*)", text)
    errors = int(non_2xx.group(1)) if non_2xx else 0
    if socket_errors:
        errors += sum(int(n) for n in re.findall(r"\d+", socket_errors.group(1)))
    return WrkResult(
        requests=int(done.group(1)),
        seconds=float(done.group(2)) * scale,
        errors=errors,
        p50_ms=int(latency.group(1)) / 1000,
        p99_ms=int(latency.group(2)) / 1000,
        output=text,
    )
