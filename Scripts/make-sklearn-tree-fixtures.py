#!/usr/bin/env python3
# Rerun with:  source Scripts/python-env.sh && "$venv/bin/python" Scripts/make-sklearn-tree-fixtures.py
# (from the repository root; scikit-learn 1.9.1, skops 0.16.0, mlflow 3.17.2 as pinned there)
#
# Writes Tests/Fixtures/sklearn-trees/: small tree models saved by the real mlflow.sklearn.save_model
# as skops and pickle (and one as cloudpickle) (<name>_<format>/), and expected.json with scikit-learn's own
# outputs on inputs that include NaN, values exactly at thresholds and one float32 ulp either
# side, values that round to a threshold in float32, unseen and negative categories.
import json
import os
import shutil
import sys
import warnings

import numpy as np
import skops.io as sio
from sklearn.ensemble import (
    AdaBoostClassifier,
    AdaBoostRegressor,
    BaggingClassifier,
    BaggingRegressor,
    ExtraTreesClassifier,
    ExtraTreesRegressor,
    GradientBoostingClassifier,
    GradientBoostingRegressor,
    HistGradientBoostingClassifier,
    HistGradientBoostingRegressor,
    IsolationForest,
    RandomForestClassifier,
    RandomForestRegressor,
)
from sklearn.tree import DecisionTreeClassifier, DecisionTreeRegressor, ExtraTreeClassifier, ExtraTreeRegressor

warnings.filterwarnings("ignore")
import mlflow.sklearn  # noqa: E402
from mlflow.models import infer_signature  # noqa: E402

OUT = os.path.join("Tests", "Fixtures", "sklearn-trees")
FORMATS = ["skops", "pickle", "cloudpickle"]
rng = np.random.default_rng(12)

# Four features; the last holds small integer categories for HistGradientBoosting.
n = 80
X = rng.normal(size=(n, 4)).round(3)
X[:, 3] = rng.integers(0, 4, size=n)
X_nan = X.copy()
X_nan[:, :3][rng.random(size=(n, 3)) < 0.1] = np.nan  # NaN in the numeric features, not the category
y_reg = X[:, 0] * 2 - X[:, 1] + (X[:, 3] == 2) + rng.normal(scale=0.1, size=n)
y_bin = (X[:, 0] + 0.5 * X[:, 1] > 0).astype(int)
y_multi = np.digitize(X[:, 0] - X[:, 2], [-0.5, 0.5])
# A rare class, so that some of a bagging ensemble's bootstrap samples miss it.
y_rare = np.where(np.arange(n) % 27 == 5, 2, y_bin)
y_two = np.stack([y_reg, X[:, 2] - X[:, 1]], axis=1)
labels_str = np.array(["cat", "dog", "emu"])

models = {
    "dt_classifier": (DecisionTreeClassifier(max_depth=3, random_state=0), X_nan, y_multi),
    "dt_regressor": (DecisionTreeRegressor(max_depth=3, random_state=0), X_nan, y_reg),
    "rf_classifier": (RandomForestClassifier(n_estimators=3, max_depth=3, random_state=0), X_nan, labels_str[y_multi]),
    # A bool target: classes_ is numpy bool, predict answers bools.
    "rf_classifier_bool": (
        RandomForestClassifier(n_estimators=3, max_depth=3, random_state=0), X_nan, y_bin.astype(bool)),
    "dt_classifier_bool": (DecisionTreeClassifier(max_depth=3, random_state=0), X, y_multi == 1),
    "rf_regressor": (RandomForestRegressor(n_estimators=3, max_depth=3, random_state=0), X_nan, y_reg),
    "et_classifier": (ExtraTreesClassifier(n_estimators=3, max_depth=3, random_state=0), X, y_bin),
    "et_regressor_two_outputs": (ExtraTreesRegressor(n_estimators=3, max_depth=3, random_state=0), X, y_two),
    "gb_binary": (GradientBoostingClassifier(n_estimators=4, max_depth=2, random_state=0), X, y_bin),
    "gb_multiclass": (GradientBoostingClassifier(n_estimators=3, max_depth=2, random_state=0), X, y_multi),
    "gb_binary_zero_init": (
        GradientBoostingClassifier(n_estimators=3, max_depth=2, init="zero", random_state=0), X, y_bin),
    "gb_exponential": (
        GradientBoostingClassifier(n_estimators=3, max_depth=2, loss="exponential", random_state=0), X, y_bin),
    "gb_regressor": (GradientBoostingRegressor(n_estimators=4, max_depth=2, random_state=0), X, y_reg),
    "gb_regressor_huber": (
        GradientBoostingRegressor(n_estimators=3, max_depth=2, loss="huber", random_state=0), X, y_reg),
    "hgb_regressor": (
        HistGradientBoostingRegressor(max_iter=4, max_depth=3, categorical_features=[3], random_state=0), X_nan, y_reg),
    "hgb_binary": (
        HistGradientBoostingClassifier(max_iter=4, max_depth=3, categorical_features=[3], random_state=0),
        X_nan, y_bin),
    "hgb_multiclass": (
        HistGradientBoostingClassifier(max_iter=3, max_depth=2, categorical_features=[3], random_state=0),
        X_nan, y_multi),
    "hgb_binary_numeric": (
        HistGradientBoostingClassifier(max_iter=4, max_depth=3, random_state=0), X_nan[:, :3], y_bin),
    "hgb_multiclass_numeric": (
        HistGradientBoostingClassifier(max_iter=3, max_depth=2, random_state=0), X_nan[:, :3], y_multi),
    "hgb_poisson": (
        HistGradientBoostingRegressor(max_iter=3, max_depth=2, loss="poisson", random_state=0), X_nan, np.abs(y_reg)),
    # interaction_cst is stored as a list of sets (skops SetNode, pickle EMPTY_SET/ADDITEMS).
    "hgb_interaction_cst": (
        HistGradientBoostingRegressor(max_iter=4, max_depth=3, interaction_cst=[{0, 1}, {2}], random_state=0),
        X_nan[:, :3], y_reg),
    # Outlier detection: predict answers -1 / 1 (y is ignored). One on every feature (NaN in training and
    # in the rows), one on three of four features per tree with a contamination-fitted offset_.
    "iforest": (IsolationForest(n_estimators=6, random_state=0), X_nan, y_reg),
    "iforest_subsampled": (
        IsolationForest(n_estimators=6, max_features=0.75, contamination=0.25, random_state=0), X, y_reg),
    # Bagging: each tree sees X[:, estimators_features_[t]] (a permutation, or a subset); trees take the
    # bootstrap as sample weights, so a rare class a sample missed has weight 0 in that tree.
    "bagging_classifier": (
        BaggingClassifier(n_estimators=8, max_samples=0.3, max_features=0.75, random_state=3), X_nan,
        labels_str[y_rare]),
    "bagging_regressor": (
        BaggingRegressor(DecisionTreeRegressor(max_depth=4), n_estimators=5, bootstrap_features=True,
                         random_state=0), X_nan, y_reg),
    # Since 1.4 a classifier tree stores class fractions and predict_proba answers them unchanged; with
    # five classes some leaves' fractions do not sum to exactly 1 (checked below), so dividing by that
    # sum, as 1.3 did, would change bits.
    "rf_classifier_fractions": (
        RandomForestClassifier(n_estimators=8, max_depth=3, random_state=0), X,
        np.digitize(X[:, 0] - X[:, 2], np.quantile(X[:, 0] - X[:, 2], [0.2, 0.4, 0.6, 0.8]))),
    # AdaBoost (SAMME): stumps by default; weighted votes, softmax probabilities, a weighted median.
    "adaboost_classifier": (AdaBoostClassifier(n_estimators=12, random_state=0), X, labels_str[y_multi]),
    "adaboost_binary": (
        AdaBoostClassifier(DecisionTreeClassifier(max_depth=2), n_estimators=6, learning_rate=0.7, random_state=0),
        X, y_bin),
    "adaboost_regressor": (AdaBoostRegressor(n_estimators=9, random_state=0), X, y_reg),
    # A lone randomized tree (the member of ExtraTrees forests), saved as a model of its own.
    "lone_extra_tree_classifier": (ExtraTreeClassifier(max_depth=4, random_state=0), X_nan, y_multi),
    "lone_extra_tree_regressor": (ExtraTreeRegressor(max_depth=4, random_state=0), X_nan, y_reg),
}


def thresholds(model):
    """(feature, threshold) pairs of the first tree(s)' splits."""
    found = []
    if hasattr(model, "_predictors"):
        for predictor in model._predictors[0]:
            for node in predictor.nodes:
                if not node["is_leaf"] and not node["is_categorical"]:
                    found.append((int(node["feature_idx"]), float(node["num_threshold"])))
        return found
    trees = model.estimators_ if hasattr(model, "estimators_") else [model]
    for tree in np.ravel(trees)[:2]:
        t = tree.tree_
        for node in range(t.node_count):
            if t.children_left[node] >= 0:
                found.append((int(t.feature[node]), float(t.threshold[node])))
    return found


def edge_rows(model, base):
    rows = []
    # A split that sends only the missing values one way has threshold inf: no edge to probe there.
    for feature, threshold in [(f, t) for f, t in thresholds(model) if np.isfinite(t)][:6]:
        f32 = np.float32(threshold)
        for value in [
            threshold,
            np.nextafter(threshold, -np.inf),
            np.nextafter(threshold, np.inf),
            float(f32),
            float(np.nextafter(f32, np.float32(np.inf))),
            float(np.nextafter(f32, np.float32(-np.inf))),
            # The midpoint between threshold and the next float32 up rounds to one side in float32.
            (float(f32) + float(np.nextafter(f32, np.float32(np.inf)))) / 2,
        ]:
            row = base.copy()
            row[feature] = value
            rows.append(row)
    return rows


base = np.array([0.1, -0.2, 0.3, 1.0])
specials = [
    [np.nan, 0.0, 0.0, 1.0],
    [0.0, np.nan, np.nan, 2.0],
    [np.nan, np.nan, np.nan, 0.0],
    [1.0, -1.0, 0.5, 7.0],  # unseen category
    [1.0, -1.0, 0.5, -1.0],  # negative category
    [1.0, -1.0, 0.5, -0.5],  # negative, truncates to 0
    [1.0, -1.0, 0.5, 2.9],  # non-integral, truncates to 2
    [1.0, -1.0, 0.5, 300.0],  # beyond the 256-category bitset
    [1.0, -1.0, 0.5, np.nan],  # missing category
    [3.0, 3.0, -3.0, 3.0],
    [-3.0, -3.0, 3.0, 0.0],
]

if os.path.isdir(OUT):
    shutil.rmtree(OUT)
os.makedirs(OUT)
expected = {}
for name, (model, X_train, y) in models.items():
    model.fit(X_train, y)
    width = X_train.shape[1]
    rows = np.array(edge_rows(model, base[:width]) + [row[:width] for row in specials], dtype=np.float64)
    if not np.isnan(X_train).any():
        rows = rows[~np.isnan(rows).any(axis=1)]
    if "hgb" not in name and width == 4:
        rows = rows[(rows[:, 3] >= 0) & (rows[:, 3] < 10)]  # only HGB has categories
    rows = np.unique(rows, axis=0)
    record = {"X": [[None if np.isnan(v) else float(v) for v in row] for row in rows]}
    outputs = {"predict": model.predict(rows)}
    if hasattr(model, "predict_proba"):
        outputs["predict_proba"] = model.predict_proba(rows)
    # np.log of predict_proba, except Bagging's np.logaddexp of its trees' logs; zeros give -inf.
    if hasattr(model, "predict_log_proba"):
        outputs["predict_log_proba"] = model.predict_log_proba(rows)
    if name == "rf_classifier_fractions":
        sums = np.concatenate([tree.tree_.value.sum(axis=2).ravel() for tree in model.estimators_])
        assert (sums != 1.0).any(), "every leaf's fractions sum to exactly 1"
    if name.startswith("adaboost") and hasattr(model, "decision_function"):
        outputs["decision_function"] = model.decision_function(rows)
    for function, values in outputs.items():
        values = np.asarray(values)
        if values.dtype.kind in "fc":
            # Bit patterns, so the tests compare exactly.
            record[function] = {"shape": list(values.shape), "bits": [int(v) for v in values.astype(np.float64).view(np.uint64).ravel()]}
        else:
            record[function] = {"shape": list(values.shape), "labels": values.ravel().tolist()}
    expected[name] = record
    signature = infer_signature(X_train, model.predict(X_train[:5]))
    # cloudpickle writes the same stream as pickle for these classes: one bundle shows it.
    for fmt in FORMATS if name == "dt_classifier" else FORMATS[:2]:
        path = os.path.join(OUT, f"{name}_{fmt}")
        # MLflow asks the caller to list the types skops cannot vouch for (the Tree node storage...);
        # it records them as skops_trusted_types, which ModelBundle shows but never trusts.
        extra = {"skops_trusted_types": sio.get_untrusted_types(data=sio.dumps(model))} if fmt == "skops" else {}
        mlflow.sklearn.save_model(model, path, serialization_format=fmt, signature=signature, **extra)

with open(os.path.join(OUT, "expected.json"), "w") as handle:
    json.dump(expected, handle, indent=1, sort_keys=True)
    handle.write("\n")
# Ensembles of members this build does not read (refused/<name>_skops): each refused naming the member.
from sklearn.linear_model import LinearRegression, LogisticRegression  # noqa: E402

refused = {
    "bagging_linear": (BaggingRegressor(LinearRegression(), n_estimators=3, random_state=0), y_reg),
    "adaboost_logistic": (AdaBoostClassifier(LogisticRegression(), n_estimators=3, random_state=0), y_bin),
}
for name, (model, y) in refused.items():
    model.fit(X, y)
    path = os.path.join(OUT, "refused", f"{name}_skops")
    mlflow.sklearn.save_model(model, path, serialization_format="skops", signature=infer_signature(X, model.predict(X[:5])),
                              skops_trusted_types=sio.get_untrusted_types(data=sio.dumps(model)))


# Fitted ensembles edited after fitting into states scikit-learn never writes (or an older release
# wrote), each refused naming the attribute: a short or all-zero estimator_weights_, SAMME.R, a feature
# index beyond the input in estimators_features_.
def edited(model, y, **attributes):
    model.fit(X, y)
    for key, value in attributes.items():
        setattr(model, key, value(model) if callable(value) else value)
    return model


corrupted = {
    "adaboost_short_weights": edited(AdaBoostClassifier(n_estimators=5, random_state=0), y_bin,
                                     estimator_weights_=lambda m: m.estimator_weights_[:3]),
    "adaboost_zero_weights": edited(AdaBoostClassifier(n_estimators=5, random_state=0), y_bin,
                                    estimator_weights_=lambda m: np.zeros_like(m.estimator_weights_)),
    "adaboost_samme_r": edited(AdaBoostClassifier(n_estimators=5, random_state=0), y_bin, algorithm="SAMME.R"),
    "adaboost_regressor_short_weights": edited(AdaBoostRegressor(n_estimators=5, random_state=0), y_reg,
                                               estimator_weights_=lambda m: m.estimator_weights_[:2]),
    "bagging_feature_beyond": edited(BaggingClassifier(n_estimators=3, max_features=0.75, random_state=0), y_bin,
                                     estimators_features_=lambda m: [np.array([0, 1, 9])] * 3),
}
for name, model in corrupted.items():
    path = os.path.join(OUT, "refused", f"{name}_skops")
    mlflow.sklearn.save_model(model, path, serialization_format="skops", signature=infer_signature(X),
                              skops_trusted_types=sio.get_untrusted_types(data=sio.dumps(model)))
print("wrote", len(models), "models x", len(FORMATS), "formats to", OUT, file=sys.stderr)
