#!/usr/bin/env bash
# Regenerates Tests/Fixtures/mlflow/** and Tests/Fixtures/environment/cases.json with real MLflow.
#
# Rerun:  bash Scripts/make-mlflow-fixtures.sh
#         VENV=/path/to/venv bash Scripts/make-mlflow-fixtures.sh   (reuse an existing virtualenv)
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
source "$root/Scripts/python-env.sh"
cd "$(mktemp -d)"
exec "$venv/bin/python" "$root/Scripts/make-mlflow-fixtures.py" "$root" "$@"
