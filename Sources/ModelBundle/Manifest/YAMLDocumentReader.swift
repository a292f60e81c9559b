import Yams

/// Reads a YAML document as inert data, with the limits of `reference/security.md` §5: bounded
/// size, no anchors or aliases, bounded depth and node count, no duplicate keys, no tags beyond
/// YAML's core types.
struct YAMLDocumentReader {
    var fileName: String
    var maximumDepth = 64
    var maximumNodes = 200_000

    /// The YAML core tags that a plain-data document may carry (explicitly or implicitly).
    private static let allowedTags: Set<String> = [
        "tag:yaml.org,2002:str", "tag:yaml.org,2002:int", "tag:yaml.org,2002:float", "tag:yaml.org,2002:bool",
        "tag:yaml.org,2002:null", "tag:yaml.org,2002:map", "tag:yaml.org,2002:seq", "tag:yaml.org,2002:timestamp",
        "tag:yaml.org,2002:binary", "tag:yaml.org,2002:merge", "tag:yaml.org,2002:value", "!", "?",
    ]

    /// Parses `bytes` into a value tree.
    func read(_ bytes: [UInt8]) throws(ModelBundleError) -> ManifestValue {
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
        let root: Node?
        do {
            // The basic resolver types nothing by regular expression: typing follows PyYAML's rules in
            // YAMLScalarRules, and compiling Yams' default patterns would cost milliseconds at start-up.
            root = try Yams.compose(yaml: text, .basic)
        } catch let error as YamlError {
            throw translate(error)
        } catch {
            throw invalid("is not valid YAML", item: fileName, detail: "\(error)")
        }
        guard let root else {
            throw invalid("is empty", item: fileName)
        }
        var budget = maximumNodes
        return try convert(root, path: "", depth: 0, budget: &budget)
    }

    private func convert(_ node: Node, path: String, depth: Int, budget: inout Int) throws(ModelBundleError)
        -> ManifestValue
    {
        budget -= 1
        if budget < 0 {
            throw invalid("has more than \(maximumNodes) nodes", item: fileName)
        }
        if depth > maximumDepth {
            throw invalid("is nested deeper than \(maximumDepth) levels at \(display(path))", item: display(path))
        }
        let tag = node.tag.rawValue
        guard Self.allowedTags.contains(tag) else {
            throw invalid(
                "has the tag \(BundlePath.printable(tag)) at \(display(path)); only plain YAML data is accepted",
                item: display(path)
            )
        }
        switch node {
        case .scalar(let scalar):
            return .scalar(text: scalar.string, isPlain: scalar.style == .plain || scalar.style == .any)
        case .sequence(let sequence):
            var items: [ManifestValue] = []
            items.reserveCapacity(min(sequence.count, budget))
            for (offset, element) in sequence.enumerated() {
                items.append(try convert(element, path: "\(path)[\(offset)]", depth: depth + 1, budget: &budget))
            }
            return .list(items)
        case .mapping(let mapping):
            var map = ManifestMap()
            for (keyNode, valueNode) in mapping {
                guard case .scalar(let key) = keyNode else {
                    throw invalid("has a non-scalar mapping key at \(display(path))", item: display(path))
                }
                let keyText = key.string
                let childPath = path.isEmpty ? keyText : "\(path).\(keyText)"
                if map[keyText] != nil {
                    throw invalid("has the key \(display(childPath)) twice", item: display(childPath))
                }
                map[keyText] = try convert(valueNode, path: childPath, depth: depth + 1, budget: &budget)
            }
            return .map(map)
        case .alias:
            throw invalid("has an alias at \(display(path)); aliases are refused", item: display(path))
        }
    }

    private func display(_ path: String) -> String {
        path.isEmpty ? "the document root" : BundlePath.printable(path)
    }

    private func translate(_ error: YamlError) -> ModelBundleError {
        switch error {
        case .duplicatedKeysInMapping(let duplicates, let context):
            let names = duplicates.map(BundlePath.printable).joined(separator: ", ")
            return invalid(
                "has the key \(names) twice in one mapping (line \(context.mark.line))",
                item: "\(fileName):\(context.mark.line)"
            )
        case .scanner(_, let problem, let mark, _), .parser(_, let problem, let mark, _),
            .composer(_, let problem, let mark, _):
            return invalid(
                "is not valid YAML at line \(mark.line), column \(mark.column): \(problem)",
                item: "\(fileName):\(mark.line):\(mark.column)"
            )
        default:
            return invalid("is not valid YAML", item: fileName, detail: "\(error)")
        }
    }

    private func invalid(_ problem: String, item: String, detail: String? = nil) -> ModelBundleError {
        ModelBundleError(.manifestInvalid, "\(fileName) \(problem)", item: item, detail: detail)
    }
}
