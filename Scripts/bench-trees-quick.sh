#!/usr/bin/env bash
# Quick in-process timing of the tree kernel against xgboost's own predict on the same data
# (not the full `make bench`): XGBoost binary:logistic, 500 trees, depth 8, 32 float64 features.
#   Scripts/bench-trees-quick.sh [ROWS]     (default 200000; needs the release test build:
#                                           swift build -c release --build-tests -Xswiftc -enable-testing)
set -euo pipefail
cd "$(dirname "$0")/.."
source Scripts/python-env.sh
rows="${1:-200000}"
dir="$(mktemp -d)"
trap 'rm -rf "$dir"' EXIT
"$venv/bin/python" - "$dir" "$rows" <<'PY'
import sys, time
import numpy as np, xgboost as xgb
out, rows = sys.argv[1], int(sys.argv[2])
rng = np.random.default_rng(0)
xt = rng.normal(size=(20000, 32))
yt = (xt[:, 0] + xt[:, 1] * xt[:, 2] + rng.normal(size=20000) > 0).astype(float)
b = xgb.train({"objective": "binary:logistic", "max_depth": 8, "eta": 0.1, "nthread": 2}, xgb.DMatrix(xt, label=yt), 500)
b.save_model(f"{out}/model.json")
x = rng.normal(size=(rows, 32))
x[rng.random(size=x.shape) < 0.02] = np.nan
x.tofile(f"{out}/x.f64")
best = 1e9
for _ in range(3):
    t = time.perf_counter(); p = b.inplace_predict(x); best = min(best, time.perf_counter() - t)
p.astype(np.float32).tofile(f"{out}/expected.f32")
one = x[:1]
single = min((lambda t: (b.inplace_predict(one), time.perf_counter() - t)[1])(time.perf_counter()) for _ in range(200))
print(f"xgboost {xgb.__version__} inplace_predict (2 threads): {rows} rows x 500 trees: best of 3 {best*1e3:.1f} ms; 1 row {single*1e6:.1f} us")
PY
MBUNDLE_TREE_BENCH="$dir" swift test -c release --skip-build --filter TreeKernelBenchmarkTests 2>&1 | grep -E "mbundle tree kernel|✘|passed|failed" | head -5
