"""Load generation for the benchmark suite: wrk when installed, else an in-process asyncio client.

Both give the same figures: requests per second, requests served, non-2xx responses, socket
errors (dropped connections, timeouts) and the latency percentiles p50/p99. The asyncio client
speaks plain HTTP/1.1 with keep-alive over one event loop; on one core it saturates later than
wrk does, so the table names the generator it used.
"""

from __future__ import annotations

import asyncio
import json
import re
import shutil
import statistics
import subprocess
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

WRK = shutil.which("wrk")
# One POST body per request: the e-mail must be new or the service answers 409.
POST_SCRIPT = """
counter = 0
request = function()
  counter = counter + 1
  local body = string.format(
    '{"email":"load-%s-%d@example.com","first_name":"Ada","last_name":"Lovelace"}', "{tag}", counter)
  local headers = {}
  for name, value in pairs(wrk.headers) do headers[name] = value end  -- -H headers (Authorization)
  headers["Content-Type"] = "application/json"
  return wrk.format("POST", "{path}", headers, body)
end
"""


@dataclass
class Load:
    rate: float
    requests: int
    non_2xx: int
    socket_errors: int
    p50_ms: float | None
    p99_ms: float | None
    extra: dict[str, float] = field(default_factory=dict)


def generator() -> str:
    if WRK:
        version = subprocess.run([WRK, "-v"], capture_output=True, text=True, check=False)
        first = (version.stdout or version.stderr).splitlines()[:1]
        return f"wrk ({first[0].split(' [')[0] if first else 'unknown version'}), 1 thread"
    return "in-process asyncio HTTP/1.1 client (wrk not installed)"


def run(
    url: str,
    *,
    seconds: float,
    connections: int,
    headers: dict[str, str] | None = None,
    post_tag: str | None = None,
) -> Load:
    """GET `url` (or POST new customers to it when `post_tag` is set) for `seconds`."""
    headers = headers or {}
    if WRK:
        return _wrk(url, seconds, connections, headers, post_tag)
    return asyncio.run(_asyncio_load(url, seconds, connections, headers, post_tag))


def _wrk(url: str, seconds: float, connections: int, headers: dict[str, str], post_tag: str | None) -> Load:
    duration = max(1, round(seconds))
    command = [str(WRK), "-t1", f"-c{connections}", f"-d{duration}s", "--latency", "--timeout", "10s"]
    for name, value in headers.items():
        command += ["-H", f"{name}: {value}"]
    with tempfile.TemporaryDirectory() as tmp:
        if post_tag is not None:
            path = "/" + url.split("/", 3)[3]
            script = Path(tmp) / "post.lua"
            script.write_text(
                POST_SCRIPT.replace("{tag}", post_tag).replace("{path}", path), encoding="utf-8"
            )
            command += ["-s", str(script)]
        output = subprocess.run(
            [*command, url], capture_output=True, text=True, check=True, timeout=duration + 60
        ).stdout
    rate = re.search(r"Requests/sec:\s+([\d.]+)", output)
    served = re.search(r"(\d+) requests in", output)
    non_2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    sockets = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", output)
    return Load(
        rate=float(rate.group(1)) if rate else 0.0,
        requests=int(served.group(1)) if served else 0,
        non_2xx=int(non_2xx.group(1)) if non_2xx else 0,
        socket_errors=sum(int(value) for value in sockets.groups()) if sockets else 0,
        p50_ms=_wrk_latency(output, "50%"),
        p99_ms=_wrk_latency(output, "99%"),
    )


def _wrk_latency(output: str, percentile: str) -> float | None:
    found = re.search(rf"^\s*{re.escape(percentile)}\s+([\d.]+)(us|ms|s)\s*$", output, re.MULTILINE)
    if not found:
        return None
    value, unit = float(found.group(1)), found.group(2)
    return value * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]


async def _asyncio_load(
    url: str, seconds: float, connections: int, headers: dict[str, str], post_tag: str | None
) -> Load:
    host_port, _, path = url.removeprefix("http://").partition("/")
    host, _, port = host_port.partition(":")
    path = "/" + path
    latencies: list[float] = []
    counters = {"non_2xx": 0, "socket_errors": 0, "sent": 0}
    deadline = time.monotonic() + seconds
    extra = "".join(f"{name}: {value}\r\n" for name, value in headers.items())

    def request() -> bytes:
        counters["sent"] += 1
        if post_tag is None:
            return f"GET {path} HTTP/1.1\r\nHost: {host_port}\r\n{extra}\r\n".encode()
        email = f"load-{post_tag}-{counters['sent']}@example.com"
        body = json.dumps({"email": email, "first_name": "Ada", "last_name": "Lovelace"})
        return (
            f"POST {path} HTTP/1.1\r\nHost: {host_port}\r\n{extra}Content-Type: application/json\r\n"
            f"Content-Length: {len(body)}\r\n\r\n{body}"
        ).encode()

    async def worker() -> None:
        while time.monotonic() < deadline:
            try:
                reader, writer = await asyncio.open_connection(host, int(port or 80))
            except OSError:
                counters["socket_errors"] += 1
                continue
            try:
                while time.monotonic() < deadline:
                    started = time.perf_counter()
                    writer.write(request())
                    await writer.drain()
                    head = await reader.readuntil(b"\r\n\r\n")
                    status = int(head.split(b" ", 2)[1])
                    length = re.search(rb"(?i)content-length:\s*(\d+)", head)
                    await reader.readexactly(int(length.group(1)) if length else 0)
                    latencies.append((time.perf_counter() - started) * 1000)
                    counters["non_2xx"] += not 200 <= status < 400
                    if re.search(rb"(?i)connection:\s*close", head):
                        break
            except (OSError, asyncio.IncompleteReadError, ValueError):
                counters["socket_errors"] += 1
            finally:
                writer.close()

    started = time.monotonic()
    await asyncio.gather(*(worker() for _ in range(connections)))
    elapsed = time.monotonic() - started
    ordered = sorted(latencies)

    def percentile(fraction: float) -> float | None:
        return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))] if ordered else None

    return Load(
        rate=len(latencies) / elapsed,
        requests=len(latencies),
        non_2xx=counters["non_2xx"],
        socket_errors=counters["socket_errors"],
        p50_ms=percentile(0.50) if ordered else None,
        p99_ms=percentile(0.99) if ordered else None,
        extra={"mean_ms": statistics.fmean(ordered)} if ordered else {},
    )
