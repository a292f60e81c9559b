public import ModelBundle
public import ModelRuntime

/// The native `logistic_regression` flavor: binary, multinomial (softmax) and one-vs-rest
/// logistic regressions whose `coef`/`intercept` live in the bundle's safetensors file.
public enum LogisticRegressionFlavor: ModelFlavor {
    public static var name: String { LinearModelFlavorConfiguration.Kind.logisticRegression.rawValue }

    public static func load(
        from bundle: OpenedBundle,
        configuration: ManifestMap
    ) throws(ModelBundleError) -> any FlavorModel {
        try NativeLinearFlavorLoader.load(kind: .logisticRegression, bundle: bundle, configuration: configuration)
    }
}
