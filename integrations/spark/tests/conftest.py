"""A local[2] Spark session, the mbundle binary, and three MLflow bundles written by real MLflow:
a linear model, an XGBoost tree ensemble and a scikit-learn preprocessing pipeline."""

from __future__ import annotations

import os
import subprocess

import numpy as np
import pandas as pd
import pytest

os.environ.setdefault("MLFLOW_LOCK_MODEL_DEPENDENCIES", "false")

FEATURES = [f"f{i}" for i in range(6)]


@pytest.fixture(scope="session")
def binary() -> str:
    path = os.environ.get("MBUNDLE_BINARY")
    if not path or not os.path.isfile(path):
        raise RuntimeError("set MBUNDLE_BINARY to a built mbundle (make spark does)")
    return os.path.abspath(path)


@pytest.fixture(scope="session")
def spark(tmp_path_factory):
    from pyspark.sql import SparkSession

    warehouse = tmp_path_factory.mktemp("warehouse")
    session = (
        SparkSession.builder.master("local[2]")
        .appName("mbundle-spark-check")
        .config("spark.ui.enabled", "false")
        .config("spark.sql.shuffle.partitions", "4")
        # Several Arrow batches per partition, so one process serves many batches.
        .config("spark.sql.execution.arrow.maxRecordsPerBatch", "500")
        .config("spark.sql.warehouse.dir", str(warehouse))
        .config("spark.driver.memory", "1g")
        .config("spark.local.dir", str(tmp_path_factory.mktemp("spark-local")))
        .getOrCreate()
    )
    session.sparkContext.setLogLevel("ERROR")
    yield session
    session.stop()


@pytest.fixture()
def tracking_server(tmp_path, monkeypatch):
    """A real `mlflow server` (SQLite store, artifact proxy) on a free port, as MLFLOW_TRACKING_URI;
    mbundle's download cache under the test's directory. The server's process group is killed after."""
    import signal
    import socket
    import sys
    import time
    import urllib.request

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    uri = f"http://127.0.0.1:{port}"
    log = open(tmp_path / "server.log", "wb")
    server = subprocess.Popen(
        [
            os.path.join(os.path.dirname(sys.executable), "mlflow"), "server",
            "--backend-store-uri", f"sqlite:///{tmp_path}/mlflow.db", "--serve-artifacts",
            "--artifacts-destination", str(tmp_path / "artifacts"),
            "--host", "127.0.0.1", "--port", str(port), "--workers", "1",
        ],
        stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
    )
    try:
        deadline = time.monotonic() + 120
        while True:
            try:
                with urllib.request.urlopen(f"{uri}/health", timeout=2) as answer:
                    if answer.status == 200:
                        break
            except OSError:
                pass
            if server.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"mlflow server did not start: {(tmp_path / 'server.log').read_text()[-2000:]}")
            time.sleep(0.3)
        monkeypatch.setenv("MLFLOW_TRACKING_URI", uri)
        monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
        yield uri
    finally:
        os.killpg(server.pid, signal.SIGKILL)
        server.wait()
        log.close()


def numeric_frame(rows: int, seed: int) -> pd.DataFrame:
    generator = np.random.default_rng(seed)
    frame = pd.DataFrame(generator.normal(size=(rows, len(FEATURES))), columns=FEATURES)
    return frame


def mixed_frame(rows: int, seed: int) -> pd.DataFrame:
    generator = np.random.default_rng(seed)
    return pd.DataFrame(
        {
            "age": generator.uniform(18, 90, rows),
            "income": generator.lognormal(10, 1, rows),
            "city": generator.choice(["paris", "lyon", "nice", "lille"], rows),
            "plan": generator.choice(["basic", "pro"], rows),
        }
    )


def _save(model, path, flavor, example):
    import mlflow
    from mlflow.models import infer_signature

    signature = infer_signature(example, model.predict(example))
    # Requirements given, so MLflow does not load the model in a subprocess to infer them.
    if flavor == "xgboost":
        mlflow.xgboost.save_model(model, str(path), signature=signature, pip_requirements=["xgboost==3.2.0"])
    else:
        mlflow.sklearn.save_model(
            model, str(path), signature=signature, serialization_format="skops",
            pip_requirements=["scikit-learn==1.9.1", "skops==0.16.0"],
        )
    return str(path)


@pytest.fixture(scope="session")
def models(tmp_path_factory, binary):
    """name -> (MLflow model directory, `mbundle pack` archive, a frame to score)."""
    from sklearn.compose import ColumnTransformer
    from sklearn.linear_model import LinearRegression, LogisticRegression
    from sklearn.pipeline import Pipeline
    from sklearn.preprocessing import OneHotEncoder, StandardScaler
    from xgboost import XGBRegressor

    root = tmp_path_factory.mktemp("models")
    train = numeric_frame(2000, 1)
    target = train.to_numpy() @ np.arange(1, len(FEATURES) + 1) + 0.5
    linear = LinearRegression().fit(train, target)
    trees = XGBRegressor(n_estimators=40, max_depth=5, learning_rate=0.2, random_state=0).fit(train, np.sin(target))
    mixed = mixed_frame(2000, 2)
    pipeline = Pipeline(
        [
            (
                "pre",
                ColumnTransformer(
                    [
                        ("num", StandardScaler(), ["age", "income"]),
                        ("cat", OneHotEncoder(handle_unknown="error"), ["city", "plan"]),
                    ]
                ),
            ),
            ("model", LogisticRegression(max_iter=500)),
        ]
    ).fit(mixed, ((mixed["age"] > 50) ^ (mixed["city"] == "nice")).astype(np.int64))
    made = {}
    for name, model, flavor, example in (
        ("linear", linear, "sklearn", train.head(5)),
        ("trees", trees, "xgboost", train.head(5)),
        ("pipeline", pipeline, "sklearn", mixed.head(5)),
    ):
        directory = _save(model, root / name, flavor, example)
        archive = str(root / f"{name}.tar.gz")
        subprocess.run([binary, "pack", directory, "-o", archive], check=True, capture_output=True)
        made[name] = (directory, archive)
    return made


def mbundle_predict(binary: str, model: str, frame: pd.DataFrame, directory) -> np.ndarray:
    """`mbundle predict` on the same rows (an Arrow IPC file written by pyarrow: the exact doubles
    Spark holds), the command-line reference."""
    import pyarrow as pa

    path = os.path.join(str(directory), "rows.arrows")
    table = pa.Table.from_pandas(frame, preserve_index=False)
    with pa.OSFile(path, "wb") as sink, pa.ipc.new_stream(sink, table.schema) as writer:
        writer.write_table(table)
    completed = subprocess.run(
        [binary, "predict", "-m", model, "-i", path, "-t", "arrow", "--output-format", "arrow"],
        capture_output=True,
        check=False,
    )
    assert completed.returncode == 0, completed.stderr.decode()
    return pa.ipc.open_stream(completed.stdout).read_all().column(0).to_numpy()


def mbundle_processes(marker: str) -> list[tuple[int, int]]:
    """(pid, parent pid) of the running processes whose command line holds ``marker``."""
    found = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/cmdline", "rb") as handle:
                arguments = handle.read().split(b"\0")
            with open(f"/proc/{entry}/stat") as handle:
                fields = handle.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if fields[0] == "Z":
            continue
        if arguments and b"predict" in arguments and any(marker.encode() in argument for argument in arguments):
            found.append((int(entry), int(fields[1])))
    return found
