"""``spark_udf``'s result types by the rules of ``mlflow.pyfunc.spark_udf`` (MLflow 3), so that a job
moved from one to the other keeps its column types and values: the type is inferred from the model
signature's outputs when none is given, a given type must be one MLflow allows, and each batch of
predictions is converted the way MLflow converts its model's output (which columns a type accepts,
how they are cast, how an array or a string is made). ``predict`` keeps its own lossless casts."""

from __future__ import annotations

import numpy as np
import pandas as pd

from ._process import PredictionError

# MLflow's ColSpec type names and the Spark types they become (mlflow.types.DataType.to_spark).
_SPARK_TYPE_OF_COLUMN = {
    "boolean": "BooleanType",
    "integer": "IntegerType",
    "long": "LongType",
    "float": "FloatType",
    "double": "DoubleType",
    "string": "StringType",
    "binary": "BinaryType",
    "datetime": "TimestampType",
}

# A tensor's NumPy dtype and its Spark type, compared as dtypes as mlflow.types.DataType.from_numpy_type
# compares them: MLflow records string tensors as "str" and bytes as "bytes"; int8, uint8, float16 or
# object tensors match none (MLflow refuses them too).
_SPARK_TYPE_OF_TENSOR = [
    (np.dtype("bool"), "BooleanType"),
    (np.dtype("int32"), "IntegerType"),
    (np.dtype("int64"), "LongType"),
    (np.dtype("float32"), "FloatType"),
    (np.dtype("float64"), "DoubleType"),
    (np.dtype("str"), "StringType"),
    (np.dtype("bytes"), "BinaryType"),
    (np.dtype("datetime64[ns]"), "TimestampType"),
]

_ALLOWED = "int, long, float, double, string, boolean, arrays of them, or a struct of them"


def _types():
    from pyspark.sql import types

    return types


def _primitive_types() -> tuple:
    types = _types()
    return (types.IntegerType, types.LongType, types.FloatType, types.DoubleType, types.StringType, types.BooleanType)


def parse(result_type):
    """A Spark DataType from a DataType or a DDL string (``"bool"`` taken as ``"boolean"``, as MLflow does)."""
    types = _types()
    if isinstance(result_type, types.DataType):
        return result_type
    if isinstance(result_type, str):
        text = "boolean" if result_type.strip() == "bool" else result_type
        return types._parse_datatype_string(text)
    raise TypeError(f"result_type must be a Spark DataType or a DDL string, not {type(result_type).__name__}")


def check(data_type) -> None:
    """Refuses a result type that mbundle's flat prediction columns cannot fill, naming the allowed ones.

    MLflow allows the same primitives, arrays and structs; maps and nested arrays (for models that
    return dictionaries or 3-D outputs) have no mbundle prediction to fill them.
    """
    types = _types()
    if isinstance(data_type, _primitive_types()):
        return
    if isinstance(data_type, types.ArrayType) and isinstance(data_type.elementType, _primitive_types()):
        return
    if isinstance(data_type, types.StructType) and data_type.fields:
        for field in data_type.fields:
            if not isinstance(field.dataType, _primitive_types()):
                raise ValueError(
                    f"result_type field '{field.name}' is {field.dataType.simpleString()}: a struct's fields must be "
                    "int, long, float, double, string or boolean (one per prediction column)"
                )
        return
    raise ValueError(f"result_type {data_type.simpleString()} is not supported: use {_ALLOWED}")


def _spark_type_of_spec(spec: dict):
    types = _types()
    kind = spec.get("type")
    if kind == "tensor":
        tensor = spec.get("tensor-spec") or {}
        dtype, shape = str(tensor.get("dtype")), tensor.get("shape") or []
        try:
            numpy_type = np.dtype(dtype)
        except TypeError:
            numpy_type = None
        name = next((spark for known, spark in _SPARK_TYPE_OF_TENSOR if known == numpy_type), None)
        if name is None:
            raise ValueError(
                f"the model's output tensor has dtype {dtype}, which spark_udf cannot infer a type for "
                "(MLflow refuses it too): pass result_type"
            )
        if len(shape) not in (1, 2):
            raise ValueError(f"the model's output tensor has shape {shape}: pass result_type")
        # MLflow infers array<array<…>> for a 2-D tensor and then fails on the model's rows of values;
        # a row's values are one array here, so such a model gets array<…> (a row each).
        return types.ArrayType(getattr(types, name)())
    if kind in _SPARK_TYPE_OF_COLUMN:
        return getattr(types, _SPARK_TYPE_OF_COLUMN[kind])()
    if kind == "array":
        return types.ArrayType(_spark_type_of_spec(spec.get("items") or {}))
    if kind == "object":
        properties = spec.get("properties") or {}
        return types.StructType(
            [types.StructField(name, _spark_type_of_spec(value)) for name, value in properties.items()]
        )
    if kind == "map":
        return types.MapType(types.StringType(), _spark_type_of_spec(spec.get("values") or {}))
    raise ValueError(f"the model's output has type {kind!r}, which spark_udf cannot infer a type for: pass result_type")


def infer(outputs: list[dict] | None):
    """The result type MLflow infers from a signature's outputs (MLflow's JSON form), double without."""
    types = _types()
    if not outputs:
        return types.DoubleType()
    if len(outputs) == 1:
        return _spark_type_of_spec(outputs[0])
    fields = [
        types.StructField(spec.get("name") or str(index), _spark_type_of_spec(spec))
        for index, spec in enumerate(outputs)
    ]
    return types.StructType(fields)


def _numpy_type(data_type):
    types = _types()
    return {
        types.IntegerType: np.int32,
        types.LongType: np.int64,
        types.FloatType: np.float32,
        types.DoubleType: np.float64,
        types.BooleanType: np.bool_,
        types.StringType: np.str_,
    }[type(data_type)]


def _compatible_columns(frame: pd.DataFrame, element_type) -> pd.DataFrame:
    """The columns MLflow's spark_udf keeps for ``element_type``, cast as it casts them: ``int`` takes
    integer columns of at most 32 bits, ``long`` 64-bit and smaller ones but not int32, ``float`` and
    ``double`` every numeric column, ``boolean`` boolean columns; ``string`` takes every column."""
    types = _types()
    if isinstance(element_type, types.IntegerType):
        return frame.select_dtypes([np.byte, np.ubyte, np.short, np.ushort, np.int32]).astype(np.int32)
    if isinstance(element_type, types.LongType):
        return frame.select_dtypes([np.byte, np.ubyte, np.short, np.ushort, int]).astype(np.int64)
    if isinstance(element_type, types.FloatType):
        return frame.select_dtypes(include=(np.number,)).astype(np.float32)
    if isinstance(element_type, types.DoubleType):
        return frame.select_dtypes(include=(np.number,)).astype(np.float64)
    if isinstance(element_type, types.BooleanType):
        return frame.select_dtypes([bool, np.bool_]).astype(bool)
    return frame


def _is_none_or_nan(value) -> bool:
    return value is None or (isinstance(value, float) and np.isnan(value))


def _struct(frame: pd.DataFrame, struct_type, describe: str) -> pd.DataFrame:
    """One column per field: the prediction column of that name, else the one at its position."""
    names = list(frame.columns)
    fields = {}
    for index, field in enumerate(struct_type.fields):
        if field.name in names:
            values = frame[field.name]
        elif index < len(names):
            values = frame.iloc[:, index]
        else:
            raise PredictionError(
                f"the model's prediction columns {names} have no column for result field '{field.name}' ({describe})"
            )
        if not all(_is_none_or_nan(value) for value in values):
            values = values.astype(_numpy_type(field.dataType))
        fields[field.name] = values.reset_index(drop=True)
    return pd.DataFrame(fields)


def convert(frame: pd.DataFrame, result_type, describe: str):
    """A batch of predictions (mbundle's columns) as the UDF's result: a Series, or a DataFrame for a struct."""
    types = _types()
    if isinstance(result_type, types.StructType):
        return _struct(frame, result_type, describe)
    element_type = result_type.elementType if isinstance(result_type, types.ArrayType) else result_type
    kept = _compatible_columns(frame, element_type)
    if kept.shape[1] == 0:
        described = ", ".join(f"'{name}' {dtype}" for name, dtype in frame.dtypes.items())
        raise PredictionError(
            f"the model's predictions ({described}) have no column compatible with the requested type "
            f"{element_type.simpleString()} ({describe}); request string or array<string>, or a type that "
            "fits the predictions"
        )
    if isinstance(element_type, types.StringType):
        kept = kept.map(str) if hasattr(kept, "map") else kept.applymap(str)
    if isinstance(result_type, types.ArrayType):
        return pd.Series(kept.to_numpy().tolist())
    return kept[kept.columns[0]].reset_index(drop=True)
