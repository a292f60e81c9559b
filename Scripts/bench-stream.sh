#!/usr/bin/env bash
# Peak RSS of `mbundle predict --stream` over a ~1 GB CSV (one numeric column).
# Usage: Scripts/bench-stream.sh [SIZE_MB=1024]
set -euo pipefail
cd "$(dirname "$0")/.."
SIZE_MB=${1:-1024}
# shellcheck source=../Benchmarks/bench-env.sh
source Benchmarks/bench-env.sh # sets $venv and $mbundle (the release binary, built as the Makefile does)
BIN=$mbundle
PYENV=$venv
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
"$PYENV/bin/python" Scripts/make-bench-bundle.py "$WORK/model"
# Rows like "-1.2345678901234" (~17 bytes each), generated without holding the file in memory.
awk -v bytes=$((SIZE_MB * 1024 * 1024)) 'BEGIN { srand(7); print "x"; n = 2; while (n < bytes) { s = sprintf("%.13f", rand() * 8 - 4); print s; n += length(s) + 1 } }' >"$WORK/big.csv"
ls -l "$WORK/big.csv"
/usr/bin/time -v "$BIN" predict -m "$WORK/model" -i "$WORK/big.csv" --stream -o "$WORK/out.json" 2>"$WORK/time.txt"
grep -E "Maximum resident set size|Elapsed \(wall clock\)" "$WORK/time.txt"
ls -l "$WORK/out.json"
head -c 60 "$WORK/out.json"; echo
