#!/usr/bin/env bash
# The tree-ensemble rows of `make bench` (called by Benchmarks/bench.sh; QUICK=1 for the short form).
# Rerun alone: [QUICK=1] bash Benchmarks/trees-bench.sh MBUNDLE [--reuse-models]
# (--reuse-models keeps the trained models, ONNX files and compiled peers of a complete earlier run.)
# Makes .build/trees-bench-venv with the pinned libraries and peers below (its own virtualenv: the
# compilers of treelite/tl2cgen and lleaves stay out of the other benchmarks' environment), builds the
# TreeTiming tool of the nested package, then runs Benchmarks/trees_bench.py, which writes
# Benchmarks/results/trees.{md,json} (quick) or Benchmarks/results/full/trees.{md,json}.
set -euo pipefail
cd "$(dirname "$0")/.."
mbundle="$(cd "$(dirname "$1")" && pwd)/$(basename "$1")"
venv="$PWD/.build/trees-bench-venv"
# Each peer is installed on its own, so one that cannot install here is reported in the table, not fatal.
# llvmlite stays at 0.43: lleaves 1.3.0 uses the legacy pass manager that later llvmlite removed.
base=(numpy==2.4.6 scikit-learn==1.9.1 xgboost==3.2.0 lightgbm==4.7.0 mlflow==3.17.2 skops==0.16.0 cloudpickle==3.1.2
    pandas==3.1.1)
peers=("onnx==1.23.2 onnxruntime==1.31.1 skl2onnx==1.20.0 onnxmltools==1.16.0" "treelite==4.8.1 tl2cgen==1.0.0"
    "lleaves==1.3.0 llvmlite==0.43.0")
if [ ! -f "$venv/.complete" ]; then
    echo "creating $venv (${base[*]} ${peers[*]})" >&2
    python3 -m venv "$venv"
    "$venv/bin/pip" install --quiet --disable-pip-version-check "${base[@]}" >&2
    for group in "${peers[@]}"; do
        # shellcheck disable=SC2086
        "$venv/bin/pip" install --quiet --disable-pip-version-check $group "${base[@]}" >&2 ||
            echo "warning: could not install $group; the table says so" >&2
    done
    touch "$venv/.complete"
fi
export MLFLOW_LOCK_MODEL_DEPENDENCIES=false SETUPTOOLS_USE_DISTUTILS=stdlib
(cd Benchmarks && swift build -c release --product TreeTiming >&2)
tree_timing="$(cd Benchmarks && swift build -c release --product TreeTiming --show-bin-path)/TreeTiming"
if [ "${QUICK:-0}" != 0 ]; then
    "$venv/bin/python" Benchmarks/trees_bench.py --mbundle "$mbundle" --tree-timing "$tree_timing" --quick "${@:2}"
else
    "$venv/bin/python" Benchmarks/trees_bench.py --mbundle "$mbundle" --tree-timing "$tree_timing" "${@:2}"
fi
