/// Finds YAML anchors (`&name`) and aliases (`*name`) before the document reaches the parser.
///
/// Why: an alias lets 600 bytes describe a billion nodes ("billion laughs"), and the composer
/// refuses aliases only once libyaml has parsed the whole text; refusing them first names the
/// line and column of the first one and spends nothing on the rest. MLflow never writes anchors (`yaml.safe_dump` of plain data), so
/// the manifest reader refuses them outright. The scan is lexical and conservative: it tracks
/// quoted scalars (which may span lines), comments, block scalars and flow collections, and
/// reports an `&` or `*` wherever a node may start. A legal but odd document (a multi-line plain
/// scalar inside a flow collection whose continuation starts with `*`) may be refused; a real
/// anchor or alias is never missed.
struct YAMLAliasScanner {
    /// Where an anchor or alias was found: 1-based line and column, and which one.
    struct Finding: Equatable {
        var line: Int
        var column: Int
        var isAlias: Bool
    }

    private enum State {
        case nodeStart
        case plainScalar
        case afterNode
        case singleQuoted
        case doubleQuoted
    }

    /// Returns the first anchor or alias, or `nil` when there is none.
    static func firstAnchorOrAlias(in bytes: [UInt8]) -> Finding? {
        var state = State.nodeStart
        var flowDepth = 0
        var index = 0
        var line = 1
        var lineStart = 0
        // A block scalar (`|` or `>`) swallows following lines indented more than its parent line.
        var blockScalarParentIndent: Int?
        let count = bytes.count

        func byte(_ offset: Int) -> UInt8 { offset < count ? bytes[offset] : UInt8(ascii: "\n") }
        func isBlank(_ value: UInt8) -> Bool {
            value == UInt8(ascii: " ") || value == UInt8(ascii: "\t") || value == UInt8(ascii: "\n")
                || value == UInt8(ascii: "\r")
        }

        while index < count {
            let current = bytes[index]
            if current == UInt8(ascii: "\n") {
                index += 1
                line += 1
                lineStart = index
                if state == .singleQuoted || state == .doubleQuoted { continue }
                // Measure the new line's indentation; skip it entirely inside a block scalar.
                var indent = 0
                while byte(lineStart + indent) == UInt8(ascii: " ") { indent += 1 }
                if let parent = blockScalarParentIndent {
                    let isEmptyLine =
                        byte(lineStart + indent) == UInt8(ascii: "\n") || byte(lineStart + indent) == UInt8(ascii: "\r")
                    if indent > parent || isEmptyLine {
                        while index < count && bytes[index] != UInt8(ascii: "\n") { index += 1 }
                        continue
                    }
                    blockScalarParentIndent = nil
                }
                state = .nodeStart
                continue
            }
            switch state {
            case .singleQuoted:
                if current == UInt8(ascii: "'") {
                    if byte(index + 1) == UInt8(ascii: "'") {
                        index += 2
                        continue
                    }
                    state = .afterNode
                }
                index += 1
            case .doubleQuoted:
                if current == UInt8(ascii: "\\") {
                    index += 2
                    continue
                }
                if current == UInt8(ascii: "\"") { state = .afterNode }
                index += 1
            case .nodeStart:
                if isBlank(current) {
                    index += 1
                    continue
                }
                let column = index - lineStart + 1
                switch current {
                case UInt8(ascii: "&"), UInt8(ascii: "*"):
                    return Finding(line: line, column: column, isAlias: current == UInt8(ascii: "*"))
                case UInt8(ascii: "'"):
                    state = .singleQuoted
                    index += 1
                case UInt8(ascii: "\""):
                    state = .doubleQuoted
                    index += 1
                case UInt8(ascii: "#"):
                    while index < count && bytes[index] != UInt8(ascii: "\n") { index += 1 }
                case UInt8(ascii: "["), UInt8(ascii: "{"):
                    flowDepth += 1
                    index += 1
                case UInt8(ascii: "]"), UInt8(ascii: "}"):
                    flowDepth = max(0, flowDepth - 1)
                    state = .afterNode
                    index += 1
                case UInt8(ascii: ","):
                    index += 1
                case UInt8(ascii: "!"):
                    // A tag: skip it; an anchor may follow.
                    while index < count && !isBlank(bytes[index]) { index += 1 }
                case UInt8(ascii: "|"), UInt8(ascii: ">"):
                    var indent = 0
                    while byte(lineStart + indent) == UInt8(ascii: " ") { indent += 1 }
                    blockScalarParentIndent = indent
                    while index < count && bytes[index] != UInt8(ascii: "\n") { index += 1 }
                case UInt8(ascii: "-"), UInt8(ascii: "?"), UInt8(ascii: ":"):
                    if isBlank(byte(index + 1)) {
                        index += 1
                    } else if current == UInt8(ascii: "-") && byte(index + 1) == UInt8(ascii: "-")
                        && byte(index + 2) == UInt8(ascii: "-") && isBlank(byte(index + 3))
                    {
                        index += 3
                    } else {
                        state = .plainScalar
                        index += 1
                    }
                default:
                    state = .plainScalar
                    index += 1
                }
            case .plainScalar, .afterNode:
                switch current {
                case UInt8(ascii: ":"):
                    let next = byte(index + 1)
                    if isBlank(next)
                        || (flowDepth > 0
                            && (next == UInt8(ascii: ",") || next == UInt8(ascii: "]") || next == UInt8(ascii: "}")))
                    {
                        state = .nodeStart
                    }
                    index += 1
                case UInt8(ascii: "#") where state == .afterNode || (index > 0 && isBlank(bytes[index - 1])):
                    while index < count && bytes[index] != UInt8(ascii: "\n") { index += 1 }
                case UInt8(ascii: ",") where flowDepth > 0:
                    state = .nodeStart
                    index += 1
                case UInt8(ascii: "]"), UInt8(ascii: "}"):
                    if flowDepth > 0 {
                        flowDepth -= 1
                        state = .afterNode
                    }
                    index += 1
                default:
                    index += 1
                }
            }
        }
        return nil
    }
}
