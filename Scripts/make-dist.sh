#!/usr/bin/env bash
# `make dist`: .build/dist/mbundle-VERSION-linux-ARCH.tar.gz holding the release binary, VERSION and
# SHA256SUMS (of the binary), and a .sha256 of the tarball beside it. Deterministic: fixed owner,
# mode and timestamp, so the same binary packs to the same bytes.
set -euo pipefail
[ $# = 2 ] || { echo "usage: Scripts/make-dist.sh MBUNDLE_BINARY OUTPUT_DIR" >&2; exit 64; }
binary="$1"
out="$2"
version="$("$binary" --version)"
arch="$(uname -m)"
name="mbundle-$version-linux-$arch"
stage="$(mktemp -d)"
trap 'rm -rf "$stage"' EXIT
mkdir -p "$stage/$name" "$out"
cp "$binary" "$stage/$name/mbundle"
strip "$stage/$name/mbundle" 2>/dev/null || true
echo "$version" > "$stage/$name/VERSION"
(cd "$stage/$name" && sha256sum mbundle > SHA256SUMS)
tar --sort=name --owner=0 --group=0 --numeric-owner --mtime='2026-01-01 00:00:00Z' \
    -C "$stage" -cf - "$name" | gzip -n -9 > "$out/$name.tar.gz"
(cd "$out" && sha256sum "$name.tar.gz" > "$name.tar.gz.sha256")
echo "$out/$name.tar.gz"
