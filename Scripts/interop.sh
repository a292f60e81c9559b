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
check() {  # check TITLE SCRIPT: one check, its title and duration in the lane's log
    local title=$1 script=$2 began=$SECONDS status=0
    echo "== $title"
    "$venv/bin/python" "$root/Scripts/$script" "$mbundle" || status=$?
    echo "-- $script: $((SECONDS - began)) s, exit status $status"
    return "$status"
}
lane_one() {
    local status=0
    check "MLmodel round trip through ModelBundle, judged by MLflow" check-manifest-roundtrip.py || status=1
    # The matrix also runs every case of check-packaged-interop.py (mbundle package, judged by mlflow.pyfunc).
    check "interop matrix: MLflow-written bundles, mbundle package/convert, refusals (Docs/interop.md)" \
        interop-matrix.py || status=1
    return "$status"
}
lane_two() {
    local status=0
    check "mbundle convert on the MLflow fixture bundles, judged by mlflow.pyfunc" check-converted-interop.py || status=1
    check "scikit-learn preprocessing pipelines (issue #13): mbundle predict/convert vs MLflow's scoring path" \
        interop-pipelines.py || status=1
    check "tree ensembles: mlflow.xgboost / mlflow.lightgbm bundles and their conversions" check-tree-interop.py \
        || status=1
    check "mbundle serve against mlflow models serve: one request corpus replayed to both (Docs/serving.md)" \
        serve-replay.py || status=1
    "$venv/bin/python" -c "import tritonclient.http" 2>/dev/null \
        || "$venv/bin/pip" install --quiet --disable-pip-version-check "tritonclient[http]==2.73.0" || status=1
    check "mbundle serve read and driven by a real V2 client (tritonclient.http)" check-v2-triton.py || status=1
    return "$status"
}
logs=$(mktemp -d)  # each lane works in a directory of its own under it
mkdir "$logs/one" "$logs/two"
(cd "$logs/one" && lane_one) >"$logs/one.log" 2>&1 &
one=$!
(cd "$logs/two" && lane_two) >"$logs/two.log" 2>&1 &
two=$!
status=0
wait "$one" || status=1
wait "$two" || status=1
cat "$logs/one.log" "$logs/two.log" >&2
grep -h '^-- ' "$logs/one.log" "$logs/two.log" >&2
rm -rf "$logs"
exit "$status"
