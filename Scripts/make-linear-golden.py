#!/usr/bin/env python3
"""Golden data for the weights readers/writers and the linear-model kernels.

Rerun (from the repository root), with a Python that has numpy, scikit-learn, scipy and safetensors:
    make python-env && .build/python-venv/bin/pip install safetensors==0.8.0 \
        && .build/python-venv/bin/python Scripts/make-linear-golden.py
(versions used: numpy 2.4.6, scikit-learn 1.9.1, safetensors 0.8.0)

Writes Tests/Fixtures/linear/*.json (scikit-learn outputs) and Tests/Fixtures/weights/* (files written by
numpy and the safetensors package, plus JSON with their expected contents). Floats are stored with
float.hex() so that they round-trip exactly.
"""
import io
import json
import os

import numpy as np
import safetensors
import sklearn
from safetensors.numpy import load as st_load, save as st_save
from sklearn.linear_model import LinearRegression, LogisticRegression
from sklearn.linear_model._base import LinearClassifierMixin

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
LINEAR = os.path.join(ROOT, "Tests", "Fixtures", "linear")
WEIGHTS = os.path.join(ROOT, "Tests", "Fixtures", "weights")
os.makedirs(LINEAR, exist_ok=True)
os.makedirs(WEIGHTS, exist_ok=True)


def hexes(array):
    return [float(v).hex() for v in np.asarray(array, dtype=np.float64).ravel()]


def classifier(coef, intercept, n_classes):
    model = LogisticRegression()
    model.coef_ = np.asarray(coef, dtype=np.float64)
    model.intercept_ = np.asarray(intercept, dtype=np.float64)
    model.classes_ = np.arange(n_classes)
    return model


def logistic_case(name, strategy, coef, intercept, X):
    coef = np.asarray(coef, dtype=np.float64)
    k = coef.shape[0]
    n_classes = 2 if k == 1 else k
    model = classifier(coef, intercept, n_classes)
    X = np.asarray(X, dtype=np.float64)
    if strategy == "ovr":
        proba = LinearClassifierMixin._predict_proba_lr(model, X)
    else:
        proba = model.predict_proba(X)
    case = {
        "name": name,
        "strategy": strategy,
        "n_features": int(coef.shape[1]),
        "n_outputs": int(k),
        "coef": hexes(coef),
        "intercept": hexes(intercept),
        "X": hexes(X),
        "decision_function": hexes(model.decision_function(X)),
        "predict_proba": hexes(proba),
        "predict": [int(v) for v in model.predict(X)],
    }
    return case


def main():
    rng = np.random.default_rng(20260515)
    cases = []

    # Fitted models on real data, so coefficients are those scikit-learn produces.
    Xb = rng.normal(size=(60, 5))
    yb = (Xb @ np.array([1.0, -2.0, 0.5, 0.0, 3.0]) + rng.normal(size=60) > 0).astype(int)
    fitted = LogisticRegression().fit(Xb, yb)
    cases.append(logistic_case("binary_fitted", "binary", fitted.coef_, fitted.intercept_, rng.normal(size=(17, 5))))

    Xm = rng.normal(size=(90, 11))
    ym = rng.integers(0, 3, size=90)
    Xm[ym == 1] += 1.5
    fitted = LogisticRegression().fit(Xm, ym)
    cases.append(
        logistic_case("multinomial_fitted", "multinomial", fitted.coef_, fitted.intercept_, rng.normal(size=(19, 11)))
    )
    cases.append(logistic_case("ovr_fitted", "ovr", fitted.coef_, fitted.intercept_, rng.normal(size=(19, 11))))

    # Many classes and features: exercises the 4-class register blocks, remainders and the SIMD tail.
    coef = rng.normal(size=(7, 37))
    cases.append(logistic_case("multinomial_7x37", "multinomial", coef, rng.normal(size=7), rng.normal(size=(23, 37))))
    cases.append(logistic_case("ovr_7x37", "ovr", coef, rng.normal(size=7), rng.normal(size=(23, 37))))

    # Extreme logits: +-750 overflow exp; ties between classes; exact zero score for binary.
    cases.append(
        logistic_case(
            "binary_extreme",
            "binary",
            [[1.0, 0.0]],
            [0.0],
            [[750.0, 1.0], [-750.0, 1.0], [0.0, 5.0], [36.0, 0.0], [-36.0, 0.0], [709.0, 0.0], [-709.0, 0.0],
             [-720.0, 0.0], [1e-300, 0.0], [-40.0, 0.0]],
        )
    )
    cases.append(
        logistic_case(
            "multinomial_extreme",
            "multinomial",
            [[1.0, 0.0], [-1.0, 0.0], [0.0, 1.0]],
            [0.0, 0.0, 0.0],
            [[750.0, 0.0], [-750.0, 0.0], [0.0, 0.0], [1.0, 1.0], [700.0, -700.0], [-745.0, 0.0], [0.0, 800.0],
             [1e-10, 1e-10]],
        )
    )
    cases.append(
        logistic_case(
            "ovr_extreme",
            "ovr",
            [[1.0, 0.0], [-1.0, 0.0], [0.0, 1.0]],
            [0.0, 0.0, 0.0],
            [[750.0, 0.0], [-750.0, -750.0], [0.0, 0.0], [1.0, 1.0], [700.0, -800.0], [-745.0, -745.0], [0.0, 800.0]],
        )
    )
    # Identical rows of coef: every score ties; argmax must pick the first.
    cases.append(
        logistic_case("multinomial_ties", "multinomial", [[1.0, 2.0]] * 4, [0.5] * 4, [[1.0, -1.0], [3.0, 4.0]])
    )
    with open(os.path.join(LINEAR, "logistic.json"), "w") as f:
        json.dump(cases, f, indent=0)

    regressions = []
    Xr = rng.normal(size=(40, 6))
    for targets in (1, 3):
        if targets == 1:
            y = Xr @ rng.normal(size=6) + 0.3
        else:
            y = Xr @ rng.normal(size=(6, 3)) + rng.normal(size=3)
        model = LinearRegression().fit(Xr, y)
        X = rng.normal(size=(21, 6)) * 10
        coef = np.atleast_2d(model.coef_)
        regressions.append({
            "name": f"linear_{targets}_targets",
            "n_features": 6,
            "n_outputs": targets,
            "coef": hexes(coef),
            "intercept": hexes(np.atleast_1d(model.intercept_)),
            "X": hexes(X),
            "predict": hexes(model.predict(X)),
        })
    with open(os.path.join(LINEAR, "regression.json"), "w") as f:
        json.dump(regressions, f, indent=0)

    # --- safetensors written by the reference package ---
    expected = {}
    coef = rng.normal(size=(3, 4))
    intercept = rng.normal(size=3)
    files = {
        "logistic_f64.safetensors": ({"coef": coef, "intercept": intercept}, None),
        "logistic_f32.safetensors": (
            {"coef": coef.astype(np.float32), "intercept": intercept.astype(np.float32)}, {"format": "pt"}),
        "mixed.safetensors": ({
            "a_f16": np.array([1.5, -2.0, 65504.0], dtype=np.float16),
            "b_i64": np.array([[1, -2], [3, 2**40]], dtype=np.int64),
            "c_i32": np.array([7], dtype=np.int32),
            "d_u8": np.array([0, 255], dtype=np.uint8),
            "e_bool": np.array([True, False, True]),
            "f_empty": np.zeros((0, 3), dtype=np.float64),
            "g_scalar": np.array(2.5, dtype=np.float64),
        }, None),
    }
    for file_name, (tensors, metadata) in files.items():
        data = st_save(tensors, metadata=metadata)
        with open(os.path.join(WEIGHTS, file_name), "wb") as f:
            f.write(data)
        loaded = st_load(data)
        expected[file_name] = {
            "metadata": metadata or {},
            "tensors": {
                name: {"dtype": str(value.dtype), "shape": list(value.shape), "values": hexes(value)}
                for name, value in loaded.items()
            },
        }
    with open(os.path.join(WEIGHTS, "safetensors-expected.json"), "w") as f:
        json.dump(expected, f, indent=1, sort_keys=True)

    # --- npy written by numpy ---
    arrays = {
        "f8_2d.npy": (np.arange(6, dtype=np.float64).reshape(2, 3) / 7, None),
        "f4_1d.npy": (np.array([1.25, -3.5, 1e-3], dtype=np.float32), None),
        "i8_1d.npy": (np.array([-5, 2**53], dtype=np.int64), None),
        "i4_2d.npy": (np.array([[1, 2, 3], [4, 5, -6]], dtype=np.int32), None),
        "b1_1d.npy": (np.array([True, False]), None),
        "scalar.npy": (np.array(3.0), None),
        "f8_bigendian.npy": (np.arange(6, dtype=">f8").reshape(3, 2) - 2.5, None),
        "f8_fortran.npy": (np.asfortranarray(np.arange(24, dtype=np.float64).reshape(2, 3, 4)), None),
        "f8_v2.npy": (np.array([[0.5, 1.5]]), (2, 0)),
        "f8_v3.npy": (np.array([[0.5], [1.5]]), (3, 0)),
    }
    npy_expected = {}
    for file_name, (array, version) in arrays.items():
        buffer = io.BytesIO()
        np.lib.format.write_array(buffer, array, version=version)
        with open(os.path.join(WEIGHTS, file_name), "wb") as f:
            f.write(buffer.getvalue())
        npy_expected[file_name] = {
            "dtype": array.dtype.newbyteorder("<").name if array.dtype.kind != "b" else "bool",
            "shape": list(array.shape),
            "values": hexes(np.ascontiguousarray(array)),
        }
    with open(os.path.join(WEIGHTS, "npy-expected.json"), "w") as f:
        json.dump(npy_expected, f, indent=1, sort_keys=True)

    print("numpy", np.__version__, "scikit-learn", sklearn.__version__, "safetensors", safetensors.__version__)


if __name__ == "__main__":
    main()
