#!/usr/bin/env bash
# Sourced by the Spark check and bench: makes sure Java 17+ is present (apt's openjdk-17-jre-headless
# when missing) and that a virtualenv with pinned pyspark, pyarrow, pandas and the MLflow stack of
# Scripts/python-env.sh exists under .build/spark-venv, with integrations/spark installed into it.
# Sets $spark_venv. SPARK_VENV names an existing one to reuse.
spark_env_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
spark_venv="${SPARK_VENV:-$spark_env_root/.build/spark-venv}"
# The MLflow stack is pinned to the versions of Scripts/python-env.sh (the fixtures' versions);
# xgboost==3.2.0 is installed below.
spark_requirements=(pyspark==4.3.0 pyarrow==25.0.1 pandas==3.1.1 numpy==2.4.6 mlflow==3.17.2
    scikit-learn==1.9.1 skops==0.16.0 cloudpickle==3.1.2 pytest==9.2.0 setuptools==84.2.1)

java_major() { java -version 2>&1 | sed -n 's/.*version "\([0-9]*\).*/\1/p' | head -n1; }
if ! command -v java >/dev/null 2>&1 || [ "$(java_major)" -lt 17 ] 2>/dev/null; then
    if ! command -v apt-get >/dev/null 2>&1; then
        echo "error: pyspark 4 needs Java 17 or newer and apt-get is not available; install a JRE 17" >&2
        exit 1
    fi
    sudo=""
    [ "$(id -u)" -ne 0 ] && sudo="sudo"
    echo "installing openjdk-17-jre-headless (apt-get)" >&2
    export DEBIAN_FRONTEND=noninteractive
    $sudo apt-get update -qq >&2
    $sudo apt-get install -y -qq --no-install-recommends openjdk-17-jre-headless >&2
fi

if [ ! -x "$spark_venv/bin/python" ] || ! "$spark_venv/bin/python" -c "import pyspark, pyarrow, mlflow, sklearn, xgboost, pytest" 2>/dev/null; then
    echo "creating Python virtualenv $spark_venv (${spark_requirements[*]})" >&2
    python3 -m venv "$spark_venv"
    for attempt in 1 2 3; do
        # xgboost without its dependencies: the Linux wheel pulls in NCCL (350 MB) for multi-GPU
        # training, which prediction on CPU never loads; numpy and scipy come with scikit-learn.
        if "$spark_venv/bin/pip" install --quiet --disable-pip-version-check "${spark_requirements[@]}" >&2 \
            && "$spark_venv/bin/pip" install --quiet --disable-pip-version-check --no-deps xgboost==3.2.0 >&2; then
            break
        fi
        [ "$attempt" = 3 ] && { echo "error: pip could not install ${spark_requirements[*]}" >&2; exit 1; }
        sleep 5
    done
fi
# The package under test, reinstalled each time so the check runs the working tree's code (no deps:
# they are the pins above).
"$spark_venv/bin/pip" install --quiet --disable-pip-version-check --no-deps --no-build-isolation \
    "$spark_env_root/integrations/spark" >&2
export MLFLOW_LOCK_MODEL_DEPENDENCIES=false
export SETUPTOOLS_USE_DISTUTILS=stdlib
export PYSPARK_PYTHON="$spark_venv/bin/python"
export PYSPARK_DRIVER_PYTHON="$spark_venv/bin/python"
