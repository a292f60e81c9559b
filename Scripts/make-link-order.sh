#!/usr/bin/env bash
# Regenerates Scripts/link-order.txt, the symbol order `make release` links the binary's code and .bss in.
#
# Why: a cold `mbundle predict` runs about 1,000 functions spread over the 24 MB of code; each 64 KiB of
# code it first touches costs a page fault (the kernel maps the surrounding pages with it) and the exit
# unmaps them again. With the functions it runs laid side by side (lld's --symbol-ordering-file over
# -function-sections objects), a 6-row predict touched 40 code blocks instead of 87 and started about
# 20 % sooner; with the refinement rounds below, 23 blocks, and 21 pages of .bss instead of 45 (a predict
# took 509 page faults instead of 598). A stale or missing entry costs nothing but that gain: lld skips
# names it does not find.
#
# How: builds the release binary with a link map, then runs a few cold commands many times under
# `perf record` (sampled call sites, and the functions whose first instruction faulted), and keeps the
# functions in input sections of at most 32 KiB: a larger section (the standard library's unsplit
# `.text`, for one) would move whole into the hot range and spread it. Then relinks and reruns a few
# times, adding what still faulted. Needs `perf`; run it after a change to the start-up or predict path
# and commit the result. Usage: Scripts/make-link-order.sh
set -euo pipefail
cd "$(dirname "$0")/.."
command -v perf >/dev/null || { echo "error: perf is needed (apt-get install linux-perf)" >&2; exit 1; }
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT

rm -f .build/release/mbundle  # relink, so that the map is written
make release RELEASE_EXTRA="-Xlinker -Map=$WORK/mbundle.map -Xlinker --no-demangle" >&2
BIN=$(readlink -f .build/release/mbundle)

# The cold paths: the sample models in JSON and CSV, to standard output and to a file.
echo '{"inputs": [[-4],[1],[0],[10],[-2],[1]]}' >"$WORK/six.json"
printf 'sepal_length,sepal_width,petal_length,petal_width\n5.1,3.5,1.4,0.2\n6.2,2.9,4.3,1.3\n' \
    >"$WORK/iris.csv"
cat >"$WORK/workload.sh" <<EOF
for i in \$(seq \${RUNS:-1000}); do
    "$BIN" predict -m SampleModels/logistic-six-point -i "$WORK/six.json" >/dev/null
    "$BIN" predict -m SampleModels/logistic-six-point -i "$WORK/six.json" -o "$WORK/out.json"
    "$BIN" predict -m SampleModels/iris-multinomial -i "$WORK/iris.csv" -t csv >/dev/null
done
EOF
perf record -q -F 20000 -o "$WORK/samples.data" -- bash "$WORK/workload.sh" >&2
RUNS=20 perf record -q -e page-faults -c 1 -d -o "$WORK/faults.data" -- bash "$WORK/workload.sh" >&2
perf script -i "$WORK/samples.data" --comm mbundle --no-demangle -F ip,sym,dso >"$WORK/samples.txt" 2>/dev/null
perf script -i "$WORK/faults.data" --comm mbundle --no-demangle -F addr,ip,sym,dso >"$WORK/faults.txt" 2>/dev/null

python3 - "$WORK" "$BIN" >Scripts/link-order.txt <<'EOF'
import collections, re, sys
work, binary = sys.argv[1], sys.argv[2]
counts = collections.Counter()
for line in open(f"{work}/samples.txt"):  # "ip symbol+offset (dso)"
    m = re.match(r"\s*[0-9a-f]+\s+(\S+)\s+\((\S+)\)", line)
    if m and m.group(2) == binary:
        counts[m.group(1).split("+0x")[0]] += 1
for line in open(f"{work}/faults.txt"):  # "addr symbol (dso) ip ...": an instruction fetch when addr == ip
    m = re.match(r"\s*([0-9a-f]+)\s+(\S+)\s+\((\S+)\)\s+([0-9a-f]+)\s", line)
    if m and m.group(1) == m.group(4) and m.group(3) == binary:
        counts[m.group(2).split("+0x")[0]] += 1_000_000  # every run reaches it: first in the order
# The link map: an input section line (address, address, size, alignment, file:(section)), then a line
# per symbol defined in it, indented further.
section_size, size = {}, None
in_text = False
for line in open(f"{work}/mbundle.map"):
    fields = line.split()
    if len(fields) == 5 and fields[4] in (".text", ".init", ".fini", ".plt"):
        in_text = fields[4] == ".text"
        continue
    if not in_text or len(fields) < 5:
        continue
    if "(" in fields[4] or ":" in fields[4]:
        size = int(fields[2], 16)
    elif len(fields) == 5:  # a name defined twice (local symbols) counts with its larger section
        section_size[fields[4]] = max(size, section_size.get(fields[4], 0))
print("\n".join(name for name, _ in counts.most_common()
                if name != "[unknown]" and section_size.get(name, 1 << 30) <= 32 * 1024))
EOF

# Refinement rounds. Only the first thing a run touches in a page (for code, in the 64 KiB the kernel maps
# around a fault) faults, so a function or a variable first used later in the same page went unseen above,
# and faults on its own once its neighbours move away. Each round relinks with the order so far, runs the
# cold commands again and appends what faulted and is not listed yet: functions (an instruction fetch,
# addr == ip) and the zero-filled variables of .bss (the Swift runtime's metadata caches and once-tokens,
# one per type and global, scattered over 1 MB: a 6-row predict wrote 45 of its pages, each first read and
# then written, two faults). lld orders the input sections that hold these names, code and data alike.
for round in 1 2 3 4 5 6; do
    rm -f .build/release/mbundle
    make release >&2
    RUNS=3 perf record -q -e page-faults -c 1 -d -o "$WORK/faults.data" -- bash "$WORK/workload.sh" >&2
    perf script -i "$WORK/faults.data" --comm mbundle --no-demangle -F addr,ip,sym,symoff,dso \
        >"$WORK/faults.txt" 2>/dev/null
    nm --defined-only "$BIN" >"$WORK/symbols.txt"
    python3 - "$WORK" "$BIN" Scripts/link-order.txt >"$WORK/new.txt" <<'EOF'
import bisect, re, sys
work, binary, order = sys.argv[1], sys.argv[2], sys.argv[3]
listed = set(open(order).read().split())
address, variables = {}, []  # name -> link-time address; (address, name) of the .bss variables
for line in open(f"{work}/symbols.txt"):  # "address type name"
    fields = line.split()
    if len(fields) == 3:
        address[fields[2]] = int(fields[0], 16)
        if fields[1] in "bB":
            variables.append((int(fields[0], 16), fields[2]))
variables.sort()
starts = [start for start, _ in variables]
faults = []  # (addr, addr's symbol+offset, ip, whether perf placed addr in the binary)
for line in open(f"{work}/faults.txt"):  # "addr symbol+0xoff (dso) ip symbol+0xoff (dso)"
    m = re.match(r"\s*([0-9a-f]+)\s+(\S+)\s+\((\S+)\)\s+([0-9a-f]+)\s", line)
    if m:
        faults.append((int(m.group(1), 16), m.group(2), int(m.group(4), 16), m.group(3) == binary))
new = []
def add(name):
    if name != "[unknown]" and name not in listed:
        listed.add(name)
        new.append(name)
# perf names no .bss variable: they are looked up in the symbol table, at the run's load address
# (address-space randomisation), which any fault perf did name gives.
# The end of .bss lies beyond the file's pages, in an anonymous mapping perf does not count as the binary's.
load_base = None
for addr, symbol, ip, in_binary in faults:
    name, _, offset = symbol.partition("+0x")
    if in_binary and addr == ip:
        add(name)
    if in_binary and name in address and offset:
        load_base = addr - address[name] - int(offset, 16)
end = variables[-1][0] + 4096 if variables else 0
for addr, symbol, ip, _ in faults:
    if addr != ip and symbol.startswith("[unknown]") and load_base is not None:
        index = bisect.bisect_right(starts, addr - load_base) - 1
        if index >= 0 and addr - load_base < end:
            add(variables[index][1])
print("\n".join(new))
EOF
    added=$(grep -c . "$WORK/new.txt" || true)
    echo "round $round: $added more names" >&2
    [ "$added" -gt 0 ] || break
    cat "$WORK/new.txt" >>Scripts/link-order.txt
done
rm -f .build/release/mbundle # the next `make release` links with the final order
echo "$(wc -l <Scripts/link-order.txt) names in Scripts/link-order.txt" >&2
