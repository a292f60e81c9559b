#!/usr/bin/env python3
# Regenerates the golden files under Tests/Fixtures/signature/ from REAL MLflow, numpy and pandas.
# Rerun with (from the repository root):
#     .build/python-venv/bin/python Scripts/make-signature-golden.py
# (mlflow 3.17.2, numpy 2.4.6, pandas 3.1.1). The Swift tests compare their own output with these files,
# so nothing in them may come from the Swift code.
import datetime as dt
import json
import os
import random
import struct
import warnings

warnings.filterwarnings("ignore")

import numpy as np
import pandas as pd
from mlflow.models.signature import ModelSignature
from mlflow.models.utils import _Example
from mlflow.types.schema import (
    AnyType, Array, ColSpec, DataType, Map, Object, ParamSchema, ParamSpec, Property, Schema, TensorSpec,
)
from mlflow.types.utils import _infer_param_schema, _infer_schema

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "Tests", "Fixtures", "signature")


def dump(name, value):
    with open(os.path.join(OUT, name), "w") as f:
        json.dump(value, f, indent=1, sort_keys=False)
        f.write("\n")


# ---------------------------------------------------------------- schemas.json
def sig_case(name, sig):
    d = sig.to_dict()
    return {
        "name": name,
        "inputs": d["inputs"], "outputs": d["outputs"], "params": d["params"],
        "inputs_repr": repr(sig.inputs) if sig.inputs is not None else None,
        "outputs_repr": repr(sig.outputs) if sig.outputs is not None else None,
    }


schemas = []
schemas.append(sig_case("every scalar, named", ModelSignature(
    Schema([ColSpec(t, f"c_{t.name}") for t in DataType]))))
schemas.append(sig_case("every scalar, optional", ModelSignature(
    Schema([ColSpec(t, f"o_{t.name}", required=False) for t in DataType]))))
schemas.append(sig_case("unnamed columns", ModelSignature(
    Schema([ColSpec("double"), ColSpec("long"), ColSpec("string")]), Schema([ColSpec("double")]))))
schemas.append(sig_case("sklearn-like", ModelSignature(
    Schema([ColSpec("double", "sepal length (cm)"), ColSpec("double", "petal width")]),
    Schema([TensorSpec(np.dtype("int64"), (-1,))]))))
schemas.append(sig_case("nested complex", ModelSignature(Schema([
    ColSpec(Array(DataType.string), "ids"),
    ColSpec(Array(Array(DataType.double)), "matrix", required=False),
    ColSpec(Object([Property("y", DataType.string, required=False), Property("x", DataType.long),
                    Property("a", Array(Object([Property("q", DataType.boolean)])))]), "obj"),
    ColSpec(Map(DataType.double), "m"),
    ColSpec(Map(Array(Map(DataType.string))), "deep"),
    ColSpec(AnyType(), "anything", required=False),
    ColSpec(Array(AnyType()), "anys"),
    ColSpec(Object([Property("inner", Object([Property("z", Map(DataType.binary))]))]), "nest"),
]))))
schemas.append(sig_case("array of object", ModelSignature(Schema([
    ColSpec(Array(Object([Property("x", DataType.long), Property("y", Array(DataType.string), required=False)])),
            "arr")]))))
schemas.append(sig_case("unnamed array", ModelSignature(Schema([ColSpec(Array(DataType.datetime))]))))
schemas.append(sig_case("unicode names", ModelSignature(Schema([
    ColSpec("string", "na\u00efve caf\u00e9"), ColSpec("double", "\u65e5\u672c"), ColSpec("long", "emoji \U0001F600"),
    ColSpec("long", 'quote " and \\ slash\ttab')]))))
tensor_dtypes = ["bool", "int8", "int16", "int32", "int64", "uint8", "uint16", "uint32", "uint64",
                 "float16", "float32", "float64", "str", "bytes", "object", "datetime64[ns]", "datetime64[s]"]
for dt_name in tensor_dtypes:
    schemas.append(sig_case(f"tensor {dt_name}", ModelSignature(
        Schema([TensorSpec(np.dtype(dt_name), (-1, 4))]))))
schemas.append(sig_case("tensor shapes", ModelSignature(
    Schema([TensorSpec(np.dtype("float32"), (-1, 28, 28, 3))]), Schema([TensorSpec(np.dtype("float64"), ())]))))
schemas.append(sig_case("named tensors", ModelSignature(Schema([
    TensorSpec(np.dtype("float32"), (-1, 2), "x"), TensorSpec(np.dtype("int64"), (-1,), "y"),
    TensorSpec(np.dtype("uint8"), (), "scalar"), TensorSpec(np.dtype("float64"), (3, -1, 2), "z")]))))
schemas.append(sig_case("params every type", ModelSignature(
    Schema([ColSpec("string", "q")]), None, ParamSchema([
        ParamSpec("b", "boolean", True), ParamSpec("i", "integer", 3), ParamSpec("l", "long", -7),
        ParamSpec("f", "float", 0.5), ParamSpec("d", "double", 1e-07), ParamSpec("s", "string", "x\u00e9"),
        ParamSpec("dt", "datetime", dt.datetime(2023, 6, 26, 0, 0, 0)),
        ParamSpec("dtus", "datetime", dt.datetime(2024, 1, 2, 3, 4, 5, 678)),
        ParamSpec("arr", "long", [1, 2], (-1,)), ParamSpec("darr", "double", [1.5, 2.0], (-1,)),
        ParamSpec("sarr", "string", ["a"], (-1,)), ParamSpec("barr", "boolean", [True, False], (-1,)),
        ParamSpec("none", "string", None), ParamSpec("nonel", "long", None),
        ParamSpec("o", Object([Property("k", DataType.long), Property("a", DataType.string, required=False)]),
                  {"k": 1}),
        ParamSpec("big", "double", 1.5e+16), ParamSpec("neg", "double", -0.0),
    ]))))
schemas.append(sig_case("params only", ModelSignature(None, None, ParamSchema([ParamSpec("k", "long", 5)]))))
schemas.append(sig_case("outputs only", ModelSignature(None, Schema([ColSpec("double", "y")]))))

# Legacy or hand-written strings: MLflow reads them and writes them back in its canonical form.
legacy_inputs = [
    '[{"name": "a", "type": "long"}, {"name": "b", "type": "double"}]',
    '[{"type": "string"}]',
    '[{"type":"array","items":{"type":"long"},"name":"x"}]',
    '[{"type": "object", "properties": {"b": {"type": "long"}, "a": {"type": "string", "required": false}}, '
    '"name": "o", "required": true}]',
    '[{"name": "x", "type": "tensor", "tensor-spec": {"shape": [-1, 2], "dtype": "float32"}}]',
    '[{"type": "tensor", "tensor-spec": {"dtype": "float64", "shape": [-1]}}]',
    '[{"type": "map", "values": {"type": "array", "items": {"type": "double"}}, "name": "m"}]',
]
legacy_params = [
    '[{"name": "a", "type": "double", "default": 0.5, "shape": null}]',
    '[{"name": "a", "dtype": "long", "default": 1, "shape": null}]',
    '[{"name": "arr", "type": "long", "default": [1, 2], "shape": [-1]}]',
    '[{"name": "t", "type": "datetime", "default": "2023-06-26T00:00:00", "shape": null}]',
    '[{"name": "s", "type": "string", "default": null}]',
    '[{"name": "o", "type": "object", "default": {"k": 1}, "shape": null, '
    '"properties": {"k": {"type": "long", "required": true}}}]',
]
legacy = []
for s in legacy_inputs:
    sig = ModelSignature.from_dict({"inputs": s, "outputs": None, "params": None})
    legacy.append({"inputs": s, "outputs": None, "params": None, "written": sig.to_dict()})
for s in legacy_params:
    sig = ModelSignature.from_dict({"inputs": None, "outputs": None, "params": s})
    legacy.append({"inputs": None, "outputs": None, "params": s, "written": sig.to_dict()})

invalid = []
invalid_inputs = [
    "[]",
    '[{"type": "double", "name": "a"}, {"type": "double"}]',
    '[{"type": "double", "name": "a"}, {"type": "tensor", "name": "b", '
    '"tensor-spec": {"dtype": "float32", "shape": [-1]}}]',
    '[{"type": "tensor", "tensor-spec": {"dtype": "float32", "shape": [-1]}}, '
    '{"type": "tensor", "tensor-spec": {"dtype": "float32", "shape": [-1]}}]',
    '[{"type": "double", "required": false}]',
    '[{"type": "decimal", "name": "a"}]',
    '[{"name": "a"}]',
    '[{"type": "array", "name": "a"}]',
    '[{"type": "object", "name": "a"}]',
    '[{"type": "object", "name": "a", "properties": []}]',
    '[{"type": "tensor", "name": "a"}]',
    '[{"type": "tensor", "tensor-spec": {"dtype": "<U10", "shape": [-1]}}]',
]
invalid_params = [
    '[{"name": "a", "type": "double"}]',
    '[{"name": "a", "type": "binary", "default": null}]',
    '[{"name": "a", "type": "long", "default": 1}, {"name": "a", "type": "long", "default": 2}]',
    '[{"name": "a", "type": "long", "default": [1], "shape": [2]}]',
    '[{"name": "a", "type": "long", "default": 1, "shape": [-1]}]',
    '[{"name": "a", "type": "long", "default": "x", "shape": null}]',
]
for key, strings in (("inputs", invalid_inputs), ("params", invalid_params)):
    for s in strings:
        try:
            ModelSignature.from_dict({"inputs": None, "outputs": None, "params": None, key: s})
            raise SystemExit(f"MLflow accepted {s}")
        except Exception as e:  # noqa: BLE001 - the message is what we record
            invalid.append({"field": key, "json": s, "error": str(e)})

dump("schemas.json", {"signatures": schemas, "legacy": legacy, "invalid": invalid})

# ---------------------------------------------------------------- inference.json
inference = []


def infer_case(case, value):
    try:
        if case["kind"] == "params":
            result = _infer_param_schema(value).to_json()
        else:
            result = _infer_schema(value).to_json()
        case["expected"] = result
    except Exception as e:  # noqa: BLE001
        case["error"] = str(e)
    inference.append(case)


for dtype, shape in [("float64", [4, 2]), ("float32", [3]), ("int64", [1, 28, 28, 3]), ("uint8", [2, 2]),
                     ("bool", [5]), ("int32", [0, 3]), ("float16", [2, 1]), ("int8", [7, 1, 1])]:
    infer_case({"kind": "ndarray", "dtype": dtype, "shape": shape}, np.zeros(shape, dtype=dtype))
infer_case({"kind": "ndarray", "dtype": "str", "shape": [2]}, np.array(["ab", "c"]))
infer_case({"kind": "ndarray", "dtype": "bytes", "shape": [2, 1]}, np.array([[b"ab"], [b"c"]]))
infer_case({"kind": "ndarray_dict", "arrays": [
    {"name": "x", "dtype": "float32", "shape": [3, 2]}, {"name": "y", "dtype": "int64", "shape": [3]}]},
    {"x": np.zeros((3, 2), np.float32), "y": np.zeros(3, np.int64)})

frames = [
    [{"name": "a", "values": [1, 2, 3]}, {"name": "b", "values": [1.5, 2.0, 3.25]}],
    [{"name": "s", "values": ["x", "y"]}, {"name": "t", "values": [True, False]}],
    [{"name": "n", "values": [1.0, None]}, {"name": "i", "values": [1, None]}],
    [{"name": "s", "values": ["x", None]}],
    [{"name": "z", "values": [None, None]}],
    [{"name": "l", "values": [[1, 2], [3]]}],
    [{"name": "ls", "values": [["a"], ["b", "c"]]}],
    [{"name": "d", "values": [{"k": 1, "s": "a"}, {"k": 2, "s": "b"}]}],
    [{"name": "b", "values": [True, None]}],
    [{"name": "a", "values": [1, 2], "dtype": "int32"}, {"name": "b", "values": [1.0, 2.0], "dtype": "float32"},
     {"name": "c", "values": [1, 2], "dtype": "int8"}, {"name": "d", "values": [1, 2], "dtype": "uint32"},
     {"name": "e", "values": [1, 2], "dtype": "uint16"}, {"name": "f", "values": [1, 2], "dtype": "float16"}],
    [{"name": "u", "values": [1, 2], "dtype": "uint64"}],
    [{"name": "x", "values": [1, 2.5]}],
    [{"name": "ln", "values": [[1, 2], None]}],
]
for cols in frames:
    df = pd.DataFrame({c["name"]: pd.Series(c["values"], dtype=c.get("dtype")) for c in cols})
    infer_case({"kind": "frame", "columns": cols}, df)

for value in [1, 2.5, "s", True, [1, 2, 3], [1.5, 2.5], ["a", "b"], [True], [],
              {"a": 1, "b": "x", "c": [1, 2], "d": {"k": 1.5}},
              {"a": [1.5], "b": ["x", "y"]},
              [{"a": 1, "b": "x"}, {"a": 2}], [{"a": 1, "b": None}, {"a": 2, "b": "y"}],
              [{"q": "hi", "n": 1}], [1, "a"], {"nested": [{"x": 1}, {"x": 2, "y": "z"}]},
              [[1, 2], [3, 4]], {"e": []}]:
    infer_case({"kind": "python", "value": value}, value)

for params in [{"k": 5, "t": 0.5, "s": "x", "b": False}, {"arr": [1, 2], "sarr": ["a"], "darr": [0.5]},
               {"o": {"k": 1, "s": "x"}}, {"m": [[1, 2]]}, {"n": None}]:
    infer_case({"kind": "params", "value": params}, params)

dump("inference.json", inference)

# ---------------------------------------------------------------- examples.json
examples = []


def example_case(case, value):
    ex = _Example(value)
    case["input_example"] = ex.json_input_example
    case["serving_input_example"] = ex.json_serving_input
    case["info"] = sorted(ex.info.items())
    examples.append(case)


for columns, rows, params in [
    (["a", "b"], [[1, 1.0], [2, 2.0]], None),
    (["x", "name"], [[0.5, "caf\u00e9"], [-1e-07, "\u65e5"]], None),
    (["a", "b"], [[1, 1.0], [2, 2.5]], {"k": 5, "t": 0.5}),
    (["f"], [[1.5], [float("nan")]], None),
]:
    df = pd.DataFrame(rows, columns=columns)
    example_case({"kind": "dataframe", "columns": columns, "rows": rows, "params": params},
                 (df, params) if params else df)
rows = [[1.5, 2.5], [3.0, 4.0]]
example_case({"kind": "dataframe", "columns": None, "rows": rows, "params": None}, pd.DataFrame(rows))

for value, dtype, params in [([[1.0, 2.0], [3.0, 4.0]], "float64", None), ([1, 2, 3], "int64", None),
                             ([[1.5e16, 1e-05]], "float64", {"n": 1}), ([[True, False]], "bool", None)]:
    example_case({"kind": "ndarray", "value": value, "params": params},
                 (np.array(value, dtype=dtype), params) if params else np.array(value, dtype=dtype))
example_case({"kind": "ndarray_dict", "value": {"x": [[1.0, 2.0]], "y": [1, 2]}, "params": None},
             {"x": np.array([[1.0, 2.0]]), "y": np.array([1, 2])})
for value, params in [([{"q": "hi", "n": 1}], None), ({"a": 1, "b": [1, 2]}, None), (["a", "b"], None),
                      ({"messages": [{"role": "user", "content": "hi"}]}, None),
                      ({"messages": [{"role": "user", "content": "hi"}]}, {"temperature": 0.5}),
                      ([{"q": "\u00e9\U0001F600"}], {"k": [1, 2]}), (3.5, None)]:
    example_case({"kind": "json_object", "value": value, "params": params},
                 (value, params) if params else value)

dump("examples.json", examples)

# ---------------------------------------------------------------- floats.json
rng = random.Random(20261122)
values = [0.0, -0.0, 1.0, -1.0, 2.0, 0.1, 0.2 + 0.1, 1 / 3, 1e16, 1e15, 9999999999999998.0, 1.5e16, 1e-05,
          0.0001, 0.00012345, 1e-07, 5e-324, 2.2250738585072014e-308, 1.7976931348623157e308, 1e22, 1e23,
          123456789012345678.0, 3.141592653589793, 2.5, 100.0, 1e100, -1.5e-300, 4.35, 0.3, 1234.5678,
          float("nan"), float("inf"), float("-inf"), float(2 ** 53), 2 ** 53 + 2.0, 9007199254740993.0, 1e21]
for _ in range(300):
    bits = rng.getrandbits(64)
    x = struct.unpack("<d", struct.pack("<Q", bits))[0]
    values.append(x)
for _ in range(200):
    values.append(round(rng.uniform(-1000, 1000), rng.randint(0, 8)))
for _ in range(100):
    values.append(rng.uniform(0, 1) * 10 ** rng.randint(-30, 30))
floats = []
for x in values:
    bits = struct.unpack("<Q", struct.pack("<d", x))[0]
    floats.append({"bits": f"{bits:016x}", "repr": repr(x), "json": json.dumps(x)})

strings = ["plain", "caf\u00e9", "\u65e5\u672c\u8a9e", "emoji \U0001F600", "quote \" back \\ slash /",
           "ctl \x00\x01\x1f\x7f", "nl\n cr\r tab\t bs\b ff\f", "\u2028\u2029", "\ufeff", ""]
string_cases = [{"value": s, "json": json.dumps(s)} for s in strings]
doc = {"a": [1, 2.5, None, True, False, "x"], "b": {"c": {}, "d": []}, "e": {"f": [[]]}, "g": float("nan")}
documents = [{"value_json": json.dumps(doc), "compact": json.dumps(doc), "indent2": json.dumps(doc, indent=2)}]
dump("floats.json", {"floats": floats, "strings": string_cases, "documents": documents})
print("wrote", OUT)
