/// The vectorized inner loops shared by the logistic and linear regression kernels.
///
/// Scores are `X · coefᵀ + intercept` for a contiguous row-major batch. Each input row is read from
/// memory once: the classes are register-blocked four at a time over 4-lane chunks of the row, and the
/// coefficients are kept repacked as 16-byte-aligned `SIMD4` chunks so that, on the x86-64 baseline
/// (SSE2, no FMA), every weight load folds into its multiply as a memory operand.
///
/// Summation order, fixed for every path and every row position: lane-wise partial sums over the
/// 4-lane chunks, reduced as `(a0 + a2) + (a1 + a3)`, then the remaining `n mod 4` features in order,
/// then the intercept. A row's result therefore never depends on its neighbours or the batch size.
///
/// Softmax runs on groups of ``groupRows`` rows transposed so that each SIMD lane is one row: the row
/// maximum, exponentials, sums and divisions are then vector operations, with no per-row horizontal
/// work, while the group's scores are still in L1.
///
/// These Swift loops are the portable path. On processors with AVX2 and FMA, ``native`` holds the weights
/// repacked for the C kernels of `CLinearKernels`, which ``KernelDriver`` then runs instead (same layout of
/// work, with FMA, 4-wide double vectors and a fused transform; see linear_kernels.c). Both paths keep the
/// same guarantees: a row's result depends on that row alone, and the same references hold for both.
struct KernelCore<Scalar: KernelScalar>: Sendable {
    let weights: LinearModelWeights<Scalar>
    /// `coef` rows cut into 4-lane chunks: chunk q of class c at `chunks[c * chunksPerRow + q]`.
    /// Features past the last whole chunk are read from `weights.coefficients`.
    private let chunks: Chunks

    /// `SIMD4` of `Float` or `Double` is plain immutable data; the compiler cannot see through the
    /// generic storage associated type to prove it.
    private struct Chunks: @unchecked Sendable {
        let values: [SIMD4<Scalar>]
    }
    private let chunksPerRow: Int

    /// The weights repacked for the AVX2/FMA C kernels, when those run this model (see ``NativeWeights``);
    /// `nil` selects the Swift loops below.
    let native: NativeWeights<Scalar>?

    /// Rows per transposed softmax group: one `SIMD8` lane per row.
    static var groupRows: Int { 8 }

    init(weights: LinearModelWeights<Scalar>, implementation: KernelImplementation = .automatic) {
        self.weights = weights
        self.native = NativeWeights(weights, implementation: implementation)
        let n = weights.featureCount
        let perRow = n / 4
        var chunks: [SIMD4<Scalar>] = []
        chunks.reserveCapacity(weights.outputCount * perRow + 1)
        for c in 0..<weights.outputCount {
            for q in 0..<perRow {
                let base = c * n + q * 4
                let coefficients = weights.coefficients
                chunks.append(
                    SIMD4(coefficients[base], coefficients[base + 1], coefficients[base + 2], coefficients[base + 3])
                )
            }
        }
        // Never empty (n < 4 leaves no whole chunk), so the buffer always has a base address; never read.
        chunks.append(SIMD4())
        self.chunks = Chunks(values: chunks)
        self.chunksPerRow = perRow
    }

    var outputCount: Int { weights.outputCount }
    var featureCount: Int { weights.featureCount }

    /// Scores for `rowCount` rows starting at `input`, written row-major (k per row) to `output`.
    func scores(_ input: UnsafePointer<Scalar>, rowCount: Int, into output: UnsafeMutablePointer<Scalar>) {
        scores(input, rowCount: rowCount, into: output, rowStride: outputCount, classStride: 1)
    }

    /// Scores for `rowCount` rows; class c of row r goes to `output[r * rowStride + c * classStride]`.
    func scores(
        _ input: UnsafePointer<Scalar>,
        rowCount: Int,
        into output: UnsafeMutablePointer<Scalar>,
        rowStride: Int,
        classStride: Int
    ) {
        withDots(classStride: classStride) { dots in
            dots.rows(input, rowCount: rowCount, into: output, rowStride: rowStride)
        }
    }

    /// Runs `body` with the weights' base addresses pinned once, outside any per-row or per-group loop.
    @inline(__always)
    private func withDots(classStride: Int, _ body: (RowDots<Scalar>) -> Void) {
        chunks.values.withUnsafeBufferPointer { chunkBuffer in
            weights.coefficients.withUnsafeBufferPointer { coefficientBuffer in
                weights.intercepts.withUnsafeBufferPointer { interceptBuffer in
                    guard let w = chunkBuffer.baseAddress, let coefficients = coefficientBuffer.baseAddress,
                        let b = interceptBuffer.baseAddress
                    else { return }
                    body(
                        RowDots(
                            chunks: w,
                            coefficients: coefficients,
                            intercepts: b,
                            chunksPerRow: chunksPerRow,
                            features: featureCount,
                            classes: outputCount,
                            classStride: classStride
                        )
                    )
                }
            }
        }
    }

    // MARK: - Transforms

    /// Softmax probabilities for `rowCount` rows, row-major into `output` (k per row), as scikit-learn's
    /// `softmax`: subtract the row maximum, exponentiate, divide by the row sum.
    /// `scratch` holds at least `groupRows × k` values.
    func softmaxProbabilities(
        _ input: UnsafePointer<Scalar>,
        rowCount: Int,
        into output: UnsafeMutablePointer<Scalar>,
        scratch: UnsafeMutablePointer<Scalar>
    ) {
        let n = featureCount
        let k = outputCount
        let group = Self.groupRows
        // Transposed: class c of the group's row r at scratch[c * group + r].
        withDots(classStride: group) { dots in
            var row = 0
            while row < rowCount {
                let count = min(group, rowCount - row)
                dots.rows(input + row * n, rowCount: count, into: scratch, rowStride: 1)
                if count < group {
                    // Padding lanes: finite scores keep the vector code free of spurious NaN; never written out.
                    for c in 0..<k {
                        (scratch + c * group + count).initialize(repeating: 0, count: group - count)
                    }
                }
                Self.softmaxGroup(scratch, width: k, into: output + row * k, rowCount: count)
                row += count
            }
        }
    }

    @inline(__always)
    private static func load8(_ pointer: UnsafePointer<Scalar>) -> SIMD8<Scalar> {
        UnsafeRawPointer(pointer).loadUnaligned(as: SIMD8<Scalar>.self)
    }

    @inline(__always)
    private static func store8(_ value: SIMD8<Scalar>, _ pointer: UnsafeMutablePointer<Scalar>) {
        UnsafeMutableRawPointer(pointer).storeBytes(of: value, as: SIMD8<Scalar>.self)
    }

    /// One transposed group: lane r of `scores + c * 8` is class c of row r. Writes `rowCount` rows of
    /// probabilities row-major to `output`. A row with a NaN score comes out all NaN, as scikit-learn's:
    /// the NaN reaches the row sum whichever value the maximum took.
    @inline(__always)
    private static func softmaxGroup(
        _ scores: UnsafeMutablePointer<Scalar>,
        width k: Int,
        into output: UnsafeMutablePointer<Scalar>,
        rowCount: Int
    ) {
        var maximum = load8(scores)
        for c in 1..<k {
            maximum = laneMaximum(maximum, load8(scores + c * 8))
        }
        var sum = SIMD8<Scalar>()
        for c in 0..<k {
            let e = Scalar.kernelExp(load8(scores + c * 8) - maximum)
            store8(e, scores + c * 8)
            sum += e
        }
        for c in 0..<k {
            let p = load8(scores + c * 8) / sum
            let out = output + c
            if rowCount == 8 {
                // Constant trip count: unrolled to one lane store per row, no spill of `p`.
                for lane in 0..<8 {
                    out[lane * k] = p[lane]
                }
            } else {
                for lane in 0..<rowCount {
                    out[lane * k] = p[lane]
                }
            }
        }
    }

    /// Lane-wise `b > a ? b : a` (NaN lanes of `b` never taken).
    ///
    /// The standard library's vector comparisons are lane-by-lane loops through the stack when called
    /// from generic code, even once specialized; its concrete `Double` and `Float` overloads are single
    /// compare instructions, so the hot types are routed to them and blended with bit masks.
    @inline(__always)
    private static func laneMaximum(_ a: SIMD8<Scalar>, _ b: SIMD8<Scalar>) -> SIMD8<Scalar> {
        if Scalar.self == Double.self {
            let x = unsafeBitCast(a, to: SIMD8<Double>.self)
            let y = unsafeBitCast(b, to: SIMD8<Double>.self)
            let take = unsafeBitCast(y .> x, to: SIMD8<Int64>.self)
            let bits =
                (unsafeBitCast(y, to: SIMD8<Int64>.self) & take) | (unsafeBitCast(x, to: SIMD8<Int64>.self) & ~take)
            return unsafeBitCast(bits, to: SIMD8<Scalar>.self)
        }
        if Scalar.self == Float.self {
            let x = unsafeBitCast(a, to: SIMD8<Float>.self)
            let y = unsafeBitCast(b, to: SIMD8<Float>.self)
            let take = unsafeBitCast(y .> x, to: SIMD8<Int32>.self)
            let bits =
                (unsafeBitCast(y, to: SIMD8<Int32>.self) & take) | (unsafeBitCast(x, to: SIMD8<Int32>.self) & ~take)
            return unsafeBitCast(bits, to: SIMD8<Scalar>.self)
        }
        return a.replacing(with: b, where: b .> a)
    }

    /// e^v for every value, eight at a time; the last partial group is padded so every value goes
    /// through the same vector code whatever its position.
    @inline(__always)
    static func exponentiate(_ values: UnsafeMutablePointer<Scalar>, count: Int) {
        var i = 0
        while i + 8 <= count {
            store8(Scalar.kernelExp(load8(values + i)), values + i)
            i += 8
        }
        if i < count {
            var lanes = SIMD8<Scalar>()
            for lane in 0..<(count - i) {
                lanes[lane] = values[i + lane]
            }
            let result = Scalar.kernelExp(lanes)
            for lane in 0..<(count - i) {
                values[i + lane] = result[lane]
            }
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
    static func argmax(
        _ values: UnsafePointer<Scalar>,
        rowCount: Int,
        width: Int,
        into output: UnsafeMutablePointer<Int>
    ) {
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

/// Dot products of one row with up to four classes at once (register blocking: with `SIMD4`
/// accumulators, four classes fit the sixteen SSE registers next to the row chunk).
private struct RowDots<Scalar: KernelScalar> {
    /// Class c's chunks at `chunks + c * chunksPerRow`.
    let chunks: UnsafePointer<SIMD4<Scalar>>
    /// Row-major [k, n] coefficients, for the features past the last whole chunk.
    let coefficients: UnsafePointer<Scalar>
    let intercepts: UnsafePointer<Scalar>
    /// Whole 4-lane chunks per row.
    let chunksPerRow: Int
    let features: Int
    let classes: Int
    let classStride: Int

    /// Scores for `rowCount` rows; class c of row r at `output[r * rowStride + c * classStride]`.
    @inline(__always)
    func rows(_ input: UnsafePointer<Scalar>, rowCount: Int, into output: UnsafeMutablePointer<Scalar>, rowStride: Int)
    {
        let n = features
        let k = classes
        for row in 0..<rowCount {
            let x = input + row * n
            let out = output + row * rowStride
            var c = 0
            while c + 4 <= k {
                dot4(x, chunks + c * chunksPerRow, coefficients + c * n, intercepts + c, out + c * classStride)
                c += 4
            }
            switch k - c {
            case 3: dot3(x, chunks + c * chunksPerRow, coefficients + c * n, intercepts + c, out + c * classStride)
            case 2: dot2(x, chunks + c * chunksPerRow, coefficients + c * n, intercepts + c, out + c * classStride)
            case 1: dot1(x, chunks + c * chunksPerRow, coefficients + c * n, intercepts + c, out + c * classStride)
            default: break
            }
        }
    }

    @inline(__always)
    private func load(_ pointer: UnsafePointer<Scalar>) -> SIMD4<Scalar> {
        UnsafeRawPointer(pointer).loadUnaligned(as: SIMD4<Scalar>.self)
    }

    /// `(a0 + a2) + (a1 + a3)`, then the features past the last chunk in order, then the intercept.
    @inline(__always)
    private func finish(_ a: SIMD4<Scalar>, _ x: UnsafePointer<Scalar>, _ w: UnsafePointer<Scalar>, _ b: Scalar)
        -> Scalar
    {
        let half = a.lowHalf + a.highHalf
        var s = half[0] + half[1]
        var j = chunksPerRow * 4
        while j < features {
            s += x[j] * w[j]
            j += 1
        }
        return s + b
    }

    /// `w`: the classes' chunks (class stride `chunksPerRow`); `coef`: their full rows (stride `features`).
    @inline(__always)
    func dot4(
        _ x: UnsafePointer<Scalar>,
        _ w: UnsafePointer<SIMD4<Scalar>>,
        _ coef: UnsafePointer<Scalar>,
        _ b: UnsafePointer<Scalar>,
        _ out: UnsafeMutablePointer<Scalar>
    ) {
        let w1 = w + chunksPerRow
        let w2 = w1 + chunksPerRow
        let w3 = w2 + chunksPerRow
        var a0 = SIMD4<Scalar>()
        var a1 = SIMD4<Scalar>()
        var a2 = SIMD4<Scalar>()
        var a3 = SIMD4<Scalar>()
        for q in 0..<chunksPerRow {
            let v = load(x + 4 * q)
            a0 += v * w[q]
            a1 += v * w1[q]
            a2 += v * w2[q]
            a3 += v * w3[q]
        }
        out[0] = finish(a0, x, coef, b[0])
        out[classStride] = finish(a1, x, coef + features, b[1])
        out[2 * classStride] = finish(a2, x, coef + 2 * features, b[2])
        out[3 * classStride] = finish(a3, x, coef + 3 * features, b[3])
    }

    @inline(__always)
    func dot3(
        _ x: UnsafePointer<Scalar>,
        _ w: UnsafePointer<SIMD4<Scalar>>,
        _ coef: UnsafePointer<Scalar>,
        _ b: UnsafePointer<Scalar>,
        _ out: UnsafeMutablePointer<Scalar>
    ) {
        let w1 = w + chunksPerRow
        let w2 = w1 + chunksPerRow
        var a0 = SIMD4<Scalar>()
        var a1 = SIMD4<Scalar>()
        var a2 = SIMD4<Scalar>()
        for q in 0..<chunksPerRow {
            let v = load(x + 4 * q)
            a0 += v * w[q]
            a1 += v * w1[q]
            a2 += v * w2[q]
        }
        out[0] = finish(a0, x, coef, b[0])
        out[classStride] = finish(a1, x, coef + features, b[1])
        out[2 * classStride] = finish(a2, x, coef + 2 * features, b[2])
    }

    @inline(__always)
    func dot2(
        _ x: UnsafePointer<Scalar>,
        _ w: UnsafePointer<SIMD4<Scalar>>,
        _ coef: UnsafePointer<Scalar>,
        _ b: UnsafePointer<Scalar>,
        _ out: UnsafeMutablePointer<Scalar>
    ) {
        let w1 = w + chunksPerRow
        var a0 = SIMD4<Scalar>()
        var a1 = SIMD4<Scalar>()
        for q in 0..<chunksPerRow {
            let v = load(x + 4 * q)
            a0 += v * w[q]
            a1 += v * w1[q]
        }
        out[0] = finish(a0, x, coef, b[0])
        out[classStride] = finish(a1, x, coef + features, b[1])
    }

    @inline(__always)
    func dot1(
        _ x: UnsafePointer<Scalar>,
        _ w: UnsafePointer<SIMD4<Scalar>>,
        _ coef: UnsafePointer<Scalar>,
        _ b: UnsafePointer<Scalar>,
        _ out: UnsafeMutablePointer<Scalar>
    ) {
        var a0 = SIMD4<Scalar>()
        for q in 0..<chunksPerRow {
            a0 += load(x + 4 * q) * w[q]
        }
        out[0] = finish(a0, x, coef, b[0])
    }
}
