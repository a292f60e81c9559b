#!/usr/bin/env bash
# Runs a command (`make test`, `make test-asan`) with $TMPDIR set to a fresh empty directory and fails
# if anything is left in it afterwards: the test suite must leave $TMPDIR as it found it. A private
# directory, rather than a listing of /tmp before and after, keeps other processes' files out of the
# comparison.
# Usage: Scripts/tmpdir-check.sh make test
set -euo pipefail
[ $# -gt 0 ] || { echo "usage: $0 COMMAND [ARGUMENT…]" >&2; exit 64; }

base="${TMPDIR:-/tmp}"
private=$(mktemp -d "$base/mbundle-tmpdir-check-XXXXXX")
trap 'rm -rf "$private"' EXIT

status=0
TMPDIR="$private" "$@" || status=$?

# The toolchain's own leftovers are not the tests': the package manager's `TemporaryDirectory.XXXXXX`
# (holding only `.keep-directory`) and its lock files named after the paths they lock
# (`_root_.swiftpm.lock`), and the compiler's `swift-generated-sources` (left by a first build).
left=$(find "$private" -mindepth 1 -maxdepth 1 -printf '%f\n' \
    | grep -vE '^(TemporaryDirectory\.[A-Za-z0-9]{6}|_.*\.lock|swift-generated-sources)$' | sort || true)
if [ -n "$left" ]; then
    echo "tmpdir-check: '$*' left $(printf '%s\n' "$left" | wc -l) entries in \$TMPDIR:" >&2
    printf '%s\n' "$left" | head -n 20 | sed 's/^/  /' >&2
    exit 1
fi
echo "tmpdir-check: '$*' left \$TMPDIR as it found it"
exit "$status"
