#!/usr/bin/env python3
"""The columnar rows of `make bench`: Parquet and Arrow in, Parquet predictions out, against Python peers.

Run by Benchmarks/bench.sh (`make bench`, `make bench QUICK=1`); by hand:
    python Benchmarks/columnar_bench.py --mbundle .build/release/mbundle [--quick]
with the bench virtualenv's Python (Scripts/python-env.sh plus Benchmarks/bench-env.sh). Writes
Benchmarks/results/columnar.md (full) or Benchmarks/results/columnar-quick.md, and .json beside it.

Workloads (full sizes; --quick shrinks them):
- End to end: 1,000,000 × 32 float64 in a Parquet file (snappy), and in an Arrow IPC file, to a Parquet
  file of predict_proba (3 classes): `mbundle predict` against pyarrow + scikit-learn and pandas +
  scikit-learn, every contender writing the same Parquet output. Goal: ModelBundle ≥ 5× faster.
- In process: an Arrow stream already in memory decoded, judged, predicted and encoded by the runtime's
  request path (Benchmarks/Tools/ColumnarTiming), against the kernel alone. Goal: within 1.5×.
- Streaming: `mbundle predict --stream` over a 1 GiB Parquet file (row groups of 65,536 rows).
  Goal: peak RSS within 64 MiB plus one row group (the footer's uncompressed size of the largest).

The machinery (processes timed bare and alternated, GNU time for peak RSS, outputs checked before any
ratio) is Benchmarks/compare.py's. The peers are this file's `peer` subcommands.
"""
import argparse
import importlib.util
import json
import os
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
sys.path.insert(0, HERE)

FEATURES, CLASSES = 32, 3


# MARK: - Peers (each run as its own process by the harness)


def _model(directory):
    import numpy as np
    from sklearn.linear_model import LogisticRegression

    model = LogisticRegression()
    model.coef_ = np.load(f"{directory}/coef.npy")
    model.intercept_ = np.load(f"{directory}/intercept.npy")
    model.classes_ = np.arange(CLASSES)
    return model


def _write(probabilities, out_path):
    """The same Parquet output as mbundle's: prediction_0… float64 columns, snappy."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    table = pa.table({f"prediction_{i}": probabilities[:, i] for i in range(probabilities.shape[1])})
    pq.write_table(table, out_path, compression="snappy")


def peer(kind, directory, data, out_path):
    import numpy as np

    model = _model(directory)
    if kind == "pyarrow-parquet":
        import pyarrow.parquet as pq

        x = np.column_stack([c.to_numpy() for c in pq.read_table(data).columns])
    elif kind == "pandas-parquet":
        import pandas as pd

        x = pd.read_parquet(data).to_numpy(dtype=np.float64)
    elif kind == "pyarrow-arrow":
        import pyarrow as pa

        with pa.memory_map(data) as source:
            table = pa.ipc.open_file(source).read_all()
        x = np.column_stack([c.to_numpy() for c in table.columns])
    elif kind == "pandas-arrow":
        import pandas as pd

        x = pd.read_feather(data).to_numpy(dtype=np.float64)
    elif kind == "pyarrow-stream":
        # Bounded memory the Python way: one row group at a time in, one row group at a time out.
        import pyarrow as pa
        import pyarrow.parquet as pq

        source = pq.ParquetFile(data)
        writer = None
        for group in range(source.num_row_groups):
            table = source.read_row_group(group)
            p = model.predict_proba(np.column_stack([c.to_numpy() for c in table.columns]))
            out = pa.table({f"prediction_{i}": p[:, i] for i in range(p.shape[1])})
            if writer is None:
                writer = pq.ParquetWriter(out_path, out.schema, compression="snappy")
            writer.write_table(out)
        writer.close()
        return
    else:
        raise SystemExit(f"unknown peer {kind}")
    _write(model.predict_proba(x), out_path)


# MARK: - Workloads


def load_predictions(path):
    """compare.py's loader, plus Parquet and Arrow stream outputs (columns side by side)."""
    import numpy as np

    if path.endswith(".parquet") or path.endswith(".arrows"):
        import pyarrow as pa
        import pyarrow.parquet as pq

        table = pq.read_table(path) if path.endswith(".parquet") else pa.ipc.open_stream(open(path, "rb").read()).read_all()
        return np.column_stack([c.to_numpy() for c in table.columns]).astype(np.float64)
    return original_load_predictions(path)


def make_data(directory, rows):
    """The weights, the bundle, and the same rows as Parquet (snappy) and an Arrow IPC file and stream."""
    import numpy as np
    import pyarrow as pa
    import pyarrow.parquet as pq

    compare.generate_logistic(directory, FEATURES, CLASSES, seed=21)
    bundle = compare.package_bundle(args.mbundle, directory, FEATURES, CLASSES)
    paths = {k: f"{directory}/data.{k}" for k in ("parquet", "arrow", "arrows")}
    if not all(os.path.exists(p) for p in paths.values()):
        x = np.random.default_rng(22).uniform(-1, 1, size=(rows, FEATURES))
        table = pa.table({f"f{i}": x[:, i] for i in range(FEATURES)})
        pq.write_table(table, paths["parquet"], compression="snappy")
        with pa.ipc.new_file(paths["arrow"], table.schema) as w:
            w.write_table(table)
        with pa.ipc.new_stream(paths["arrows"], table.schema) as w:
            w.write_table(table)
        x.astype("<f8").tofile(f"{directory}/x.f64")
        np.load(f"{directory}/coef.npy").astype("<f8").tofile(f"{directory}/coef.f64")
        np.load(f"{directory}/intercept.npy").astype("<f8").tofile(f"{directory}/intercept.f64")
    return bundle, paths


def workload_end_to_end(directory, bundle, data, form, rows):
    Contender = compare.Contender
    me = os.path.abspath(__file__)
    out = lambda name: f"{directory}/{name}-{form}.parquet"
    contenders = [
        Contender("mbundle predict --output-format parquet",
                  [args.mbundle, "predict", "-m", bundle, "-i", data, "-t", form, "--output-format", "parquet",
                   "-o", out("mb")], out("mb"), reference=True),
        Contender(f"python: pyarrow {'read_table' if form == 'parquet' else 'ipc.open_file'} + scikit-learn",
                  [sys.executable, me, "peer", f"pyarrow-{form}", directory, data, out("pa")], out("pa")),
        Contender(f"python: pandas {'read_parquet' if form == 'parquet' else 'read_feather'} + scikit-learn",
                  [sys.executable, me, "peer", f"pandas-{form}", directory, data, out("pd")], out("pd")),
    ]
    compare.alternate(contenders, args.rounds_e2e)
    name = "Parquet file (snappy)" if form == "parquet" else "Arrow IPC file"
    return {"title": f"Columnar end to end: {rows:,} × {FEATURES} float64, {name} ({os.path.getsize(data) / 2**20:.0f} MiB) "
                     "to a Parquet predictions file",
            "contenders": contenders, "goal": ("faster", 5.0),
            "size": f"predict_proba, {CLASSES} classes; every contender writes prediction_0…2 float64 Parquet (snappy)"}


def workload_in_process(directory, bundle, paths, rows):
    runs = "3"
    command = [args.columnar_timing, bundle, paths["arrows"], f"{directory}/x.f64", f"{directory}/coef.f64",
               f"{directory}/intercept.f64", str(rows), str(FEATURES), str(CLASSES), runs,
               f"{directory}/inproc.arrows", f"{directory}/kernel.f64"]
    request = compare.Contender("runtime: in-memory Arrow stream → decode, enforce, predict, Arrow out", command,
                                f"{directory}/inproc.arrows", inner="arrow_ms", reference=True)
    kernel = compare.Contender("LogisticRegressionKernel alone (row-major float64 already in memory)", command,
                               f"{directory}/kernel.f64", inner="kernel_ms")
    request.companion = kernel
    compare.alternate([request], args.rounds_inproc)
    return {"title": f"Columnar in process: an Arrow stream of {rows:,} × {FEATURES} float64 in memory, predicted",
            "contenders": [request, kernel], "goal": ("within", 1.5),
            "size": f"one process; each time is the best of {runs} repetitions, median over rounds"}


def workload_stream(directory, megabytes):
    spec = importlib.util.spec_from_file_location("rss", os.path.join(ROOT, "Scripts", "check-columnar-stream-rss.py"))
    rss = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(rss)
    if not os.path.exists(f"{directory}/bundle"):
        rss.make_bundle(args.mbundle, directory)
    data = f"{directory}/big.parquet"
    if not os.path.exists(data):
        rss.make_input(data, megabytes)
    import pyarrow.parquet as pq

    meta = pq.ParquetFile(data).metadata
    group = max(meta.row_group(i).total_byte_size for i in range(meta.num_row_groups))
    me = os.path.abspath(__file__)
    contenders = [
        compare.Contender("mbundle predict --stream --output-format parquet",
                          [args.mbundle, "predict", "-m", f"{directory}/bundle", "-i", data, "--stream",
                           "--output-format", "parquet", "-o", f"{directory}/mb.parquet"],
                          f"{directory}/mb.parquet", reference=True),
        compare.Contender("python: pyarrow read_row_group + scikit-learn + ParquetWriter",
                          [sys.executable, me, "peer", "pyarrow-stream", directory, data, f"{directory}/pa.parquet"],
                          f"{directory}/pa.parquet"),
    ]
    compare.alternate(contenders, args.rounds_stream)
    limit_kib = (64 << 10) + group // 1024
    return {"title": f"Columnar streaming: a {os.path.getsize(data) / 2**20:,.0f} MiB Parquet file "
                     f"({meta.num_row_groups} row groups of {meta.row_group(0).num_rows:,} rows, "
                     f"{group / 2**20:.1f} MiB each uncompressed) to Parquet predictions",
            "contenders": contenders, "goal": ("rss", limit_kib),
            "size": f"{meta.num_rows:,} × {FEATURES} float64; peak RSS is the point"}


def goal_line(workload):
    contenders = workload["contenders"]
    reference = next(c for c in contenders if c.reference)
    kind, value = workload["goal"]
    if kind == "rss":
        peak = max((kb for kb in reference.rss_kb if kb is not None), default=None)
        if peak is None:
            return "Goal (peak RSS within 64 MiB + one row group): not measured."
        met = "met" if peak <= value else "**not met**"
        return f"Goal: peak RSS ≤ 64 MiB + one row group = {value / 1024:.0f} MiB: {met} ({peak / 1024:.0f} MiB)."
    ratios = [c.ratio for c in contenders if not c.reference and c.ratio]
    if not ratios:
        return "Goal: no ratio (a contender failed or disagreed)."
    if kind == "faster":
        worst = min(1 / r for r in ratios)
        return f"Goal: ModelBundle ≥ {value:g}× faster than every peer: {'met' if worst >= value else '**not met**'} " \
               f"(the closest peer is {worst:.2f}× slower)."
    ratio = ratios[0]  # the runtime's time ÷ the kernel's
    return f"Goal: within {value:g}× of the kernel alone: {'met' if ratio <= value else '**not met**'} ({ratio:.2f}×)."


def main():
    global args, compare, original_load_predictions
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--mbundle", required=True)
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--work", default=os.path.join(ROOT, ".build", "bench", "columnar"))
    parser.add_argument("--results", default=os.path.join(HERE, "results"))
    parser.add_argument("--only", default="parquet,arrow,inproc,stream")
    args = parser.parse_args()
    args.mbundle = os.path.abspath(args.mbundle)
    if args.quick:
        rows, args.stream_mb = 100_000, 64
        args.rounds_e2e, args.rounds_inproc, args.rounds_stream = 2, 2, 1
    else:
        rows, args.stream_mb = 1_000_000, 1024
        args.rounds_e2e, args.rounds_inproc, args.rounds_stream = 5, 5, 2
    import compare as harness

    compare = harness
    compare.WORK = os.path.abspath(args.work)
    original_load_predictions = compare.load_predictions
    compare.load_predictions = load_predictions
    os.makedirs(compare.WORK, exist_ok=True)
    selected = args.only.split(",")
    if "inproc" in selected:
        subprocess.run(["swift", "build", "-c", "release", "--product", "ColumnarTiming"], cwd=HERE, check=True,
                       stdout=sys.stderr)
        bin_path = subprocess.run(["swift", "build", "-c", "release", "--product", "ColumnarTiming", "--show-bin-path"],
                                  cwd=HERE, check=True, capture_output=True, text=True).stdout.strip()
        args.columnar_timing = os.path.join(bin_path, "ColumnarTiming")

    start = time.perf_counter()
    directory = f"{compare.WORK}/data-{rows}"
    os.makedirs(directory, exist_ok=True)
    workloads = []
    if {"parquet", "arrow", "inproc"} & set(selected):
        bundle, paths = make_data(directory, rows)
        for form in ("parquet", "arrow"):
            if form in selected:
                print(f"workload columnar {form}", file=sys.stderr)
                workloads.append(workload_end_to_end(directory, bundle, paths[form], form, rows))
        if "inproc" in selected:
            print("workload columnar in process", file=sys.stderr)
            workloads.append(workload_in_process(directory, bundle, paths, rows))
    if "stream" in selected:
        print("workload columnar stream", file=sys.stderr)
        stream_dir = f"{compare.WORK}/stream-{args.stream_mb}"
        os.makedirs(stream_dir, exist_ok=True)
        workloads.append(workload_stream(stream_dir, args.stream_mb))
    for workload in workloads:
        compare.judge(workload)
    elapsed = time.perf_counter() - start

    import pyarrow
    import sklearn

    args.command = "make bench QUICK=1" if args.quick else "make bench"
    text = compare.markdown(workloads, args, elapsed)
    text = text.replace("# ModelBundle against its peers", "# ModelBundle against its peers: Parquet and Arrow", 1)
    text = text.replace("\nMachine:", f"\nPeers: pyarrow {pyarrow.__version__}, scikit-learn {sklearn.__version__}. "
                        "Generated by Benchmarks/columnar_bench.py.\nMachine:", 1)
    for workload in workloads:
        heading = f"## {workload['title']}"
        table_end = text.find("\n\n", text.index("| contender", text.index(heading)))
        table_end = len(text.rstrip("\n")) if table_end < 0 else table_end
        text = text[:table_end] + "\n\n" + goal_line(workload) + text[table_end:]
    name = "columnar-quick" if args.quick else "columnar"
    with open(os.path.join(args.results, f"{name}.md"), "w") as f:
        f.write(text)
    with open(os.path.join(args.results, f"{name}.json"), "w") as f:
        json.dump([{"workload": w["title"], "goal": goal_line(w), "contenders": [
            {"name": c.name, "seconds": c.times, "peak_rss_kib": c.rss_kb, "verdict": c.verdict, "ratio": c.ratio}
            for c in w["contenders"]]} for w in workloads], f, indent=1)
    print(text)


args = compare = original_load_predictions = None

if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "peer":
        peer(*sys.argv[2:])
    else:
        main()
