/// A typed view of the `python_function` flavor (spec §1.5). Unknown keys stay in
/// ``configuration`` and are written back unchanged.
package struct PythonFunctionFlavor: Sendable, Equatable {
    /// The flavor's key in `flavors`.
    public static let name = "python_function"

    /// Where the environment files are named: a map (MLflow ≥ 2.0) or a plain string (before 2.0).
    public enum Environment: Sendable, Equatable {
        /// `env: {conda: …, virtualenv: …}`; either may be absent.
        case files(conda: String?, virtualenv: String?)
        /// `env: conda.yaml` (MLflow before 2.0).
        case legacyConda(String)
    }

    /// The raw configuration, including keys this build does not know.
    public var configuration: ManifestMap

    public init(configuration: ManifestMap) {
        self.configuration = configuration
    }

    /// A configuration as ModelBundle writes it: `loader_module`, `code`, `data`, `env`, `python_version`.
    public init(
        loaderModule: String,
        data: String?,
        code: String?,
        pythonVersion: String,
        predictFunction: String? = nil
    ) {
        var configuration = ManifestMap()
        configuration["code"] = .optionalString(code)
        if let data { configuration["data"] = .string(data) }
        configuration["env"] = .map(
            ManifestMap([("conda", .string("conda.yaml")), ("virtualenv", .string("python_env.yaml"))])
        )
        configuration["loader_module"] = .string(loaderModule)
        if let predictFunction { configuration["predict_fn"] = .string(predictFunction) }
        configuration["python_version"] = .string(pythonVersion)
        self.configuration = configuration
    }

    /// `loader_module`: recorded, never imported or executed by ModelBundle.
    public var loaderModule: String? { configuration["loader_module"]?.text }
    /// `python_version`, as text even when written unquoted (`3.10` stays "3.10").
    public var pythonVersion: String? { configuration["python_version"]?.text }
    /// `data`: the payload path, relative to the bundle.
    public var data: String? { configuration["data"]?.text }
    /// `code`: a directory MLflow puts on `sys.path`; `nil` when null.
    public var code: String? { configuration["code"]?.text }
    /// `model_path`: the serialized estimator for classic flavors.
    public var modelPath: String? { configuration["model_path"]?.text }
    /// `predict_fn`: the method MLflow calls; `predict` when absent.
    public var predictFunction: String { configuration["predict_fn"]?.text ?? "predict" }

    /// `env`, in either of its forms.
    public var environment: Environment? {
        guard let env = configuration["env"] else { return nil }
        if let legacy = env.text { return .legacyConda(legacy) }
        if let map = env.map { return .files(conda: map["conda"]?.text, virtualenv: map["virtualenv"]?.text) }
        return nil
    }
}

/// A typed view of MLflow's `sklearn` flavor (spec §1.6).
package struct SklearnFlavor: Sendable, Equatable {
    /// The flavor's key in `flavors`.
    public static let name = "sklearn"

    /// The raw configuration, including keys this build does not know.
    public var configuration: ManifestMap

    public init(configuration: ManifestMap) {
        self.configuration = configuration
    }

    /// `pickled_model`: the estimator file (`model.skops` or `model.pkl`).
    public var pickledModel: String? { configuration["pickled_model"]?.text }
    /// `serialization_format`: `skops`, `cloudpickle` or `pickle`; MLflow assumes `pickle` when absent.
    public var serializationFormat: String { configuration["serialization_format"]?.text ?? "pickle" }
    /// `sklearn_version` at save time.
    public var sklearnVersion: String? { configuration["sklearn_version"]?.text }
    /// `code`, or `nil` when null.
    public var code: String? { configuration["code"]?.text }
}
