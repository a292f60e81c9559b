#!/usr/bin/env python3
# Rerun with:  source Scripts/python-env.sh && "$venv/bin/python" Scripts/make-float32-overflow-golden.py
# (from the repository root, after the tree, sklearn-tree and sklearn-booster fixture scripts; mlflow 3.17.2,
# scikit-learn 1.9.1, xgboost 3.2.0, lightgbm 4.7.0 as pinned there)
#
# Writes Tests/Fixtures/trees/float32_overflow.json: for tree bundles of every library, whether MLflow's
# pyfunc predict refuses a feature value float32 cannot hold (scikit-learn's check_array with float32 and an
# XGBoost DMatrix do; XGBoost's in-place predict, LightGBM and HistGradientBoosting take it). Each entry is
# the request body mbundle is sent and MLflow's outcome for it.
import json
import os
import warnings

import numpy as np
import pandas as pd

warnings.filterwarnings("ignore")
import mlflow.pyfunc  # noqa: E402

BUNDLES = [
    "trees/mlflow_xgb_booster", "trees/mlflow_xgb_regressor", "trees/mlflow_xgb_classifier",
    "sklearn-trees/dt_regressor_skops", "sklearn-trees/rf_regressor_skops",
    "sklearn-trees/et_classifier_skops", "sklearn-trees/gb_regressor_skops",
    "sklearn-trees/hgb_binary_numeric_skops", "sklearn-boosters/xgb_regressor_skops",
    "sklearn-boosters/lgbm_regressor_skops",
]
# Beyond float32, far beyond it, the largest double that rounds to float32's largest value, and the
# smallest one that rounds to infinity (round half to even: float32's largest has an odd significand).
VALUES = [1e39, -1e300, 3.4028235677973362e38, 3.4028235677973366e38]

root = os.path.join("Tests", "Fixtures")
golden = {}
for bundle in BUNDLES:
    model = mlflow.pyfunc.load_model(os.path.join(root, bundle))
    schema = model.metadata.get_input_schema()
    for value in VALUES:
        if schema.is_tensor_spec():
            width = schema.inputs[0].shape[-1]
            row = [0.0] * width
            row[0] = value
            data, body = np.array([row]), {"inputs": [row]}
        else:
            names = schema.input_names()
            row = [0.0] * len(names)
            row[0] = value
            data, body = pd.DataFrame([row], columns=names), {"dataframe_split": {"columns": names, "data": [row]}}
        try:
            model.predict(data)
            outcome = "accepted"
        except Exception:  # noqa: BLE001 -- the library's own refusal, whatever its type
            outcome = "refused"
        golden[f"{bundle} {value!r}"] = {"bundle": bundle, "body": json.dumps(body), "mlflow": outcome}

with open(os.path.join(root, "trees", "float32_overflow.json"), "w") as handle:
    json.dump(golden, handle, indent=1, sort_keys=True)
    handle.write("\n")
