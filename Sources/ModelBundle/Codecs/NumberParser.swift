import SystemPlatform

/// Decimal text to `Double` and `Int64`, correctly rounded (bit for bit what Python's `float()` gives).
///
/// The request codecs call the pointer-based scanner below on the bytes of the body, so numbers go
/// straight from the input buffer into typed column buffers with no intermediate `String`. The
/// algorithm is the usual fast stack: Clinger's exact fast path (at most 15 significant digits and
/// a small power of ten), then Eisel-Lemire with a 128-bit table of powers of five (fast_float),
/// and `strtod` for the rare inputs Eisel-Lemire cannot decide (more than 19 significant digits
/// whose truncation matters, or an ambiguous 128-bit product). Out-of-range text behaves like
/// Python: `1e400` is infinity and `1e-400` is zero.
public enum NumberParser {
    /// Which text forms are numbers.
    public enum Grammar: Sendable {
        /// RFC 8259 numbers plus the bare `NaN`, `Infinity` and `-Infinity` tokens Python's `json` reads.
        case json
        /// What Python's `float()` and pandas' `read_csv` read: also a leading `+`, `.5`, `5.`, and
        /// `inf`/`infinity`/`nan` in any case.
        case csv
    }

    /// The `Double` the whole of `text` denotes, or `nil` when `text` is not a number in `grammar`.
    public static func double(_ text: String, grammar: Grammar = .csv) -> Double? {
        scanWhole(text, grammar: grammar)?.double
    }

    /// The `Int64` the whole of `text` denotes when it is integral text that fits, else `nil`
    /// (no silent truncation of `1.7`, no wrap-around on overflow).
    public static func int64(_ text: String, grammar: Grammar = .csv) -> Int64? {
        guard let number = scanWhole(text, grammar: grammar), number.kind == .integral, number.integerFits else {
            return nil
        }
        return number.integer
    }

    static func scanWhole(_ text: String, grammar: Grammar) -> CodecNumber? {
        var copy = text
        return copy.withUTF8 { bytes -> CodecNumber? in
            guard let base = bytes.baseAddress, !bytes.isEmpty else { return nil }
            guard let number = scan(base, from: 0, to: bytes.count, grammar: grammar),
                number.end == bytes.count
            else { return nil }
            return number
        }
    }

    /// Scans one number starting at `start`; `end` of the result is the index after its last byte.
    /// Returns `nil` when the bytes at `start` do not begin a number (the caller reports the error).
    @inline(__always)
    static func scan(
        _ p: UnsafePointer<UInt8>,
        from start: Int,
        to limit: Int,
        grammar: Grammar
    ) -> CodecNumber? {
        var i = start
        var negative = false
        if i < limit, p[i] == UInt8(ascii: "-") {
            negative = true
            i += 1
        } else if grammar == .csv, i < limit, p[i] == UInt8(ascii: "+") {
            i += 1
        }
        guard i < limit else { return nil }
        let first = p[i]
        if first &- 48 > 9 && first != UInt8(ascii: ".") {
            return scanSpecial(p, from: start, signEnd: i, to: limit, negative: negative, grammar: grammar)
        }
        // Accumulate every digit with wrapping arithmetic (eight at a time where possible); when more
        // than 19 digits were seen, `recount` redoes the mantissa from the first 19 significant ones.
        var mantissa: UInt64 = 0
        var exponent = 0
        var truncated = false
        let integerStart = i
        while i + 8 <= limit, let eight = eightDigits(p + i) {
            mantissa = mantissa &* 100_000_000 &+ eight
            i += 8
        }
        while i < limit {
            let d = p[i] &- 48
            if d > 9 { break }
            mantissa = mantissa &* 10 &+ UInt64(d)
            i += 1
        }
        let integerDigits = i - integerStart
        if grammar == .json {
            if integerDigits == 0 { return nil }
            if integerDigits > 1 && p[integerStart] == UInt8(ascii: "0") { return nil }
        }
        var kind = CodecNumber.Kind.integral
        var fractionDigits = 0
        var fractionStart = i
        if i < limit, p[i] == UInt8(ascii: ".") {
            kind = .fractional
            i += 1
            fractionStart = i
            while i + 8 <= limit, let eight = eightDigits(p + i) {
                mantissa = mantissa &* 100_000_000 &+ eight
                i += 8
            }
            while i < limit {
                let d = p[i] &- 48
                if d > 9 { break }
                mantissa = mantissa &* 10 &+ UInt64(d)
                i += 1
            }
            fractionDigits = i - fractionStart
            if grammar == .json && fractionDigits == 0 { return nil }
        }
        exponent = -fractionDigits
        if integerDigits + fractionDigits > 19 {
            (mantissa, exponent, truncated) = recount(
                p,
                integerStart: integerStart,
                integerDigits: integerDigits,
                fractionStart: fractionStart,
                fractionDigits: fractionDigits
            )
        }
        if integerDigits + fractionDigits == 0 { return nil }
        if i < limit, p[i] | 0x20 == UInt8(ascii: "e") {
            kind = .fractional
            i += 1
            var exponentNegative = false
            if i < limit, p[i] == UInt8(ascii: "-") || p[i] == UInt8(ascii: "+") {
                exponentNegative = p[i] == UInt8(ascii: "-")
                i += 1
            }
            let exponentStart = i
            var explicit = 0
            while i < limit {
                let d = p[i] &- 48
                if d > 9 { break }
                // Clamp: anything beyond ±100000 is zero or infinity anyway; no overflow on long exponents.
                if explicit < 100_000 { explicit = explicit * 10 + Int(d) }
                i += 1
            }
            if i == exponentStart { return nil }
            exponent += exponentNegative ? -explicit : explicit
        }
        var number = CodecNumber(kind: kind, double: 0, integer: 0, integerFits: false, end: i)
        if kind == .integral {
            // Exact Int64: at most 19 significant digits were kept and none were dropped.
            if exponent == 0 {
                if negative {
                    if mantissa <= UInt64(Int64.max) + 1 {
                        number.integer = mantissa == UInt64(Int64.max) + 1 ? Int64.min : -Int64(mantissa)
                        number.integerFits = true
                    }
                } else if mantissa <= UInt64(Int64.max) {
                    number.integer = Int64(mantissa)
                    number.integerFits = true
                }
            }
        }
        number.double = toDouble(
            mantissa,
            exponent: exponent,
            negative: negative,
            truncated: truncated,
            p: p,
            start: start,
            end: i
        )
        return number
    }

    /// Eight ASCII digits at `p` as a number, or `nil` (fast_float's SWAR parse).
    @inline(__always)
    static func eightDigits(_ p: UnsafePointer<UInt8>) -> UInt64? {
        let value = UnsafeRawPointer(p).loadUnaligned(as: UInt64.self).littleEndian
        let high = value & 0xF0F0_F0F0_F0F0_F0F0
        let carry = ((value &+ 0x0606_0606_0606_0606) & 0xF0F0_F0F0_F0F0_F0F0) >> 4
        guard high | carry == 0x3333_3333_3333_3333 else { return nil }
        var v = value &- 0x3030_3030_3030_3030
        v = (v &* 10) &+ (v >> 8)
        let mask: UInt64 = 0x0000_00FF_0000_00FF
        v = (((v & mask) &* 0x000F_4240_0000_0064) &+ (((v >> 16) & mask) &* 0x0000_2710_0000_0001)) >> 32
        return v & 0xFFFF_FFFF
    }

    /// More than 19 digits: the first 19 significant digits, the decimal exponent that goes with
    /// them, and whether any dropped digit is non-zero.
    static func recount(
        _ p: UnsafePointer<UInt8>,
        integerStart: Int,
        integerDigits: Int,
        fractionStart: Int,
        fractionDigits: Int
    ) -> (UInt64, Int, Bool) {
        var mantissa: UInt64 = 0
        var significant = 0
        var exponent = 0
        var truncated = false
        for k in 0..<integerDigits {
            let d = p[integerStart + k] &- 48
            if significant < 19 {
                if mantissa != 0 || d != 0 {
                    mantissa = mantissa * 10 + UInt64(d)
                    significant += 1
                }
            } else {
                exponent += 1
                if d != 0 { truncated = true }
            }
        }
        for k in 0..<fractionDigits {
            let d = p[fractionStart + k] &- 48
            if significant < 19 {
                if mantissa != 0 || d != 0 {
                    mantissa = mantissa * 10 + UInt64(d)
                    significant += 1
                }
                exponent -= 1
            } else if d != 0 {
                truncated = true
            }
        }
        return (mantissa, exponent, truncated)
    }

    @inline(__always)
    static func toDouble(
        _ w: UInt64,
        exponent q: Int,
        negative: Bool,
        truncated: Bool,
        p: UnsafePointer<UInt8>,
        start: Int,
        end: Int
    ) -> Double {
        if w == 0 { return negative ? -0.0 : 0.0 }
        if !truncated && q >= -22 && q <= 22 && w <= 1 << 53 {
            // Clinger: both operands are exact doubles, so one IEEE operation rounds correctly.
            var value = Double(w)
            value = q < 0 ? value / exactPowersOfTen[-q] : value * exactPowersOfTen[q]
            return negative ? -value : value
        }
        if let value = eiselLemire(w, q) {
            if !truncated {
                return negative ? -value : value
            }
            // The dropped digits lie between w and w+1: if both round alike, so does the exact value.
            if let upper = eiselLemire(w + 1, q), upper == value {
                return negative ? -value : value
            }
        }
        return slowDouble(p, start: start, end: end)
    }

    /// Eisel-Lemire (Lemire, "Number Parsing at a Gigabyte per Second", 2021; fast_float's
    /// `compute_float<binary64>`). Returns `nil` when the fast computation cannot decide.
    @inline(__always)
    static func eiselLemire(_ w0: UInt64, _ q: Int) -> Double? {
        if q < -342 { return 0 }
        if q > 308 { return .infinity }
        let lz = w0.leadingZeroBitCount
        let w = w0 << UInt64(lz)
        let index = 2 * (q + 342)
        var (hi, lo) = fastPowersOfFive.withUnsafeBufferPointer { table in
            w.multipliedFullWidth(by: table[index])
        }
        let precisionMask: UInt64 = 0x1FF
        if hi & precisionMask == precisionMask {
            let second = fastPowersOfFive.withUnsafeBufferPointer { table in
                w.multipliedFullWidth(by: table[index + 1]).high
            }
            let (sum, overflow) = lo.addingReportingOverflow(second)
            lo = sum
            if overflow { hi &+= 1 }
            // Still ambiguous after 128 bits: leave it to the slow path (original paper's guard).
            if hi & precisionMask == precisionMask && lo == UInt64.max && (q < -27 || q > 55) { return nil }
        }
        let upperBit = Int(hi >> 63)
        var mantissa = hi >> UInt64(upperBit + 9)
        var power2 = ((((152_170 + 65_536) * q) >> 16) + 63) + upperBit - lz + 1023
        if power2 <= 0 {
            if -power2 + 1 >= 64 { return 0 }
            mantissa >>= UInt64(-power2 + 1)
            mantissa += mantissa & 1
            mantissa >>= 1
            power2 = mantissa < (1 << 52) ? 0 : 1
            return Double(bitPattern: UInt64(power2) << 52 | mantissa)
        }
        if lo <= 1 && q >= -4 && q <= 23 && mantissa & 3 == 1 {
            // Exactly halfway in a range where 5^q is exact: round to even, not up.
            if mantissa << UInt64(upperBit + 9) == hi { mantissa &= ~UInt64(1) }
        }
        mantissa += mantissa & 1
        mantissa >>= 1
        if mantissa >= 2 << 52 {
            mantissa = 1 << 52
            power2 += 1
        }
        mantissa &= ~(UInt64(1) << 52)
        if power2 >= 0x7FF { return .infinity }
        return Double(bitPattern: UInt64(power2) << 52 | mantissa)
    }

    /// The correctly rounded libc conversion, for the few inputs the fast paths leave undecided.
    static func slowDouble(_ p: UnsafePointer<UInt8>, start: Int, end: Int) -> Double {
        let count = end - start
        var buffer = [CChar](repeating: 0, count: count + 1)
        for k in 0..<count { buffer[k] = CChar(bitPattern: p[start + k]) }
        return buffer.withUnsafeBufferPointer { chars in
            guard let base = chars.baseAddress else { return .nan }
            return strtod(base, nil)
        }
    }

    static func scanSpecial(
        _ p: UnsafePointer<UInt8>,
        from start: Int,
        signEnd: Int,
        to limit: Int,
        negative: Bool,
        grammar: Grammar
    ) -> CodecNumber? {
        func matches(_ word: StaticString, caseInsensitive: Bool) -> Bool {
            let count = word.utf8CodeUnitCount
            guard limit - signEnd >= count else { return false }
            let w = word.utf8Start
            for k in 0..<count {
                let a = p[signEnd + k]
                let b = w[k]
                if caseInsensitive ? (a | 0x20) != (b | 0x20) : a != b { return false }
            }
            return true
        }
        var value: Double
        var length: Int
        switch grammar {
        case .json:
            if matches("Infinity", caseInsensitive: false) {
                value = .infinity
                length = 8
            } else if !negative && matches("NaN", caseInsensitive: false) {
                value = .nan
                length = 3
            } else {
                return nil
            }
        case .csv:
            if matches("infinity", caseInsensitive: true) {
                value = .infinity
                length = 8
            } else if matches("inf", caseInsensitive: true) {
                value = .infinity
                length = 3
            } else if matches("nan", caseInsensitive: true) {
                value = .nan
                length = 3
            } else {
                return nil
            }
        }
        if negative { value = -value }
        return CodecNumber(kind: .fractional, double: value, integer: 0, integerFits: false, end: signEnd + length)
    }

    static let exactPowersOfTen: [Double] = [
        1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16,
        1e17, 1e18, 1e19, 1e20, 1e21, 1e22,
    ]
}

/// One scanned number: its text kind (as written) and its values.
struct CodecNumber {
    enum Kind: UInt8 {
        /// Digits only (`12`, `-3`): an integer as written.
        case integral
        /// Has a fraction or an exponent (`1.0`, `2e3`), or is `NaN`/`Infinity`.
        case fractional
    }

    var kind: Kind
    /// The correctly rounded double value of the text.
    var double: Double
    /// The exact value when `kind == .integral` and it fits `Int64`.
    var integer: Int64
    var integerFits: Bool
    /// Index just past the number.
    var end: Int
}
