/// One column of a column-based schema (`mlflow.types.ColSpec`).
public struct ColSpec: Sendable, Hashable {
    public var type: ColumnType
    /// `nil` for an unnamed (positional) column.
    public var name: String?
    public var required: Bool

    public init(type: ColumnType, name: String? = nil, required: Bool = true) {
        self.type = type
        self.name = name
        self.required = required
    }

    public init(_ dataType: DataType, name: String? = nil, required: Bool = true) {
        self.init(type: .scalar(dataType), name: name, required: required)
    }

    /// The JSON MLflow writes: the type object's keys, then `name` (when named), then `required`.
    var json: JSONValue {
        var members = type.jsonMembers
        if let name {
            members.append(("name", .string(name)))
        }
        members.append(("required", .bool(required)))
        return .object(members)
    }

    /// MLflow's repr: `'a': long (required)` or `double (optional)`.
    var pythonRepr: String {
        let required = required ? "required" : "optional"
        guard let name else { return "\(type.pythonRepr) (\(required))" }
        return "\(pythonStringRepr(name)): \(type.pythonRepr) (\(required))"
    }

    static func decode(_ object: JSONObject, item: String) throws(ModelBundleError) -> ColSpec {
        let name = try decodeName(object, item: item)
        let type = try ColumnType.decode(object, context: "ColSpec", item: name ?? item)
        return ColSpec(type: type, name: name, required: try decodeRequired(object, item: name ?? item))
    }
}

/// Reads an optional `name`; MLflow stringifies names, so numbers are accepted and written back as text.
func decodeName(_ object: JSONObject, item: String) throws(ModelBundleError) -> String? {
    switch object["name"] {
    case nil, .null?: return nil
    case .string(let name)?: return name
    case .integer(let number)?: return String(number)
    default: throw ModelBundleError(.schemaInvalid, "The `name` of a schema entry must be a string", item: item)
    }
}
