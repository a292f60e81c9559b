import ModelBundle

/// The fitted attributes of one allowlisted object, as a reader found them (a skops `DictNode` or
/// an unpickled state dict). ``SklearnEstimatorState`` maps them onto an estimator or a scaler the
/// same way for both formats, so skops and pickle files of one model can never be read differently.
protocol SklearnAttributeSource {
    var kind: SklearnEstimator.Kind { get }
    /// A numeric array, or a plain float as a 0-d tensor; missing or non-numeric is an error
    /// naming the attribute.
    func array(_ name: String) throws(ModelBundleError) -> WeightTensor
    /// A str attribute, nil when absent or not a str.
    func text(_ name: String) -> String?
    /// A bool attribute, nil when absent or not a bool.
    func bool(_ name: String) -> Bool?
    /// Class labels (integers, numpy bools, or str in any of the ways numpy and skops store them).
    func labels(_ name: String) throws(ModelBundleError) -> LinearModelFlavorConfiguration.ClassLabels
    /// A nested allowlisted object (`RidgeClassifier._label_binarizer`).
    func part(_ name: String) throws(ModelBundleError) -> any SklearnAttributeSource
    /// Any attribute as plain data (nil when absent), for the preprocessing readers.
    func data(_ name: String) throws(ModelBundleError) -> SklearnValue?
    /// An error naming the attribute, for values present but unusable.
    func invalid(_ name: String, _ message: String) -> ModelBundleError
}

extension SklearnAttributeSource {
    /// The (major, minor) scikit-learn version that fitted the object, from `_sklearn_version`
    /// (every estimator's pickled state records it): the rules that changed between releases follow it.
    var fittedVersion: (Int, Int)? {
        guard let version = text("_sklearn_version") else { return nil }
        let parts = version.split(separator: ".").prefix(2).map { Int($0.prefix { $0.isNumber }) }
        guard parts.count == 2, let major = parts[0], let minor = parts[1] else { return nil }
        return (major, minor)
    }
}
