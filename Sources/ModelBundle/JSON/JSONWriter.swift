/// Writes JSON exactly as Python's `json.dumps` does, so files MLflow would write come out byte for byte.
///
/// Defaults match `json.dumps(value)`: separators `", "` and `": "`, `ensure_ascii=True` (non-ASCII written
/// as `\uXXXX`, astral characters as surrogate pairs), floats as `repr(float)`, and non-finite floats as the
/// bare tokens `NaN`, `Infinity`, `-Infinity`. With `indent` set it matches `json.dumps(value, indent=n)`:
/// item separator `","` at line ends, `": "` between key and value, empty containers as `[]` and `{}`.
package struct JSONWriter: Sendable {
    /// Spaces per nesting level, or `nil` for the single-line form.
    public var indent: Int?
    /// Escape every non-ASCII character (Python's default).
    public var ensureASCII: Bool

    public init(indent: Int? = nil, ensureASCII: Bool = true) {
        self.indent = indent
        self.ensureASCII = ensureASCII
    }

    /// The JSON text of `value`.
    public func string(_ value: JSONValue) -> String {
        var output = ""
        write(value, level: 0, into: &output)
        return output
    }

    /// The UTF-8 bytes of the JSON text of `value`.
    public func bytes(_ value: JSONValue) -> [UInt8] {
        Array(string(value).utf8)
    }

    private func write(_ value: JSONValue, level: Int, into output: inout String) {
        switch value {
        case .null: output += "null"
        case .bool(let flag): output += flag ? "true" : "false"
        case .integer(let integer): output += String(integer)
        case .double(let double): output += Self.pythonJSONFloat(double)
        case .string(let text): writeString(text, into: &output)
        case .array(let elements):
            if elements.isEmpty {
                output += "[]"
                return
            }
            output += "["
            for (index, element) in elements.enumerated() {
                separator(first: index == 0, level: level + 1, into: &output)
                write(element, level: level + 1, into: &output)
            }
            closing(level: level, into: &output)
            output += "]"
        case .object(let object):
            if object.isEmpty {
                output += "{}"
                return
            }
            output += "{"
            for (index, member) in object.members.enumerated() {
                separator(first: index == 0, level: level + 1, into: &output)
                writeString(member.key, into: &output)
                output += ": "
                write(member.value, level: level + 1, into: &output)
            }
            closing(level: level, into: &output)
            output += "}"
        }
    }

    private func separator(first: Bool, level: Int, into output: inout String) {
        if let indent {
            output += first ? "\n" : ",\n"
            output += String(repeating: " ", count: indent * level)
        } else if !first {
            output += ", "
        }
    }

    private func closing(level: Int, into output: inout String) {
        if let indent {
            output += "\n" + String(repeating: " ", count: indent * level)
        }
    }

    private func writeString(_ text: String, into output: inout String) {
        output += "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": output += "\\\""
            case "\\": output += "\\\\"
            case "\n": output += "\\n"
            case "\r": output += "\\r"
            case "\t": output += "\\t"
            case "\u{08}": output += "\\b"
            case "\u{0C}": output += "\\f"
            default:
                let value = scalar.value
                if value < 0x20 || (ensureASCII && value >= 0x7F) {
                    if value > 0xFFFF {
                        let offset = value - 0x10000
                        output += Self.unicodeEscape(0xD800 + (offset >> 10))
                        output += Self.unicodeEscape(0xDC00 + (offset & 0x3FF))
                    } else {
                        output += Self.unicodeEscape(value)
                    }
                } else {
                    output.unicodeScalars.append(scalar)
                }
            }
        }
        output += "\""
    }

    private static func unicodeEscape(_ value: UInt32) -> String {
        let hex = String(value, radix: 16)
        return "\\u" + String(repeating: "0", count: max(0, 4 - hex.count)) + hex
    }

    /// A float as `json.dumps` writes it: `repr(x)`, with `NaN`, `Infinity` and `-Infinity` for non-finite values.
    public static func pythonJSONFloat(_ value: Double) -> String {
        if value.isNaN { return "NaN" }
        if value.isInfinite { return value < 0 ? "-Infinity" : "Infinity" }
        return pythonRepr(value)
    }

    /// Python's `repr(float)`: the shortest digits that round-trip, in fixed notation when the decimal
    /// exponent is in -4 ..< 16, otherwise as `d.ddde±XX` (at least two exponent digits).
    ///
    /// Swift's `description` already yields the shortest round-trip digits; only the layout differs, so the
    /// digits and exponent are taken from it and laid out Python's way.
    public static func pythonRepr(_ value: Double) -> String {
        if value.isNaN { return "nan" }
        if value.isInfinite { return value < 0 ? "-inf" : "inf" }
        let negative = value.sign == .minus
        let (digits, pointPosition) = shortestDigits(of: value.magnitude)
        var result = negative ? "-" : ""
        // `pointPosition` is where the decimal point goes: value = 0.d1d2d3… × 10^pointPosition.
        if digits == "0" {
            return result + "0.0"
        }
        if pointPosition > -4 && pointPosition <= 16 {
            if pointPosition <= 0 {
                result += "0." + String(repeating: "0", count: -pointPosition) + digits
            } else if pointPosition >= digits.count {
                result += digits + String(repeating: "0", count: pointPosition - digits.count) + ".0"
            } else {
                let split = digits.index(digits.startIndex, offsetBy: pointPosition)
                result += digits[..<split] + "." + digits[split...]
            }
        } else {
            let exponent = pointPosition - 1
            result += String(digits.prefix(1))
            if digits.count > 1 {
                result += "." + digits.dropFirst()
            }
            result += exponent < 0 ? "e-" : "e+"
            let magnitude = String(abs(exponent))
            result += (magnitude.count < 2 ? "0" : "") + magnitude
        }
        return result
    }

    /// The significant digits of a finite non-negative double (no leading or trailing zeros) and the position
    /// of the decimal point relative to them, read from Swift's shortest round-trip `description`.
    private static func shortestDigits(of value: Double) -> (digits: String, pointPosition: Int) {
        let text = value.description
        var mantissa = Substring(text)
        var exponent = 0
        if let e = text.firstIndex(where: { $0 == "e" || $0 == "E" }) {
            mantissa = text[..<e]
            exponent = Int(text[text.index(after: e)...]) ?? 0
        }
        var integerPart = mantissa
        var fraction: Substring = ""
        if let dot = mantissa.firstIndex(of: ".") {
            integerPart = mantissa[..<dot]
            fraction = mantissa[mantissa.index(after: dot)...]
        }
        var digits = String(integerPart) + fraction
        var pointPosition = integerPart.count + exponent
        while digits.first == "0" {
            digits.removeFirst()
            pointPosition -= 1
        }
        while digits.last == "0" {
            digits.removeLast()
        }
        if digits.isEmpty {
            return ("0", 1)
        }
        return (digits, pointPosition)
    }
}
