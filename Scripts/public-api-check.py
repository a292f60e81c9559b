#!/usr/bin/env python3
"""Lists the public declarations of each library from its symbol graphs and fails on any that no
outside user needs.

A public declaration must be used by what the package promises to applications:
  - a DocC catalog (Sources/<Library>/<Library>.docc): a type or member named in a ``link`` of its
    topics or articles covers itself and, documented on its page, every member it has;
  - the embedding example (Examples/Embedding), the flavor-plugin tests (Tests/ThirdPartyFlavorTests)
    or the benchmarks (Benchmarks/), packages and tests that use the libraries as outsiders do: a
    declaration whose name they use (as a word in their code) is covered.
Everything else the package's own targets share is `package`.

Usage: public-api-check.py SYMBOL_GRAPH_DIR [--counts-only]
"""
import json
import pathlib
import re
import sys

LIBRARIES = [
    "ModelBundle", "ModelCodecs", "ModelBundleArchive", "ModelColumnar", "ModelRuntime", "ModelFlavors",
    "ModelServer", "ModelRegistryClient",
]
# The libraries held to the rule: the ones applications embed, the server, and the registry client (not a
# product: everything it has is `package`, for the command line). The columnar readers are counted and
# their unused declarations listed, not yet enforced.
CHECKED = {
    "ModelBundle", "ModelCodecs", "ModelBundleArchive", "ModelRuntime", "ModelFlavors", "ModelServer",
    "ModelRegistryClient",
}
SKIPPED_KINDS = {"swift.extension"}
ROOT = pathlib.Path(__file__).resolve().parent.parent


def symbols(graph_dir):
    """(library, path components, kind, location) of every public declaration, per library."""
    found = {library: [] for library in LIBRARIES}
    for path in sorted(pathlib.Path(graph_dir).glob("*.symbols.json")):
        library = path.name.split(".")[0].split("@")[0]
        if library not in found:
            continue
        graph = json.loads(path.read_text())
        for symbol in graph["symbols"]:
            precise = symbol["identifier"]["precise"]
            kind = symbol["kind"]["identifier"]
            if symbol.get("accessLevel") != "public" or "::SYNTHESIZED::" in precise or kind in SKIPPED_KINDS:
                continue
            location = symbol.get("location", {})
            uri = location.get("uri", "").replace("file://", "")
            line = location.get("position", {}).get("line", -1) + 1
            found[library].append((tuple(symbol["pathComponents"]), kind, f"{uri}:{line}"))
    return found


def base_name(component):
    return component.split("(")[0]


def catalog_links():
    """The names linked from the catalogs (``A/b(c:)`` gives A and b)."""
    names = set()
    for catalog in ROOT.glob("Sources/*/*.docc"):
        for page in catalog.rglob("*.md"):
            for link in re.findall(r"``([^`]+)``", page.read_text()):
                parts = [base_name(part) for part in link.split("/") if part]
                names.update(parts[-2:] if len(parts) > 1 else parts)
    return names


def outside_words():
    words = set()
    sources = list((ROOT / "Examples").rglob("*.swift")) + list((ROOT / "Tests/ThirdPartyFlavorTests").rglob("*.swift"))
    sources += list((ROOT / "Benchmarks/Benchmarks").rglob("*.swift")) + list((ROOT / "Benchmarks/Tools").rglob("*.swift"))
    sources += list(ROOT.glob("Sources/*/*.docc/**/*.md"))
    for source in sources:
        if "/.build" in str(source):
            continue
        words.update(re.findall(r"[A-Za-z_][A-Za-z0-9_]*", source.read_text()))
    return words


def main():
    if len(sys.argv) < 2:
        print(__doc__, file=sys.stderr)
        return 64
    found = symbols(sys.argv[1])
    total = sum(len(declarations) for declarations in found.values())
    for library in LIBRARIES:
        print(f"{library}: {len(found[library])} public declarations")
    print(f"all libraries: {total} public declarations")
    if "--counts-only" in sys.argv:
        return 0

    linked = catalog_links()
    words = outside_words()
    unused = []
    listed = []
    for library in LIBRARIES:
        for path, kind, location in found[library]:
            names = [base_name(component) for component in path]
            # Documented on a linked type's page, linked itself, or named by an outside user.
            covered = any(name in linked for name in names[:-1]) or names[-1] in linked or names[-1] in words
            if names[-1] == "init" and len(names) > 1:  # an initializer is used by naming its type
                covered = covered or names[-2] in words
            if not covered:
                line = f"{location}: {library} {'.'.join(path)} ({kind})"
                (unused if library in CHECKED else listed).append(line)
    if listed:
        print(f"not enforced yet ({', '.join(sorted(set(LIBRARIES) - CHECKED))}): {len(listed)} public declarations "
              "no outside user needs")
        if "--verbose" in sys.argv:
            for line in listed:
                print("  " + line)
    if unused:
        print(f"{len(unused)} public declarations are used by no catalog, embedding example, plugin test "
              "or benchmark; make them `package` (or document them):", file=sys.stderr)
        for line in unused:
            print("  " + line, file=sys.stderr)
        return 1
    print("every public declaration is used by a catalog, the embedding example, the plugin tests or the benchmarks")
    return 0


if __name__ == "__main__":
    sys.exit(main())
