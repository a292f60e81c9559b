public import ModelBundle

/// The coefficients of a linear model: `coef` as a contiguous row-major [k, n] matrix and
/// `intercept` as [k], where k is the number of targets (regression) or classes (logistic; 1 for
/// binary) and n the number of features. Immutable after construction; all values are finite.
public struct LinearModelWeights<Scalar: KernelScalar>: Sendable {
    /// Row-major [outputCount, featureCount].
    public let coefficients: [Scalar]
    /// [outputCount].
    public let intercepts: [Scalar]
    /// k: rows of `coef`.
    public let outputCount: Int
    /// n: columns of `coef`.
    public let featureCount: Int

    /// Checks shapes and finiteness.
    ///
    /// - Throws: `weightsInvalid` naming `coef` or `intercept` when the counts disagree, a dimension
    ///   is zero, or a value is NaN or infinite.
    public init(
        coefficients: [Scalar],
        intercepts: [Scalar],
        outputCount: Int,
        featureCount: Int
    ) throws(ModelBundleError) {
        guard outputCount > 0, featureCount > 0 else {
            throw ModelBundleError(
                .weightsInvalid,
                "coef has shape [\(outputCount), \(featureCount)]; a linear model needs at least one row and one column",
                item: "coef"
            )
        }
        let (size, overflow) = outputCount.multipliedReportingOverflow(by: featureCount)
        guard !overflow, size == coefficients.count else {
            throw ModelBundleError(
                .weightsInvalid,
                "coef holds \(coefficients.count) values, not \(outputCount) × \(featureCount)",
                item: "coef"
            )
        }
        guard intercepts.count == outputCount else {
            throw ModelBundleError(
                .weightsInvalid,
                "intercept holds \(intercepts.count) values but coef has \(outputCount) rows",
                item: "intercept"
            )
        }
        if let index = coefficients.firstIndex(where: { !$0.isFinite }) {
            throw ModelBundleError(
                .weightsInvalid,
                "coef value at row \(index / featureCount), column \(index % featureCount) is NaN or infinite",
                item: "coef"
            )
        }
        if let index = intercepts.firstIndex(where: { !$0.isFinite }) {
            throw ModelBundleError(.weightsInvalid, "intercept value \(index) is NaN or infinite", item: "intercept")
        }
        self.coefficients = coefficients
        self.intercepts = intercepts
        self.outputCount = outputCount
        self.featureCount = featureCount
    }

    /// Builds weights from the `coef` and `intercept` tensors of a weights file.
    ///
    /// `coef` must be [k, n] and `intercept` [k]; as scikit-learn stores a single-target regression,
    /// a 1-D `coef` [n] with a scalar or [1] `intercept` is read as k = 1. Values are converted to
    /// `Scalar` (float64 weights narrowed to float32 round to nearest).
    public init(coef: WeightTensor, intercept: WeightTensor) throws(ModelBundleError) {
        let rows: Int
        let columns: Int
        switch coef.shape.count {
        case 2:
            rows = coef.shape[0]
            columns = coef.shape[1]
        case 1:
            rows = 1
            columns = coef.shape[0]
        default:
            throw ModelBundleError(
                .weightsInvalid,
                "\(coef.name) has shape \(coef.shape); expected [n_targets_or_classes, n_features]",
                item: coef.name
            )
        }
        let interceptOK = intercept.shape == [rows] || (rows == 1 && intercept.shape.isEmpty)
        guard interceptOK else {
            throw ModelBundleError(
                .weightsInvalid,
                "\(intercept.name) has shape \(intercept.shape) but \(coef.name) has \(rows) rows; expected [\(rows)]",
                item: intercept.name
            )
        }
        guard coef.dtype.isFloatingPoint || coef.dtype.isInteger,
            intercept.dtype.isFloatingPoint || intercept.dtype.isInteger
        else {
            throw ModelBundleError(
                .weightsInvalid,
                "\(coef.name) and \(intercept.name) must be numeric",
                item: coef.name
            )
        }
        if Scalar.self == Float.self {
            try self.init(
                coefficients: coef.float32Values().map { Scalar($0) },
                intercepts: intercept.float32Values().map { Scalar($0) },
                outputCount: rows,
                featureCount: columns
            )
        } else {
            try self.init(
                coefficients: coef.float64Values().map { Scalar($0) },
                intercepts: intercept.float64Values().map { Scalar($0) },
                outputCount: rows,
                featureCount: columns
            )
        }
    }
}
