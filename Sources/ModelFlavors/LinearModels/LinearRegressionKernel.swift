package import ModelBundle

/// Batch prediction for a linear regression with one or more targets: `X · coefᵀ + intercept`,
/// matching scikit-learn's `LinearRegression.predict` on the same coefficients.
///
/// Immutable and `Sendable`; batches of 32k rows or more are split across cores.
package struct LinearRegressionKernel<Scalar: KernelScalar>: Sendable {
    /// The coefficients, one row per target.
    public let weights: LinearModelWeights<Scalar>
    let core: KernelCore<Scalar>

    public init(weights: LinearModelWeights<Scalar>) {
        self.init(weights: weights, implementation: .automatic)
    }

    /// Tests choose the implementation to cover both the C and the Swift kernels.
    init(weights: LinearModelWeights<Scalar>, implementation: KernelImplementation) {
        self.weights = weights
        self.core = KernelCore(weights: weights, implementation: implementation)
    }

    /// Number of features per row (n).
    public var featureCount: Int { weights.featureCount }
    /// Number of targets per row (k).
    public var targetCount: Int { weights.outputCount }

    /// Predictions, ``targetCount`` values per row.
    public func predict(
        _ rows: UnsafeBufferPointer<Scalar>,
        into output: UnsafeMutableBufferPointer<Scalar>
    ) throws(ModelBundleError) {
        let rowCount = try KernelBatchCheck.rowCount(inputCount: rows.count, featureCount: featureCount)
        try KernelBatchCheck.output(count: output.count, rowCount: rowCount, width: targetCount)
        guard rowCount > 0, let out = output.baseAddress else { return }
        KernelDriver.run(
            core,
            .scores,
            KernelBatch(input: .buffer(rows), output: out, indices: nil, rowCount: rowCount)
        )
    }

    /// Array convenience for ``predict(_:into:)``.
    public func predict(_ rows: [Scalar]) throws(ModelBundleError) -> [Scalar] {
        let rowCount = try KernelBatchCheck.rowCount(inputCount: rows.count, featureCount: featureCount)
        var result = [Scalar](repeating: 0, count: rowCount * targetCount)
        try rows.withUnsafeBufferPointer { (input) throws(ModelBundleError) in
            try result.withUnsafeMutableBufferPointer { (output) throws(ModelBundleError) in
                try predict(input, into: output)
            }
        }
        return result
    }

    /// ``predict(_:into:)`` of `rowCount` rows as `rows` gives them, into a new array.
    func predict(_ rows: KernelRows<Scalar>, rowCount: Int) -> [Scalar] {
        KernelDriver.collect(core, .scores, rows, rowCount: rowCount, width: targetCount)
    }
}
