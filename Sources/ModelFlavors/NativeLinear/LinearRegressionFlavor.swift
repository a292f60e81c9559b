public import ModelBundle
public import ModelRuntime

/// The native `linear_regression` flavor: one or more targets, `X · coefᵀ + intercept`.
public enum LinearRegressionFlavor: ModelFlavor {
    public static var name: String { LinearModelFlavorConfiguration.Kind.linearRegression.rawValue }

    public static func load(
        from bundle: OpenedBundle,
        configuration: ManifestMap
    ) throws(ModelBundleError) -> any FlavorModel {
        try NativeLinearFlavorLoader.load(kind: .linearRegression, bundle: bundle, configuration: configuration)
    }
}
