import ModelBundle
import ModelCodecs

/// Decimals (Parquet DECIMAL, Arrow decimal128) into doubles, only when nothing is lost: the
/// double read back (its shortest round-trip text) must be the same number as the decimal.
enum DecimalConversion {
    /// The decimal `unscaled × 10^-scale` as a double, or `nil` when a double cannot hold it exactly
    /// enough to print back as the same decimal.
    static func double(unscaled: Int128, scale: Int) -> Double? {
        guard scale >= -38 && scale <= 76 else { return nil }
        let negative = unscaled < 0
        var magnitude = unscaled.magnitude
        var digits: [UInt8] = []
        if magnitude == 0 { digits = [0x30] }
        while magnitude > 0 {
            digits.append(UInt8(0x30 + Int(magnitude % 10)))
            magnitude /= 10
        }
        digits.reverse()
        let text = (negative ? "-" : "") + String(decoding: digits, as: UTF8.self) + "e" + String(-scale)
        guard let value = NumberParser.double(text), value.isFinite else { return nil }
        let significant = digits.drop { $0 == 0x30 }.reversed().drop { $0 == 0x30 }.count
        if significant <= 15 { return value }
        // 16 or more significant digits: exact only when the double's shortest text is the same number.
        guard let back = normalized(JSONWriter.pythonRepr(value)), let original = normalized(text) else { return nil }
        return back == original ? value : nil
    }

    /// A decimal text as (significant digits, exponent of the first digit), sign included.
    private static func normalized(_ text: String) -> String? {
        var mantissa = Substring(text)
        var exponent = 0
        if let e = mantissa.firstIndex(where: { $0 == "e" || $0 == "E" }) {
            guard let value = Int(mantissa[mantissa.index(after: e)...]) else { return nil }
            exponent = value
            mantissa = mantissa[..<e]
        }
        let negative = mantissa.hasPrefix("-")
        if negative { mantissa = mantissa.dropFirst() }
        var digits = ""
        var pointAt: Int?
        for ch in mantissa {
            if ch == "." { pointAt = digits.count } else { digits.append(ch) }
        }
        let intDigits = pointAt ?? digits.count
        let leading = digits.prefix { $0 == "0" }.count
        let body = digits.dropFirst(leading)
        let trimmed = body.reversed().drop { $0 == "0" }.reversed()
        if trimmed.isEmpty { return "0" }
        return (negative ? "-" : "") + String(trimmed) + "e" + String(intDigits - leading + exponent)
    }

    /// A big-endian two's-complement integer of 1…16 bytes.
    static func bigEndian(_ bytes: ArraySlice<UInt8>) -> Int128? {
        guard !bytes.isEmpty && bytes.count <= 16 else { return nil }
        var value: Int128 = bytes.first! & 0x80 != 0 ? -1 : 0
        for byte in bytes { value = value << 8 | Int128(byte) }
        return value
    }
}
