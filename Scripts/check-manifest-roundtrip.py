"""Checks that ModelBundle's manifest layer rewrites every fixture MLmodel without changing what MLflow sees.

Run (from the repository root, with a Python that has mlflow 3.17.2, e.g. the fixtures venv):
    make interop    (creates the pinned virtualenv and runs this with the release binary)
    .build/python-venv/bin/python Scripts/check-manifest-roundtrip.py PATH/TO/mbundle [BUNDLE ...]

For every bundle under Tests/Fixtures/mlflow (or only the named ones) it:
  1. copies the bundle to a temporary directory;
  2. runs `MBUNDLE _rewrite-manifest <copy>/MLmodel <copy>/MLmodel.rewritten`;
  3. checks with real MLflow that Model.load of the rewritten file gives the same to_dict(),
     signature and saved_input_example_info as the original;
  4. puts the rewritten file in place of MLmodel and checks that mlflow.pyfunc.load_model still
     loads the copy and, where the original predicts on its input example, predicts the same.
Prints a table (bundle, result) and exits 1 if any bundle differs, 2 on a usage error.
"""

import io
import json
import os
import pathlib
import shutil
import subprocess
import sys
import tempfile
import warnings

ROOT = pathlib.Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "Tests" / "Fixtures" / "mlflow"


def predictions_json(model_dir, mlmodel):
    """MLflow's JSON predictions on the bundle's own input example, or None when it has none."""
    import mlflow.pyfunc
    from mlflow.pyfunc.scoring_server import predictions_to_json

    pyfunc = mlflow.pyfunc.load_model(str(model_dir))
    example = mlmodel.load_input_example(str(model_dir))
    if example is None:
        return None
    params = mlmodel.load_input_example_params(str(model_dir))
    out = io.StringIO()
    predictions_to_json(pyfunc.predict(example, params=params), out)
    return out.getvalue()


def differing_keys(a, b, prefix=""):
    """Dotted paths where two to_dict() results differ, for the failure message."""
    if isinstance(a, dict) and isinstance(b, dict):
        paths = []
        for key in sorted(set(a) | set(b), key=str):
            path = f"{prefix}.{key}" if prefix else str(key)
            if key not in a or key not in b:
                paths.append(path + (" (missing after rewrite)" if key not in b else " (added by rewrite)"))
            else:
                paths.extend(differing_keys(a[key], b[key], path))
        return paths
    return [] if a == b else [prefix or "<root>"]


def check_bundle(mbundle, bundle):
    from mlflow.models import Model

    problems = []
    with tempfile.TemporaryDirectory() as tmp:
        copy = pathlib.Path(tmp, bundle.name)
        shutil.copytree(bundle, copy)
        rewritten = copy / "MLmodel.rewritten"
        run = subprocess.run(
            [mbundle, "_rewrite-manifest", str(copy / "MLmodel"), str(rewritten)],
            capture_output=True,
            text=True,
            timeout=120,
        )
        if run.returncode != 0:
            return [f"_rewrite-manifest exited {run.returncode}: {run.stderr.strip()[:300]}"]
        if not rewritten.is_file():
            return ["_rewrite-manifest wrote no file"]

        original = Model.load(str(copy / "MLmodel"))
        # Model.load only accepts a file named MLmodel (or its directory), so load a copy of it.
        rewritten_dir = pathlib.Path(tmp, "rewritten")
        rewritten_dir.mkdir()
        shutil.copyfile(rewritten, rewritten_dir / "MLmodel")
        try:
            again = Model.load(str(rewritten_dir / "MLmodel"))
        except Exception as error:  # noqa: BLE001 - any failure to load is the finding
            return [f"MLflow cannot load the rewritten MLmodel: {error}"]

        if original.to_dict() != again.to_dict():
            problems.append("to_dict differs at " + ", ".join(differing_keys(original.to_dict(), again.to_dict())))
        original_sig = original.signature.to_dict() if original.signature else None
        again_sig = again.signature.to_dict() if again.signature else None
        if original_sig != again_sig:
            problems.append("signature differs")
        if original.saved_input_example_info != again.saved_input_example_info:
            problems.append("saved_input_example_info differs")

        if "python_function" in original.flavors:
            # Predict from the untouched fixture, then from the copy with the rewritten MLmodel in place.
            try:
                expected = predictions_json(bundle, original)
            except Exception as error:  # noqa: BLE001
                expected = None
                problems.append(f"original does not predict: {error}")
            os.replace(rewritten, copy / "MLmodel")
            try:
                actual = predictions_json(copy, Model.load(str(copy / "MLmodel")))
            except Exception as error:  # noqa: BLE001
                problems.append(f"pyfunc.load_model/predict fails after rewrite: {error}")
            else:
                if expected != actual:
                    problems.append(f"predictions differ: {expected} vs {actual}")
    return problems


def main(argv):
    if len(argv) < 2 or argv[1] in ("-h", "--help"):
        print(__doc__, file=sys.stderr)
        return 2
    mbundle = str(pathlib.Path(argv[1]).resolve())
    if not os.access(mbundle, os.X_OK):
        print(f"error: {argv[1]} is not an executable", file=sys.stderr)
        return 2
    names = argv[2:]
    bundles = sorted(p for p in FIXTURES.iterdir() if p.is_dir() and (not names or p.name in names))
    if not bundles:
        print(f"error: no bundles found under {FIXTURES}", file=sys.stderr)
        return 2

    warnings.filterwarnings("ignore")
    os.environ.setdefault("MLFLOW_ALLOW_PICKLE_DESERIALIZATION", "true")
    import logging

    logging.getLogger("mlflow").setLevel(logging.ERROR)

    failed = 0
    width = max(len(b.name) for b in bundles)
    print(f"{'bundle':<{width}}  result")
    print(f"{'-' * width}  ------")
    for bundle in bundles:
        try:
            problems = check_bundle(mbundle, bundle)
        except Exception as error:  # noqa: BLE001 - report and go on with the next bundle
            problems = [f"check crashed: {error!r}"]
        if problems:
            failed += 1
            print(f"{bundle.name:<{width}}  FAIL: " + "; ".join(problems))
        else:
            print(f"{bundle.name:<{width}}  ok")
    print(f"\n{len(bundles) - failed}/{len(bundles)} bundles round-trip unchanged")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
