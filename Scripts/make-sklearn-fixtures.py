#!/usr/bin/env python3
# Rerun with:  .build/python-venv/bin/python Scripts/make-sklearn-fixtures.py
#   (or: /work/pyenv/bin/python Scripts/make-sklearn-fixtures.py)
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

import pickle

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

# str labels: a '<U' .npy member (numpy-fitted) and a JSON object array (fitted on an object Series).
ys = np.array(["cat", "dog"])[(X[:, 1] > 0).astype(int)]
record("logreg_str_labels_unicode", LogisticRegression().fit(X, ys), X_test, ["predict", "predict_proba"])
record("logreg_str_labels_object", LogisticRegression().fit(X, ys.astype(object)), X_test, ["predict"])

# Pipelines: StandardScaler steps folded into the final estimator.
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

scaled = X * [10.0, 0.1, 3.0] + [5.0, -2.0, 0.0]
scaled_test = X_test * [10.0, 0.1, 3.0] + [5.0, -2.0, 0.0]
pipe_logistic = make_pipeline(StandardScaler(), LogisticRegression(max_iter=500)).fit(
    scaled, np.digitize(X[:, 0] - X[:, 2], [-0.5, 0.5])
)
pipe_linear = make_pipeline(StandardScaler(with_mean=False), Ridge(alpha=0.1)).fit(scaled, y)
for model, name, functions in [
    (pipe_logistic, "pipeline_scaler_logistic", ["predict", "predict_proba"]),
    (pipe_linear, "pipeline_scaler_ridge", ["predict"]),
]:
    save(name, model)
    with open(os.path.join(OUT, name + ".pkl"), "wb") as handle:
        handle.write(pickle.dumps(model, protocol=5))
    golden[name] = {
        "X": scaled_test.tolist(),
        "predictions": {f: getattr(model, f)(scaled_test).tolist() for f in functions},
    }

# Refused: a pipeline step outside the allowlist (skops and pickle).
from sklearn.preprocessing import PolynomialFeatures

unsupported_pipe = make_pipeline(PolynomialFeatures(), LogisticRegression()).fit(X, yb)
save("pipeline_unsupported_step", unsupported_pipe)
with open(os.path.join(OUT, "pipeline_unsupported_step.pkl"), "wb") as handle:
    handle.write(pickle.dumps(unsupported_pipe, protocol=4))

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

# ---- Pickles (serialization_format pickle/cloudpickle), read by the restricted pickle reader. ----


def dump_pickle(name, obj, protocol=4, **kwargs):
    with open(os.path.join(OUT, name + ".pkl"), "wb") as handle:
        handle.write(pickle.dumps(obj, protocol=protocol, **kwargs))


def record_pickle(name, model, functions, protocol=4):
    dump_pickle(name, model, protocol)
    golden[name] = {
        "X": X_test.tolist(),
        "predictions": {f: getattr(model, f)(X_test).tolist() for f in functions},
    }


y3 = np.digitize(X[:, 0] - X[:, 2], [-0.5, 0.5])  # three classes 0, 1, 2
multinomial = LogisticRegression(max_iter=500).fit(X, y3)
assert multinomial.coef_.flags["F_CONTIGUOUS"] and not multinomial.coef_.flags["C_CONTIGUOUS"]
# Protocol 5: contiguous arrays through _frombuffer, coef_ Fortran-ordered ('F').
record_pickle("pickle_multinomial_p5", multinomial, ["predict", "predict_proba", "decision_function"], protocol=5)
record_pickle("pickle_multinomial_p4", multinomial, ["predict_proba"], protocol=4)
# String labels: classes_ is a '<U' array.
record_pickle("pickle_string_labels", LogisticRegression().fit(X, ys), ["predict", "predict_proba"])
# LinearRegression: intercept_ is a numpy scalar (numpy.core.multiarray.scalar).
record_pickle("pickle_linear", LinearRegression().fit(X, y), ["predict"])
# Big-endian coefficients: byte-swapped on reading.
big = LogisticRegression().fit(X, yb)
big_endian = np.dtype(">f8")  # one dtype object for both arrays: the second is a memo GET of the first
big.coef_ = big.coef_.astype(big_endian)
big.intercept_ = big.intercept_.astype(big_endian)
record_pickle("pickle_big_endian", big, ["predict_proba"])


class Evil:
    def __reduce__(self):
        return (os.system, ("echo pwned",))


dump_pickle("hostile_reduce_system", Evil())  # row 28
bad = LogisticRegression().fit(X, yb)
bad.coef_ = "abc"
dump_pickle("hostile_coef_string", bad)  # row 29
missing = LogisticRegression().fit(X, yb)
del missing.classes_
dump_pickle("hostile_missing_classes", missing)  # row 29
wide = LogisticRegression().fit(np.hstack([X, X]), yb)
dump_pickle("hostile_shape_mismatch", wide)  # row 29: six features, the signature has three
dump_pickle("hostile_protocol2", LogisticRegression().fit(X, yb), protocol=2)  # row 30
dump_pickle("hostile_protocol0", LogisticRegression().fit(X, yb), protocol=0)  # row 30
dump_pickle(
    "hostile_out_of_band", LogisticRegression().fit(X, yb), protocol=5, buffer_callback=lambda buffer: False
)  # row 31: NEXT_BUFFER
objects = LogisticRegression().fit(X, yb)
objects.feature_names_in_ = np.array(["x1", 2, 3.0], dtype=object)
dump_pickle("hostile_object_array", objects)  # row 34: object array with non-str items


# ---- More estimators (issue #6): each written as skops AND as a protocol-5 pickle, one golden entry. ----
from sklearn.linear_model import ElasticNet, Lasso, RidgeClassifier, SGDClassifier, SGDRegressor, Perceptron
from sklearn.preprocessing import MaxAbsScaler, MinMaxScaler
from sklearn.svm import LinearSVC, LinearSVR


def listed(values):
    """values.tolist(), with numpy's log(0) written as the string "-inf" (JSON has no infinity)."""
    values = np.asarray(values)
    if values.dtype.kind == "f" and np.isneginf(values).any():
        return np.where(np.isneginf(values), "-inf", values.astype(object)).tolist()
    return values.tolist()


def record_both(name, model, functions, rows=X_test):
    save(name, model)
    dump_pickle(name, model, protocol=5)
    golden[name] = {
        "X": rows.tolist(),
        "predictions": {f: listed(getattr(model, f)(rows)) for f in functions},
    }


def dump_both(name, model):
    save(name, model)
    dump_pickle(name, model, protocol=4)


# Extra rows: large values (modified_huber clips decisions to [-1, 1]) and a zero row.
X_more = np.vstack([X_test, [[4.0, -4.0, 4.0], [-3.0, 3.0, -3.0], [0.0, 0.0, 0.0]]])
y_two = np.stack([y, X @ [0.25, 0.0, -1.0] - 1.0], axis=1)
classify = ["predict", "decision_function"]
# predict_log_proba is np.log(predict_proba) for these; modified_huber's clipped 0 gives -inf.
with_proba = ["predict", "predict_proba", "predict_log_proba", "decision_function"]
y_abc = np.array(["ant", "bee", "cow"])[y3]

# Regressors.
record_both("lasso", Lasso(alpha=0.05).fit(X, y), ["predict"], X_more)
record_both("elasticnet_two_targets", ElasticNet(alpha=0.05, l1_ratio=0.3).fit(X, y_two), ["predict"], X_more)
X32 = X.astype(np.float32)
record_both("lasso_float32", Lasso(alpha=0.05).fit(X32, y.astype(np.float32)), ["predict"], X_more.astype(np.float32))
# Without an intercept, intercept_ is the Python float 0.0: a weak scalar, so predict stays float32.
record_both(
    "linear_no_intercept_float32", LinearRegression(fit_intercept=False).fit(X32, y.astype(np.float32)), ["predict"],
    X_more.astype(np.float32),
)
record_both("sgd_regressor", SGDRegressor(random_state=0).fit(X, y), ["predict"], X_more)
record_both("linear_svr", LinearSVR(random_state=0, max_iter=10000).fit(X, y), ["predict"], X_more)

# Linear classifiers: binary (coef_ [1, n]) and one-vs-rest (coef_ [k, n]), str and int labels.
record_both("ridge_classifier_binary_str", RidgeClassifier().fit(X, ys), classify, X_more)
record_both("ridge_classifier_multi", RidgeClassifier(alpha=0.3).fit(X, y3), classify, X_more)
record_both(
    "ridge_classifier_float32", RidgeClassifier().fit(X32, y3), classify, X_more.astype(np.float32)
)
record_both("linear_svc_binary", LinearSVC(random_state=0).fit(X, yb), classify, X_more)
record_both("linear_svc_multi_str", LinearSVC(random_state=0).fit(X, y_abc), classify, X_more)
record_both("sgd_hinge_binary", SGDClassifier(random_state=0).fit(X, yb), classify, X_more)
record_both("sgd_hinge_multi", SGDClassifier(random_state=0).fit(X, y3), classify, X_more)
record_both("sgd_log_binary", SGDClassifier(loss="log_loss", random_state=0).fit(X, ys), with_proba, X_more)
record_both("sgd_log_multi", SGDClassifier(loss="log_loss", random_state=0).fit(X, y3), with_proba, X_more)
record_both(
    "sgd_huber_binary", SGDClassifier(loss="modified_huber", random_state=0).fit(X, yb), with_proba, X_more
)
huber_multi = SGDClassifier(loss="modified_huber", random_state=0).fit(X, y_abc)
record_both("sgd_huber_multi", huber_multi, with_proba, X_more)
uniform = SGDClassifier(loss="modified_huber", random_state=0).fit(X, y3)
uniform.coef_ = np.array([[1.0, 0.0, 0.0], [-1.0, 0.0, 0.0], [0.0, 0.0, 0.0]])
uniform.intercept_ = np.array([-2.0, -2.0, -1.5])
record_both("sgd_huber_uniform", uniform, with_proba, np.array([[0.0, 1.0, 2.0], [5.0, 0.0, 0.0], [-0.5, 3.0, 1.0]]))

# Ties, set by hand: binary decision exactly 0 (scikit-learn answers classes_[0]) and equal
# one-vs-rest scores (argmax answers the first).
ties_binary = LinearSVC(random_state=0).fit(X, yb)
ties_binary.coef_ = np.array([[1.0, -1.0, 0.0]])
ties_binary.intercept_ = np.array([0.0])
ties_multi = LinearSVC(random_state=0).fit(X, y3)
ties_multi.coef_ = np.array([[1.0, 0.0, 0.0], [1.0, 0.0, 0.0], [0.0, 1.0, 0.0]])
ties_multi.intercept_ = np.array([0.0, 0.0, 0.0])
ties_rows = np.array([[0.5, 0.5, 0.0], [2.0, 2.0, 1.0], [1.0, -1.0, 3.0], [0.0, 0.0, 0.0]])
record_both("linear_svc_ties_binary", ties_binary, classify, ties_rows)
record_both("linear_svc_ties_multi", ties_multi, classify, ties_rows)

# Pipelines with MinMaxScaler and MaxAbsScaler (and several scalers in a row), folded in order.
pipelines = [
    ("pipeline_minmax_logistic", make_pipeline(MinMaxScaler(), LogisticRegression(max_iter=500)), y3, with_proba),
    (
        "pipeline_scalers_svc",
        make_pipeline(MaxAbsScaler(), StandardScaler(), MinMaxScaler(feature_range=(-1, 2)), LinearSVC()),
        y_abc,
        classify,
    ),
    ("pipeline_maxabs_lasso", make_pipeline(MaxAbsScaler(), Lasso(alpha=0.05)), y, ["predict"]),
]
for name, model, target, functions in pipelines:
    model.fit(scaled, target)
    record_both(name, model, functions, np.vstack([scaled_test, scaled_test * 3.0]))

# A bool target: classes_ is numpy bool ('|b1'), predict answers bools (JSON true/false in golden.json).
y_bool = X[:, 0] - 0.5 * X[:, 2] > 0
record_both("logreg_bool_labels", LogisticRegression().fit(X, y_bool), with_proba, X_more)
record_both(
    "pipeline_scaler_logistic_bool",
    make_pipeline(StandardScaler(), LogisticRegression(max_iter=500)).fit(scaled, y_bool),
    ["predict", "predict_proba"],
    np.vstack([scaled_test, scaled_test * 3.0]),
)
# A float target (0.0/1.0, as Spark ML's label columns are; scikit-learn takes integral values only as classes):
# classes_ is float64, predict answers floats.
record_both("logreg_float_labels", LogisticRegression().fit(X, y_bool.astype(float)), ["predict", "predict_proba"], X_more)
record_both(
    "decision_tree_float_labels",
    DecisionTreeClassifier(max_depth=3, random_state=0).fit(X, np.array([-1.0, 0.0, 2.0])[y3]),
    ["predict", "predict_proba"],
    X_more,
)

# The other linear models whose predict is X @ coef_.T + intercept_, and the cross-validated and
# online classifiers: each read as the model it refits (coef_, intercept_, classes_).
from sklearn import linear_model as lm

record_both("ridge_cv", lm.RidgeCV(alphas=[0.1, 1.0, 10.0]).fit(X, y), ["predict"], X_more)
record_both("multitask_elasticnet_cv", lm.MultiTaskElasticNetCV(cv=3).fit(X, y_two), ["predict"], X_more)
record_both("lasso_lars_ic", lm.LassoLarsIC().fit(X, y), ["predict"], X_more)
record_both("bayesian_ridge", lm.BayesianRidge().fit(X, y), ["predict"], X_more)
record_both("huber_regressor", lm.HuberRegressor().fit(X, y), ["predict"], X_more)
record_both("logreg_cv_multi", lm.LogisticRegressionCV(cv=3).fit(X, y_abc), with_proba, X_more)
record_both("ridge_classifier_cv_binary", lm.RidgeClassifierCV().fit(X, ys), classify, X_more)
record_both("perceptron", Perceptron(random_state=0).fit(X, y3), classify, X_more)
record_both(
    "passive_aggressive_binary", lm.PassiveAggressiveClassifier(random_state=0).fit(X, yb), classify, X_more
)
# No intercept with three classes: intercept_ is the scalar 0.0 for three rows of coef_ (convert repeats it).
record_both("ridge_classifier_noint_multi", RidgeClassifier(fit_intercept=False).fit(X, y3), classify, X_more)
# L1 through l1_ratios: coefs_paths_ and scores_ are 4-D arrays per class, which nothing reads.
record_both(
    "logreg_cv_l1", lm.LogisticRegressionCV(cv=3, l1_ratios=[1.0], solver="saga", max_iter=5000).fit(X, y3),
    with_proba, X_more,
)

# Refused: MinMaxScaler(clip=True), a lone MinMaxScaler, an unsupported linear class, a
# multilabel RidgeClassifier.
dump_both("pipeline_minmax_clip", make_pipeline(MinMaxScaler(clip=True), Ridge()).fit(scaled, y))
dump_both("pipeline_maxabs_clip", make_pipeline(MaxAbsScaler(clip=True), LinearSVC()).fit(scaled, y3))
dump_both("lone_minmax", MinMaxScaler().fit(X))
from sklearn.preprocessing import LabelBinarizer

dump_both("lone_label_binarizer", LabelBinarizer().fit(ys))  # allowlisted only inside RidgeClassifier
from sklearn.svm import SVR

dump_both("svr", SVR().fit(X, y))  # a kernel model: refused, naming it
# A loss outside the allowlist: its _loss_function_ (skops LossNode, pickle global) is refused.
dump_both("sgd_squared_hinge", SGDClassifier(loss="squared_hinge", random_state=0).fit(X, yb))
dump_both("ridge_classifier_multilabel", RidgeClassifier().fit(X, np.stack([yb == 7, yb == 3, X[:, 2] > 0], axis=1).astype(int)))

with open(os.path.join(OUT, "golden.json"), "w") as handle:
    json.dump(golden, handle, indent=1, sort_keys=True)
    handle.write("\n")
