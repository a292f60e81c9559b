#!/usr/bin/env bash
# Parse-speed comparison, every peer in the same run. Rerun with:
#   bash Scripts/bench-parse.sh            (from the repository root; PYTHON=... to use another Python with
#   numpy, pandas and orjson; by default the pinned virtualenv of Benchmarks/bench-env.sh)
# Writes a 200,000 x 32 float64 table as CSV, dataframe_split JSON and inputs JSON (to $BENCH_DIR,
# default /tmp/mbundle-bench), times pandas.read_csv, json.loads and orjson.loads on them, then
# the Swift decoders (release build, schema applied, typed buffers) via the env-gated
# CodecBenchmarkTests suite. Prints MB/s; nothing is asserted about time.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ -z "${PYTHON:-}" ]; then
    # shellcheck source=../Benchmarks/bench-env.sh
    source Benchmarks/bench-env.sh # the pinned virtualenv with orjson
    PYTHON="$venv/bin/python"
fi
BENCH_DIR=${BENCH_DIR:-/tmp/mbundle-bench}
mkdir -p "$BENCH_DIR"

ROUNDS=${ROUNDS:-3}
# A scratch path of its own, so the test build does not replace the Makefile-built release binary.
swift build -c release --build-tests -Xswiftc -enable-testing --scratch-path .build-release >/dev/null
# The machine is shared: alternate Python and Swift rounds so both see the same load, keep the best.
for round in $(seq "$ROUNDS"); do
echo "round $round"
"$PYTHON" - "$BENCH_DIR" <<'PY'
import io, json, os, sys, time
import numpy as np, pandas as pd, orjson
d = sys.argv[1]
rng = np.random.default_rng(20261122)
x = rng.standard_normal((200_000, 32)) * np.exp(rng.uniform(-5, 5, (200_000, 32)))
cols = [f"f{i}" for i in range(32)]
csv_path, split_path, inputs_path = (os.path.join(d, n) for n in ("data.csv", "split.json", "inputs.json"))
if not os.path.exists(inputs_path):
    pd.DataFrame(x, columns=cols).to_csv(csv_path, index=False)
    with open(split_path, "w") as f:
        f.write(json.dumps({"dataframe_split": {"columns": cols, "data": x.tolist()}}))
    with open(inputs_path, "w") as f:
        f.write(json.dumps({"inputs": x.tolist()}))

def best(fn, n=3):
    t = float("inf")
    for _ in range(n):
        s = time.perf_counter(); fn(); t = min(t, time.perf_counter() - s)
    return t

def report(label, path, fn):
    mb = os.path.getsize(path) / 1e6
    t = best(fn)
    print(f"BENCH python {label}: {mb:.1f} MB in {t:.3f} s = {mb / t:.0f} MB/s")

dtypes = {c: "float64" for c in cols}
# Same footing as the Swift side, which parses a body already in memory: pandas parses the bytes
# from a BytesIO. Reading the file as well (pandas' usual call) is reported on its own line.
csv_raw = open(csv_path, "rb").read()
report("pandas.read_csv (dtype float64, in-memory bytes)", csv_path,
       lambda: pd.read_csv(io.BytesIO(csv_raw), dtype=dtypes))
report("pandas.read_csv (dtype float64, from the file)", csv_path, lambda: pd.read_csv(csv_path, dtype=dtypes))
for name, path in (("dataframe_split", split_path), ("inputs", inputs_path)):
    raw = open(path, "rb").read()
    report(f"orjson.loads {name}", path, lambda: orjson.loads(raw))
    report(f"json.loads {name}", path, lambda: json.loads(raw))
    if name == "inputs":
        report(f"orjson.loads + np.asarray {name}", path,
               lambda: np.asarray(orjson.loads(raw)["inputs"], dtype=np.float64))
PY
MBUNDLE_BENCH_DIR="$BENCH_DIR" swift test -c release --skip-build -Xswiftc -enable-testing --scratch-path .build-release \
    --filter CodecBenchmarkTests 2>&1 | grep BENCH
done
