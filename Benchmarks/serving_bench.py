#!/usr/bin/env python3
"""The serving table of `make bench`: `mbundle serve` against `mlflow models serve` (one worker, and one
worker per core) and MLServer with its MLflow runtime, measured with wrk in the same run.

Run (from the repository root; Benchmarks/serving_bench.sh prepares everything and is what bench.sh calls):
    bash Benchmarks/serving_bench.sh            QUICK=1 for 3-second runs
Each server serves the same bundle on 127.0.0.1 and receives the same MLflow `/invocations` JSON bodies
(`dataframe_split`): 1 row at wrk concurrency 1, 16 and 64, 100 rows at concurrency 4. Before anything is
timed, every server's answer to both bodies is compared with MLflow's (1e-9 relative); a server that
disagrees gets no row. Reported per cell: requests/s, p50 and p99 (wrk --latency), non-2xx answers, and
the server's RSS (its whole process tree: MLflow's and MLServer's workers included) at the end of the
run; per server, ready time = first 200 on its health route from process start (median of 7 starts; a
bare-socket poller, 0.5 ms between tries).
The bundle is a scikit-learn random forest saved by mlflow.sklearn (skops) when `mbundle predict` reads
it, else the committed linear sample. Writes RESULTS/serving.md and RESULTS/serving.json.
"""

import argparse
import json
import math
import os
import pathlib
import re
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request

ROOT = pathlib.Path(__file__).resolve().parent.parent
PROCESSES = []


def stop(process):
    if process.poll() is None:
        try:
            os.killpg(process.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        pass


def stop_all():
    for process in PROCESSES:
        stop(process)
    PROCESSES.clear()


for sig in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
    signal.signal(sig, lambda number, frame: (stop_all(), sys.exit(128 + number)))


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def free(port):
    try:
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", port))
        return True
    except OSError:
        return False


def make_forest_bundle(directory, python):
    """A random forest on 8 features saved by mlflow.sklearn (skops), with a signature and an example."""
    code = r"""
import sys, warnings
warnings.filterwarnings("ignore")
import numpy as np, pandas as pd, mlflow.sklearn
from mlflow.models import infer_signature
from sklearn.ensemble import RandomForestClassifier
rng = np.random.default_rng(7)
X = pd.DataFrame(rng.normal(size=(2000, 8)), columns=[f"f{i}" for i in range(8)])
y = (X["f0"] + X["f1"] * X["f2"] - X["f3"] > 0).astype(int)
model = RandomForestClassifier(n_estimators=100, max_depth=10, random_state=0).fit(X, y)
mlflow.sklearn.save_model(model, sys.argv[1], serialization_format="skops",
    skops_trusted_types=["sklearn.ensemble._forest.RandomForestClassifier",
                         "sklearn.tree._classes.DecisionTreeClassifier", "sklearn.tree._tree.Tree"],
    signature=infer_signature(X, model.predict(X)), input_example=X.iloc[:3])
X.iloc[:100].to_json(sys.argv[2], orient="split", index=False)
"""
    subprocess.run([python, "-c", code, str(directory), str(directory.parent / "bench-rows.json")], check=True,
                   timeout=600)


def bodies(bundle, directory):
    """The 1-row and 100-row `dataframe_split` bodies for `bundle`."""
    rows_file = directory / "bench-rows.json"
    if rows_file.exists():
        split = json.loads(rows_file.read_text())
        columns, data = split["columns"], split["data"]
    else:
        example = json.loads((bundle / "serving_input_example.json").read_text())["dataframe_split"]
        columns, data = example["columns"], example["data"]
        data = [data[i % len(data)] for i in range(100)]
    one = json.dumps({"dataframe_split": {"columns": columns, "data": data[:1]}})
    hundred = json.dumps({"dataframe_split": {"columns": columns, "data": data[:100]}})
    return one, hundred


def post(port, body, path="/invocations", timeout=60):
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}{path}", data=body.encode(), headers={"Content-Type": "application/json"}
    )
    with urllib.request.urlopen(request, timeout=timeout) as response:
        return response.status, json.loads(response.read())


def close(a, b):
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(close(a[k], b[k]) for k in a)
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(close(x, y) for x, y in zip(a, b))
    if isinstance(a, (int, float)) and isinstance(b, (int, float)) and not isinstance(a, bool):
        if math.isnan(a) or math.isnan(b):
            return math.isnan(a) and math.isnan(b)
        return abs(a - b) <= 1e-9 * max(1.0, abs(a), abs(b))
    return a == b


def tree_rss_kib(pid):
    """RSS of `pid` and all its descendants (MLflow's and MLServer's workers are child processes)."""
    children = {}
    for entry in pathlib.Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            children.setdefault(int(fields[1]), []).append(int(entry.name))
        except (OSError, IndexError):
            continue
    total, stack = 0, [pid]
    while stack:
        current = stack.pop()
        stack += children.get(current, [])
        try:
            for line in pathlib.Path(f"/proc/{current}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1])
        except OSError:
            pass
    return total


def health_status(port, path):
    """The status of one GET on a fresh connection, or None while nothing answers. A bare socket, not
    urllib: urllib spent about a millisecond of the poller's own time per try (request objects, header
    parsing) and slept 2 ms after a refused connection, which added up to 1.5 ms to every ready time."""
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=1) as connection:
            connection.sendall(f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n".encode())
            head = connection.recv(64)
    except OSError:
        return None
    match = re.match(rb"HTTP/1\.[01] (\d{3}) ", head)
    return int(match.group(1)) if match else None


class Contender:
    def __init__(self, name, command, health, env, scratch, ready_seconds=300, prepare=None):
        self.name, self.command, self.health, self.env = name, command, health, env
        self.prepare = prepare
        self.scratch, self.ready_seconds = scratch, ready_seconds
        self.process = None

    def start(self, port):
        """Starts the server; returns seconds from spawn to the first 200 on the health route."""
        command = [part.replace("{port}", str(port)) for part in self.command]
        if self.prepare is not None:
            self.prepare(port)
        log = open(os.path.join(self.scratch, f"{self.name}.log"), "ab")
        started = time.monotonic()
        self.process = subprocess.Popen(
            command, env=self.env, stdout=log, stderr=log, start_new_session=True, cwd=self.scratch
        )
        PROCESSES.append(self.process)
        deadline = started + self.ready_seconds
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"{self.name} exited: {pathlib.Path(log.name).read_text()[-1500:]}")
            if health_status(port, self.health) == 200:
                return time.monotonic() - started
            time.sleep(0.0005)
        raise RuntimeError(f"{self.name} not ready within {self.ready_seconds} s")

    def stop(self):
        if self.process is not None:
            stop(self.process)
            self.process = None


def wrk(port, body, connections, seconds, scratch, pid):
    script = os.path.join(scratch, "post.lua")
    with open(script, "w") as out:
        out.write(
            f'wrk.method = "POST"\nwrk.body = {json.dumps(body)}\nwrk.headers["Content-Type"] = "application/json"\n'
        )
    threads = min(connections, 2)
    process = subprocess.Popen(
        ["wrk", "-t", str(threads), "-c", str(connections), "-d", f"{seconds}s", "--timeout", "30s", "--latency",
         "-s", script, f"http://127.0.0.1:{port}/invocations"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )
    rss = 0
    while process.poll() is None:
        rss = max(rss, tree_rss_kib(pid))
        time.sleep(0.5)
    text = process.stdout.read()

    def latency(label):
        match = re.search(rf"^\s*{label}%\s+([\d.]+)(us|ms|s)\s*$", text, re.M)
        value, unit = float(match.group(1)), match.group(2)
        return value / 1000 if unit == "us" else value * 1000 if unit == "s" else value

    rate = float(re.search(r"Requests/sec:\s+([\d.]+)", text).group(1))
    non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", text)
    errors = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", text)
    return {
        "rps": rate,
        "p50_ms": latency("50"),
        "p99_ms": latency("99"),
        "non2xx": int(non2xx.group(1)) if non2xx else 0,
        "errors": sum(int(x) for x in errors.groups()) if errors else 0,
        "rss_mb": rss / 1024,
    }


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--mbundle", required=True)
    parser.add_argument("--mlflow-python", required=True, help="the interpreter of the pinned MLflow virtualenv")
    parser.add_argument("--mlserver", help="the `mlserver` executable of its pinned virtualenv")
    parser.add_argument("--results", default=str(ROOT / "Benchmarks" / "results"))
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args()
    seconds = 3 if args.quick else 10
    starts = 1 if args.quick else 7
    cores = os.cpu_count() or 1
    results = pathlib.Path(args.results)
    results.mkdir(parents=True, exist_ok=True)
    env = dict(os.environ)
    env.update(MLFLOW_LOCK_MODEL_DEPENDENCIES="false", MLFLOW_ALLOW_PICKLE_DESERIALIZATION="true",
               SETUPTOOLS_USE_DISTUTILS="stdlib")
    mlflow_env = dict(env, PATH=os.path.dirname(args.mlflow_python) + os.pathsep + env.get("PATH", ""))
    with tempfile.TemporaryDirectory(prefix="serving-bench-") as scratch_dir:
        scratch = pathlib.Path(scratch_dir)
        bundle = scratch / "forest"
        make_forest_bundle(bundle, args.mlflow_python)
        one, hundred = bodies(bundle, scratch)
        probe = subprocess.run([args.mbundle, "predict", "-m", str(bundle), "-t", "json"], input=one.encode(),
                               capture_output=True, timeout=60)
        if probe.returncode == 0:
            bundle_label = "scikit-learn RandomForestClassifier (100 trees, depth 10, 8 features; mlflow.sklearn, skops)"
        else:
            print(f"mbundle does not read the forest bundle ({probe.stderr.decode().strip()[:200]}); "
                  "using the linear sample", file=sys.stderr)
            bundle = ROOT / "SampleModels" / "diabetes-linear"
            (scratch / "bench-rows.json").unlink()
            one, hundred = bodies(bundle, scratch)
            bundle_label = "SampleModels/diabetes-linear (linear regression, 10 features)"
        mlflow_serve = [args.mlflow_python, "-m", "mlflow", "models", "serve", "-m", str(bundle), "-h", "127.0.0.1",
                        "-p", "{port}", "--env-manager", "local"]
        contenders = [
            Contender("mbundle serve", [args.mbundle, "serve", "-m", str(bundle), "-p", "{port}",
                                        "--log-level", "warning"], "/health", env, scratch_dir),
            Contender("mlflow models serve", mlflow_serve, "/health", mlflow_env, scratch_dir),
            Contender(f"mlflow models serve --workers {cores}", mlflow_serve + ["--workers", str(cores)], "/health",
                      mlflow_env, scratch_dir),
        ]
        if args.mlserver:
            settings = scratch / "mlserver-model"
            settings.mkdir()
            (settings / "model-settings.json").write_text(json.dumps({
                "name": "forest", "implementation": "mlserver_mlflow.MLflowRuntime",
                "parameters": {"uri": str(bundle)},
            }))

            def mlserver_settings(port, folder=settings):
                (folder / "settings.json").write_text(json.dumps({
                    "host": "127.0.0.1", "http_port": port, "grpc_port": port + 1, "metrics_port": port + 2,
                    "parallel_workers": 0,
                }))

            contenders.append(Contender("MLServer (mlserver-mlflow)", [args.mlserver, "start", str(settings)],
                                        "/v2/health/ready", mlflow_env, scratch_dir, prepare=mlserver_settings))
        table = []
        reference = None
        for contender in contenders:
            row = {"server": contender.name, "cells": {}, "ready_ms": None, "note": ""}
            table.append(row)
            try:
                readies = []
                for attempt in range(starts):
                    port = free_port()
                    while port + 2 > 65535 or not all(free(port + k) for k in (1, 2)):
                        port = free_port()
                    readies.append(contender.start(port) * 1000)
                    if attempt < starts - 1:
                        contender.stop()
                row["ready_ms"] = statistics.median(readies)
                answers = [post(port, one), post(port, hundred)]
                if reference is None:
                    reference = answers  # mbundle's, checked against MLflow's on the next row
                elif not all(close(a[1], b[1]) for a, b in zip(answers, reference)):
                    row["note"] = f"answers differ: {answers[0][1]} vs {reference[0][1]}"
                    continue
                for label, body, connections in [("1 row, c1", one, 1), ("1 row, c16", one, 16),
                                                 ("1 row, c64", one, 64), ("100 rows, c4", hundred, 4)]:
                    row["cells"][label] = wrk(port, body, connections, seconds, scratch_dir, contender.process.pid)
                    print(f"{contender.name} {label}: {row['cells'][label]}", file=sys.stderr, flush=True)
            except Exception as error:  # noqa: BLE001 - a contender that fails gets a note, not a crash
                row["note"] = f"{type(error).__name__}: {str(error)[:300]}"
                print(f"{contender.name}: {row['note']}", file=sys.stderr)
            finally:
                contender.stop()
        if len(table) < 2 or not table[1]["cells"]:
            table[0]["cells"] = {}
            table[0]["note"] = table[0]["note"] or "no MLflow answer to check against"
    write(results, table, bundle_label, cores, seconds, args.quick)
    stop_all()
    return 0


def write(results, table, bundle_label, cores, seconds, quick):
    labels = ["1 row, c1", "1 row, c16", "1 row, c64", "100 rows, c4"]
    lines = [
        "## Serving (`mbundle serve` vs `mlflow models serve` vs MLServer)",
        "",
        f"Generated by `make bench` (Benchmarks/serving_bench.py{', QUICK' if quick else ''}); wrk {seconds} s per "
        f"cell on 127.0.0.1, {cores} cores shared by wrk and the server. Bundle: {bundle_label}. "
        "Answers were checked against MLflow's before timing. RSS: the server's process tree at the end of "
        "the cell. Ready: first 200 on the health route from process start (median of 7).",
        "",
        "| server | ready | " + " | ".join(f"{label}: req/s, p50, p99, RSS" for label in labels) + " |",
        "|---|---:|" + "---:|" * len(labels),
    ]
    for row in table:
        cells = []
        for label in labels:
            cell = row["cells"].get(label)
            if cell is None:
                cells.append("—")
                continue
            bad = f" ({cell['non2xx']} non-2xx, {cell['errors']} errors)" if cell["non2xx"] or cell["errors"] else ""
            cells.append(f"{cell['rps']:,.0f}/s, {cell['p50_ms']:.2f} ms, {cell['p99_ms']:.2f} ms, "
                         f"{cell['rss_mb']:.0f} MB{bad}")
        ready = "—" if row["ready_ms"] is None else (
            f"{row['ready_ms']:.0f} ms" if row["ready_ms"] < 10_000 else f"{row['ready_ms'] / 1000:.1f} s")
        name = row["server"] + (f" ({row['note']})" if row["note"] else "")
        lines.append(f"| {name} | {ready} | " + " | ".join(cells) + " |")
    ours, theirs = table[0]["cells"], table[1]["cells"] if len(table) > 1 else {}
    if "1 row, c16" in ours and "1 row, c16" in theirs:
        lines += ["", f"At concurrency 16 (1 row): {ours['1 row, c16']['rps'] / theirs['1 row, c16']['rps']:.1f}× "
                      f"MLflow's requests/s (one worker); our p99 {ours['1 row, c16']['p99_ms']:.2f} ms against "
                      f"MLflow's p50 {theirs['1 row, c16']['p50_ms']:.2f} ms."]
    (results / "serving.md").write_text("\n".join(lines) + "\n")
    (results / "serving.json").write_text(json.dumps({"bundle": bundle_label, "seconds": seconds, "rows": table},
                                                      indent=1))
    print("\n".join(lines))


if __name__ == "__main__":
    sys.exit(main())
