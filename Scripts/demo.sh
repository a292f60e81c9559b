#!/usr/bin/env bash
# `make demo`: the main job on a bundled sample model, with the release binary.
# Usage: Scripts/demo.sh MBUNDLE_BINARY SCRATCH_DIR
set -euo pipefail
mbundle="$1"
scratch="$2"
sample="SampleModels/iris-mlflow-skops"

step() { printf '\n\033[1m== %s\033[0m\n' "$*"; }

rm -rf "$scratch"
mkdir -p "$scratch"

step "inspect a bundle written by real MLflow ($sample)"
"$mbundle" inspect "$sample"

step "verify its structure (MLflow writes no checksums)"
"$mbundle" verify "$sample"

step "the same facts as JSON for scripts (first lines)"
"$mbundle" inspect --json "$sample" > "$scratch/inspect.json"
head -n 12 "$scratch/inspect.json"

step "pack it into one deterministic file, then inspect and verify the archive directly"
"$mbundle" pack "$sample" -o "$scratch/iris.tar.gz"
"$mbundle" pack "$sample" -o "$scratch/iris-again.tar.gz"
cmp "$scratch/iris.tar.gz" "$scratch/iris-again.tar.gz" && echo "two packs are byte-identical: $(sha256sum < "$scratch/iris.tar.gz" | cut -c1-16)…"
"$mbundle" inspect "$scratch/iris.tar.gz" | head -n 3
"$mbundle" verify "$scratch/iris.tar.gz"

step "a tampered copy is refused with exit status 2"
cp -r "$sample" "$scratch/tampered"
printf 'flavors: {x: {data: ../../etc/passwd}}\n' > "$scratch/tampered/MLmodel"
if "$mbundle" verify "$scratch/tampered"; then
    echo "demo failed: the tampered bundle was accepted" >&2
    exit 1
else
    echo "(exit status $?)"
fi
echo
echo "demo done: mbundle inspected and verified $sample"
