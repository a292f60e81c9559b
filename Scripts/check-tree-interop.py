#!/usr/bin/env python3
"""`make interop`, tree ensembles: XGBoost and LightGBM bundles written by mlflow.xgboost / mlflow.lightgbm, and
their scikit-learn API models (bare, after a scaler, after a ColumnTransformer) written by mlflow.sklearn,
predicted by `mbundle predict` and by MLflow's scoring path (scoring_server.invocations) on the same JSON and
CSV bytes, inputs with NaN (null / empty cells); then `mbundle convert` of each, loaded by
mlflow.pyfunc.load_model. Reports the largest difference per family; any label difference, or a score
difference beyond 1 ulp of the library's output type, fails.

Usage: check-tree-interop.py MBUNDLE_BINARY
"""
import io
import json
import os
import subprocess
import sys
import tempfile
import warnings

import numpy as np
import pandas as pd

warnings.filterwarnings("ignore")
import lightgbm as lgb  # noqa: E402
import mlflow.lightgbm  # noqa: E402
import mlflow.pyfunc  # noqa: E402
import mlflow.sklearn  # noqa: E402
import mlflow.xgboost  # noqa: E402
import skops.io as sio  # noqa: E402
import xgboost as xgb  # noqa: E402
from mlflow.models import infer_signature  # noqa: E402
from mlflow.pyfunc import scoring_server  # noqa: E402
from mlflow.pyfunc.utils.environment import _simulate_serving_environment  # noqa: E402
from sklearn.compose import ColumnTransformer  # noqa: E402
from sklearn.pipeline import Pipeline  # noqa: E402
from sklearn.preprocessing import StandardScaler  # noqa: E402

rng = np.random.default_rng(5)
COLUMNS = [f"f{i}" for i in range(5)]


def data(rows):
    x = rng.normal(size=(rows, len(COLUMNS)))
    x[:, 2] = rng.integers(0, 6, size=rows)
    x[rng.random(size=x.shape) < 0.1] = np.nan
    y = np.nan_to_num(x[:, 0]) + 0.7 * np.nan_to_num(x[:, 1]) + 0.3 * (np.nan_to_num(x[:, 2]) == 3)
    return pd.DataFrame(x, columns=COLUMNS), y


def cases(work):
    frame, y = data(400)
    binary = (y > 0).astype(int)
    multi = np.digitize(y, [-0.5, 0.5])
    out = []

    def add(family, name, save, model):
        path = os.path.join(work, name)
        save(model, path, signature=infer_signature(frame, None))
        out.append((family, name, path))

    xgb_params = {"n_estimators": 20, "max_depth": 4, "random_state": 0}
    add("xgboost", "xgb_classifier_multi_ubj", mlflow.xgboost.save_model, xgb.XGBClassifier(**xgb_params).fit(frame, multi))
    add("xgboost", "xgb_classifier_binary_json",
        lambda m, p, **k: mlflow.xgboost.save_model(m, p, model_format="json", **k),
        xgb.XGBClassifier(**xgb_params).fit(frame, binary))
    add("xgboost", "xgb_regressor_ubj", mlflow.xgboost.save_model, xgb.XGBRegressor(**xgb_params).fit(frame, y))
    booster = xgb.train({"objective": "count:poisson", "max_depth": 4}, xgb.DMatrix(frame, label=np.exp(y / 3)), 20)
    add("xgboost", "xgb_booster_poisson", mlflow.xgboost.save_model, booster)
    cat = frame.copy()
    cat["f2"] = cat["f2"].astype("category")
    booster = xgb.train({"objective": "binary:logistic", "max_depth": 4, "max_cat_to_onehot": 1},
                        xgb.DMatrix(frame, label=binary, feature_types=["q", "q", "c", "q", "q"], enable_categorical=True), 20)
    add("xgboost", "xgb_booster_categorical", mlflow.xgboost.save_model, booster)
    # Objectives and boosters beyond the defaults: DART through a Booster (DMatrix sums) and through the
    # XGBRegressor MLflow loads (inplace_predict's sums), binary:hinge, Cox survival, a ranker, two quantiles.
    dart = {"booster": "dart", "rate_drop": 0.3, "skip_drop": 0.0, "max_depth": 4}
    add("xgboost", "xgb_booster_dart", mlflow.xgboost.save_model,
        xgb.train({**dart, "objective": "reg:squarederror"}, xgb.DMatrix(frame, label=y), 20))
    add("xgboost", "xgb_regressor_dart", mlflow.xgboost.save_model,
        xgb.XGBRegressor(n_estimators=20, random_state=0, **dart).fit(frame, y))
    add("xgboost", "xgb_booster_hinge", mlflow.xgboost.save_model,
        xgb.train({"objective": "binary:hinge", "max_depth": 4}, xgb.DMatrix(frame, label=binary), 20))
    add("xgboost", "xgb_booster_cox", mlflow.xgboost.save_model,
        xgb.train({"objective": "survival:cox", "max_depth": 4}, xgb.DMatrix(frame, label=np.exp(y / 3)), 20))
    add("xgboost", "xgb_ranker", mlflow.xgboost.save_model,
        xgb.XGBRanker(**xgb_params).fit(frame, multi, qid=np.repeat(np.arange(20), 20)))
    add("xgboost", "xgb_regressor_quantiles", mlflow.xgboost.save_model,
        xgb.XGBRegressor(**xgb_params, objective="reg:quantileerror", quantile_alpha=[0.1, 0.9]).fit(frame, y))
    lgb_params = {"num_leaves": 15, "learning_rate": 0.2, "verbose": -1, "min_data_in_leaf": 5}
    for name, params, label, group in (
        ("lgb_lambdarank", {"objective": "lambdarank"}, multi, [20] * 20),
        ("lgb_regression_sqrt", {"objective": "regression", "reg_sqrt": True}, y, None),
        ("lgb_cross_entropy_lambda", {"objective": "cross_entropy_lambda"}, 1 / (1 + np.exp(-y)), None),
    ):
        model = lgb.train({**lgb_params, **params}, lgb.Dataset(frame.to_numpy(), label=label, group=group), 15)
        add("lightgbm", name, mlflow.lightgbm.save_model, model)
    for name, params, label in (
        ("lgb_binary", {"objective": "binary"}, binary),
        ("lgb_multiclass", {"objective": "multiclass", "num_class": 3}, multi),
        ("lgb_regression_categorical", {"objective": "regression", "min_data_per_group": 5, "cat_smooth": 1}, y),
        ("lgb_rf", {"objective": "regression", "boosting": "rf", "bagging_fraction": 0.7, "bagging_freq": 1}, y),
        ("lgb_tweedie_zero_missing", {"objective": "tweedie", "zero_as_missing": True}, np.exp(y / 3)),
    ):
        categorical = [2] if "categorical" in name else "auto"
        model = lgb.train({**lgb_params, **params}, lgb.Dataset(frame.to_numpy(), label=label, categorical_feature=categorical), 15)
        add("lightgbm", name, mlflow.lightgbm.save_model, model)

    # XGBoost's and LightGBM's scikit-learn API models saved by mlflow.sklearn (the booster's bytes inside the
    # skops or pickle file), bare, after a StandardScaler and after a ColumnTransformer.
    def sklearn_save(fmt):
        def save(model, path, **kwargs):
            extra = {"skops_trusted_types": sio.get_untrusted_types(data=sio.dumps(model))} if fmt == "skops" else {}
            mlflow.sklearn.save_model(model, path, serialization_format=fmt, **kwargs, **extra)
        return save

    def columns():
        return ColumnTransformer([("scaled", StandardScaler(), ["f0", "f1"])], remainder="passthrough")

    sk_lgb = {"n_estimators": 15, "num_leaves": 15, "learning_rate": 0.2, "verbose": -1, "min_child_samples": 5}
    for family, name, fmt, model, label in (
        ("sklearn-xgboost", "skl_xgb_classifier_binary_skops", "skops", xgb.XGBClassifier(**xgb_params), binary),
        ("sklearn-xgboost", "skl_xgb_classifier_multi_pickle", "pickle", xgb.XGBClassifier(**xgb_params), multi),
        ("sklearn-xgboost", "skl_scaled_xgb_regressor_cloudpickle", "cloudpickle",
         Pipeline([("scale", StandardScaler()), ("model", xgb.XGBRegressor(**xgb_params))]), y),
        ("sklearn-xgboost", "skl_columns_xgb_classifier_skops", "skops",
         Pipeline([("columns", columns()), ("model", xgb.XGBClassifier(**xgb_params))]), multi),
        ("sklearn-lightgbm", "skl_lgbm_classifier_binary_pickle", "pickle", lgb.LGBMClassifier(**sk_lgb), binary),
        ("sklearn-lightgbm", "skl_lgbm_classifier_multi_skops", "skops", lgb.LGBMClassifier(**sk_lgb), multi),
        ("sklearn-lightgbm", "skl_scaled_lgbm_regressor_skops", "skops",
         Pipeline([("scale", StandardScaler()), ("model", lgb.LGBMRegressor(**sk_lgb))]), y),
        ("sklearn-lightgbm", "skl_columns_lgbm_regressor_pickle", "pickle",
         Pipeline([("columns", columns()), ("model", lgb.LGBMRegressor(**sk_lgb))]), y),
        ("sklearn-xgboost", "skl_xgb_rf_classifier_skops", "skops",
         xgb.XGBRFClassifier(n_estimators=10, max_depth=4, random_state=0), multi),
        ("sklearn-xgboost", "skl_xgb_dart_regressor_pickle", "pickle", xgb.XGBRegressor(n_estimators=20, **dart), y),
        ("sklearn-xgboost", "skl_xgb_missing_zero_skops", "skops", xgb.XGBClassifier(**xgb_params, missing=0.0), multi),
    ):
        add(family, name, sklearn_save(fmt), model.fit(frame, label))
    ranker = lgb.LGBMRanker(**sk_lgb).fit(frame, multi, group=[20] * 20)
    add("lightgbm", "lgb_ranker_skops",
        lambda m, p, **k: mlflow.lightgbm.save_model(
            m, p, skops_trusted_types=sio.get_untrusted_types(data=sio.dumps(m)), **k), ranker)
    return out


def inputs(work):
    frame, _ = data(300)
    frame.iloc[0, :] = np.nan
    frame.iloc[1, 2] = 9.0  # an unseen category
    frame.iloc[2, 2] = -1.0
    records = [[None if np.isnan(v) else float(v) for v in row] for row in frame.to_numpy()]
    body = json.dumps({"dataframe_split": {"columns": COLUMNS, "data": records}})
    csv = frame.to_csv(index=False, na_rep="")
    paths = {}
    for kind, text in (("json", body), ("csv", csv)):
        paths[kind] = (os.path.join(work, f"input.{kind}"), text)
        with open(paths[kind][0], "w") as f:
            f.write(text)
    return paths


def mbundle_predict(mbundle, bundle, path):
    run = subprocess.run([mbundle, "predict", "-m", bundle, "-i", path], capture_output=True, text=True, timeout=120)
    if run.returncode != 0:
        raise RuntimeError(run.stderr.strip().splitlines()[0] if run.stderr.strip() else f"exit {run.returncode}")
    return json.loads(run.stdout)["predictions"]


def mlflow_predict(model, text, kind):
    with _simulate_serving_environment():
        mime = "text/csv" if kind == "csv" else "application/json"
        response = scoring_server.invocations(text, mime, model, model.metadata.get_input_schema())
        if response.status != 200:
            raise RuntimeError(f"status {response.status}: {response.response[:200]}")
        return json.loads(response.response)["predictions"]


def ulps(ours, theirs):
    a = np.asarray(ours, dtype=np.float64).ravel()
    b = np.asarray(theirs, dtype=np.float64).ravel()
    if a.shape != b.shape:
        return float("inf")
    # The library's own output type decides the ulp: float32 for XGBoost, float64 for LightGBM.
    if np.array_equal(a, b):
        return 0.0
    f32 = np.all(b == b.astype(np.float32).astype(np.float64))
    spacing = np.spacing(np.abs(b).astype(np.float32)).astype(np.float64) if f32 else np.spacing(np.abs(b))
    return float(np.max(np.abs(a - b) / spacing))


def main():
    mbundle = os.path.abspath(sys.argv[1])
    failures = 0
    largest = {}
    with tempfile.TemporaryDirectory() as work:
        paths = inputs(work)
        for family, name, bundle in cases(work):
            model = mlflow.pyfunc.load_model(bundle)
            converted = os.path.join(work, name + "_native")
            run = subprocess.run([mbundle, "convert", "-m", bundle, "-o", converted], capture_output=True, text=True)
            native = mlflow.pyfunc.load_model(converted) if run.returncode == 0 else None
            for kind, (path, text) in paths.items():
                try:
                    theirs = mlflow_predict(model, text, kind)
                    ours = mbundle_predict(mbundle, bundle, path)
                    ours_native = mbundle_predict(mbundle, converted, path)
                    pyfunc_native = mlflow_predict(native, text, kind) if native else None
                except Exception as error:  # noqa: BLE001
                    print(f"FAIL {name} {kind}: {error}")
                    failures += 1
                    continue
                diffs = [ulps(ours, theirs), ulps(ours_native, theirs)]
                if pyfunc_native is not None:
                    diffs.append(ulps(pyfunc_native, theirs))
                else:
                    print(f"FAIL {name}: convert failed: {run.stderr.strip()[:200]}")
                    failures += 1
                # mbundle itself must be exact; the numpy loader may differ by 1 ulp (numpy's exp vs C's).
                worst = max(diffs)
                largest[family] = max(largest.get(family, 0.0), worst)
                if diffs[0] > 0 or diffs[1] > 0 or worst > 1:
                    print(f"FAIL {name} {kind}: differences in ulps (mbundle, converted, pyfunc of converted) {diffs}")
                    failures += 1
                else:
                    print(f"ok   {name} {kind}: ulps {diffs}")
    for family, worst in sorted(largest.items()):
        print(f"largest difference, {family}: {worst:g} ulp")
    print(f"tree interop: {failures} failures")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
