"""The no-Python-on-executors recipe: the JVM's RDD.pipe feeding CSV lines to `mbundle predict`.

The rows never reach a Python worker: Spark's `to_csv` makes each row a CSV line in the JVM,
`JavaRDD.pipe` runs one `sh -c` per partition that puts the header in front of the partition's
lines and execs mbundle, and mbundle's CSV answer (a header, then one line per row) comes back as
the partition's lines. Called here through py4j; Docs/spark.md gives the same in Scala.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from conftest import FEATURES, mbundle_predict, numeric_frame

# $0 = the header line, $1 = the binary, $2 = the bundle. An empty partition runs nothing.
PIPE_SCRIPT = 'IFS= read -r first || exit 0; { printf "%s\\n" "$0" "$first"; cat; } | exec "$1" predict -m "$2" -t csv --output-format csv'


def pipe_predict(spark, df, binary: str, bundle: str) -> list[list[str]]:
    """Each partition's output lines, header first, through the JVM's RDD.pipe."""
    from pyspark.sql.functions import struct, to_csv

    jvm = spark._jvm
    lines = df.select(to_csv(struct(*df.columns)).alias("line"))
    rdd = getattr(lines._jdf, "as")(jvm.org.apache.spark.sql.Encoders.STRING()).toJavaRDD()
    command = ["sh", "-c", PIPE_SCRIPT, ",".join(df.columns), binary, bundle]
    return [list(partition) for partition in rdd.pipe(command).glom().collect()]


def test_rdd_pipe_with_csv_predicts_as_mbundle(spark, binary, models, tmp_path):
    directory, archive = models["linear"]
    frame = numeric_frame(3000, 21)
    df = spark.createDataFrame(frame).repartition(4).cache()
    rows = df.toPandas()  # partition order, as the piped lines come back
    partitions = pipe_predict(spark, df, binary, archive)
    assert len(partitions) == 4
    predictions = []
    for lines in partitions:
        assert lines[0] == "prediction", lines[:2]
        predictions.extend(float(line) for line in lines[1:])
    assert len(predictions) == len(rows)
    reference = mbundle_predict(binary, directory, rows[FEATURES], tmp_path)
    np.testing.assert_allclose(np.asarray(predictions), reference, rtol=1e-12, atol=1e-12)


def test_rdd_pipe_fails_the_job_on_a_bad_row(spark, binary, models):
    _, archive = models["linear"]
    frame = numeric_frame(10, 22).astype(object)
    frame.loc[4, "f2"] = "not-a-number"
    df = spark.createDataFrame(pd.DataFrame({c: frame[c].astype(str) for c in FEATURES})).coalesce(1)
    try:
        pipe_predict(spark, df, binary, archive)
    except Exception as error:  # noqa: BLE001 - py4j wraps the JVM's exception
        assert "exited with status 1" in str(error) or "status 1" in str(error), str(error)
    else:
        raise AssertionError("a bad row did not fail the piped job")
