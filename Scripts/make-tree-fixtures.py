#!/usr/bin/env python3
# Rerun with:  source Scripts/python-env.sh && $venv/bin/python Scripts/make-tree-fixtures.py
# (xgboost 3.2.0, lightgbm 4.7.0, mlflow 3.17.2; run from the repository root)
#
# Writes Tests/Fixtures/trees/: small XGBoost and LightGBM models (raw files and MLflow-written
# bundles) and golden.json with the libraries' own outputs on inputs that include NaN, values on
# and next to split thresholds, negative and unseen categories. Each case records the model file,
# the inputs (null = NaN) and the expected margins and predictions as exact floats.
import json
import os
import shutil
import warnings

import numpy as np

warnings.filterwarnings("ignore")
import lightgbm as lgb
import xgboost as xgb

OUT = os.path.join("Tests", "Fixtures", "trees")
shutil.rmtree(OUT, ignore_errors=True)
os.makedirs(OUT)
rng = np.random.default_rng(12)
golden = {"xgboost_version": xgb.__version__, "lightgbm_version": lgb.__version__, "cases": {}}


def features(rows, width, categorical=None, cats=5):
    x = rng.normal(size=(rows, width))
    if categorical is not None:
        x[:, categorical] = rng.integers(0, cats, size=rows)
    x[rng.random(size=x.shape) < 0.1] = np.nan
    return x


def probe_rows(x, thresholds, categorical=None):
    """Test inputs: random rows, rows with a feature exactly on / just beside a split threshold, NaN rows."""
    rows = [r for r in x[:12]]
    base = np.nan_to_num(x[0])
    for feature, t in thresholds[:10]:
        for v in (t, np.nextafter(t, -np.inf), np.nextafter(t, np.inf), float(np.float32(t))):
            r = base.copy()
            r[feature] = v
            rows.append(r)
    rows.append(np.full(x.shape[1], np.nan))
    if categorical is not None:
        for v in (-1.0, -0.5, 2.5, 7.0, 1000.0, 0.0):
            r = base.copy()
            r[categorical] = v
            rows.append(r)
    tiny = base.copy()
    tiny[0] = 1e-36
    rows.append(tiny)
    return np.array(rows)


def floats(a):
    return [[None if np.isnan(v) else float(v) for v in row] for row in np.asarray(a, dtype=np.float64).reshape(len(a), -1)]


def record(name, **fields):
    golden["cases"][name] = fields


def xgb_thresholds(booster):
    out = []
    gbm = json.loads(booster.save_raw("json"))["learner"]["gradient_booster"]
    for tree in gbm.get("gbtree", gbm)["model"]["trees"]:
        for i, f in enumerate(tree["split_indices"]):
            if tree["left_children"][i] != -1 and tree["split_type"][i] == 0:
                out.append((f, float(np.float32(tree["split_conditions"][i]))))
    return out


XGB_OBJECTIVES = {
    "binary_logistic": ("binary:logistic", "binary", {}),
    "binary_logitraw": ("binary:logitraw", "binary", {}),
    "multi_softprob": ("multi:softprob", "multi", {"num_class": 3}),
    "multi_softmax": ("multi:softmax", "multi", {"num_class": 3}),
    "reg_squarederror": ("reg:squarederror", "reg", {}),
    "reg_logistic": ("reg:logistic", "unit", {}),
    "reg_absoluteerror": ("reg:absoluteerror", "reg", {}),
    "reg_pseudohubererror": ("reg:pseudohubererror", "reg", {}),
    "count_poisson": ("count:poisson", "count", {}),
    "reg_gamma": ("reg:gamma", "positive", {}),
    "reg_tweedie": ("reg:tweedie", "positive", {}),
}


def labels(kind, x):
    s = np.nan_to_num(x[:, 0]) + 0.5 * np.nan_to_num(x[:, 1]) + rng.normal(scale=0.3, size=len(x))
    if kind == "binary":
        return (s > 0).astype(float)
    if kind == "multi":
        return np.digitize(s, [-0.5, 0.5]).astype(float)
    if kind == "unit":
        return 1 / (1 + np.exp(-s))
    if kind == "count":
        return rng.poisson(np.exp(s / 2)).astype(float)
    if kind == "positive":
        return np.exp(s / 2)
    return s


for name, (objective, kind, extra) in XGB_OBJECTIVES.items():
    categorical = 2 if name in ("binary_logistic", "multi_softprob") else None
    x = features(200, 4, categorical)
    y = labels(kind, x)
    ft = ["q", "q", "c" if categorical is not None else "q", "q"]
    train = xgb.DMatrix(x, label=y, missing=np.nan, feature_types=ft, enable_categorical=True)
    params = {"objective": objective, "max_depth": 3, "eta": 0.3, "seed": 1, "max_cat_to_onehot": 1, **extra}
    booster = xgb.train(params, train, num_boost_round=6)
    fmt = "ubj" if name in ("binary_logistic", "reg_squarederror", "multi_softprob", "count_poisson") else "json"
    path = f"xgb_{name}.{fmt}"
    booster.save_model(os.path.join(OUT, path))
    probe = probe_rows(x, xgb_thresholds(booster), categorical)
    test = xgb.DMatrix(probe, missing=np.nan, feature_types=ft, enable_categorical=True)
    record(
        f"xgb_{name}",
        library="xgboost",
        file=path,
        inputs=floats(probe),
        margin=floats(booster.predict(test, output_margin=True)),
        predict=floats(booster.predict(test)),
    )

# Base score stored as a one-element list in a string ("[5E-1]") and a user-set base_score.
x = features(120, 3)
y = labels("binary", x)
booster = xgb.train({"objective": "binary:logistic", "max_depth": 2, "base_score": 0.3}, xgb.DMatrix(x, label=y), 4)
booster.save_model(os.path.join(OUT, "xgb_base_score.json"))
probe = probe_rows(x, xgb_thresholds(booster))
record("xgb_base_score", library="xgboost", file="xgb_base_score.json", inputs=floats(probe),
       margin=floats(booster.predict(xgb.DMatrix(probe), output_margin=True)),
       predict=floats(booster.predict(xgb.DMatrix(probe))))

# MLflow-written bundles: an XGBClassifier (3 classes, ubj, the default) and an XGBRegressor (json).
import mlflow.xgboost  # noqa: E402
import pandas as pd  # noqa: E402
from mlflow.models import infer_signature  # noqa: E402

x = features(150, 4)
cols = [f"f{i}" for i in range(4)]
frame = pd.DataFrame(x, columns=cols)
clf = xgb.XGBClassifier(n_estimators=5, max_depth=3, random_state=0).fit(frame, labels("multi", x).astype(int))
probe = pd.DataFrame(probe_rows(x, []), columns=cols)
mlflow.xgboost.save_model(clf, os.path.join(OUT, "mlflow_xgb_classifier"), signature=infer_signature(frame, clf.predict(frame)),
                          input_example=frame.iloc[:3])
record("mlflow_xgb_classifier", library="xgboost", bundle="mlflow_xgb_classifier", inputs=floats(probe.to_numpy()),
       predict=[int(v) for v in clf.predict(probe)], proba=floats(clf.predict_proba(probe)))
reg = xgb.XGBRegressor(n_estimators=5, max_depth=3, random_state=0).fit(frame, labels("reg", x))
mlflow.xgboost.save_model(reg, os.path.join(OUT, "mlflow_xgb_regressor"), model_format="json",
                          signature=infer_signature(frame, reg.predict(frame)))
record("mlflow_xgb_regressor", library="xgboost", bundle="mlflow_xgb_regressor", inputs=floats(probe.to_numpy()),
       predict=floats(reg.predict(probe)))

# LightGBM text boosters.
LGB_OBJECTIVES = {
    "regression": ("regression", "reg", {}),
    "regression_l1": ("regression_l1", "reg", {}),
    "huber": ("huber", "reg", {}),
    "fair": ("fair", "reg", {}),
    "quantile": ("quantile", "reg", {"alpha": 0.7}),
    "binary": ("binary", "binary", {}),
    "multiclass": ("multiclass", "multi", {"num_class": 3}),
    "multiclassova": ("multiclassova", "multi", {"num_class": 3}),
    "cross_entropy": ("cross_entropy", "unit", {}),
    "poisson": ("poisson", "count", {}),
    "gamma": ("gamma", "positive", {}),
    "tweedie": ("tweedie", "positive", {}),
    "binary_zero_missing": ("binary", "binary", {"zero_as_missing": True}),
    "regression_no_missing": ("regression", "reg", {"use_missing": False}),
    "rf": ("regression", "reg", {"boosting": "rf", "bagging_fraction": 0.7, "bagging_freq": 1, "feature_fraction": 0.8}),
}


def lgb_thresholds(booster):
    out = []
    for tree in booster.dump_model()["tree_info"]:
        stack = [tree["tree_structure"]]
        while stack:
            node = stack.pop()
            if "split_feature" in node:
                if node["decision_type"] == "<=":
                    out.append((node["split_feature"], float(node["threshold"])))
                stack += [node["left_child"], node["right_child"]]
    return out


for name, (objective, kind, extra) in LGB_OBJECTIVES.items():
    categorical = 2 if name in ("binary", "multiclass", "regression") else None
    x = features(300, 4, categorical, cats=6)
    if name == "binary_zero_missing":
        x[rng.random(size=x.shape) < 0.1] = 0.0
    y = labels(kind, x)
    params = {"objective": objective, "num_leaves": 7, "learning_rate": 0.3, "min_data_in_leaf": 5, "verbose": -1,
              "seed": 1, "min_data_per_group": 5, "cat_smooth": 1, **extra}
    data = lgb.Dataset(x, label=y, categorical_feature=[categorical] if categorical is not None else "auto")
    booster = lgb.train(params, data, num_boost_round=6)
    path = f"lgb_{name}.txt"
    booster.save_model(os.path.join(OUT, path))
    probe = probe_rows(x, lgb_thresholds(booster), categorical)
    record(f"lgb_{name}", library="lightgbm", file=path, inputs=floats(probe),
           margin=floats(booster.predict(probe, raw_score=True)), predict=floats(booster.predict(probe)))

# An MLflow-written LightGBM booster bundle (model.lgb).
import mlflow.lightgbm  # noqa: E402

x = features(200, 3)
booster = lgb.train({"objective": "binary", "num_leaves": 5, "verbose": -1}, lgb.Dataset(x, label=labels("binary", x)), 4)
mlflow.lightgbm.save_model(booster, os.path.join(OUT, "mlflow_lgb_booster"))
probe = probe_rows(x, lgb_thresholds(booster))
record("mlflow_lgb_booster", library="lightgbm", bundle="mlflow_lgb_booster", inputs=floats(probe),
       predict=floats(booster.predict(probe)))

# A Booster saved by mlflow.xgboost: MLflow's wrapper scores it on a DMatrix (every tree, and values float32
# cannot hold refused; Scripts/make-float32-overflow-golden.py).
x = features(150, 4)
frame = pd.DataFrame(x, columns=cols)
booster = xgb.train({"objective": "reg:squarederror", "max_depth": 3, "seed": 1}, xgb.DMatrix(frame, label=labels("reg", x)), 5)
mlflow.xgboost.save_model(booster, os.path.join(OUT, "mlflow_xgb_booster"),
                          signature=infer_signature(frame, booster.predict(xgb.DMatrix(frame))))
probe = pd.DataFrame(probe_rows(x, xgb_thresholds(booster)), columns=cols)
record("mlflow_xgb_booster", library="xgboost", bundle="mlflow_xgb_booster", inputs=floats(probe.to_numpy()),
       predict=floats(booster.predict(xgb.DMatrix(probe))))

# Early-stopped scikit-learn API models saved by mlflow.xgboost: MLflow loads them as XGBRegressor and
# XGBClassifier, whose predict stops at best_iteration (the validation labels are noise, so it comes early).
x = features(150, 4)
frame = pd.DataFrame(x, columns=cols)
noise = pd.DataFrame(features(150, 4), columns=cols)
reg = xgb.XGBRegressor(n_estimators=12, max_depth=3, learning_rate=0.5, early_stopping_rounds=2, random_state=0)
reg.fit(frame, labels("reg", x), eval_set=[(noise, rng.normal(size=150))], verbose=False)
clf = xgb.XGBClassifier(n_estimators=12, max_depth=3, learning_rate=0.5, early_stopping_rounds=2, random_state=0)
clf.fit(frame, labels("multi", x).astype(int), eval_set=[(noise, rng.integers(0, 3, size=150))], verbose=False)
assert reg.best_iteration + 1 < 12 and clf.best_iteration + 1 < 12, (reg.best_iteration, clf.best_iteration)
probe = pd.DataFrame(probe_rows(x, []), columns=cols)
mlflow.xgboost.save_model(reg, os.path.join(OUT, "mlflow_xgb_early_stopped_regressor"), model_format="json",
                          signature=infer_signature(frame, reg.predict(frame)))
record("mlflow_xgb_early_stopped_regressor", library="xgboost", bundle="mlflow_xgb_early_stopped_regressor",
       inputs=floats(probe.to_numpy()), predict=floats(reg.predict(probe)))
mlflow.xgboost.save_model(clf, os.path.join(OUT, "mlflow_xgb_early_stopped_classifier"),
                          signature=infer_signature(frame, clf.predict(frame)))
record("mlflow_xgb_early_stopped_classifier", library="xgboost", bundle="mlflow_xgb_early_stopped_classifier",
       inputs=floats(probe.to_numpy()), predict=[int(v) for v in clf.predict(probe)],
       proba=floats(clf.predict_proba(probe)))

# LGBMClassifier and LGBMRegressor saved by mlflow.lightgbm: the scikit-learn object itself (skops, the
# default, and pickle), whose predict MLflow's wrapper calls.
x = features(200, 3)
frame = pd.DataFrame(x, columns=cols[:3])
lgb_params = {"n_estimators": 6, "num_leaves": 7, "learning_rate": 0.3, "min_child_samples": 5, "verbose": -1,
              "random_state": 0}
clf = lgb.LGBMClassifier(**lgb_params).fit(frame, labels("multi", x).astype(int))
reg = lgb.LGBMRegressor(**lgb_params).fit(frame, labels("reg", x))
probe = pd.DataFrame(probe_rows(x, lgb_thresholds(reg.booster_)), columns=cols[:3])
mlflow.lightgbm.save_model(clf, os.path.join(OUT, "mlflow_lgb_sklearn_classifier"),
                           signature=infer_signature(frame, clf.predict(frame)))
record("mlflow_lgb_sklearn_classifier", library="lightgbm", bundle="mlflow_lgb_sklearn_classifier",
       inputs=floats(probe.to_numpy()), predict=[int(v) for v in clf.predict(probe)],
       proba=floats(clf.predict_proba(probe)))
mlflow.lightgbm.save_model(reg, os.path.join(OUT, "mlflow_lgb_sklearn_regressor"), serialization_format="pickle",
                           signature=infer_signature(frame, reg.predict(frame)))
record("mlflow_lgb_sklearn_regressor", library="lightgbm", bundle="mlflow_lgb_sklearn_regressor",
       inputs=floats(probe.to_numpy()), predict=floats(reg.predict(probe)))

# More objectives and boosters (appended, so the draws above are unchanged): quantile regression with one and
# with three quantile_alpha, a 2-D label (one output per target), binary:hinge, rankers (query groups), Cox and
# AFT survival, and DART (each tree scaled by its weight_drop; the drop rate makes the weights differ from 1).
def xgb_case(name, params, train, rounds, width, fmt="json", thresholds=True):
    booster = xgb.train({"max_depth": 3, "eta": 0.3, "seed": 1, **params}, train, num_boost_round=rounds)
    path = f"xgb_{name}.{fmt}"
    booster.save_model(os.path.join(OUT, path))
    probe = probe_rows(train_x[name], xgb_thresholds(booster) if thresholds else [])
    test = xgb.DMatrix(probe, missing=np.nan)
    record(f"xgb_{name}", library="xgboost", file=path, inputs=floats(probe),
           margin=floats(booster.predict(test, output_margin=True)), predict=floats(booster.predict(test)))
    return booster


train_x = {}
x = features(200, 4)
y = labels("reg", x)
for name, params, label in [
    ("reg_quantileerror", {"objective": "reg:quantileerror", "quantile_alpha": 0.3}, y),
    ("quantile_three", {"objective": "reg:quantileerror", "quantile_alpha": np.array([0.1, 0.5, 0.9])}, y),
    ("multi_target", {"objective": "reg:squarederror"}, np.c_[y, -2 * y + 1]),
    ("binary_hinge", {"objective": "binary:hinge"}, labels("binary", x)),
    ("survival_cox", {"objective": "survival:cox"}, np.where(rng.random(200) < 0.7, 1, -1) * np.exp(y / 2)),
]:
    train_x[name] = x
    xgb_case(name, params, xgb.DMatrix(x, label=label, missing=np.nan), 6, 4, fmt="ubj" if name == "multi_target" else "json")
train_x["survival_aft"] = x
lower = np.exp(y / 2)
aft = xgb.DMatrix(x, missing=np.nan)
aft.set_float_info("label_lower_bound", lower)
aft.set_float_info("label_upper_bound", np.where(rng.random(200) < 0.3, np.inf, lower))
xgb_case("survival_aft", {"objective": "survival:aft", "aft_loss_distribution": "normal"}, aft, 6, 4)
relevance = rng.integers(0, 4, size=200).astype(float)
for name, objective in [("rank_pairwise", "rank:pairwise"), ("rank_ndcg", "rank:ndcg")]:
    train_x[name] = x
    ranked = xgb.DMatrix(x, label=relevance, missing=np.nan)
    ranked.set_group([20] * 10)
    xgb_case(name, {"objective": objective}, ranked, 6, 4)
for name, params, label in [
    ("dart", {"objective": "reg:squarederror", "booster": "dart", "rate_drop": 0.4, "skip_drop": 0.0}, y),
    ("dart_softprob", {"objective": "multi:softprob", "num_class": 3, "booster": "dart", "rate_drop": 0.4,
                       "skip_drop": 0.0}, labels("multi", x)),
]:
    train_x[name] = x
    booster = xgb_case(name, params, xgb.DMatrix(x, label=label, missing=np.nan), 8, 4)
    weights = json.loads(booster.save_raw("json"))["learner"]["gradient_booster"]["weight_drop"]
    assert any(w != 1.0 for w in weights), weights

LGB_MORE = {
    "cross_entropy_lambda": ("cross_entropy_lambda", "unit", {}),
    "regression_sqrt": ("regression", "reg", {"reg_sqrt": True}),
    "quantile_sqrt": ("quantile", "reg", {"reg_sqrt": True, "alpha": 0.6}),
    "mape": ("mape", "reg", {}),
}
for name, (objective, kind, extra) in LGB_MORE.items():
    x = features(300, 4)
    params = {"objective": objective, "num_leaves": 7, "learning_rate": 0.3, "min_data_in_leaf": 5, "verbose": -1,
              "seed": 1, **extra}
    booster = lgb.train(params, lgb.Dataset(x, label=labels(kind, x)), num_boost_round=6)
    path = f"lgb_{name}.txt"
    booster.save_model(os.path.join(OUT, path))
    probe = probe_rows(x, lgb_thresholds(booster))
    record(f"lgb_{name}", library="lightgbm", file=path, inputs=floats(probe),
           margin=floats(booster.predict(probe, raw_score=True)), predict=floats(booster.predict(probe)))
for name, objective in [("lambdarank", "lambdarank"), ("rank_xendcg", "rank_xendcg")]:
    x = features(300, 4)
    data = lgb.Dataset(x, label=rng.integers(0, 4, size=300), group=[30] * 10)
    booster = lgb.train({"objective": objective, "num_leaves": 7, "learning_rate": 0.3, "min_data_in_leaf": 5,
                         "verbose": -1, "seed": 1}, data, num_boost_round=6)
    path = f"lgb_{name}.txt"
    booster.save_model(os.path.join(OUT, path))
    probe = probe_rows(x, lgb_thresholds(booster))
    record(f"lgb_{name}", library="lightgbm", file=path, inputs=floats(probe),
           margin=floats(booster.predict(probe, raw_score=True)), predict=floats(booster.predict(probe)))

# Rankers saved by MLflow: an XGBRanker through mlflow.xgboost (MLflow loads the wrapper) and an LGBMRanker
# through mlflow.lightgbm (the scikit-learn object, skops); a multi-quantile XGBRegressor through mlflow.xgboost.
x = features(200, 4)
frame = pd.DataFrame(x, columns=cols)
probe = pd.DataFrame(probe_rows(x, []), columns=cols)
qid = np.repeat(np.arange(10), 20)
ranker = xgb.XGBRanker(n_estimators=5, max_depth=3, random_state=0).fit(frame, rng.integers(0, 4, size=200), qid=qid)
mlflow.xgboost.save_model(ranker, os.path.join(OUT, "mlflow_xgb_ranker"),
                          signature=infer_signature(frame, ranker.predict(frame)))
record("mlflow_xgb_ranker", library="xgboost", bundle="mlflow_xgb_ranker", inputs=floats(probe.to_numpy()),
       predict=floats(ranker.predict(probe)))
quantiles = xgb.XGBRegressor(n_estimators=5, max_depth=3, random_state=0, objective="reg:quantileerror",
                             quantile_alpha=[0.2, 0.8]).fit(frame, labels("reg", x))
mlflow.xgboost.save_model(quantiles, os.path.join(OUT, "mlflow_xgb_quantiles"), model_format="json",
                          signature=infer_signature(frame, quantiles.predict(frame)))
record("mlflow_xgb_quantiles", library="xgboost", bundle="mlflow_xgb_quantiles", inputs=floats(probe.to_numpy()),
       predict=floats(quantiles.predict(probe)))
lgb_ranker = lgb.LGBMRanker(n_estimators=5, num_leaves=7, min_child_samples=5, verbose=-1, random_state=0)
lgb_ranker.fit(frame, rng.integers(0, 4, size=200), group=[20] * 10)
import skops.io as sio  # noqa: E402

mlflow.lightgbm.save_model(lgb_ranker, os.path.join(OUT, "mlflow_lgb_ranker"),
                           signature=infer_signature(frame, lgb_ranker.predict(frame)),
                           skops_trusted_types=sio.get_untrusted_types(data=sio.dumps(lgb_ranker)))
record("mlflow_lgb_ranker", library="lightgbm", bundle="mlflow_lgb_ranker", inputs=floats(probe.to_numpy()),
       predict=floats(lgb_ranker.predict(probe)))

with open(os.path.join(OUT, "golden.json"), "w") as f:
    json.dump(golden, f, indent=1, sort_keys=True)
    f.write("\n")
