#!/usr/bin/env python3
"""Golden data for the native linear flavors (logistic_regression, linear_regression) and `mbundle predict`.

Rerun (from the repository root):
    .build/python-venv/bin/python Scripts/make-native-golden.py
(versions used: numpy 2.4.6, scikit-learn 1.9.1)

Writes Tests/Fixtures/native/cases.json: for each case the fitted coefficients, class labels, inputs and
scikit-learn's predict / predict_proba / decision_function outputs. Floats are written with float.hex() so
they round-trip exactly; tests compare within a tolerance (the Swift kernels need not be bit-identical).
"""
import json
import os

import numpy as np
import sklearn
from sklearn.linear_model import LinearRegression, LogisticRegression
from sklearn.linear_model._base import LinearClassifierMixin

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT = os.path.join(ROOT, "Tests", "Fixtures", "native", "cases.json")


def hexes(array):
    return [float(v).hex() for v in np.asarray(array, dtype=np.float64).ravel()]


def labels(values):
    return [v.item() if hasattr(v, "item") else v for v in values]


def logistic(name, model, X, strategy):
    X = np.asarray(X, dtype=np.float64)
    if strategy == "ovr":
        proba = LinearClassifierMixin._predict_proba_lr(model, X)
    else:
        proba = model.predict_proba(X)
    return {
        "name": name,
        "kind": "logistic_regression",
        "multi_class": strategy,
        "classes": labels(model.classes_),
        "coef_shape": list(model.coef_.shape),
        "coef": hexes(model.coef_),
        "intercept": hexes(model.intercept_),
        "X_shape": list(X.shape),
        "X": hexes(X),
        "predict": labels(model.predict(X)),
        "predict_proba": hexes(proba),
        "decision_function": hexes(model.decision_function(X)),
    }


def linear(name, model, X):
    X = np.asarray(X, dtype=np.float64)
    coef = np.atleast_2d(model.coef_)
    return {
        "name": name,
        "kind": "linear_regression",
        "coef_shape": list(coef.shape),
        "coef": hexes(coef),
        "intercept": hexes(np.atleast_1d(model.intercept_)),
        "X_shape": list(X.shape),
        "X": hexes(X),
        "predict_shape": list(np.asarray(model.predict(X)).shape),
        "predict": hexes(model.predict(X)),
    }


def main():
    rng = np.random.default_rng(20260516)
    cases = []

    # The six-point sample, LogisticRegression() defaults.
    X6 = np.array([[-2], [-1], [0], [1], [2], [1]], dtype=np.float64)
    y6 = np.array([0, 0, 1, 1, 1, 0])
    six = LogisticRegression().fit(X6, y6)
    cases.append(logistic("six_point", six, [[-4], [1], [0], [10], [-2], [1]], "binary"))

    # Three classes with string labels, softmax.
    Xm = rng.normal(size=(120, 4))
    ym = rng.integers(0, 3, size=120)
    Xm[ym == 1, 0] += 2.0
    Xm[ym == 2, 1] -= 2.0
    names = np.array(["setosa", "versicolor", "virginica"])
    multi = LogisticRegression().fit(Xm, names[ym])
    cases.append(logistic("multinomial_strings", multi, rng.normal(size=(9, 4)), "multinomial"))

    # One-vs-rest scoring of the same coefficients, integer labels 3, 5, 7.
    ovr = LogisticRegression().fit(Xm, np.array([3, 5, 7])[ym])
    cases.append(logistic("ovr_integers", ovr, rng.normal(size=(9, 4)), "ovr"))

    # Binary with string labels.
    yb = np.where(Xm[:, 0] + 0.3 * rng.normal(size=120) > 0.5, "yes", "no")
    binary = LogisticRegression().fit(Xm, yb)
    cases.append(logistic("binary_strings", binary, rng.normal(size=(7, 4)), "binary"))

    # Linear regression, one and two targets.
    Xr = rng.normal(size=(50, 3))
    y1 = Xr @ np.array([1.5, -2.0, 0.25]) + 3.0 + 0.1 * rng.normal(size=50)
    cases.append(linear("linear_single", LinearRegression().fit(Xr, y1), rng.normal(size=(6, 3))))
    y2 = np.stack([y1, Xr @ np.array([0.0, 1.0, -1.0]) - 1.0], axis=1)
    cases.append(linear("linear_two_targets", LinearRegression().fit(Xr, y2), rng.normal(size=(6, 3))))

    with open(OUT, "w") as f:
        json.dump({"numpy": np.__version__, "sklearn": sklearn.__version__, "cases": cases}, f, indent=1)
        f.write("\n")
    print("six_point predict:", cases[0]["predict"])


if __name__ == "__main__":
    main()
