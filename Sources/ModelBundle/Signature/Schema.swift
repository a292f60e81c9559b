/// A model's inputs or outputs (`mlflow.types.Schema`): either all columns or all tensors.
///
/// The initialisers enforce `Schema.__init__`'s rules with MLflow's messages: not empty; named and
/// unnamed entries not mixed; at most one unnamed tensor; unnamed columns all required.
public struct Schema: Sendable, Hashable, CustomStringConvertible {
    /// The columns of a column-based schema; empty for a tensor-based one.
    public private(set) var columns: [ColSpec]
    /// The tensors of a tensor-based schema; empty for a column-based one.
    public private(set) var tensors: [TensorSpec]

    public init(columns: [ColSpec]) throws(ModelBundleError) {
        try Self.validate(names: columns.map(\.name), required: columns.map(\.required), tensors: false)
        self.columns = columns
        self.tensors = []
    }

    public init(tensors: [TensorSpec]) throws(ModelBundleError) {
        try Self.validate(names: tensors.map(\.name), required: tensors.map { _ in true }, tensors: true)
        self.columns = []
        self.tensors = tensors
    }

    /// Whether the schema describes tensors rather than columns.
    public var isTensorBased: Bool { !tensors.isEmpty }

    /// Whether the entries have names (all do or none do).
    public var hasNames: Bool { isTensorBased ? tensors[0].name != nil : columns[0].name != nil }

    /// The number of columns or tensors.
    public var count: Int { isTensorBased ? tensors.count : columns.count }

    private static func validate(names: [String?], required: [Bool], tensors: Bool) throws(ModelBundleError) {
        if names.isEmpty {
            throw ModelBundleError(.schemaInvalid, "Creating Schema with empty inputs is not allowed.")
        }
        let named = names.filter { $0 != nil }.count
        if named != 0 && named != names.count {
            let list = "[" + names.map { $0.map(pythonStringRepr) ?? "None" }.joined(separator: ", ") + "]"
            throw ModelBundleError(
                .schemaInvalid,
                "Creating Schema with a combination of named and unnamed inputs is not allowed. Got input names \(list)"
            )
        }
        if tensors && names.count > 1 && named == 0 {
            throw ModelBundleError(
                .schemaInvalid,
                "Creating Schema with multiple unnamed TensorSpecs is not supported. "
                    + "Please provide names for each TensorSpec."
            )
        }
        if named == 0 && required.contains(false) {
            throw ModelBundleError(
                .schemaInvalid,
                "Creating Schema with unnamed optional inputs is not supported. "
                    + "Please name all inputs or make all inputs required."
            )
        }
    }

    /// The JSON array MLflow stores for the schema.
    public var json: JSONValue {
        .array(isTensorBased ? tensors.map(\.json) : columns.map(\.json))
    }

    /// The exact text `Schema.to_json()` writes.
    public var jsonString: String { JSONWriter().string(json) }

    /// One row per column or tensor for `mbundle inspect`: the name (`0`, `1`, … for unnamed entries), a
    /// readable type (`double`, `array<string>`, `tensor float32 (-1, 4)`) and whether it is required.
    public var rows: [(name: String, type: String, required: Bool)] {
        if isTensorBased {
            return tensors.enumerated().map { index, tensor in
                (tensor.name ?? String(index), "tensor \(tensor.dtype.rawValue) \(tensor.shapeText)", true)
            }
        }
        return columns.enumerated().map { index, column in
            (column.name ?? String(index), column.type.displayName, column.required)
        }
    }

    /// MLflow's repr: `['a': long (required), 'b': double (optional)]` or `[Tensor('float32', (-1, 2))]`.
    public var description: String {
        "[" + (isTensorBased ? tensors.map(\.pythonRepr) : columns.map(\.pythonRepr)).joined(separator: ", ") + "]"
    }

    /// Reads the JSON array MLflow stores. An entry is a tensor iff its `type` is `"tensor"`.
    public init(json: JSONValue, field: String = "signature") throws(ModelBundleError) {
        guard let entries = json.arrayValue else {
            throw ModelBundleError(
                .schemaInvalid,
                "A schema must be a JSON list of column or tensor specs",
                item: field
            )
        }
        var columns: [ColSpec] = []
        var tensors: [TensorSpec] = []
        for (index, entry) in entries.enumerated() {
            let item = "\(field)[\(index)]"
            guard let object = entry.objectValue else {
                throw ModelBundleError(.schemaInvalid, "Each schema entry must be a JSON object", item: item)
            }
            if object["type"] == .string("tensor") {
                tensors.append(try TensorSpec.decode(object, item: item))
            } else {
                columns.append(try ColSpec.decode(object, item: item))
            }
        }
        if !columns.isEmpty && !tensors.isEmpty {
            throw ModelBundleError(
                .schemaInvalid,
                "Creating Schema with a combination of {0} and {1} is not supported. "
                    + "Please choose one of ColSpec or TensorSpec",
                item: field
            )
        }
        do {
            if tensors.isEmpty {
                try Self.validate(names: columns.map(\.name), required: columns.map(\.required), tensors: false)
            } else {
                try Self.validate(names: tensors.map(\.name), required: tensors.map { _ in true }, tensors: true)
            }
        } catch {
            throw ModelBundleError(error.code, error.message, item: field)
        }
        self.columns = columns
        self.tensors = tensors
    }
}
