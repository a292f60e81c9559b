#!/usr/bin/env bash
# Creates every pinned virtualenv the checks against real libraries use, each the way its own check
# would on first use: .build/python-venv with tritonclient (make interop, make registry), the
# columnar, serve-check and Spark virtualenvs (with Java 17 for Spark). Each already complete is left
# alone. .ci/run starts this in the background once `make deps` has run, so that downloading and
# unpacking the wheels overlaps the builds instead of following them; it waits for it before the
# first step that needs Python.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
began=$SECONDS
source "$root/Scripts/python-env.sh"
"$venv/bin/python" -c "import tritonclient.http" 2>/dev/null \
    || "$venv/bin/pip" install --quiet --disable-pip-version-check "tritonclient[http]==2.73.0" >&2
echo "python-venv ready: $((SECONDS - began)) s" >&2
bash "$root/Scripts/columnar-python.sh" -c "import pyarrow"
echo "columnar-venv ready: $((SECONDS - began)) s" >&2
source "$root/Scripts/serve-check-env.sh"
echo "serve-check-venv ready: $((SECONDS - began)) s" >&2
source "$root/Scripts/spark-env.sh"
echo "spark-venv ready: $((SECONDS - began)) s" >&2
