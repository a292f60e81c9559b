"""Writes small MLflow bundles with REAL MLflow, plus golden environment-manifest texts.

Rerun (from the repository root):
    bash Scripts/make-mlflow-fixtures.sh                       # creates .build/fixtures-venv if needed
    VENV=/path/to/venv bash Scripts/make-mlflow-fixtures.sh   # reuse an existing virtualenv

Outputs (old output is replaced):
    Tests/Fixtures/mlflow/<bundle>/...      bundles written by mlflow 3.17.2 (one hand-written legacy bundle)
    Tests/Fixtures/mlflow/expected.json     what MLflow itself reports about each bundle
    Tests/Fixtures/environment/cases.json   requirements.txt / conda.yaml / python_env.yaml texts that
                                            MLflow's own functions write for several input sets

Everything is seeded and small; model_uuid, utc_time_created, run/model ids and the logged model's
artifact URI are chosen by MLflow and differ between runs.
"""

import base64
import datetime
import io
import json
import os
import pathlib
import pickle
import shutil
import sys
import tempfile

import numpy as np
import pandas as pd
import sklearn
import yaml

import mlflow
import mlflow.pyfunc
import mlflow.sklearn
from mlflow.models import Model, ModelSignature, infer_signature
from mlflow.pyfunc.scoring_server import predictions_to_json
from mlflow.types.schema import AnyType, Array, ColSpec, DataType, Map, Object, ParamSchema, ParamSpec, Property, Schema
from mlflow.utils import environment as mlenv
from sklearn.datasets import load_diabetes, load_iris
from sklearn.dummy import DummyClassifier
from sklearn.linear_model import LinearRegression, LogisticRegression

ROOT = pathlib.Path(sys.argv[1]).resolve()
OUT = ROOT / "Tests" / "Fixtures" / "mlflow"
ENV_OUT = ROOT / "Tests" / "Fixtures" / "environment"

# Explicit requirements keep the bundles identical across machines (inference would spawn a
# subprocess per bundle and pin whatever happens to be installed).
SK_REQS = [f"scikit-learn=={sklearn.__version__}", f"numpy=={np.__version__}", f"pandas=={pd.__version__}"]


def binary_frame():
    rng = np.random.default_rng(7)
    x = pd.DataFrame(rng.normal(size=(40, 3)).round(3), columns=["x1", "x2", "x3"])
    y = (x["x1"] - 0.5 * x["x2"] + 0.25 * x["x3"] > 0).astype("int64")
    return x, y


def fit_binary():
    x, y = binary_frame()
    return LogisticRegression(random_state=0).fit(x, y), x


def dummy_model():
    # Predicts a constant whatever the columns are, so bundles with exotic signatures still predict.
    return DummyClassifier(strategy="constant", constant=1).fit([[0.0], [1.0]], [0, 1])


def save(name, model, **kwargs):
    path = OUT / name
    kwargs.setdefault("pip_requirements", SK_REQS)
    mlflow.sklearn.save_model(model, str(path), **kwargs)
    return path


def make_bundles():
    model, x = fit_binary()
    sig = infer_signature(x, model.predict(x))
    for fmt in ("skops", "pickle", "cloudpickle"):
        save(f"logreg_binary_{fmt}", model, serialization_format=fmt, signature=sig, input_example=x.head(3))

    # Tensor signature: ndarray float64 [-1, 4] with an ndarray example.
    rng = np.random.default_rng(11)
    xt = rng.normal(size=(30, 4)).round(3)
    yt = (xt[:, 0] + xt[:, 3] > 0).astype("int64")
    tmodel = LogisticRegression(random_state=0).fit(xt, yt)
    save("tensor_ndarray", tmodel, signature=infer_signature(xt, tmodel.predict(xt)), input_example=xt[:2])

    iris = load_iris(as_frame=True)
    ix, iy = iris.data, iris.target
    imodel = LogisticRegression(max_iter=500, random_state=0).fit(ix, iy)
    save(
        "iris_multinomial_proba",
        imodel,
        signature=infer_signature(ix, imodel.predict_proba(ix)),
        input_example=ix.iloc[[0, 60, 120]],
        pyfunc_predict_fn="predict_proba",
    )

    diabetes = load_diabetes(as_frame=True)
    dx, dy = diabetes.data, diabetes.target
    dmodel = LinearRegression().fit(dx, dy)
    save("diabetes_linear", dmodel, signature=infer_signature(dx, dmodel.predict(dx)), input_example=dx.head(3))

    # Every scalar type, some columns optional; the signature is given explicitly.
    scalar_schema = Schema([
        ColSpec(DataType.boolean, "b"),
        ColSpec(DataType.integer, "i"),
        ColSpec(DataType.long, "l"),
        ColSpec(DataType.float, "f"),
        ColSpec(DataType.double, "d"),
        ColSpec(DataType.string, "s"),
        ColSpec(DataType.binary, "bin", required=False),
        ColSpec(DataType.datetime, "dt", required=False),
    ])
    scalar_example = pd.DataFrame({
        "b": [True, False],
        "i": np.array([1, -2], dtype="int32"),
        "l": np.array([3, 4], dtype="int64"),
        "f": np.array([0.5, 1.5], dtype="float32"),
        "d": [2.25, -3.5],
        "s": ["alpha", "beta"],
        "bin": [b"\x00\x01", b"hi"],
        "dt": pd.to_datetime(["2024-01-02 03:04:05", "2025-06-07 00:00:00"]),
    })
    save(
        "all_scalar_types",
        dummy_model(),
        signature=ModelSignature(inputs=scalar_schema, outputs=Schema([ColSpec(DataType.long)])),
        input_example=scalar_example,
    )

    complex_schema = Schema([
        ColSpec(Array(DataType.long), "arr"),
        ColSpec(Object([Property("x", DataType.long), Property("y", DataType.string, required=False)]), "obj"),
        ColSpec(Map(DataType.double), "m"),
        ColSpec(AnyType(), "anything", required=False),
        ColSpec(Array(Object([Property("tags", Array(DataType.string)), Property("w", Map(Array(DataType.double)))])), "nested"),
    ])
    complex_example = pd.DataFrame({
        "arr": [[1, 2, 3]],
        "obj": [{"x": 1, "y": "a"}],
        "m": [{"k": 1.5}],
        "anything": ["free"],
        "nested": [[{"tags": ["t1", "t2"], "w": {"a": [0.5, 1.0]}}]],
    })
    save(
        "complex_types",
        dummy_model(),
        signature=ModelSignature(inputs=complex_schema, outputs=Schema([ColSpec(DataType.long)])),
        input_example=complex_example,
    )

    params = ParamSchema([
        ParamSpec("flag", DataType.boolean, True),
        ParamSpec("small", DataType.integer, np.int32(3)),
        ParamSpec("count", DataType.long, 10),
        ParamSpec("ratio", DataType.float, np.float32(0.5)),
        ParamSpec("alpha", DataType.double, 0.125),
        ParamSpec("label", DataType.string, "hello"),
        ParamSpec("when", DataType.datetime, datetime.datetime(2024, 5, 6, 7, 8, 9)),
        ParamSpec("ids", DataType.long, [1, 2, 3], (-1,)),
        ParamSpec("names", DataType.string, ["a", "b"], (-1,)),
    ])
    psig = ModelSignature(inputs=sig.inputs, outputs=sig.outputs, params=params)
    save(
        "params_all_types",
        model,
        signature=psig,
        input_example=(x.head(2), {"count": 5, "label": "world", "ids": [7, 8]}),
    )

    save(
        "with_metadata",
        model,
        signature=sig,
        metadata={"author": "fixtures", "stage": "test", "tags": ["a", "b"], "nested": {"k": 1, "f": 0.5}},
    )

    make_logged(model, x, sig)
    make_unknown_keys(model, sig)
    make_legacy(model, x)


def make_logged(model, x, sig):
    with tempfile.TemporaryDirectory() as tmp:
        mlflow.set_tracking_uri(f"sqlite:///{tmp}/mlflow.db")
        exp = mlflow.create_experiment("fixtures", artifact_location=pathlib.Path(tmp, "artifacts").as_uri())
        with mlflow.start_run(experiment_id=exp):
            info = mlflow.sklearn.log_model(
                model, name="model", signature=sig, input_example=x.head(2), pip_requirements=SK_REQS
            )
        local = mlflow.artifacts.download_artifacts(info.model_uri, dst_path=str(pathlib.Path(tmp, "dl")))
        shutil.copytree(local, OUT / "logged_sqlite")
        mlflow.set_tracking_uri(None)


def make_unknown_keys(model, sig):
    path = save("unknown_keys", model, signature=sig)
    m = Model.load(str(path))
    m.custom_top_level = {"owner": "team-x", "priority": 2}
    m.flavors["sklearn"]["custom_flavor_key"] = "kept"
    m.save(str(path / "MLmodel"))
    again = Model.load(str(path)).to_dict()
    assert again["custom_top_level"] == {"owner": "team-x", "priority": 2}, again
    assert again["flavors"]["sklearn"]["custom_flavor_key"] == "kept", again


LEGACY_MLMODEL = """\
# HAND-WRITTEN fixture (not produced by the MLflow installed here): an MLflow 1.x-style bundle.
# MLflow 3.x cannot write this shape any more, so it was typed after 1.x's save_model output:
# env is a plain string, no mlflow_version / model_uuid / model_id, ColSpecs have no "required",
# the sklearn flavor has no serialization_format (the loader then assumes pickle) and the
# pyfunc flavor uses the old `data: model.pkl`. model.pkl is pickled with the scikit-learn
# installed here so that current MLflow can still load and predict it.
artifact_path: model
flavors:
  python_function:
    data: model.pkl
    env: conda.yaml
    loader_module: mlflow.sklearn
    python_version: 3.7.3
  sklearn:
    pickled_model: model.pkl
    sklearn_version: {sklearn_version}
run_id: 0a1b2c3d4e5f60718293a4b5c6d7e8f9
saved_input_example_info:
  artifact_path: input_example.json
  pandas_orient: split
  type: dataframe
signature:
  inputs: '[{{"name": "x1", "type": "double"}}, {{"name": "x2", "type": "double"}}, {{"name":
    "x3", "type": "double"}}]'
  outputs: '[{{"type": "long"}}]'
utc_time_created: '2020-05-04 03:02:01.123456'
"""

LEGACY_CONDA = """\
channels:
- defaults
- conda-forge
dependencies:
- python=3.7.3
- scikit-learn=0.22.1
- pip
- pip:
  - mlflow
  - cloudpickle==1.3.0
name: mlflow-env
"""


def make_legacy(model, x):
    path = OUT / "legacy_v1"
    path.mkdir()
    (path / "MLmodel").write_text(LEGACY_MLMODEL.format(sklearn_version=sklearn.__version__))
    with open(path / "model.pkl", "wb") as f:
        pickle.dump(model, f, protocol=4)
    (path / "conda.yaml").write_text(LEGACY_CONDA)
    example = {"columns": list(x.columns), "data": x.head(2).values.tolist()}
    (path / "input_example.json").write_text(json.dumps(example))


def jsonable(value):
    return json.loads(json.dumps(value, default=str))


def describe(path):
    m = Model.load(str(path))
    entry = {
        "to_dict": jsonable(m.to_dict()),
        "signature": m.signature.to_dict() if m.signature is not None else None,
        "saved_input_example_info": jsonable(m.saved_input_example_info),
        "files": sorted(str(p.relative_to(path)) for p in path.rglob("*") if p.is_file()),
        "predictions": None,
    }
    if "python_function" in m.flavors:
        pyfunc = mlflow.pyfunc.load_model(str(path))
        example = m.load_input_example(str(path))
        if example is not None:
            params = m.load_input_example_params(str(path))
            raw = pyfunc.predict(example, params=params)
            out = io.StringIO()
            predictions_to_json(raw, out)
            entry["predictions"] = json.loads(out.getvalue())
    return entry


def make_expected():
    expected = {}
    for path in sorted(p for p in OUT.iterdir() if p.is_dir()):
        expected[path.name] = describe(path)
    (OUT / "expected.json").write_text(json.dumps(expected, indent=1, sort_keys=True) + "\n")


# ---------------------------------------------------------------------------------------------
# Environment manifests: drive MLflow's own functions with chosen python/pip/setuptools/wheel
# versions (patched in, since MLflow reads them from the running interpreter).

ENV_CASES = [
    {
        "name": "sklearn_defaults",
        "requirements": ["scikit-learn==1.9.1", "numpy==2.4.6", "pandas==3.1.1", "scipy==1.17.1", "skops==0.16.0"],
        "python": "3.11.7",
        "build": {"pip": "23.2.1", "setuptools": "65.5.0", "wheel": None},
    },
    {
        "name": "mlflow_already_present",
        "requirements": ["mlflow==2.9.0", "numpy==1.26.4"],
        "python": "3.10.12",
        "build": {"pip": "24.0", "setuptools": "69.5.1", "wheel": "0.43.0"},
    },
    {
        "name": "duplicates",
        "requirements": ["numpy==2.4.6", "scikit-learn==1.9.1", "numpy==2.4.6", "scikit-learn==1.9.1"],
        "python": "3.12.3",
        "build": {"pip": "25.1", "setuptools": None, "wheel": None},
    },
    {
        "name": "constraints_line",
        "requirements": ["numpy==2.4.6", "-c constraints.txt"],
        "python": "3.11.7",
        "build": {"pip": "23.2.1", "setuptools": "65.5.0", "wheel": "0.41.2"},
    },
    {
        "name": "local_version_labels",
        "requirements": ["torch==2.7.1+cu128", "numpy==2.4.6+local.1"],
        "python": "3.11.7",
        "build": {"pip": "23.2.1", "setuptools": "65.5.0", "wheel": None},
    },
    {
        "name": "only_mlflow",
        "requirements": [],
        "python": "3.9.18",
        "build": {"pip": None, "setuptools": None, "wheel": None},
    },
    {
        # Scalars PyYAML must quote ("null", "3.10") and ones it must not (markers, URLs).
        "name": "yaml_quoting",
        "requirements": ["null", 'pywin32==306; sys_platform == "win32"', "pkg @ https://example.com/pkg-1.0.whl#sha256=ab"],
        "python": "3.10",
        "build": {"pip": "24.0", "setuptools": "1.0", "wheel": None},
    },
    {
        # A requirement longer than PyYAML's 80-column line width: safe_dump folds it at a space.
        "name": "long_marker",
        "requirements": [
            'tensorflow-io-gcs-filesystem==0.37.1; python_version < "3.12" and platform_machine != "arm64" and sys_platform != "win32"'
        ],
        "python": "3.11.7",
        "build": {"pip": "23.2.1", "setuptools": "65.5.0", "wheel": None},
    },
    {
        "name": "build_deps_missing",
        "requirements": ["pandas==3.1.1"],
        "python": "3.13.0",
        "build": {"pip": None, "setuptools": None, "wheel": None},
    },
]


def env_case(case, constraints_dir):
    build = case["build"]
    real_version = mlenv._get_package_version
    mlenv._get_package_version = lambda name: build.get(name) if name in build else real_version(name)
    real_python = mlenv.PYTHON_VERSION
    mlenv.PYTHON_VERSION = case["python"]
    try:
        reqs = [r if not r.startswith("-c ") else f"-c {constraints_dir}/constraints.txt" for r in case["requirements"]]
        conda_env, pip_reqs, constraints = mlenv._process_pip_requirements([], pip_requirements=reqs)
        requirements_text = "\n".join(pip_reqs)
        conda_text = yaml.safe_dump(conda_env, default_flow_style=False)
        python_env = mlenv._PythonEnv(
            python=case["python"],
            build_dependencies=mlenv._PythonEnv.get_current_build_dependencies(),
            dependencies=[f"-r {mlenv._REQUIREMENTS_FILE_NAME}"],
        )
        with tempfile.TemporaryDirectory() as tmp:
            python_env.to_yaml(os.path.join(tmp, "python_env.yaml"))
            python_env_text = pathlib.Path(tmp, "python_env.yaml").read_text()
    finally:
        mlenv._get_package_version = real_version
        mlenv.PYTHON_VERSION = real_python
    return {
        "name": case["name"],
        "input": {
            "requirements": case["requirements"],
            "python": case["python"],
            "pip": build["pip"],
            "setuptools": build["setuptools"],
            "wheel": build["wheel"],
            "mlflow": mlflow.__version__,
        },
        "requirements.txt": requirements_text,
        "conda.yaml": conda_text,
        "python_env.yaml": python_env_text,
        "constraints": constraints,
    }


def make_env_cases():
    with tempfile.TemporaryDirectory() as tmp:
        pathlib.Path(tmp, "constraints.txt").write_text("numpy<3\n")
        cases = [env_case(c, tmp) for c in ENV_CASES]
    ENV_OUT.mkdir(parents=True, exist_ok=True)
    (ENV_OUT / "cases.json").write_text(json.dumps({"cases": cases}, indent=1) + "\n")


def main():
    os.environ["MLFLOW_LOCK_MODEL_DEPENDENCIES"] = "false"
    only_env = "--env-only" in sys.argv
    make_env_cases()
    if only_env:
        return
    if OUT.exists():
        shutil.rmtree(OUT)
    OUT.mkdir(parents=True)
    make_bundles()
    make_expected()


if __name__ == "__main__":
    main()
