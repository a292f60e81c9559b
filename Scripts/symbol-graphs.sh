#!/usr/bin/env bash
# Writes the public symbol graphs of the package's libraries and prints the directory holding them.
# Built with `make test`'s flags, so after `make test` nothing is compiled again.
set -euo pipefail
cd "$(dirname "$0")/.."

swift package -Xswiftc -warnings-as-errors --explicit-target-dependency-import-check error \
    dump-symbol-graph --minimum-access-level public --skip-synthesized-members >&2
dir=$(find .build -maxdepth 2 -type d -name symbolgraph | head -n 1)
[ -n "$dir" ] || { echo "symbol-graphs: swift package dump-symbol-graph wrote no symbolgraph directory" >&2; exit 1; }
echo "$dir"
