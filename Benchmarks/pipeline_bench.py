#!/usr/bin/env python3
"""Pipelines with string columns, end to end (DESIGN.md §6, wave 2): a CSV of 5 numeric and 4 string categorical
columns to a predictions file, through a scikit-learn pipeline saved by real mlflow.sklearn:
  - ColumnTransformer(StandardScaler on the numbers, OneHotEncoder on the strings) + LogisticRegression
  - ColumnTransformer(numbers passed through, OrdinalEncoder on the strings) + HistGradientBoostingClassifier
both with pyfunc_predict_fn="predict_proba". Contenders, alternating round after round in the same run, each its
own process: `mbundle predict` on the MLflow bundle; pandas.read_csv + the same fitted pipeline (the bundle's own
model.pkl) + a JSON predictions file in one Python process; `mlflow models predict --env-manager local`.
Outputs are checked against ModelBundle's (1e-9 relative) before any ratio is printed.

Rerun:  make bench  /  make bench QUICK=1   (Benchmarks/bench.sh runs this after compare.py), or by hand:
    source Scripts/python-env.sh && "$venv/bin/python" Benchmarks/pipeline_bench.py --mbundle .build/release/mbundle [--quick]
Writes Benchmarks/results/pipelines.md (quick) or Benchmarks/results/full/pipelines.md (full sizes: 200,000 rows).
"""
import argparse
import os
import pickle
import shutil
import sys
import tempfile
import time
import warnings

os.environ.setdefault("MLFLOW_ALLOW_PICKLE_DESERIALIZATION", "true")
os.environ.setdefault("MLFLOW_LOCK_MODEL_DEPENDENCIES", "false")
warnings.filterwarnings("ignore")

import numpy as np  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import compare  # noqa: E402  (the harness's runner, alternation, agreement check and table format)

NUMERIC = [f"n{i}" for i in range(5)]
CATEGORICAL = {"color": 6, "city": 40, "product": 300, "channel": 4}  # column: number of categories


def make_frame(rows, seed):
    """Seeded mixed data: 5 float columns on different scales, 4 string columns of various cardinalities."""
    import pandas as pd

    rng = np.random.default_rng(seed)
    columns = {}
    for index, name in enumerate(NUMERIC):
        columns[name] = np.round(rng.normal(loc=index * 10.0, scale=1.0 + index * 3.0, size=rows), 6)
    for name, count in CATEGORICAL.items():
        # Skewed frequencies, as real categories are.
        weights = 1.0 / np.arange(1, count + 1)
        codes = rng.choice(count, size=rows, p=weights / weights.sum())
        columns[name] = np.array([f"{name}_{code:03d}" for code in range(count)], dtype=object)[codes]
    frame = pd.DataFrame(columns)
    score = (frame["n0"] - 0.1 * frame["n2"] + (frame["color"] == "color_001") * 1.5
             + (frame["city"].str[-1] == "7") * 0.8 - (frame["channel"] == "channel_002") * 0.7)
    target = (score + rng.normal(scale=1.0, size=rows) > score.median()).astype(np.int64)
    return frame, target


def pipelines():
    from sklearn.compose import ColumnTransformer
    from sklearn.ensemble import HistGradientBoostingClassifier
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import Pipeline
    from sklearn.preprocessing import OneHotEncoder, OrdinalEncoder, StandardScaler

    categorical = list(CATEGORICAL)
    one_hot = Pipeline([
        ("prepare", ColumnTransformer([("numbers", StandardScaler(), NUMERIC),
                                       ("strings", OneHotEncoder(handle_unknown="ignore"), categorical)])),
        ("model", LogisticRegression(max_iter=500)),
    ])
    ordinal = Pipeline([
        ("prepare", ColumnTransformer([
            ("numbers", "passthrough", NUMERIC),
            ("strings", OrdinalEncoder(handle_unknown="use_encoded_value", unknown_value=-1), categorical)])),
        ("model", HistGradientBoostingClassifier(max_iter=100, random_state=0)),
    ])
    return [("OneHotEncoder + StandardScaler + LogisticRegression", "onehot-logistic", one_hot),
            ("OrdinalEncoder + HistGradientBoostingClassifier", "ordinal-hgb", ordinal)]


def save_bundle(pipeline, train_x, path):
    import mlflow.sklearn
    from mlflow.models import infer_signature

    signature = infer_signature(train_x.head(100), pipeline.predict_proba(train_x.head(100)))
    mlflow.sklearn.save_model(pipeline, path, serialization_format="pickle", signature=signature,
                              pyfunc_predict_fn="predict_proba")


def peer(model_pkl, input_csv, out_path):
    """pandas.read_csv + the fitted pipeline's predict_proba + a JSON predictions file, in one process."""
    import pandas as pd

    with open(model_pkl, "rb") as f:
        model = pickle.load(f)
    dtypes = {name: np.float64 for name in NUMERIC}
    dtypes.update({name: str for name in CATEGORICAL})
    frame = pd.read_csv(input_csv, dtype=dtypes)
    probabilities = model.predict_proba(frame)
    try:
        import orjson

        text = orjson.dumps({"predictions": probabilities}, option=orjson.OPT_SERIALIZE_NUMPY)
    except ImportError:  # orjson is pinned by Benchmarks/bench-env.sh; json is the fallback
        import json

        text = json.dumps({"predictions": probabilities.tolist()}).encode()
    with open(out_path, "wb") as f:
        f.write(text)


def workload(args, title, key, pipeline, train_x, train_y, data):
    directory = os.path.join(compare.WORK, key)
    os.makedirs(directory)
    pipeline.fit(train_x, train_y)
    bundle = os.path.join(directory, "bundle")
    save_bundle(pipeline, train_x, bundle)
    outputs = {name: os.path.join(directory, f"{name}.json") for name in ("mb", "pd", "ml")}
    contenders = [
        compare.Contender("mbundle predict",
                          [args.mbundle, "predict", "-m", bundle, "-i", data, "-t", "csv", "-o", outputs["mb"]],
                          outputs["mb"], reference=True),
        compare.Contender("python: pandas.read_csv + scikit-learn pipeline",
                          [sys.executable, os.path.abspath(__file__), "--peer", os.path.join(bundle, "model.pkl"),
                           data, outputs["pd"]], outputs["pd"]),
    ]
    if args.mlflow:
        contenders.append(compare.Contender(
            "mlflow models predict --env-manager local",
            [args.mlflow, "models", "predict", "-m", bundle, "-i", data, "-t", "csv", "--env-manager", "local",
             "-o", outputs["ml"]], outputs["ml"]))
    print(f"workload {key}", file=sys.stderr)
    compare.run([args.mbundle, "predict", "-m", bundle, "-i", data, "-t", "csv", "-o", outputs["mb"]])  # warm
    if os.path.exists(outputs["mb"]):
        os.remove(outputs["mb"])
    compare.alternate(contenders, args.rounds)
    size = os.path.getsize(data)
    return {"title": f"{title}: {args.rows:,}-row CSV ({size / 1e6:,.0f} MB) to a predictions file",
            "contenders": contenders,
            "size": f"{args.rows:,} rows × (5 numeric + 4 string categorical columns), predict_proba, "
                    "saved by mlflow.sklearn"}


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--mbundle")
    parser.add_argument("--mlflow", default=os.path.join(os.path.dirname(sys.executable), "mlflow"),
                        help="the mlflow command ('' to leave it out)")
    parser.add_argument("--quick", action="store_true", default=os.environ.get("QUICK", "0") not in ("", "0"),
                        help="reduced sizes (default when the environment has QUICK=1, as make bench QUICK=1 sets)")
    parser.add_argument("--results", default=None)
    parser.add_argument("--peer", nargs=3, metavar=("MODEL_PKL", "INPUT_CSV", "OUTPUT"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.peer:
        peer(*args.peer)
        return
    if not args.mbundle:
        parser.error("--mbundle is required")
    args.mbundle = os.path.abspath(args.mbundle)
    args.command = "make bench QUICK=1" if args.quick else "make bench"
    args.rows, args.rounds = (20_000, 2) if args.quick else (200_000, 3)
    results = args.results or (os.path.join(HERE, "results") if args.quick else os.path.join(HERE, "results", "full"))
    os.makedirs(results, exist_ok=True)

    start = time.perf_counter()
    compare.WORK = tempfile.mkdtemp(prefix="mbundle-pipeline-bench-")
    try:
        frame, target = make_frame(args.rows, seed=13)
        data = os.path.join(compare.WORK, "data.csv")
        frame.to_csv(data, index=False)
        train = min(args.rows, 50_000)
        train_x, train_y = frame.head(train), target.head(train)
        workloads = [workload(args, title, key, pipeline, train_x, train_y, data)
                     for title, key, pipeline in pipelines()]
        for item in workloads:
            compare.judge(item)
    finally:
        shutil.rmtree(compare.WORK, ignore_errors=True)
    elapsed = time.perf_counter() - start
    text = compare.markdown(workloads, args, elapsed).replace(
        "# ModelBundle against its peers", "# Pipelines with string columns: ModelBundle against its peers", 1)
    text += ("\nGoal (issue #13): ModelBundle at least 10× faster than pandas + scikit-learn "
             "(the **peer ÷ ModelBundle** column of the pandas row).\n")
    with open(os.path.join(results, "pipelines.md"), "w") as f:
        f.write(text)
    print(text)


if __name__ == "__main__":
    main()
