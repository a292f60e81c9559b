#!/usr/bin/env bash
# `make interop`: checks ModelBundle against real MLflow (pinned, in a virtualenv under .build/).
# Usage: Scripts/interop.sh MBUNDLE_BINARY
set -euo pipefail
[ $# = 1 ] || { echo "usage: Scripts/interop.sh MBUNDLE_BINARY" >&2; exit 64; }
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
mbundle="$(cd "$(dirname "$1")" && pwd)/$(basename "$1")"
source "$root/Scripts/python-env.sh"
# The checks are independent Python programs, mostly on one core each: they run in two lanes at once,
# each lane into its own log, printed in order once both have finished. A check's failure fails
# `make interop` after every check has run.
declare -A titles=(
    [check-manifest-roundtrip.py]="MLmodel round trip through ModelBundle, judged by MLflow"
    # The matrix also runs every case of check-packaged-interop.py (mbundle package, judged by mlflow.pyfunc).
    [interop-matrix.py]="interop matrix: MLflow-written bundles, mbundle package/convert, refusals (Docs/interop.md)"
    [check-converted-interop.py]="mbundle convert on the MLflow fixture bundles, judged by mlflow.pyfunc"
    [interop-pipelines.py]="scikit-learn preprocessing pipelines (issue #13): mbundle predict/convert vs MLflow's scoring path"
    [check-tree-interop.py]="tree ensembles: mlflow.xgboost / mlflow.lightgbm bundles and their conversions"
    [serve-replay.py]="mbundle serve against mlflow models serve: one request corpus replayed to both (Docs/serving.md)"
    [check-v2-triton.py]="mbundle serve read and driven by a real V2 client (tritonclient.http)"
    [check-spline-loader.py]="the numpy loader's SplineTransformer against scikit-learn (Tests/Fixtures/preprocessing)"
)
check() {  # check SCRIPT: one check, with its title and duration
    local script=$1 began=$SECONDS status=0
    echo "== ${titles[$script]}"
    "$venv/bin/python" "$root/Scripts/$script" "$mbundle" || status=$?
    echo "-- $script: $((SECONDS - began)) s, exit status $status"
    return "$status"
}
lane() {  # lane SCRIPT...: the checks in turn; fails when any of them failed
    local status=0 script
    for script in "$@"; do check "$script" || status=1; done
    return "$status"
}
status=0
logs=$(mktemp -d)  # each lane works in a directory of its own under it
mkdir "$logs/one" "$logs/two"
(cd "$logs/one" && lane check-manifest-roundtrip.py interop-matrix.py check-spline-loader.py) >"$logs/one.log" 2>&1 &
one=$!
(cd "$logs/two" && lane check-converted-interop.py interop-pipelines.py check-tree-interop.py serve-replay.py \
    check-v2-triton.py) >"$logs/two.log" 2>&1 &
two=$!
wait "$one" || status=1
wait "$two" || status=1
cat "$logs/one.log" "$logs/two.log" >&2
grep -h '^-- ' "$logs/one.log" "$logs/two.log" >&2
rm -rf "$logs"
exit "$status"
