#!/usr/bin/env python3
"""Sample models for the demo and the tests: fitted by scikit-learn, packaged by `mbundle package`.

Rerun (from the repository root):
    swift build && Scripts/make-sample-models.sh
which runs, in the pinned virtualenv (Scripts/python-env.sh),
    python Scripts/make-sample-models.py .build/debug/mbundle
(versions: scikit-learn 1.9.1, numpy 2.4.6, pandas 3.1.1)

For each model it writes SampleModels/sources/<name>/ (coef.npy, intercept.npy, the example file and
expected-predictions.json: scikit-learn's own predictions on the example, as MLflow's
{"predictions": ...}) and replaces SampleModels/<name>/ with the bundle `mbundle package` writes.
The expected predictions sit outside the bundle so that `mbundle verify` finds no unlisted file.
"""
import json
import os
import shutil
import subprocess
import sys

import numpy as np
import pandas as pd
from sklearn.datasets import load_diabetes, load_iris
from sklearn.linear_model import LinearRegression, LogisticRegression

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SAMPLES = os.path.join(ROOT, "SampleModels")


def package(mbundle, name, kind, coef, intercept, example_name, write_example, predictions, options):
    sources = os.path.join(SAMPLES, "sources", name)
    os.makedirs(sources, exist_ok=True)
    np.save(os.path.join(sources, "coef.npy"), np.atleast_2d(coef))
    np.save(os.path.join(sources, "intercept.npy"), np.atleast_1d(intercept))
    example = os.path.join(sources, example_name)
    write_example(example)
    with open(os.path.join(sources, "expected-predictions.json"), "w") as f:
        json.dump({"predictions": np.asarray(predictions).tolist()}, f, indent=1)
        f.write("\n")
    bundle = os.path.join(SAMPLES, name)
    shutil.rmtree(bundle, ignore_errors=True)
    command = [mbundle, "package", kind, "--coef", os.path.join(sources, "coef.npy"),
               "--intercept", os.path.join(sources, "intercept.npy"), "--example", example, "-o", bundle] + options
    subprocess.run(command, check=True)
    print(f"wrote {os.path.relpath(bundle, ROOT)}")


def main():
    if len(sys.argv) != 2:
        sys.exit("usage: make-sample-models.py MBUNDLE")
    mbundle = os.path.abspath(sys.argv[1])

    # The classic six-point logistic example, scikit-learn defaults, fitted on an ndarray as the
    # textbook does: its example is a 2-D list, so the signature is a float64 tensor (-1, 1) and
    # {"inputs": [[-4], [1], ...]} is a valid request.
    X = np.array([[-2.0], [-1.0], [0.0], [1.0], [2.0], [1.0]])
    y = np.array([0, 0, 1, 1, 1, 0])
    model = LogisticRegression().fit(X, y)

    def six_point_example(path):
        with open(path, "w") as f:
            json.dump(X.tolist(), f)

    package(
        mbundle, "logistic-six-point", "logistic-regression", model.coef_, model.intercept_, "example.json",
        six_point_example, model.predict(X), ["--classes", "0,1"],
    )

    # Iris, multinomial, named double columns, predict_proba (max_iter raised so lbfgs converges).
    iris = load_iris(as_frame=True)
    data = iris.data.rename(columns=lambda c: c.replace(" (cm)", "").replace(" ", "_"))
    model = LogisticRegression(max_iter=1000).fit(data, iris.target)
    rows = data.iloc[[0, 1, 60, 75, 120, 140]]

    def iris_example(path):
        with open(path, "w") as f:
            json.dump({"columns": list(rows.columns), "data": rows.to_numpy().tolist()}, f)

    package(
        mbundle, "iris-multinomial", "logistic-regression", model.coef_, model.intercept_, "example.json",
        iris_example, model.predict_proba(rows), ["--classes", "0,1,2", "--predict-fn", "predict_proba"],
    )

    # Diabetes, linear regression on the ten standardized columns.
    diabetes = load_diabetes(as_frame=True)
    model = LinearRegression().fit(diabetes.data, diabetes.target)
    rows = diabetes.data.head(5)

    def diabetes_example(path):
        with open(path, "w") as f:
            json.dump({"dataframe_records": rows.to_dict(orient="records")}, f)

    package(
        mbundle, "diabetes-linear", "linear-regression", model.coef_, model.intercept_, "example.json",
        diabetes_example, model.predict(rows), [],
    )


if __name__ == "__main__":
    main()
