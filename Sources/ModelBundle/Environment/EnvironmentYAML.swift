/// Reads `conda.yaml` / `python_env.yaml` as inert data: bounded size, UTF-8, one document, a
/// budget on nodes, no aliases, no tags
/// outside the core schema, no merge keys, and every scalar kept as its raw text (`3.10` stays
/// `"3.10"`, never the float 3.1).
enum EnvironmentYAML {
    /// The largest environment file accepted (security.md §5: env files ≤ 256 KiB).
    static let maximumSize = 256 << 10
    /// The most nodes accepted in one file.
    static let nodeBudget = 100_000
    /// The deepest nesting accepted.
    static let maximumDepth = 64

    /// Whether `tag` is one a plain YAML document can carry; anything else (`!!python/object…`,
    /// `!custom`) is refused. A `switch` rather than a `Set`, for the start-up reason of
    /// `YAMLDocumentReader.isAllowedTag`.
    private static func isAllowedTag(_ tag: String) -> Bool {
        switch tag {
        case "tag:yaml.org,2002:str", "tag:yaml.org,2002:seq", "tag:yaml.org,2002:map", "tag:yaml.org,2002:int",
            "tag:yaml.org,2002:float", "tag:yaml.org,2002:bool", "tag:yaml.org,2002:null":
            true
        default:
            false
        }
    }

    /// A parsed value: only the three shapes these files can hold.
    indirect enum Value {
        case scalar(String)
        case sequence([Value])
        case mapping([Pair])
    }

    /// One key and value of a mapping, in file order.
    struct Pair {
        var key: String
        var value: Value
    }

    /// Parses `bytes` of the file `fileName` into a ``Value`` tree.
    static func parse(_ bytes: [UInt8], fileName: String) throws(ModelBundleError) -> Value {
        guard bytes.count <= maximumSize else {
            throw ModelBundleError(
                .manifestTooLarge,
                "\(fileName) is \(bytes.count) bytes, more than the \(maximumSize) bytes accepted",
                item: fileName
            )
        }
        guard let text = String(validating: bytes, as: UTF8.self) else {
            throw ModelBundleError(.environmentInvalid, "\(fileName) is not UTF-8 text", item: fileName)
        }
        let node: YAMLNode?
        do {
            node = try YAMLComposer(maximumDepth: maximumDepth + 1, maximumNodes: nodeBudget).compose(text.utf8)
        } catch {
            throw ModelBundleError(
                .environmentInvalid,
                "\(fileName) is not valid YAML; regenerate it or fix the syntax",
                item: fileName,
                detail: "\(error)"
            )
        }
        guard let node else {
            throw ModelBundleError(.environmentInvalid, "\(fileName) is empty", item: fileName)
        }
        var budget = nodeBudget
        return try convert(node, fileName: fileName, field: nil, depth: 0, budget: &budget)
    }

    private static func convert(
        _ node: YAMLNode,
        fileName: String,
        field: String?,
        depth: Int,
        budget: inout Int
    ) throws(ModelBundleError) -> Value {
        let item = field.map { "\(fileName):\($0)" } ?? fileName
        budget -= 1
        guard budget >= 0 else {
            throw ModelBundleError(
                .environmentInvalid,
                "\(fileName) expands to more than \(nodeBudget) YAML nodes (aliases?); refusing to read it",
                item: item
            )
        }
        guard depth <= maximumDepth else {
            throw ModelBundleError(
                .environmentInvalid,
                "\(fileName) nests deeper than \(maximumDepth) levels",
                item: item
            )
        }
        if case .alias = node {
            throw ModelBundleError(.environmentInvalid, "\(fileName) uses a YAML alias", item: item)
        }
        guard isAllowedTag(node.tag) else {
            throw ModelBundleError(
                .environmentInvalid,
                "\(fileName) uses the YAML tag '\(BundlePath.printable(node.tag))', which is refused",
                item: item
            )
        }
        switch node {
        case .scalar(let text, _, _, _):
            return .scalar(text)
        case .sequence(let sequence, _):
            var values: [Value] = []
            for (index, element) in sequence.enumerated() {
                let path = (field ?? "") + "[\(index)]"
                values.append(try convert(element, fileName: fileName, field: path, depth: depth + 1, budget: &budget))
            }
            return .sequence(values)
        case .mapping(let mapping, _):
            var pairs: [Pair] = []
            for (keyNode, valueNode) in mapping {
                guard case .scalar(let key, _, _, _) = keyNode, isAllowedTag(keyNode.tag) else {
                    throw ModelBundleError(
                        .environmentInvalid,
                        "\(fileName) has a mapping key that is not text",
                        item: item
                    )
                }
                if key == "<<" {
                    throw ModelBundleError(.environmentInvalid, "\(fileName) uses a YAML merge key '<<'", item: item)
                }
                let path = field.map { "\($0).\(key)" } ?? key
                pairs.append(
                    Pair(
                        key: key,
                        value: try convert(
                            valueNode,
                            fileName: fileName,
                            field: path,
                            depth: depth + 1,
                            budget: &budget
                        )
                    )
                )
            }
            return .mapping(pairs)
        case .alias:
            preconditionFailure("aliases are refused above")
        }
    }

    // MARK: Typed field access, each naming the file and field on failure.

    static func mapping(_ value: Value, fileName: String) throws(ModelBundleError) -> [Pair] {
        guard case .mapping(let pairs) = value else {
            throw ModelBundleError(
                .environmentInvalid,
                "\(fileName) must be a YAML mapping at the top level",
                item: fileName
            )
        }
        return pairs
    }

    static func string(_ value: Value, fileName: String, field: String) throws(ModelBundleError) -> String {
        guard case .scalar(let text) = value else {
            throw ModelBundleError(
                .environmentInvalid,
                "\(fileName) field '\(field)' must be text",
                item: "\(fileName):\(field)"
            )
        }
        return text
    }

    static func strings(_ value: Value, fileName: String, field: String) throws(ModelBundleError) -> [String] {
        guard case .sequence(let elements) = value else {
            throw ModelBundleError(
                .environmentInvalid,
                "\(fileName) field '\(field)' must be a list of text",
                item: "\(fileName):\(field)"
            )
        }
        var result: [String] = []
        for (index, element) in elements.enumerated() {
            result.append(try string(element, fileName: fileName, field: "\(field)[\(index)]"))
        }
        return result
    }
}
