#!/usr/bin/env bash
# `make demo`: the main job on the bundled sample models, with the release binary — package a
# model from its weights, check it, pack it into one file, and predict from the archive.
# Usage: Scripts/demo.sh MBUNDLE_BINARY SCRATCH_DIR
set -euo pipefail
mbundle="$1"
scratch="$2"
sources="SampleModels/sources/iris-multinomial"

step() { printf '\n\033[1m== %s\033[0m\n' "$*"; }

rm -rf "$scratch"
mkdir -p "$scratch"

step "package an iris model from its weights (coef.npy, intercept.npy, fitted by scikit-learn)"
"$mbundle" package logistic-regression \
    --coef "$sources/coef.npy" --intercept "$sources/intercept.npy" \
    --classes 0,1,2 --predict-fn predict_proba \
    --example "$sources/example.json" -o "$scratch/iris"
"$mbundle" inspect "$scratch/iris"

step "verify its structure and checksums"
"$mbundle" verify "$scratch/iris"

step "pack it into one file; packing twice gives the same bytes"
"$mbundle" pack "$scratch/iris" -o "$scratch/iris.tar.gz"
"$mbundle" pack "$scratch/iris" -o "$scratch/iris-again.tar.gz"
cmp "$scratch/iris.tar.gz" "$scratch/iris-again.tar.gz"
echo "two packs are byte-identical (sha256 $(sha256sum < "$scratch/iris.tar.gz" | cut -c1-16)…)"

request="$scratch/iris/serving_input_example.json"
step "validate a request (the bundle's serving example) against the signature, straight from the archive"
"$mbundle" validate -m "$scratch/iris.tar.gz" -i "$request"

step "predict probabilities from the archive"
"$mbundle" predict -m "$scratch/iris.tar.gz" -i "$request" -o "$scratch/predictions.json"
cat "$scratch/predictions.json"
echo
echo "(scikit-learn's own predict_proba for these rows: $sources/expected-predictions.json)"

step "the six-point logistic model on {\"inputs\": [[-4],[1],[0],[10],[-2],[1]]}"
echo '{"inputs": [[-4],[1],[0],[10],[-2],[1]]}' | "$mbundle" predict -m SampleModels/logistic-six-point
echo

step "a bundle real MLflow wrote (skops) runs as it is, without Python (SampleModels/iris-mlflow-skops)"
"$mbundle" inspect SampleModels/iris-mlflow-skops | head -n 4
"$mbundle" predict -m SampleModels/iris-mlflow-skops -i SampleModels/iris-mlflow-skops/serving_input_example.json
echo

step "bad input is refused with exit status 1 and no output file"
if echo '{"inputs": [[1.0, "x"]]}' | "$mbundle" predict -m SampleModels/logistic-six-point -o "$scratch/bad.json"; then
    echo "demo failed: bad input was accepted" >&2
    exit 1
else
    echo "(exit status $?; $( [ -e "$scratch/bad.json" ] && echo "output file exists!" || echo "no output file"))"
fi

step "a tampered bundle is refused with exit status 2"
cp -r "$scratch/iris" "$scratch/tampered"
printf '\x00' | dd of="$scratch/tampered/model.safetensors" bs=1 seek=100 conv=notrunc status=none
if "$mbundle" verify "$scratch/tampered"; then
    echo "demo failed: the tampered bundle was accepted" >&2
    exit 1
else
    echo "(exit status $?)"
fi
echo
echo "demo done: packaged, verified, packed, validated and predicted with $mbundle"
