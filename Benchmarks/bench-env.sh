# Sourced (from the repository root) by Benchmarks/bench.sh and the per-area Scripts/bench-*.sh: the pinned
# virtualenv of Scripts/python-env.sh plus the benchmark-only pins, and the release mbundle built exactly as
# the Makefile builds it. Sets $venv (the virtualenv) and $mbundle (the binary). VENV=... reuses a virtualenv.
# shellcheck source=../Scripts/python-env.sh
source Scripts/python-env.sh
# Only the benchmarks need these; pinned like the rest (the versions the committed results were made with).
bench_requirements=(matplotlib==3.11.2 onnx==1.23.2 onnxruntime==1.31.1 skl2onnx==1.20.0 orjson==3.13.0)
if ! "$venv/bin/python" -c "import matplotlib, onnxruntime, skl2onnx, orjson" 2>/dev/null; then
    echo "installing ${bench_requirements[*]} into $venv" >&2
    "$venv/bin/pip" install --quiet --disable-pip-version-check "${bench_requirements[@]}" >&2
fi
make --no-print-directory release >&2
mbundle="$PWD/.build/release/mbundle"
