#!/usr/bin/env bash
# The comparison harness behind `make bench` (DESIGN.md §6). Rerun: make bench   or   make bench QUICK=1
# (equivalently: [QUICK=1] [VENV=existing-virtualenv] bash Benchmarks/bench.sh).
# Builds the release mbundle and the KernelTiming tool of the nested package, makes the pinned virtualenv
# (Scripts/python-env.sh plus the benchmark-only pins below), then runs Benchmarks/compare.py, which writes
# Benchmarks/results/{latest.md,latest.png,latest.json,README-performance.md}.
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=../Scripts/python-env.sh
source Scripts/python-env.sh
# Only the benchmark needs these; pinned like the rest (the versions the committed results were made with).
bench_requirements=(matplotlib==3.11.2 onnx==1.23.2 onnxruntime==1.31.1 skl2onnx==1.20.0 orjson==3.13.0)
if ! "$venv/bin/python" -c "import matplotlib, onnxruntime, skl2onnx, orjson" 2>/dev/null; then
    echo "installing ${bench_requirements[*]} into $venv" >&2
    "$venv/bin/pip" install --quiet --disable-pip-version-check "${bench_requirements[@]}" >&2
fi

swift build -c release --static-swift-stdlib --product mbundle >&2
mbundle="$(swift build -c release --static-swift-stdlib --product mbundle --show-bin-path)/mbundle"
(cd Benchmarks && swift build -c release --product KernelTiming >&2)
kernel_timing="$(cd Benchmarks && swift build -c release --product KernelTiming --show-bin-path)/KernelTiming"

# The refusal rule is checked before anything is timed: no ratio is ever printed for disagreeing outputs.
"$venv/bin/python" Benchmarks/test_compare.py >&2

quick=()
if [ "${QUICK:-0}" != 0 ]; then quick=(--quick); fi
"$venv/bin/python" Benchmarks/compare.py --mbundle "$mbundle" --kernel-timing "$kernel_timing" \
    --mlflow "$venv/bin/mlflow" "${quick[@]}"
