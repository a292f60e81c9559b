#!/usr/bin/env bash
# `make interop`: checks ModelBundle against real MLflow (pinned, in a virtualenv under .build/).
# Usage: Scripts/interop.sh MBUNDLE_BINARY
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
mbundle="$(cd "$(dirname "$1")" && pwd)/$(basename "$1")"
source "$root/Scripts/python-env.sh"
cd "$(mktemp -d)"
echo "== MLmodel round trip through ModelBundle, judged by MLflow" >&2
"$venv/bin/python" "$root/Scripts/check-manifest-roundtrip.py" "$mbundle"
echo "== bundles packaged by mbundle, loaded by mlflow.pyfunc, against scikit-learn" >&2
"$venv/bin/python" "$root/Scripts/check-packaged-interop.py" "$mbundle"
