#!/usr/bin/env python3
"""The interop matrix of `make interop` (issue #6): ModelBundle against real MLflow, both ways.

Rerun (from the repository root, after `swift build -c release --product mbundle`):
    source Scripts/python-env.sh && "$venv/bin/python" Scripts/interop-matrix.py .build/release/mbundle
or with an existing virtualenv (mlflow 3.17.2, scikit-learn 1.9.1, skops 0.16.0, pandas 3.1.1, numpy 2.4.6):
    SETUPTOOLS_USE_DISTUTILS=stdlib MLFLOW_LOCK_MODEL_DEPENDENCIES=false \
        /work/pyenv/bin/python Scripts/interop-matrix.py .build/release/mbundle
Options: --quick (one serialization format, no `mlflow models predict` runs), --keep DIR (work there and
keep the bundles and inputs for a look afterwards), --verbose (one line per case), --only TEXT (only the
estimators whose name contains TEXT).

What it does (Docs/interop.md says more):
 (a) trains small seeded scikit-learn models, saves each with `mlflow.sklearn.save_model` for every
     serialization format (skops, pickle, cloudpickle), signature (pandas columns, numpy tensor), data
     dtype (float32, float64) and pyfunc_predict_fn, runs `mbundle predict` on JSON and CSV inputs and
     compares with MLflow's scoring path on the same bytes (mlflow.pyfunc.scoring_server.invocations,
     the function behind /invocations; for CSV into a tensor signature, which /invocations cannot parse,
     the `mlflow models predict -t csv` path). A few cases also run the real `mlflow models predict` CLI
     to show the in-process path writes the same predictions.
 (b) packages native bundles with `mbundle package` (the cases of check-packaged-interop.py) and converts
     every MLflow bundle with `mbundle convert`, loads the results with mlflow.pyfunc.load_model and
     compares with MLflow's predictions on the original.
 (c) sends inputs MLflow refuses and checks mbundle refuses them too (exit 1, an `error:` line, no output
     file); inputs MLflow accepts with silent loss and mbundle refuses are "explained" differences, each
     one a row of Docs/schema-enforcement.md's table of deliberate differences.
Numbers agree to 1e-9 relative (1e-5 with float32 data), relative to the larger of the two values or,
for values near zero, to the largest magnitude in the same prediction; labels agree exactly (type and
value). Prints a table and the line "cases N, agreed A, differed D (unexplained U)"; exits 1 when any
difference is unexplained, 2 on a usage error.
"""

import argparse
import contextlib
import importlib.util
import io
import json
import logging
import math
import os
import pathlib
import shutil
import subprocess
import sys
import tempfile
import time
import warnings

os.environ.setdefault("MLFLOW_ALLOW_PICKLE_DESERIALIZATION", "true")
os.environ.setdefault("MLFLOW_LOCK_MODEL_DEPENDENCIES", "false")
os.environ.setdefault("SETUPTOOLS_USE_DISTUTILS", "stdlib")
warnings.filterwarnings("ignore")

import mlflow  # noqa: E402
import mlflow.pyfunc  # noqa: E402
import mlflow.sklearn  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import sklearn  # noqa: E402
from mlflow.models import infer_signature  # noqa: E402
from mlflow.pyfunc import scoring_server  # noqa: E402
from mlflow.pyfunc.utils.environment import _simulate_serving_environment  # noqa: E402
from sklearn.linear_model import (  # noqa: E402
    ElasticNet,
    Lasso,
    LinearRegression,
    LogisticRegression,
    Ridge,
    RidgeClassifier,
    SGDClassifier,
    SGDRegressor,
)
from sklearn.pipeline import make_pipeline  # noqa: E402
from sklearn.preprocessing import MaxAbsScaler, MinMaxScaler, StandardScaler  # noqa: E402
from sklearn.svm import LinearSVC, LinearSVR  # noqa: E402

logging.getLogger("mlflow").setLevel(logging.ERROR)

ROOT = pathlib.Path(__file__).resolve().parent.parent
RTOL = 1e-9
RTOL_FLOAT32 = 1e-5
N_FEATURES = 4
FORMATS = ("skops", "pickle", "cloudpickle")
SIGNATURES = ("columns", "tensor")
DTYPES = ("float64", "float32")
# Explicit requirements: inferring them would start a subprocess per bundle.
REQUIREMENTS = [f"scikit-learn=={sklearn.__version__}", f"numpy=={np.__version__}", f"pandas=={pd.__version__}"]

# The deliberate differences of Docs/schema-enforcement.md that probes below run into: MLflow accepts the
# input and loses something silently, ModelBundle refuses it (exit 1). Keyed by probe name.
EXPLAINED = {
    "fraction into integer": "schema-enforcement.md #1: 1.7 into a long column or int64 tensor is truncated to 1 by "
    "MLflow, refused by ModelBundle (type)",
    "csv-tensor": "schema-enforcement.md #9: `mlflow models predict -t csv` parses CSV without the schema, so a "
    "float32 tensor model refuses every CSV (float64 columns); /invocations cannot parse CSV for a tensor signature "
    "at all; ModelBundle parses CSV with the schema",
    "integer-beyond-2^53": "schema-enforcement.md #6: an integer beyond 2^53 into double is rounded by MLflow, "
    "refused by ModelBundle (range)",
    "boolean-into-number": "schema-enforcement.md #3: true into a number column becomes 1 in MLflow, "
    "refused by ModelBundle (type)",
}

# The estimators the refusal probes (c) run on: kernels of every kind, string labels, a pipeline.
REFUSAL_SAMPLE = ("LinearRegression int64 data", "LogisticRegression binary", "LogisticRegression multinomial str",
                  "LinearRegression", "Ridge", "SGDRegressor", "LinearSVC multiclass",
                  "Pipeline StandardScaler+LogisticRegression")


# ---------------------------------------------------------------------------------------------------------
# The estimators


class Estimator:
    """One row of the matrix: how to build and fit it, its labels and the predict functions to record."""

    def __init__(self, name, make, task, classes=0, labels="int", fns=("predict",)):
        self.name, self.make, self.task, self.classes, self.labels, self.fns = name, make, task, classes, labels, fns

    def fit(self, dtype, seed):
        rng = np.random.default_rng(seed)
        X = rng.normal(size=(120, N_FEATURES)) * np.array([1.0, 2.0, 0.5, 3.0]) + np.array([0.5, -1.0, 2.0, 0.0])
        X = X.astype(dtype)
        w = rng.normal(size=N_FEATURES)
        score = (X.astype(np.float64) - X.astype(np.float64).mean(axis=0)) @ w
        if self.task == "regression":
            y = score + 0.1 * rng.normal(size=len(X)) + 3.0
        else:
            edges = np.quantile(score, np.linspace(0, 1, self.classes + 1)[1:-1])
            index = np.searchsorted(edges, score)
            names = {"int": [0, 1, 2, 3], "int-odd": [3, 7, 11, 20], "str": ["bird", "cat", "dog", "eel"],
                     "bool": [False, True]}
            dtypes = {"str": object, "bool": bool}
            y = np.array(names[self.labels][: self.classes], dtype=dtypes.get(self.labels, np.int64))[index]
        return self.make().fit(X, y)


def estimators():
    # MLflow's sklearn pyfunc offers predict, predict_proba, predict_log_proba, predict_joint_log_proba and score;
    # a bundle saved with pyfunc_predict_fn="decision_function" does not load in MLflow, so decision_function
    # is covered by the `mbundle package` cases only.
    WITH_PROBA = ("predict", "predict_proba")
    # predict_log_proba is np.log(predict_proba); convert refuses it (the native flavors have none).
    WITH_LOG = WITH_PROBA + ("predict_log_proba",)
    PREDICT = ("predict",)
    sgd_c = lambda: SGDClassifier(loss="log_loss", random_state=0, max_iter=2000, tol=1e-6)  # noqa: E731
    return [
        Estimator("LogisticRegression binary", LogisticRegression, "classification", 2, "int", WITH_PROBA),
        Estimator("LogisticRegression binary str", LogisticRegression, "classification", 2, "str", PREDICT),
        # A bool target: classes_ is numpy bool, and MLflow answers JSON true/false.
        Estimator("LogisticRegression binary bool", LogisticRegression, "classification", 2, "bool", WITH_PROBA),
        Estimator("LogisticRegression multinomial", LogisticRegression, "classification", 3, "int-odd", WITH_LOG),
        Estimator("LogisticRegression multinomial str", LogisticRegression, "classification", 3, "str", WITH_PROBA),
        Estimator("LinearRegression", LinearRegression, "regression"),
        Estimator("Ridge", lambda: Ridge(alpha=0.5), "regression"),
        Estimator("RidgeClassifier binary", lambda: RidgeClassifier(alpha=0.5), "classification", 2, "int", PREDICT),
        Estimator("RidgeClassifier multiclass str", lambda: RidgeClassifier(alpha=0.5), "classification", 3, "str",
                  PREDICT),
        Estimator("Lasso", lambda: Lasso(alpha=0.01), "regression"),
        Estimator("ElasticNet", lambda: ElasticNet(alpha=0.01, l1_ratio=0.5), "regression"),
        Estimator("SGDClassifier binary", sgd_c, "classification", 2, "int", WITH_LOG),
        Estimator("SGDClassifier multiclass str", sgd_c, "classification", 3, "str", PREDICT),
        Estimator("SGDRegressor", lambda: SGDRegressor(random_state=0, max_iter=2000, tol=1e-6), "regression"),
        Estimator("LinearSVC binary", lambda: LinearSVC(random_state=0), "classification", 2, "int", PREDICT),
        Estimator("LinearSVC multiclass", lambda: LinearSVC(random_state=0), "classification", 3, "int", PREDICT),
        Estimator("LinearSVR", lambda: LinearSVR(random_state=0, max_iter=5000), "regression"),
        Estimator("Pipeline StandardScaler+LogisticRegression",
                  lambda: make_pipeline(StandardScaler(), LogisticRegression()), "classification", 3, "int",
                  WITH_LOG),
        Estimator("Pipeline StandardScaler+LogisticRegression bool",
                  lambda: make_pipeline(StandardScaler(), LogisticRegression()), "classification", 2, "bool",
                  PREDICT),
        Estimator("Pipeline MinMaxScaler+Ridge", lambda: make_pipeline(MinMaxScaler(), Ridge(alpha=0.5)),
                  "regression"),
        Estimator("Pipeline MaxAbsScaler+LinearSVC str",
                  lambda: make_pipeline(MaxAbsScaler(), LinearSVC(random_state=0)), "classification", 2, "str",
                  PREDICT),
        Estimator("Pipeline StandardScaler+MaxAbsScaler+LinearRegression",
                  lambda: make_pipeline(StandardScaler(), MaxAbsScaler(), LinearRegression()), "regression"),
    ]


# ---------------------------------------------------------------------------------------------------------
# Results


class Tally:
    """Every case's outcome, grouped for the table."""

    def __init__(self, verbose):
        self.rows = {}  # group -> [run, agreed, differed, explained]
        self.differences = []  # (group, case, message, explained?)
        self.probes = {}  # probe name -> {(MLflow accepts?, mbundle accepts?): count}
        self.facets = {}  # dimension -> value -> [run, agreed, differed, explained], for (a) only
        self.largest = {}  # data dtype -> largest relative difference among the agreeing cases of (a)
        self.verbose = verbose

    def add(self, group, case, problem=None, explained=None, facets=None):
        """One case; `facets` (dimension -> value) also count it in the summaries of the matrix (a)."""
        rows = [self.rows.setdefault(group, [0, 0, 0, 0])]
        rows += [self.facets.setdefault(dimension, {}).setdefault(value, [0, 0, 0, 0])
                 for dimension, value in (facets or {}).items()]
        for row in rows:
            row[0] += 1
            row[1] += problem is None
            row[2] += problem is not None
            row[3] += problem is not None and explained is not None
        if problem is not None:
            self.differences.append((group, case, problem, explained))
        if self.verbose:
            state = "ok" if problem is None else ("explained: " if explained else "DIFFERS: ") + problem
            print(f"  {group} | {case}: {state}", flush=True)


def leaves(value, shape=(), out=None):
    """(shape, flat leaves) of a JSON value; shape None when ragged."""
    out = [] if out is None else out
    if isinstance(value, list):
        shapes = set()
        for element in value:
            element_shape, _ = leaves(element, (), out)
            shapes.add(element_shape)
        inner = shapes.pop() if len(shapes) == 1 else (() if not shapes else None)
        return ((len(value),) + inner if inner is not None else None), out
    if isinstance(value, dict):
        return None, out
    out.append(value)
    return (), out


def compare(ours, theirs, rtol):
    """None when two JSON prediction values agree: labels exactly (type and value), numbers to rtol."""
    our_shape, our_leaves = leaves(ours)
    their_shape, their_leaves = leaves(theirs)
    if our_shape is None or our_shape != their_shape:
        return f"shape {our_shape} != MLflow's {their_shape}"
    numbers = [abs(v) for v in their_leaves if isinstance(v, float) and math.isfinite(v)]
    scale = max(numbers, default=0.0)
    for index, (a, b) in enumerate(zip(our_leaves, their_leaves)):
        if isinstance(b, float) and not isinstance(b, bool):
            # MLflow writes every float with a decimal point or exponent (1.0, not 1); so must we.
            if not isinstance(a, float):
                return f"element {index}: {a!r} ({type(a).__name__}) where MLflow has the float {b!r}"
            if math.isnan(b) or math.isnan(a):
                if not (math.isnan(a) and math.isnan(b)):
                    return f"element {index}: {a!r} != MLflow's {b!r}"
                continue
            difference = abs(a - b)
            if difference == 0:
                continue
            if difference > rtol * max(abs(a), abs(b)) and difference > rtol * scale:
                relative = difference / max(abs(a), abs(b))
                return f"element {index}: {a!r} != MLflow's {b!r} (relative {relative:.3g} > {rtol})"
        elif type(a) is not type(b) or a != b:
            return f"element {index}: {a!r} ({type(a).__name__}) != MLflow's {b!r} ({type(b).__name__})"
    return None


def largest_difference(ours, theirs):
    """The largest difference between two agreeing predictions, in the units compare() judges them by."""
    _, our_leaves = leaves(ours)
    _, their_leaves = leaves(theirs)
    floats = [(a, b) for a, b in zip(our_leaves, their_leaves) if isinstance(b, float) and isinstance(a, float)
              and math.isfinite(a) and math.isfinite(b)]
    scale = max((abs(b) for _, b in floats), default=0.0)
    return max((abs(a - b) / max(abs(a), abs(b), scale) for a, b in floats if a != b), default=0.0)


def check_comparator():
    """The judge must be able to say no: a few differences it has to see before any case is believed."""
    must_differ = [([1.0], [1.0 + 1e-8], RTOL), ([1.0], [1.0 + 2e-5], RTOL_FLOAT32), ([1], [1.0], 0.0),
                   (["a"], ["b"], 0.0), ([[1.0, 2.0]], [1.0, 2.0], 0.0), ([1.0, 2.0], [1.0, 2.0, 3.0], 0.0),
                   ([True], [1.0], RTOL), ([1.0], [float("nan")], RTOL)]
    must_agree = [([1.0], [1.0 + 1e-12], RTOL), ([[0.5, 1e-20]], [[0.5, 2e-20]], RTOL), (["a", 3], ["a", 3], 0.0)]
    for ours, theirs, rtol in must_differ:
        assert compare(ours, theirs, rtol) is not None, f"comparator accepts {ours} against {theirs}"
    for ours, theirs, rtol in must_agree:
        assert compare(ours, theirs, rtol) is None, f"comparator refuses {ours} against {theirs}"


# ---------------------------------------------------------------------------------------------------------
# Both sides of one case


class Outcome:
    """Predictions or a refusal; `cast` holds MLflow's predictions on the CSV's values cast to the tensor's dtype
    when the `models predict -t csv` path refuses a float32 tensor model's CSV (it parses without the schema)."""

    def __init__(self, predictions=None, error=None, cast=None):
        self.predictions, self.error, self.cast = predictions, error, cast

    @property
    def accepted(self):
        return self.error is None


def mlflow_scores(model, signature_kind, text, content_type):
    """MLflow's answer to a request body: the scoring server's own parsing and predict."""
    with _simulate_serving_environment():
        try:
            if content_type == "csv" and signature_kind == "tensor":
                # /invocations cannot parse CSV for a tensor signature (parse_csv_input asks a TensorSpec for
                # pandas types and fails), so use the `mlflow models predict -t csv` path: no schema.
                data = scoring_server.parse_csv_input(io.StringIO(text))
                try:
                    return Outcome(predictions_json(model.predict(data)))
                except Exception as error:  # noqa: BLE001
                    dtype = model.metadata.get_input_schema().numpy_types()[0]
                    cast = predictions_json(model.predict(data.to_numpy(dtype=dtype)))
                    return Outcome(error=f"{type(error).__name__}: {refusal_text(error)}", cast=cast)
            mime = "text/csv" if content_type == "csv" else "application/json"
            response = scoring_server.invocations(text, mime, model, model.metadata.get_input_schema())
            if response.status != 200:
                return Outcome(error=f"status {response.status}: {response.response[:200]}")
            return Outcome(json.loads(response.response)["predictions"])
        except Exception as error:  # noqa: BLE001 - a refusal is any exception the serving path raises
            return Outcome(error=f"{type(error).__name__}: {refusal_text(error)}")


def predictions_json(predictions):
    """MLflow's JSON encoding of predictions (predictions_to_json), decoded again."""
    out = io.StringIO()
    scoring_server.predictions_to_json(predictions, out)
    return json.loads(out.getvalue())["predictions"]


def refusal_text(error):
    message = (getattr(error, "message", None) or str(error)).strip().splitlines() or [""]
    return message[-1][:200]


def mbundle_predicts(mbundle, bundle, input_path, work):
    """`mbundle predict -m BUNDLE -i INPUT -o OUT`: predictions, or the refusal with what it must look like."""
    out = os.path.join(work, "out.json")
    if os.path.exists(out):
        os.remove(out)
    run = subprocess.run([mbundle, "predict", "-m", bundle, "-i", input_path, "-o", out],
                         capture_output=True, text=True, timeout=60)
    if run.returncode == 0:
        with open(out) as f:
            return Outcome(json.load(f)["predictions"]), run
    first = (run.stderr.strip().splitlines() or ["(no stderr)"])[0]
    return Outcome(error=f"exit {run.returncode}: {first[:300]}"), run


def refusal_problem(run, out_exists):
    """What is wrong with a refusal's form (DESIGN.md §4): exit 1, one `error:` line, no output file."""
    problems = []
    if run.returncode != 1:
        problems.append(f"exit {run.returncode}, expected 1")
    if not run.stderr.startswith("error:"):
        problems.append("stderr does not begin with 'error:'")
    if out_exists:
        problems.append("an output file was written")
    return "; ".join(problems) or None


# ---------------------------------------------------------------------------------------------------------
# Inputs


def scoring_rows(dtype):
    """Fresh rows: a zero row, ordinary values, large and tiny magnitudes; exact in the data's dtype."""
    rng = np.random.default_rng(424242)
    X = rng.normal(size=(7, N_FEATURES)) * np.array([1.0, 2.0, 0.5, 3.0]) + np.array([0.5, -1.0, 2.0, 0.0])
    X = np.vstack([np.zeros(N_FEATURES), X, [1e3, -2e3, 1e-7, 250.5]])
    return X.astype(dtype)


def column_names():
    return [f"x{i}" for i in range(N_FEATURES)]


def write_inputs(directory, signature_kind, X):
    """The request files every model of one signature × dtype is scored on, by kind."""
    os.makedirs(directory, exist_ok=True)
    rows, names = X.astype(np.float64).tolist(), column_names()  # float32 values are exact in float64
    files = {}

    def dump(name, body):
        path = os.path.join(directory, name)
        with open(path, "w") as f:
            f.write(body if isinstance(body, str) else json.dumps(body))
        files[name.split(".")[0]] = path

    if signature_kind == "columns":
        dump("split.json", {"dataframe_split": {"columns": names, "data": rows}})
        dump("records.json", {"dataframe_records": [dict(zip(names, row)) for row in rows]})
    else:
        dump("inputs.json", {"inputs": rows})
        dump("instances.json", {"instances": rows})
    # repr() of a float64 round-trips, so the CSV carries exactly the JSON's values.
    dump("input.csv", ",".join(names) + "\n" + "".join(",".join(repr(v) for v in row) + "\n" for row in rows))
    return files


# ---------------------------------------------------------------------------------------------------------
# (a) MLflow bundles scored by both


def save_bundle(path, model, fmt, signature_kind, dtype, fn, X):
    frame = pd.DataFrame(X, columns=column_names()) if signature_kind == "columns" else X
    signature = infer_signature(frame, np.asarray(getattr(model, fn)(X)))
    mlflow.sklearn.save_model(model, path, serialization_format=fmt, signature=signature,
                              pip_requirements=REQUIREMENTS, pyfunc_predict_fn=fn)


def run_matrix(mbundle, work, formats, tally, bundles, only):
    for number, estimator in enumerate(estimators()):
        if only and only not in estimator.name:
            continue
        for dtype in DTYPES:
            model = estimator.fit(np.dtype(dtype), seed=1000 + number)
            X = scoring_rows(dtype)
            for signature_kind in SIGNATURES:
                inputs = write_inputs(os.path.join(work, "inputs", f"{signature_kind}-{dtype}"), signature_kind,
                                      X)
                for fmt in formats:
                    group = f"{estimator.name} | {fmt}"
                    for fn in estimator.fns:
                        case = f"{signature_kind} {dtype} {fn}"
                        path = os.path.join(work, "bundles", f"{number:02d}-{fmt}-{signature_kind}-{dtype}-{fn}")
                        try:
                            save_bundle(path, model, fmt, signature_kind, dtype, fn, X)
                            pyfunc = mlflow.pyfunc.load_model(path)
                        except Exception as error:  # noqa: BLE001 - MLflow itself failing is a finding too
                            tally.add(group, case, f"MLflow could not save/load: {error}")
                            continue
                        bundles.append(dict(path=path, estimator=estimator, fmt=fmt, signature=signature_kind,
                                            dtype=dtype, fn=fn, pyfunc=pyfunc, inputs=inputs, group=group))
                        kinds = ["split", "input"] if signature_kind == "columns" else ["inputs", "input"]
                        if fmt == "skops" and fn == estimator.fns[0]:
                            kinds.append("records" if signature_kind == "columns" else "instances")
                        rtol = RTOL_FLOAT32 if dtype == "float32" else RTOL
                        for kind in kinds:
                            content_type = "csv" if kind == "input" else "json"
                            with open(inputs[kind]) as f:
                                text = f.read()
                            theirs = mlflow_scores(pyfunc, signature_kind, text, content_type)
                            ours, _ = mbundle_predicts(mbundle, path, inputs[kind], work)
                            explained = None
                            if not theirs.accepted and theirs.cast is not None:
                                problem = compare(ours.predictions, theirs.cast, rtol) if ours.accepted \
                                    else f"mbundle refused: {ours.error}"
                                if problem is None:
                                    problem = f"MLflow refuses ({theirs.error}), mbundle accepts and predicts what " \
                                        "MLflow predicts on the values cast to float32"
                                    explained = EXPLAINED["csv-tensor"]
                            elif not theirs.accepted:
                                problem = f"MLflow refused its own model's input: {theirs.error}"
                            elif not ours.accepted:
                                problem = f"mbundle refused: {ours.error}"
                            else:
                                problem = compare(ours.predictions, theirs.predictions, rtol)
                                if problem is None:
                                    tally.largest[dtype] = max(tally.largest.get(dtype, 0.0),
                                                               largest_difference(ours.predictions,
                                                                                  theirs.predictions))
                            tally.add(group, f"{case} {kind}.{content_type}", problem, explained,
                                      facets={"signature, dtype": f"{signature_kind} {dtype}",
                                              "serialization format": fmt, "predict_fn": fn,
                                              "input": f"{kind}.{content_type}"})


# ---------------------------------------------------------------------------------------------------------
# (c) refusals and explained differences


def probes(signature_kind, dtype):
    """(name, content type, body): inputs MLflow refuses, or accepts with loss (names in EXPLAINED)."""
    names = column_names()
    row = [0.5, -1.0, 2.0, 0.25]
    split = lambda columns, data: json.dumps({"dataframe_split": {"columns": columns, "data": data}})  # noqa: E731
    inputs = lambda data: json.dumps({"inputs": data})  # noqa: E731
    if dtype == "int64":
        whole = [2, -1, 3, 0]
        if signature_kind == "columns":
            return [("fraction into integer", "json", split(names, [whole, [1.7] + whole[1:]])),
                    ("integral float into integer", "json", split(names, [whole, [2.0, -1.0, 3.0, 0.0]])),
                    ("fraction into integer csv", "csv", ",".join(names) + "\n2,-1,3,0\n1.7,-1,3,0\n")]
        return [("fraction into integer", "json", inputs([whole, [1.7] + whole[1:]])),
                ("integral float into integer", "json", inputs([whole, [2.0, -1.0, 3.0, 0.0]]))]
    if signature_kind == "columns":
        out = [
            ("missing column", "json", split(names[1:], [row[1:], row[1:]])),
            ("missing column csv", "csv", ",".join(names[1:]) + "\n1.5,2.5,3.5\n"),
            ("unconvertible text", "json", split(names, [row, ["abc"] + row[1:]])),
            ("unconvertible text csv", "csv", ",".join(names) + "\n0.5,1,2,3\nabc,1,2,3\n"),
            ("NaN literal", "json", '{"dataframe_split": {"columns": %s, "data": [[NaN, 1.0, 2.0, 3.0]]}}'
             % json.dumps(names)),
            ("null into double", "json", split(names, [row, [None] + row[1:]])),
            ("integer-beyond-2^53", "json", split(names, [row, [9007199254740993] + row[1:]])),
            ("boolean-into-number", "json", split(names, [[True] + row[1:], row])),
            ("extra column dropped", "json", split(names + ["extra"], [row + [7.0], row + [8.0]])),
            ("many digits", "json", split(names, [[0.1234567890123456789, 1e-300 if dtype == "float64" else 1e-30,
                                                   123456.78901234567, -2.5]])),
        ]
    else:
        out = [
            ("wrong shape", "json", inputs([row[1:], row[1:]])),
            ("wrong shape csv", "csv", ",".join(names[1:]) + "\n1.5,2.5,3.5\n"),
            ("unconvertible text", "json", inputs([row, ["abc"] + row[1:]])),
            ("NaN literal", "json", '{"inputs": [[NaN, 1.0, 2.0, 3.0]]}'),
            ("integer-beyond-2^53", "json", inputs([row, [9007199254740993] + row[1:]])),
            ("boolean-into-number", "json", inputs([[True] + row[1:], row])),
        ]
    if dtype == "float32":
        # Beyond float32's range: MLflow makes it Infinity and scikit-learn refuses it; so do we (non_finite).
        beyond = [1e39] + row[1:]
        out.append(("beyond float32", "json", split(names, [beyond]) if signature_kind == "columns"
                    else inputs([beyond])))
    return out


def integer_bundles(work):
    """LinearRegression fitted on int64 data, so the signature has long columns / an int64 tensor (skops)."""
    estimator = Estimator("LinearRegression int64 data", LinearRegression, "regression")
    rng = np.random.default_rng(77)
    X = rng.integers(-5, 6, size=(40, N_FEATURES)).astype(np.int64)
    model = LinearRegression().fit(X, X @ np.array([1.5, -2.0, 0.25, 3.0]) + rng.normal(size=len(X)))
    out = []
    for signature_kind in SIGNATURES:
        path = os.path.join(work, "bundles", f"int64-skops-{signature_kind}")
        save_bundle(path, model, "skops", signature_kind, "int64", "predict", X)
        out.append(dict(path=path, estimator=estimator, fmt="skops", signature=signature_kind, dtype="int64",
                        fn="predict", pyfunc=mlflow.pyfunc.load_model(path)))
    return out


def run_refusals(mbundle, work, bundles, tally):
    """A sample of the matrix: a few estimators, skops only, the first predict_fn; both signatures and dtypes."""
    directory = os.path.join(work, "probes")
    os.makedirs(directory, exist_ok=True)
    for bundle in bundles + integer_bundles(work):
        if bundle["fmt"] != "skops" or bundle["fn"] != bundle["estimator"].fns[0] or \
                bundle["estimator"].name not in REFUSAL_SAMPLE:
            continue
        group = f"refusals | {bundle['signature']} {bundle['dtype']}"
        rtol = RTOL_FLOAT32 if bundle["dtype"] == "float32" else RTOL
        for name, content_type, body in probes(bundle["signature"], bundle["dtype"]):
            path = os.path.join(directory, name.replace(" ", "-") + "." + content_type)
            with open(path, "w") as f:
                f.write(body)
            case = f"{bundle['estimator'].name}: {name}"
            theirs = mlflow_scores(bundle["pyfunc"], bundle["signature"], body, content_type)
            ours, run = mbundle_predicts(mbundle, bundle["path"], path, work)
            answers = tally.probes.setdefault(name, {})
            answers[theirs.accepted, ours.accepted] = answers.get((theirs.accepted, ours.accepted), 0) + 1
            if theirs.accepted and ours.accepted:
                tally.add(group, case, compare(ours.predictions, theirs.predictions, rtol))
            elif not theirs.accepted and not ours.accepted:
                tally.add(group, case, refusal_problem(run, os.path.exists(os.path.join(work, "out.json"))))
            elif theirs.accepted:
                explained = EXPLAINED.get(name) if run.returncode == 1 and run.stderr.startswith("error:") else None
                tally.add(group, case, f"MLflow accepts, mbundle refuses: {ours.error}", explained)
            else:
                tally.add(group, case, f"MLflow refuses ({theirs.error}), mbundle accepts")


# ---------------------------------------------------------------------------------------------------------
# (b) the other way: mbundle convert and mbundle package, judged by mlflow.pyfunc


def convert_available(mbundle):
    """Whether this binary has `convert`: without it, ArgumentParser answers `convert --help` with the top-level
    help (exit 0) and `convert -m …` with "Unknown option" (exit 64)."""
    run = subprocess.run([mbundle, "convert", "--help"], capture_output=True, text=True, timeout=60)
    if run.returncode == 0 and "USAGE: mbundle convert" in run.stdout:
        return True, ""
    run = subprocess.run([mbundle, "convert", "-m", "MODEL", "-o", "DIR"], capture_output=True, text=True, timeout=60)
    return False, " ".join(run.stderr.split())[:200]


def run_convert(mbundle, work, bundles, tally):
    available, message = convert_available(mbundle)
    for bundle in bundles:
        group = f"convert | {bundle['fmt']}"
        case = f"{bundle['estimator'].name} {bundle['signature']} {bundle['dtype']} {bundle['fn']}"
        if not available:
            tally.add(group, case, f"mbundle convert is not available in this binary ({message})")
            continue
        target = bundle["path"] + "-converted"
        run = subprocess.run([mbundle, "convert", "-m", bundle["path"], "-o", target],
                             capture_output=True, text=True, timeout=60)
        if bundle["fn"] == "predict_log_proba":
            refused = run.returncode != 0 and "predict_log_proba" in run.stderr and not os.path.exists(target)
            tally.add(group, case, None if refused else f"convert of a predict_log_proba bundle was not refused "
                      f"(exit {run.returncode}: {run.stderr.strip()[:200]})")
            continue
        if run.returncode != 0:
            tally.add(group, case, f"mbundle convert exit {run.returncode}: {run.stderr.strip()[:300]}")
            continue
        try:
            converted = mlflow.pyfunc.load_model(target)
        except Exception as error:  # noqa: BLE001
            tally.add(group, case, f"mlflow.pyfunc.load_model of the converted bundle: {error}")
            continue
        kind = "split" if bundle["signature"] == "columns" else "inputs"
        with open(bundle["inputs"][kind]) as f:
            text = f.read()
        theirs = mlflow_scores(bundle["pyfunc"], bundle["signature"], text, "json")
        again = mlflow_scores(converted, bundle["signature"], text, "json")
        if not (theirs.accepted and again.accepted):
            tally.add(group, case, f"refused: original {theirs.error}, converted {again.error}")
            continue
        rtol = RTOL_FLOAT32 if bundle["dtype"] == "float32" else RTOL
        tally.add(group, case, compare(again.predictions, theirs.predictions, rtol))


def run_packaged(mbundle, work, tally):
    """The cases of check-packaged-interop.py: `mbundle package`, then mlflow.pyfunc and mbundle vs sklearn."""
    path = ROOT / "Scripts" / "check-packaged-interop.py"
    spec = importlib.util.spec_from_file_location("check_packaged_interop", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    rng = np.random.default_rng(20261122)
    directory = os.path.join(work, "packaged")
    os.makedirs(directory)
    for case in module.CASES:
        try:
            problem, _ = module.run_case(mbundle, directory, case, rng)
        except Exception as error:  # noqa: BLE001
            problem = f"{type(error).__name__}: {error}"
        tally.add(f"package | {case['kind']}", case["name"], problem)
    with contextlib.redirect_stdout(io.StringIO()) as printed:
        module.check_sample_models()
    for line in printed.getvalue().splitlines():
        name, _, result = line.removeprefix("sample model ").partition(" ")
        result = result.strip()
        tally.add("package | SampleModels", name, None if result == "ok" else result)


# ---------------------------------------------------------------------------------------------------------
# The real `mlflow models predict` on a handful of cases: the in-process path above is what it does


def start_cli_runs(work, bundles):
    """Starts the CLI runs in the background (each spends seconds importing MLflow); finish_cli_runs waits."""
    wanted = [("LogisticRegression multinomial", "skops", "columns", "float64", "predict_proba", "split"),
              ("LinearRegression", "pickle", "tensor", "float32", "predict", "inputs"),
              ("LogisticRegression multinomial str", "cloudpickle", "columns", "float64", "predict", "input"),
              ("Ridge", "skops", "tensor", "float64", "predict", "input")]
    picks = [(bundle, kind) for name, fmt, signature_kind, dtype, fn, kind in wanted for bundle in bundles
             if (bundle["estimator"].name, bundle["fmt"], bundle["signature"], bundle["dtype"], bundle["fn"])
             == (name, fmt, signature_kind, dtype, fn)]
    runs = []
    for number, (bundle, kind) in enumerate(picks):
        out = os.path.join(work, f"cli-{number}.json")
        content_type = "csv" if kind == "input" else "json"
        command = [sys.executable, "-m", "mlflow", "models", "predict", "-m", bundle["path"], "-i",
                   bundle["inputs"][kind], "-o", out, "-t", content_type, "--env-manager", "local"]
        process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        runs.append((bundle, kind, content_type, out, process))
    return runs


def finish_cli_runs(runs, tally):
    for bundle, kind, content_type, out, process in runs:
        _, stderr = process.communicate(timeout=300)
        case = f"{bundle['estimator'].name} {bundle['fmt']} {bundle['signature']} {bundle['dtype']} {bundle['fn']} " \
               f"{kind}.{content_type}"
        if process.returncode != 0:
            tally.add("mlflow models predict = in-process", case,
                      f"mlflow models predict exit {process.returncode}: {stderr.strip().splitlines()[-1:]}")
            continue
        with open(out) as f:
            cli = json.load(f)["predictions"]
        with open(bundle["inputs"][kind]) as f:
            in_process = mlflow_scores(bundle["pyfunc"], bundle["signature"], f.read(), content_type)
        problem = "in-process path refused" if not in_process.accepted else compare(cli, in_process.predictions, 0.0)
        tally.add("mlflow models predict = in-process", case, problem)


# ---------------------------------------------------------------------------------------------------------


def print_table(tally):
    width = max(len(group) for group in tally.rows)
    print(f"\n{'group':<{width}}  {'cases':>5} {'agreed':>6} {'differed':>8} {'explained':>9}")
    print(f"{'-' * width}  {'-' * 5} {'-' * 6} {'-' * 8} {'-' * 9}")
    for group, (run, agreed, differed, explained) in tally.rows.items():
        print(f"{group:<{width}}  {run:>5} {agreed:>6} {differed:>8} {explained:>9}")

    for dimension, values in tally.facets.items():
        print(f"\n{'(a) by ' + dimension:<26} {'cases':>5} {'agreed':>6} {'differed':>8} {'explained':>9}")
        for value, (run, agreed, differed, explained) in values.items():
            print(f"  {value:<24} {run:>5} {agreed:>6} {differed:>8} {explained:>9}")

    if tally.largest:
        print("\n(a) largest relative difference where mbundle and MLflow agree: " + ", ".join(
            f"{dtype} data {value:.2g}" for dtype, value in tally.largest.items()))

    if tally.probes:
        print("\nRefusal probes (c): how often each side accepted / refused")
        print(f"  {'probe':<26} {'both accept':>11} {'both refuse':>11} {'only MLflow accepts':>19} "
              f"{'only mbundle accepts':>20}")
        for name, answers in tally.probes.items():
            counts = [answers.get(key, 0) for key in ((True, True), (False, False), (True, False), (False, True))]
            print(f"  {name:<26} {counts[0]:>11} {counts[1]:>11} {counts[2]:>19} {counts[3]:>20}")

    if tally.differences:
        print("\nDifferences (grouped by message; unexplained first):")
        summary = {}
        for group, case, problem, explained in tally.differences:
            estimator = group.split(" | ")[0]
            key = (explained is not None, estimator, explained or problem)
            summary.setdefault(key, []).append(case)
        for (is_explained, estimator, message), cases in sorted(summary.items(), key=lambda item: item[0][:2]):
            tag = "explained" if is_explained else "UNEXPLAINED"
            print(f"  [{tag}] {estimator}: {len(cases)} case(s), e.g. {cases[0]}\n      {message}")

    totals = [sum(row[i] for row in tally.rows.values()) for i in range(4)]
    print(f"\ncases {totals[0]}, agreed {totals[1]}, differed {totals[2]} (unexplained {totals[2] - totals[3]})")
    return totals[2] - totals[3]


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("mbundle")
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--keep")
    parser.add_argument("--verbose", action="store_true")
    parser.add_argument("--only", help="run only the estimators whose name contains this text")
    args = parser.parse_args()
    mbundle = os.path.abspath(args.mbundle)
    if not os.access(mbundle, os.X_OK):
        print(f"error: {args.mbundle} is not an executable", file=sys.stderr)
        return 2
    started = time.monotonic()
    check_comparator()
    tally = Tally(args.verbose)
    formats = FORMATS[:1] if args.quick else FORMATS
    with contextlib.ExitStack() as stack:
        if args.keep:
            work = os.path.abspath(args.keep)
            shutil.rmtree(work, ignore_errors=True)
            os.makedirs(work)
        else:
            work = stack.enter_context(tempfile.TemporaryDirectory(prefix="interop-matrix-"))
        bundles = []
        print("== (a) MLflow-written bundles: mbundle predict vs MLflow's scoring path", file=sys.stderr)
        run_matrix(mbundle, work, formats, tally, bundles, args.only)
        cli_runs = [] if args.quick else start_cli_runs(work, bundles)
        print(f"== (c) refusals ({time.monotonic() - started:.0f} s)", file=sys.stderr)
        run_refusals(mbundle, work, bundles, tally)
        print(f"== (b) mbundle convert and mbundle package, loaded by mlflow.pyfunc "
              f"({time.monotonic() - started:.0f} s)", file=sys.stderr)
        run_convert(mbundle, work, bundles, tally)
        run_packaged(mbundle, work, tally)
        print(f"== mlflow models predict on {len(cli_runs)} cases ({time.monotonic() - started:.0f} s)",
              file=sys.stderr)
        finish_cli_runs(cli_runs, tally)
    unexplained = print_table(tally)
    print(f"({time.monotonic() - started:.0f} s; mlflow {mlflow.__version__}, scikit-learn {sklearn.__version__}, "
          f"numpy {np.__version__}, pandas {pd.__version__})")
    return 1 if unexplained else 0


if __name__ == "__main__":
    sys.exit(main())
