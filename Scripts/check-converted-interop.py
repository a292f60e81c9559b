#!/usr/bin/env python3
"""Interop check: bundles written by `mbundle convert` load in real MLflow and predict what MLflow predicts
on the original scikit-learn bundles.

Rerun (from the repository root, after `swift build`):
    source Scripts/python-env.sh && "$venv/bin/python" Scripts/check-converted-interop.py .build/debug/mbundle
or with the shared virtualenv:
    SETUPTOOLS_USE_DISTUTILS=stdlib MLFLOW_LOCK_MODEL_DEPENDENCIES=false \
        /work/pyenv/bin/python Scripts/check-converted-interop.py .build/debug/mbundle
(versions: mlflow 3.17.2, scikit-learn 1.9.1, numpy 2.4.6, pandas 3.1.1)

For every MLflow-written fixture in Tests/Fixtures/mlflow that `convert` accepts and that has a serving
example (skops, pickle and cloudpickle; binary and multinomial logistic regression, predict and
predict_proba; linear regression; column and tensor signatures; a signature with params) it
runs `mbundle convert`, loads the original and the converted bundle with mlflow.pyfunc.load_model, and
predicts the original's serving input example with both: labels must be equal, numbers equal to 1e-9
relative. It also checks that the converted bundle kept the original's signature strings, input examples
(byte for byte) and metadata. Prints a table; exits 1 on any difference.
"""
import json
import os
import subprocess
import sys
import tempfile

import mlflow
import numpy as np
import pandas as pd
import yaml

RTOL = 1e-9
CASES = [
    "logreg_binary_skops",
    "logreg_binary_pickle",
    "logreg_binary_cloudpickle",
    "iris_multinomial_proba",
    "diabetes_linear",
    "tensor_ndarray",
    "params_all_types",
    "logged_sqlite",
]


def serving_input(bundle):
    """The serving input example as MLflow's scoring server would pass it: (data, params)."""
    with open(os.path.join(bundle, "serving_input_example.json")) as f:
        body = json.load(f)
    if "dataframe_split" in body:
        split = body["dataframe_split"]
        data = pd.DataFrame(split["data"], columns=split["columns"])
    else:
        data = np.asarray(body["inputs"])
    return data, body.get("params")


def compare(got, want):
    """An empty string when equal (labels exactly, numbers to RTOL), else what differs."""
    got, want = np.asarray(got), np.asarray(want)
    if got.shape != want.shape:
        return f"shape {got.shape} vs {want.shape}"
    if want.dtype.kind in "fc":
        if not np.allclose(got.astype(float), want, rtol=RTOL, atol=0):
            return f"max abs difference {np.max(np.abs(got.astype(float) - want))}"
        return ""
    if not np.array_equal(got, want):
        return f"{got.tolist()} vs {want.tolist()}"
    return ""


def kept(original, converted):
    """What the converted MLmodel lost of the original's interface, or an empty string."""
    with open(os.path.join(original, "MLmodel")) as f:
        a = yaml.safe_load(f)
    with open(os.path.join(converted, "MLmodel")) as f:
        b = yaml.safe_load(f)
    problems = []
    if a.get("signature") != b.get("signature"):
        problems.append("signature")
    if a.get("saved_input_example_info") != b.get("saved_input_example_info"):
        problems.append("saved_input_example_info")
    for name in ("input_example.json", "serving_input_example.json"):
        path = os.path.join(original, name)
        if os.path.exists(path):
            with open(path, "rb") as f1, open(os.path.join(converted, name), "rb") as f2:
                if f1.read() != f2.read():
                    problems.append(name)
    metadata = dict(a.get("metadata") or {})
    metadata["mbundle_version"] = (b.get("metadata") or {}).get("mbundle_version")
    if metadata != (b.get("metadata") or {}):
        problems.append("metadata")
    fn = a["flavors"]["python_function"].get("predict_fn", "predict")
    native = [b["flavors"][k] for k in ("logistic_regression", "linear_regression") if k in b["flavors"]]
    if len(native) != 1 or native[0].get("predict_fn") != fn:
        problems.append("predict_fn")
    return ", ".join(problems)


def main():
    if len(sys.argv) != 2:
        sys.exit("usage: check-converted-interop.py PATH/TO/mbundle")
    mbundle = os.path.abspath(sys.argv[1])
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    fixtures = os.path.join(root, "Tests", "Fixtures", "mlflow")
    with open(os.path.join(fixtures, "expected.json")) as f:
        expected = json.load(f)
    rows, failures = [], 0
    with tempfile.TemporaryDirectory() as scratch:
        for name in CASES:
            original = os.path.join(fixtures, name)
            converted = os.path.join(scratch, name)
            result = subprocess.run(
                [mbundle, "convert", "-m", original, "-o", converted], capture_output=True, text=True
            )
            if result.returncode != 0:
                rows.append((name, "convert failed", result.stderr.strip()))
                failures += 1
                continue
            data, params = serving_input(original)
            want = mlflow.pyfunc.load_model(original).predict(data, params=params)
            got = mlflow.pyfunc.load_model(converted).predict(data, params=params)
            problems = [
                p
                for p in (
                    compare(got, want) and f"vs MLflow on the original: {compare(got, want)}",
                    compare(got, expected[name]["predictions"]["predictions"])
                    and "vs expected.json: " + compare(got, expected[name]["predictions"]["predictions"]),
                    kept(original, converted) and "not kept: " + kept(original, converted),
                )
                if p
            ]
            rows.append((name, "agreed" if not problems else "DIFFERED", "; ".join(problems)))
            failures += bool(problems)
    width = max(len(r[0]) for r in rows)
    print(f"{'case'.ljust(width)}  result    details")
    for name, status, details in rows:
        print(f"{name.ljust(width)}  {status.ljust(8)}  {details}")
    print(f"{len(rows)} cases, {len(rows) - failures} agreed, {failures} differed")
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
