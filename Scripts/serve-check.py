#!/usr/bin/env python3
"""Robustness checks of `mbundle serve` (issue: production-ready serving), all on 127.0.0.1.

Run: bash Scripts/serve-check.sh .build/release/mbundle   (`make serve-check`; SERVE_CHECK_FULL=1 for full sizes)
The shell wrapper raises `ulimit -n`, installs wrk (Debian) and a pinned schemathesis in its own virtualenv,
then runs this script with the interpreter of that virtualenv. Checks, each bounded (sizes: bounded / full):

1. schemathesis against our `/openapi.json`: every operation, every check, 0 failures (>= 300 / >= 2,000
   generated requests); Scripts/serve-check-schemathesis.toml turns off, on /ping, /health, /version and
   /invocations only, the checks that cannot accept MLflow's own answers.
2. Slow clients: 500 connections sending request headers at one byte per second do not push the p99 of
   other clients (wrk, 16 connections, 1-row /invocations) beyond 2x the p99 measured without them (with
   a 1 ms floor: below that the shared machine's scheduler noise is larger than the effect); and with
   `--keep-alive-timeout 3` such a client is disconnected after about 3 s instead of holding its
   connection forever.
3. Idle keep-alive connections: 1,000 / 10,000 connections each answer one request, stay open and idle for
   10 / 30 s, and then each answers a second request on the same connection while the server still
   serves new clients.
4. SIGTERM under load: 16 client connections send /invocations in a loop; SIGTERM mid-load; every request
   the server accepted (one access-log line each) has a complete response at the client, and the server
   exits 0 within its deadline.
5. RSS over 100,000 / 1,000,000 requests (wrk, after a 20,000-request warm-up) stays within +-10%.

Prints one line per check and "N passed, N failed"; exits 1 on any failure. Every server is started in
its own process group and killed on exit, error or signal.
"""

import argparse
import asyncio
import json
import os
import pathlib
import re
import signal
import socket
import subprocess
import sys
import tempfile
import time

ROOT = pathlib.Path(__file__).resolve().parent.parent
BUNDLE = ROOT / "SampleModels" / "diabetes-linear"
from serve_processes import SERVERS, free_port, stop_all  # noqa: E402  (beside this script)


class Server:
    """One `mbundle serve` on a free port, its stderr (the access log) in a file."""

    def __init__(self, mbundle, scratch, name, extra=()):
        self.port = free_port()
        self.log_path = os.path.join(scratch, f"{name}.log")
        self.log = open(self.log_path, "wb")
        self.process = subprocess.Popen(
            [mbundle, "serve", "-m", str(BUNDLE), "-p", str(self.port), *extra],
            stdout=self.log,
            stderr=self.log,
            start_new_session=True,
        )
        SERVERS.append(self.process)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"mbundle serve exited: {pathlib.Path(self.log_path).read_text()[-2000:]}")
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=1) as probe:
                    probe.sendall(b"GET /health HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
                    if probe.recv(64).startswith(b"HTTP/1.1 200"):
                        return
            except OSError:
                pass
            time.sleep(0.05)
        raise RuntimeError("mbundle serve did not become ready in 30 s")

    def rss_kib(self):
        for line in pathlib.Path(f"/proc/{self.process.pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
        return 0

    def stop(self):
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=10)
        self.log.close()


def example_body():
    return json.dumps(json.loads((BUNDLE / "serving_input_example.json").read_text()))


def one_row_body():
    example = json.loads((BUNDLE / "serving_input_example.json").read_text())
    split = example["dataframe_split"]
    return json.dumps({"dataframe_split": {"columns": split["columns"], "data": split["data"][:1]}})


def wrk(port, scratch, seconds=None, connections=16, requests=None, threads=2):
    """wrk against /invocations with the 1-row body; returns (requests, p50 ms, p99 ms, non-2xx, errors).
    With `requests`, the Lua script stops each thread after its share (a bounded request count)."""
    script = os.path.join(scratch, f"wrk-{connections}-{requests}.lua")
    limit = "" if requests is None else f"""
local budget = {requests // threads}
local sent = 0
request = function()
  sent = sent + 1
  if sent > budget then wrk.thread:stop() end
  return wrk.format()
end
"""
    with open(script, "w") as out:
        out.write(
            f'wrk.method = "POST"\nwrk.body = {json.dumps(one_row_body())}\n'
            'wrk.headers["Content-Type"] = "application/json"\n' + limit
        )
    duration = seconds if seconds is not None else 600
    result = subprocess.run(
        ["wrk", "-t", str(threads), "-c", str(connections), "-d", f"{duration}s", "--latency", "-s", script,
         f"http://127.0.0.1:{port}/invocations"],
        capture_output=True, text=True, timeout=duration + 60,
    )
    text = result.stdout

    def latency(label):
        match = re.search(rf"^\s*{label}%\s+([\d.]+)(us|ms|s)\s*$", text, re.M)
        if not match:
            raise RuntimeError(f"wrk printed no {label}% latency:\n{text}\n{result.stderr}")
        value, unit = float(match.group(1)), match.group(2)
        return value / 1000 if unit == "us" else value * 1000 if unit == "s" else value

    total = int(re.search(r"(\d+) requests in", text).group(1))
    non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", text)
    errors = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", text)
    error_count = sum(int(x) for x in errors.groups()) if errors else 0
    return total, latency("50"), latency("99"), int(non2xx.group(1)) if non2xx else 0, error_count


# --- 1. schemathesis ------------------------------------------------------------------------------


def check_schemathesis(server, scratch, examples, minimum):
    report = os.path.join(scratch, "schemathesis.xml")
    # Every check runs (schemathesis' default); the settings file turns off, on three operations, the
    # ones that cannot accept MLflow's own answers (its comments say which and why).
    command = [
        os.path.join(os.path.dirname(sys.executable), "schemathesis"),
        "--config-file", str(ROOT / "Scripts" / "serve-check-schemathesis.toml"), "run",
        f"http://127.0.0.1:{server.port}/openapi.json",
        "--max-examples", str(examples),
        "--phases", "examples,coverage,fuzzing",
        "--seed", "1",
        "--request-timeout", "10",
        "--report", "junit", "--report-junit-path", report,
    ]
    result = subprocess.run(command, capture_output=True, text=True, timeout=900, stdin=subprocess.DEVNULL,
                            env=dict(os.environ, NO_COLOR="1"), cwd=scratch)
    output = result.stdout + result.stderr
    pathlib.Path(scratch, "schemathesis.out").write_text(output)
    # The access log has one line per request the server answered: the count of generated requests.
    answered = sum(1 for line in pathlib.Path(server.log_path).read_text().splitlines() if "request" in line)
    failed = result.returncode != 0
    summary = [line for line in output.splitlines() if re.search(r"passed|failed|error", line, re.I)][-3:]
    detail = f"exit {result.returncode}, {answered} requests answered; {' | '.join(s.strip() for s in summary)}"
    if failed:
        print(output[-6000:], file=sys.stderr)
    return not failed and answered >= minimum, detail


# --- 2. slow clients ------------------------------------------------------------------------------


async def slow_clients(port, count, seconds, stop):
    """`count` connections, each writing a never-ending request head one byte per second."""
    head = b"POST /invocations HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: " + b"a" * 4096
    writers = []
    for _ in range(count):
        try:
            _, writer = await asyncio.open_connection("127.0.0.1", port)
            writers.append(writer)
        except OSError:
            pass
    opened = len(writers)
    closed_by_server = 0
    for second in range(min(seconds, len(head))):
        if stop.is_set():
            break
        for writer in writers:
            if writer.is_closing():
                continue
            try:
                writer.write(head[second : second + 1])
            except (ConnectionError, OSError):
                closed_by_server += 1
        await asyncio.sleep(1)
    for writer in writers:
        writer.close()
    return opened, closed_by_server


def check_slow_clients(server, scratch, count, seconds):
    _, _, base_before, _, _ = wrk(server.port, scratch, seconds=seconds)

    async def run():
        stop = asyncio.Event()
        task = asyncio.create_task(slow_clients(server.port, count, seconds + 6, stop))
        await asyncio.sleep(3)  # every slow connection is open and trickling
        loaded = await asyncio.to_thread(wrk, server.port, scratch, seconds)
        stop.set()
        opened, _ = await task
        return loaded, opened

    (total, p50, p99, non2xx, errors), opened = asyncio.run(run())
    _, _, base_after, _, _ = wrk(server.port, scratch, seconds=seconds)
    baseline = max(base_before, base_after, 1.0)
    ok = opened == count and p99 <= 2 * baseline and non2xx == 0 and errors == 0
    return ok, (
        f"{opened} slow connections; others' p99 {p99:.2f} ms vs {base_before:.2f}/{base_after:.2f} ms without "
        f"(limit 2 x {baseline:.2f} ms); p50 {p50:.2f} ms, {total} requests, non-2xx {non2xx}, errors {errors}"
    )


async def trickle_until_closed(port, limit_seconds):
    """One client trickling a request head a byte per second: seconds until the server closes it."""
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    started = time.monotonic()
    head = b"POST /invocations HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: " + b"a" * 4096
    for index in range(limit_seconds):
        try:
            writer.write(head[index : index + 1])
            await writer.drain()
            if await asyncio.wait_for(reader.read(1), 1) == b"":
                break
        except asyncio.TimeoutError:
            continue
        except (ConnectionError, OSError):
            break
    writer.close()
    return time.monotonic() - started


def check_slow_timeout(mbundle, scratch):
    """With --keep-alive-timeout 3, a client trickling its headers is closed after about 3 s."""
    server = Server(mbundle, scratch, "slow-timeout", ["--keep-alive-timeout", "3"])
    held = asyncio.run(trickle_until_closed(server.port, 30))
    server.stop()
    return 2.5 <= held <= 8, f"a header trickled at 1 byte/s was closed after {held:.1f} s (--keep-alive-timeout 3)"


# --- 3. idle keep-alive connections ---------------------------------------------------------------


async def keep_alive_round(port, count, idle_seconds):
    # /ping is never shed (a thousand simultaneous /invocations would meet --max-in-flight's 503s).
    request = b"GET /ping HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"

    async def exchange(reader, writer):
        writer.write(request)
        await writer.drain()
        head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), 30)
        length = int(re.search(rb"(?i)content-length: (\d+)", head).group(1))
        await asyncio.wait_for(reader.readexactly(length), 30)
        return head.startswith(b"HTTP/1.1 200")

    connections = []
    for start in range(0, count, 500):
        batch = await asyncio.gather(
            *(asyncio.open_connection("127.0.0.1", port) for _ in range(min(500, count - start))),
            return_exceptions=True,
        )
        connections += [c for c in batch if not isinstance(c, Exception)]
    first = await asyncio.gather(*(exchange(r, w) for r, w in connections), return_exceptions=True)
    first_ok = sum(1 for x in first if x is True)
    await asyncio.sleep(idle_seconds)
    # A new client is served while every idle connection is held.
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    fresh_ok = await exchange(reader, writer)
    writer.close()
    second = await asyncio.gather(*(exchange(r, w) for r, w in connections), return_exceptions=True)
    second_ok = sum(1 for x in second if x is True)
    for _, w in connections:
        w.close()
    return len(connections), first_ok, second_ok, fresh_ok


def check_idle(server, count, idle_seconds):
    opened, first, second, fresh = asyncio.run(keep_alive_round(server.port, count, idle_seconds))
    ok = opened == first == second == count and fresh
    return ok, (
        f"{opened}/{count} connections opened, {first} answered, {second} answered again after {idle_seconds} s "
        f"idle, a new client {'served' if fresh else 'NOT served'} meanwhile; server RSS {server.rss_kib() // 1024} MB"
    )


# --- 4. SIGTERM under load ------------------------------------------------------------------------


async def load_until_closed(port, connections, deadline_seconds, started):
    body = one_row_body().encode()
    request = (
        b"POST /invocations HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
        + f"Content-Length: {len(body)}\r\n\r\n".encode() + body
    )
    tally = {"complete": 0, "status": {}, "partial": 0, "unanswered_fresh": 0, "closed_idle": 0, "refused": 0}

    async def client():
        deadline = time.monotonic() + deadline_seconds
        while time.monotonic() < deadline:
            try:
                reader, writer = await asyncio.open_connection("127.0.0.1", port)
            except OSError:
                tally["refused"] += 1
                return
            used = 0
            try:
                while time.monotonic() < deadline:
                    writer.write(request)
                    await writer.drain()
                    started.set()
                    head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), 60)
                    length = int(re.search(rb"(?i)content-length: (\d+)", head).group(1))
                    await asyncio.wait_for(reader.readexactly(length), 60)
                    status = head.split(b" ", 2)[1].decode()
                    tally["status"][status] = tally["status"].get(status, 0) + 1
                    tally["complete"] += 1
                    used += 1
                    if re.search(rb"(?i)\r\nconnection: close", head):
                        break
            except asyncio.IncompleteReadError as error:
                # Nothing of a response: the server closed the connection without reading the request
                # (an idle keep-alive connection closed by the drain) or reset it from the backlog.
                if error.partial:
                    tally["partial"] += 1
                elif used:
                    tally["closed_idle"] += 1
                else:
                    tally["unanswered_fresh"] += 1
            except (ConnectionError, OSError):
                if used:
                    tally["closed_idle"] += 1
                else:
                    tally["unanswered_fresh"] += 1
            finally:
                writer.close()

    await asyncio.gather(*(client() for _ in range(connections)))
    return tally


def check_sigterm(server, connections):
    async def run():
        started = asyncio.Event()
        task = asyncio.create_task(load_until_closed(server.port, connections, 60, started))
        await started.wait()
        await asyncio.sleep(2)
        server.process.send_signal(signal.SIGTERM)
        signalled = time.monotonic()
        tally = await task
        return tally, signalled

    tally, signalled = asyncio.run(run())
    try:
        code = server.process.wait(timeout=40)
    except subprocess.TimeoutExpired:
        code = None
    exited_after = time.monotonic() - signalled
    server.log.close()
    accepted = sum(
        1 for line in pathlib.Path(server.log_path).read_text().splitlines() if "path=/invocations" in line
    )
    lost = accepted - tally["complete"] + tally["partial"]
    ok = code == 0 and lost == 0 and tally["partial"] == 0 and set(tally["status"]) <= {"200"}
    return ok, (
        f"{accepted} requests accepted, {tally['complete']} answered {tally['status']}, lost {lost}, partial "
        f"{tally['partial']}; not accepted: {tally['closed_idle']} on keep-alive connections closed by the drain, "
        f"{tally['unanswered_fresh']} from the backlog, {tally['refused']} refused; exit {code} "
        f"{exited_after:.1f} s after SIGTERM"
    )


# --- 5. RSS over many requests --------------------------------------------------------------------


def check_rss(server, scratch, requests):
    """Warm-up, then 10-second wrk rounds until `requests` were sent (at most 200 rounds)."""
    wrk(server.port, scratch, seconds=5)
    before = server.rss_kib()
    total = non2xx = errors = 0
    p50 = p99 = 0.0
    for _ in range(200):
        sent, p50, round_p99, bad, failed = wrk(server.port, scratch, seconds=10)
        total, non2xx, errors, p99 = total + sent, non2xx + bad, errors + failed, max(p99, round_p99)
        if total >= requests:
            break
    after = server.rss_kib()
    change = (after - before) / before
    ok = abs(change) <= 0.10 and non2xx == 0 and errors == 0 and total >= requests * 0.99
    return ok, (
        f"RSS {before / 1024:.1f} MB -> {after / 1024:.1f} MB ({change:+.1%}) over {total} requests "
        f"(p50 {p50:.2f} ms, p99 {p99:.2f} ms, non-2xx {non2xx}, errors {errors})"
    )


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("mbundle")
    parser.add_argument("--full", action="store_true", help="the full sizes (bench), not the bounded CI form")
    parser.add_argument("--only", help="comma-separated check names")
    args = parser.parse_args()
    mbundle = str(pathlib.Path(args.mbundle).resolve())
    full = args.full
    sizes = {
        "schemathesis": (300, 2000) if full else (25, 300),
        "slow": (500, 20) if full else (500, 8),
        "idle": (10_000, 30) if full else (1_000, 10),
        "slow-timeout": None,
        "sigterm": 16,
        "rss": 1_000_000 if full else 100_000,
    }
    # The RSS check guards against per-request leaks: a cancelled `Task.sleep` per request (the
    # timeout) once held ~700 bytes each for a minute (74 -> 516 MB over 1,000,000 requests).
    default = set(sizes)
    chosen = set(args.only.split(",")) if args.only else default
    passed = failed = 0
    with tempfile.TemporaryDirectory(prefix="serve-check-") as scratch:

        def record(name, started, outcome):
            nonlocal passed, failed
            ok, detail = outcome
            passed, failed = passed + ok, failed + (not ok)
            print(f"{'ok  ' if ok else 'FAIL'} {name} ({time.monotonic() - started:.0f} s): {detail}", flush=True)

        for name in ["schemathesis", "slow", "slow-timeout", "idle", "sigterm", "rss"]:
            if name not in chosen:
                continue
            started = time.monotonic()
            try:
                if name == "slow-timeout":
                    record(name, started, check_slow_timeout(mbundle, scratch))
                    continue
                server = Server(mbundle, scratch, name)
                if name == "schemathesis":
                    outcome = check_schemathesis(server, scratch, *sizes[name])
                elif name == "slow":
                    outcome = check_slow_clients(server, scratch, *sizes[name])
                elif name == "idle":
                    outcome = check_idle(server, *sizes[name])
                elif name == "sigterm":
                    outcome = check_sigterm(server, sizes[name])
                else:
                    outcome = check_rss(server, scratch, sizes[name])
                server.stop()
            except Exception as error:  # a check that cannot run is a failed check, with why
                outcome = (False, f"{type(error).__name__}: {error}")
            record(name, started, outcome)
            stop_all()
    print(f"{passed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
