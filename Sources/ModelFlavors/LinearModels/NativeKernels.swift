import CLinearKernels

/// Which implementation runs a kernel's hot loops.
///
/// Production code always uses ``automatic``; tests build kernels with ``portable`` as well, so the Swift
/// path stays covered on machines where the C kernels would otherwise always be chosen.
enum KernelImplementation: Sendable, CaseIterable {
    /// The AVX2/FMA C kernels (CLinearKernels) when the processor has them, else the Swift kernels.
    case automatic
    /// The Swift kernels, whatever the processor.
    case portable
}

/// The run-time choice of the C kernels and their entry points.
enum NativeKernels {
    /// Whether this processor runs the AVX2/FMA kernels; asked once (an immutable, lazily set global).
    static let available: Bool = mb_linear_kernels_have_avx2_fma() != 0

    /// Elements per vector in the C kernels: rows per group, and the padding unit of `stride`.
    static func lanes<Scalar: KernelScalar>(_: Scalar.Type) -> Int {
        Scalar.self == Float.self ? 8 : 4
    }
}

/// A model's weights repacked for the C kernels: class c's coefficients at `packed[c * stride...]`,
/// followed by zeros up to `stride` (the feature count rounded up to a whole vector), so the last partial
/// chunk of a row multiplies its masked-off lanes by zero.
struct NativeWeights<Scalar: KernelScalar>: Sendable {
    let packed: [Scalar]
    let stride: Int

    /// `nil` when the C kernels do not apply: not chosen, not available, or a type they do not cover.
    init?(_ weights: LinearModelWeights<Scalar>, implementation: KernelImplementation) {
        guard implementation == .automatic, NativeKernels.available,
            Scalar.self == Double.self || Scalar.self == Float.self
        else { return nil }
        let lanes = NativeKernels.lanes(Scalar.self)
        let n = weights.featureCount
        // n and k come from an existing [k × n] array, so k × stride (< k × (n + lanes)) cannot overflow
        // for any array that fits in memory.
        let stride = (n + lanes - 1) / lanes * lanes
        var packed = [Scalar](repeating: 0, count: weights.outputCount * stride)
        for c in 0..<weights.outputCount {
            for j in 0..<n {
                packed[c * stride + j] = weights.coefficients[c * n + j]
            }
        }
        self.packed = packed
        self.stride = stride
    }

    /// Scratch values the C kernels need: a block of transposed groups of scores (two vectors a group at
    /// least: the binary probabilities `[1 - p, p]`).
    static func scratchCount(classes: Int) -> Int {
        Int(MB_LK_SCRATCH_PER_CLASS) * max(classes, 2)
    }

    /// Runs `operation` (an `MB_LK_*` value) on `rowCount` rows. `scratch` holds ``scratchCount(classes:)``.
    func run(
        _ operation: Int32,
        _ weights: LinearModelWeights<Scalar>,
        _ input: UnsafePointer<Scalar>,
        rowCount: Int,
        into output: UnsafeMutablePointer<Scalar>,
        scratch: UnsafeMutablePointer<Scalar>
    ) {
        _ = withModel(weights) { w, b in
            // The casts only restate the type the checks below establish: Scalar is Double or Float.
            if Scalar.self == Double.self {
                var model = Self.model(weights, w, b, stride)
                mb_lk_run_f64(
                    operation,
                    &model,
                    Self.rebound(input, Double.self),
                    rowCount,
                    Self.rebound(output, Double.self),
                    Self.rebound(scratch, Double.self)
                )
            } else if Scalar.self == Float.self {
                var model = mb_lk_model_f32(
                    weights: Self.rebound(w, Float.self),
                    intercepts: Self.rebound(b, Float.self),
                    features: weights.featureCount,
                    stride: stride,
                    classes: weights.outputCount
                )
                mb_lk_run_f32(
                    operation,
                    &model,
                    Self.rebound(input, Float.self),
                    rowCount,
                    Self.rebound(output, Float.self),
                    Self.rebound(scratch, Float.self)
                )
            }
        }
    }

    /// ``run(_:_:_:rowCount:into:scratch:)`` for rows `rows` of float64 columns read where they lie,
    /// with the same bits in every result; `output` receives row `rows.lowerBound` first, row-major
    /// when `columnStride` is 0, else column-major (result c of row `rows.lowerBound + r` at
    /// `output[c * columnStride + r]`). Returns whether any value read is NaN or ±infinity. Only a
    /// float64 model reads columns so, one column per feature (``KernelDriver`` and
    /// ``NativeLinearRows`` see to both).
    func runColumns(
        _ operation: Int32,
        _ weights: LinearModelWeights<Scalar>,
        _ columns: [UnsafePointer<Double>?],
        rows: Range<Int>,
        into output: UnsafeMutablePointer<Scalar>,
        columnStride: Int,
        scratch: UnsafeMutablePointer<Scalar>
    ) -> Bool {
        precondition(Scalar.self == Double.self && columns.count == weights.featureCount, "checked by the callers")
        return withModel(weights) { w, b in
            var model = Self.model(weights, w, b, stride)
            return columns.withUnsafeBufferPointer { pointers in
                mb_lk_run_columns_f64(
                    operation,
                    &model,
                    pointers.baseAddress,
                    rows.lowerBound,
                    rows.count,
                    Self.rebound(output, Double.self),
                    columnStride,
                    Self.rebound(scratch, Double.self)
                ) != 0
            }
        } ?? false
    }

    /// Calls `body` with the packed weights and the intercepts in place (`nil` without storage).
    private func withModel<R>(
        _ weights: LinearModelWeights<Scalar>,
        _ body: (UnsafePointer<Scalar>, UnsafePointer<Scalar>) -> R
    ) -> R? {
        packed.withUnsafeBufferPointer { packedBuffer in
            weights.intercepts.withUnsafeBufferPointer { interceptBuffer in
                guard let w = packedBuffer.baseAddress, let b = interceptBuffer.baseAddress else { return nil }
                return body(w, b)
            }
        }
    }

    /// The C kernels' description of a float64 model (`Scalar` is `Double`).
    private static func model(
        _ weights: LinearModelWeights<Scalar>,
        _ w: UnsafePointer<Scalar>,
        _ b: UnsafePointer<Scalar>,
        _ stride: Int
    ) -> mb_lk_model_f64 {
        mb_lk_model_f64(
            weights: rebound(w, Double.self),
            intercepts: rebound(b, Double.self),
            features: weights.featureCount,
            stride: stride,
            classes: weights.outputCount
        )
    }

    @inline(__always)
    private static func rebound<T>(_ pointer: UnsafePointer<Scalar>, _: T.Type) -> UnsafePointer<T> {
        UnsafeRawPointer(pointer).assumingMemoryBound(to: T.self)
    }

    @inline(__always)
    private static func rebound<T>(_ pointer: UnsafeMutablePointer<Scalar>, _: T.Type) -> UnsafeMutablePointer<T> {
        UnsafeMutableRawPointer(pointer).assumingMemoryBound(to: T.self)
    }
}
