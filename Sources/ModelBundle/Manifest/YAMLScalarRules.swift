/// PyYAML's YAML 1.1 implicit typing of plain scalars (`yaml/resolver.py`), which decides how
/// MLflow reads an unquoted value, and the inverse question: may a string be written unquoted?
///
/// Hand-written matchers instead of regular expressions keep start-up free of regex compilation.
enum YAMLScalarRules {
    static func isNull(_ text: String) -> Bool {
        text.isEmpty || text == "~" || text == "null" || text == "Null" || text == "NULL"
    }

    static func bool(_ text: String) -> Bool? {
        switch text {
        case "yes", "Yes", "YES", "true", "True", "TRUE", "on", "On", "ON": true
        case "no", "No", "NO", "false", "False", "FALSE", "off", "Off", "OFF": false
        default: nil
        }
    }

    /// A plain decimal integer (with optional sign and `_` separators), as `Int`.
    static func int(_ text: String) -> Int? {
        guard isInt(text) else { return nil }
        return Int(String(text.filter { $0 != "_" }))
    }

    /// Whether PyYAML resolves the plain scalar to an int (any of its int forms).
    static func isInt(_ text: String) -> Bool {
        var bytes = Substring(text).utf8[...]
        if let first = bytes.first, first == UInt8(ascii: "-") || first == UInt8(ascii: "+") {
            bytes = bytes.dropFirst()
        }
        guard let first = bytes.first else { return false }
        let body = Array(bytes)
        if body.count > 2 && first == UInt8(ascii: "0") && body[1] == UInt8(ascii: "b") {
            return body[2...].allSatisfy {
                $0 == UInt8(ascii: "0") || $0 == UInt8(ascii: "1") || $0 == UInt8(ascii: "_")
            }
        }
        if body.count > 2 && first == UInt8(ascii: "0") && body[1] == UInt8(ascii: "x") {
            return body[2...].allSatisfy { isHexDigit($0) || $0 == UInt8(ascii: "_") }
        }
        if first == UInt8(ascii: "0") {
            return body.allSatisfy { ($0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "7")) || $0 == UInt8(ascii: "_") }
        }
        guard isDigit(first) else { return false }
        if body.contains(UInt8(ascii: ":")) {
            return isSexagesimal(body, allowFraction: false)
        }
        return body.allSatisfy { isDigit($0) || $0 == UInt8(ascii: "_") }
    }

    /// Whether PyYAML resolves the plain scalar to a float.
    static func isFloat(_ text: String) -> Bool {
        var body = Array(text.utf8)
        if ["-.inf", "+.inf", ".inf", "-.Inf", "+.Inf", ".Inf", "-.INF", "+.INF", ".INF", ".nan", ".NaN", ".NAN"]
            .contains(text)
        {
            return true
        }
        let signed = body.first == UInt8(ascii: "-") || body.first == UInt8(ascii: "+")
        if signed { body.removeFirst() }
        guard !body.isEmpty else { return false }
        if body[0] == UInt8(ascii: ".") {
            // `\.[0-9][0-9_]*([eE][-+][0-9]+)?`, unsigned only.
            guard !signed, body.count > 1, isDigit(body[1]) else { return false }
            return matchesFractionAndExponent(body[1...])
        }
        guard isDigit(body[0]) else { return false }
        if body.contains(UInt8(ascii: ":")) { return isSexagesimal(body, allowFraction: true) }
        guard let dot = body.firstIndex(of: UInt8(ascii: ".")) else { return false }
        guard body[..<dot].allSatisfy({ isDigit($0) || $0 == UInt8(ascii: "_") }) else { return false }
        return matchesFractionAndExponent(body[(dot + 1)...], allowEmpty: true)
    }

    /// Whether PyYAML resolves the plain scalar to a timestamp.
    static func isTimestamp(_ text: String) -> Bool {
        let bytes = Array(text.utf8)
        guard bytes.count >= 8, bytes[0..<4].allSatisfy(isDigit), bytes[4] == UInt8(ascii: "-") else { return false }
        // Date part: YYYY-M(M)-D(D); the short forms need a time part.
        var index = 5
        func digits(_ maximum: Int) -> Int {
            var count = 0
            while index < bytes.count && isDigit(bytes[index]) && count < maximum {
                index += 1
                count += 1
            }
            return count
        }
        let month = digits(2)
        guard month > 0, index < bytes.count, bytes[index] == UInt8(ascii: "-") else { return false }
        index += 1
        let day = digits(2)
        guard day > 0 else { return false }
        if index == bytes.count { return month == 2 && day == 2 }
        // Time part separated by T/t or whitespace.
        if bytes[index] == UInt8(ascii: "T") || bytes[index] == UInt8(ascii: "t") {
            index += 1
        } else {
            guard bytes[index] == UInt8(ascii: " ") || bytes[index] == UInt8(ascii: "\t") else { return false }
            while index < bytes.count && (bytes[index] == UInt8(ascii: " ") || bytes[index] == UInt8(ascii: "\t")) {
                index += 1
            }
        }
        guard digits(2) > 0, index < bytes.count, bytes[index] == UInt8(ascii: ":") else { return false }
        index += 1
        guard digits(2) == 2, index < bytes.count, bytes[index] == UInt8(ascii: ":") else { return false }
        index += 1
        guard digits(2) == 2 else { return false }
        // The rest (fraction, zone) is accepted loosely: any such text is not a plain string anyway.
        return true
    }

    /// Whether `text` must be quoted so that PyYAML reads it back as the same string.
    static func needsQuotes(_ text: String) -> Bool {
        if isNull(text) || bool(text) != nil || isInt(text) || isFloat(text) || isTimestamp(text) { return true }
        if text == "<<" || text == "=" { return true }
        guard let first = text.unicodeScalars.first, let last = text.unicodeScalars.last else { return true }
        if ",[]{}#&*!|>'\"%@`".unicodeScalars.contains(first) { return true }
        // `-`, `?` and `:` start a plain scalar unless a space (or nothing) follows them.
        if "-?:".unicodeScalars.contains(first) {
            let second = text.unicodeScalars.dropFirst().first
            if second == nil || second == " " { return true }
        }
        if first == " " || last == " " || last == ":" { return true }
        if text.contains(": ") || text.contains(" #") { return true }
        for scalar in text.unicodeScalars where scalar.value < 0x20 || scalar.value >= 0x7F {
            return true
        }
        return false
    }

    // MARK: - Helpers

    private static func matchesFractionAndExponent(_ rest: ArraySlice<UInt8>, allowEmpty: Bool = false) -> Bool {
        var index = rest.startIndex
        while index < rest.endIndex && (isDigit(rest[index]) || rest[index] == UInt8(ascii: "_")) { index += 1 }
        if index == rest.endIndex { return allowEmpty || index > rest.startIndex }
        guard rest[index] == UInt8(ascii: "e") || rest[index] == UInt8(ascii: "E") else { return false }
        index += 1
        guard index < rest.endIndex, rest[index] == UInt8(ascii: "-") || rest[index] == UInt8(ascii: "+") else {
            return false
        }
        index += 1
        guard index < rest.endIndex else { return false }
        return rest[index...].allSatisfy(isDigit)
    }

    private static func isSexagesimal(_ body: [UInt8], allowFraction: Bool) -> Bool {
        let parts = body.split(separator: UInt8(ascii: ":"), omittingEmptySubsequences: false)
        guard parts.count >= 2, let head = parts.first, !head.isEmpty,
            head.allSatisfy({ isDigit($0) || $0 == UInt8(ascii: "_") })
        else { return false }
        for (offset, part) in parts.dropFirst().enumerated() {
            var piece = part
            let isLast = offset == parts.count - 2
            if isLast && allowFraction, let dot = piece.firstIndex(of: UInt8(ascii: ".")) {
                guard piece[(dot + 1)...].allSatisfy({ isDigit($0) || $0 == UInt8(ascii: "_") }) else { return false }
                piece = piece[..<dot]
            } else if isLast && allowFraction {
                return false
            }
            guard (1...2).contains(piece.count), piece.allSatisfy(isDigit) else { return false }
            if piece.count == 2 && piece[piece.startIndex] > UInt8(ascii: "5") { return false }
        }
        return true
    }

    private static func isDigit(_ byte: UInt8) -> Bool { byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") }

    private static func isHexDigit(_ byte: UInt8) -> Bool {
        isDigit(byte) || (byte >= UInt8(ascii: "a") && byte <= UInt8(ascii: "f"))
            || (byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "F"))
    }
}
