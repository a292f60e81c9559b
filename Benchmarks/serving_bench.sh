#!/usr/bin/env bash
# The serving table of `make bench` (Benchmarks/serving_bench.py): mbundle serve, mlflow models serve
# (one worker and one per core) and MLServer's MLflow runtime under wrk, same run.
# Rerun: bash Benchmarks/serving_bench.sh   (QUICK=1: 3-second cells; VENV=... reuses the MLflow virtualenv)
# Installs wrk (Debian) when missing and MLServer pinned in its own virtualenv under .build/ (its MLflow
# runtime pulls dependencies that must not change the benchmark's pinned MLflow virtualenv).
set -euo pipefail
cd "$(dirname "$0")/.."
if ! command -v wrk >/dev/null 2>&1; then
    sudo=""; [ "$(id -u)" -ne 0 ] && sudo="sudo"
    echo "installing wrk (apt-get)" >&2
    $sudo apt-get update -qq >&2
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends wrk >&2
fi
# shellcheck source=../Scripts/python-env.sh
source Scripts/python-env.sh
make --no-print-directory release >&2
mlserver_venv="${MLSERVER_VENV:-$PWD/.build/mlserver-venv}"
mlserver_requirements=(mlserver==1.7.1 mlserver-mlflow==1.7.1 mlflow==3.17.2 scikit-learn==1.9.1 skops==0.16.0)
if ! "$mlserver_venv/bin/python" -c "import mlserver_mlflow" 2>/dev/null; then
    python3 -m venv "$mlserver_venv"
    "$mlserver_venv/bin/pip" install --quiet --disable-pip-version-check "${mlserver_requirements[@]}" >&2
fi
ulimit -n "$(ulimit -Hn)" 2>/dev/null || true
results="Benchmarks/results"
[ "${QUICK:-0}" != 0 ] || results="Benchmarks/results/full"
quick=()
[ "${QUICK:-0}" != 0 ] && quick=(--quick)
"$venv/bin/python" Benchmarks/serving_bench.py --mbundle "$PWD/.build/release/mbundle" \
    --mlflow-python "$venv/bin/python" --mlserver "$mlserver_venv/bin/mlserver" --results "$results" "${quick[@]}"
