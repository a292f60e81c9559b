#!/usr/bin/env python3
# Rerun with:  source Scripts/python-env.sh && "$venv/bin/python" Scripts/make-sklearn-booster-fixtures.py
# (from the repository root; xgboost 3.2.0, lightgbm 4.7.0, scikit-learn 1.9.1, skops 0.16.0, mlflow 3.17.2
# as pinned there)
#
# Writes Tests/Fixtures/sklearn-boosters/: XGBoost's and LightGBM's scikit-learn API models (XGBClassifier,
# XGBRegressor, LGBMClassifier, LGBMRegressor), bare, after a StandardScaler and after a ColumnTransformer,
# saved by the real mlflow.sklearn.save_model as skops, pickle and (one of each library) cloudpickle
# (<name>_<format>/), and expected.json with the libraries' own predict and predict_proba on rows that
# include NaN. Models are tiny (a few trees) so the files stay small and seed the fuzzers.
import copy
import copyreg
import json
import os
import pickle
import shutil
import sys
import warnings
import zipfile

import lightgbm as lgb
import numpy as np
import skops.io as sio
import xgboost as xgb
from sklearn.compose import ColumnTransformer
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import MinMaxScaler, StandardScaler

warnings.filterwarnings("ignore")
import mlflow.sklearn  # noqa: E402
from mlflow.models import infer_signature  # noqa: E402

OUT = os.path.join("Tests", "Fixtures", "sklearn-boosters")
FORMATS = ["skops", "pickle", "cloudpickle"]
rng = np.random.default_rng(21)

n = 120
X = rng.normal(size=(n, 4)).round(3)
X[rng.random(size=X.shape) < 0.08] = np.nan
clean = np.nan_to_num(X)
y_reg = clean[:, 0] * 2 - clean[:, 1] + 0.5 * clean[:, 3] + rng.normal(scale=0.1, size=n)
y_bin = (clean[:, 0] + 0.5 * clean[:, 1] > 0).astype(int)
y_multi = np.digitize(clean[:, 0] - clean[:, 2], [-0.5, 0.5])
labels_str = np.array(["cat", "dog", "emu"])

xgb_params = {"n_estimators": 4, "max_depth": 3, "learning_rate": 0.5, "random_state": 0}
lgb_params = {"n_estimators": 4, "num_leaves": 7, "learning_rate": 0.5, "min_child_samples": 5, "verbose": -1,
              "random_state": 0}


def front():
    """A ColumnTransformer that scales two columns and passes the others through."""
    return ColumnTransformer([("scaled", StandardScaler(), [0, 1]), ("minmax", MinMaxScaler(), [2])],
                             remainder="passthrough")


models = {
    "xgb_binary": (xgb.XGBClassifier(**xgb_params), y_bin),
    "xgb_multiclass": (xgb.XGBClassifier(**xgb_params), y_multi),
    "xgb_regressor": (xgb.XGBRegressor(**xgb_params), y_reg),
    "lgbm_binary": (lgb.LGBMClassifier(**lgb_params), y_bin),
    "lgbm_multiclass": (lgb.LGBMClassifier(**lgb_params), labels_str[y_multi]),
    "lgbm_regressor": (lgb.LGBMRegressor(**lgb_params), y_reg),
    "scaled_xgb_binary": (Pipeline([("scale", StandardScaler()), ("model", xgb.XGBClassifier(**xgb_params))]), y_bin),
    "scaled_lgbm_regressor": (
        Pipeline([("scale", StandardScaler()), ("model", lgb.LGBMRegressor(**lgb_params))]), y_reg),
    "columns_xgb_regressor": (Pipeline([("columns", front()), ("model", xgb.XGBRegressor(**xgb_params))]), y_reg),
    "columns_lgbm_multiclass": (
        Pipeline([("columns", front()), ("model", lgb.LGBMClassifier(**lgb_params))]), labels_str[y_multi]),
    # Bool labels: its _class_map has numpy.bool_ keys.
    "lgbm_bool_labels": (lgb.LGBMClassifier(**lgb_params), y_bin.astype(bool)),
}

specials = np.array([
    [np.nan, 0.0, 0.0, 1.0],
    [0.0, np.nan, np.nan, 2.0],
    [np.nan, np.nan, np.nan, np.nan],
    [1.0, -1.0, 0.5, -1.0],
    [3.0, 3.0, -3.0, 3.0],
    [-3.0, -3.0, 3.0, 0.0],
    [0.0, 0.0, 0.0, 0.0],
])
rows = np.concatenate([X[:40], specials])

# Early stopping on a validation set whose labels are noise, so the best round comes early: the wrappers'
# predict stops there (xgboost's best_iteration, LightGBM's best_iteration_), not at the last tree.
noise = np.random.default_rng(5)
eval_sets = {
    "xgb_early_stopped": [(X, noise.integers(0, 3, size=n))],
    "lgbm_early_stopped": [(X, noise.normal(size=n))],
}
models["xgb_early_stopped"] = (xgb.XGBClassifier(n_estimators=12, max_depth=3, learning_rate=0.5,
                                                 early_stopping_rounds=2, random_state=0), y_multi)
models["lgbm_early_stopped"] = (lgb.LGBMRegressor(**{**lgb_params, "n_estimators": 12}), y_reg)
fit_options = {
    "xgb_early_stopped": {"eval_set": eval_sets["xgb_early_stopped"], "verbose": False},
    "lgbm_early_stopped": {"eval_set": eval_sets["lgbm_early_stopped"],
                           "callbacks": [lgb.early_stopping(2, verbose=False)]},
}

# Random forests, rankers (query groups of 20 rows), quantile regression (two quantile_alpha: [n, 2] outputs),
# DART and binary:hinge through the same wrappers.
models["xgb_rf_classifier"] = (xgb.XGBRFClassifier(n_estimators=4, max_depth=3, random_state=0), y_multi)
models["xgb_rf_regressor"] = (xgb.XGBRFRegressor(n_estimators=4, max_depth=3, random_state=0), y_reg)
models["xgb_ranker"] = (xgb.XGBRanker(**xgb_params), y_multi)
models["lgbm_ranker"] = (lgb.LGBMRanker(**lgb_params), y_multi)
models["xgb_quantiles"] = (xgb.XGBRegressor(**xgb_params, objective="reg:quantileerror", quantile_alpha=[0.2, 0.8]),
                           y_reg)
models["xgb_dart"] = (xgb.XGBRegressor(**{**xgb_params, "n_estimators": 8}, booster="dart", rate_drop=0.4,
                                       skip_drop=0.0), y_reg)
# Three classes: inplace_predict removes each output group's own base score from a DART tree's output.
models["xgb_dart_classifier"] = (xgb.XGBClassifier(**{**xgb_params, "n_estimators": 8}, booster="dart", rate_drop=0.4,
                                                   skip_drop=0.0), y_multi)
models["xgb_hinge"] = (xgb.XGBClassifier(**xgb_params, objective="binary:hinge"), y_bin)
# multi:softmax: predict is the booster's class (the first largest margin), predict_proba scipy's softmax.
models["xgb_softmax"] = (xgb.XGBClassifier(**xgb_params, objective="multi:softmax"), y_multi)
# A `missing` other than NaN: inplace_predict routes values equal to it as missing (0.0 and -999.0, the
# sentinel written where X has NaN; the rows carry both, and NaN).
models["xgb_missing_zero"] = (xgb.XGBClassifier(**xgb_params, missing=0.0), y_bin)
models["xgb_missing_sentinel"] = (xgb.XGBRegressor(**xgb_params, missing=-999.0), y_reg)
fit_data = {"xgb_missing_sentinel": np.where(np.isnan(X), -999.0, X)}
fit_options["xgb_ranker"] = {"qid": np.repeat(np.arange(n // 20), 20)}
fit_options["lgbm_ranker"] = {"group": [20] * (n // 20)}

if os.path.isdir(OUT):
    shutil.rmtree(OUT)
os.makedirs(OUT)
expected = {}
for name, (model, y) in models.items():
    model.fit(fit_data.get(name, X), y, **fit_options.get(name, {}))
    if name == "xgb_early_stopped":
        assert model.best_iteration + 1 < 12, model.best_iteration
    if name == "lgbm_early_stopped":
        assert 0 < model.best_iteration_ < 12, model.best_iteration_
    model_rows = rows
    if name.startswith("xgb_missing"):
        model_rows = np.concatenate([rows, np.where(np.isnan(rows), -999.0, rows)[:20]])
    record = {"X": [[None if np.isnan(v) else float(v) for v in row] for row in model_rows]}
    outputs = {"predict": model.predict(model_rows)}
    if hasattr(model, "predict_proba"):
        outputs["predict_proba"] = model.predict_proba(model_rows)
    for function, values in outputs.items():
        values = np.asarray(values)
        if values.dtype.kind in "fc":
            # Bit patterns of the float64 widening, so the tests compare exactly.
            record[function] = {"shape": list(values.shape), "dtype": str(values.dtype),
                                "bits": [int(v) for v in values.astype(np.float64).view(np.uint64).ravel()]}
        else:
            record[function] = {"shape": list(values.shape), "labels": values.ravel().tolist()}
    expected[name] = record
    signature = infer_signature(X, model.predict(X[:5]))
    # cloudpickle writes protocol 5 (bytearray as BYTEARRAY8), pickle protocol 4 (bytearray by REDUCE):
    # one bundle of each library shows both.
    formats = FORMATS if name in ("xgb_binary", "lgbm_binary") else FORMATS[:2]
    for fmt in formats:
        path = os.path.join(OUT, f"{name}_{fmt}")
        # MLflow asks the caller to list the types skops cannot vouch for (the Boosters...); it records
        # them as skops_trusted_types, which ModelBundle shows but never trusts.
        extra = {"skops_trusted_types": sio.get_untrusted_types(data=sio.dumps(model))} if fmt == "skops" else {}
        mlflow.sklearn.save_model(model, path, serialization_format=fmt, signature=signature, **extra)

# Hostile files: real models with one thing broken, each refused by a typed error (SklearnBoosterHostileTests).
HOSTILE = os.path.join(OUT, "hostile")
os.makedirs(HOSTILE)


class BoosterSwap(pickle.Pickler):
    """Pickles a Booster with a replaced __getstate__ dict (protocol 4, as mlflow.sklearn's pickle)."""

    def __init__(self, handle, change):
        super().__init__(handle, protocol=4)
        self.change = change

    def reducer_override(self, obj):
        if isinstance(obj, (xgb.Booster, lgb.Booster)):
            return copyreg.__newobj__, (type(obj),), self.change(obj.__getstate__())
        return NotImplemented


def dump(name, model, change=lambda state: state):
    with open(os.path.join(HOSTILE, name), "wb") as handle:
        BoosterSwap(handle, change).dump(model)


small_xgb = xgb.XGBClassifier(**xgb_params).fit(X, y_bin)
small_lgb = lgb.LGBMClassifier(**lgb_params).fit(X, labels_str[y_multi])
dump("xgb_truncated_booster.pkl", small_xgb,
     lambda state: {**state, "handle": bytearray(state["handle"][: len(state["handle"]) // 2])})
dump("lgbm_truncated_text.pkl", small_lgb, lambda state: {**state, "_handle": state["_handle"][:400]})
dump("lgbm_booster_not_text.pkl", small_lgb, lambda state: {**state, "_handle": 7})
wrong = copy.deepcopy(small_xgb)
wrong.n_classes_ = 5
dump("xgb_wrong_class_count.pkl", wrong)
wrong = copy.deepcopy(small_lgb)
wrong._classes = np.array(["a", "b", "c", "d"])
wrong._n_classes = 4
dump("lgbm_wrong_class_count.pkl", wrong)
swapped = copy.deepcopy(small_xgb)
swapped._Booster = small_lgb.booster_
dump("xgb_booster_swapped.pkl", swapped)
# A skops file whose Booster bytes member is cut in half.
source = os.path.join(OUT, "xgb_binary_skops", "model.skops")
with zipfile.ZipFile(source) as archive, zipfile.ZipFile(
        os.path.join(HOSTILE, "xgb_truncated_booster.skops"), "w", zipfile.ZIP_STORED) as out:
    for member in archive.namelist():
        data = archive.read(member)
        if member.endswith(".bin"):
            data = data[: len(data) // 2]
        out.writestr(member, data)

with open(os.path.join(OUT, "expected.json"), "w") as handle:
    json.dump(expected, handle, indent=1, sort_keys=True)
    handle.write("\n")
print("wrote", len(models), "models to", OUT, file=sys.stderr)
