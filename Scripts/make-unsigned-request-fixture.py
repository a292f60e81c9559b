"""Writes Tests/Fixtures/unsigned/: small MLflow bundles, most saved without a signature, and
expected.json with what MLflow's scoring path (scoring_server.invocations) answers to requests as
users send them: its status, error_code and predictions. Without a signature nothing casts a
request before the model sees it, so what pandas and numpy build decides the answer:
  - `instances` / `inputs` records become a dict of columns or a list of dicts, which no model takes;
  - rows (`instances` lists) become one numpy array: booleans among numbers are 1.0 and 0.0, a null
    makes an object array that scikit-learn, XGBoost's wrappers and LightGBM read as NaN, and an
    XGBoost Booster fitted on named columns refuses the unnamed array;
  - a JSON column null in every row, or booleans with a null, are pandas `object` columns, which
    XGBoost and LightGBM refuse; in CSV an all-empty column is float64 NaN;
  - a `dataframe_split` without `columns`, or with numbers for them, has no feature names for
    scikit-learn (read by position) but names "0", "1" for XGBoost.
The `*_categories` bundles were fitted on a pandas category column (integer store ids) and carry the
`long` signature MLflow infers: LightGBM and XGBoost's wrappers refuse every frame (no request makes
a category column), a Booster scored on a DMatrix takes the integers as codes, and rows are numpy.
The `signed_pipeline` bundle has a signature: its requests pin MLflow's error_code by stage (a cell
the column's dtype cannot hold fails in the parser: BAD_REQUEST; a required column missing fails in
_enforce_schema: INVALID_PARAMETER_VALUE; the pipeline raising: BAD_REQUEST) and an empty field in a
boolean CSV column (read_csv refuses it).

Rerun (from the repository root):
    source Scripts/python-env.sh && "$venv/bin/python" Scripts/make-unsigned-request-fixture.py .
"""

import json
import os
import pathlib
import shutil
import sys
import warnings

os.environ.setdefault("MLFLOW_ALLOW_PICKLE_DESERIALIZATION", "true")
os.environ.setdefault("MLFLOW_LOCK_MODEL_DEPENDENCIES", "false")
warnings.filterwarnings("ignore")

import lightgbm as lgb  # noqa: E402
import mlflow.lightgbm  # noqa: E402
import mlflow.pyfunc  # noqa: E402
import mlflow.sklearn  # noqa: E402
import mlflow.xgboost  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import xgboost as xgb  # noqa: E402
from mlflow.exceptions import MlflowException  # noqa: E402
from mlflow.models import infer_signature  # noqa: E402
from mlflow.pyfunc import scoring_server  # noqa: E402
from sklearn.compose import ColumnTransformer  # noqa: E402
from sklearn.ensemble import HistGradientBoostingClassifier  # noqa: E402
from sklearn.impute import SimpleImputer  # noqa: E402
from sklearn.linear_model import LogisticRegression  # noqa: E402
from sklearn.pipeline import Pipeline  # noqa: E402
from sklearn.preprocessing import OneHotEncoder  # noqa: E402

rng = np.random.default_rng(31)
FRAME = pd.DataFrame({"a": rng.normal(size=200), "b": rng.normal(size=200), "c": (rng.random(200) > 0.5) * 1.0})
LABELS = ((FRAME.a + 0.5 * FRAME.c) > 0).astype(int)
ARRAY = FRAME.to_numpy()
TREE = "sklearn.ensemble._hist_gradient_boosting.predictor.TreePredictor"


def unsigned_bundles():
    return {
        "logreg_frame": lambda p: mlflow.sklearn.save_model(LogisticRegression().fit(FRAME, LABELS), p),
        "logreg_array": lambda p: mlflow.sklearn.save_model(LogisticRegression().fit(ARRAY, LABELS), p),
        "hgb_frame": lambda p: mlflow.sklearn.save_model(
            HistGradientBoostingClassifier(max_iter=3, random_state=0).fit(FRAME, LABELS), p, skops_trusted_types=[TREE]
        ),
        "xgb_booster_frame": lambda p: mlflow.xgboost.save_model(
            xgb.train({"max_depth": 2}, xgb.DMatrix(FRAME, LABELS), 3), p
        ),
        "xgb_booster_array": lambda p: mlflow.xgboost.save_model(
            xgb.train({"max_depth": 2}, xgb.DMatrix(ARRAY, LABELS), 3), p
        ),
        "xgb_classifier_frame": lambda p: mlflow.xgboost.save_model(
            xgb.XGBClassifier(n_estimators=3, max_depth=2).fit(FRAME, LABELS), p
        ),
        "lgb_booster_frame": lambda p: mlflow.lightgbm.save_model(
            lgb.train({"verbose": -1, "num_leaves": 4}, lgb.Dataset(FRAME, LABELS), 3), p
        ),
    }


def split(data, columns=("a", "b", "c")):
    body = {"data": data}
    if columns is not None:
        body["columns"] = list(columns)
    return {"dataframe_split": body}


UNSIGNED_REQUESTS = {
    "split": ("json", split([[0.5, 1.0, 1.0], [-0.5, 2.0, 0.0]])),
    "split_without_columns": ("json", split([[0.5, 1.0, 1.0]], columns=None)),
    "split_number_columns": ("json", split([[0.5, 1.0, 1.0]], columns=(0, 1, 2))),
    "records": ("json", {"dataframe_records": [{"a": 0.5, "b": 1.0, "c": 1.0}]}),
    "records_column_all_null": ("json", {"dataframe_records": [{"a": None, "b": 1.0, "c": 1.0}]}),
    "split_column_all_null": ("json", split([[None, 1.0, 1.0], [None, 2.0, 0.0]])),
    "split_column_some_null": ("json", split([[None, 1.0, 1.0], [0.3, 2.0, 0.0]])),
    "split_booleans": ("json", split([[0.5, 1.0, True], [0.5, 1.0, False]])),
    "split_booleans_with_null": ("json", split([[0.5, 1.0, True], [0.5, 1.0, None]])),
    "instances_rows": ("json", {"instances": [[0.5, 1.0, 1.0], [-0.5, 2.0, 0.0]]}),
    "instances_rows_boolean": ("json", {"instances": [[0.5, 1.0, True], [-0.5, 2.0, False]]}),
    "instances_rows_null": ("json", {"instances": [[None, 1.0, 1.0], [-0.5, 2.0, 0.0]]}),
    "instances_rows_null_boolean": ("json", {"instances": [[None, 1.0, True]]}),
    "inputs_rows": ("json", {"inputs": [[0.5, 1.0, 1.0]]}),
    "instances_records": ("json", {"instances": [{"a": 0.5, "b": 1.0, "c": 1.0}]}),
    "inputs_records": ("json", {"inputs": [{"a": 0.5, "b": 1.0, "c": 1.0}, {"a": -0.5, "b": 2.0, "c": 0.0}]}),
    "csv": ("csv", "a,b,c\n0.5,1.0,1.0\n-0.5,2.0,0.0\n"),
    "csv_column_all_empty": ("csv", "a,b,c\n,1.0,1.0\n"),
    "csv_booleans_with_empty": ("csv", "a,b,c\n0.5,1.0,True\n0.5,1.0,\n"),
}


def signed_pipeline(path):
    frame = pd.DataFrame({
        "pclass": rng.integers(1, 4, 200),
        "age": rng.normal(30, 10, 200),
        "flag": rng.random(200) > 0.5,
        "city": rng.choice(["lyon", "nice"], 200),
    })
    frame.loc[0, "age"] = np.nan  # the example has a NaN: `age` is optional in the signature
    labels = ((frame.pclass == 1) | frame.flag).astype(int)
    pipe = Pipeline([
        ("pre", ColumnTransformer([
            ("num", SimpleImputer(), ["pclass", "age", "flag"]),
            ("cat", OneHotEncoder(handle_unknown="ignore"), ["city"]),
        ])),
        ("lr", LogisticRegression()),
    ]).fit(frame, labels)
    mlflow.sklearn.save_model(pipe, path, input_example=frame.head(5), skops_trusted_types=["numpy.dtype"])


STORES = [3, 5, 7, 11, 13]


def category_frame():
    frame = pd.DataFrame({
        "x": rng.normal(size=400),
        "store": pd.Categorical(rng.choice(STORES, 400), categories=STORES),
    })
    target = frame.x + np.where(frame.store.cat.codes.to_numpy() % 2 == 0, 2.0, -2.0)
    return frame, target


def category_bundles():
    """Boosters fitted on a pandas category column of integer store ids: MLflow infers a `long`
    column, LightGBM (pandas_categorical) and XGBoost's wrappers (cats) then refuse every frame."""
    frame, target = category_frame()
    codes = frame.assign(store=frame.store.cat.codes.astype("int64"))
    signature = infer_signature(codes)
    return {
        "lgb_booster_categories": lambda p: mlflow.lightgbm.save_model(
            lgb.train({"verbose": -1, "num_leaves": 4, "min_data_per_group": 5}, lgb.Dataset(frame, target), 3),
            p, signature=signature),
        "xgb_classifier_categories": lambda p: mlflow.xgboost.save_model(
            xgb.XGBClassifier(n_estimators=3, max_depth=2, enable_categorical=True, max_cat_to_onehot=1).fit(
                frame, (target > 0).astype(int)), p, signature=signature),
        "lgbm_classifier_categories_sklearn": lambda p: mlflow.sklearn.save_model(
            lgb.LGBMClassifier(n_estimators=3, num_leaves=4, min_data_per_group=5, verbose=-1).fit(
                frame, (target > 0).astype(int)), p, signature=signature, serialization_format="pickle"),
        "xgb_regressor_categories_sklearn": lambda p: mlflow.sklearn.save_model(
            xgb.XGBRegressor(n_estimators=3, max_depth=2, enable_categorical=True, max_cat_to_onehot=1).fit(
                frame, target), p, signature=signature, serialization_format="pickle"),
        "xgb_booster_categories": lambda p: mlflow.xgboost.save_model(
            xgb.train({"max_depth": 2, "max_cat_to_onehot": 1}, xgb.DMatrix(frame, target, enable_categorical=True), 3),
            p, signature=signature),
    }


CATEGORY_REQUESTS = {
    "split": ("json", {"dataframe_split": {"columns": ["x", "store"], "data": [[0.5, 3], [0.5, 1], [-0.2, 2]]}}),
    "csv": ("csv", "x,store\n0.5,3\n0.5,1\n"),
    "instances_rows": ("json", {"instances": [[0.5, 3], [0.5, 1], [-0.2, 2]]}),
}


def record(**changes):
    row = {"pclass": 1, "age": 30.0, "flag": True, "city": "lyon"}
    row.update(changes)
    return {"dataframe_records": [{k: v for k, v in row.items() if v != "leave-out"}]}


SIGNED_REQUESTS = {
    "records": ("json", record()),
    "null_in_long": ("json", record(pclass=None)),
    "text_in_long": ("json", record(pclass="x")),
    "text_in_double": ("json", record(age="x")),
    "null_in_boolean": ("json", record(flag=None)),
    "required_column_missing": ("json", record(pclass="leave-out")),
    "optional_column_missing": ("json", record(age="leave-out")),
    "instances_null_in_long": ("json", {"instances": [record(pclass=None)["dataframe_records"][0]]}),
    "csv": ("csv", "pclass,age,flag,city\n1,30.0,True,lyon\n2,,False,nice\n"),
    "csv_empty_long": ("csv", "pclass,age,flag,city\n,30.0,True,lyon\n"),
    "csv_empty_boolean": ("csv", "pclass,age,flag,city\n1,30.0,True,lyon\n2,30.0,,nice\n"),
    "csv_text_in_double": ("csv", "pclass,age,flag,city\n1,x,True,lyon\n"),
    "csv_required_column_missing": ("csv", "age,flag,city\n30.0,True,lyon\n"),
}


def answer(model, kind, body):
    text = body if kind == "csv" else json.dumps(body)
    content_type = "text/csv" if kind == "csv" else "application/json"
    try:
        response = scoring_server.invocations(text, content_type, model, model.metadata.get_input_schema())
        status, document = response.status, json.loads(response.response)
    except MlflowException as error:
        status, document = error.get_http_status_code(), json.loads(error.serialize_as_json())
    entry = {"format": kind, "body": text, "status": status}
    if status == 200:
        entry["predictions"] = document["predictions"]
    else:
        entry["error_code"] = document["error_code"]
    return entry


def main(root):
    target = pathlib.Path(root) / "Tests" / "Fixtures" / "unsigned"
    if target.exists():
        shutil.rmtree(target)
    target.mkdir(parents=True)
    plans = [(name, save, UNSIGNED_REQUESTS) for name, save in unsigned_bundles().items()]
    plans.append(("signed_pipeline", signed_pipeline, SIGNED_REQUESTS))
    plans += [(name, save, CATEGORY_REQUESTS) for name, save in category_bundles().items()]
    expected = {}
    for name, save, requests in plans:
        path = target / name
        save(str(path))
        model = mlflow.pyfunc.load_model(str(path))
        assert (model.metadata.get_input_schema() is None) == (requests is UNSIGNED_REQUESTS), name
        expected[name] = {request: answer(model, *spec) for request, spec in requests.items()}
    (target / "expected.json").write_text(json.dumps(expected, indent=1) + "\n")
    print(f"wrote {target}")


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else ".")
