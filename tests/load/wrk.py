"""Driving `wrk` (Debian's package, with LuaJIT) from the benchmarks: it sends requests written to
files beforehand, each at most once, so its own CPU per request stays a small fraction of what
the directory spends (an asyncio client on the same two cores cost about as much as a service).

wrk runs one thread per connection, each with one request in flight, so a thread's requests and
responses alternate and its script can time each request and count it under its operation: a
mix of operations keeps its proportions (whichever is fastest does not take over), and every
operation still has its own latency figures. Thread `i` sends the lines of its own file, one
request per line: `OPERATION<TAB>METHOD<TAB>PATH<TAB>AUTHORIZATION<TAB>EXPECT<TAB>BODY` (`-` for
no authorization or expectation). A success is a 200 whose body holds no `"errors"` key and, if
given, the expected text.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.load.cpu import SystemCpu

SCRIPT = """
local ffi = require("ffi")
ffi.cdef[[ typedef struct { long tv_sec; long tv_nsec; } wrk_timespec; int clock_gettime(int, wrk_timespec *); ]]
local clock = ffi.new("wrk_timespec")
local function now_ms()
  ffi.C.clock_gettime(1, clock)  -- CLOCK_MONOTONIC
  return tonumber(clock.tv_sec) * 1000 + tonumber(clock.tv_nsec) / 1e6
end

local threads, lines, ops, expects = {}, {}, {}, {}
local current, started
-- Globals, so that done() can read them with thread:get, which copies flat tables only: each
-- operation's latencies are in their own global, `latencies_<operation>`.
sent, repeated, operations, sample = 0, 0, {}, ""
local latencies, failures = {}, {}

function setup(thread)
  thread:set("id", #threads)
  table.insert(threads, thread)
end

function init(args)
  for line in io.lines(args[1] .. "." .. id) do
    local op, method, path, auth, expect, body =
      line:match("^([^\\t]*)\\t([^\\t]*)\\t([^\\t]*)\\t([^\\t]*)\\t([^\\t]*)\\t(.*)$")
    local headers = {["Content-Type"] = "application/json", ["X-Visitor-Session"] = "visitor-" .. id}
    if auth ~= "-" then headers["Authorization"] = auth end
    lines[#lines + 1] = wrk.format(method, path, headers, body)
    ops[#ops + 1] = op
    expects[#expects + 1] = expect ~= "-" and expect or false  -- nil would leave a hole
    if latencies[op] == nil then
      latencies[op], failures[op] = {}, 0
      _G["latencies_" .. op], _G["failed_" .. op] = latencies[op], 0
      operations[#operations + 1] = op
    end
  end
end

function request()
  current = sent % #lines + 1
  if sent >= #lines then repeated = repeated + 1 end
  sent = sent + 1
  started = now_ms()
  return lines[current]
end

function response(status, headers, body)
  local op, expect = ops[current], expects[current]
  if status ~= 200 or string.find(body, '"errors"', 1, true) or (expect and not string.find(body, expect, 1, true)) then
    failures[op] = failures[op] + 1
    _G["failed_" .. op] = failures[op]
    if sample == "" then sample = op .. " " .. status .. " " .. string.sub(body, 1, 300) end
  else
    table.insert(latencies[op], now_ms() - started)
  end
end

local function percentile(sorted, p)
  if #sorted == 0 then return 0 end
  return sorted[math.max(1, math.ceil(#sorted * p / 100))]
end

function done(summary, latency, requests)
  local by_op, failed, twice, samples = {}, {}, 0, {}
  for _, t in ipairs(threads) do
    twice = twice + t:get("repeated")
    local s = t:get("sample")
    if s ~= "" and #samples < 3 then samples[#samples + 1] = s end
    for _, op in ipairs(t:get("operations")) do
      by_op[op] = by_op[op] or {}
      for _, v in ipairs(t:get("latencies_" .. op)) do table.insert(by_op[op], v) end
      failed[op] = (failed[op] or 0) + t:get("failed_" .. op)
    end
  end
  local parts = {}
  for op, values in pairs(by_op) do
    table.sort(values)
    parts[#parts + 1] = string.format('"%s":{"ok":%d,"failed":%d,"p50_ms":%f,"p99_ms":%f}',
      op, #values, failed[op] or 0, percentile(values, 50), percentile(values, 99))
  end
  local e = summary.errors
  for _, s in ipairs(samples) do io.write("failed: " .. s:gsub("\\n", " ") .. "\\n") end
  io.write(string.format('{"requests":%d,"seconds":%f,"repeated":%d,"socket_errors":%d,"operations":{%s}}\\n',
    summary.requests, summary.duration / 1e6, twice, e.connect + e.read + e.write + e.timeout,
    table.concat(parts, ",")))
end
"""


def skip_unless_installed() -> None:
    """Skip the calling benchmark unless wrk and rabbitmqctl (for its private vhost) are here."""
    if shutil.which("rabbitmqctl") is None or shutil.which("wrk") is None:
        pytest.skip("needs rabbitmqctl (for its private vhost) and wrk (apt-get install wrk)")


@dataclass(frozen=True)
class Request:
    operation: str
    method: str
    path: str
    body: bytes
    authorization: str | None = None
    expect: str | None = None  # text a successful response's body holds

    def line(self) -> bytes:
        fields = (self.operation, self.method, self.path, self.authorization or "-", self.expect or "-")
        assert all("\t" not in f and "\n" not in f for f in fields) and b"\n" not in self.body
        return "\t".join(fields).encode() + b"\t" + self.body


def graphql(
    operation: str, body: bytes, authorization: str | None = None, expect: str | None = None
) -> Request:
    return Request(operation, "POST", "/graphql", body, authorization, expect)


class Run:
    """One wrk process sending `requests` to `url` for `seconds` on `connections` connections
    (request i on connection i mod connections); `result()` waits for it."""

    def __init__(
        self, url: str, requests: Sequence[Request], seconds: float, folder: Path, *, connections: int
    ) -> None:
        assert len(requests) >= connections, "every connection needs a request of its own"
        prefix, script = folder / "wrk.requests", folder / "wrk.lua"
        for thread in range(connections):
            lines = (r.line() for r in requests[thread::connections])
            Path(f"{prefix}.{thread}").write_bytes(b"\n".join(lines) + b"\n")
        script.write_text(SCRIPT)
        command = ["wrk", f"-t{connections}", f"-c{connections}", f"-d{round(seconds)}s", "--timeout", "10s"]
        self.process = subprocess.Popen(
            [*command, "-s", str(script), url, "--", str(prefix)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )

    def result(self) -> dict:
        """Totals (`requests`, `rps`, `errors`, `repeated`) and, per operation, `ok`, `failed`,
        `rps` (successes per second), `p50_ms` and `p99_ms`."""
        out, err = self.process.communicate()
        assert self.process.returncode == 0, err + out
        *samples, last = out.strip().splitlines()
        result = json.loads(last)
        result["samples"] = [line.removeprefix("failed: ") for line in samples if line.startswith("failed: ")]
        result["rps"] = result["requests"] / result["seconds"]
        for figures in result["operations"].values():
            figures["rps"] = figures["ok"] / result["seconds"]
        result["errors"] = result["socket_errors"] + sum(f["failed"] for f in result["operations"].values())
        return result


def run(url: str, requests: Sequence[Request], seconds: float, folder: Path, *, connections: int) -> dict:
    return Run(url, requests, seconds, folder, connections=connections).result()


def run_measured(
    system: SystemCpu,
    url: str,
    requests: Sequence[Request],
    seconds: float,
    folder: Path,
    *,
    connections: int,
) -> dict:
    """`run`, with the CPU time each process of `system` spent per request as `cpu`."""
    before = system.sample()
    result = run(url, requests, seconds, folder, connections=connections)
    result["cpu"] = SystemCpu.per_request(before, system.sample(), result["requests"])
    return result
