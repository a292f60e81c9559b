#!/usr/bin/env bash
# `make interop`: checks ModelBundle against real MLflow (pinned, in a virtualenv under .build/).
# Usage: Scripts/interop.sh MBUNDLE_BINARY
set -euo pipefail
[ $# = 1 ] || { echo "usage: Scripts/interop.sh MBUNDLE_BINARY" >&2; exit 64; }
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
mbundle="$(cd "$(dirname "$1")" && pwd)/$(basename "$1")"
source "$root/Scripts/python-env.sh"
cd "$(mktemp -d)"
echo "== MLmodel round trip through ModelBundle, judged by MLflow" >&2
status=0  # both checks run even when the first fails; either failing fails `make interop`
"$venv/bin/python" "$root/Scripts/check-manifest-roundtrip.py" "$mbundle" || status=1
# The matrix also runs every case of check-packaged-interop.py (mbundle package, judged by mlflow.pyfunc).
echo "== interop matrix: MLflow-written bundles, mbundle package/convert, refusals (Docs/interop.md)" >&2
"$venv/bin/python" "$root/Scripts/interop-matrix.py" "$mbundle" || status=1
echo "== mbundle convert on the MLflow fixture bundles, judged by mlflow.pyfunc" >&2
"$venv/bin/python" "$root/Scripts/check-converted-interop.py" "$mbundle" || status=1
echo "== scikit-learn preprocessing pipelines (issue #13): mbundle predict/convert vs MLflow's scoring path" >&2
"$venv/bin/python" "$root/Scripts/interop-pipelines.py" "$mbundle" || status=1
echo "== tree ensembles: mlflow.xgboost / mlflow.lightgbm bundles and their conversions (Scripts/check-tree-interop.py)" >&2
"$venv/bin/python" "$root/Scripts/check-tree-interop.py" "$mbundle" || status=1
echo "== mbundle serve against mlflow models serve: one request corpus replayed to both (Docs/serving.md)" >&2
"$venv/bin/python" "$root/Scripts/serve-replay.py" "$mbundle" || status=1
echo "== mbundle serve read and driven by a real V2 client (tritonclient.http)" >&2
"$venv/bin/python" -c "import tritonclient.http" 2>/dev/null \
    || "$venv/bin/pip" install --quiet --disable-pip-version-check "tritonclient[http]==2.73.0" >&2 || status=1
"$venv/bin/python" "$root/Scripts/check-v2-triton.py" "$mbundle" || status=1
exit "$status"
