#!/usr/bin/env bash
# A 1 GiB whole-file request predicts under a 2 GiB address-space cap, and one byte more is refused with
# exit 1 and a message (issue #17: memory that is bounded and never traps). Run by `make large-request`
# (and so by CI); about a minute on two cores.
# Usage: Scripts/check-large-request.sh [MBUNDLE]   (default: .build/release/mbundle)
# The CSV is made on the fly in a temporary directory (removed on exit): diabetes-linear's 10 double
# columns written with 17 significant digits, repeated to just under 1 GiB (the default request limit).
set -euo pipefail
cd "$(dirname "$0")/.."
MBUNDLE=${1:-.build/release/mbundle}
MODEL=SampleModels/diabetes-linear
CAP=$((2 << 30))
LIMIT=$((1 << 30))
command -v prlimit >/dev/null || { echo "error: prlimit (util-linux) is needed" >&2; exit 1; }
# Memory-backed when /dev/shm can hold the input (it is in the page cache either way); the cap limits
# the process's address space, not the file's pages.
scratch=${TMPDIR:-/tmp}
if [ -d /dev/shm ] && [ "$(df -k --output=avail /dev/shm | tail -n 1)" -gt $((3 << 20)) ]; then scratch=/dev/shm; fi
WORK=$(mktemp -d "$scratch/mbundle-large-request.XXXXXX")
trap 'rm -rf "$WORK"' EXIT

# 500 distinct rows, repeated by `yes` (one copy per line it prints) as often as they fit in the limit.
awk 'BEGIN {
    srand(17)
    for (r = 0; r < 500; r++) {
        line = ""
        for (c = 0; c < 10; c++) line = line (c ? "," : "") sprintf("%.17g", (rand() - 0.5) * 0.2)
        print line
    }
}' >"$WORK/block.csv"
header="age,sex,bmi,bp,s1,s2,s3,s4,s5,s6"
copies=$(((LIMIT - ${#header} - 1) / $(stat -c %s "$WORK/block.csv")))
# (`yes` ends on SIGPIPE when `head` has enough; that is not a failure.)
{ echo "$header"; (yes "$(cat "$WORK/block.csv")" || true) | head -n $((copies * 500)); } >"$WORK/in.csv"
rm "$WORK/block.csv"
size=$(stat -c %s "$WORK/in.csv")
rows=$(($(wc -l <"$WORK/in.csv") - 1))
echo "input: $size bytes (limit $LIMIT), $rows rows; address-space cap $CAP bytes"

# Predicts the whole request under the cap (the arguments say how it is given): exit 0 and one
# prediction per row.
predict_under_cap() {
    local how=$1 start seconds status=0 predicted
    shift
    start=$EPOCHREALTIME
    prlimit --as="$CAP" -- "$MBUNDLE" predict -m "$MODEL" -o "$WORK/out.json" "$@" 2>"$WORK/err.txt" || status=$?
    seconds=$(awk -v s="$start" -v e="$EPOCHREALTIME" 'BEGIN { printf "%.1f", e - s }')
    if [ "$status" -ne 0 ]; then
        echo "FAIL: predict on a $size-byte request ($how) under a $CAP-byte address-space cap exited $status:" >&2
        cat "$WORK/err.txt" >&2
        exit 1
    fi
    predicted=$(($(tr -cd ',' <"$WORK/out.json" | wc -c) + 1))
    [ "$predicted" -eq "$rows" ] || { echo "FAIL: $predicted predictions for $rows rows ($how)" >&2; exit 1; }
    echo "ok: $rows rows predicted in $seconds s under the cap ($how)"
    rm "$WORK/out.json"
}
# The file by path is read a window at a time; the same bytes on standard input are read whole first.
predict_under_cap "the file by path" -i "$WORK/in.csv"
predict_under_cap "standard input, read whole" -t csv <"$WORK/in.csv"

# One byte over the limit: refused before it is read, exit 1, a message naming the input and the limit.
truncate -s $((LIMIT + 1)) "$WORK/in.csv"
status=0
prlimit --as="$CAP" -- "$MBUNDLE" predict -m "$MODEL" -i "$WORK/in.csv" -o "$WORK/out.json" \
    2>"$WORK/err.txt" || status=$?
if [ "$status" -ne 1 ] || ! grep -q "larger than the limit of $LIMIT bytes" "$WORK/err.txt" || [ -e "$WORK/out.json" ]; then
    echo "FAIL: a request one byte over the limit gave exit $status:" >&2
    cat "$WORK/err.txt" >&2
    exit 1
fi
echo "ok: a request of $((LIMIT + 1)) bytes is refused: $(head -n 1 "$WORK/err.txt")"
