#!/usr/bin/env python3
"""Pipeline cases of `make interop` (issue #13): scikit-learn preprocessing pipelines in front of
native models, saved by real mlflow.sklearn, judged against MLflow's scoring path on the same bytes.

Rerun (from the repository root, after `swift build -c release --product mbundle`):
    source Scripts/python-env.sh && "$venv/bin/python" Scripts/interop-pipelines.py .build/release/mbundle

For every case of Scripts/make-pipeline-fixtures.py (ColumnTransformer with imputers, one-hot /
ordinal / target encoders, scalers, PolynomialFeatures, KBinsDiscretizer and FeatureUnion in front of
LogisticRegression and Ridge), each serialization format (skops, pickle) and predict function
(predict, predict_proba where the model has it, predict_log_proba for some):
  1. `mbundle predict` on a JSON request (nulls for missing values, unseen categories) and on the
     same rows as CSV (empty fields for missing values), compared with
     mlflow.pyfunc.scoring_server.invocations on the same bytes;
  2. `mbundle convert`, then mlflow.pyfunc.load_model on the converted bundle (the numpy loader runs
     the stage), compared with MLflow's prediction on the original.
Labels must be identical; float64 scores within 1e-12 relative or 1e-14 absolute.
Prints one line per case and "pipeline cases N, agreed A, differed D"; exits 1 on any difference.

Tree ensembles (TREE_CASES, the same checks): HistGradientBoostingClassifier behind a ColumnTransformer
whose OrdinalEncoder feeds its categorical_features, a bare HistGradientBoostingClassifier whose own
categorical_features are the string columns (its fitted _preprocessor), and RandomForestClassifier
behind imputers (one branch chosen by make_column_selector) and a OneHotEncoder; BaggingClassifier
(70% of the columns per tree), BaggingRegressor (bootstrap_features), AdaBoostClassifier (SAMME, three
classes) and AdaBoostRegressor (weighted median) behind imputers and a OneHotEncoder (AdaBoost's convert
is expected to be refused). Their labels are identical and their probabilities bit-identical or within
the linear tolerance here (forests and bagging average in float64; the HistGradientBoosting links and
AdaBoost's softmax call numpy's exp).

Bool targets (BOOL_CASES): the one-hot logistic pipeline and the random forest fitted on the binary
target as numpy bools, so classes_ is a bool array; MLflow answers JSON true/false, and so must
`mbundle predict` and the converted bundle's numpy loader (compared type for type).
"""

import importlib.util
import json
import os
import pathlib
import shutil
import subprocess
import sys
import tempfile
import warnings

os.environ.setdefault("MLFLOW_ALLOW_PICKLE_DESERIALIZATION", "true")
os.environ.setdefault("MLFLOW_LOCK_MODEL_DEPENDENCIES", "false")
warnings.filterwarnings("ignore")

import mlflow.exceptions  # noqa: E402
import mlflow.pyfunc  # noqa: E402
import mlflow.sklearn  # noqa: E402
import numpy as np  # noqa: E402
from mlflow.pyfunc import scoring_server  # noqa: E402

ROOT = pathlib.Path(__file__).resolve().parent.parent
spec = importlib.util.spec_from_file_location("fixtures", ROOT / "Scripts" / "make-pipeline-fixtures.py")
fixtures = importlib.util.module_from_spec(spec)
spec.loader.exec_module(fixtures)

def tree_cases():
    """(name, factory, target kind, predict functions), as fixtures.cases(), with tree ensembles."""
    from sklearn.compose import ColumnTransformer, make_column_selector
    from sklearn.ensemble import (
        AdaBoostClassifier,
        AdaBoostRegressor,
        BaggingClassifier,
        BaggingRegressor,
        HistGradientBoostingClassifier,
        RandomForestClassifier,
    )
    from sklearn.impute import SimpleImputer
    from sklearn.pipeline import Pipeline
    from sklearn.preprocessing import OneHotEncoder, OrdinalEncoder

    def hgb_ordinal():
        # Unseen categories become -1 in the pipeline's encoder; the model's own _preprocessor then maps
        # -1 (never seen in fit) and NaN (missing) to NaN, which takes each split's missing side.
        pre = ColumnTransformer(
            [
                ("num", "passthrough", ["age", "income", "visits"]),
                ("cat", OrdinalEncoder(handle_unknown="use_encoded_value", unknown_value=-1), ["city", "plan"]),
                ("flag", "passthrough", ["member"]),
            ]
        )
        model = HistGradientBoostingClassifier(max_iter=30, max_depth=4, categorical_features=[3, 4], random_state=0)
        return Pipeline([("pre", pre), ("model", model)])

    def hgb_string_categories():
        # A bare model fitted on the DataFrame: categorical_features names the string columns.
        return HistGradientBoostingClassifier(max_iter=20, max_depth=3, categorical_features=["city", "plan"], random_state=0)

    def rf_onehot():
        categorical = Pipeline(
            [
                ("impute", SimpleImputer(strategy="constant", fill_value="missing")),
                ("onehot", OneHotEncoder(handle_unknown="ignore")),
            ]
        )
        pre = ColumnTransformer(
            [
                # Chosen by make_column_selector: the fitted columns are read, the selector never run.
                ("num", SimpleImputer(strategy="median"), make_column_selector(pattern="^age$|^income$")),
                ("cat", categorical, ["city", "plan"]),
            ],
            remainder="passthrough",
        )
        return Pipeline([("pre", pre), ("model", RandomForestClassifier(n_estimators=12, max_depth=6, random_state=0))])

    def onehot_imputed():
        # Numbers imputed (AdaBoost refuses NaN), categories one-hot: every column a number.
        categorical = Pipeline(
            [
                ("impute", SimpleImputer(strategy="constant", fill_value="missing")),
                ("onehot", OneHotEncoder(handle_unknown="ignore")),
            ]
        )
        return ColumnTransformer(
            [("num", SimpleImputer(strategy="median"), ["age", "income", "visits"]), ("cat", categorical, ["city", "plan"])],
            remainder="passthrough",
        )

    def bagging_onehot():
        # Each tree on a sample of the rows and a permutation of 70% of the columns.
        model = BaggingClassifier(n_estimators=10, max_features=0.7, random_state=0)
        return Pipeline([("pre", onehot_imputed()), ("model", model)])

    def bagging_regressor():
        model = BaggingRegressor(n_estimators=6, bootstrap_features=True, random_state=0)
        return Pipeline([("pre", onehot_imputed()), ("model", model)])

    def adaboost_onehot():
        # SAMME over three classes: stumps' weighted votes, softmax probabilities.
        return Pipeline([("pre", onehot_imputed()), ("model", AdaBoostClassifier(n_estimators=30, random_state=0))])

    def adaboost_regressor():
        # The weighted median of 20 depth-3 trees.
        return Pipeline([("pre", onehot_imputed()), ("model", AdaBoostRegressor(n_estimators=20, random_state=0))])

    return [
        ("bagging_onehot", bagging_onehot, "labels", ["predict", "predict_proba", "predict_log_proba"]),
        ("bagging_regressor", bagging_regressor, "score", ["predict"]),
        ("adaboost_onehot", adaboost_onehot, "labels", ["predict", "predict_proba", "predict_log_proba"]),
        ("adaboost_regressor", adaboost_regressor, "score", ["predict"]),
        ("hgb_ordinal", hgb_ordinal, "binary", ["predict", "predict_proba"]),
        ("hgb_string_categories", hgb_string_categories, "labels", ["predict", "predict_proba"]),
        ("rf_onehot", rf_onehot, "labels", ["predict", "predict_proba", "predict_log_proba"]),
    ]


TREE_CASES = tree_cases()
BOOL_CASES = [
    ("onehot_logistic_bool", dict((c[0], c[1]) for c in fixtures.cases())["onehot_logistic"], "bool",
     ["predict", "predict_proba", "predict_log_proba"]),
    ("rf_onehot_bool", dict((c[0], c[1]) for c in TREE_CASES)["rf_onehot"], "bool", ["predict"]),
]


def fitted(name, factory, kind):
    """fixtures.fitted, plus kind "bool": the binary target as numpy bools."""
    if kind != "bool":
        return fixtures.fitted(name, factory, kind)
    x = fixtures.frame(240, seed=11)
    _, binary, _ = fixtures.targets(x, seed=12)
    return factory().fit(x, np.asarray(binary).astype(bool)), x


def agree(got, want):
    if not isinstance(got, list) or not isinstance(want, list) or len(got) != len(want):
        return got == want
    flat_want = np.array(want, dtype=object).ravel().tolist()
    if any(isinstance(v, bool) for v in flat_want):  # bool labels: true is not 1
        flat_got = np.array(got, dtype=object).ravel().tolist()
        return [(type(v), v) for v in flat_got] == [(type(v), v) for v in flat_want]
    if any(isinstance(v, str) for v in flat_want) or all(isinstance(v, int) for v in flat_want):
        return got == want
    a, b = np.asarray(got, dtype=float), np.asarray(want, dtype=float)
    # Equal infinities (predict_log_proba's log(0)) agree; their difference is NaN.
    close = (a == b) | (np.abs(a - b) <= np.maximum(1e-14, 1e-12 * np.abs(b)))
    return a.shape == b.shape and bool(np.all(close))


def mlflow_predictions(model, body, content_type):
    try:
        response = scoring_server.invocations(body, content_type, model, model.metadata.get_input_schema())
    except mlflow.exceptions.MlflowException as error:  # the model itself raised (unknown category)
        return ("error", str(error)[:120])
    payload = json.loads(response.response)
    return payload.get("predictions") if response.status == 200 else ("error", payload.get("message", "")[:120])


def mbundle_predictions(mbundle, bundle, body, kind, work):
    path = work / f"request.{kind}"
    path.write_text(body)
    result = subprocess.run([mbundle, "predict", "-m", str(bundle), "-i", str(path), "-t", kind], capture_output=True, text=True)
    if result.returncode != 0:
        return ("error", result.stderr.strip()[:120])
    return json.loads(result.stdout)["predictions"]


def main():
    mbundle = str(pathlib.Path(sys.argv[1]).resolve())
    work = pathlib.Path(tempfile.mkdtemp(prefix="mbundle-pipelines-"))
    total = agreed = 0
    try:
        for name, factory, kind, functions in fixtures.cases() + TREE_CASES + BOOL_CASES:
            model, x = fitted(name, factory, kind)
            frame = fixtures.request_frame(name)
            json_body = fixtures.request_json(frame)
            csv_body = frame.to_csv(index=False)
            for fmt in ("skops", "pickle"):
                for fn in functions:
                    bundle = work / f"{name}_{fmt}_{fn}"
                    mlflow.sklearn.save_model(
                        model,
                        str(bundle),
                        serialization_format=fmt,
                        signature=fixtures.signature_for(name, x, getattr(model, fn)(x)),
                        pyfunc_predict_fn=fn,
                        pip_requirements=["scikit-learn"],
                        skops_trusted_types=fixtures.trusted_types(model) if fmt == "skops" else None,
                    )
                    loaded = mlflow.pyfunc.load_model(str(bundle))
                    converted = work / f"{bundle.name}_native"
                    conversion = subprocess.run([mbundle, "convert", "-m", str(bundle), "-o", str(converted)], capture_output=True, text=True)
                    if name.startswith(("target_", "voting_", "stacking_", "calibrated_", "adaboost_")) or fn == "predict_log_proba":
                        # A TransformedTargetRegressor or an ensemble (voting, stacking, calibrated) is not
                        # converted (the native flavors hold one model, without a target transform), nor is
                        # predict_log_proba (the native flavors have none): refused.
                        refused = conversion.returncode != 0 and "not converted" in conversion.stderr
                        native = None
                    else:
                        if conversion.returncode != 0:
                            raise RuntimeError(f"convert failed for {bundle.name}: {conversion.stderr}")
                        native = mlflow.pyfunc.load_model(str(converted))
                    checks = [
                        ("json", mbundle_predictions(mbundle, bundle, json_body, "json", work),
                         mlflow_predictions(loaded, json_body, "application/json")),
                    ]
                    if name not in fixtures.DROPPED_CASES:
                        # MLflow parses no CSV for a signature with a datetime column (read_csv: "the dtype
                        # datetime64[ns] is not supported for parsing"); mbundle reads it (Docs/interop.md).
                        checks.append(("csv", mbundle_predictions(mbundle, bundle, csv_body, "csv", work),
                                       mlflow_predictions(loaded, csv_body, "text/csv")))
                    checks += [
                        ("converted", mlflow_predictions(native, json_body, "application/json"),
                         mlflow_predictions(loaded, json_body, "application/json"))
                        if native is not None else ("convert-refused", refused, True),
                    ]
                    if name == "strict_unknown":
                        # handle_unknown='error': an unseen category is refused by both.
                        unseen = frame.copy()
                        unseen.loc[1, "city"] = "tours"
                        body = fixtures.request_json(unseen)
                        got = mbundle_predictions(mbundle, bundle, body, "json", work)
                        want = mlflow_predictions(loaded, body, "application/json")
                        both = isinstance(got, tuple) and isinstance(want, tuple)
                        checks.append(("unseen-refused", "refused" if both else got, "refused" if both else want))
                    if name in ("voting_passthrough", "stacking_linear_member", "selected_nan"):
                        # A NaN age reaches the LogisticRegression member, or the SelectKBest: refused by both.
                        edited = frame.copy()
                        edited.loc[1, "age"] = np.nan
                        body = fixtures.request_json(edited)
                        got = mbundle_predictions(mbundle, bundle, body, "json", work)
                        want = mlflow_predictions(loaded, body, "application/json")
                        # A converted bundle's numpy loader refuses it too.
                        native_got = mlflow_predictions(native, body, "application/json") if native is not None else ("error",)
                        both = isinstance(got, tuple) and isinstance(want, tuple) and isinstance(native_got, tuple)
                        checks.append(("nan-refused", "refused" if both else (got, native_got), "refused" if both else want))
                    if name == "float32_columns":
                        # 1e39 in a float column: MLflow's astype(float32) makes it infinity, which the
                        # SimpleImputer refuses; mbundle refuses it at the schema; the numpy loader at the imputer.
                        edited = frame.copy()
                        edited["income"] = edited["income"].astype(np.float64)
                        edited.loc[1, "income"] = 1e39
                        body = fixtures.request_json(edited)
                        got = mbundle_predictions(mbundle, bundle, body, "json", work)
                        want = mlflow_predictions(loaded, body, "application/json")
                        native_got = mlflow_predictions(native, body, "application/json")
                        both = isinstance(got, tuple) and isinstance(want, tuple) and isinstance(native_got, tuple)
                        checks.append(("inf-refused", "refused" if both else (got, native_got), "refused" if both else want))
                    if name in fixtures.DROPPED_CASES:
                        # Without the optional columns its ColumnTransformer drops: predicted by all three.
                        body = fixtures.request_json(frame.drop(columns=fixtures.DROPPED_OPTIONAL))
                        want = mlflow_predictions(loaded, body, "application/json")
                        checks.append(("reduced", mbundle_predictions(mbundle, bundle, body, "json", work), want))
                        checks.append(("reduced-converted", mlflow_predictions(native, body, "application/json"), want))
                    if name == "log_ridge":
                        # NaN from a missing income, or log1p of a visit count below -1, reaches the
                        # Ridge: refused by both (scikit-learn's check_array), never predicted.
                        for label, column, value in (("nan-refused", "income", np.nan), ("log-nan-refused", "visits", -5)):
                            edited = frame.copy()
                            edited.loc[1, column] = value
                            body = fixtures.request_json(edited)
                            got = mbundle_predictions(mbundle, bundle, body, "json", work)
                            want = mlflow_predictions(loaded, body, "application/json")
                            native_got = mlflow_predictions(native, body, "application/json")
                            both = isinstance(got, tuple) and isinstance(want, tuple) and isinstance(native_got, tuple)
                            checks.append((label, "refused" if both else (got, native_got), "refused" if both else want))
                    for label, got, want in checks:
                        total += 1
                        ok = agree(got, want)
                        agreed += ok
                        print(f"{'ok  ' if ok else 'DIFF'} {name} {fmt} {fn} {label}"
                              + ("" if ok else f": mbundle {str(got)[:120]} / mlflow {str(want)[:120]}"))
    finally:
        shutil.rmtree(work, ignore_errors=True)
    print(f"pipeline cases {total}, agreed {agreed}, differed {total - agreed}")
    return 0 if agreed == total else 1


if __name__ == "__main__":
    sys.exit(main())
