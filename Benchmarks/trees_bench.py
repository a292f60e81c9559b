#!/usr/bin/env python3
"""The tree-ensemble rows of `make bench`: ModelBundle's tree kernel against the libraries that trained the
models, ONNX Runtime, compiled treelite/tl2cgen and lleaves, every contender in the same run.

Rerun:  make bench            (1,000,000 × 32 float64 rows; writes Benchmarks/results/full/trees.md)
        make bench QUICK=1    (20,000 rows and smaller models; writes Benchmarks/results/trees.md)
Both go through Benchmarks/trees-bench.sh (called by Benchmarks/bench.sh), which makes the pinned virtualenv
.build/trees-bench-venv and builds the TreeTiming tool, then runs
        .build/trees-bench-venv/bin/python Benchmarks/trees_bench.py --mbundle M --tree-timing T [--quick]

Models, all trained here on the same synthetic data: (a) XGBoost, 500 trees, depth 8, binary:logistic;
(b) LightGBM, 500 rounds, 63 leaves, multiclass with 3 classes (1,500 trees); (c) scikit-learn
RandomForestClassifier, 100 trees, depth 12 (predict_proba). Every contender runs in its own process, loads
its model and the input once, then times the whole batch (`ROUNDS` times, median reported) and one row
(median over many calls) inside the process, on all cores. The outputs of every contender are compared with
the training library's own before any ratio: float64 contenders must agree to 1e-9 relative, float32 ones to
FLOAT32_RTOL relative plus FLOAT32_ATOL absolute; a contender that disagrees is shown with its largest
difference and gets no ratio. A contender that cannot be installed or run is shown with the reason.
Cold start: whole-process `mbundle predict` of six rows with bundle (a) against the linear sample model.
"""
import argparse
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import time

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
FEATURES = 32
FLOAT64_RTOL = 1e-9
FLOAT32_RTOL = 1e-4
FLOAT32_ATOL = 1e-5
THREADS = os.cpu_count() or 1


def sizes(quick):
    if quick:
        return dict(rows=20_000, train=4_000, xgb_trees=100, lgb_rounds=100, rf_trees=20, rounds=3, one=200, cold=5)
    return dict(rows=1_000_000, train=20_000, xgb_trees=500, lgb_rounds=500, rf_trees=100, rounds=5, one=2000,
                cold=20)


# MARK: - Contenders (each runs as its own process: `trees_bench.py peer KIND MODEL WORK RUNS ONE OUT`)


def _time(fn, runs):
    times, result = [], None
    for _ in range(runs):
        start = time.perf_counter()
        result = fn()
        times.append((time.perf_counter() - start) * 1e3)
    return result, times


def peer(kind, model, work, runs, one_runs, out_path):
    """Loads the model and the input, times the batch and one row, writes the outputs as float64."""
    runs, one_runs = int(runs), int(one_runs)
    family, engine = kind.split(":")
    x = np.load(f"{work}/x.npy")
    single = None  # the one-row call when it differs from the batch call
    if engine == "library":
        if family == "xgboost":
            import xgboost as xgb

            booster = xgb.Booster(model_file=model)
            booster.set_param({"nthread": THREADS})
            fn = lambda rows: booster.inplace_predict(rows)
        elif family == "lightgbm":
            import lightgbm as lgb

            booster = lgb.Booster(model_file=model)
            fn = lambda rows: booster.predict(rows, num_threads=THREADS)
        else:
            import pickle

            with open(model, "rb") as f:
                forest = pickle.load(f)
            forest.n_jobs = THREADS
            fn = lambda rows: forest.predict_proba(rows)
            # One row through joblib's worker threads costs milliseconds; one row is timed on one thread.
            single = lambda rows: (setattr(forest, "n_jobs", 1), forest.predict_proba(rows))[1]
    elif engine == "onnxruntime":
        import onnxruntime as ort

        options = ort.SessionOptions()
        options.intra_op_num_threads = THREADS
        session = ort.InferenceSession(model, options, providers=["CPUExecutionProvider"])
        name = session.get_inputs()[0].name
        # The converters answer probabilities as the last output (labels first for classifiers).
        x = x.astype(np.float32)
        fn = lambda rows: session.run(None, {name: rows})[-1]
    elif engine == "tl2cgen":
        import tl2cgen

        predictor = tl2cgen.Predictor(model, nthread=THREADS)
        x = x.astype(np.float32) if family != "lightgbm" else x
        fn = lambda rows: predictor.predict(tl2cgen.DMatrix(rows, dtype=str(rows.dtype)))
    elif engine == "lleaves":
        import lleaves

        compiled = lleaves.Model(model_file=model)
        compiled.compile(cache=model + ".lleaves.o")
        fn = lambda rows: compiled.predict(rows, n_jobs=THREADS)
    else:
        raise SystemExit(f"unknown contender {kind}")
    result, times = _time(lambda: fn(x), runs)
    one = np.ascontiguousarray(x[:1])
    single = single or fn
    _, one_times = _time(lambda: single(one), one_runs)
    np.save(out_path, np.asarray(result, dtype=np.float64).reshape(len(x), -1))
    print(json.dumps({"ms": times, "one_row_us": [t * 1e3 for t in one_times]}))


# MARK: - Building the models, bundles and converted peers


def run(command, **kwargs):
    completed = subprocess.run(command, capture_output=True, text=True, **kwargs)
    if completed.returncode != 0:
        raise RuntimeError(f"{os.path.basename(command[0])} exited {completed.returncode}: "
                           + (completed.stderr or completed.stdout)[-800:])
    return completed.stdout


def data(work, n):
    rng = np.random.default_rng(7)
    train = rng.normal(size=(n["train"], FEATURES))
    signal = train[:, 0] + train[:, 1] * train[:, 2] + np.sin(train[:, 3]) + rng.normal(scale=0.5, size=n["train"])
    binary = (signal > 0).astype(np.int64)
    three = np.digitize(signal, np.quantile(signal, [1 / 3, 2 / 3]))
    x = rng.normal(size=(n["rows"], FEATURES))
    np.save(f"{work}/x.npy", x)
    example = {"inputs": x[:2].tolist()}
    with open(f"{work}/example.json", "w") as f:
        json.dump(example, f)
    with open(f"{work}/six.json", "w") as f:
        json.dump({"inputs": x[:6].tolist()}, f)
    return train, binary, three


def build_models(work, n, mbundle, reuse=False):
    """Trains (a), (b), (c), packages the ModelBundle bundles and writes each peer's model files.
    Returns {family: {engine: model path or Exception}}.

    With `reuse`, a work directory whose models were completed for the same sizes (its stamp file)
    keeps its data, trained models, ONNX files and compiled libraries: compiling the peers takes most
    of half an hour on two cores. The ModelBundle bundles are packaged again by the binary under test."""
    import pickle

    import lightgbm as lgb
    import xgboost as xgb
    from sklearn.ensemble import RandomForestClassifier

    stamp = f"{work}/models-{n['rows']}-{n['train']}-{n['xgb_trees']}-{n['lgb_rounds']}-{n['rf_trees']}.complete"
    kept = ("x.npy", "example.json", "six.json", "xgb.json", "lgb.txt", "rf.pkl", "rf-mlflow/MLmodel")
    reusing = reuse and os.path.exists(stamp) and all(os.path.exists(f"{work}/{name}") for name in kept)
    models = {"xgboost": {"library": f"{work}/xgb.json"}, "lightgbm": {"library": f"{work}/lgb.txt"},
              "sklearn": {"library": f"{work}/rf.pkl"}}
    if reusing:
        print(f"trees: reusing the models of {work} ({os.path.basename(stamp)})", file=sys.stderr)
        booster = xgb.Booster(model_file=f"{work}/xgb.json")
        lgbm = lgb.Booster(model_file=f"{work}/lgb.txt")
        with open(f"{work}/rf.pkl", "rb") as f:
            forest = pickle.load(f)
    else:
        if os.path.exists(stamp):
            os.remove(stamp)
        train, binary, three = data(work, n)

        # Trained on one thread: deterministic, and quick at these sizes; prediction is what is timed.
        booster = xgb.train({"objective": "binary:logistic", "max_depth": 8, "eta": 0.1, "nthread": 1},
                            xgb.DMatrix(train, label=binary), n["xgb_trees"])
        booster.save_model(f"{work}/xgb.json")

        lgbm = lgb.train({"objective": "multiclass", "num_class": 3, "num_leaves": 63, "learning_rate": 0.1,
                          "min_data_in_leaf": 5, "verbose": -1, "num_threads": 1},
                         lgb.Dataset(train, label=three), n["lgb_rounds"])
        lgbm.save_model(f"{work}/lgb.txt")

        forest = RandomForestClassifier(n_estimators=n["rf_trees"], max_depth=12, n_jobs=1, random_state=0)
        forest.fit(train, binary)
        with open(f"{work}/rf.pkl", "wb") as f:
            pickle.dump(forest, f)

    # ModelBundle: native bundles, packaged from the raw boosters and converted from an mlflow.sklearn bundle.
    for family, flag, path in (("xgboost", "--xgboost", "xgb.json"), ("lightgbm", "--lightgbm", "lgb.txt")):
        bundle = f"{work}/{family}-bundle"
        shutil.rmtree(bundle, ignore_errors=True)
        try:
            run([mbundle, "package", "tree-ensemble", flag, f"{work}/{path}", "--example", f"{work}/example.json",
                 "-o", bundle])
            models[family]["mbundle"] = bundle
        except Exception as error:  # noqa: BLE001 - reported in the table
            models[family]["mbundle"] = error
    try:
        import mlflow.sklearn
        from mlflow.models import infer_signature

        source, bundle = f"{work}/rf-mlflow", f"{work}/sklearn-bundle"
        shutil.rmtree(bundle, ignore_errors=True)
        if not reusing:
            shutil.rmtree(source, ignore_errors=True)
            mlflow.sklearn.save_model(forest, source, serialization_format="pickle",
                                      pyfunc_predict_fn="predict_proba",
                                      signature=infer_signature(train[:5], forest.predict_proba(train[:5])))
        run([mbundle, "convert", "-m", source, "-o", bundle])
        models["sklearn"]["mbundle"] = bundle
    except Exception as error:  # noqa: BLE001
        models["sklearn"]["mbundle"] = error

    # ONNX Runtime: the converters of the ONNX project.
    def onnx(family, convert):
        try:
            path = f"{work}/{family}.onnx"
            if reusing and os.path.exists(path):
                models[family]["onnxruntime"] = path
                return
            with open(path, "wb") as f:
                f.write(convert().SerializeToString())
            models[family]["onnxruntime"] = path
        except Exception as error:  # noqa: BLE001
            models[family]["onnxruntime"] = error

    def onnx_xgboost():
        import onnxmltools
        from onnxmltools.convert.common.data_types import FloatTensorType

        return onnxmltools.convert_xgboost(booster, initial_types=[("x", FloatTensorType([None, FEATURES]))],
                                           target_opset=15)

    def onnx_lightgbm():
        import onnxmltools
        from onnxmltools.convert.common.data_types import FloatTensorType

        return onnxmltools.convert_lightgbm(lgbm, initial_types=[("x", FloatTensorType([None, FEATURES]))],
                                            target_opset=15, zipmap=False)

    def onnx_sklearn():
        from skl2onnx import to_onnx

        # The converter reads the input's dtype and width from one row.
        return to_onnx(forest, np.zeros((1, FEATURES), dtype=np.float32), options={"zipmap": False},
                       target_opset=15)

    onnx("xgboost", onnx_xgboost)
    onnx("lightgbm", onnx_lightgbm)
    onnx("sklearn", onnx_sklearn)

    # treelite + tl2cgen: the model compiled to C by gcc, as a shared library.
    for family in ("xgboost", "lightgbm", "sklearn"):
        library = f"{work}/{family}-tl2cgen.so"
        if reusing and os.path.exists(library):
            models[family]["tl2cgen"] = library
            continue
        try:
            import tl2cgen
            import treelite

            if family == "xgboost":
                model = treelite.frontend.from_xgboost(booster)
            elif family == "lightgbm":
                model = treelite.frontend.load_lightgbm_model(f"{work}/lgb.txt")
            else:
                model = treelite.sklearn.import_model(forest)
            tl2cgen.export_lib(model, toolchain="gcc", libpath=library, params={"parallel_comp": THREADS})
            models[family]["tl2cgen"] = library
        except Exception as error:  # noqa: BLE001
            models[family]["tl2cgen"] = error

    # lleaves: the LightGBM model compiled by LLVM (the compiled object is cached next to the model file).
    try:
        import lleaves

        path = f"{work}/lgb.txt"
        lleaves.Model(model_file=path).compile(cache=path + ".lleaves.o")
        models["lightgbm"]["lleaves"] = path
    except Exception as error:  # noqa: BLE001
        models["lightgbm"]["lleaves"] = error
    if not reusing:
        with open(stamp, "w") as f:
            f.write("models, ONNX files and compiled libraries complete\n")
    return models


# MARK: - Measuring and checking


def measure(kind, model, work, n, tree_timing):
    out = f"{work}/out-{kind.replace(':', '-')}.npy"
    if kind.endswith(":mbundle"):
        x = np.load(f"{work}/x.npy")
        x.tofile(f"{work}/x.f64")
        raw = f"{work}/out.f64"
        stdout = run([tree_timing, model, f"{work}/x.f64", str(len(x)), str(FEATURES), str(n["rounds"]),
                      str(n["one"]), raw])
        values = np.fromfile(raw, dtype=np.float64).reshape(len(x), -1)
        np.save(out, values)
    else:
        stdout = run([sys.executable, __file__, "peer", kind, model, work, str(n["rounds"]), str(n["one"]), out])
    timing = json.loads(stdout.strip().splitlines()[-1])
    return np.load(out), timing


def agreement(values, reference, float32):
    """(agrees, description) of values against the library's own outputs."""
    if values.shape != reference.shape:
        if values.size == reference.size:
            values = values.reshape(reference.shape)
        elif reference.shape[1] == 1 and values.shape[1] == 2:  # [1 - p, p] against p
            values = values[:, 1:]
        else:
            return False, f"shape {values.shape} vs {reference.shape}"
    difference = np.abs(values - reference)
    largest = float(np.nanmax(difference)) if difference.size else 0.0
    if float32:
        bad = difference > FLOAT32_ATOL + FLOAT32_RTOL * np.abs(reference)
    else:
        bad = difference > FLOAT64_RTOL * np.abs(reference)
    bad |= np.isnan(values) != np.isnan(reference)
    rows = int(np.any(bad, axis=1).sum())
    exact = bool(np.array_equal(values, reference))
    text = "bit-identical" if exact else f"max |Δ| {largest:.3g}"
    if rows:
        text += f", {rows} rows beyond tolerance"
    return rows == 0, text


def cold_start(mbundle, work, bundle, n):
    linear = os.path.join(ROOT, "SampleModels", "iris-multinomial")
    commands = {
        "trees (a)": [mbundle, "predict", "-m", bundle, "-i", f"{work}/six.json", "-o", f"{work}/cold-a.json"],
        "linear sample": [mbundle, "predict", "-m", linear, "-i", f"{linear}/serving_input_example.json",
                          "-o", f"{work}/cold-l.json"],
    }
    times = {name: [] for name in commands}
    for _ in range(n["cold"]):
        for name, command in commands.items():
            start = time.perf_counter()
            run(command)
            times[name].append((time.perf_counter() - start) * 1e3)
    return {name: statistics.median(values) for name, values in times.items()}


FAMILIES = [
    ("xgboost", "(a) XGBoost, {xgb_trees} trees, depth 8, binary:logistic", "xgboost inplace_predict"),
    ("lightgbm", "(b) LightGBM, {lgb_rounds} rounds × 3 classes, 63 leaves, multiclass", "lightgbm Booster.predict"),
    ("sklearn", "(c) scikit-learn RandomForestClassifier, {rf_trees} trees, depth 12, predict_proba",
     "scikit-learn predict_proba"),
]
ENGINES = [
    ("mbundle", "ModelBundle", False),
    ("library", None, False),
    ("onnxruntime", "ONNX Runtime (float32)", True),
    ("tl2cgen", "treelite + tl2cgen (gcc)", None),
    ("lleaves", "lleaves (LLVM)", False),
]


def versions():
    from importlib import metadata

    found = {}
    for name in ("numpy", "xgboost", "lightgbm", "scikit-learn", "onnxruntime", "onnxmltools", "skl2onnx", "treelite",
                 "tl2cgen", "lleaves", "llvmlite"):
        try:
            found[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            found[name] = "not installed"
    return found


def main():
    if len(sys.argv) > 1 and sys.argv[1] == "peer":
        return peer(*sys.argv[2:])
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--mbundle", required=True)
    parser.add_argument("--tree-timing", required=True)
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--work", default=os.path.join(ROOT, ".build", "trees-bench"))
    parser.add_argument("--results", default=None)
    parser.add_argument("--reuse-models", action="store_true",
                        help="keep the work directory's trained and compiled models when complete for these sizes")
    parser.add_argument("--cold-start-only", action="store_true",
                        help="measure only the cold-start rows (the bundles packaged by --mbundle), written to "
                             "trees-cold-start.md")
    args = parser.parse_args()
    n = sizes(args.quick)
    name = "trees-cold-start.md" if args.cold_start_only else "trees.md"
    results = args.results or os.path.join(HERE, "results", name if args.quick else f"full/{name}")
    os.makedirs(args.work, exist_ok=True)
    os.makedirs(os.path.dirname(results), exist_ok=True)
    began = time.time()
    print(f"trees: training and converting the models ({n['rows']} rows)", file=sys.stderr)
    models = build_models(args.work, n, args.mbundle, reuse=args.reuse_models)
    if args.cold_start_only:
        bundle = models["xgboost"].get("mbundle")
        if not isinstance(bundle, str):
            sys.exit(f"trees: the XGBoost bundle could not be packaged: {bundle}")
        cold = cold_start(args.mbundle, args.work, bundle, n)
        with open(results, "w") as f:
            f.write("\n".join([f"# Tree ensembles: cold start ({time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())})",
                                "", f"`{' '.join(sys.argv)}`", "", *cold_lines(cold, n)]))
        with open(os.path.splitext(results)[0] + ".json", "w") as f:
            json.dump({"sizes": n, "cold_start_ms": cold}, f, indent=1)
        return
    rows, record = [], {"sizes": n, "versions": versions(), "families": {}}
    for family, title, library_name in FAMILIES:
        title = title.format(**n)
        measured = {}
        for engine, _, _ in ENGINES:
            model = models[family].get(engine)
            if model is None:
                continue
            if isinstance(model, Exception):
                measured[engine] = model
                continue
            print(f"trees: {family} × {engine}", file=sys.stderr)
            try:
                measured[engine] = measure(f"{family}:{engine}", model, args.work, n, args.tree_timing)
            except Exception as error:  # noqa: BLE001
                measured[engine] = error
        reference = measured.get("library")
        ours = measured.get("mbundle")
        ours_ms = statistics.median(ours[1]["ms"]) if isinstance(ours, tuple) else None
        ours_one = statistics.median(ours[1]["one_row_us"]) if isinstance(ours, tuple) else None
        lines = []
        for engine, label, float32 in ENGINES:
            if engine not in measured:
                continue
            label = label or library_name
            result = measured[engine]
            if isinstance(result, Exception):
                lines.append(f"| {label} | — | — | — | — | failed: {str(result).splitlines()[0][:160]} |")
                record["families"].setdefault(family, {})[engine] = {"error": str(result)}
                continue
            values, timing = result
            if float32 is None:  # tl2cgen reads float64 for LightGBM (double thresholds), float32 otherwise
                float32 = family != "lightgbm"
            if isinstance(reference, tuple):
                agrees, text = agreement(values, reference[0], float32)
            else:
                agrees, text = False, "no reference (library failed)"
            ms, one = statistics.median(timing["ms"]), statistics.median(timing["one_row_us"])
            ratio = one_ratio = "—"
            if engine != "mbundle" and agrees and ours_ms:
                ratio = f"{ms / ours_ms:.2f}×"
                one_ratio = f"{one / ours_one:.2f}×"
            lines.append(f"| {label} | {ms:,.1f} ms | {ratio} | {one:,.1f} µs | {one_ratio} | {text} |")
            record["families"].setdefault(family, {})[engine] = {"ms": timing["ms"],
                                                                 "one_row_us_median": one, "check": text}
        rows.append((title, lines))
    cold = cold_start(args.mbundle, args.work, models["xgboost"].get("mbundle"), n) \
        if isinstance(models["xgboost"].get("mbundle"), str) else {}
    record["cold_start_ms"] = cold
    elapsed = time.time() - began
    write(results, rows, cold, n, args, elapsed, record)


def cold_lines(cold, n):
    a, linear = cold["trees (a)"], cold["linear sample"]
    return ["## Cold start (whole process, `mbundle predict` of six rows from a JSON file, median of "
            f"{n['cold']} alternating runs)", "",
            "| bundle | time | vs linear |", "|---|---:|---:|",
            f"| linear sample model (SampleModels/iris-multinomial) | {linear:.1f} ms | 1.00× |",
            f"| trees (a): XGBoost {n['xgb_trees']} trees | {a:.1f} ms | {a / linear:.2f}× |", ""]


def write(path, rows, cold, n, args, elapsed, record):
    command = "make bench QUICK=1" if args.quick else "make bench"
    text = [
        "# Tree ensembles: ModelBundle against the libraries, ONNX Runtime, treelite/tl2cgen and lleaves",
        "",
        f"Generated by `{command}` (Benchmarks/trees_bench.py) in {elapsed / 60:.1f} min on "
        f"{platform.machine()}, {THREADS} cores, {platform.system()} {platform.release()}. "
        f"{n['rows']:,} × {FEATURES} float64 rows; every contender on all {THREADS} cores, in its own process, "
        f"input already in memory; batch time is the median of {n['rounds']} runs, one-row latency the median of "
        f"{n['one']} calls in the same process. Ratios are the contender's time over ModelBundle's (above 1: "
        "ModelBundle is faster), given only when the contender's outputs agree with the library's own "
        f"(float64 to {FLOAT64_RTOL:g} relative; float32 contenders to {FLOAT32_RTOL:g} relative + "
        f"{FLOAT32_ATOL:g} absolute).",
        "",
        "Versions: " + ", ".join(f"{k} {v}" for k, v in record["versions"].items()) + ".",
        "",
    ]
    for title, lines in rows:
        text += [f"## {title}", "", "| contender | batch | batch ratio | 1 row | 1-row ratio | outputs vs the library |",
                 "|---|---:|---:|---:|---:|---|", *lines, ""]
    if cold:
        text += cold_lines(cold, n)
    with open(path, "w") as f:
        f.write("\n".join(text))
    with open(os.path.splitext(path)[0] + ".json", "w") as f:
        json.dump(record, f, indent=1)
    print("\n".join(text))
    print(f"wrote {path}", file=sys.stderr)


if __name__ == "__main__":
    main()
