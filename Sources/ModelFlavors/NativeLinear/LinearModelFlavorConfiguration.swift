public import ModelBundle

/// The `MLmodel` configuration of ModelBundle's native flavors, `logistic_regression` and
/// `linear_regression` (DESIGN.md §2), read and written by the same code so the writer and the
/// loader cannot drift apart.
///
/// ```yaml
/// logistic_regression:
///   classes: [0, 1]            # integers, booleans (false, true) or strings; logistic only
///   dtype: float64             # float32 | float64
///   format_version: 1
///   multi_class: binary        # binary | multinomial | ovr; logistic only
///   predict_fn: predict        # predict | predict_proba | decision_function (linear: predict)
///   weights: model.safetensors # tensors `coef` [k, n] and `intercept` [k]
/// ```
public struct LinearModelFlavorConfiguration: Sendable, Hashable {
    /// Which model the flavor describes.
    public enum Kind: String, Sendable, Hashable, CaseIterable {
        case logisticRegression = "logistic_regression"
        case linearRegression = "linear_regression"
    }

    /// Class labels, integers, booleans or strings (`classes_` in scikit-learn; a classifier
    /// fitted on a bool target has the numpy bool labels `[False, True]`), or floats: a classifier
    /// fitted on a float target (`0.0`, `1.0`, as Spark ML's label columns are) predicts floats. The
    /// native flavors' `classes` hold no floats: such a model predicts from its MLflow bundle.
    public enum ClassLabels: Sendable, Hashable {
        case integers([Int64])
        case strings([String])
        case booleans([Bool])
        case floats([Double])

        public var count: Int {
            switch self {
            case .integers(let labels): labels.count
            case .strings(let labels): labels.count
            case .booleans(let labels): labels.count
            case .floats(let labels): labels.count
            }
        }
    }

    /// The weights' element type.
    public enum ScalarType: String, Sendable, Hashable {
        case float32
        case float64
    }

    /// The only `format_version` this build reads and writes.
    public static let formatVersion = 1
    /// The weights file name ModelBundle writes.
    public static let defaultWeightsFile = "model.safetensors"

    public var kind: Kind
    public var weights: String
    public var classes: ClassLabels?
    public var multiClass: MultiClassStrategy?
    public var predictFunction: String
    public var dtype: ScalarType
    /// The preprocessing stage's document (`preprocessing.json`), when the model has one
    /// (Docs/preprocessing.md); its tensors live in ``weights``.
    public var preprocessing: String?

    public init(
        kind: Kind,
        weights: String = LinearModelFlavorConfiguration.defaultWeightsFile,
        classes: ClassLabels? = nil,
        multiClass: MultiClassStrategy? = nil,
        predictFunction: String = "predict",
        dtype: ScalarType = .float64
    ) {
        self.kind = kind
        self.weights = weights
        self.classes = classes
        self.multiClass = multiClass
        self.predictFunction = predictFunction
        self.dtype = dtype
    }

    /// The predict functions each kind supports.
    public static func supportedPredictFunctions(for kind: Kind) -> [String] {
        kind == .logisticRegression ? ["predict", "predict_proba", "decision_function"] : ["predict"]
    }

    /// Reads and checks a flavor configuration, naming the field at fault.
    ///
    /// - Throws: ``ModelBundleError`` with ``ModelBundleError/Code/unsupportedFormatVersion`` for
    ///   another `format_version`, else ``ModelBundleError/Code/manifestInvalid``.
    public init(kind: Kind, configuration: ManifestMap) throws(ModelBundleError) {
        let prefix = "flavors.\(kind.rawValue)"
        func field(_ key: String, _ problem: String) -> ModelBundleError {
            ModelBundleError(.manifestInvalid, "MLmodel field \(prefix).\(key) \(problem)", item: "\(prefix).\(key)")
        }
        try NativeFlavorFormatVersion.check(configuration, prefix: prefix, supported: Self.formatVersion)
        guard let weights = configuration["weights"]?.text else {
            throw field("weights", "is missing; it names the safetensors file holding coef and intercept")
        }
        let dtypeText = configuration["dtype"]?.text ?? ScalarType.float64.rawValue
        guard let dtype = ScalarType(rawValue: dtypeText) else {
            throw field("dtype", "is \"\(dtypeText)\"; expected float32 or float64")
        }
        let predictFunction = configuration["predict_fn"]?.text ?? "predict"
        let supported = Self.supportedPredictFunctions(for: kind)
        guard supported.contains(predictFunction) else {
            throw field("predict_fn", "is \"\(predictFunction)\"; expected one of \(supported.joined(separator: ", "))")
        }
        var classes: ClassLabels?
        var multiClass: MultiClassStrategy?
        if kind == .logisticRegression {
            let strategyText = configuration["multi_class"]?.text ?? ""
            guard let strategy = MultiClassStrategy(rawValue: strategyText) else {
                throw field("multi_class", "is \"\(strategyText)\"; expected binary, multinomial or ovr")
            }
            multiClass = strategy
            guard let list = configuration["classes"]?.list, list.count >= 2 else {
                throw field("classes", "must list at least two class labels")
            }
            classes = try ClassLabels(manifestList: list) { field("classes", $0) }
        }
        self.init(
            kind: kind,
            weights: weights,
            classes: classes,
            multiClass: multiClass,
            predictFunction: predictFunction,
            dtype: dtype
        )
        if let stage = configuration["preprocessing"] {
            guard let file = stage.text else { throw field("preprocessing", "is not a file name") }
            preprocessing = file
        }
    }

    /// The configuration as an `MLmodel` map.
    public var manifestMap: ManifestMap {
        var map = ManifestMap()
        if let classes { map["classes"] = classes.manifestValue }
        map["dtype"] = .string(dtype.rawValue)
        map["format_version"] = .int(Self.formatVersion)
        if let multiClass { map["multi_class"] = .string(multiClass.rawValue) }
        map["predict_fn"] = .string(predictFunction)
        if let preprocessing { map["preprocessing"] = .string(preprocessing) }
        map["weights"] = .string(weights)
        return map
    }
}
