#!/usr/bin/env bash
# `make columnar-check`: pyarrow reads mbundle's Parquet and Arrow predictions back with the right types
# and values, and `predict --stream` over a Parquet file (COLUMNAR_RSS_MB MiB, default 64) keeps its peak
# RSS within 64 MiB plus one row group. Pinned pyarrow in .build/columnar-venv (Scripts/columnar-python.sh).
set -euo pipefail
cd "$(dirname "$0")/.."
mbundle="${1:?usage: columnar-check.sh MBUNDLE}"
# Peak RSS comes from GNU time; installed like the other system packages when missing.
if [ ! -x /usr/bin/time ]; then
    sudo=""; [ "$(id -u)" -ne 0 ] && sudo="sudo"
    echo "installing GNU time (apt-get) for peak RSS" >&2
    $sudo apt-get install -y -qq time >&2
fi
bash Scripts/columnar-python.sh Scripts/check-columnar-output.py "$mbundle"
bash Scripts/columnar-python.sh Scripts/check-columnar-stream-rss.py "$mbundle" "${COLUMNAR_RSS_MB:-64}"
