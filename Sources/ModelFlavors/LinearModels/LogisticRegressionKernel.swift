public import ModelBundle

/// Batch prediction for a logistic regression: decision function, class probabilities and class
/// indices, matching scikit-learn's `LogisticRegression` on the same coefficients.
///
/// Inputs are contiguous row-major batches (`rowCount × featureCount`). Immutable and `Sendable`:
/// one kernel can serve concurrent requests. Batches of 32k rows or more are split across cores.
public struct LogisticRegressionKernel<Scalar: KernelScalar>: Sendable {
    /// The coefficients: 1 row for ``MultiClassStrategy/binary``, one per class otherwise.
    public let weights: LinearModelWeights<Scalar>
    /// How scores become probabilities.
    public let strategy: MultiClassStrategy
    let core: KernelCore<Scalar>

    /// - Throws: `weightsInvalid` when the row count does not fit the strategy (binary needs exactly
    ///   1 row, multinomial and one-vs-rest at least 2).
    public init(weights: LinearModelWeights<Scalar>, strategy: MultiClassStrategy) throws(ModelBundleError) {
        try self.init(weights: weights, strategy: strategy, implementation: .automatic)
    }

    /// Tests choose the implementation to cover both the C and the Swift kernels.
    init(
        weights: LinearModelWeights<Scalar>,
        strategy: MultiClassStrategy,
        implementation: KernelImplementation
    ) throws(ModelBundleError) {
        switch strategy {
        case .binary where weights.outputCount != 1:
            throw ModelBundleError(
                .weightsInvalid,
                "a binary logistic regression has 1 row of coef, not \(weights.outputCount)",
                item: "coef"
            )
        case .multinomial where weights.outputCount < 2, .ovr where weights.outputCount < 2:
            throw ModelBundleError(
                .weightsInvalid,
                "a \(strategy.rawValue) logistic regression needs one coef row per class (at least 2); use binary for 1",
                item: "coef"
            )
        default:
            break
        }
        self.weights = weights
        self.strategy = strategy
        self.core = KernelCore(weights: weights, implementation: implementation)
    }

    /// Number of features per row (n).
    public var featureCount: Int { weights.featureCount }
    /// Number of classes: 2 for binary, k otherwise.
    public var classCount: Int { strategy == .binary ? 2 : weights.outputCount }
    /// Values per row of ``decisionFunction(_:into:)``: 1 for binary, k otherwise (as scikit-learn).
    public var decisionWidth: Int { weights.outputCount }

    /// `X · coefᵀ + intercept`, ``decisionWidth`` values per row.
    public func decisionFunction(
        _ rows: UnsafeBufferPointer<Scalar>,
        into output: UnsafeMutableBufferPointer<Scalar>
    ) throws(ModelBundleError) {
        try run(.scores, rows, output, width: decisionWidth)
    }

    /// Class probabilities, ``classCount`` values per row, each row summing to 1.
    public func predictProbabilities(
        _ rows: UnsafeBufferPointer<Scalar>,
        into output: UnsafeMutableBufferPointer<Scalar>
    ) throws(ModelBundleError) {
        try run(probabilityOperation, rows, output, width: classCount)
    }

    var probabilityOperation: KernelOperation {
        switch strategy {
        case .binary: .binaryProbability
        case .multinomial: .softmaxProbability
        case .ovr: .ovrProbability
        }
    }

    /// The index (into the model's classes) of the predicted class for each row: score > 0 for
    /// binary, otherwise the first largest score.
    public func predictClassIndices(
        _ rows: UnsafeBufferPointer<Scalar>,
        into output: UnsafeMutableBufferPointer<Int>
    ) throws(ModelBundleError) {
        let rowCount = try KernelBatchCheck.rowCount(inputCount: rows.count, featureCount: featureCount)
        try KernelBatchCheck.output(count: output.count, rowCount: rowCount, width: 1)
        guard rowCount > 0, let indices = output.baseAddress else { return }
        KernelDriver.run(
            core,
            .classIndex(binary: strategy == .binary),
            KernelBatch(input: .buffer(rows), output: nil, indices: indices, rowCount: rowCount)
        )
    }

    /// Array convenience for ``decisionFunction(_:into:)``.
    public func decisionFunction(_ rows: [Scalar]) throws(ModelBundleError) -> [Scalar] {
        try collect(rows, width: decisionWidth) { (input, output) throws(ModelBundleError) in
            try decisionFunction(input, into: output)
        }
    }

    /// Array convenience for ``predictProbabilities(_:into:)``.
    public func predictProbabilities(_ rows: [Scalar]) throws(ModelBundleError) -> [Scalar] {
        try collect(rows, width: classCount) { (input, output) throws(ModelBundleError) in
            try predictProbabilities(input, into: output)
        }
    }

    /// Array convenience for ``predictClassIndices(_:into:)``.
    public func predictClassIndices(_ rows: [Scalar]) throws(ModelBundleError) -> [Int] {
        let rowCount = try KernelBatchCheck.rowCount(inputCount: rows.count, featureCount: featureCount)
        var result = [Int](repeating: 0, count: rowCount)
        try rows.withUnsafeBufferPointer { (input) throws(ModelBundleError) in
            try result.withUnsafeMutableBufferPointer { (output) throws(ModelBundleError) in
                try predictClassIndices(input, into: output)
            }
        }
        return result
    }

    private func run(
        _ operation: KernelOperation,
        _ rows: UnsafeBufferPointer<Scalar>,
        _ output: UnsafeMutableBufferPointer<Scalar>,
        width: Int
    ) throws(ModelBundleError) {
        let rowCount = try KernelBatchCheck.rowCount(inputCount: rows.count, featureCount: featureCount)
        try KernelBatchCheck.output(count: output.count, rowCount: rowCount, width: width)
        guard rowCount > 0, let out = output.baseAddress else { return }
        KernelDriver.run(
            core,
            operation,
            KernelBatch(input: .buffer(rows), output: out, indices: nil, rowCount: rowCount)
        )
    }

    private func collect(
        _ rows: [Scalar],
        width: Int,
        _ body: (UnsafeBufferPointer<Scalar>, UnsafeMutableBufferPointer<Scalar>) throws(ModelBundleError) -> Void
    ) throws(ModelBundleError) -> [Scalar] {
        let rowCount = try KernelBatchCheck.rowCount(inputCount: rows.count, featureCount: featureCount)
        var result = [Scalar](repeating: 0, count: rowCount * width)
        try rows.withUnsafeBufferPointer { (input) throws(ModelBundleError) in
            try result.withUnsafeMutableBufferPointer { (output) throws(ModelBundleError) in
                try body(input, output)
            }
        }
        return result
    }

    // MARK: - Rows of an enforced request

    /// ``decisionFunction(_:into:)`` of `rowCount` rows as `rows` gives them, into a new array.
    func decisionFunction(_ rows: KernelRows<Scalar>, rowCount: Int) -> [Scalar] {
        KernelDriver.collect(core, .scores, rows, rowCount: rowCount, width: decisionWidth)
    }

    /// ``predictProbabilities(_:into:)`` of `rowCount` rows as `rows` gives them, into a new array.
    func predictProbabilities(_ rows: KernelRows<Scalar>, rowCount: Int) -> [Scalar] {
        KernelDriver.collect(core, probabilityOperation, rows, rowCount: rowCount, width: classCount)
    }

    /// ``predictClassIndices(_:into:)`` of `rowCount` rows as `rows` gives them, into a new array.
    func predictClassIndices(_ rows: KernelRows<Scalar>, rowCount: Int) -> [Int] {
        var result = [Int](repeating: 0, count: rowCount)
        guard rowCount > 0 else { return result }
        result.withUnsafeMutableBufferPointer { indices in
            KernelDriver.run(
                core,
                .classIndex(binary: strategy == .binary),
                KernelBatch(input: rows, output: nil, indices: indices.baseAddress, rowCount: rowCount)
            )
        }
        return result
    }
}
