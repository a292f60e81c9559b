/// A strict JSON reader (RFC 8259) that also takes the bare `NaN`, `Infinity` and `-Infinity` tokens
/// Python's `json` module writes, because MLflow's files contain them (pandas 3 writes `NaN`).
///
/// Refused, each with a ``ModelBundleError`` whose item is `line L, column C`: duplicate object keys (Python
/// keeps the last one silently, Foundation the first — we refuse rather than guess), nesting deeper than
/// ``maximumDepth``, invalid UTF-8, control characters and lone surrogates in strings, trailing data,
/// and numbers out of range. Decision on big integers: an integer literal outside `Int64` is refused
/// (Python would keep an arbitrary-precision int; nothing MLflow writes needs more than 64 bits), and a
/// float literal that overflows to infinity (`1e400`) is refused rather than turned into `inf`.
/// Floats are converted by Swift's correctly rounded `Double(String)`, so they equal Python's `float()`.
package struct JSONParser: Sendable {
    /// The deepest nesting of arrays and objects accepted.
    public var maximumDepth: Int
    /// The error code thrown, so callers can report bad manifests and bad request bodies differently.
    public var errorCode: ModelBundleError.Code
    /// Where the text came from (a file or field name), prefixed to error messages when set.
    public var source: String?

    public init(maximumDepth: Int = 256, errorCode: ModelBundleError.Code = .inputInvalid, source: String? = nil) {
        self.maximumDepth = maximumDepth
        self.errorCode = errorCode
        self.source = source
    }

    /// Parses one JSON document from UTF-8 bytes.
    public func parse(_ bytes: some Collection<UInt8>) throws(ModelBundleError) -> JSONValue {
        // Arrays and slices of them (a skops schema is a slice of its archive) are read in place.
        if let slice = bytes as? ArraySlice<UInt8> { return try parse(slice: slice) }
        if let array = bytes as? [UInt8] { return try parse(slice: array[...]) }
        return try parse(slice: Array(bytes)[...])
    }

    private func parse(slice: ArraySlice<UInt8>) throws(ModelBundleError) -> JSONValue {
        // The scanner reads through a pointer: every read is behind an `offset < end` check of its
        // own, and a slice's bounds checks and buffer reference counting (each key and string value
        // retained and released the document) were a third of a schema parse.
        try slice.withUnsafeBufferPointer { (buffer) throws(ModelBundleError) in
            var scanner = Scanner(bytes: buffer, parser: self)
            return try scanner.document()
        }
    }

    /// Parses one JSON document from text.
    public func parse(_ text: String) throws(ModelBundleError) -> JSONValue {
        try parse(Array(text.utf8))
    }
}

extension JSONParser {
    fileprivate struct Scanner {
        /// The document, valid while ``JSONParser/parse(slice:)`` runs; `end` is its count.
        let bytes: UnsafeBufferPointer<UInt8>
        let parser: JSONParser
        var offset: Int
        let end: Int

        init(bytes: UnsafeBufferPointer<UInt8>, parser: JSONParser) {
            self.bytes = bytes
            self.parser = parser
            offset = 0
            end = bytes.count
        }

        mutating func document() throws(ModelBundleError) -> JSONValue {
            skipWhitespace()
            let value = try value(depth: 0)
            skipWhitespace()
            if offset < end {
                throw error("expected the end of the document after the JSON value, found extra data")
            }
            return value
        }

        mutating func skipWhitespace() {
            // Pretty-printed documents are mostly indentation (a skops schema is over half spaces):
            // runs of spaces are skipped eight bytes at a time.
            if end - offset >= 9, bytes[offset] == 0x0A {
                let raw = UnsafeRawBufferPointer(bytes)
                offset += 1
                while offset + 8 <= end,
                    raw.loadUnaligned(fromByteOffset: offset, as: UInt64.self) == 0x2020_2020_2020_2020
                {
                    offset += 8
                }
            }
            while offset < end {
                switch bytes[offset] {
                case 0x20, 0x09, 0x0A, 0x0D: offset += 1
                default: return
                }
            }
        }

        mutating func value(depth: Int) throws(ModelBundleError) -> JSONValue {
            guard offset < end else {
                throw error("expected a value, found the end of the document")
            }
            switch bytes[offset] {
            case UInt8(ascii: "{"): return try object(depth: depth + 1)
            case UInt8(ascii: "["): return try array(depth: depth + 1)
            case UInt8(ascii: "\""): return .string(try string())
            case UInt8(ascii: "t"):
                try literal("true")
                return .bool(true)
            case UInt8(ascii: "f"):
                try literal("false")
                return .bool(false)
            case UInt8(ascii: "n"):
                try literal("null")
                return .null
            case UInt8(ascii: "N"):
                try literal("NaN")
                return .double(.nan)
            case UInt8(ascii: "I"):
                try literal("Infinity")
                return .double(.infinity)
            case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return try number()
            default: throw error("expected a value (object, array, string, number, true, false or null)")
            }
        }

        mutating func literal(_ word: String) throws(ModelBundleError) {
            let expected = Array(word.utf8)
            guard end - offset >= expected.count,
                bytes[offset..<offset + expected.count].elementsEqual(expected)
            else {
                throw error("expected a value (object, array, string, number, true, false or null)")
            }
            offset += expected.count
        }

        mutating func object(depth: Int) throws(ModelBundleError) -> JSONValue {
            if depth > parser.maximumDepth {
                throw error("nesting is deeper than the \(parser.maximumDepth) levels this reader accepts")
            }
            offset += 1
            var object = JSONObject()
            // Duplicate keys: a scan of the keys read so far while the object is small (most objects
            // in MLmodel files, skops schemas and requests have a handful of keys), a set beyond.
            var seen: Set<String>? = nil
            skipWhitespace()
            if offset < end, bytes[offset] == UInt8(ascii: "}") {
                offset += 1
                return .object(object)
            }
            while true {
                skipWhitespace()
                guard offset < end, bytes[offset] == UInt8(ascii: "\"") else {
                    throw error("expected a string key in double quotes")
                }
                let keyOffset = offset
                let key = try string()
                if !Self.isNewKey(key, in: object, seen: &seen) {
                    throw error("duplicate key \"\(key)\" in object; each key may appear only once", at: keyOffset)
                }
                skipWhitespace()
                guard offset < end, bytes[offset] == UInt8(ascii: ":") else {
                    throw error("expected ':' after an object key")
                }
                offset += 1
                skipWhitespace()
                let member = try value(depth: depth)
                object.appendUnique(key: key, value: member)
                skipWhitespace()
                guard offset < end else { throw error("expected ',' or '}' in object, found the end") }
                if bytes[offset] == UInt8(ascii: ",") {
                    offset += 1
                } else if bytes[offset] == UInt8(ascii: "}") {
                    offset += 1
                    return .object(object)
                } else {
                    throw error("expected ',' or '}' in object")
                }
            }
        }

        /// Whether `key` is not yet among `object`'s keys (`seen` holds them once the object has more
        /// than ``linearKeyScanLimit``).
        static func isNewKey(_ key: String, in object: JSONObject, seen: inout Set<String>?) -> Bool {
            if seen == nil {
                if object.count < linearKeyScanLimit {
                    return !object.members.contains { $0.key == key }
                }
                seen = Set(object.members.lazy.map(\.key))
            }
            return seen!.insert(key).inserted
        }

        static let linearKeyScanLimit = 16

        mutating func array(depth: Int) throws(ModelBundleError) -> JSONValue {
            if depth > parser.maximumDepth {
                throw error("nesting is deeper than the \(parser.maximumDepth) levels this reader accepts")
            }
            offset += 1
            var elements: [JSONValue] = []
            skipWhitespace()
            if offset < end, bytes[offset] == UInt8(ascii: "]") {
                offset += 1
                return .array(elements)
            }
            while true {
                skipWhitespace()
                elements.append(try value(depth: depth))
                skipWhitespace()
                guard offset < end else { throw error("expected ',' or ']' in array, found the end") }
                if bytes[offset] == UInt8(ascii: ",") {
                    offset += 1
                } else if bytes[offset] == UInt8(ascii: "]") {
                    offset += 1
                    return .array(elements)
                } else {
                    throw error("expected ',' or ']' in array")
                }
            }
        }

        mutating func number() throws(ModelBundleError) -> JSONValue {
            let start = offset
            if bytes[offset] == UInt8(ascii: "-") {
                offset += 1
                if offset < end, bytes[offset] == UInt8(ascii: "I") {
                    try literal("Infinity")
                    return .double(-.infinity)
                }
            }
            var isInteger = true
            guard offset < end, isDigit(bytes[offset]) else { throw error("expected a digit in number") }
            if bytes[offset] == UInt8(ascii: "0") {
                offset += 1
                if offset < end, isDigit(bytes[offset]) {
                    throw error("numbers may not have leading zeros", at: start)
                }
            } else {
                skipDigits()
            }
            if offset < end, bytes[offset] == UInt8(ascii: ".") {
                isInteger = false
                offset += 1
                guard offset < end, isDigit(bytes[offset]) else {
                    throw error("expected a digit after the decimal point")
                }
                skipDigits()
            }
            if offset < end, bytes[offset] == UInt8(ascii: "e") || bytes[offset] == UInt8(ascii: "E") {
                isInteger = false
                offset += 1
                if offset < end, bytes[offset] == UInt8(ascii: "+") || bytes[offset] == UInt8(ascii: "-") {
                    offset += 1
                }
                guard offset < end, isDigit(bytes[offset]) else { throw error("expected a digit in exponent") }
                skipDigits()
            }
            // Integers of up to 18 digits cannot overflow Int64: summed here, without a String.
            if isInteger, offset - start <= 18 {
                let negative = bytes[start] == UInt8(ascii: "-")
                var magnitude: Int64 = 0
                for byte in bytes[(negative ? start + 1 : start)..<offset] {
                    magnitude = magnitude &* 10 &+ Int64(byte &- UInt8(ascii: "0"))
                }
                return .integer(negative ? -magnitude : magnitude)
            }
            let text = String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<offset]), as: UTF8.self)
            if isInteger {
                guard let integer = Int64(text) else {
                    throw error("integer \(text.prefix(40)) is outside the 64-bit range this reader accepts", at: start)
                }
                return .integer(integer)
            }
            guard let double = Double(text), double.isFinite else {
                throw error("number \(text.prefix(40)) is out of the range of a 64-bit float", at: start)
            }
            return .double(double)
        }

        func isDigit(_ byte: UInt8) -> Bool { byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") }

        mutating func skipDigits() {
            while offset < end, isDigit(bytes[offset]) { offset += 1 }
        }

        mutating func string() throws(ModelBundleError) -> String {
            offset += 1
            // Fast path: printable ASCII up to the closing quote becomes the string as is.
            let start = offset
            while offset < end {
                let byte = bytes[offset]
                if byte == UInt8(ascii: "\"") {
                    offset += 1
                    return String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<offset - 1]), as: UTF8.self)
                }
                guard byte >= 0x20, byte < 0x80, byte != UInt8(ascii: "\\") else { break }
                offset += 1
            }
            var utf8 = Array(bytes[start..<offset])
            while true {
                guard offset < end else { throw error("unterminated string: expected a closing '\"'") }
                let byte = bytes[offset]
                switch byte {
                case UInt8(ascii: "\""):
                    offset += 1
                    return String(decoding: utf8, as: UTF8.self)
                case UInt8(ascii: "\\"):
                    try escape(into: &utf8)
                case 0..<0x20:
                    throw error("control character in string; it must be escaped")
                case 0x80...:
                    try copyUTF8Sequence(into: &utf8)
                default:
                    utf8.append(byte)
                    offset += 1
                }
            }
        }

        /// Copies one multi-byte UTF-8 sequence, refusing overlong forms, surrogates and truncation.
        mutating func copyUTF8Sequence(into utf8: inout [UInt8]) throws(ModelBundleError) {
            let lead = bytes[offset]
            let length: Int
            var lower: UInt8 = 0x80
            var upper: UInt8 = 0xBF
            switch lead {
            case 0xC2...0xDF: length = 2
            case 0xE0:
                length = 3
                lower = 0xA0
            case 0xE1...0xEC, 0xEE...0xEF: length = 3
            case 0xED:
                length = 3
                upper = 0x9F
            case 0xF0:
                length = 4
                lower = 0x90
            case 0xF1...0xF3: length = 4
            case 0xF4:
                length = 4
                upper = 0x8F
            default: throw error("invalid UTF-8 byte in string")
            }
            guard end - offset >= length else { throw error("invalid UTF-8: truncated sequence") }
            for index in 1..<length {
                let continuation = bytes[offset + index]
                let low = index == 1 ? lower : 0x80
                let high = index == 1 ? upper : 0xBF
                guard continuation >= low && continuation <= high else {
                    throw error("invalid UTF-8 sequence in string")
                }
            }
            utf8.append(contentsOf: bytes[offset..<offset + length])
            offset += length
        }

        mutating func escape(into utf8: inout [UInt8]) throws(ModelBundleError) {
            offset += 1
            guard offset < end else { throw error("unterminated escape sequence") }
            let byte = bytes[offset]
            offset += 1
            switch byte {
            case UInt8(ascii: "\""): utf8.append(0x22)
            case UInt8(ascii: "\\"): utf8.append(0x5C)
            case UInt8(ascii: "/"): utf8.append(0x2F)
            case UInt8(ascii: "b"): utf8.append(0x08)
            case UInt8(ascii: "f"): utf8.append(0x0C)
            case UInt8(ascii: "n"): utf8.append(0x0A)
            case UInt8(ascii: "r"): utf8.append(0x0D)
            case UInt8(ascii: "t"): utf8.append(0x09)
            case UInt8(ascii: "u"):
                var scalar = try hex4()
                if (0xD800...0xDBFF).contains(scalar) {
                    guard end - offset >= 6, bytes[offset] == UInt8(ascii: "\\"),
                        bytes[offset + 1] == UInt8(ascii: "u")
                    else { throw error("lone UTF-16 surrogate in \\u escape") }
                    offset += 2
                    let low = try hex4()
                    guard (0xDC00...0xDFFF).contains(low) else { throw error("lone UTF-16 surrogate in \\u escape") }
                    scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
                } else if (0xDC00...0xDFFF).contains(scalar) {
                    throw error("lone UTF-16 surrogate in \\u escape")
                }
                guard let unicode = Unicode.Scalar(scalar) else { throw error("invalid \\u escape") }
                utf8.append(contentsOf: Array(String(Character(unicode)).utf8))
            default:
                offset -= 1
                throw error("invalid escape; expected one of \\\" \\\\ \\/ \\b \\f \\n \\r \\t \\uXXXX")
            }
        }

        mutating func hex4() throws(ModelBundleError) -> UInt32 {
            guard end - offset >= 4 else { throw error("expected four hex digits after \\u") }
            var result: UInt32 = 0
            for _ in 0..<4 {
                let byte = bytes[offset]
                let digit: UInt8
                switch byte {
                case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = byte - UInt8(ascii: "0")
                case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = byte - UInt8(ascii: "a") + 10
                case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = byte - UInt8(ascii: "A") + 10
                default: throw error("expected four hex digits after \\u")
                }
                result = result << 4 | UInt32(digit)
                offset += 1
            }
            return result
        }

        /// An error at the current offset (or `at`), located by line and column (columns count characters).
        func error(_ expectation: String, at position: Int? = nil) -> ModelBundleError {
            let stop = min(position ?? offset, end)
            var line = 1
            var column = 1
            for byte in bytes[0..<stop] {
                if byte == 0x0A {
                    line += 1
                    column = 1
                } else if byte & 0xC0 != 0x80 {
                    column += 1
                }
            }
            let prefix = parser.source.map { "Invalid JSON in \($0): " } ?? "Invalid JSON: "
            return ModelBundleError(parser.errorCode, prefix + expectation, item: "line \(line), column \(column)")
        }
    }
}
