package import ModelBundle

/// The `MLmodel` configuration of the native `tree_ensemble` flavor (Docs/tree-ensemble.md). The
/// ensemble's own settings live in the weights file's `__metadata__`; this map says which file,
/// which function to answer with, and a classifier's labels.
///
/// ```yaml
/// tree_ensemble:
///   classes: [0, 1]             # classifiers only: integers, booleans or strings
///   format_version: 1
///   predict_fn: predict_proba   # predict | predict_proba | predict_raw
///   source: xgboost 3.2.0       # informational: where the trees came from
///   weights: model.safetensors
///   preprocessing: preprocessing.json  # only with a preprocessing stage in front of the trees
///   input_check: scikit-learn   # optional: refuse features float32 cannot hold (scikit-learn, xgboost-dmatrix)
///   float_labels: true          # optional: predict answers the class index as a float (a Booster's multi:softmax)
/// ```
package struct TreeEnsembleFlavorConfiguration: Sendable, Hashable {
    public static let name = "tree_ensemble"
    public static let formatVersion = 1
    public static let defaultWeightsFile = "model.safetensors"

    /// What `predict` answers.
    public enum PredictFunction: String, Sendable, Hashable, CaseIterable {
        /// Regressors: the transformed outputs; classifiers: the class labels.
        case predict
        /// Classifiers: one probability per class.
        case predictProba = "predict_proba"
        /// The raw scores (margins) before the link.
        case predictRaw = "predict_raw"
    }

    /// The source library's refusal of feature values float32 cannot hold, kept through `mbundle convert`.
    public enum InputCheck: String, Sendable, Hashable, CaseIterable {
        /// scikit-learn's trees and GradientBoosting (`check_array` with `dtype=float32`).
        case scikitLearn = "scikit-learn"
        /// An XGBoost `Booster` scored on a `DMatrix`, as MLflow's xgboost flavor scores it.
        case xgboostDMatrix = "xgboost-dmatrix"
    }

    public var weights: String
    public var predictFunction: PredictFunction
    public var classes: LinearModelFlavorConfiguration.ClassLabels?
    public var source: String?
    /// The preprocessing stage's document (`preprocessing.json`, Docs/preprocessing.md) when the trees
    /// run behind one; its float64 tensors live in ``weights`` beside the tree arrays.
    public var preprocessing: String?
    /// `input_check`: values float32 cannot hold are refused as the source library refuses them.
    public var inputCheck: InputCheck?
    /// `float_labels`: `predict` answers a classifier's class index as a float32 number, not a label, as
    /// an XGBoost Booster with `multi:softmax` does (`Booster.predict` returns float32 indices).
    public var floatLabels = false

    public init(
        weights: String = TreeEnsembleFlavorConfiguration.defaultWeightsFile,
        predictFunction: PredictFunction = .predict,
        classes: LinearModelFlavorConfiguration.ClassLabels? = nil,
        source: String? = nil
    ) {
        self.weights = weights
        self.predictFunction = predictFunction
        self.classes = classes
        self.source = source
    }

    /// Reads and checks the map, naming the field at fault.
    public init(configuration: ManifestMap) throws(ModelBundleError) {
        let prefix = "flavors.\(Self.name)"
        func field(_ key: String, _ problem: String) -> ModelBundleError {
            ModelBundleError(.manifestInvalid, "MLmodel field \(prefix).\(key) \(problem)", item: "\(prefix).\(key)")
        }
        try NativeFlavorFormatVersion.check(configuration, prefix: prefix, supported: Self.formatVersion)
        guard let weights = configuration["weights"]?.text else {
            throw field("weights", "is missing; it names the safetensors file holding the trees")
        }
        let text = configuration["predict_fn"]?.text ?? "predict"
        guard let predictFunction = PredictFunction(rawValue: text) else {
            throw field("predict_fn", "is \"\(text)\"; expected predict, predict_proba or predict_raw")
        }
        var classes: LinearModelFlavorConfiguration.ClassLabels?
        if let value = configuration["classes"] {
            guard let list = value.list, list.count >= 2, list.count <= TreeEnsembleLimits.maximumOutputs else {
                throw field("classes", "must list at least two class labels")
            }
            classes = try LinearModelFlavorConfiguration.ClassLabels(manifestList: list) { field("classes", $0) }
        }
        self.init(
            weights: weights,
            predictFunction: predictFunction,
            classes: classes,
            source: configuration["source"]?.text
        )
        if let stage = configuration["preprocessing"] {
            guard let file = stage.text else { throw field("preprocessing", "is not a file name") }
            preprocessing = file
        }
        if let check = configuration["input_check"] {
            guard let text = check.text, let value = InputCheck(rawValue: text) else {
                let known = InputCheck.allCases.map(\.rawValue).joined(separator: " or ")
                throw field("input_check", "must be \(known)")
            }
            inputCheck = value
        }
        if let value = configuration["float_labels"] {
            guard let flag = value.bool else { throw field("float_labels", "must be true or false") }
            guard !flag || classes == nil else {
                throw field("float_labels", "answers class indices, so it cannot go with classes")
            }
            floatLabels = flag
        }
    }

    /// The configuration as an `MLmodel` map.
    public var manifestMap: ManifestMap {
        var map = ManifestMap()
        if let classes { map["classes"] = classes.manifestValue }
        if floatLabels { map["float_labels"] = .bool(true) }
        map["format_version"] = .int(Self.formatVersion)
        if let inputCheck { map["input_check"] = .string(inputCheck.rawValue) }
        map["predict_fn"] = .string(predictFunction.rawValue)
        if let preprocessing { map["preprocessing"] = .string(preprocessing) }
        if let source { map["source"] = .string(source) }
        map["weights"] = .string(weights)
        return map
    }
}
