"""Writes Tests/Fixtures/pipelines/null_requests.json: what MLflow's scoring path answers when a
request's nulls reach a pipeline in the ways pandas and numpy hand them over, for the onehot_logistic
fixture bundles (Scripts/make-pipeline-fixtures.py):
  - a string column null in every row of a dataframe_split / dataframe_records request (an object
    column of None, which SimpleImputer(missing_values=nan) does not impute);
  - a null string in instances / inputs records (cast with np.array(..., dtype=str): the text 'None');
  - a null in a boolean column (astype(bool) / np.array(..., dtype=bool): False);
  - the same nulls in a column that also holds strings (pandas 3's str column: NaN).

Rerun (from the repository root):
    source Scripts/python-env.sh && "$venv/bin/python" Scripts/make-null-request-fixture.py .
"""

import json
import os
import pathlib
import shutil
import sys
import tempfile
import warnings

os.environ.setdefault("MLFLOW_ALLOW_PICKLE_DESERIALIZATION", "true")
warnings.filterwarnings("ignore")

import mlflow.pyfunc  # noqa: E402
from mlflow.pyfunc import scoring_server  # noqa: E402

COLUMNS = ["age", "income", "city", "plan", "visits", "member"]
ROWS = [[41.0, 27241.69, None, "pro", 3, None], [52.0, 30001.5, None, "basic", 11, True]]
MIXED = [[41.0, 27241.69, None, "pro", 3, False], [52.0, 30001.5, "lyon", None, 11, True]]
REQUESTS = {
    "split_all_null": {"dataframe_split": {"columns": COLUMNS, "data": ROWS[:1]}},
    "records_all_null": {"dataframe_records": [dict(zip(COLUMNS, row)) for row in ROWS]},
    "split_some_null": {"dataframe_split": {"columns": COLUMNS, "data": MIXED}},
    "instances_null": {"instances": [dict(zip(COLUMNS, row)) for row in MIXED]},
    "inputs_null": {"inputs": [dict(zip(COLUMNS, row)) for row in ROWS]},
    "inputs_columns_null": {"inputs": {column: [row[i] for row in MIXED] for i, column in enumerate(COLUMNS)}},
}


def main(root):
    fixtures = pathlib.Path(root) / "Tests" / "Fixtures" / "pipelines"
    out = {}
    for bundle in ["onehot_logistic_skops", "onehot_logistic_pickle"]:
        for function in ["predict", "predict_proba"]:
            with tempfile.TemporaryDirectory() as scratch:
                copy = pathlib.Path(scratch) / bundle
                shutil.copytree(fixtures / bundle, copy)
                manifest = copy / "MLmodel"
                manifest.write_text(manifest.read_text().replace("predict_fn: predict\n", f"predict_fn: {function}\n"))
                model = mlflow.pyfunc.load_model(str(copy))
                for name, body in REQUESTS.items():
                    text = json.dumps(body)
                    response = scoring_server.invocations(text, "application/json", model, model.metadata.get_input_schema())
                    assert response.status == 200, (bundle, name, response.response)
                    out.setdefault(bundle, {}).setdefault(function, {})[name] = {
                        "body": text,
                        "predictions": json.loads(response.response)["predictions"],
                    }
    target = fixtures / "null_requests.json"
    target.write_text(json.dumps(out, indent=1) + "\n")
    print(f"wrote {target}")


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else ".")
