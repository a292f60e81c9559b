#!/usr/bin/env bash
# The public declarations of each library, counted from their symbol graphs; fails on any that no
# DocC catalog, embedding example, flavor-plugin test or benchmark uses (Scripts/public-api-check.py).
set -euo pipefail
cd "$(dirname "$0")/.."
graphs=$(bash Scripts/symbol-graphs.sh)
python3 Scripts/public-api-check.py "$graphs" "$@"
