"""mbundle-spark against `mbundle predict` and `mlflow.pyfunc.spark_udf(env_manager="local")` on the
same MLflow bundles, in Spark local[2]; refusals; and that no mbundle process outlives its task."""

from __future__ import annotations

import glob
import os
import shutil
import signal
import subprocess
import sys
import textwrap
import threading
import time

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from conftest import FEATURES, mbundle_predict, mbundle_processes, mixed_frame, numeric_frame

import mbundle_spark

ROWS = 4000
TOLERANCE = {"linear": 1e-12, "trees": 1e-6, "pipeline": 0}


def frame_for(name: str, seed: int = 7) -> pd.DataFrame:
    frame = mixed_frame(ROWS, seed) if name == "pipeline" else numeric_frame(ROWS, seed)
    frame.insert(0, "id", np.arange(len(frame), dtype=np.int64))
    return frame


def result_type(name: str) -> str:
    return "long" if name == "pipeline" else "double"


def assert_same(name, actual, expected):
    actual, expected = np.asarray(actual), np.asarray(expected)
    assert actual.shape == expected.shape
    if TOLERANCE[name] == 0:
        assert (actual == expected).all(), f"{name}: {np.flatnonzero(actual != expected)[:5]} differ"
    else:
        np.testing.assert_allclose(actual.astype(float), expected.astype(float), rtol=TOLERANCE[name], atol=1e-12)


@pytest.mark.parametrize("name", ["linear", "trees", "pipeline"])
def test_predictions_equal_mbundle_and_mlflow_spark_udf(spark, binary, models, name, tmp_path):
    import mlflow.pyfunc

    directory, archive = models[name]
    frame = frame_for(name)
    features = [column for column in frame.columns if column != "id"]
    df = spark.createDataFrame(frame).repartition(3, "id")

    ours = mbundle_spark.predict(df, archive, binary=binary, input_columns=features, result_type=result_type(name))
    ours = ours.select("id", "prediction").toPandas().sort_values("id")["prediction"].to_numpy()

    udf = mbundle_spark.spark_udf(spark, archive, result_type=result_type(name), binary=binary)
    ours_udf = df.select("id", udf(*features).alias("p")).toPandas().sort_values("id")["p"].to_numpy()

    mlflow_udf = mlflow.pyfunc.spark_udf(spark, directory, result_type=result_type(name), env_manager="local")
    theirs = df.select("id", mlflow_udf(*features).alias("p")).toPandas().sort_values("id")["p"].to_numpy()

    reference = mbundle_predict(binary, directory, frame[features], tmp_path)
    assert_same(name, ours, reference)
    assert_same(name, ours_udf, reference)
    assert_same(name, ours, theirs)
    assert not mbundle_processes("bundle-"), "an mbundle process outlived its job"


# Result types each model's UDF is asked for, beside the one inferred from its signature (None):
# mlflow.pyfunc.spark_udf succeeds on all of them, and mbundle-spark must give the same Spark type
# and values.
RESULT_TYPES = {
    "linear": [None, "double", "float", "string", "array<double>", "array<string>"],
    "trees": [None, "double", "string", "array<float>"],
    "pipeline": [None, "long", "double", "string", "array<long>", "array<string>"],
}


def assert_same_values(name, result_type, ours, theirs):
    if isinstance(ours, (list, np.ndarray)) or isinstance(theirs, (list, np.ndarray)):
        assert len(ours) == len(theirs), (ours, theirs)
        for mine, other in zip(ours, theirs):
            assert_same_values(name, result_type, mine, other)
    elif isinstance(ours, str):
        # str() of the prediction as MLflow makes it: Python's shortest round-trip repr for floats.
        assert isinstance(theirs, str), (ours, theirs)
        if TOLERANCE[name] == 0:
            assert ours == theirs
        else:
            assert ours == str(float(ours)), f"{ours!r} is not Python's repr of a float"
            assert_same(name, [float(ours)], [float(theirs)])
    else:
        assert type(ours) is type(theirs), (result_type, ours, theirs)
        assert_same(name, [ours], [theirs])


@pytest.mark.parametrize("name", ["linear", "trees", "pipeline"])
def test_spark_udf_result_types_follow_mlflow_spark_udf(spark, binary, models, name):
    """Without a result_type both infer it from the signature's outputs (a 1-D tensor: an array of one
    value per row); with one, both keep and cast the same prediction columns and make the same strings."""
    import mlflow.pyfunc

    directory, archive = models[name]
    frame = frame_for(name).head(300)
    features = [column for column in frame.columns if column != "id"]
    df = spark.createDataFrame(frame).repartition(2, "id")
    columns = [df["id"]]
    for index, result_type in enumerate(RESULT_TYPES[name]):
        ours = mbundle_spark.spark_udf(spark, archive, result_type=result_type, binary=binary)
        theirs = mlflow.pyfunc.spark_udf(spark, directory, result_type=result_type, env_manager="local")
        columns += [ours(*features).alias(f"ours{index}"), theirs(*features).alias(f"theirs{index}")]
    scored = df.select(*columns)
    rows = sorted(scored.collect(), key=lambda row: row["id"])
    assert len(rows) == 300
    for index, result_type in enumerate(RESULT_TYPES[name]):
        ours_type, theirs_type = scored.schema[f"ours{index}"].dataType, scored.schema[f"theirs{index}"].dataType
        assert ours_type == theirs_type, (result_type, ours_type, theirs_type)
        for row in rows:
            assert_same_values(name, result_type, row[f"ours{index}"], row[f"theirs{index}"])


@pytest.mark.parametrize(
    ("name", "result_type"),
    [("linear", "long"), ("pipeline", "int"), ("pipeline", "bool")],
)
def test_spark_udf_refuses_predictions_mlflow_spark_udf_refuses(spark, binary, models, name, result_type):
    """`long` takes no float column, `int` no 64-bit one, `boolean` no number: MLflow fails these jobs
    and so does mbundle-spark, naming the predictions and the requested type."""
    import mlflow.pyfunc

    directory, archive = models[name]
    frame = frame_for(name).head(50)
    features = [column for column in frame.columns if column != "id"]
    df = spark.createDataFrame(frame).coalesce(1)
    ours = mbundle_spark.spark_udf(spark, archive, result_type=result_type, binary=binary)
    with pytest.raises(Exception) as raised:
        df.select(ours(*features)).collect()
    text = failure_text(raised.value)
    assert "no column compatible with the requested type" in text and "'prediction'" in text, text
    theirs = mlflow.pyfunc.spark_udf(spark, directory, result_type=result_type, env_manager="local")
    with pytest.raises(Exception, match="compatible with the requested type"):
        df.select(theirs(*features)).collect()
    assert not mbundle_processes("bundle-"), "an mbundle process outlived a failed job"


def test_spark_udf_columns_and_types_as_mlflow_takes_them(spark, binary, models):
    """Columns past the signature's inputs are dropped, fewer than its required inputs fail the job;
    "bool" is boolean; a result type MLflow refuses, or one with no mbundle prediction to fill it (a
    map), is refused when the UDF is made."""
    from pyspark.sql.types import BooleanType

    _, archive = models["linear"]
    frame = frame_for("linear").head(40)
    df = spark.createDataFrame(frame).coalesce(1)
    udf = mbundle_spark.spark_udf(spark, archive, result_type="double", binary=binary)
    extra = df.select("id", udf(*FEATURES, "id").alias("p")).toPandas().sort_values("id")["p"].to_numpy()
    exact = df.select("id", udf(*FEATURES).alias("p")).toPandas().sort_values("id")["p"].to_numpy()
    assert (extra == exact).all()
    with pytest.raises(Exception) as raised:
        df.select(udf(*FEATURES[:-1])).collect()
    assert "required input columns" in failure_text(raised.value)
    assert mbundle_spark.spark_udf(spark, archive, result_type="bool", binary=binary).returnType == BooleanType()
    for refused in ("date", "map<string, double>", "array<array<double>>", "struct<a: array<double>>"):
        with pytest.raises(ValueError, match="result_type"):
            mbundle_spark.spark_udf(spark, archive, result_type=refused, binary=binary)


def test_a_registered_model_scores_by_its_models_uri(spark, binary, tracking_server):
    """`models:/NAME/VERSION` and `models:/NAME@ALIAS`, as MLflow users pass them to spark_udf: resolved
    and packed on the driver (executors never see the server), scored as MLflow's spark_udf scores them."""
    import mlflow
    import mlflow.pyfunc
    import mlflow.sklearn
    from mlflow.models import infer_signature
    from sklearn.linear_model import LinearRegression

    train = numeric_frame(500, 3)
    model = LinearRegression().fit(train, train.to_numpy() @ np.arange(1.0, len(FEATURES) + 1) - 2.0)
    mlflow.set_tracking_uri(tracking_server)
    with mlflow.start_run():
        mlflow.sklearn.log_model(
            model, name="model", registered_model_name="spark-linear", serialization_format="skops",
            signature=infer_signature(train.head(5), model.predict(train.head(5))),
            pip_requirements=["scikit-learn==1.9.1", "skops==0.16.0"],
        )
    mlflow.MlflowClient().set_registered_model_alias("spark-linear", "champion", "1")
    frame = frame_for("linear").head(200)
    df = spark.createDataFrame(frame).repartition(2, "id")
    ours = mbundle_spark.spark_udf(spark, "models:/spark-linear/1", binary=binary)
    theirs = mlflow.pyfunc.spark_udf(spark, "models:/spark-linear/1", env_manager="local")
    scored = df.select("id", ours(*FEATURES).alias("ours"), theirs(*FEATURES).alias("theirs"))
    rows = sorted(scored.collect(), key=lambda row: row["id"])
    assert scored.schema["ours"].dataType == scored.schema["theirs"].dataType
    assert_same("linear", [row["ours"] for row in rows], [row["theirs"] for row in rows])
    expected = model.predict(frame[FEATURES])
    aliased = mbundle_spark.predict(df, "models:/spark-linear@champion", binary=binary, input_columns=FEATURES)
    aliased = aliased.select("id", "prediction").toPandas().sort_values("id")["prediction"].to_numpy()
    assert_same("linear", aliased, expected)
    with pytest.raises(mbundle_spark.ArtifactError, match="spark-linear"):
        mbundle_spark.ship(spark, "models:/spark-linear/7", binary)
    assert not mbundle_processes("bundle-"), "an mbundle process outlived its job"


def test_a_model_without_a_signature_scores_by_column_position(spark, binary, tmp_path):
    """A model saved without a signature (fitted on a NumPy array): both UDFs take the columns in the
    order given and return doubles (MLflow's default without an output schema)."""
    import mlflow.pyfunc
    import mlflow.sklearn
    from sklearn.linear_model import LinearRegression

    train = numeric_frame(300, 4).to_numpy()
    model = LinearRegression().fit(train, train @ np.arange(2.0, len(FEATURES) + 2))
    directory = str(tmp_path / "unsigned")
    mlflow.sklearn.save_model(
        model, directory, serialization_format="skops", pip_requirements=["scikit-learn==1.9.1", "skops==0.16.0"]
    )
    frame = frame_for("linear").head(120)
    df = spark.createDataFrame(frame).repartition(2, "id")
    ours = mbundle_spark.spark_udf(spark, directory, binary=binary)
    theirs = mlflow.pyfunc.spark_udf(spark, directory, env_manager="local")
    scored = df.select("id", ours(*FEATURES).alias("ours"), theirs(*FEATURES).alias("theirs"))
    assert scored.schema["ours"].dataType == scored.schema["theirs"].dataType
    rows = sorted(scored.collect(), key=lambda row: row["id"])
    assert_same("linear", [row["ours"] for row in rows], [row["theirs"] for row in rows])
    assert_same("linear", [row["ours"] for row in rows], model.predict(frame[FEATURES].to_numpy()))
    with pytest.raises(ValueError, match="no signature"):
        ours()


def save_signed_linear_model(directory: str, train, example):
    """A LinearRegression fitted on ``train`` (an array or a frame of FEATURES), saved with skops and the
    signature MLflow infers from ``example`` and its predictions."""
    import mlflow.sklearn
    from mlflow.models import infer_signature
    from sklearn.linear_model import LinearRegression

    values = np.asarray(train)
    model = LinearRegression().fit(train, values @ np.arange(1.0, len(FEATURES) + 1))
    mlflow.sklearn.save_model(
        model,
        directory,
        serialization_format="skops",
        signature=infer_signature(example, model.predict(train)),
        pip_requirements=["scikit-learn==1.9.1", "skops==0.16.0"],
    )
    return model


def test_a_tensor_signature_takes_one_array_column_as_mlflow_spark_udf_does(spark, binary, tmp_path):
    """A model signed on a NumPy array has a tensor input: MLflow's docs call its UDF with one array
    column (`udf(array(*cols))`), which both score alike; a null array fails the task naming the row,
    and a call without columns is refused saying why."""
    import mlflow.pyfunc
    from pyspark.sql.functions import array, lit, when

    train = numeric_frame(300, 5).to_numpy()
    directory = str(tmp_path / "tensor")
    model = save_signed_linear_model(directory, train, train)
    frame = frame_for("linear").head(150)
    df = spark.createDataFrame(frame).repartition(2, "id")
    ours = mbundle_spark.spark_udf(spark, directory, binary=binary)
    theirs = mlflow.pyfunc.spark_udf(spark, directory, env_manager="local")
    features = array(*FEATURES)
    scored = df.select("id", ours(features).alias("ours"), theirs(features).alias("theirs"))
    assert scored.schema["ours"].dataType == scored.schema["theirs"].dataType
    rows = sorted(scored.collect(), key=lambda row: row["id"])
    assert_same("linear", [row["ours"] for row in rows], [row["theirs"] for row in rows])
    # The output signature is a 1-D tensor: an array of one value per row, in both.
    ours_values = np.asarray([row["ours"] for row in rows]).reshape(-1)
    assert_same("linear", ours_values, model.predict(frame[FEATURES].to_numpy()))
    with pytest.raises(ValueError, match="tensor, which names no columns"):
        ours()
    single = spark.createDataFrame(frame).coalesce(1)  # the frame's order: row 40 is id 40
    holed = single.select(ours(when(single["id"] == 40, lit(None)).otherwise(features)).alias("p"))
    with pytest.raises(Exception, match="row 40 of a batch: expected an array of feature values, got null"):
        holed.collect()


def test_a_udf_without_columns_is_refused_when_an_input_is_optional(spark, binary, tmp_path):
    """MLflow marks a column optional when the signature's example misses a value there; which optional
    columns a DataFrame has cannot be guessed, so `udf()` is refused, as MLflow refuses it."""
    import mlflow.pyfunc

    train = numeric_frame(300, 6)
    example = train.copy()
    example.loc[3, FEATURES[1]] = np.nan
    directory = str(tmp_path / "optional")
    save_signed_linear_model(directory, train, example)
    message = "Cannot apply UDF without column names specified when model signature contains optional columns"
    with pytest.raises(Exception, match=message):
        mlflow.pyfunc.spark_udf(spark, directory, env_manager="local")()
    with pytest.raises(ValueError, match=message):
        mbundle_spark.spark_udf(spark, directory, binary=binary)()


def test_string_labels_as_mlflow_spark_udf_gives_them(spark, binary, tmp_path):
    """A classifier of string labels: `string` gives the labels in both; without a result type, both
    infer array<string> from the signature's string tensor (MLflow records its dtype as "str"), a
    label per row."""
    import mlflow.pyfunc
    import mlflow.sklearn
    from mlflow.models import infer_signature
    from sklearn.linear_model import LogisticRegression

    train = numeric_frame(400, 6)
    labels = np.where(train["f0"] + train["f1"] > 0, "setosa", np.where(train["f2"] > 0, "versicolor", "virginica"))
    model = LogisticRegression(max_iter=500).fit(train, labels)
    directory = str(tmp_path / "labels")
    mlflow.sklearn.save_model(
        model, directory, serialization_format="skops",
        signature=infer_signature(train.head(5), model.predict(train.head(5))),
        pip_requirements=["scikit-learn==1.9.1", "skops==0.16.0"],
    )
    frame = frame_for("linear").head(150)
    df = spark.createDataFrame(frame).repartition(2, "id")
    ours = mbundle_spark.spark_udf(spark, directory, result_type="string", binary=binary)
    theirs = mlflow.pyfunc.spark_udf(spark, directory, result_type="string", env_manager="local")
    scored = df.select("id", ours().alias("ours"), theirs(*FEATURES).alias("theirs"))
    rows = sorted(scored.collect(), key=lambda r: r["id"])
    assert [row["ours"] for row in rows] == [row["theirs"] for row in rows]
    assert [row["ours"] for row in rows] == list(model.predict(frame[FEATURES]))
    ours = mbundle_spark.spark_udf(spark, directory, binary=binary)
    theirs = mlflow.pyfunc.spark_udf(spark, directory, env_manager="local")
    scored = df.select("id", ours(*FEATURES).alias("ours"), theirs(*FEATURES).alias("theirs"))
    assert scored.schema["ours"].dataType == scored.schema["theirs"].dataType
    rows = sorted(scored.collect(), key=lambda r: r["id"])
    assert [row["ours"] for row in rows] == [row["theirs"] for row in rows]
    assert [row["ours"] for row in rows] == [[label] for label in model.predict(frame[FEATURES])]


def test_a_2d_tensor_output_is_an_array_per_row(spark, binary, tmp_path):
    """predict_proba (a (-1, 3) tensor): MLflow infers array<array<double>> and then fails on the rows;
    mbundle-spark infers array<double>, a row's probabilities, which MLflow gives for that type."""
    import mlflow.pyfunc
    import mlflow.sklearn
    from mlflow.models import infer_signature
    from sklearn.linear_model import LogisticRegression

    train = numeric_frame(400, 8)
    labels = np.where(train["f0"] > 0.3, 2, np.where(train["f1"] > 0, 1, 0))
    model = LogisticRegression(max_iter=500).fit(train, labels)
    directory = str(tmp_path / "proba")
    mlflow.sklearn.save_model(
        model, directory, serialization_format="skops", pyfunc_predict_fn="predict_proba",
        signature=infer_signature(train.head(5), model.predict_proba(train.head(5))),
        pip_requirements=["scikit-learn==1.9.1", "skops==0.16.0"],
    )
    frame = frame_for("linear").head(100)
    df = spark.createDataFrame(frame).repartition(2, "id")
    ours = mbundle_spark.spark_udf(spark, directory, binary=binary)
    theirs = mlflow.pyfunc.spark_udf(spark, directory, result_type="array<double>", env_manager="local")
    scored = df.select("id", ours(*FEATURES).alias("ours"), theirs(*FEATURES).alias("theirs"))
    assert scored.schema["ours"].dataType == scored.schema["theirs"].dataType
    rows = sorted(scored.collect(), key=lambda r: r["id"])
    assert_same_values("linear", None, [row["ours"] for row in rows], [row["theirs"] for row in rows])
    assert all(len(row["ours"]) == 3 for row in rows)


def test_predict_from_a_bundle_directory_and_a_struct_result(spark, binary, models):
    directory, _ = models["linear"]
    frame = frame_for("linear").head(100)
    df = spark.createDataFrame(frame)
    scored = mbundle_spark.predict(
        df.drop("id"), directory, binary=binary, result_type="prediction double", keep_input=False
    ).toPandas()
    assert list(scored.columns) == ["prediction"]
    assert len(scored) == 100


@pytest.mark.parametrize("writer_version", ["v1", "v2"])
def test_spark_written_parquet_predicts_as_mbundle_predict_on_it(spark, binary, models, tmp_path, writer_version):
    _, archive = models["trees"]
    frame = frame_for("trees", seed=11)
    written = str(tmp_path / "rows.parquet")
    # Spark's default Parquet writer (v1), and parquet-mr's v2 writer (data pages v2) when asked for.
    spark.createDataFrame(frame[FEATURES]).repartition(3).write.option(
        "parquet.writer.version", writer_version
    ).parquet(written)
    parts = sorted(glob.glob(os.path.join(written, "part-*.parquet")))
    assert len(parts) == 3
    # v1 data pages record their levels' BIT_PACKED/RLE encodings in the chunk; v2 pages hold levels apart.
    encodings = pq.ParquetFile(parts[0]).metadata.row_group(0).column(0).encodings
    assert ("BIT_PACKED" in encodings) == (writer_version == "v1"), encodings
    for part in parts:
        # One file read alone is one partition in file order.
        scored = mbundle_spark.predict(spark.read.parquet(part), archive, binary=binary, keep_input=False)
        ours = scored.toPandas()["prediction"].to_numpy()
        completed = subprocess.run(
            [binary, "predict", "-m", archive, "-i", part, "-t", "parquet", "--output-format", "arrow"],
            capture_output=True,
            check=True,
        )
        reference = pa.ipc.open_stream(completed.stdout).read_all().column(0).to_numpy()
        assert_same("trees", ours, reference)


def failure_text(error: BaseException) -> str:
    return str(error) + str(getattr(error, "java_exception", ""))


def test_a_bad_row_fails_the_job_naming_the_row(spark, binary, models):
    _, archive = models["pipeline"]
    frame = mixed_frame(50, 3)
    frame.loc[37, "city"] = "tours"  # a category the encoder did not see; handle_unknown="error"
    df = spark.createDataFrame(frame).coalesce(1)
    with pytest.raises(Exception) as raised:
        mbundle_spark.predict(df, archive, binary=binary, result_type="long").collect()
    text = failure_text(raised.value)
    assert "column 'city' row 37" in text, text
    assert "tours" in text
    udf = mbundle_spark.spark_udf(spark, archive, result_type="long", binary=binary)
    with pytest.raises(Exception) as raised:
        df.select(udf("age", "income", "city", "plan")).collect()
    assert "column 'city' row 37" in failure_text(raised.value)
    assert not mbundle_processes("bundle-"), "an mbundle process outlived a failed job"


def tamper(path: str) -> None:
    mode = os.stat(path).st_mode
    os.chmod(path, 0o755)
    with open(path, "ab") as handle:
        handle.write(b"\0")
    os.chmod(path, mode)


@pytest.mark.parametrize("which", ["binary", "bundle"])
def test_a_tampered_file_is_refused_by_sha256(spark, binary, models, tmp_path, which):
    """A shipped file changed on the executor after Spark fetched it (Spark compares contents only
    while fetching) is refused by mbundle-spark's own SHA-256 check before anything runs."""
    from pyspark import SparkFiles

    directory, archive = models["linear"]
    # Files whose bytes (so whose shipped names) differ from those the other tests ship, so the
    # tampered copy is this test's alone: a binary with a trailing newline (still runs), the same
    # model packed as a zip.
    copy_binary = str(tmp_path / "mbundle-copy")
    shutil.copyfile(binary, copy_binary)
    os.chmod(copy_binary, 0o755)
    if which == "binary":
        with open(copy_binary, "ab") as handle:
            handle.write(b"\n")
        copy_archive = archive
    else:
        copy_archive = str(tmp_path / "linear.zip")
        subprocess.run([binary, "pack", directory, "-o", copy_archive], check=True, capture_output=True)
    shipment = mbundle_spark.ship(spark, copy_archive, copy_binary)
    df = spark.createDataFrame(frame_for("linear").head(20)[FEATURES]).coalesce(1)
    assert len(mbundle_spark.predict(df, shipment).collect()) == 20  # fetched and checked
    tamper(SparkFiles.get(getattr(shipment, which).name))
    with pytest.raises(Exception) as raised:
        mbundle_spark.predict(df, shipment).collect()
    text = failure_text(raised.value)
    assert f"mbundle {which}" in text and "SHA-256" in text and "refusing to run it" in text, text
    with pytest.raises(mbundle_spark.ArtifactError, match="SHA-256"):
        mbundle_spark.ship(spark, copy_archive, copy_binary, binary_sha256="0" * 64)


def slow_frame(spark, rows=20000):
    """Rows that reach the model slowly (a sleeping mapInArrow upstream), so a task lasts seconds."""

    def slow(batches):
        for batch in batches:
            time.sleep(0.3)
            yield batch

    df = spark.createDataFrame(numeric_frame(rows, 5)).coalesce(1)
    return df.mapInArrow(slow, df.schema)


def wait_for(condition, seconds=60.0):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.1)
    return condition()


def test_a_killed_python_worker_takes_its_mbundle_process_along(spark, binary, models):
    _, archive = models["linear"]
    scored = mbundle_spark.predict(slow_frame(spark), archive, binary=binary, keep_input=False)
    outcome = {}

    def run():
        try:
            outcome["rows"] = scored.count()
        except Exception as error:  # noqa: BLE001 - the job is expected to fail or be retried
            outcome["error"] = error

    job = threading.Thread(target=run)
    job.start()
    running = wait_for(lambda: mbundle_processes("bundle-"))
    assert running, "no mbundle process started"
    pid, worker = running[0]
    os.kill(worker, signal.SIGKILL)
    assert wait_for(lambda: not os.path.exists(f"/proc/{pid}") or _zombie(pid), 20), "mbundle outlived its Python worker"
    spark.sparkContext.cancelAllJobs()
    job.join(120)
    assert not job.is_alive()
    assert wait_for(lambda: not mbundle_processes("bundle-"), 20), "an mbundle process outlived the job"


def _zombie(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as handle:
            return handle.read().rsplit(")", 1)[1].split()[0] == "Z"
    except OSError:
        return True


def test_a_killed_executor_takes_its_mbundle_processes_along(binary, models, tmp_path):
    """local[2] in a driver process of its own; its JVM (driver and executor) is SIGKILLed mid-job."""
    _, archive = models["linear"]
    marker = tmp_path / "started"
    script = tmp_path / "driver.py"
    script.write_text(
        textwrap.dedent(
            f"""
            import time
            from pyspark.sql import SparkSession
            import mbundle_spark
            from conftest import numeric_frame
            spark = (SparkSession.builder.master("local[2]").config("spark.ui.enabled", "false")
                     .config("spark.sql.execution.arrow.maxRecordsPerBatch", "500").getOrCreate())
            def slow(batches):
                for batch in batches:
                    time.sleep(0.3)
                    yield batch
            df = spark.createDataFrame(numeric_frame(40000, 5)).repartition(2)
            df = df.mapInArrow(slow, df.schema)
            open({str(marker)!r}, "w").close()
            mbundle_spark.predict(df, {archive!r}, binary={binary!r}, keep_input=False).count()
            """
        )
    )
    environment = dict(os.environ, PYTHONPATH=os.path.dirname(__file__) + os.pathsep + os.environ.get("PYTHONPATH", ""))
    driver = subprocess.Popen([sys.executable, str(script)], env=environment, start_new_session=True,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        ours = lambda: [p for p in mbundle_processes("bundle-") if _descends_from(p[0], driver.pid)]
        running = wait_for(lambda: len(ours()) >= 2, 120) and ours()
        assert running, "the job did not start two mbundle processes"
        java = [pid for pid in _descendants(driver.pid) if _name(pid) == "java"]
        assert java, "no JVM under the driver"
        for pid in java:
            os.kill(pid, signal.SIGKILL)
        assert wait_for(lambda: not any(os.path.exists(f"/proc/{pid}") and not _zombie(pid) for pid, _ in running), 30), (
            "an mbundle process outlived its executor"
        )
    finally:
        try:
            os.killpg(driver.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        driver.wait()


def _parent(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/stat") as handle:
            return int(handle.read().rsplit(")", 1)[1].split()[1])
    except OSError:
        return 0


def _name(pid: int) -> str:
    try:
        with open(f"/proc/{pid}/comm") as handle:
            return handle.read().strip()
    except OSError:
        return ""


def _descends_from(pid: int, ancestor: int) -> bool:
    while pid > 1:
        if pid == ancestor:
            return True
        pid = _parent(pid)
    return False


def _descendants(ancestor: int) -> list[int]:
    return [int(entry) for entry in os.listdir("/proc") if entry.isdigit() and _descends_from(int(entry), ancestor)]
