#!/usr/bin/env bash
# Regenerates SampleModels/ (except iris-mlflow-skops) with the built mbundle: swift build && Scripts/make-sample-models.sh
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
mbundle="${1:-$root/.build/debug/mbundle}"
source "$root/Scripts/python-env.sh"
"$venv/bin/python" "$root/Scripts/make-sample-models.py" "$mbundle"
