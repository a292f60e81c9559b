import ModelBundle

/// JSON text exactly as Python's `json.dumps` writes it (the format of MLflow's responses):
/// `ensure_ascii` string escapes, `repr` floats, bare `NaN`/`Infinity` tokens.
enum CodecJSONText {
    private static let hex = Array("0123456789abcdef".utf8)

    static func appendQuoted(_ text: String, to out: inout [UInt8]) {
        out.append(UInt8(ascii: "\""))
        for scalar in text.unicodeScalars {
            switch scalar.value {
            case 0x22: out.append(contentsOf: [0x5C, 0x22])
            case 0x5C: out.append(contentsOf: [0x5C, 0x5C])
            case 0x0A: out.append(contentsOf: [0x5C, UInt8(ascii: "n")])
            case 0x0D: out.append(contentsOf: [0x5C, UInt8(ascii: "r")])
            case 0x09: out.append(contentsOf: [0x5C, UInt8(ascii: "t")])
            case 0x08: out.append(contentsOf: [0x5C, UInt8(ascii: "b")])
            case 0x0C: out.append(contentsOf: [0x5C, UInt8(ascii: "f")])
            case 0x20..<0x7F: out.append(UInt8(scalar.value))
            case 0x10000...:
                let v = scalar.value - 0x10000
                appendEscape(UInt16(0xD800 + (v >> 10)), to: &out)
                appendEscape(UInt16(0xDC00 + (v & 0x3FF)), to: &out)
            default: appendEscape(UInt16(scalar.value), to: &out)
            }
        }
        out.append(UInt8(ascii: "\""))
    }

    private static func appendEscape(_ unit: UInt16, to out: inout [UInt8]) {
        out.append(contentsOf: [0x5C, UInt8(ascii: "u")])
        for shift in stride(from: 12, through: 0, by: -4) { out.append(hex[Int(unit >> UInt16(shift) & 0xF)]) }
    }

    static func quoted(_ text: String) -> String {
        var out: [UInt8] = []
        appendQuoted(text, to: &out)
        return String(decoding: out, as: UTF8.self)
    }

    /// Python's `float.__repr__`: the shortest digits that round-trip, positional notation when
    /// the decimal exponent is in -4..<16, else `d.ddde±XX`.
    static func appendDouble(_ value: Double, to out: inout [UInt8]) {
        if value.isNaN {
            out.append(contentsOf: Array("NaN".utf8))
            return
        }
        if value.isInfinite {
            out.append(contentsOf: Array(value < 0 ? "-Infinity".utf8 : "Infinity".utf8))
            return
        }
        // Swift's description also prints the shortest round-trip digits; take the digits and the
        // exponent from it and lay them out by Python's rules.
        var digits: [UInt8] = []
        var exponent = 0
        var seenPoint = false
        var digitsBeforePoint = 0
        var explicitExponent = 0
        var negative = false
        var text = value.description
        text.withUTF8 { bytes in
            var i = 0
            if i < bytes.count, bytes[i] == UInt8(ascii: "-") {
                negative = true
                i += 1
            }
            while i < bytes.count {
                let b = bytes[i]
                if b == UInt8(ascii: ".") {
                    seenPoint = true
                } else if b == UInt8(ascii: "e") || b == UInt8(ascii: "E") {
                    var j = i + 1
                    var sign = 1
                    if j < bytes.count, bytes[j] == UInt8(ascii: "-") || bytes[j] == UInt8(ascii: "+") {
                        sign = bytes[j] == UInt8(ascii: "-") ? -1 : 1
                        j += 1
                    }
                    var e = 0
                    while j < bytes.count {
                        e = e * 10 + Int(bytes[j] &- 48)
                        j += 1
                    }
                    explicitExponent = sign * e
                    break
                } else {
                    digits.append(b)
                    if !seenPoint { digitsBeforePoint += 1 }
                }
                i += 1
            }
        }
        // Normalise: strip leading zeros (adjusting the point) and trailing zeros.
        var leading = 0
        while leading < digits.count - 1 && digits[leading] == UInt8(ascii: "0") { leading += 1 }
        if digits.allSatisfy({ $0 == UInt8(ascii: "0") }) {
            out.append(contentsOf: Array((negative ? "-0.0" : "0.0").utf8))
            return
        }
        digits.removeFirst(leading)
        digitsBeforePoint -= leading
        while digits.count > 1 && digits.last == UInt8(ascii: "0") { digits.removeLast() }
        // value = 0.d1d2d3… × 10^(digitsBeforePoint + explicitExponent); Python's exponent is one less.
        exponent = digitsBeforePoint + explicitExponent - 1
        if negative { out.append(UInt8(ascii: "-")) }
        if exponent >= -4 && exponent < 16 {
            if exponent < 0 {
                out.append(contentsOf: [UInt8(ascii: "0"), UInt8(ascii: ".")])
                for _ in 0..<(-exponent - 1) { out.append(UInt8(ascii: "0")) }
                out.append(contentsOf: digits)
            } else if digits.count <= exponent + 1 {
                out.append(contentsOf: digits)
                for _ in 0..<(exponent + 1 - digits.count) { out.append(UInt8(ascii: "0")) }
                out.append(contentsOf: [UInt8(ascii: "."), UInt8(ascii: "0")])
            } else {
                out.append(contentsOf: digits[0...exponent])
                out.append(UInt8(ascii: "."))
                out.append(contentsOf: digits[(exponent + 1)...])
            }
        } else {
            out.append(digits[0])
            if digits.count > 1 {
                out.append(UInt8(ascii: "."))
                out.append(contentsOf: digits[1...])
            }
            out.append(UInt8(ascii: "e"))
            out.append(exponent < 0 ? UInt8(ascii: "-") : UInt8(ascii: "+"))
            let magnitude = abs(exponent)
            if magnitude < 10 { out.append(UInt8(ascii: "0")) }
            out.append(contentsOf: Array(String(magnitude).utf8))
        }
    }
}
