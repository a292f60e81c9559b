#!/usr/bin/env python3
"""Weights and examples for the packaging tests (Tests/ModelFlavorsTests/Packaging*, Tests/MBundleEndToEndTests/Package*).

Rerun (from the repository root):
    .build/python-venv/bin/python Tests/Fixtures/packaging/make-packaging-fixtures.py
(or any Python with numpy 2.4.6 and scikit-learn 1.9.1, e.g. "$venv/bin/python" after `source Scripts/python-env.sh`)

six_coef.npy / six_intercept.npy: scikit-learn's LogisticRegression() fitted on the classic six points
(X = [-2,-1,0,1,2,1], y = [0,0,1,1,1,0]); six-point.json records them with float.hex() and scikit-learn's
predictions on X, so tests compare against scikit-learn, not against the code under test.
"""
import json
import os

import numpy as np
from sklearn.linear_model import LogisticRegression

HERE = os.path.dirname(os.path.abspath(__file__))


def save(name, array):
    np.save(os.path.join(HERE, name), array)


X = np.array([-2.0, -1.0, 0.0, 1.0, 2.0, 1.0]).reshape(-1, 1)
y = np.array([0, 0, 1, 1, 1, 0])
model = LogisticRegression().fit(X, y)
save("six_coef.npy", model.coef_)
save("six_intercept.npy", model.intercept_)
with open(os.path.join(HERE, "six-point.json"), "w") as f:
    json.dump({
        "coef": [float(v).hex() for v in model.coef_.ravel()],
        "intercept": [float(v).hex() for v in model.intercept_],
        "predict": model.predict(X).tolist(),
        "predict_proba": [[float(v).hex() for v in row] for row in model.predict_proba(X)],
    }, f, indent=1)
with open(os.path.join(HERE, "six-point.csv"), "w") as f:
    f.write("x\n" + "".join(f"{float(v)!r}\n" for v in X.ravel()))

rng = np.random.default_rng(7)
save("coef_3x4.npy", rng.normal(size=(3, 4)))
save("intercept_3.npy", rng.normal(size=3))
save("intercept_2.npy", rng.normal(size=2))
nan_coef = rng.normal(size=(3, 4))
nan_coef[1, 2] = np.nan
save("coef_nan.npy", nan_coef)
save("coef_1x4.npy", rng.normal(size=(1, 4)))
save("intercept_1.npy", rng.normal(size=1))
save("coef_1x10.npy", rng.normal(size=(1, 10)))
save("coef_int_classes.npy", np.array([[1, 2]], dtype=np.int8))
with open(os.path.join(HERE, "bad-example.json"), "w") as f:
    f.write('{"columns": ["a", "b"], "data": [[1.0, 2.0]')
with open(os.path.join(HERE, "mixed.csv"), "w") as f:
    f.write("count,ratio\n1,0.5\n2,\n3,1.5\n")
