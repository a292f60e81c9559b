/// Writes a value tree in the block style of PyYAML's `safe_dump(default_flow_style=False)`,
/// which is how MLflow writes `MLmodel`: keys sorted at every level, two-space indentation,
/// sequences under a key not indented, `{}`/`[]` for empty collections, strings quoted only when
/// a plain scalar would be read back as another type.
enum YAMLDocumentWriter {
    /// The document's text, ending with a newline.
    static func text(of value: ManifestValue, sortKeys: Bool = true) -> String {
        var output = ""
        switch value {
        case .map(let map) where !map.isEmpty:
            writeMap(map, indent: 0, into: &output, sortKeys: sortKeys)
        case .list(let list) where !list.isEmpty:
            writeList(list, indent: 0, into: &output, sortKeys: sortKeys)
        default:
            output += inline(value) + "\n"
        }
        return output
    }

    private static func writeMap(_ map: ManifestMap, indent: Int, into output: inout String, sortKeys: Bool) {
        let entries = sortKeys ? map.entries.sorted { $0.key.utf8.lexicographicallyPrecedes($1.key.utf8) } : map.entries
        let pad = String(repeating: " ", count: indent)
        for (key, value) in entries {
            output += pad + scalarText(key, isPlain: !YAMLScalarRules.needsQuotes(key)) + ":"
            switch value {
            case .map(let child) where !child.isEmpty:
                output += "\n"
                writeMap(child, indent: indent + 2, into: &output, sortKeys: sortKeys)
            case .list(let child) where !child.isEmpty:
                output += "\n"
                writeList(child, indent: indent, into: &output, sortKeys: sortKeys)
            default:
                output += " " + inline(value) + "\n"
            }
        }
    }

    private static func writeList(_ list: [ManifestValue], indent: Int, into output: inout String, sortKeys: Bool) {
        let pad = String(repeating: " ", count: indent)
        for element in list {
            switch element {
            case .map(let child) where !child.isEmpty:
                // "- key: value" then the other keys aligned under the first.
                var nested = ""
                writeMap(child, indent: indent + 2, into: &nested, sortKeys: sortKeys)
                output += pad + "- " + nested.dropFirst(indent + 2)
            case .list(let child) where !child.isEmpty:
                var nested = ""
                writeList(child, indent: indent + 2, into: &nested, sortKeys: sortKeys)
                output += pad + "- " + nested.dropFirst(indent + 2)
            default:
                output += pad + "- " + inline(element) + "\n"
            }
        }
    }

    private static func inline(_ value: ManifestValue) -> String {
        switch value {
        case .scalar(let text, let isPlain): scalarText(text, isPlain: isPlain)
        case .list: "[]"
        case .map: "{}"
        }
    }

    /// A scalar as YAML text: plain when it was plain (and is printable), else quoted.
    static func scalarText(_ text: String, isPlain: Bool) -> String {
        let printable = !text.unicodeScalars.contains { $0.value < 0x20 || $0.value == 0x7F }
        if isPlain && printable && !text.isEmpty { return text }
        if printable {
            return "'" + text.replacingAll("'", with: "''") + "'"
        }
        var quoted = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": quoted += "\\\""
            case "\\": quoted += "\\\\"
            case "\n": quoted += "\\n"
            case "\t": quoted += "\\t"
            case "\r": quoted += "\\r"
            default:
                if scalar.value < 0x20 || scalar.value == 0x7F {
                    let hex = String(scalar.value, radix: 16, uppercase: true)
                    quoted += "\\x" + String(repeating: "0", count: 2 - hex.count) + hex
                } else {
                    quoted.unicodeScalars.append(scalar)
                }
            }
        }
        return quoted + "\""
    }
}

extension String {
    /// Replaces every occurrence of `target` (no Foundation needed).
    func replacingAll(_ target: Character, with replacement: String) -> String {
        var result = ""
        result.reserveCapacity(count)
        for character in self {
            if character == target { result += replacement } else { result.append(character) }
        }
        return result
    }
}
