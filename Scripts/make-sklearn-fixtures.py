#!/usr/bin/env python3
# Rerun with:  /work/pyenv/bin/python Scripts/make-sklearn-fixtures.py
# (any Python with scikit-learn 1.9.1, skops 0.16.0 and numpy; run from the repository root)
#
# Writes Tests/Fixtures/sklearn/: small skops files the sklearn interop flavor must read or refuse,
# and golden.json with scikit-learn's own predictions for the readable ones. The real MLflow
# bundles live in Tests/Fixtures/mlflow (Scripts/make-mlflow-fixtures.py); these add the cases
# MLflow's fixtures lack. Each .skops file is dropped into a copy of an MLflow bundle by the tests.
import io
import json
import os
import zipfile

import numpy as np
import skops.io as sio
from sklearn.linear_model import LinearRegression, LogisticRegression, Ridge
from sklearn.tree import DecisionTreeClassifier

OUT = os.path.join("Tests", "Fixtures", "sklearn")
os.makedirs(OUT, exist_ok=True)
rng = np.random.default_rng(7)
golden = {}


def save(name, model):
    path = os.path.join(OUT, name + ".skops")
    sio.dump(model, path)
    return path


def record(name, model, X, functions):
    save(name, model)
    golden[name] = {
        "X": X.tolist(),
        "predictions": {f: getattr(model, f)(X).tolist() for f in functions},
    }


# Three features, like the logreg_binary_skops bundle, so the tests can reuse its MLmodel.
X = rng.normal(size=(40, 3))
X_test = np.array([[0.5, -1.25, 2.0], [-0.3, 0.7, 0.1], [1.5, 1.5, -2.5]])

# Ridge with two targets: coef_ [2, 3], intercept_ [2], predictions [rows, 2].
Y2 = np.stack([X @ [1.0, -2.0, 0.5] + 3.0, X @ [0.25, 0.0, -1.0] - 1.0], axis=1) + rng.normal(scale=0.1, size=(40, 2))
record("ridge_two_targets", Ridge(alpha=0.5).fit(X, Y2), X_test, ["predict"])

# LinearRegression without intercept: intercept_ is the scalar 0.0.
y = X @ [2.0, -1.0, 0.5] + rng.normal(scale=0.1, size=40)
record("linear_no_intercept", LinearRegression(fit_intercept=False).fit(X, y), X_test, ["predict"])

# Binary logistic regression with labels 3 and 7: predict answers labels, not indices.
yb = np.where(X[:, 0] + 0.5 * X[:, 1] > 0, 7, 3)
record(
    "logreg_labels_3_7",
    LogisticRegression().fit(X, yb),
    X_test,
    ["predict", "predict_proba", "decision_function"],
)

# Refused: a class outside the allowlist.
save("decision_tree", DecisionTreeClassifier(max_depth=2).fit(X, yb))

# Refused: an allowlisted class whose state holds a function (skops writes a FunctionNode for it).
hostile = LogisticRegression().fit(X, yb)
hostile.callback = os.system
save("logreg_function_attribute", hostile)

# Refused: the same zip compressed with deflate (skops and MLflow write stored members).
buffer = io.BytesIO()
with zipfile.ZipFile(os.path.join(OUT, "logreg_labels_3_7.skops")) as source, zipfile.ZipFile(
    buffer, "w", compression=zipfile.ZIP_DEFLATED
) as target:
    for info in source.infolist():
        target.writestr(info.filename, source.read(info.filename))
with open(os.path.join(OUT, "logreg_deflated.skops"), "wb") as handle:
    handle.write(buffer.getvalue())

with open(os.path.join(OUT, "golden.json"), "w") as handle:
    json.dump(golden, handle, indent=1, sort_keys=True)
    handle.write("\n")
