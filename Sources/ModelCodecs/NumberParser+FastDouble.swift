import ModelBundle

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
    ///
    /// Written for few mispredicted branches (the sign, the length of each digit run and a leading
    /// `0.` vary from value to value): the sign is applied without a branch, and digits are read a
    /// word at a time, a run of up to eight per step (``digitRun(_:)``), instead of one by one.
    @inline(__always)
    static func fastDouble(_ p: UnsafePointer<UInt8>, _ start: Int, _ limit: Int) -> (value: Double, end: Int)? {
        guard start < limit else { return nil }
        let negative = p[start] == UInt8(ascii: "-")
        var i = start &+ (negative ? 1 : 0)
        let integerStart = i
        var w: UInt64 = 0
        readDigits(p, &i, limit, &w)
        let integerDigits = i &- integerStart
        // `-`, `.5`, `+1`, `inf` …, and `01` (JSON refuses it; CSV reads it on the general path).
        guard integerDigits > 0, integerDigits == 1 || p[integerStart] != UInt8(ascii: "0") else { return nil }
        var digits = integerDigits
        var exponent = 0
        var plainInteger = true
        if i < limit && p[i] == UInt8(ascii: ".") {
            plainInteger = false
            i &+= 1
            let fractionStart = i
            readDigits(p, &i, limit, &w)
            guard i > fractionStart else { return nil }  // `5.`
            digits &+= i &- fractionStart
            exponent = fractionStart &- i
        }
        if digits > 19 {
            // Leading zeros (`0.000123…`) are not significant; beyond 19 significant digits `w` may
            // have wrapped, and the general path recounts and rounds exactly.
            var k = integerStart
            var zeros = 0
            while k < i && (p[k] == UInt8(ascii: "0") || p[k] == UInt8(ascii: ".")) {
                if p[k] == UInt8(ascii: "0") { zeros &+= 1 }
                k &+= 1
            }
            guard digits &- zeros <= 19 else { return nil }
        }
        if i < limit && p[i] | 0x20 == UInt8(ascii: "e") {
            plainInteger = false
            i &+= 1
            var exponentNegative = false
            if i < limit && (p[i] == UInt8(ascii: "-") || p[i] == UInt8(ascii: "+")) {
                exponentNegative = p[i] == UInt8(ascii: "-")
                i &+= 1
            }
            let exponentStart = i
            var explicit = 0
            while i < limit {
                let d = p[i] &- 48
                if d > 9 { break }
                if explicit < 100_000 { explicit = explicit &* 10 &+ Int(d) }
                i &+= 1
            }
            guard i > exponentStart else { return nil }
            exponent &+= exponentNegative ? -explicit : explicit
        }
        if plainInteger && digits > 15 { return nil }
        let sign = UInt64(negative ? 1 : 0) << 63
        if w == 0 { return (Double(bitPattern: sign), i) }
        // Eisel-Lemire for every value, without Clinger's exact shortcut first: whether a mantissa fits
        // 53 bits varies from value to value (a mispredicted branch), and the shortcut's division is
        // slower than the 64×64-bit product; both give the correctly rounded double.
        guard let value = eiselLemire(w, exponent) else { return nil }
        return (Double(bitPattern: value.bitPattern | sign), i)
    }

    /// Accumulates the digits at `i` into `w` (wrapping; the caller bounds the digit count), moving `i`
    /// past them: a word at a time while eight bytes are readable, then byte by byte.
    @inline(__always)
    static func readDigits(_ p: UnsafePointer<UInt8>, _ i: inout Int, _ limit: Int, _ w: inout UInt64) {
        while limit &- i >= 8 {
            let (value, count) = digitRun(p + i)
            w = w &* powersOfTenInteger(count) &+ value
            i &+= count
            if count < 8 { return }
        }
        while i < limit {
            let d = p[i] &- 48
            if d > 9 { return }
            w = w &* 10 &+ UInt64(d)
            i &+= 1
        }
    }

    /// The run of ASCII digits (up to eight) at the start of the eight bytes at `p`: its value and
    /// length. One load, a mask of the non-digit bytes, and the SWAR conversion of fast_float's
    /// ``eightDigits(_:)`` on the run moved to the top of the word with `0` digits in front.
    @inline(__always)
    static func digitRun(_ p: UnsafePointer<UInt8>) -> (value: UInt64, count: Int) {
        let word = UnsafeRawPointer(p).loadUnaligned(as: UInt64.self).littleEndian
        // A byte is a digit when its high nibble is 3 and adding 6 keeps it 3 (0x30…0x39). A carry out
        // of a byte can only come from a non-digit byte and only spoils later bytes, which are past the run.
        let high = (word & 0xF0F0_F0F0_F0F0_F0F0) ^ 0x3030_3030_3030_3030
        let carry = ((word &+ 0x0606_0606_0606_0606) & 0xF0F0_F0F0_F0F0_F0F0) ^ 0x3030_3030_3030_3030
        let nonDigits = high | carry
        let count = nonDigits.trailingZeroBitCount >> 3  // 8 when all are digits
        // Little-endian: the first byte is the lowest. Shift the run to the top; '0's fill the bottom.
        let padded = (word << UInt64(64 &- 8 &* count)) | (0x3030_3030_3030_3030 >> UInt64(8 &* count))
        var v = padded &- 0x3030_3030_3030_3030
        v = (v &* 10) &+ (v >> 8)
        let mask: UInt64 = 0x0000_00FF_0000_00FF
        v = (((v & mask) &* 0x000F_4240_0000_0064) &+ (((v >> 16) & mask) &* 0x0000_2710_0000_0001)) >> 32
        return (v & 0xFFFF_FFFF, count)
    }

    /// 10^k as an integer for 0 ≤ k ≤ 8 (``digitRun(_:)`` never returns more than 8).
    @inline(__always)
    static func powersOfTenInteger(_ k: Int) -> UInt64 {
        integerPowersOfTen.withUnsafeBufferPointer { table in
            guard let base = table.baseAddress else { return 1 }
            return base[k]
        }
    }

    static let integerPowersOfTen: [UInt64] = [1, 10, 100, 1_000, 10_000, 100_000, 1_000_000, 10_000_000, 100_000_000]
}
