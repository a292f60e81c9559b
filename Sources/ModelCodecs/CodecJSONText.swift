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

    /// An integer's decimal digits, written straight into `out`: `String(value)` and an array of its
    /// bytes per value were a third of writing a million class labels (malloc, free, reference counts).
    static func appendInteger(_ value: Int64, to out: inout [UInt8]) {
        // The magnitude as unsigned, so that Int64.min has one too.
        var magnitude = value.magnitude
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 20) { digits in
            var start = 20
            repeat {
                start -= 1
                digits[start] = UInt8(ascii: "0") + UInt8(magnitude % 10)
                magnitude /= 10
            } while magnitude > 0
            if value < 0 { out.append(UInt8(ascii: "-")) }
            out.append(contentsOf: UnsafeBufferPointer(rebasing: digits[start..<20]))
        }
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
        // exponent from it and lay them out by Python's rules. No array or string per value: a
        // predictions file of 400,000 numbers spent a third of its time allocating arrays, and
        // `description` allocates a string for every value past 15 characters (most probabilities),
        // so the text is written by `write(to:)` into stack space instead.
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 64) { scratch in
            var text = ShortestDigits(scratch)
            value.write(to: &text)
            // Without an exponent Swift writes what Python does (`0.0001` to `9007199254740992.0`:
            // digits, a point, at least one digit after it, inside Python's plain-notation range).
            let written = UnsafeBufferPointer(rebasing: scratch[..<text.count])
            if !written.contains(UInt8(ascii: "e")) {
                out.append(contentsOf: written)
                return
            }
            appendPythonFloat(
                written,
                digits: UnsafeMutableBufferPointer(rebasing: scratch[32...]),
                to: &out
            )
        }
    }

    /// The text a `Double` writes of itself (at most 24 ASCII bytes, for a finite value), kept in
    /// the first 32 bytes of caller-provided space.
    private struct ShortestDigits: TextOutputStream {
        let space: UnsafeMutableBufferPointer<UInt8>
        var count = 0

        init(_ space: UnsafeMutableBufferPointer<UInt8>) { self.space = space }

        // `Double.write(to:)` hands its digits over here, without making a `String` of them.
        mutating func _writeASCII(_ buffer: UnsafeBufferPointer<UInt8>) {
            for byte in buffer where count < 32 {
                space[count] = byte
                count += 1
            }
        }

        mutating func write(_ string: String) {
            var string = string
            string.withUTF8 { _writeASCII($0) }
        }
    }

    /// `bytes` (Swift's shortest round-trip text of a finite double) laid out as Python's `repr`;
    /// `digits` is scratch space (a double's description has fewer than 32 digits).
    private static func appendPythonFloat(
        _ bytes: UnsafeBufferPointer<UInt8>,
        digits: UnsafeMutableBufferPointer<UInt8>,
        to out: inout [UInt8]
    ) {
        let zero = UInt8(ascii: "0")
        var count = 0
        var seenPoint = false
        var digitsBeforePoint = 0
        var explicitExponent = 0
        var negative = false
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
            } else if count < digits.count {
                digits[count] = b
                count += 1
                if !seenPoint { digitsBeforePoint += 1 }
            }
            i += 1
        }
        // Normalise: strip leading zeros (adjusting the point) and trailing zeros.
        var first = 0
        while first < count - 1 && digits[first] == zero { first += 1 }
        if count == 0 || (first == count - 1 && digits[first] == zero) {
            out.append(contentsOf: negative ? Array("-0.0".utf8) : Array("0.0".utf8))
            return
        }
        digitsBeforePoint -= first
        var end = count
        while end - first > 1 && digits[end - 1] == zero { end -= 1 }
        let significant = end - first
        func appendDigits(_ range: Range<Int>) {
            out.append(
                contentsOf: UnsafeBufferPointer(
                    rebasing: digits[(first + range.lowerBound)..<(first + range.upperBound)]
                )
            )
        }
        // value = 0.d1d2d3… × 10^(digitsBeforePoint + explicitExponent); Python's exponent is one less.
        let exponent = digitsBeforePoint + explicitExponent - 1
        if negative { out.append(UInt8(ascii: "-")) }
        if exponent >= -4 && exponent < 16 {
            if exponent < 0 {
                out.append(zero)
                out.append(UInt8(ascii: "."))
                for _ in 0..<(-exponent - 1) { out.append(zero) }
                appendDigits(0..<significant)
            } else if significant <= exponent + 1 {
                appendDigits(0..<significant)
                for _ in 0..<(exponent + 1 - significant) { out.append(zero) }
                out.append(UInt8(ascii: "."))
                out.append(zero)
            } else {
                appendDigits(0..<(exponent + 1))
                out.append(UInt8(ascii: "."))
                appendDigits((exponent + 1)..<significant)
            }
        } else {
            appendDigits(0..<1)
            if significant > 1 {
                out.append(UInt8(ascii: "."))
                appendDigits(1..<significant)
            }
            out.append(UInt8(ascii: "e"))
            out.append(exponent < 0 ? UInt8(ascii: "-") : UInt8(ascii: "+"))
            let magnitude = abs(exponent)
            if magnitude >= 100 { out.append(zero + UInt8(magnitude / 100)) }
            out.append(zero + UInt8(magnitude / 10 % 10))
            out.append(zero + UInt8(magnitude % 10))
        }
    }
}
