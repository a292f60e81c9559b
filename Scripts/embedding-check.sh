#!/usr/bin/env bash
# Builds Examples/Embedding — a package outside this one that loads a bundle and predicts a JSON body
# with public API only, the program of ModelRuntime's getting-started article — and checks its answer
# against scikit-learn's own predictions for the sample model (SampleModels/sources).
set -euo pipefail
cd "$(dirname "$0")/.."

# The package's own build directory: the dependencies' objects (swift-crypto's BoringSSL above all)
# are reused from `make test`'s build; only our libraries compile again (as a dependency's, with other
# flags). A separate directory cost CI five minutes.
swift build --package-path Examples/Embedding --scratch-path .build -Xswiftc -warnings-as-errors
binary=".build/debug/Embedding"

body='{"inputs": [[-2.0], [-1.0], [0.0], [1.0], [2.0], [1.0]]}'
[ "$body" = "{\"inputs\": $(cat SampleModels/sources/logistic-six-point/example.json)}" ] || {
    echo "embedding: the request is not SampleModels/sources/logistic-six-point/example.json" >&2
    exit 1
}
expected=$(python3 -c 'import json, sys; print(json.dumps({"predictions": json.load(open(sys.argv[1]))["predictions"]}))' \
    SampleModels/sources/logistic-six-point/expected-predictions.json)
for model in SampleModels/logistic-six-point; do
    actual=$("$binary" "$model" "$body")
    if [ "$actual" != "$expected" ]; then
        echo "embedding: $model answered $actual, scikit-learn predicts $expected" >&2
        exit 1
    fi
    echo "embedding: $model: $actual"
done
