#!/usr/bin/env bash
# Sourced by the scripts that need real MLflow: makes sure a virtualenv with the pinned Python
# packages exists and sets $venv to it. VENV names an existing one to reuse.
# Pinned versions are the ones the fixtures and the interop check were made with.
python_env_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
venv="${VENV:-$python_env_root/.build/python-venv}"
python_requirements=(mlflow==3.17.2 scikit-learn==1.9.1 skops==0.16.0 pandas==3.1.1 numpy==2.4.6 cloudpickle==3.1.2 xgboost==3.2.0 lightgbm==4.7.0)

if [ ! -x "$venv/bin/python" ] || ! "$venv/bin/python" -c "import mlflow, sklearn, skops, xgboost, lightgbm" 2>/dev/null; then
    echo "creating Python virtualenv $venv (${python_requirements[*]})" >&2
    python3 -m venv "$venv"
    for attempt in 1 2 3; do
        if "$venv/bin/pip" install --quiet --disable-pip-version-check "${python_requirements[@]}" >&2; then break; fi
        [ "$attempt" = 3 ] && { echo "error: pip could not install ${python_requirements[*]}" >&2; exit 1; }
        sleep 5
    done
fi
# The V2 client the interop check drives `mbundle serve` with; also added to a virtualenv made before it.
"$venv/bin/python" -c "import tritonclient.http" 2>/dev/null \
    || "$venv/bin/pip" install --quiet --disable-pip-version-check "tritonclient[http]==2.73.0" >&2 \
    || { echo "error: pip could not install tritonclient[http]==2.73.0" >&2; exit 1; }
# MLflow must not write ./mlflow.db or ./mlruns, nor ask uv to lock; setuptools' distutils shim
# trips over the virtualenv's stdlib otherwise.
export MLFLOW_LOCK_MODEL_DEPENDENCIES=false
export SETUPTOOLS_USE_DISTUTILS=stdlib
