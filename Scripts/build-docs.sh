#!/usr/bin/env bash
# DocC archives of the libraries that have a catalog (Sources/NAME/NAME.docc), built offline by the
# toolchain's `docc` from the libraries' symbol graphs: .build/docs/NAME.doccarchive. A warning about
# a catalog's own pages (an unresolved symbol or article link, a topic naming nothing) is an error;
# the doc comments' own warnings (links into other modules, which a per-module archive cannot resolve)
# are counted, not fatal.
set -euo pipefail
cd "$(dirname "$0")/.."

graphs=${SYMBOL_GRAPHS:-$(bash Scripts/symbol-graphs.sh)}
docc=$(command -v docc || echo "$(dirname "$(command -v swift)")/docc")
out=.build/docs
rm -rf "$out"
mkdir -p "$out"
for catalog in Sources/*/*.docc; do
    module=$(basename "$catalog" .docc)
    # Each archive gets its module's graphs, including the extensions it declares on other modules' types.
    module_graphs="$out/graphs/$module"
    mkdir -p "$module_graphs"
    cp "$graphs/$module.symbols.json" "$module_graphs/"
    cp "$graphs/$module"@*.symbols.json "$module_graphs/" 2>/dev/null || true
    "$docc" convert "$catalog" \
        --additional-symbol-graph-dir "$module_graphs" \
        --fallback-display-name "$module" \
        --fallback-bundle-identifier "org.modelbundle.$module" \
        --output-path "$out/$module.doccarchive" >"$out/$module.log" 2>&1 || {
        cat "$out/$module.log" >&2
        exit 1
    }
    # docc names a catalog page by its file name (`--> GettingStarted.md:12:5`), a source file by its path.
    catalog_warnings=$(grep -A1 -E '^(warning|error):' "$out/$module.log" | grep -cE -- '--> [^/]+\.md:' || true)
    comment_warnings=$(grep -cE '^(warning|error):' "$out/$module.log" || true)
    if [ "$catalog_warnings" -gt 0 ]; then
        grep -A1 -E '^(warning|error):' "$out/$module.log" | grep -B1 -E -- '--> [^/]+\.md:' >&2
        echo "docs: $catalog has $catalog_warnings warnings" >&2
        exit 1
    fi
    echo "docs: $out/$module.doccarchive ($((comment_warnings - catalog_warnings)) doc-comment warnings)"
done
rm -rf "$out/graphs"
