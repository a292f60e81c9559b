/// Renders the few YAML shapes MLflow's environment files use, byte for byte as PyYAML's
/// `safe_dump(default_flow_style=False)` does: block style, plain scalars where PyYAML allows
/// them, single quotes otherwise, and long plain or quoted scalars folded at spaces past
/// column 80.
///
/// Only what `conda.yaml` and `python_env.yaml` need is supported (strings in block mappings and
/// sequences); text PyYAML would double-quote (control characters, line breaks) is refused by the
/// callers before it gets here, because MLflow's requirement strings never contain it.
struct PythonYAMLText {
    /// PyYAML's `best_width`.
    private static let bestWidth = 80

    private(set) var text = ""
    private var column = 0

    /// `key:` on a line of its own at `indent`, for a block collection that follows.
    mutating func writeKey(_ key: String, indent: Int) {
        writeLineStart(indent)
        write(Self.scalar(key) + ":")
        newline()
    }

    /// `key: value` at `indent`.
    mutating func writeKeyValue(_ key: String, _ value: String, indent: Int) {
        writeLineStart(indent)
        write(Self.scalar(key) + ": ")
        writeScalar(value, continuationIndent: indent + 2)
        newline()
    }

    /// `- value` at `indent`.
    mutating func writeItem(_ value: String, indent: Int) {
        writeLineStart(indent)
        write("- ")
        writeScalar(value, continuationIndent: indent + 2)
        newline()
    }

    /// `- key:` at `indent`, opening a mapping inside a sequence item.
    mutating func writeItemKey(_ key: String, indent: Int) {
        writeLineStart(indent)
        write("- " + Self.scalar(key) + ":")
        newline()
    }

    /// `- key: []` (an empty flow sequence, which is how PyYAML writes an empty list).
    mutating func writeItemKeyEmptyList(_ key: String, indent: Int) {
        writeLineStart(indent)
        write("- " + Self.scalar(key) + ": []")
        newline()
    }

    private mutating func writeLineStart(_ indent: Int) {
        write(String(repeating: " ", count: indent))
    }

    private mutating func write(_ piece: String) {
        text += piece
        column += piece.unicodeScalars.count
    }

    private mutating func newline() {
        text += "\n"
        column = 0
    }

    /// Writes a scalar, folding at a single space once the line is past the width, as PyYAML's
    /// `write_plain` / `write_single_quoted` do. A run of several spaces is never folded.
    private mutating func writeScalar(_ value: String, continuationIndent: Int) {
        let quoted = !Self.isPlainAllowed(value)
        let scalars = Array(value.unicodeScalars)
        if quoted { write("'") }
        var index = 0
        while index < scalars.count {
            let character = scalars[index]
            if character == " " {
                let isSingle =
                    (index + 1 < scalars.count && scalars[index + 1] != " ")
                    && (index == 0 || scalars[index - 1] != " ")
                // PyYAML never folds the first or last character of a quoted scalar.
                let isInner = !quoted || (index != 0 && index != scalars.count - 1)
                if isSingle && isInner && column > Self.bestWidth {
                    newline()
                    writeLineStart(continuationIndent)
                    index += 1
                    continue
                }
            }
            if quoted && character == "'" {
                write("''")
            } else {
                write(String(character))
            }
            index += 1
        }
        if quoted { write("'") }
    }

    /// A key rendered alone (keys here are fixed ASCII words).
    private static func scalar(_ value: String) -> String {
        isPlainAllowed(value)
            ? value : "'" + value.split(separator: "'", omittingEmptySubsequences: false).joined(separator: "''") + "'"
    }

    /// Whether PyYAML would emit `value` as a plain scalar in block context: no indicator where
    /// YAML gives it meaning, no leading or trailing space, and not something the safe loader
    /// would read back as a non-string (bool, int, float, null, timestamp, merge, value).
    static func isPlainAllowed(_ value: String) -> Bool {
        let scalars = Array(value.unicodeScalars)
        guard let first = scalars.first, let last = scalars.last else { return false }
        if first == " " || last == " " { return false }
        if value.hasPrefix("---") || value.hasPrefix("...") { return false }
        for (index, character) in scalars.enumerated() {
            let followedBySpace = index + 1 >= scalars.count || scalars[index + 1] == " " || scalars[index + 1] == "\t"
            let precededBySpace = index > 0 && (scalars[index - 1] == " " || scalars[index - 1] == "\t")
            if index == 0 {
                if "#,[]{}&*!|>'\"%@`".unicodeScalars.contains(character) { return false }
                if (character == "?" || character == ":" || character == "-") && followedBySpace { return false }
            } else {
                if character == ":" && followedBySpace { return false }
                if character == "#" && precededBySpace { return false }
            }
            if character == "\t" || character.value < 0x20 || character.value == 0x7F { return false }
        }
        return !resolvesToNonString(value)
    }

    /// PyYAML's implicit resolvers (YAML 1.1) for the safe loader.
    static func resolvesToNonString(_ value: String) -> Bool {
        let bools: Set<String> = [
            "yes", "Yes", "YES", "no", "No", "NO", "true", "True", "TRUE", "false", "False", "FALSE",
            "on", "On", "ON", "off", "Off", "OFF",
        ]
        let nulls: Set<String> = ["~", "null", "Null", "NULL", ""]
        if bools.contains(value) || nulls.contains(value) || value == "<<" || value == "=" { return true }
        let patterns = [
            // int
            #"[-+]?0b[0-1_]+|[-+]?0[0-7_]+|[-+]?(?:0|[1-9][0-9_]*)|[-+]?0x[0-9a-fA-F_]+|[-+]?[1-9][0-9_]*(?::[0-5]?[0-9])+"#,
            // float
            #"[-+]?(?:[0-9][0-9_]*)\.[0-9_]*(?:[eE][-+][0-9]+)?|\.[0-9_]+(?:[eE][-+][0-9]+)?"#
                + #"|[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+\.[0-9_]*|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN)"#,
            // timestamp
            #"[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]"#
                + #"|[0-9][0-9][0-9][0-9]-[0-9][0-9]?-[0-9][0-9]?(?:[Tt]|[ \t]+)[0-9][0-9]?:[0-9][0-9]:[0-9][0-9]"#
                + #"(?:\.[0-9]*)?(?:[ \t]*(?:Z|[-+][0-9][0-9]?(?::[0-9][0-9])?))?"#,
        ]
        for pattern in patterns {
            // The patterns are literals checked by the tests; a failure to compile means "no match".
            guard let regex = try? Regex(pattern) else { continue }
            if (try? regex.wholeMatch(in: value)) != nil { return true }
        }
        return false
    }
}
