#!/usr/bin/env bash
# Pack/unpack speed of `mbundle` against GNU tar on the same ~50 MB bundle.
# Rerun: Scripts/bench-archive.sh            (uses .build/release/mbundle if built, else .build/debug/mbundle)
#        MBUNDLE=path/to/mbundle RUNS=5 Scripts/bench-archive.sh
# Reports the median wall time of RUNS runs of each and the ratio mbundle / tar (lower is better).
set -euo pipefail
cd "$(dirname "$0")/.."
MBUNDLE=${MBUNDLE:-}
if [[ -z "$MBUNDLE" ]]; then
    if [[ -x .build/release/mbundle ]]; then MBUNDLE=.build/release/mbundle; else MBUNDLE=.build/debug/mbundle; fi
fi
RUNS=${RUNS:-5}
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT

# A bundle like a real one: 40 MB of float64 weights (random mantissas compress poorly), 10 MB of
# text (compresses well), and the small manifest files.
mkdir -p "$WORK/bundle/code"
python3 - "$WORK/bundle" <<'PY'
import os, random, struct, sys
root = sys.argv[1]
rng = random.Random(42)
with open(os.path.join(root, "model.safetensors"), "wb") as f:
    f.write(b"".join(struct.pack("<d", rng.gauss(0, 1)) for _ in range(5_000_000)))
with open(os.path.join(root, "input_example.json"), "w") as f:
    f.write("[" + ",".join(f"{rng.random():.6f}" for _ in range(1_200_000)) + "]")
for name, text in [("MLmodel", "flavors: {}\n"), ("requirements.txt", "mlflow==3.17.2\n"),
                   ("code/mbundle_pyfunc.py", "import numpy\n")]:
    with open(os.path.join(root, name), "w") as f:
        f.write(text)
PY
SIZE=$(du -sb "$WORK/bundle" | cut -f1)

median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
timeit() { # command... -> seconds
    local start end
    start=$(date +%s.%N); "$@" >/dev/null; end=$(date +%s.%N)
    echo "$end - $start" | bc -l
}

declare -A T
for run in $(seq "$RUNS"); do
    rm -rf "$WORK"/out* "$WORK"/*.tar.gz
    T[tarc]+="$(timeit tar czf "$WORK/t.tar.gz" -C "$WORK/bundle" .) "
    T[mbc]+="$(timeit "$MBUNDLE" pack "$WORK/bundle" -o "$WORK/m.tar.gz") "
    mkdir "$WORK/outt"
    T[tarx]+="$(timeit tar xzf "$WORK/t.tar.gz" -C "$WORK/outt") "
    T[mbx]+="$(timeit "$MBUNDLE" unpack "$WORK/m.tar.gz" -o "$WORK/outm") "
done
diff -r "$WORK/bundle" "$WORK/outm" >/dev/null && echo "round trip: identical"
m() { echo "${T[$1]}" | tr ' ' '\n' | grep . | median; }
printf 'bundle: %d bytes, %d runs, mbundle = %s\n' "$SIZE" "$RUNS" "$MBUNDLE"
printf 'pack:   tar czf %.3f s   mbundle pack   %.3f s   ratio %.2f\n' "$(m tarc)" "$(m mbc)" "$(echo "$(m mbc) / $(m tarc)" | bc -l)"
printf 'unpack: tar xzf %.3f s   mbundle unpack %.3f s   ratio %.2f\n' "$(m tarx)" "$(m mbx)" "$(echo "$(m mbx) / $(m tarx)" | bc -l)"
