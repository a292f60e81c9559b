#!/usr/bin/env bash
# Sourced by Scripts/serve-check.sh and Scripts/prepare-python-envs.sh: makes sure a virtualenv with a
# pinned schemathesis exists under .build/serve-check-venv (SERVE_CHECK_VENV names another) and sets
# $serve_check_venv to it.
serve_check_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
serve_check_venv="${SERVE_CHECK_VENV:-$serve_check_root/.build/serve-check-venv}"
if ! "$serve_check_venv/bin/python" -c "import schemathesis" 2>/dev/null; then
    python3 -m venv "$serve_check_venv"
    "$serve_check_venv/bin/pip" install --quiet --disable-pip-version-check schemathesis==4.32.5 >&2
fi
