#!/usr/bin/env python3
"""The comparison harness of DESIGN.md §6: ModelBundle against its Python peers, every peer in the same run.

Rerun:  make bench            (full sizes; tens of minutes on two cores)
        make bench QUICK=1    (reduced sizes, well under two minutes)
Both go through Benchmarks/bench.sh, which builds the release `mbundle` and the KernelTiming tool, makes
the pinned virtualenv (.build/python-venv, or VENV=...) and runs
        $VENV/bin/python Benchmarks/compare.py --mbundle M --kernel-timing K [--quick]

For every workload the contenders run alternately, round after round (so a load spike on this shared
machine hits all of them), each as its own process so its peak RSS (wait4's ru_maxrss) is its own; the
reported time is the median over rounds. Before any ratio is printed, each contender's predictions are
compared with ModelBundle's: float64 peers must agree to 1e-9 relative; the float32 ONNX Runtime peer to
FLOAT32_RTOL relative plus FLOAT32_ATOL absolute (a float32 softmax cannot do better). A contender that
disagrees or fails gets no ratio, only the reason. Nothing in the outputs is typed by hand.

Writes Benchmarks/results/latest.md, latest.png (log-scale bars) and README-performance.md (the README's
performance section), plus latest.json with every raw timing.
"""
import argparse
import json
import os
import platform
import shutil
import statistics
import struct
import subprocess
import sys
import time

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
FLOAT64_RTOL = 1e-9
FLOAT32_RTOL = 1e-4
FLOAT32_ATOL = 1e-6


# MARK: - Running and measuring


class Result:
    def __init__(self, seconds, max_rss_kb, status, stdout):
        self.seconds, self.max_rss_kb, self.status, self.stdout = seconds, max_rss_kb, status, stdout


# A child forked from this (large) Python process starts with its RSS, and Linux keeps that high-water mark
# across exec, so wait4's ru_maxrss would report the harness's own size. GNU time forks from a tiny process,
# so its %M is the contender's own peak (with its descendants'). Without it, RSS is marked as an upper bound.
GNU_TIME = "/usr/bin/time" if os.access("/usr/bin/time", os.X_OK) else None


def run(command, env=None, peak_rss=True):
    """Runs a process to completion; wall time, peak RSS (KiB) and stdout.

    With `peak_rss` the process runs under GNU time, whose start-up (a millisecond or two) is then inside
    the wall time; timed runs of whole processes pass False and take their peak RSS from one more run."""
    out_path, err_path, rss_path = (os.path.join(WORK, n) for n in ("stdout.txt", "stderr.txt", "rss.txt"))
    use_time = GNU_TIME and peak_rss
    launcher = [GNU_TIME, "-f", "%M", "-o", rss_path] if use_time else []
    with open(out_path, "wb") as out, open(err_path, "wb") as err:
        start = time.perf_counter()
        process = subprocess.Popen(launcher + list(command), stdout=out, stderr=err, env=env)
        _, status, usage = os.wait4(process.pid, 0)
        seconds = time.perf_counter() - start
        process.returncode = os.waitstatus_to_exitcode(status)
    max_rss_kb = usage.ru_maxrss
    if use_time:
        with open(rss_path) as f:
            lines = [line for line in f.read().split() if line.isdigit()]
        max_rss_kb = int(lines[-1]) if lines else None
    with open(out_path, "rb") as f:
        stdout = f.read().decode(errors="replace")
    if process.returncode != 0:
        with open(err_path, "rb") as f:
            tail = f.read()[-600:].decode(errors="replace")
        print(f"  ! {command[0]} … exited {process.returncode}: {tail}", file=sys.stderr)
    return Result(seconds, max_rss_kb, process.returncode, stdout)


class Contender:
    """One contender of one workload: how to run it, where its outputs go, how strictly they must agree."""

    def __init__(self, name, command, output, rtol=FLOAT64_RTOL, atol=0.0, inner=False, reference=False,
                 bound=False, note=""):
        self.name, self.command, self.output = name, command, output
        self.rtol, self.atol, self.inner, self.note = rtol, atol, inner, note
        self.reference, self.bound = reference, bound
        self.times, self.rss_kb, self.failure = [], [], None
        self.companion = None  # a Contender whose timing ("inner" key) this one's process also prints

    def measure(self):
        if self.failure:
            return
        if os.path.exists(self.output or ""):
            os.remove(self.output)
        # In-process contenders time themselves, so GNU time around them costs nothing; a whole process is
        # timed bare, and its peak RSS comes from one extra, untimed run under GNU time in its first round.
        result = run(self.command, peak_rss=bool(self.inner))
        if result.status != 0:
            self.failure = f"failed (exit {result.status})"
            return
        if self.inner:
            # In-process timings (input already in memory): the best of the repetitions of this round.
            self.rss_kb.append(result.max_rss_kb)
            report = json.loads(result.stdout.strip().splitlines()[-1])
            self.times.append(min(report[self.inner]) / 1e3)
            if self.companion:
                self.companion.times.append(min(report[self.companion.inner]) / 1e3)
                self.companion.rss_kb.append(result.max_rss_kb)
            return
        self.times.append(result.seconds)
        if not self.rss_kb:
            if os.path.exists(self.output or ""):
                os.remove(self.output)
            self.rss_kb.append(run(self.command).max_rss_kb)

    @property
    def median(self):
        return statistics.median(self.times) if self.times else None


def alternate(contenders, rounds):
    """Rounds of every contender in turn; the starting contender rotates so none is always first."""
    for index in range(rounds):
        order = contenders[index % len(contenders):] + contenders[:index % len(contenders)]
        for contender in order:
            contender.measure()
        print(f"  round {index + 1}/{rounds}: " + ", ".join(
            f"{c.name} {c.times[-1]:.4g}s" for c in contenders if c.times and not c.failure), file=sys.stderr)


# MARK: - Outputs and agreement


def load_predictions(path):
    """The predictions of a {"predictions": …} JSON file, a .npy file or a raw float64 file, as float64."""
    if path.endswith(".npy"):
        return np.load(path).astype(np.float64)
    if path.endswith(".f64"):
        return np.fromfile(path, dtype="<f8")
    with open(path, "rb") as f:
        text = f.read()
    if path.endswith(".jsonl"):
        return stream_predictions(text)
    try:
        import orjson

        body = orjson.loads(text)
    except Exception:  # very large outputs: orjson is only a speed-up
        body = json.loads(text)
    predictions = body["predictions"] if isinstance(body, dict) else body
    return np.asarray(predictions, dtype=np.float64)


def stream_predictions(text):
    """`predict --stream`'s JSON Lines (README, streaming contract): each batch's predictions in row
    order, and a final completion record whose row count covers them all; anything else is refused."""
    batches, rows = [], 0
    lines = text.splitlines()
    for line in lines[:-1]:
        record = json.loads(line)
        if record.get("first_row") != rows:
            raise ValueError(f"batch starts at row {record.get('first_row')}, expected {rows}")
        batches.append(np.asarray(record["predictions"], dtype=np.float64))
        rows += record["rows"]
    final = json.loads(lines[-1]) if lines else {}
    if final.get("complete") is not True or final.get("rows") != rows:
        raise ValueError(f"the output is not complete: last record {final}")
    return np.concatenate(batches) if batches else np.zeros(0)


def agreement(contender, reference):
    """None when the contender's outputs match the reference's within its tolerance, else the reason."""
    if contender.bound:
        return None
    try:
        ours = load_predictions(reference.output).ravel()
        theirs = load_predictions(contender.output).ravel()
    except Exception as error:
        return f"outputs unreadable ({type(error).__name__})"
    if ours.shape != theirs.shape:
        return f"outputs disagree: {theirs.size} values, ModelBundle {ours.size}"
    difference = np.abs(theirs - ours)
    allowed = contender.rtol * np.abs(ours) + contender.atol
    worst = float(np.max(difference / np.maximum(np.abs(ours), 1e-300))) if ours.size else 0.0
    contender.max_relative_error = worst
    if not np.all(difference <= allowed):
        bad = int(np.argmax(difference - allowed))
        return f"outputs disagree (value {bad}: {theirs[bad]!r} vs {ours[bad]!r})"
    return None


# MARK: - Workloads


def generate_logistic(directory, features, classes, seed):
    """Weights of a multinomial logistic regression, as .npy (for peers and `mbundle package`)."""
    rng = np.random.default_rng(seed)
    coef = rng.uniform(-0.5, 0.5, size=(classes, features))
    intercept = np.array([0.1 * (i + 1) for i in range(classes)])
    np.save(f"{directory}/coef.npy", coef)
    np.save(f"{directory}/intercept.npy", intercept)
    return coef, intercept


def package_bundle(mbundle, directory, features, classes, predict_fn="predict_proba"):
    """A predict_proba (or `predict_fn`) bundle made by `mbundle package` (with its pure-numpy pyfunc flavor for
    MLflow), from coef.npy and intercept.npy in `directory`."""
    bundle = f"{directory}/bundle"
    shutil.rmtree(bundle, ignore_errors=True)
    example = f"{directory}/example.csv"
    with open(example, "w") as f:
        f.write(",".join(f"f{i}" for i in range(features)) + "\n" + ",".join("0.5" for _ in range(features)) + "\n")
    subprocess.run([mbundle, "package", "logistic-regression", "--coef", f"{directory}/coef.npy", "--intercept",
                    f"{directory}/intercept.npy", "--classes", ",".join(str(i) for i in range(classes)),
                    "--predict-fn", predict_fn, "--example", example, "-o", bundle], check=True,
                   stdout=subprocess.DEVNULL)
    return bundle


def mlflow_env():
    env = dict(os.environ)
    env.setdefault("MLFLOW_LOCK_MODEL_DEPENDENCIES", "false")
    return env


def workload_cold_start(args):
    directory = f"{WORK}/cold"
    shutil.rmtree(directory, ignore_errors=True)
    os.makedirs(directory)
    model = f"{directory}/model"
    subprocess.run([sys.executable, f"{ROOT}/Scripts/make-bench-bundle.py", model], check=True)
    data = f"{directory}/in.json"
    with open(data, "w") as f:
        f.write('{"inputs": [[-4],[1],[0],[10],[-2],[1]]}')
    contenders = [
        Contender("mbundle predict", [args.mbundle, "predict", "-m", model, "-i", data, "-o", f"{directory}/mb.json"],
                  f"{directory}/mb.json", reference=True),
        Contender("mlflow models predict --env-manager local",
                  [args.mlflow, "models", "predict", "-m", model, "-i", data, "-t", "json", "--env-manager", "local",
                   "-o", f"{directory}/ml.json"], f"{directory}/ml.json"),
        Contender("python: mlflow.pyfunc.load_model(…).predict",
                  [sys.executable, f"{HERE}/peers.py", "pyfunc", model, data, f"{directory}/py.json"],
                  f"{directory}/py.json"),
    ]
    # The floor (issue #17: cold start within 1.5× of it): an empty Swift program linked as the Makefile
    # links mbundle (static Swift runtime, lld, packed relative relocations, no exported symbols), timed in the same rounds.
    empty = f"{directory}/empty"
    with open(f"{empty}.swift", "w") as f:
        f.write("\n")
    built = subprocess.run(["swiftc", "-O", "-static-stdlib", "-use-ld=lld", "-Xlinker", "-z", "-Xlinker",
                            "pack-relative-relocs", "-Xlinker", "--no-export-dynamic", f"{empty}.swift", "-o", empty], capture_output=True)
    if built.returncode == 0:
        contenders.append(Contender("empty Swift program (static runtime, built the same way)", [empty], None,
                                    bound=True))
    run([args.mbundle, "predict", "-m", model, "-i", data])  # page cache warm for everyone
    alternate(contenders, args.rounds_cold)
    return {"title": "Cold start: load the bundle and predict 6 rows (whole process)", "contenders": contenders,
            "size": "6 rows, 1 feature, binary logistic regression"}


def workload_in_memory(args):
    rows, features, classes = args.inmem_rows, 32, 3
    directory = f"{WORK}/inmem-{rows}"
    os.makedirs(directory, exist_ok=True)
    coef, intercept = generate_logistic(directory, features, classes, seed=3)
    x = np.random.default_rng(4).uniform(-1, 1, size=(rows, features))
    np.save(f"{directory}/x.npy", x)
    x.astype("<f8").tofile(f"{directory}/x.f64")
    coef.astype("<f8").tofile(f"{directory}/coef.f64")
    intercept.astype("<f8").tofile(f"{directory}/intercept.f64")
    # skl2onnx converts the scikit-learn model to a float32 ONNX graph (its only supported input type here).
    from skl2onnx import to_onnx
    from sklearn.linear_model import LogisticRegression

    model = LogisticRegression()
    model.coef_, model.intercept_, model.classes_ = coef, intercept, np.arange(classes)
    onnx_model = to_onnx(model, x[:1].astype(np.float32), options={id(model): {"zipmap": False}}, target_opset=17)
    with open(f"{directory}/model.onnx", "wb") as f:
        f.write(onnx_model.SerializeToString())
    del x
    inner = "3"
    kernel = Contender("ModelBundle kernel (LogisticRegressionKernel)",
                       [args.kernel_timing, f"{directory}/x.f64", f"{directory}/coef.f64",
                        f"{directory}/intercept.f64", str(rows), str(features), str(classes), inner,
                        f"{directory}/mb.f64"], f"{directory}/mb.f64", inner="kernel_ms", reference=True)
    # The floor is the same process's one pass summing the input: a bound, not a peer, so it has no outputs.
    floor = Contender("memory-read floor (one pass over the input)", kernel.command, None, inner="floor_ms",
                      bound=True)

    def peer(name, kind, **options):
        return Contender(name, [sys.executable, f"{HERE}/peers.py", "inmem", kind, directory, inner,
                                f"{directory}/{kind}.npy"], f"{directory}/{kind}.npy", inner="ms", **options)

    contenders = [
        kernel,
        peer("scikit-learn predict_proba", "sklearn"),
        peer("numpy X @ W.T + softmax", "numpy"),
        peer("ONNX Runtime (skl2onnx, float32)", "onnxruntime", rtol=FLOAT32_RTOL, atol=FLOAT32_ATOL),
    ]
    # The floor is timed inside the kernel's process: it is filled from the same runs, not run twice.
    kernel.companion = floor
    alternate(contenders, args.rounds_inmem)
    return {"title": f"In memory: predict_proba, {rows:,} × {features} float64, {classes} classes (multinomial)",
            "contenders": contenders + [floor],
            "size": f"{rows:,} rows; each time is the best of {inner} repetitions in one process, median over rounds"}


def write_table(path, rows, features, rng):
    x = rng.standard_normal((rows, features))
    np.savetxt(path, x, delimiter=",", header=",".join(f"f{i}" for i in range(features)), comments="",
               fmt="%.17g")
    return x


def workload_end_to_end(args, form):
    rows, features, classes = args.e2e_rows, 32, 3
    directory = f"{WORK}/e2e-{rows}"
    os.makedirs(directory, exist_ok=True)
    generate_logistic(directory, features, classes, seed=5)
    bundle = package_bundle(args.mbundle, directory, features, classes)
    csv_path, json_path = f"{directory}/data.csv", f"{directory}/data.json"
    if not os.path.exists(json_path):
        x = write_table(csv_path, rows, features, np.random.default_rng(6))
        with open(json_path, "w") as f:
            json.dump({"dataframe_split": {"columns": [f"f{i}" for i in range(features)], "data": x.tolist()}}, f)
    data = csv_path if form == "csv" else json_path
    contenders = [
        Contender("mbundle predict", [args.mbundle, "predict", "-m", bundle, "-i", data, "-t", form, "-o",
                                      f"{directory}/mb-{form}.json"], f"{directory}/mb-{form}.json", reference=True),
        Contender("mlflow models predict --env-manager local",
                  [args.mlflow, "models", "predict", "-m", bundle, "-i", data, "-t", form, "--env-manager", "local",
                   "-o", f"{directory}/ml-{form}.json"], f"{directory}/ml-{form}.json"),
    ]
    if form == "csv":
        contenders.append(Contender("python: pandas.read_csv + scikit-learn",
                                    [sys.executable, f"{HERE}/peers.py", "e2e-pandas", directory, data,
                                     f"{directory}/py-{form}.json"], f"{directory}/py-{form}.json"))
    else:
        contenders.append(Contender("python: orjson + scikit-learn",
                                    [sys.executable, f"{HERE}/peers.py", "e2e-orjson", directory, data,
                                     f"{directory}/py-{form}.json"], f"{directory}/py-{form}.json"))
    size = os.path.getsize(data) / 1e6
    alternate(contenders, args.rounds_e2e)
    return {"title": f"End to end: {rows:,}-row {form.upper()} file ({size:.0f} MB) to a predictions file",
            "contenders": contenders, "size": f"{rows:,} × {features} float64, predict_proba, 3 classes"}


def safetensors_weights(path, directory):
    """coef/intercept of the six-point bundle's weights file, for the pandas peer."""
    with open(path, "rb") as f:
        raw = f.read()
    (length,) = struct.unpack("<Q", raw[:8])
    header = json.loads(raw[8:8 + length])
    for name in ("coef", "intercept"):
        start, end = header[name]["data_offsets"]
        array = np.frombuffer(raw[8 + length + start:8 + length + end], dtype="<f8").reshape(header[name]["shape"])
        np.save(f"{directory}/{name}.npy", array)


def workload_stream(args, columns=1):
    """`predict --stream` over a CSV just under the whole-file limit (1 GiB), next to the whole-file `predict` of
    the same file (issue #17: streaming at no less than 0.8x its throughput, peak RSS at most 64 MB whatever the
    width) and pandas in chunks."""
    megabytes = args.stream_mb
    directory = f"{WORK}/stream-{megabytes}" + ("" if columns == 1 else f"-x{columns}")
    os.makedirs(directory, exist_ok=True)
    if columns == 1:
        model = f"{directory}/model"
        shutil.rmtree(model, ignore_errors=True)
        subprocess.run([sys.executable, f"{ROOT}/Scripts/make-bench-bundle.py", model], check=True)
        safetensors_weights(f"{model}/model.safetensors", directory)
    else:
        # A binary logistic regression over `columns` features, predicting labels as the one-column model does.
        weights = np.random.default_rng(11)
        np.save(f"{directory}/coef.npy", weights.normal(0, 1, (1, columns)))
        np.save(f"{directory}/intercept.npy", weights.normal(0, 1, (1,)))
        model = package_bundle(args.mbundle, directory, columns, 2, predict_fn="predict")
    data = f"{directory}/big.csv"
    # 4 MiB under the size asked for, so that a 1,024 MiB file stays within the whole-file limit.
    target = megabytes * 1024 * 1024 - (4 << 20)
    if not os.path.exists(data) or os.path.getsize(data) > target + (1 << 20):
        # Values like "-1.2345678901234" (~17 bytes), written in chunks so the generator's memory stays small.
        rng = np.random.default_rng(7)
        rows_per_chunk = max(1, 200_000 // columns)
        with open(data, "w") as f:
            f.write(",".join(["x"] if columns == 1 else [f"f{i}" for i in range(columns)]) + "\n")
            written = 0
            while written < target:
                values = rng.uniform(-4, 4, (rows_per_chunk, columns))
                chunk = "\n".join(",".join(f"{v:.13f}" for v in row) for row in values) + "\n"
                chunk = chunk[: max(0, target - written)]
                chunk = chunk[: chunk.rfind("\n") + 1]
                if not chunk:
                    break
                f.write(chunk)
                written += len(chunk)
    contenders = [
        Contender("mbundle predict --stream", [args.mbundle, "predict", "-m", model, "-i", data, "--stream", "-o",
                                               f"{directory}/mb.jsonl"], f"{directory}/mb.jsonl", reference=True),
        Contender("mbundle predict (whole file)", [args.mbundle, "predict", "-m", model, "-i", data, "-o",
                                                   f"{directory}/mb-whole.json"], f"{directory}/mb-whole.json"),
        Contender("python: pandas.read_csv(chunksize=65536) + scikit-learn",
                  [sys.executable, f"{HERE}/peers.py", "stream-pandas", directory, data, f"{directory}/py.json"],
                  f"{directory}/py.json"),
    ]
    alternate(contenders, args.rounds_stream)
    width = "one column" if columns == 1 else f"{columns} columns"
    return {"title": f"Streaming: a {os.path.getsize(data) / 2**20:,.0f} MiB CSV ({width}) to predictions",
            "contenders": contenders, "rss_focus": True,
            "size": "bounded memory: peak RSS is the point; the whole-file row is the throughput to match (0.8x)"}


# MARK: - Reporting


def human_time(seconds):
    if seconds is None:
        return "—"
    if seconds < 1e-3:
        return f"{seconds * 1e6:.0f} µs"
    if seconds < 1:
        return f"{seconds * 1e3:.1f} ms"
    return f"{seconds:.2f} s"


def machine():
    model = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    model = line.split(":", 1)[1].strip()
                    break
        with open("/proc/meminfo") as f:
            memory = int(f.readline().split()[1]) / 2**20
    except OSError:
        memory = 0
    return (f"{model}, {os.cpu_count()} cores shared with other builds (timings are noisy; ratios from the same run "
            f"are what count), {memory:.0f} GiB RAM, {platform.system()} {platform.release()}")


def judge(workload):
    """Fills in each contender's verdict: its ratio, or why there is none."""
    contenders = workload["contenders"]
    reference = next(c for c in contenders if c.reference)
    for contender in contenders:
        contender.verdict, contender.ratio = None, None
        if contender.failure or reference.failure:
            contender.verdict = contender.failure or f"ModelBundle {reference.failure}"
            continue
        if contender.reference:
            contender.verdict, contender.ratio = "reference", 1.0
            continue
        problem = agreement(contender, reference)
        if problem:
            contender.verdict = f"no ratio: {problem}"
            continue
        if contender.bound:
            contender.verdict = "a bound (makes no predictions)"
        else:
            error = getattr(contender, "max_relative_error", 0.0)
            limit = f"{contender.rtol:g} rel" + (f" + {contender.atol:g} abs" if contender.atol else "")
            contender.verdict = f"agree (max rel. diff {error:.1e} ≤ {limit})"
        contender.ratio = reference.median / contender.median


def markdown(workloads, args, elapsed):
    lines = [
        "# ModelBundle against its peers",
        "",
        f"Generated by `{args.command}` on {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())} in {elapsed:.0f} s"
        + (" (**quick mode**: reduced sizes and rounds)" if args.quick else "") + ".",
        f"Machine: {machine()}.",
        "",
        "Every contender runs as its own process, alternating with the others round after round; times are "
        "medians over the rounds (whole processes are timed bare, from start to exit), peak RSS is the "
        "process's largest (with its child processes', as GNU time reports it in one more, untimed run). "
        "**ModelBundle ÷ peer** is ModelBundle's time "
        "divided by the peer's (below 1: ModelBundle is faster); **peer ÷ ModelBundle** is its inverse, how "
        "many times faster ModelBundle is. A ratio is only given when the peer's predictions "
        f"agree with ModelBundle's: within {FLOAT64_RTOL:g} relative for float64 peers, {FLOAT32_RTOL:g} relative "
        f"+ {FLOAT32_ATOL:g} absolute for the float32 ONNX Runtime model.",
        "",
    ]
    for workload in workloads:
        contenders = workload["contenders"]
        rounds = max(len(c.times) for c in contenders)
        lines += [f"## {workload['title']}", "", f"{workload['size']}; {rounds} round(s).", "",
                  "| contender | median time | peak RSS | outputs | ModelBundle ÷ peer | peer ÷ ModelBundle |",
                  "|---|---:|---:|---|---:|---:|"]
        for c in contenders:
            known = [kb for kb in c.rss_kb if kb is not None]
            rss = f"{max(known) / 1024:,.0f} MiB" if known else "—"
            if known and not GNU_TIME:
                rss = "≤ " + rss
            ratio = f"{c.ratio:.3g}" if c.ratio is not None else "—"
            inverse = f"{1 / c.ratio:.3g}×" if c.ratio else "—"
            lines.append(f"| {c.name} | {human_time(c.median)} | {rss} | {c.verdict} | {ratio} | {inverse} |")
        lines.append("")
    return "\n".join(lines)


def chart(workloads, path):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    bars_total = sum(len(w["contenders"]) for w in workloads)
    figure, axes = plt.subplots(len(workloads), 1, figsize=(10, 2.0 + 0.55 * bars_total), squeeze=False)
    for axis, workload in zip(axes[:, 0], workloads):
        shown = [c for c in workload["contenders"] if c.median is not None]
        names = [c.name for c in shown][::-1]
        values = [c.median for c in shown][::-1]
        colors = ["#d62728" if c.reference else ("#7f7f7f" if c.bound or c.ratio is None else "#1f77b4")
                  for c in shown][::-1]
        bars = axis.barh(names, values, color=colors)
        axis.set_xscale("log")
        axis.set_title(workload["title"], fontsize=9, loc="left")
        axis.tick_params(axis="y", labelsize=8)
        axis.tick_params(axis="x", labelsize=7)
        for bar, contender in zip(bars, shown[::-1]):
            label = human_time(contender.median)
            known = [kb for kb in contender.rss_kb if kb is not None]
            if known and not contender.bound:
                label += f", {max(known) / 1024:,.0f} MiB peak"
            if contender.ratio is not None and not contender.reference:
                label += f"  (ratio {contender.ratio:.3g})"
            elif contender.ratio is None and not contender.reference:
                label += "  (no ratio)"
            axis.text(bar.get_width(), bar.get_y() + bar.get_height() / 2, " " + label, va="center", fontsize=7)
        axis.set_xlim(min(values) / 2, max(values) * 30)
    axes[-1, 0].set_xlabel("median wall time, seconds (log scale); red: ModelBundle, grey: no ratio or a bound",
                           fontsize=8)
    figure.tight_layout()
    figure.savefig(path, dpi=90)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--mbundle", required=True)
    parser.add_argument("--kernel-timing", required=True)
    parser.add_argument("--mlflow", default=os.path.join(os.path.dirname(sys.executable), "mlflow"))
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--work", default=os.path.join(ROOT, ".build", "bench"))
    parser.add_argument("--results", default=os.path.join(HERE, "results"))
    parser.add_argument("--only", default="cold,inmem,csv,json,stream,stream32")
    args = parser.parse_args()
    args.command = "make bench QUICK=1" if args.quick else "make bench"
    if args.quick:
        args.rounds_cold, args.rounds_inmem, args.rounds_e2e, args.rounds_stream = 2, 3, 2, 1
        args.inmem_rows, args.e2e_rows, args.stream_mb = 100_000, 20_000, 64
    else:
        args.rounds_cold, args.rounds_inmem, args.rounds_e2e, args.rounds_stream = 7, 7, 5, 3
        args.inmem_rows, args.e2e_rows, args.stream_mb = 1_000_000, 200_000, 1024
    args.mbundle, args.kernel_timing = os.path.abspath(args.mbundle), os.path.abspath(args.kernel_timing)
    global WORK
    WORK = os.path.abspath(args.work)
    os.makedirs(WORK, exist_ok=True)
    os.makedirs(args.results, exist_ok=True)
    os.environ["MLFLOW_LOCK_MODEL_DEPENDENCIES"] = "false"

    start = time.perf_counter()
    selected = args.only.split(",")
    steps = [("cold", lambda: workload_cold_start(args)), ("inmem", lambda: workload_in_memory(args)),
             ("csv", lambda: workload_end_to_end(args, "csv")), ("json", lambda: workload_end_to_end(args, "json")),
             ("stream", lambda: workload_stream(args)), ("stream32", lambda: workload_stream(args, columns=32))]
    workloads = []
    for key, step in steps:
        if key in selected:
            print(f"workload {key}", file=sys.stderr)
            workloads.append(step())
    for workload in workloads:
        judge(workload)
    elapsed = time.perf_counter() - start

    text = markdown(workloads, args, elapsed)
    with open(os.path.join(args.results, "latest.md"), "w") as f:
        f.write(text)
    chart(workloads, os.path.join(args.results, "latest.png"))
    with open(os.path.join(args.results, "latest.json"), "w") as f:
        json.dump([{"workload": w["title"], "contenders": [
            {"name": c.name, "seconds": c.times, "peak_rss_kib": c.rss_kb, "verdict": c.verdict, "ratio": c.ratio}
            for c in w["contenders"]]} for w in workloads], f, indent=1)
    snippet = text.replace("# ModelBundle against its peers", "## Performance", 1)
    snippet = snippet.replace("\n## ", "\n### ")
    # Links relative to the repository root, to this run's own folder (results/ or results/full/).
    folder = os.path.relpath(os.path.abspath(args.results), os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    snippet += (f"\n![Median times, log scale]({folder}/latest.png)\n\n"
                f"Reproduce with `make test && {args.command}` (the full sizes of DESIGN.md §6: `make bench`). "
                f"Raw timings: {folder}/latest.json.\n")
    with open(os.path.join(args.results, "README-performance.md"), "w") as f:
        f.write(snippet)
    print(text)


WORK = None

if __name__ == "__main__":
    main()
