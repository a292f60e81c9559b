extension NumberParser {
    /// The hot path of the numeric fast paths: the plain decimal forms both grammars share
    /// (`-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?`) with at most 19 significant digits, straight
    /// to a correctly rounded `Double`. Returns `nil` for anything else (specials, `+1`, `.5`, `01`,
    /// more than 19 significant digits, integers beyond 15 digits, undecided Eisel-Lemire cases), and
    /// the caller then takes the general path (``scan(_:from:to:grammar:)``), which decides those
    /// cells and reports errors; so this never changes a result, it only skips work.
    ///
    /// An integer as written (no fraction, no exponent) is accepted only up to 15 digits: it is then
    /// exact as a `Double`, which is what a double column accepts from integral text.
    @inline(__always)
    static func fastDouble(_ p: UnsafePointer<UInt8>, _ start: Int, _ limit: Int) -> (value: Double, end: Int)? {
        var i = start
        guard i < limit else { return nil }
        let negative = p[i] == UInt8(ascii: "-")
        if negative {
            i += 1
            guard i < limit else { return nil }
        }
        var w: UInt64 = 0
        var digits = 0  // significant digits in `w` (leading zeros of `0.000123` are not)
        var exponent = 0
        var plainInteger = true
        if p[i] == UInt8(ascii: "0") {
            i += 1
            if i < limit && p[i] &- 48 <= 9 { return nil }  // `01`: JSON refuses it, CSV reads it slowly
        } else {
            guard p[i] &- 49 <= 8 else { return nil }
            let digitsStart = i
            while limit &- i >= 8, let eight = eightDigits(p + i) {
                w = w &* 100_000_000 &+ eight
                i &+= 8
            }
            if limit &- i >= 4, let four = fourDigits(p + i) {
                w = w &* 10_000 &+ four
                i &+= 4
            }
            while i < limit {
                let d = p[i] &- 48
                if d > 9 { break }
                w = w &* 10 &+ UInt64(d)
                i &+= 1
            }
            digits = i &- digitsStart
        }
        if i < limit && p[i] == UInt8(ascii: ".") {
            plainInteger = false
            i += 1
            let fractionStart = i
            if digits == 0 {
                while i < limit && p[i] == UInt8(ascii: "0") { i &+= 1 }
            }
            let significantStart = i
            while limit &- i >= 8, let eight = eightDigits(p + i) {
                w = w &* 100_000_000 &+ eight
                i &+= 8
            }
            if limit &- i >= 4, let four = fourDigits(p + i) {
                w = w &* 10_000 &+ four
                i &+= 4
            }
            while i < limit {
                let d = p[i] &- 48
                if d > 9 { break }
                w = w &* 10 &+ UInt64(d)
                i &+= 1
            }
            guard i > fractionStart else { return nil }  // `5.`
            digits &+= i &- significantStart
            exponent = fractionStart &- i
        }
        // Beyond 19 digits `w` may have wrapped: the general path recounts and rounds exactly.
        guard digits <= 19 else { return nil }
        if i < limit && p[i] | 0x20 == UInt8(ascii: "e") {
            plainInteger = false
            i += 1
            var exponentNegative = false
            if i < limit && (p[i] == UInt8(ascii: "-") || p[i] == UInt8(ascii: "+")) {
                exponentNegative = p[i] == UInt8(ascii: "-")
                i += 1
            }
            let exponentStart = i
            var explicit = 0
            while i < limit {
                let d = p[i] &- 48
                if d > 9 { break }
                if explicit < 100_000 { explicit = explicit * 10 + Int(d) }
                i += 1
            }
            guard i > exponentStart else { return nil }
            exponent += exponentNegative ? -explicit : explicit
        }
        if plainInteger && digits > 15 { return nil }
        if w == 0 { return (negative ? -0.0 : 0.0, i) }
        var value: Double
        if exponent >= -22 && exponent <= 22 && w <= 1 << 53 {
            // Clinger: both operands are exact doubles, so one IEEE operation rounds correctly.
            value = Double(w)
            value = exponent < 0 ? value / powerOfTen(-exponent) : value * powerOfTen(exponent)
        } else {
            guard let lemire = eiselLemire(w, exponent) else { return nil }
            value = lemire
        }
        return (negative ? -value : value, i)
    }

    /// Four ASCII digits at `p` as a number, or `nil` (the 32-bit form of ``eightDigits(_:)``): most
    /// numbers end with fewer than eight digits after the last eight-digit step.
    @inline(__always)
    static func fourDigits(_ p: UnsafePointer<UInt8>) -> UInt64? {
        let value = UnsafeRawPointer(p).loadUnaligned(as: UInt32.self).littleEndian
        let high = value & 0xF0F0_F0F0
        let carry = ((value &+ 0x0606_0606) & 0xF0F0_F0F0) >> 4
        guard high | carry == 0x3333_3333 else { return nil }
        var v = value &- 0x3030_3030
        v = (v &* 10) &+ (v >> 8)  // byte 0: d0 d1, byte 2: d2 d3
        return UInt64((v & 0xFF) &* 100 &+ ((v >> 16) & 0xFF))
    }

    /// 10^k for 0 ≤ k ≤ 22, without the array's bounds check.
    @inline(__always)
    static func powerOfTen(_ k: Int) -> Double {
        exactPowersOfTen.withUnsafeBufferPointer { table in
            guard let base = table.baseAddress else { return 1 }
            return base[k]
        }
    }
}
