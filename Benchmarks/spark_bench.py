"""Spark bench row: rows x 32 float64 through Spark local[2] with an XGBoost binary:logistic model
(500 trees, depth 8) saved by mlflow.xgboost.

Three passes over the same generated rows, each forced by Spark's `noop` writer:
  mbundle-spark      mbundle_spark.predict (mapInArrow, one mbundle process per partition)
  mlflow spark_udf   mlflow.pyfunc.spark_udf(env_manager="local") on the same MLflow bundle
  transfer floor     a mapInArrow that returns its input unchanged
Outputs of the first two are compared on a sample before any ratio is printed. Reported: wall time,
rows/s, task time (the sum of the stages' executorRunTime, from Spark's REST API) and the peak
resident memory of the executor's Python workers plus their mbundle processes, and of the JVM.

Run: bash Benchmarks/bench.sh (QUICK=1 for 200,000 rows), or, in the Spark virtualenv,
     python Benchmarks/spark_bench.py --mbundle .build/release/mbundle [--rows N] [--results FILE]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request

import numpy as np

FEATURES = [f"f{i}" for i in range(32)]


def train_model(directory: str) -> str:
    import mlflow.xgboost
    import pandas as pd
    import xgboost as xgb
    from mlflow.models import infer_signature

    generator = np.random.default_rng(0)
    x = generator.uniform(-1, 1, size=(5000, 32))
    y = (x[:, :8].sum(axis=1) + np.sin(3 * x[:, 8]) > 0).astype(np.float64)
    booster = xgb.train(
        {"objective": "binary:logistic", "max_depth": 8, "eta": 0.1, "seed": 0, "nthread": 2},
        xgb.DMatrix(x, label=y, feature_names=FEATURES),
        num_boost_round=500,
    )
    frame = pd.DataFrame(x[:5], columns=FEATURES)
    path = os.path.join(directory, "xgb-500x8")
    mlflow.xgboost.save_model(
        booster,
        path,
        signature=infer_signature(frame, booster.predict(xgb.DMatrix(frame))),
        pip_requirements=["xgboost==3.2.0"],
    )
    return path


def rows_frame(spark, rows: int, partitions: int):
    from pyspark.sql import functions as F

    base = spark.range(0, rows, numPartitions=partitions)
    return base.select(*[(F.rand(seed=i) * 2 - 1).alias(name) for i, name in enumerate(FEATURES)])


class MemorySampler:
    """Peak RSS of the JVM, and of the Python workers plus mbundle processes under it."""

    def __init__(self, root: int):
        self.root = root
        self.peak_workers = 0
        self.peak_jvm = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join()

    def _run(self):
        while not self._stop.is_set():
            processes = _processes()
            children: dict[int, list[int]] = {}
            for pid, (parent, _, _) in processes.items():
                children.setdefault(parent, []).append(pid)
            jvm = 0
            workers = 0
            stack = list(children.get(self.root, []))
            while stack:
                pid = stack.pop()
                _, name, rss = processes[pid]
                if name == "java":
                    jvm += rss
                else:
                    workers += rss
                stack.extend(children.get(pid, []))
            self.peak_workers = max(self.peak_workers, workers)
            self.peak_jvm = max(self.peak_jvm, jvm)
            self._stop.wait(0.2)


def _processes() -> dict[int, tuple[int, str, int]]:
    page = os.sysconf("SC_PAGE_SIZE")
    found = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as handle:
                head, tail = handle.read().rsplit(")", 1)
            with open(f"/proc/{entry}/statm") as handle:
                rss = int(handle.read().split()[1]) * page
        except (OSError, ValueError, IndexError):
            continue
        found[int(entry)] = (int(tail.split()[1]), head.split("(", 1)[1], rss)
    return found


def stage_run_time(spark, since: set[int]) -> tuple[float, set[int]]:
    """Seconds of executorRunTime summed over the stages completed since ``since``."""
    url = spark.sparkContext.uiWebUrl
    app = spark.sparkContext.applicationId
    with urllib.request.urlopen(f"{url}/api/v1/applications/{app}/stages?status=complete") as response:
        stages = json.load(response)
    new = [stage for stage in stages if stage["stageId"] not in since]
    return sum(stage.get("executorRunTime", 0) for stage in new) / 1000.0, since | {s["stageId"] for s in stages}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--mbundle", required=True)
    parser.add_argument("--rows", type=int, default=None)
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--results", default=None)
    args = parser.parse_args()
    rows = args.rows or (200_000 if args.quick else 10_000_000)
    results = args.results or ("Benchmarks/results/spark-quick.md" if args.quick else "Benchmarks/results/spark.md")
    partitions = max(2, min(16, rows // 500_000))

    import mlflow.pyfunc
    import mbundle_spark
    from pyspark.sql import SparkSession

    scratch = tempfile.mkdtemp(prefix="spark-bench-", dir=os.environ.get("TMPDIR"))
    print(f"training the model (500 trees, depth 8) in {scratch}", file=sys.stderr)
    model = train_model(scratch)
    archive = os.path.join(scratch, "xgb.tar.gz")
    subprocess.run([args.mbundle, "pack", model, "-o", archive], check=True)

    spark = (
        SparkSession.builder.master("local[2]")
        .appName("mbundle-spark-bench")
        .config("spark.ui.port", "0")
        .config("spark.driver.memory", "3g")
        .config("spark.sql.execution.arrow.maxRecordsPerBatch", "10000")
        .config("spark.local.dir", scratch)
        .getOrCreate()
    )
    spark.sparkContext.setLogLevel("ERROR")
    shipment = mbundle_spark.ship(spark, archive, args.mbundle)
    mlflow_udf = mlflow.pyfunc.spark_udf(spark, model, result_type="double", env_manager="local")

    def ours(df):
        return mbundle_spark.predict(df, shipment, keep_input=False)

    def theirs(df):
        return df.select(mlflow_udf(*FEATURES).alias("prediction"))

    def floor(df):
        return df.mapInArrow(lambda batches: batches, df.schema)

    # Outputs first: the two scorers must agree on a sample before any ratio.
    sample = rows_frame(spark, min(rows, 50_000), 2)
    a = ours(sample).toPandas()["prediction"].to_numpy()
    b = theirs(sample).toPandas()["prediction"].to_numpy()
    np.testing.assert_allclose(a, b, rtol=1e-6, atol=1e-7)
    print(f"outputs agree on {len(a)} rows (max |diff| {np.abs(a - b).max():.2e})", file=sys.stderr)

    measured = {}
    seen: set[int] = stage_run_time(spark, set())[1]
    for name, method in (("mbundle-spark", ours), ("mlflow spark_udf", theirs), ("transfer floor", floor)):
        df = method(rows_frame(spark, rows, partitions))
        print(f"timing {name} on {rows} rows ({partitions} partitions)", file=sys.stderr)
        with MemorySampler(os.getpid()) as memory:
            start = time.perf_counter()
            df.write.format("noop").mode("overwrite").save()
            wall = time.perf_counter() - start
        task, seen = stage_run_time(spark, seen)
        measured[name] = (wall, task, memory.peak_workers, memory.peak_jvm)
        print(f"  {wall:.1f} s", file=sys.stderr)
    spark.stop()

    lines = [
        "# Spark bench: XGBoost 500 trees x depth 8 (binary:logistic), 32 float64 columns",
        "",
        f"{rows:,} rows, Spark local[2], {partitions} partitions, maxRecordsPerBatch 10,000; "
        f"{platform.machine()}, {os.cpu_count()} cores; written by Benchmarks/spark_bench.py.",
        "Outputs of mbundle-spark and mlflow spark_udf compared on 50,000 rows (rtol 1e-6) before timing.",
        "",
        "| pass | wall s | rows/s | task time s | peak Python+mbundle RSS MB | peak JVM RSS MB | vs mlflow | vs floor |",
        "|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    reference, transfer = measured["mlflow spark_udf"][0], measured["transfer floor"][0]
    for name, (wall, task, workers, jvm) in measured.items():
        lines.append(
            f"| {name} | {wall:.1f} | {rows / wall:,.0f} | {task:.1f} | {workers / 2**20:.0f} | {jvm / 2**20:.0f} "
            f"| {reference / wall:.2f}x | {wall / transfer:.2f}x |"
        )
    lines += [
        "",
        "`vs mlflow`: mlflow time / this time (higher is faster). `vs floor`: this time / the identity",
        "mapInArrow's time (1.00x = the cost of moving the rows to Python and back).",
    ]
    os.makedirs(os.path.dirname(results), exist_ok=True)
    with open(results, "w") as handle:
        handle.write("\n".join(lines) + "\n")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
