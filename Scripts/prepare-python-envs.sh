#!/usr/bin/env bash
# Creates every pinned virtualenv the checks against real libraries use, each the way its own check
# would on first use: .build/python-venv (make interop, make registry; with tritonclient), the
# columnar, serve-check and Spark virtualenvs (with Java 17 for Spark). Each already complete is left
# alone. .ci/run starts this in the background once `make deps` has run, so that downloading and
# unpacking the wheels overlaps the builds instead of following them; it waits for it before the
# first step that needs Python.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
began=$SECONDS
source "$root/Scripts/python-env.sh"
echo "python-venv ready: $((SECONDS - began)) s" >&2
bash "$root/Scripts/columnar-python.sh" -c "import pyarrow"
echo "columnar-venv ready: $((SECONDS - began)) s" >&2
source "$root/Scripts/serve-check-env.sh"
echo "serve-check-venv ready: $((SECONDS - began)) s" >&2
source "$root/Scripts/spark-env.sh"
echo "spark-venv ready: $((SECONDS - began)) s" >&2
