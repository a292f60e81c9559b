"""``predict`` (through ``mapInArrow``) and ``spark_udf`` (an iterator pandas UDF)."""

from __future__ import annotations

import json
import subprocess
from typing import Iterator, Sequence

import pyarrow as pa

from . import _results
from ._artifacts import Shipment, ship, staged_path
from ._process import PredictionError, predict_batches


def _task_name() -> str:
    try:
        from pyspark import TaskContext

        context = TaskContext.get()
        if context is not None:
            return f"partition {context.partitionId()} (stage {context.stageId()}, attempt {context.attemptNumber()})"
    except Exception:  # noqa: BLE001 - a name for messages only
        pass
    return "partition"


def _result_schema(result_type) -> pa.Schema:
    """The predictions' Arrow schema for a Spark type (DDL string or DataType); a bare type is one
    column named ``prediction``."""
    from pyspark.sql.pandas.types import to_arrow_schema
    from pyspark.sql.types import StructField, StructType

    result_type = _results.parse(result_type)
    if not isinstance(result_type, StructType):
        result_type = StructType([StructField("prediction", result_type)])
    return to_arrow_schema(result_type)


def _conform(predictions: pa.RecordBatch, schema: pa.Schema, describe: str) -> list[pa.Array]:
    """mbundle's output columns as the requested ones: by name, else by position (one column:
    mbundle's first), cast without loss."""
    names = predictions.schema.names
    columns = []
    for index, field in enumerate(schema):
        if field.name in names:
            column = predictions.column(names.index(field.name))
        elif len(schema) == 1 or index < len(names):
            column = predictions.column(0 if len(schema) == 1 else index)
        else:
            raise PredictionError(
                f"the model's outputs {names} have no column for result field '{field.name}' ({describe})"
            )
        try:
            columns.append(column.cast(field.type, safe=True))
        except (pa.ArrowInvalid, pa.ArrowNotImplementedError) as error:
            raise PredictionError(
                f"prediction column '{field.name}' ({column.type}) cannot be returned as {field.type}: {error}"
            ) from None
    return columns


def predict(
    df,
    model: str,
    *,
    result_type="double",
    binary: str | None = None,
    input_columns: Sequence[str] | None = None,
    keep_input: bool = True,
    binary_sha256: str | None = None,
    bundle_sha256: str | None = None,
):
    """Scores ``df`` with ``model`` through ``mapInArrow``: one mbundle process per partition.

    ``model`` is a bundle archive (``mbundle pack``), a bundle directory (packed here), or a
    :class:`Shipment` from :func:`ship` (to ship once and score many DataFrames). The
    predictions take ``result_type`` (a Spark type or DDL string; a struct for several outputs,
    matched by name). With ``keep_input`` the result holds ``df``'s columns, then the predictions.
    ``input_columns`` chooses the columns given to the model (default: all). A refused row fails
    the task with mbundle's message naming the column and the row.
    """
    from pyspark.sql.pandas.types import from_arrow_schema

    if isinstance(model, Shipment):
        shipment = model
    else:
        shipment = ship(df.sparkSession, model, binary, binary_sha256=binary_sha256, bundle_sha256=bundle_sha256)
    predictions_schema = _result_schema(result_type)
    features = list(input_columns) if input_columns is not None else list(df.columns)
    if keep_input:
        clash = [name for name in predictions_schema.names if name in df.columns]
        if clash:
            raise ValueError(f"result column(s) {clash} already exist in the DataFrame; rename them or pass keep_input=False")
    output_schema = from_arrow_schema(predictions_schema)
    if keep_input:
        from pyspark.sql.types import StructType

        output_schema = StructType(list(df.schema.fields) + list(output_schema.fields))

    def score(batches: Iterator[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
        binary_path = shipment.binary.local_path()
        bundle_path = shipment.bundle.local_path()
        describe = _task_name()
        originals: list[pa.RecordBatch] = []

        def remember(stream):
            for batch in stream:
                originals.append(batch)
                yield batch

        source = remember(batches) if keep_input else batches
        selected = (batch.select(features) if features != batch.schema.names else batch for batch in source)
        for _, predictions in predict_batches(binary_path, bundle_path, selected, describe=describe):
            columns = _conform(predictions, predictions_schema, describe)
            if keep_input:
                original = originals.pop(0)
                yield pa.RecordBatch.from_arrays(
                    original.columns + columns, names=original.schema.names + predictions_schema.names
                )
            else:
                yield pa.RecordBatch.from_arrays(columns, schema=predictions_schema)

    return df.mapInArrow(score, output_schema)


def _signature(binary: str, model: str) -> tuple[list[dict] | None, list[dict] | None]:
    """The signature's inputs and outputs in MLflow's JSON form (``mbundle inspect --json``), None where absent."""
    inspected = subprocess.run([binary, "inspect", model, "--json"], capture_output=True, text=True, check=False)
    if inspected.returncode != 0:
        raise PredictionError(f"mbundle inspect {model} failed: {inspected.stderr.strip()}")
    signature = json.loads(inspected.stdout).get("signature") or {}

    def specs(key: str) -> list[dict] | None:
        value = signature.get(f"{key}_json")
        value = json.loads(value) if isinstance(value, str) else signature.get(key)
        return value or None

    return specs("inputs"), specs("outputs")


def _tensor_rows(series, width):
    """The rows of an array column as a frame of positional columns ``"0"``, ``"1"``, …; ``width``
    is the tensor signature's row length when it has one. A null row, or a row of another length,
    fails the task naming the row (counted in its Arrow batch)."""
    import numpy as np
    import pandas as pd

    rows = series.reset_index(drop=True)
    for index, row in enumerate(rows):
        if row is None or np.ndim(row) != 1:
            raise PredictionError(
                f"row {index} of a batch: expected an array of feature values, got "
                f"{'null' if row is None else repr(row)}"
            )
        if width is None:  # no width in the signature: the first row's
            width = len(row)
        if len(row) != width:
            raise PredictionError(
                f"row {index} of a batch: the array has {len(row)} feature values; the model takes {width}"
            )
    width = width or 0
    matrix = np.stack([np.asarray(row) for row in rows]) if len(rows) else np.empty((0, width))
    return pd.DataFrame({str(position): matrix[:, position] for position in range(width)})


def spark_udf(
    spark,
    model_uri: str,
    result_type=None,
    env_manager: str | None = None,
    params: dict | None = None,
    extra_env: dict | None = None,
    prebuilt_env_uri: str | None = None,
    model_config: dict | None = None,
    *,
    binary: str | None = None,
    binary_sha256: str | None = None,
    bundle_sha256: str | None = None,
):
    """A column function like ``mlflow.pyfunc.spark_udf``'s, served by one mbundle process per partition.

    Called with the feature columns (``udf(*cols)``, named by the model signature's inputs in
    order, as MLflow does: extra columns are dropped, fewer than the required inputs fail), a
    single struct column (named by its fields), one array column for a tensor signature (each row's
    array is a row of the tensor), or nothing (the signature's input columns by name; refused, as
    MLflow refuses it, when an input is optional or the signature is a tensor).
    ``result_type`` is a Spark type or DDL string; without one it is inferred from the signature's
    outputs as MLflow infers it (a tensor output gives an array per row, a column output its type,
    several outputs a struct; double without a signature). Predictions are converted by MLflow's
    rules (see ``_results``). There is no environment to build, so ``env_manager`` may only be None
    or "local"; ``params``, ``extra_env``, ``prebuilt_env_uri`` and ``model_config`` are refused.
    """
    from pyspark.sql.functions import col, pandas_udf
    from pyspark.sql.types import StructType

    if env_manager not in (None, "local"):
        raise ValueError(f"env_manager={env_manager!r}: mbundle needs no environment; use None or 'local'")
    for name, value in (("params", params), ("prebuilt_env_uri", prebuilt_env_uri), ("model_config", model_config)):
        if value is not None:
            raise ValueError(f"{name} is not supported: the bundle runs as it was packed")
    if extra_env:
        raise ValueError("extra_env is not supported: mbundle reads no environment variables while predicting")
    shipment: Shipment = ship(spark, model_uri, binary, binary_sha256=binary_sha256, bundle_sha256=bundle_sha256)
    # The signature of the archive shipped, not of model_uri again: a models:/NAME@ALIAS resolved twice
    # could name two versions.
    inputs, outputs = _signature(staged_path(shipment.binary), staged_path(shipment.bundle))
    input_names = [spec.get("name") for spec in inputs] if inputs else None
    tensor_signature = input_names is not None and not all(input_names)
    if tensor_signature:
        input_names = None  # a tensor signature: the columns are positional
    required = [spec["name"] for spec in inputs if spec.get("required", True)] if input_names else []
    has_optional_inputs = bool(input_names) and len(required) < len(input_names)
    # A 2-D tensor input's row length ([-1, 6] -> 6), when the signature fixes it.
    shape = (inputs[0].get("tensor-spec") or {}).get("shape") if tensor_signature and len(inputs) == 1 else None
    tensor_width = shape[1] if isinstance(shape, list) and len(shape) == 2 and shape[1] > 0 else None
    if result_type is None:
        spark_type = _results.infer(outputs)
        try:
            _results.check(spark_type)
        except ValueError as error:
            raise ValueError(
                f"the type inferred from the model's output signature, {spark_type.simpleString()}, is not one "
                f"mbundle's predictions fill ({error}): pass result_type"
            ) from None
    else:
        spark_type = _results.parse(result_type)
        _results.check(spark_type)
    struct_result = isinstance(spark_type, StructType)

    import pandas as pd
    from typing import Tuple, Union

    def to_frame(values) -> pd.DataFrame:
        if isinstance(values, pd.DataFrame):
            return values
        if isinstance(values, pd.Series):
            values = (values,)
        if len(values) == 1 and isinstance(values[0], pd.DataFrame):
            return values[0]
        if tensor_signature and len(values) == 1 and values[0].dtype == object:
            # One array column holds the rows of a tensor signature (`udf(array(*cols))`, as MLflow's
            # docs call it): each row's values become positional columns.
            return _tensor_rows(values[0], tensor_width)
        if input_names is None:
            names = [str(i) for i in range(len(values))]
        else:
            values = values[: len(input_names)]
            if len(values) < len(required):
                raise PredictionError(
                    f"the model needs its required input columns {required} (in the signature's order), "
                    f"but the UDF was called with {len(values)} column(s)"
                )
            names = input_names[: len(values)]
        return pd.DataFrame({name: series.reset_index(drop=True) for name, series in zip(names, values)})

    def score(frames):
        binary_path = shipment.binary.local_path()
        bundle_path = shipment.bundle.local_path()
        describe = _task_name()
        batches = (pa.RecordBatch.from_pandas(to_frame(values), preserve_index=False) for values in frames)
        for _, predictions in predict_batches(binary_path, bundle_path, batches, describe=describe):
            yield _results.convert(predictions.to_pandas(), spark_type, describe)

    # The type hints make it an iterator pandas UDF, as mlflow.pyfunc.spark_udf's is.
    score.__annotations__ = {
        "frames": Iterator[Tuple[Union[pd.Series, pd.DataFrame], ...]],
        "return": Iterator[pd.DataFrame] if struct_result else Iterator[pd.Series],
    }
    udf = pandas_udf(score, returnType=spark_type)

    def column_function(*args):
        if not args:
            if tensor_signature:
                raise ValueError(
                    "the model's signature is a tensor, which names no columns: call the UDF with the feature "
                    "columns, or one array column (array(*cols))"
                )
            if not input_names:
                raise ValueError("the model has no signature: call the UDF with the feature columns")
            if has_optional_inputs:
                # As MLflow: which optional columns the DataFrame has cannot be known from nothing.
                raise ValueError(
                    "Cannot apply UDF without column names specified when model signature contains optional "
                    "columns: call the UDF with the feature columns"
                )
            args = tuple(col(name) for name in input_names)
        args = tuple(col(arg) if isinstance(arg, str) else arg for arg in args)
        return udf(*args)

    column_function.__name__ = "mbundle_udf"
    column_function.__doc__ = f"mbundle predictions of {model_uri}"
    column_function.returnType = spark_type
    return column_function
