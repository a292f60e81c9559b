#!/usr/bin/env bash
# Cold start of `mbundle predict` (whole process, 6 rows) next to `mlflow models predict --env-manager local`
# on the same bundle and input. Usage: Scripts/bench-cold-start.sh [RUNS=31] [MLFLOW_RUNS=3] [BUNDLE INPUT]
# Without BUNDLE and INPUT: a native bundle from Scripts/make-bench-bundle.py and six one-feature rows. For the
# MLflow skops LogisticRegression of issue #6:
#   Scripts/bench-cold-start.sh 41 3 Tests/Fixtures/mlflow/logreg_binary_skops Benchmarks/inputs/logreg-binary-six-rows.json
# Needs the release binary (built here as the Makefile does) and .build/python-venv (made by Benchmarks/bench-env.sh; VENV to reuse another).
set -euo pipefail
cd "$(dirname "$0")/.."
RUNS=${1:-31}
MLFLOW_RUNS=${2:-3}
# shellcheck source=../Benchmarks/bench-env.sh
source Benchmarks/bench-env.sh # sets $venv and $mbundle (the release binary, built as the Makefile does)
BIN=$mbundle
PYENV=$venv
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
if [ $# -ge 4 ]; then
    cp -R "$3" "$WORK/model"
    cp "$4" "$WORK/in.json"
else
    "$PYENV/bin/python" Scripts/make-bench-bundle.py "$WORK/model"
    echo '{"inputs": [[-4],[1],[0],[10],[-2],[1]]}' >"$WORK/in.json"
fi

median() { sort -n | awk '{a[NR]=$1} END {print (NR%2) ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2}'; }
time_runs() { # runs command N times, prints one duration (ms) per line
    local n=$1; shift
    for _ in $(seq "$n"); do
        # Bash's own clock: `$(date +%s%N)` would fork a process inside the timed interval (~1-3 ms).
        local start end
        start=$EPOCHREALTIME
        "$@" >/dev/null 2>&1
        end=$EPOCHREALTIME
        awk -v s="$start" -v e="$end" 'BEGIN { printf "%.3f\n", (e - s) * 1000 }'
    done
}
echo "mbundle output: $("$BIN" predict -m "$WORK/model" -i "$WORK/in.json")"
"$BIN" predict -m "$WORK/model" -i "$WORK/in.json" >/dev/null # warm the page cache
MB=$(time_runs "$RUNS" "$BIN" predict -m "$WORK/model" -i "$WORK/in.json" | median)
echo "mbundle predict: median ${MB} ms over $RUNS runs"
if [ "$MLFLOW_RUNS" -gt 0 ]; then
    ML=$(time_runs "$MLFLOW_RUNS" "$PYENV/bin/mlflow" models predict -m "$WORK/model" -i "$WORK/in.json" -t json --env-manager local | median)
    echo "mlflow models predict --env-manager local: median ${ML} ms over $MLFLOW_RUNS runs"
fi
