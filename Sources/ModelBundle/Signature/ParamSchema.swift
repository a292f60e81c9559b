/// The inference parameters a model accepts (`mlflow.types.ParamSchema`); names are unique.
public struct ParamSchema: Sendable, Hashable {
    public private(set) var params: [ParamSpec]

    public init(_ params: [ParamSpec]) throws(ModelBundleError) {
        var seen = Set<String>()
        var duplicates: [String] = []
        for param in params where !seen.insert(param.name).inserted {
            duplicates.append(param.name)
        }
        if !duplicates.isEmpty {
            throw ModelBundleError(
                .schemaInvalid,
                "Duplicated parameters found in schema: [" + duplicates.map(pythonStringRepr).joined(separator: ", ")
                    + "]",
                item: duplicates[0]
            )
        }
        self.params = params
    }

    /// The JSON array MLflow stores.
    public var json: JSONValue { .array(params.map(\.json)) }

    /// The exact text `ParamSchema.to_json()` writes.
    public var jsonString: String { JSONWriter().string(json) }

    /// Reads the JSON array MLflow stores (accepting legacy `dtype` keys and any key order).
    public init(json: JSONValue, field: String = "signature.params") throws(ModelBundleError) {
        guard let entries = json.arrayValue else {
            throw ModelBundleError(.schemaInvalid, "Params must be a JSON list of ParamSpec objects", item: field)
        }
        var params: [ParamSpec] = []
        for (index, entry) in entries.enumerated() {
            guard let object = entry.objectValue else {
                throw ModelBundleError(
                    .schemaInvalid,
                    "Each ParamSpec must be a JSON object",
                    item: "\(field)[\(index)]"
                )
            }
            params.append(try ParamSpec.decode(object, item: "\(field)[\(index)]"))
        }
        try self.init(params)
    }
}
