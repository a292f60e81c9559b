#!/usr/bin/env bash
# Runs a Python script with pinned pyarrow (the columnar fixtures and the pyarrow read-back check):
# a small virtualenv of its own under .build/, so it needs neither MLflow nor scikit-learn.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
venv="${COLUMNAR_VENV:-$root/.build/columnar-venv}"
if ! "$venv/bin/python" -c "import pyarrow" 2>/dev/null; then
    python3 -m venv "$venv"
    "$venv/bin/pip" install --quiet --disable-pip-version-check pyarrow==26.0.1 numpy==2.4.6 >&2
fi
exec "$venv/bin/python" "$@"
