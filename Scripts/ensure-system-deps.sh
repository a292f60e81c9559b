#!/usr/bin/env bash
# Installs the system packages the build needs when they are missing: libarchive-dev and
# libyaml-dev (found through pkg-config) and pkg-config itself. Uses apt-get, with sudo when not root.
set -euo pipefail

missing=()
command -v pkg-config >/dev/null 2>&1 || missing+=(pkg-config)
if ! command -v pkg-config >/dev/null 2>&1 || ! pkg-config --exists libarchive; then
    missing+=(libarchive-dev)
fi
if ! command -v pkg-config >/dev/null 2>&1 || ! pkg-config --exists yaml-0.1; then
    missing+=(libyaml-dev)
fi
# The columnar readers' compression libraries (Parquet and Arrow IPC): snappy, zstd, zlib, lz4.
for pair in snappy:libsnappy-dev libzstd:libzstd-dev zlib:zlib1g-dev liblz4:liblz4-dev; do
    if ! command -v pkg-config >/dev/null 2>&1 || ! pkg-config --exists "${pair%%:*}"; then missing+=("${pair#*:}"); fi
done
[ ${#missing[@]} -eq 0 ] && exit 0

if ! command -v apt-get >/dev/null 2>&1; then
    echo "error: missing ${missing[*]} and apt-get is not available; install them with your package manager" >&2
    exit 1
fi
sudo=""
if [ "$(id -u)" -ne 0 ]; then
    if command -v sudo >/dev/null 2>&1; then sudo="sudo"; else
        echo "error: missing ${missing[*]}; run as root or install sudo" >&2
        exit 1
    fi
fi
echo "installing ${missing[*]} (apt-get)" >&2
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq >&2
$sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2
pkg-config --exists libarchive || { echo "error: libarchive still not found by pkg-config" >&2; exit 1; }
pkg-config --exists yaml-0.1 || { echo "error: libyaml still not found by pkg-config" >&2; exit 1; }
