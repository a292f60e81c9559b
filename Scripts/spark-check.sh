#!/usr/bin/env bash
# `make spark`: integrations/spark (mbundle-spark) in Spark local[2] against `mbundle predict` and
# `mlflow.pyfunc.spark_udf(env_manager="local")`, the RDD.pipe recipe, refusals and process
# cleanup (integrations/spark/tests). Java 17 and a pinned virtualenv come from Scripts/spark-env.sh.
set -euo pipefail
cd "$(dirname "$0")/.."
binary="$(cd "$(dirname "${1:?usage: spark-check.sh MBUNDLE}")" && pwd)/$(basename "$1")"
source Scripts/spark-env.sh
scratch=".build/spark-check"
rm -rf "$scratch" && mkdir -p "$scratch"
export MBUNDLE_BINARY="$binary"
# Spark's own temporary files go under the scratch directory too.
export SPARK_LOCAL_DIRS="$PWD/$scratch/local"
export TMPDIR="$PWD/$scratch"
"$spark_venv/bin/python" -m pytest integrations/spark/tests -q -p no:cacheprovider \
    --basetemp="$scratch/pytest" "${@:2}"
rm -rf "$scratch"
