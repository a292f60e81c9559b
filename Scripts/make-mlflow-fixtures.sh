#!/usr/bin/env bash
# Regenerates Tests/Fixtures/mlflow/** and Tests/Fixtures/environment/cases.json with real MLflow.
#
# Rerun:  bash Scripts/make-mlflow-fixtures.sh
#         VENV=/work/pyenv bash Scripts/make-mlflow-fixtures.sh   (reuse an existing virtualenv)
#
# The virtualenv lives under .build/fixtures-venv unless VENV names another one; it is created with
# the pinned versions below only when it does not exist yet.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
venv="${VENV:-$root/.build/fixtures-venv}"

if [ ! -x "$venv/bin/python" ]; then
    python3 -m venv "$venv"
    "$venv/bin/pip" install --quiet \
        mlflow==3.17.2 scikit-learn==1.9.1 skops==0.16.0 pandas==3.1.1 numpy==2.4.6 cloudpickle
fi

# Keep MLflow from writing ./mlflow.db or ./mlruns into the repository, and from asking uv to lock.
cd "$(mktemp -d)"
export MLFLOW_LOCK_MODEL_DEPENDENCIES=false
export SETUPTOOLS_USE_DISTUTILS=stdlib
exec "$venv/bin/python" "$root/Scripts/make-mlflow-fixtures.py" "$root" "$@"
