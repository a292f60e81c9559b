/// A streaming JSON tokenizer over the request bytes, for the request decoder only.
///
/// This is the fast path the request codecs rely on: numbers are scanned in place and go straight
/// into typed column buffers (no generic JSON tree, no boxed values); strings become `String`s only
/// for string cells and keys. Nesting is bounded by `maxDepth`; invalid UTF-8 inside strings,
/// raw control characters, bad escapes and trailing garbage are errors.
struct CodecJSONReader {
    let p: UnsafePointer<UInt8>
    let end: Int
    var i: Int = 0
    var depth = 0
    let maxDepth: Int

    init(_ p: UnsafePointer<UInt8>, count: Int, maxDepth: Int) {
        self.p = p
        self.end = count
        self.maxDepth = maxDepth
    }

    func error(_ what: String, item: String? = nil) -> ModelBundleError {
        ModelBundleError(
            .inputInvalid,
            "Invalid input. Ensure that input is a valid JSON formatted string. Error: \(what) at byte \(i).",
            item: item
        )
    }

    @inline(__always)
    mutating func skipWhitespace() {
        while i < end {
            let b = p[i]
            if b == 0x20 || b == 0x0A || b == 0x0D || b == 0x09 { i += 1 } else { return }
        }
    }

    /// The next non-whitespace byte, not consumed; 0 at the end.
    @inline(__always)
    mutating func peek() -> UInt8 {
        skipWhitespace()
        return i < end ? p[i] : 0
    }

    @inline(__always)
    mutating func consume(_ byte: UInt8) -> Bool {
        if peek() == byte {
            i += 1
            return true
        }
        return false
    }

    mutating func expect(_ byte: UInt8, _ what: String) throws(ModelBundleError) {
        guard consume(byte) else {
            throw error("expected \(what)")
        }
    }

    mutating func enter() throws(ModelBundleError) {
        depth += 1
        if depth > maxDepth {
            throw ModelBundleError(
                .inputInvalid,
                "Invalid input. JSON nesting is deeper than the limit of \(maxDepth) levels."
            )
        }
    }

    mutating func leave() { depth -= 1 }

    /// After `[` or `{` was consumed and one element read: `true` if another element follows.
    mutating func nextElement(close: UInt8) throws(ModelBundleError) -> Bool {
        let b = peek()
        if b == UInt8(ascii: ",") {
            i += 1
            // `[1,]` and `{"a": 1,}` are syntax errors (RFC 8259, Python's json): say so here, before
            // a caller counting cells could mistake the comma for one more value.
            let after = peek()
            if after == UInt8(ascii: "]") || after == UInt8(ascii: "}") { throw error("trailing comma") }
            return true
        }
        if b == close {
            i += 1
            return false
        }
        throw error(close == UInt8(ascii: "]") ? "expected ',' or ']'" : "expected ',' or '}'")
    }

    /// Reads a string; the opening quote must be next.
    mutating func readString() throws(ModelBundleError) -> String {
        guard peek() == UInt8(ascii: "\"") else { throw error("expected a string") }
        i += 1
        let start = i
        // Fast scan for the plain case: no escapes.
        while i < end {
            let b = p[i]
            if b == UInt8(ascii: "\"") {
                let buffer = UnsafeBufferPointer(start: p + start, count: i - start)
                i += 1
                guard let text = String(validating: buffer, as: UTF8.self) else {
                    throw ModelBundleError(
                        .inputInvalid,
                        "Invalid input. The request body is not valid UTF-8; send UTF-8 text."
                    )
                }
                return text
            }
            if b == UInt8(ascii: "\\") { break }
            if b < 0x20 { throw error("control character in string") }
            i += 1
        }
        var bytes = Array(UnsafeBufferPointer(start: p + start, count: i - start))
        while i < end {
            let b = p[i]
            i += 1
            if b == UInt8(ascii: "\"") {
                guard let text = String(validating: bytes, as: UTF8.self) else {
                    throw ModelBundleError(
                        .inputInvalid,
                        "Invalid input. The request body is not valid UTF-8; send UTF-8 text."
                    )
                }
                return text
            }
            if b < 0x20 { throw error("control character in string") }
            if b != UInt8(ascii: "\\") {
                bytes.append(b)
                continue
            }
            guard i < end else { break }
            let e = p[i]
            i += 1
            switch e {
            case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): bytes.append(e)
            case UInt8(ascii: "b"): bytes.append(0x08)
            case UInt8(ascii: "f"): bytes.append(0x0C)
            case UInt8(ascii: "n"): bytes.append(0x0A)
            case UInt8(ascii: "r"): bytes.append(0x0D)
            case UInt8(ascii: "t"): bytes.append(0x09)
            case UInt8(ascii: "u"):
                var unit = try readHex4()
                var scalarValue = UInt32(unit)
                if unit >= 0xD800 && unit < 0xDC00, i + 1 < end, p[i] == UInt8(ascii: "\\"),
                    p[i + 1] == UInt8(ascii: "u")
                {
                    let save = i
                    i += 2
                    let low = try readHex4()
                    if low >= 0xDC00 && low < 0xE000 {
                        scalarValue = 0x10000 + ((UInt32(unit) - 0xD800) << 10) + (UInt32(low) - 0xDC00)
                        unit = 0
                    } else {
                        i = save
                    }
                }
                // Lone surrogates (Python keeps them) become U+FFFD: Swift strings hold only valid scalars.
                let scalar = Unicode.Scalar(scalarValue) ?? "\u{FFFD}"
                bytes.append(contentsOf: Array(String(Character(scalar)).utf8))
            default:
                throw error("invalid escape in string")
            }
        }
        throw error("unterminated string")
    }

    private mutating func readHex4() throws(ModelBundleError) -> UInt16 {
        guard i + 4 <= end else { throw error("truncated \\u escape") }
        var value: UInt16 = 0
        for _ in 0..<4 {
            let b = p[i]
            let digit: UInt8
            switch b {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = b - 48
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = b - 87
            case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = b - 55
            default: throw error("invalid \\u escape")
            }
            value = value << 4 | UInt16(digit)
            i += 1
        }
        return value
    }

    mutating func readLiteral(_ word: StaticString) -> Bool {
        let count = word.utf8CodeUnitCount
        guard end - i >= count else { return false }
        for k in 0..<count where p[i + k] != word.utf8Start[k] { return false }
        i += count
        return true
    }

    /// Skips one value, checking its syntax, and returns its raw text.
    mutating func skipValue() throws(ModelBundleError) -> String {
        _ = peek()
        let start = i
        try skip()
        return String(decoding: UnsafeBufferPointer(start: p + start, count: i - start), as: UTF8.self)
    }

    private mutating func skip() throws(ModelBundleError) {
        let b = peek()
        switch b {
        case UInt8(ascii: "{"):
            i += 1
            try enter()
            if !consume(UInt8(ascii: "}")) {
                repeat {
                    _ = try readString()
                    try expect(UInt8(ascii: ":"), "':'")
                    try skip()
                } while try nextElement(close: UInt8(ascii: "}"))
            }
            leave()
        case UInt8(ascii: "["):
            i += 1
            try enter()
            if !consume(UInt8(ascii: "]")) {
                repeat { try skip() } while try nextElement(close: UInt8(ascii: "]"))
            }
            leave()
        case UInt8(ascii: "\""):
            _ = try readString()
        case UInt8(ascii: "t"), UInt8(ascii: "f"), UInt8(ascii: "n"):
            guard readLiteral("true") || readLiteral("false") || readLiteral("null") else {
                throw error("invalid literal")
            }
        default:
            _ = try readNumber()
        }
    }

    @inline(__always)
    mutating func readNumber() throws(ModelBundleError) -> CodecNumber {
        guard let number = NumberParser.scan(p, from: i, to: end, grammar: .json) else {
            throw error(i < end ? "expected a value" : "unexpected end of input")
        }
        i = number.end
        return number
    }

    func text(from start: Int, to stop: Int) -> String {
        String(decoding: UnsafeBufferPointer(start: p + start, count: stop - start), as: UTF8.self)
    }

    /// Reads one scalar or nested cell into `builder`.
    @inline(__always)
    mutating func readCell(into builder: inout CodecColumnBuilder) throws(ModelBundleError) {
        let b = peek()
        if builder.target == .nested {
            if readLiteral("null") {
                builder.appendNull()
            } else {
                try builder.appendNested(try skipValue())
            }
            return
        }
        switch b {
        case UInt8(ascii: "\""):
            try builder.appendString(try readString())
        case UInt8(ascii: "t"), UInt8(ascii: "f"), UInt8(ascii: "n"):
            if readLiteral("null") {
                builder.appendNull()
            } else if readLiteral("true") {
                try builder.appendBool(true)
            } else if readLiteral("false") {
                try builder.appendBool(false)
            } else {
                throw error("invalid literal")
            }
        case UInt8(ascii: "["), UInt8(ascii: "{"):
            try builder.appendNested(try skipValue())
        default:
            let start = i
            let number = try readNumber()
            if builder.appendFractionalFast(number) { return }
            try builder.appendNumber(number, text: text(from: start, to: number.end))
        }
    }
}
