#!/usr/bin/env python3
"""Interop check: bundles written by `mbundle package` load in real MLflow and predict what scikit-learn predicts.

Rerun (from the repository root, after `swift build`):
    source Scripts/python-env.sh && "$venv/bin/python" Scripts/check-packaged-interop.py .build/debug/mbundle
or with the shared virtualenv:
    SETUPTOOLS_USE_DISTUTILS=stdlib MLFLOW_LOCK_MODEL_DEPENDENCIES=false \
        .build/python-venv/bin/python Scripts/check-packaged-interop.py .build/debug/mbundle
(versions: mlflow 3.17.2, scikit-learn 1.9.1, numpy 2.4.6, pandas 3.1.1)

For every case (each kind; binary, multinomial and one-vs-rest; integer and string classes; float32 and
float64 weights; column and tensor signatures; every predict_fn) it writes coef/intercept as .npy or
.safetensors and an example file, runs `mbundle package`, loads the bundle with mlflow.pyfunc.load_model
and compares its predictions on fresh rows with scikit-learn's on the same coefficients: labels exactly,
numbers to 1e-9 relative. For float32 bundles scikit-learn is given float32 coefficients and float32 rows
(numpy then computes in float32, as the bundle does) and probabilities may differ by a few float32 ulps
(1e-6 relative), because scipy's float32 expit uses the C library's expf. Prints a table; exits 1 on any difference.
"""
import json
import os
import subprocess
import sys
import tempfile

import mlflow
import numpy as np
import pandas as pd
from sklearn.linear_model import LinearRegression, LogisticRegression
from sklearn.linear_model._base import LinearClassifierMixin

RTOL = 1e-9
# float32 results are compared to scikit-learn's float32 results to within a few float32 ulps: scipy's
# expit calls the C library's expf, which numpy cannot reproduce bit for bit (see code/mbundle_pyfunc.py).
RTOL_FLOAT32 = 1e-5  # float32 sums in another order differ by a few dozen ulps (eps 1.2e-7) where terms cancel


def write_safetensors(path, tensors):
    """A minimal safetensors writer (the format is 8-byte length + JSON header + raw little-endian data)."""
    header, blobs, offset = {}, [], 0
    codes = {np.dtype("float64"): "F64", np.dtype("float32"): "F32"}
    for name, array in tensors.items():
        data = np.ascontiguousarray(array).astype(array.dtype.newbyteorder("<")).tobytes()
        header[name] = {"dtype": codes[array.dtype], "shape": list(array.shape), "data_offsets": [offset, offset + len(data)]}
        blobs.append(data)
        offset += len(data)
    text = json.dumps(header, separators=(",", ":")).encode()
    text += b" " * (-len(text) % 8)
    with open(path, "wb") as f:
        f.write(len(text).to_bytes(8, "little") + text + b"".join(blobs))


def reference(case, coef, intercept, X):
    """scikit-learn's output for the case's predict_fn on the same coefficients."""
    if case["kind"] == "linear-regression":
        model = LinearRegression()
        model.coef_ = coef[0] if coef.shape[0] == 1 else coef
        model.intercept_ = intercept[0] if coef.shape[0] == 1 else intercept
        model.n_features_in_ = coef.shape[1]
        return model.predict(X)
    model = LogisticRegression()
    model.coef_ = coef
    model.intercept_ = intercept
    model.classes_ = np.array(case["classes"])
    model.n_features_in_ = coef.shape[1]
    fn = case["predict_fn"]
    if fn == "predict":
        return model.predict(X)
    if fn == "decision_function":
        return model.decision_function(X)
    if case.get("multi_class") == "ovr":
        return LinearClassifierMixin._predict_proba_lr(model, X)
    return model.predict_proba(X)


def fitted_logistic(rng, n_features, classes):
    X = rng.normal(size=(80, n_features))
    y = rng.integers(0, len(classes), size=80)
    X[y == 1] += 1.0
    model = LogisticRegression().fit(X, y)
    return model.coef_, model.intercept_


CASES = [
    dict(name="binary-int-predict", kind="logistic-regression", classes=[0, 1], predict_fn="predict",
         dtype="float64", signature="columns", example="csv", weights="npy"),
    dict(name="binary-str-proba", kind="logistic-regression", classes=["no", "yes"], predict_fn="predict_proba",
         dtype="float64", signature="tensor", example="json", weights="npy"),
    dict(name="binary-proba-f32", kind="logistic-regression", classes=[0, 1], predict_fn="predict_proba",
         dtype="float32", signature="tensor", example="json", weights="npy"),
    dict(name="binary-records-proba", kind="logistic-regression", classes=[0, 1], predict_fn="predict_proba",
         dtype="float64", signature="columns", example="records", weights="npy"),
    dict(name="binary-decision-f32", kind="logistic-regression", classes=[3, 7], predict_fn="decision_function",
         dtype="float32", signature="columns", example="json", weights="safetensors"),
    dict(name="multinomial-int-proba", kind="logistic-regression", classes=[0, 1, 2], predict_fn="predict_proba",
         dtype="float64", signature="columns", example="json", weights="safetensors"),
    dict(name="multinomial-str-predict-f32", kind="logistic-regression", classes=["a", "b", "c", "d"],
         predict_fn="predict", dtype="float32", signature="tensor", example="json", weights="npy"),
    dict(name="multinomial-decision", kind="logistic-regression", classes=[0, 1, 2], predict_fn="decision_function",
         dtype="float64", signature="tensor", example="json", weights="npy"),
    dict(name="ovr-int-proba", kind="logistic-regression", classes=[0, 1, 2], multi_class="ovr",
         predict_fn="predict_proba", dtype="float64", signature="tensor", example="json", weights="npy"),
    dict(name="ovr-str-predict", kind="logistic-regression", classes=["x", "y", "z"], multi_class="ovr",
         predict_fn="predict", dtype="float64", signature="columns", example="csv", weights="npy"),
    dict(name="ovr-proba-f32", kind="logistic-regression", classes=[1, 2, 3], multi_class="ovr",
         predict_fn="predict_proba", dtype="float32", signature="columns", example="csv", weights="safetensors"),
    dict(name="linear-1-target", kind="linear-regression", targets=1, dtype="float64", signature="columns",
         example="csv", weights="npy"),
    dict(name="linear-3-targets-f32", kind="linear-regression", targets=3, dtype="float32", signature="tensor",
         example="json", weights="safetensors"),
    dict(name="linear-3-targets", kind="linear-regression", targets=3, dtype="float64", signature="columns",
         example="json", weights="npy"),
]


def run_case(mbundle, work, case, rng):
    n = 4
    if case["kind"] == "linear-regression":
        coef = rng.normal(size=(case["targets"], n))
        intercept = rng.normal(size=case["targets"])
    else:
        coef, intercept = fitted_logistic(rng, n, case["classes"])
        if len(case["classes"]) > 2 and coef.shape[0] == 1:
            raise AssertionError("expected one row per class")
    dtype = np.dtype(case["dtype"])
    coef, intercept = coef.astype(dtype), intercept.astype(dtype)
    directory = os.path.join(work, case["name"])
    os.makedirs(directory)
    if case["weights"] == "npy":
        coef_file, intercept_file = os.path.join(directory, "coef.npy"), os.path.join(directory, "intercept.npy")
        np.save(coef_file, coef)
        np.save(intercept_file, intercept)
    else:
        coef_file = intercept_file = os.path.join(directory, "weights.safetensors")
        write_safetensors(coef_file, {"coef": coef, "intercept": intercept})

    columns = [f"f{i}" for i in range(n)]
    example_rows = rng.normal(size=(3, n))
    if case["signature"] == "columns" and case["example"] == "csv":
        example = os.path.join(directory, "example.csv")
        pd.DataFrame(example_rows, columns=columns).to_csv(example, index=False, float_format="%.17g")
    elif case["example"] == "records":
        example = os.path.join(directory, "example.json")
        with open(example, "w") as f:
            json.dump({"dataframe_records": [dict(zip(columns, row)) for row in example_rows.tolist()]}, f)
    elif case["signature"] == "columns":
        example = os.path.join(directory, "example.json")
        with open(example, "w") as f:
            json.dump({"columns": columns, "data": example_rows.tolist()}, f)
    else:
        example = os.path.join(directory, "example.json")
        with open(example, "w") as f:
            json.dump({"inputs": example_rows.tolist()}, f)

    bundle = os.path.join(directory, "bundle")
    command = [mbundle, "package", case["kind"], "--coef", coef_file, "--intercept", intercept_file,
               "--example", example, "--dtype", case["dtype"], "-o", bundle]
    if case["kind"] == "logistic-regression":
        command += ["--classes", ",".join(str(c) for c in case["classes"]), "--predict-fn", case["predict_fn"]]
        if "multi_class" in case:
            command += ["--multi-class", case["multi_class"]]
    result = subprocess.run(command, capture_output=True, text=True)
    if result.returncode != 0:
        return f"mbundle package failed ({result.returncode}): {result.stderr.strip()}", None

    model = mlflow.pyfunc.load_model(bundle)
    X = rng.normal(size=(50, n)) * 3
    X[0] = 0
    if case["signature"] == "columns":
        got = model.predict(pd.DataFrame(X, columns=columns))
        request = {"dataframe_split": {"columns": columns, "data": X.tolist()}}
    else:
        got = model.predict(X)
        request = {"inputs": X.tolist()}
    expected = reference(case, coef, intercept, X.astype(dtype))
    problem, relative = compare(np.asarray(got), expected, dtype)
    if problem is not None:
        return "mlflow.pyfunc: " + problem, relative

    # The same rows through `mbundle predict`: the Swift runtime must agree with scikit-learn too.
    request_file = os.path.join(directory, "request.json")
    with open(request_file, "w") as f:
        json.dump(request, f)
    result = subprocess.run([mbundle, "predict", "-m", bundle, "-i", request_file], capture_output=True, text=True)
    if result.returncode != 0:
        return f"mbundle predict failed ({result.returncode}): {result.stderr.strip()}", relative
    ours = np.asarray(json.loads(result.stdout)["predictions"])
    if ours.dtype.kind == "f":
        ours = ours.astype(expected.dtype)
    problem, ours_relative = compare(ours, expected, dtype)
    if problem is not None:
        return "mbundle predict: " + problem, ours_relative
    return None, max(relative, ours_relative)


def compare(got, expected, dtype):
    """None when `got` equals scikit-learn's `expected` (labels exactly, numbers to the tolerance)."""
    if got.shape != expected.shape:
        return f"shape {got.shape} != scikit-learn's {expected.shape}", None
    if expected.dtype.kind in "iuUO" or got.dtype.kind in "iuUO":
        same = bool(np.all(got == expected))
        return (None if same else "labels differ"), 0.0
    scale = np.maximum(np.abs(got), np.abs(expected))
    difference = np.abs(got.astype(np.float64) - expected.astype(np.float64))
    relative = float(np.max(np.where(difference == 0, 0.0, difference / np.where(scale == 0, 1, scale))))
    tolerance = RTOL_FLOAT32 if dtype == np.float32 else RTOL
    if relative > tolerance:
        return f"max relative difference {relative:.3g} > {tolerance}", relative
    if got.dtype != expected.dtype:
        return f"dtype {got.dtype} != scikit-learn's {expected.dtype}", relative
    return None, relative


def check_sample_models():
    """SampleModels/<name>: MLflow loads each, reads its input example and predicts scikit-learn's predictions."""
    root = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "SampleModels")
    sources = os.path.join(root, "sources")
    failures = 0
    for name in sorted(os.listdir(sources)) if os.path.isdir(sources) else []:
        with open(os.path.join(sources, name, "expected-predictions.json")) as f:
            expected = np.asarray(json.load(f)["predictions"])
        bundle = os.path.join(root, name)
        try:
            model = mlflow.pyfunc.load_model(bundle)
            example = mlflow.models.Model.load(bundle).load_input_example(bundle)
            got = np.asarray(model.predict(example))
            same = got.shape == expected.shape and (
                bool(np.all(got == expected)) if got.dtype.kind in "iuUO" else np.allclose(got, expected, rtol=RTOL, atol=0)
            )
            problem = None if same else "predictions differ from expected-predictions.json"
        except Exception as error:
            problem = f"{type(error).__name__}: {error}"
        failures += problem is not None
        print(f"sample model {name:30} {'ok' if problem is None else 'FAIL: ' + problem}")
    return failures


def main():
    if len(sys.argv) != 2:
        sys.exit("usage: check-packaged-interop.py MBUNDLE")
    mbundle = os.path.abspath(sys.argv[1])
    rng = np.random.default_rng(20261122)
    failures = 0
    print(f"{'case':30} {'kind':20} {'predict_fn':18} {'dtype':8} {'signature':9} {'max rel':>9}  result")
    with tempfile.TemporaryDirectory() as work:
        for case in CASES:
            try:
                problem, relative = run_case(mbundle, work, case, rng)
            except Exception as error:  # report and continue with the other cases
                problem, relative = f"{type(error).__name__}: {error}", None
            failures += problem is not None
            shown = "-" if relative is None else f"{relative:.2g}"
            print(f"{case['name']:30} {case['kind']:20} {case.get('predict_fn', 'predict'):18} {case['dtype']:8} "
                  f"{case['signature']:9} {shown:>9}  {'ok' if problem is None else 'FAIL: ' + problem}")
    print(f"{len(CASES) - failures}/{len(CASES)} packaged bundles: mlflow.pyfunc and mbundle predict both match scikit-learn")
    failures += check_sample_models()
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
