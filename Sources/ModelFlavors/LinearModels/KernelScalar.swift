import SystemPlatform

/// The element types the linear-model kernels run on: `Double` and `Float`.
///
/// The requirements are the two exponentials the kernels need; `Double` has a vectorized one
/// accurate to about one ulp, `Float` uses the C library's `expf` lane by lane.
public protocol KernelScalar: BinaryFloatingPoint, SIMDScalar, Codable, Sendable {
    /// e^x, with the C library's results for overflow (+inf), underflow (0 or subnormal) and NaN.
    static func kernelExp(_ x: Self) -> Self
    /// e^x for each lane, with the same edge-case behaviour as ``kernelExp(_:)-(Self)``.
    static func kernelExp(_ x: SIMD8<Self>) -> SIMD8<Self>
}

extension Float: KernelScalar {
    public static func kernelExp(_ x: Float) -> Float { expf(x) }

    public static func kernelExp(_ x: SIMD8<Float>) -> SIMD8<Float> {
        var result = x
        for lane in 0..<8 {
            result[lane] = expf(x[lane])
        }
        return result
    }
}

extension Double: KernelScalar {
    public static func kernelExp(_ x: Double) -> Double { exp(x) }

    /// Cody–Waite range reduction `x = k·ln2 + r`, |r| ≤ ln2/2, a degree-13 Taylor polynomial for
    /// e^r (truncation error below 5e-18 relative) and scaling by 2^k through the exponent bits.
    /// Lanes whose result would overflow or be subnormal (and NaN) take the C library's `exp`, so
    /// edge cases match numpy exactly; those lanes are rare in practice. Each lane's result depends on
    /// that lane alone: the other lanes of a vector with an out-of-range lane still use the polynomial.
    public static func kernelExp(_ x: SIMD8<Double>) -> SIMD8<Double> {
        let inRange = (x .>= -708.0) .& (x .<= 709.0)
        guard all(inRange) else {
            var result = polynomialExp(x.replacing(with: 0, where: .!inRange))
            for lane in 0..<8 where !inRange[lane] {
                result[lane] = exp(x[lane])
            }
            return result
        }
        return polynomialExp(x)
    }

    /// The vector path of ``kernelExp(_:)-(SIMD8<Double>)`` for lanes in [-708, 709].
    @inline(__always)
    private static func polynomialExp(_ x: SIMD8<Double>) -> SIMD8<Double> {
        // Adding 1.5·2^52 rounds x/ln2 to the nearest integer and leaves that integer in the low
        // mantissa bits (the classic "shifter" trick; valid because |x/ln2| < 2^51).
        let shifter = SIMD8<Double>(repeating: 0x1.8p52)
        let shifted = x * 1.4426950408889634 + shifter
        let k = shifted - shifter
        // ln2 split in a high part with trailing zero bits (k·ln2Hi is exact) and a low part.
        let r = (x - k * 6.93147180369123816490e-01) - k * 1.90821492927058770002e-10
        var p = SIMD8<Double>(repeating: 1.0 / 6227020800.0)  // 1/13!
        p = p * r + 1.0 / 479001600.0
        p = p * r + 1.0 / 39916800.0
        p = p * r + 1.0 / 3628800.0
        p = p * r + 1.0 / 362880.0
        p = p * r + 1.0 / 40320.0
        p = p * r + 1.0 / 5040.0
        p = p * r + 1.0 / 720.0
        p = p * r + 1.0 / 120.0
        p = p * r + 1.0 / 24.0
        p = p * r + 1.0 / 6.0
        p = p * r + 0.5
        p = p * r + 1.0
        p = p * r + 1.0
        let kBits = unsafeBitCast(shifted, to: SIMD8<Int64>.self) &- unsafeBitCast(shifter, to: SIMD8<Int64>.self)
        let scale = unsafeBitCast((kBits &+ 1023) &<< 52, to: SIMD8<Double>.self)
        return p * scale
    }
}
