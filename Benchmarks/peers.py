#!/usr/bin/env python3
"""The Python contenders of Benchmarks/compare.py, one subcommand per contender.

Not run by hand: compare.py starts each as its own process (so its peak RSS is its own) and alternates
them with mbundle. Rerun the whole comparison with `make bench` (or `make bench QUICK=1`).

Every subcommand writes its outputs to a file so compare.py can check them against ModelBundle's before
any ratio is reported. The in-memory subcommands time only the operation (the input is already in memory)
and print {"ms": [...]} on stdout; the others are timed from outside as whole processes.
"""
import json
import sys
import time


def _timed(fn, runs):
    times = []
    result = None
    for _ in range(runs):
        start = time.perf_counter()
        result = fn()
        times.append((time.perf_counter() - start) * 1e3)
    return result, times


def _logistic(coef, intercept):
    """A scikit-learn LogisticRegression holding given weights (multinomial: lbfgs' default for k > 2)."""
    import numpy as np
    from sklearn.linear_model import LogisticRegression

    model = LogisticRegression()
    model.coef_ = np.asarray(coef, dtype=np.float64)
    model.intercept_ = np.asarray(intercept, dtype=np.float64)
    model.classes_ = np.arange(max(2, model.coef_.shape[0]))
    return model


def inmem(kind, data_dir, runs, out_path):
    import numpy as np

    x = np.load(f"{data_dir}/x.npy")
    coef = np.load(f"{data_dir}/coef.npy")
    intercept = np.load(f"{data_dir}/intercept.npy")
    runs = int(runs)
    if kind == "numpy":
        def fn():
            s = x @ coef.T + intercept
            s -= s.max(axis=1, keepdims=True)
            np.exp(s, out=s)
            s /= s.sum(axis=1, keepdims=True)
            return s
    elif kind == "sklearn":
        model = _logistic(coef, intercept)
        def fn():
            return model.predict_proba(x)
    elif kind == "onnxruntime":
        import onnxruntime as ort

        # The model was converted (skl2onnx, float32) once by compare.py; the float32 copy of the input
        # is made before timing, as a float32 deployment would already hold float32 data.
        options = ort.SessionOptions()
        session = ort.InferenceSession(f"{data_dir}/model.onnx", options,
                                       providers=["CPUExecutionProvider"])
        name = session.get_inputs()[0].name
        x32 = x.astype(np.float32)
        def fn():
            return session.run(["probabilities"], {name: x32})[0]
    else:
        raise SystemExit(f"unknown in-memory contender {kind}")
    result, times = _timed(fn, runs)
    np.save(out_path, np.asarray(result, dtype=np.float64))
    print(json.dumps({"ms": times}))


def pyfunc(model_dir, input_json, out_path):
    """mlflow.pyfunc.load_model(...).predict(...) in one process: the cold start of a Python server."""
    import mlflow.pyfunc
    import numpy as np

    with open(input_json) as f:
        body = json.load(f)
    model = mlflow.pyfunc.load_model(model_dir)
    predictions = model.predict(np.asarray(body["inputs"], dtype=np.float64))
    with open(out_path, "w") as f:
        json.dump({"predictions": np.asarray(predictions).tolist()}, f)


def e2e_pandas(weights_dir, input_csv, out_path):
    """pandas.read_csv + scikit-learn predict_proba + a JSON predictions file, in one process."""
    import numpy as np
    import orjson
    import pandas as pd

    model = _logistic(np.load(f"{weights_dir}/coef.npy"), np.load(f"{weights_dir}/intercept.npy"))
    frame = pd.read_csv(input_csv, dtype=np.float64)
    probabilities = model.predict_proba(frame.to_numpy())
    with open(out_path, "wb") as f:
        f.write(orjson.dumps({"predictions": probabilities}, option=orjson.OPT_SERIALIZE_NUMPY))


def e2e_orjson(weights_dir, input_json, out_path):
    """orjson.loads of a dataframe_split body + scikit-learn predict_proba + a JSON predictions file."""
    import numpy as np
    import orjson

    model = _logistic(np.load(f"{weights_dir}/coef.npy"), np.load(f"{weights_dir}/intercept.npy"))
    with open(input_json, "rb") as f:
        body = orjson.loads(f.read())
    x = np.asarray(body["dataframe_split"]["data"], dtype=np.float64)
    probabilities = model.predict_proba(x)
    with open(out_path, "wb") as f:
        f.write(orjson.dumps({"predictions": probabilities}, option=orjson.OPT_SERIALIZE_NUMPY))


def stream_pandas(weights_dir, input_csv, out_path):
    """pandas.read_csv in chunks + scikit-learn predict, writing predictions as they come (bounded memory)."""
    import numpy as np
    import pandas as pd

    model = _logistic(np.load(f"{weights_dir}/coef.npy"), np.load(f"{weights_dir}/intercept.npy"))
    with open(out_path, "w") as f:
        f.write('{"predictions": [')
        first = True
        for chunk in pd.read_csv(input_csv, dtype=np.float64, chunksize=65536):
            labels = model.predict(chunk.to_numpy())
            text = ", ".join(map(str, labels.tolist()))
            if text:
                f.write(text if first else ", " + text)
                first = False
        f.write("]}")


if __name__ == "__main__":
    command, *args = sys.argv[1:]
    if command == "inmem":
        inmem(*args)
    elif command == "pyfunc":
        pyfunc(*args)
    elif command == "e2e-pandas":
        e2e_pandas(*args)
    elif command == "e2e-orjson":
        e2e_orjson(*args)
    elif command == "stream-pandas":
        stream_pandas(*args)
    else:
        raise SystemExit(f"unknown command {command}")
