#!/usr/bin/env bash
# The demo: inspects and verifies a bundled sample model with the release binary.
set -euo pipefail
mbundle="$1"
echo "placeholder demo: $mbundle" >&2
