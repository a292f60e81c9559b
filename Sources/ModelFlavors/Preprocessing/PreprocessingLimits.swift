package import ModelBundle

/// Bounds on a stage's fitted state, checked before anything is allocated from it: real
/// pipelines stay far below them, hostile ones are refused naming the step.
package enum PreprocessingLimits {
    /// Pipelines, ColumnTransformers and FeatureUnions nested in each other.
    package static let maximumDepth = 16
    /// Steps in a whole stage.
    package static let maximumSteps = 1024
    /// Categories learned for one column.
    package static let maximumCategories = 65_536
    /// Categories learned over the whole stage.
    package static let maximumTotalCategories = 1_000_000
    /// UTF-8 bytes of one category.
    package static let maximumCategoryBytes = 4096
    /// Columns into or out of any step.
    package static let maximumWidth = 100_000
    /// Weights of one projection (PCA's `components_`), quantiles of one QuantileTransformer: 8 MB of
    /// doubles per million.
    package static let maximumProjectionWeights = 16_000_000
    /// A SplineTransformer's degree (scikit-learn's docs use up to 5; the de Boor work grows with it).
    package static let maximumSplineDegree = 64
    /// Knots of one SplineTransformer column (scikit-learn's n_knots is tens; each value's interval is
    /// found by scipy's linear search, so this also bounds the work per value).
    package static let maximumSplineKnots = 10_000
}

extension PreprocessingStep {
    /// A typed refusal of hostile or inconsistent fitted state, naming the step.
    package func invalid(_ message: String) -> ModelBundleError {
        ModelBundleError(.weightsInvalid, "preprocessing step \(name): \(message)", item: name)
    }
}
