/// A small JSON parser for weight-file headers that is stricter than Foundation's.
///
/// Why hand-written: swift-foundation's `JSONDecoder` keeps the first of duplicate keys and
/// `JSONSerialization` the last, and both accept `4.0` or `4e0` where an integer is meant
/// (reference/security.md §3). A header that means different things to two readers is an attack
/// (Trail of Bits TOB-SFTN-7), so this parser refuses duplicate keys at every level, accepts only
/// non-negative integer literals up to 2^53, and bounds nesting depth and value count.
struct StrictJSONParser {
    /// A parsed value; objects keep their keys in file order.
    indirect enum Value: Equatable {
        case object([(key: String, value: Value)])
        case array([Value])
        case string(String)
        case integer(Int)
        case bool(Bool)
        case null

        static func == (lhs: Value, rhs: Value) -> Bool {
            switch (lhs, rhs) {
            case (.object(let a), .object(let b)):
                a.count == b.count && zip(a, b).allSatisfy { $0.key == $1.key && $0.value == $1.value }
            case (.array(let a), .array(let b)): a == b
            case (.string(let a), .string(let b)): a == b
            case (.integer(let a), .integer(let b)): a == b
            case (.bool(let a), .bool(let b)): a == b
            case (.null, .null): true
            default: false
            }
        }
    }

    /// Why parsing stopped; the caller turns this into a `ModelBundleError` naming its file.
    struct Failure: Error {
        var message: String
        var offset: Int
    }

    static let maximumDepth = 16
    static let largestInteger = 1 << 53

    private let bytes: [UInt8]
    private var position: Int
    private let end: Int

    /// Parses exactly one value from `bytes[start..<end]`; only spaces may follow it.
    static func parse(_ bytes: [UInt8], from start: Int, to end: Int) throws(Failure) -> Value {
        var parser = StrictJSONParser(bytes: bytes, position: start, end: end)
        let value = try parser.parseValue(depth: 0)
        while parser.position < end {
            guard bytes[parser.position] == 0x20 else {
                throw Failure(
                    message: "unexpected bytes after the JSON value (only space padding may follow)",
                    offset: parser.position
                )
            }
            parser.position += 1
        }
        return value
    }

    private mutating func parseValue(depth: Int) throws(Failure) -> Value {
        guard depth < Self.maximumDepth else { throw failure("nesting deeper than \(Self.maximumDepth) levels") }
        skipWhitespace()
        guard position < end else { throw failure("unexpected end of JSON") }
        switch bytes[position] {
        case UInt8(ascii: "{"): return try parseObject(depth: depth)
        case UInt8(ascii: "["): return try parseArray(depth: depth)
        case UInt8(ascii: "\""): return .string(try parseString())
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return .integer(try parseInteger())
        case UInt8(ascii: "-"): throw failure("negative numbers are not allowed here")
        case UInt8(ascii: "t"):
            try expectLiteral("true")
            return .bool(true)
        case UInt8(ascii: "f"):
            try expectLiteral("false")
            return .bool(false)
        case UInt8(ascii: "n"):
            try expectLiteral("null")
            return .null
        default: throw failure("unexpected character")
        }
    }

    private mutating func parseObject(depth: Int) throws(Failure) -> Value {
        position += 1  // {
        var members: [(key: String, value: Value)] = []
        var seen = Set<String>()
        skipWhitespace()
        if position < end, bytes[position] == UInt8(ascii: "}") {
            position += 1
            return .object(members)
        }
        while true {
            skipWhitespace()
            guard position < end, bytes[position] == UInt8(ascii: "\"") else { throw failure("expected a string key") }
            let keyOffset = position
            let key = try parseString()
            guard seen.insert(key).inserted else {
                throw Failure(message: "duplicate key \"\(key)\"", offset: keyOffset)
            }
            skipWhitespace()
            guard position < end, bytes[position] == UInt8(ascii: ":") else { throw failure("expected ':'") }
            position += 1
            let value = try parseValue(depth: depth + 1)
            members.append((key, value))
            skipWhitespace()
            guard position < end else { throw failure("unexpected end of JSON in an object") }
            if bytes[position] == UInt8(ascii: ",") {
                position += 1
                continue
            }
            guard bytes[position] == UInt8(ascii: "}") else { throw failure("expected ',' or '}'") }
            position += 1
            return .object(members)
        }
    }

    private mutating func parseArray(depth: Int) throws(Failure) -> Value {
        position += 1  // [
        var elements: [Value] = []
        skipWhitespace()
        if position < end, bytes[position] == UInt8(ascii: "]") {
            position += 1
            return .array(elements)
        }
        while true {
            elements.append(try parseValue(depth: depth + 1))
            skipWhitespace()
            guard position < end else { throw failure("unexpected end of JSON in an array") }
            if bytes[position] == UInt8(ascii: ",") {
                position += 1
                continue
            }
            guard bytes[position] == UInt8(ascii: "]") else { throw failure("expected ',' or ']'") }
            position += 1
            return .array(elements)
        }
    }

    /// A non-negative integer without sign, fraction, exponent or leading zeros, at most 2^53.
    private mutating func parseInteger() throws(Failure) -> Int {
        let start = position
        var value = 0
        while position < end, bytes[position] >= UInt8(ascii: "0"), bytes[position] <= UInt8(ascii: "9") {
            value = value * 10 + Int(bytes[position] - UInt8(ascii: "0"))
            guard value <= Self.largestInteger else {
                throw Failure(message: "integer larger than 2^53", offset: start)
            }
            position += 1
        }
        if position - start > 1, bytes[start] == UInt8(ascii: "0") {
            throw Failure(message: "integer with a leading zero", offset: start)
        }
        if position < end, [UInt8(ascii: "."), UInt8(ascii: "e"), UInt8(ascii: "E")].contains(bytes[position]) {
            throw Failure(message: "a fractional or exponent number where an integer is required", offset: start)
        }
        return value
    }

    private mutating func parseString() throws(Failure) -> String {
        let start = position
        position += 1  // opening quote
        var scalars = String.UnicodeScalarView()
        var run = [UInt8]()
        func flush() throws(Failure) {
            guard !run.isEmpty else { return }
            guard let text = String(validating: run, as: UTF8.self) else {
                throw Failure(message: "string is not valid UTF-8", offset: start)
            }
            scalars.append(contentsOf: text.unicodeScalars)
            run.removeAll(keepingCapacity: true)
        }
        while position < end {
            let byte = bytes[position]
            switch byte {
            case UInt8(ascii: "\""):
                position += 1
                try flush()
                return String(scalars)
            case UInt8(ascii: "\\"):
                try flush()
                position += 1
                guard position < end else { break }
                let escape = bytes[position]
                position += 1
                switch escape {
                case UInt8(ascii: "\""): scalars.append("\"")
                case UInt8(ascii: "\\"): scalars.append("\\")
                case UInt8(ascii: "/"): scalars.append("/")
                case UInt8(ascii: "b"): scalars.append("\u{08}")
                case UInt8(ascii: "f"): scalars.append("\u{0C}")
                case UInt8(ascii: "n"): scalars.append("\n")
                case UInt8(ascii: "r"): scalars.append("\r")
                case UInt8(ascii: "t"): scalars.append("\t")
                case UInt8(ascii: "u"):
                    var code = try parseHex4()
                    if (0xD800..<0xDC00).contains(code) {
                        guard position + 1 < end, bytes[position] == UInt8(ascii: "\\"),
                            bytes[position + 1] == UInt8(ascii: "u")
                        else { throw Failure(message: "unpaired surrogate in string", offset: start) }
                        position += 2
                        let low = try parseHex4()
                        guard (0xDC00..<0xE000).contains(low) else {
                            throw Failure(message: "unpaired surrogate in string", offset: start)
                        }
                        code = 0x10000 + ((code - 0xD800) << 10) + (low - 0xDC00)
                    }
                    guard let scalar = Unicode.Scalar(code) else {
                        throw Failure(message: "invalid \\u escape in string", offset: start)
                    }
                    scalars.append(scalar)
                default:
                    throw Failure(message: "invalid escape in string", offset: position - 1)
                }
            case 0..<0x20:
                throw Failure(message: "control character in string", offset: position)
            default:
                run.append(byte)
                position += 1
            }
        }
        throw Failure(message: "unterminated string", offset: start)
    }

    private mutating func parseHex4() throws(Failure) -> UInt32 {
        guard position + 4 <= end else { throw failure("truncated \\u escape") }
        var code: UInt32 = 0
        for _ in 0..<4 {
            let byte = bytes[position]
            let digit: UInt8
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = byte - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = byte - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = byte - UInt8(ascii: "A") + 10
            default: throw failure("invalid hex digit in \\u escape")
            }
            code = code << 4 | UInt32(digit)
            position += 1
        }
        return code
    }

    private mutating func expectLiteral(_ literal: StaticString) throws(Failure) {
        let count = literal.utf8CodeUnitCount
        guard position + count <= end else { throw failure("unexpected end of JSON") }
        let matches = literal.withUTF8Buffer { expected in
            (0..<count).allSatisfy { bytes[position + $0] == expected[$0] }
        }
        guard matches else { throw failure("unexpected character") }
        position += count
    }

    private mutating func skipWhitespace() {
        while position < end, [0x20, 0x09, 0x0A, 0x0D].contains(bytes[position]) {
            position += 1
        }
    }

    private func failure(_ message: String) -> Failure {
        Failure(message: message, offset: position)
    }
}
