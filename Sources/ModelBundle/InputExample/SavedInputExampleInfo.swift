/// The `saved_input_example_info` map of an `MLmodel` (spec §4.2): where the example is and how to read it.
///
/// Unknown keys are kept so a bundle written by a newer MLflow round-trips unchanged.
public struct SavedInputExampleInfo: Sendable, Hashable {
    /// `artifact_path`: the example file, always `input_example.json` when MLflow writes it.
    public var artifactPath: String
    /// `type`: `dataframe`, `ndarray`, `json_object`, `sparse_matrix_csc` or `sparse_matrix_csr`.
    public var type: String
    /// `pandas_orient`: `split` or `values`, for dataframes only.
    public var pandasOrient: String?
    /// `serving_input_path`: the serving example file, when one was written.
    public var servingInputPath: String?
    /// `params`: whether the example file wraps data and params (MLflow stores the string `'true'`).
    public var hasParams: Bool
    /// `format`: the legacy (MLflow 1.x) marker `tf-serving` for ndarray examples wrapped in `{"inputs": …}`.
    public var format: String?
    /// Keys this version does not know, with their values, kept for writing back.
    public var otherFields: [(String, String)]

    public init(
        artifactPath: String = "input_example.json",
        type: String,
        pandasOrient: String? = nil,
        servingInputPath: String? = nil,
        hasParams: Bool = false,
        format: String? = nil
    ) {
        self.artifactPath = artifactPath
        self.type = type
        self.pandasOrient = pandasOrient
        self.servingInputPath = servingInputPath
        self.hasParams = hasParams
        self.format = format
        self.otherFields = []
    }

    /// Reads the map's entries (as the manifest's YAML map gives them). `artifact_path` and `type` are required.
    public init(fields: [(String, String)]) throws(ModelBundleError) {
        var artifactPath: String?
        var type: String?
        self.init(type: "")
        for (key, value) in fields {
            switch key {
            case "artifact_path": artifactPath = value
            case "type": type = value
            case "pandas_orient": pandasOrient = value
            case "serving_input_path": servingInputPath = value
            case "params": hasParams = !value.isEmpty && value.lowercased() != "false"
            case "format": format = value
            default: otherFields.append((key, value))
            }
        }
        guard let artifactPath, let type else {
            throw ModelBundleError(
                .manifestInvalid,
                "saved_input_example_info needs both `artifact_path` and `type`",
                item: "saved_input_example_info"
            )
        }
        self.artifactPath = artifactPath
        self.type = type
    }

    /// The entries sorted by key, as MLflow's YAML writer orders them.
    public var fields: [(String, String)] {
        var result: [(String, String)] = [("artifact_path", artifactPath), ("type", type)]
        if let pandasOrient { result.append(("pandas_orient", pandasOrient)) }
        if let servingInputPath { result.append(("serving_input_path", servingInputPath)) }
        if hasParams { result.append(("params", "true")) }
        if let format { result.append(("format", format)) }
        result.append(contentsOf: otherFields)
        return result.sorted { $0.0.unicodeScalars.lexicographicallyPrecedes($1.0.unicodeScalars) }
    }

    public static func == (lhs: SavedInputExampleInfo, rhs: SavedInputExampleInfo) -> Bool {
        lhs.fields.elementsEqual(rhs.fields) { $0.0 == $1.0 && $0.1 == $1.1 }
    }

    public func hash(into hasher: inout Hasher) {
        for (key, value) in fields {
            hasher.combine(key)
            hasher.combine(value)
        }
    }
}
