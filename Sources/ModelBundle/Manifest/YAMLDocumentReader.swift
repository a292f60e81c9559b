/// Reads a YAML document as inert data, with the limits of `reference/security.md` §5: bounded
/// size, no anchors or aliases, bounded depth and node count, no duplicate keys, no tags beyond
/// YAML's core types.
package struct YAMLDocumentReader {
    package var fileName: String
    package var maximumDepth = 64
    package var maximumNodes = 200_000

    package init(fileName: String) {
        self.fileName = fileName
    }

    /// Whether `tag` is one of the YAML core tags that a plain-data document may carry (explicitly or
    /// implicitly). A `switch`, not a `Set`: every start reads a manifest, and building the set was a
    /// hashing pass and a generic type's first use in each of them.
    private static func isAllowedTag(_ tag: String) -> Bool {
        switch tag {
        case "tag:yaml.org,2002:str", "tag:yaml.org,2002:map", "tag:yaml.org,2002:seq", "tag:yaml.org,2002:int",
            "tag:yaml.org,2002:float", "tag:yaml.org,2002:bool", "tag:yaml.org,2002:null",
            "tag:yaml.org,2002:timestamp", "tag:yaml.org,2002:binary", "tag:yaml.org,2002:merge",
            "tag:yaml.org,2002:value", "!", "?":
            true
        default:
            false
        }
    }

    /// Parses `bytes` into a value tree.
    package func read(_ bytes: [UInt8]) throws(ModelBundleError) -> ManifestValue {
        var content = bytes[...]
        if content.starts(with: [0xEF, 0xBB, 0xBF]) { content = content.dropFirst(3) }
        guard let text = String(validating: content, as: UTF8.self) else {
            throw invalid("is not valid UTF-8 text", item: fileName)
        }
        if text.utf8.contains(0) {
            throw invalid("contains a NUL byte", item: fileName)
        }
        if let finding = YAMLAliasScanner.firstAnchorOrAlias(in: Array(content)) {
            let what = finding.isAlias ? "an alias (*)" : "an anchor (&)"
            throw invalid(
                "has \(what) at line \(finding.line), column \(finding.column); anchors and aliases are refused (MLflow never writes them)",
                item: "\(fileName):\(finding.line):\(finding.column)"
            )
        }
        let root: YAMLNode?
        do {
            // Tags are resolved without implicit typing rules: typing follows PyYAML's rules in
            // YAMLScalarRules.
            root = try YAMLComposer(maximumDepth: maximumDepth + 1, maximumNodes: maximumNodes).compose(text.utf8)
        } catch {
            throw translate(error)
        }
        guard let root else {
            throw invalid("is empty", item: fileName)
        }
        var budget = maximumNodes
        return try convert(root, path: "", depth: 0, budget: &budget)
    }

    private func convert(_ node: YAMLNode, path: String, depth: Int, budget: inout Int) throws(ModelBundleError)
        -> ManifestValue
    {
        budget -= 1
        if budget < 0 {
            throw invalid("has more than \(maximumNodes) nodes", item: fileName)
        }
        if depth > maximumDepth {
            throw invalid("is nested deeper than \(maximumDepth) levels at \(display(path))", item: display(path))
        }
        if case .alias = node {
            throw invalid("has an alias at \(display(path)); aliases are refused", item: display(path))
        }
        let tag = node.tag
        guard Self.isAllowedTag(tag) else {
            throw invalid(
                "has the tag \(BundlePath.printable(tag)) at \(display(path)); only plain YAML data is accepted",
                item: display(path)
            )
        }
        switch node {
        case .scalar(let text, _, let isPlain, _):
            return .scalar(text: text, isPlain: isPlain)
        case .sequence(let sequence, _):
            var items: [ManifestValue] = []
            items.reserveCapacity(min(sequence.count, budget))
            for (offset, element) in sequence.enumerated() {
                items.append(try convert(element, path: "\(path)[\(offset)]", depth: depth + 1, budget: &budget))
            }
            return .list(items)
        case .mapping(let mapping, _):
            var map = ManifestMap()
            for (keyNode, valueNode) in mapping {
                guard case .scalar(let keyText, _, _, _) = keyNode else {
                    throw invalid("has a non-scalar mapping key at \(display(path))", item: display(path))
                }
                let childPath = path.isEmpty ? keyText : "\(path).\(keyText)"
                if map[keyText] != nil {
                    throw invalid("has the key \(display(childPath)) twice", item: display(childPath))
                }
                map[keyText] = try convert(valueNode, path: childPath, depth: depth + 1, budget: &budget)
            }
            return .map(map)
        case .alias:
            preconditionFailure("aliases are refused above")
        }
    }

    private func display(_ path: String) -> String {
        path.isEmpty ? "the document root" : BundlePath.printable(path)
    }

    private func translate(_ error: YAMLComposeError) -> ModelBundleError {
        switch error {
        case .duplicateKeys(let duplicates, let line):
            let names = duplicates.map(BundlePath.printable).joined(separator: ", ")
            return invalid("has the key \(names) twice in one mapping (line \(line))", item: "\(fileName):\(line)")
        case .syntax(let problem, let line, let column):
            return invalid(
                "is not valid YAML at line \(line), column \(column): \(problem)",
                item: "\(fileName):\(line):\(column)"
            )
        case .multipleDocuments(let line):
            return invalid(
                "is not valid YAML at line \(line), column 1: but found another document",
                item: "\(fileName):\(line):1"
            )
        case .tooDeep(let limit, let line):
            return invalid("is nested deeper than \(limit - 1) levels (line \(line))", item: "\(fileName):\(line)")
        case .tooManyNodes:
            return invalid("has more than \(maximumNodes) nodes", item: fileName)
        }
    }

    private func invalid(_ problem: String, item: String, detail: String? = nil) -> ModelBundleError {
        ModelBundleError(.manifestInvalid, "\(fileName) \(problem)", item: item, detail: detail)
    }
}
