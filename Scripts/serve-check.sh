#!/usr/bin/env bash
# `make serve-check`: the robustness checks of `mbundle serve` (Scripts/serve-check.py), bounded for CI.
# Usage: Scripts/serve-check.sh MBUNDLE_BINARY        SERVE_CHECK_FULL=1 for the full sizes (as in the bench).
# Installs wrk (Debian) when missing and a pinned schemathesis in its own virtualenv under .build/.
set -euo pipefail
[ $# = 1 ] || { echo "usage: Scripts/serve-check.sh MBUNDLE_BINARY" >&2; exit 64; }
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
mbundle="$(cd "$(dirname "$1")" && pwd)/$(basename "$1")"
if ! command -v wrk >/dev/null 2>&1; then
    sudo=""; [ "$(id -u)" -ne 0 ] && sudo="sudo"
    echo "installing wrk (apt-get)" >&2
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends wrk >&2 \
        || { $sudo apt-get update -qq >&2 && DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends wrk >&2; }
fi
source "$root/Scripts/serve-check-env.sh"
# 10,000 idle connections need as many descriptors in the server and in the client.
ulimit -n "$(ulimit -Hn)" 2>/dev/null || true
[ "$(ulimit -n)" = unlimited ] || [ "$(ulimit -n)" -ge 12000 ] || echo "warning: ulimit -n is $(ulimit -n)" >&2
full=()
[ "${SERVE_CHECK_FULL:-0}" != 0 ] && full=(--full)
exec "$serve_check_venv/bin/python" "$root/Scripts/serve-check.py" "$mbundle" "${full[@]}"
