#!/usr/bin/env bash
# Builds the libFuzzer harness (Fuzz/mbundle-fuzz) and runs every target in turn, each seeded from the
# committed fixtures, for a bounded time or number of executions. Exits non-zero on any crash,
# leak, timeout or out-of-memory report (after every target has run), and leaves the reproducer under
# .build-fuzz/artifacts/. FUZZ_JOBS targets run at once (default: one per core).
#
#   Scripts/fuzz.sh                       every target, FUZZ_SECONDS each (default 60)
#   FUZZ_RUNS=1000000 Scripts/fuzz.sh     every target until it has run that many inputs
#   Scripts/fuzz.sh pickle skops          only the targets named
set -euo pipefail
cd "$(dirname "$0")/.."

scratch=.build-fuzz
seconds=${FUZZ_SECONDS:-60}
runs=${FUZZ_RUNS:-}

MBUNDLE_FUZZ=1 swift build --sanitize=fuzzer --scratch-path "$scratch" --product mbundle-fuzz >&2
binary="$scratch/debug/mbundle-fuzz"

all_targets=(request-json request-csv record-stream mlmodel-yaml safetensors npy pickle skops zip-archive tar-archive
    sklearn-pipeline sklearn-tree-nodes ubjson xgboost-model lightgbm-model tree-ensemble-arrays
    parquet arrow-stream arrow-file v2-infer preprocessing-stage)
targets=("$@")
[ ${#targets[@]} -eq 0 ] && targets=("${all_targets[@]}")

# Seeds: the fixtures each reader meets in the tests (copied, so the fuzzer's corpus additions never
# land in the tree).
seed() {
    local target=$1 dir="$scratch/corpus/$1"
    mkdir -p "$dir"
    shopt -s nullglob
    case $target in
        request-json) cp Tests/Fixtures/mlflow/*/*input_example.json Tests/Fixtures/packaging/*.json "$dir"/ 2>/dev/null || true
            printf '{"dataframe_split": {"columns": ["a", "b"], "data": [[1.5, 2], [null, 3]]}}' >"$dir/split.json"
            printf '{"dataframe_split": {"columns": ["a", "b"], "data": [[1.5, -0], [2.5, 3], [1e3, true], [null, 4]]}}' >"$dir/split-rows.json"
            printf '{"dataframe_records": [{"a": 1e3, "b": -2, "c": "x"}]}' >"$dir/records.json"
            printf '{"inputs": {"a": [1, 2], "b": [3, 4]}, "params": {"k": 1}}' >"$dir/inputs.json"
            printf '{"instances": [[1.0, 2.0], [3.0, 4.0]]}' >"$dir/instances.json" ;;
        request-csv) cp Tests/Fixtures/packaging/*.csv "$dir"/
            printf 'a,b,c,d\n1.5,2,"x,y",true\n,3,,\n' >"$dir/mixed.csv" ;;
        record-stream) cp Tests/Fixtures/packaging/*.csv "$dir"/
            printf 'a,b,c,d\n1.5,2,"x,\ny",true\n\n\r\n,3,,\n-1,4,"q""q",false' >"$dir/quoted.csv"
            printf '{"a": 1.5, "b": 2}\n\n  \n{"a": null, "b": 3, "c": "x\\ny"}\n' >"$dir/records.jsonl" ;;
        mlmodel-yaml) for f in Tests/Fixtures/mlflow/*/MLmodel SampleModels/*/MLmodel Tests/Fixtures/manifest/*.MLmodel; do
                cp "$f" "$dir/$(echo "$f" | tr / _)"; done ;;
        safetensors) for f in SampleModels/*/model.safetensors; do cp "$f" "$dir/$(echo "$f" | tr / _)"; done ;;
        npy) cp Tests/Fixtures/packaging/*.npy "$dir"/ ;;
        pickle) cp Tests/Fixtures/sklearn/*.pkl "$dir"/
            cp Tests/Fixtures/sklearn-boosters/xgb_binary_cloudpickle/model.pkl "$dir/xgb_binary_cloudpickle.pkl"
            for f in Tests/Fixtures/mlflow/*/model.pkl; do cp "$f" "$dir/$(echo "$f" | tr / _)"; done ;;
        skops) cp Tests/Fixtures/sklearn/*.skops "$dir"/
            cp Tests/Fixtures/sklearn-boosters/lgbm_binary_skops/model.skops "$dir/lgbm_binary.skops" ;;
        sklearn-pipeline) for f in Tests/Fixtures/pipelines/*/model.pkl Tests/Fixtures/pipelines/refused/*.pkl; do
                cp "$f" "$dir/$(echo "$f" | tr / _)"; done ;;
        sklearn-tree-nodes) python3 - "$dir" Tests/Fixtures/sklearn-trees/*_skops/model.skops <<'PY'
import sys, zipfile
out = sys.argv[1]
for index, path in enumerate(sys.argv[2:]):
    with zipfile.ZipFile(path) as archive:
        for name in archive.namelist():
            if name.endswith(".npy"):
                data = archive.read(name)
                if b"left_child" in data[:512]:
                    open(f"{out}/{index}-{name.replace('/', '_')}", "wb").write(data)
PY
            ;;
        ubjson) cp Tests/Fixtures/trees/*.ubj "$dir"/ ;;
        xgboost-model) cp Tests/Fixtures/trees/xgb_*.json Tests/Fixtures/trees/*.ubj "$dir"/ ;;
        lightgbm-model) cp Tests/Fixtures/trees/lgb_*.txt "$dir"/ ;;
        tree-ensemble-arrays) for f in SampleModels/*/model.safetensors; do cp "$f" "$dir/$(echo "$f" | tr / _)"; done ;;
        parquet) cp Tests/Fixtures/columnar/*.parquet "$dir"/ ;;
        preprocessing-stage) cp Tests/Fixtures/preprocessing/bundle-stages/*.stage "$dir"/ ;;
        arrow-stream) cp Tests/Fixtures/columnar/*.arrows "$dir"/ ;;
        arrow-file) cp Tests/Fixtures/columnar/*.arrow "$dir"/ ;;
        v2-infer) python3 - "$dir" <<'PY'
import json, struct, sys
out = sys.argv[1]
columns = {"inputs": [
    {"name": "a", "datatype": "FP64", "shape": [2, 1], "data": [1.5, -2.0]},
    {"name": "b", "datatype": "INT64", "shape": [2, 1], "data": [1, 2]},
    {"name": "c", "datatype": "BYTES", "shape": [2, 1], "data": ["x", "y"]},
    {"name": "d", "datatype": "BOOL", "shape": [2, 1], "data": [True, False]}],
    "parameters": {"content_type": "pd"}, "outputs": [{"name": "predictions"}]}
tensor = {"id": "1", "inputs": [{"name": "t", "datatype": "FP32", "shape": [2, 2], "data": [[1, 2], [3, 4]],
    "parameters": {"content_type": "np"}}], "parameters": {"binary_data_output": True}}
open(f"{out}/columns.json", "w").write(json.dumps(columns))
open(f"{out}/tensor.json", "w").write(json.dumps(tensor))
# Binary tensor data: 2-byte header length (the harness's framing), the JSON header, the tensors.
data = struct.pack("<2d", 1.5, -2.0) + struct.pack("<I", 1) + b"x" + struct.pack("<I", 1) + b"y"
header = json.dumps({"inputs": [
    {"name": "a", "datatype": "FP64", "shape": [2, 1], "parameters": {"binary_data_size": 16}},
    {"name": "c", "datatype": "BYTES", "shape": [2, 1], "parameters": {"binary_data_size": 10}}]}).encode()
open(f"{out}/binary.bin", "wb").write(struct.pack("<H", len(header)) + header + data)
PY
            ;;
        zip-archive | tar-archive) python3 - "$target" "$dir" <<'PY'
import io, os, sys, tarfile, zipfile
target, out = sys.argv[1], sys.argv[2]
root = "SampleModels/logistic-six-point"
names = sorted(os.listdir(root))
if target == "zip-archive":
    # Deflated (libarchive's path) and stored (the stored-only reader skops files take).
    for method, name in [(zipfile.ZIP_DEFLATED, "bundle.zip"), (zipfile.ZIP_STORED, "bundle-stored.zip")]:
        with zipfile.ZipFile(os.path.join(out, name), "w", method) as z:
            for n in names:
                z.write(os.path.join(root, n), n)
else:
    with tarfile.open(os.path.join(out, "bundle.tar.gz"), "w:gz", format=tarfile.PAX_FORMAT) as t:
        for n in names:
            t.add(os.path.join(root, n), n)
PY
            ;;
    esac
}

mkdir -p "$scratch/artifacts" "$scratch/logs"
# Targets run FUZZ_JOBS at a time (default: one per core), each into its own log; a target's status
# goes to a file beside its log because a job reaped by `wait -n` has no status left for `wait PID`.
jobs=${FUZZ_JOBS:-$(nproc 2>/dev/null || echo 1)}
fuzz_target() {
    local target=$1 log="$scratch/logs/$1.log" status=0
    MBUNDLE_FUZZ_TARGET=$target "$binary" "$scratch/corpus/$target" "${limit[@]}" \
        -max_len=65536 -rss_limit_mb=4096 -timeout=20 -print_final_stats=1 \
        -artifact_prefix="$scratch/artifacts/$target-" >"$log" 2>&1 || status=$?
    echo "$status" >"$scratch/logs/$target.status"
}
limit=(-max_total_time="$seconds")
[ -n "$runs" ] && limit=(-runs="$runs")
for target in "${targets[@]}"; do
    seed "$target"
    rm -f "$scratch/logs/$target.status"
done
for target in "${targets[@]}"; do
    while [ "$(jobs -rp | wc -l)" -ge "$jobs" ]; do wait -n || true; done
    echo "== fuzz $target (${limit[*]})" >&2
    fuzz_target "$target" &
done
wait
failed=0
for target in "${targets[@]}"; do
    log="$scratch/logs/$target.log"
    if [ "$(cat "$scratch/logs/$target.status" 2>/dev/null || echo missing)" != 0 ]; then
        tail -40 "$log" >&2
        echo "error: fuzz target $target failed; reproducer under $scratch/artifacts/ (log: $log)" >&2
        failed=1
        continue
    fi
    executions=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" | grep -o '[0-9]*$' || echo '?')
    echo "$target: $executions executions, 0 crashes"
done
exit "$failed"
