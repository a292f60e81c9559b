/// The vectorized inner loops shared by the logistic and linear regression kernels.
///
/// Scores are `X · coefᵀ + intercept` for a contiguous row-major batch. Each input row is loaded
/// once per group of up to four classes (register blocking: four SIMD8 accumulators), so for the
/// common k ≤ 4 the input is streamed from memory exactly once. Transforms (sigmoid, softmax) run
/// on a block of scores while it is still in cache.
struct KernelCore<Scalar: KernelScalar>: Sendable {
    let weights: LinearModelWeights<Scalar>

    var outputCount: Int { weights.outputCount }
    var featureCount: Int { weights.featureCount }

    /// Scores for `rowCount` rows starting at `input`, written row-major (k per row) to `output`.
    func scores(_ input: UnsafePointer<Scalar>, rowCount: Int, into output: UnsafeMutablePointer<Scalar>) {
        let n = featureCount
        let k = outputCount
        weights.coefficients.withUnsafeBufferPointer { coefficientBuffer in
            weights.intercepts.withUnsafeBufferPointer { interceptBuffer in
                guard let w = coefficientBuffer.baseAddress, let b = interceptBuffer.baseAddress else { return }
                for row in 0..<rowCount {
                    let x = input + row * n
                    let out = output + row * k
                    var c = 0
                    while c + 4 <= k {
                        Self.dot4(x, w + c * n, n, out + c, b + c)
                        c += 4
                    }
                    switch k - c {
                    case 3: Self.dot3(x, w + c * n, n, out + c, b + c)
                    case 2: Self.dot2(x, w + c * n, n, out + c, b + c)
                    case 1: Self.dot1(x, w + c * n, n, out + c, b + c)
                    default: break
                    }
                }
            }
        }
    }

    @inline(__always)
    private static func load(_ pointer: UnsafePointer<Scalar>) -> SIMD8<Scalar> {
        UnsafeRawPointer(pointer).loadUnaligned(as: SIMD8<Scalar>.self)
    }

    @inline(__always)
    private static func dot4(
        _ x: UnsafePointer<Scalar>, _ w: UnsafePointer<Scalar>, _ n: Int,
        _ out: UnsafeMutablePointer<Scalar>, _ b: UnsafePointer<Scalar>
    ) {
        let w1 = w + n
        let w2 = w + 2 * n
        let w3 = w + 3 * n
        var a0 = SIMD8<Scalar>(), a1 = SIMD8<Scalar>(), a2 = SIMD8<Scalar>(), a3 = SIMD8<Scalar>()
        var j = 0
        while j + 8 <= n {
            let v = load(x + j)
            a0 += v * load(w + j)
            a1 += v * load(w1 + j)
            a2 += v * load(w2 + j)
            a3 += v * load(w3 + j)
            j += 8
        }
        var s0 = a0.sum(), s1 = a1.sum(), s2 = a2.sum(), s3 = a3.sum()
        while j < n {
            let v = x[j]
            s0 += v * w[j]
            s1 += v * w1[j]
            s2 += v * w2[j]
            s3 += v * w3[j]
            j += 1
        }
        out[0] = s0 + b[0]
        out[1] = s1 + b[1]
        out[2] = s2 + b[2]
        out[3] = s3 + b[3]
    }

    @inline(__always)
    private static func dot3(
        _ x: UnsafePointer<Scalar>, _ w: UnsafePointer<Scalar>, _ n: Int,
        _ out: UnsafeMutablePointer<Scalar>, _ b: UnsafePointer<Scalar>
    ) {
        let w1 = w + n
        let w2 = w + 2 * n
        var a0 = SIMD8<Scalar>(), a1 = SIMD8<Scalar>(), a2 = SIMD8<Scalar>()
        var j = 0
        while j + 8 <= n {
            let v = load(x + j)
            a0 += v * load(w + j)
            a1 += v * load(w1 + j)
            a2 += v * load(w2 + j)
            j += 8
        }
        var s0 = a0.sum(), s1 = a1.sum(), s2 = a2.sum()
        while j < n {
            let v = x[j]
            s0 += v * w[j]
            s1 += v * w1[j]
            s2 += v * w2[j]
            j += 1
        }
        out[0] = s0 + b[0]
        out[1] = s1 + b[1]
        out[2] = s2 + b[2]
    }

    @inline(__always)
    private static func dot2(
        _ x: UnsafePointer<Scalar>, _ w: UnsafePointer<Scalar>, _ n: Int,
        _ out: UnsafeMutablePointer<Scalar>, _ b: UnsafePointer<Scalar>
    ) {
        let w1 = w + n
        var a0 = SIMD8<Scalar>(), a1 = SIMD8<Scalar>()
        var j = 0
        while j + 8 <= n {
            let v = load(x + j)
            a0 += v * load(w + j)
            a1 += v * load(w1 + j)
            j += 8
        }
        var s0 = a0.sum(), s1 = a1.sum()
        while j < n {
            let v = x[j]
            s0 += v * w[j]
            s1 += v * w1[j]
            j += 1
        }
        out[0] = s0 + b[0]
        out[1] = s1 + b[1]
    }

    @inline(__always)
    private static func dot1(
        _ x: UnsafePointer<Scalar>, _ w: UnsafePointer<Scalar>, _ n: Int,
        _ out: UnsafeMutablePointer<Scalar>, _ b: UnsafePointer<Scalar>
    ) {
        var a0 = SIMD8<Scalar>()
        var j = 0
        while j + 8 <= n {
            a0 += load(x + j) * load(w + j)
            j += 8
        }
        var s0 = a0.sum()
        while j < n {
            s0 += x[j] * w[j]
            j += 1
        }
        out[0] = s0 + b[0]
    }

    // MARK: - Transforms (in place on a block of `count` values)

    /// e^v for every value, eight at a time.
    @inline(__always)
    static func exponentiate(_ values: UnsafeMutablePointer<Scalar>, count: Int) {
        var i = 0
        while i + 8 <= count {
            let v = UnsafeRawPointer(values + i).loadUnaligned(as: SIMD8<Scalar>.self)
            UnsafeMutableRawPointer(values + i).storeBytes(of: Scalar.kernelExp(v), as: SIMD8<Scalar>.self)
            i += 8
        }
        while i < count {
            values[i] = Scalar.kernelExp(values[i])
            i += 1
        }
    }

    /// `1 / (1 + e^-v)` for every value — scipy's `expit` formula, so extreme logits give exactly
    /// scikit-learn's 0 and 1 (e^750 = inf gives 0, never NaN).
    static func sigmoid(_ values: UnsafeMutablePointer<Scalar>, count: Int) {
        for i in 0..<count {
            values[i] = -values[i]
        }
        exponentiate(values, count: count)
        for i in 0..<count {
            values[i] = 1 / (1 + values[i])
        }
    }

    /// Row-wise softmax as scikit-learn's `softmax`: subtract the row max, exponentiate, divide by the sum.
    static func softmax(_ values: UnsafeMutablePointer<Scalar>, rowCount: Int, width: Int) {
        for row in 0..<rowCount {
            let base = values + row * width
            var maximum = base[0]
            for c in 1..<width where !maximum.isNaN {
                let v = base[c]
                if v.isNaN || v > maximum { maximum = v }
            }
            for c in 0..<width {
                base[c] -= maximum
            }
        }
        exponentiate(values, count: rowCount * width)
        for row in 0..<rowCount {
            let base = values + row * width
            var sum: Scalar = 0
            for c in 0..<width {
                sum += base[c]
            }
            for c in 0..<width {
                base[c] /= sum
            }
        }
    }

    /// One-vs-rest normalisation after `sigmoid`: divide by the row sum; an all-zero row is uniform.
    static func normalizeRows(_ values: UnsafeMutablePointer<Scalar>, rowCount: Int, width: Int) {
        for row in 0..<rowCount {
            let base = values + row * width
            var sum: Scalar = 0
            for c in 0..<width {
                sum += base[c]
            }
            if sum == 0 {
                for c in 0..<width {
                    base[c] = 1
                }
                sum = Scalar(width)
            }
            for c in 0..<width {
                base[c] /= sum
            }
        }
    }

    /// Index of the largest value per row; the first NaN wins, then the first maximum (numpy's argmax).
    static func argmax(_ values: UnsafePointer<Scalar>, rowCount: Int, width: Int, into output: UnsafeMutablePointer<Int>) {
        for row in 0..<rowCount {
            let base = values + row * width
            var best = 0
            if !base[0].isNaN {
                for c in 1..<width {
                    let v = base[c]
                    if v.isNaN {
                        best = c
                        break
                    }
                    if v > base[best] { best = c }
                }
            }
            output[row] = best
        }
    }
}
