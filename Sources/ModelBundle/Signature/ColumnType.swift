/// The type of a column, an object property, an array's items or a map's values (`mlflow.types.schema`):
/// a scalar ``DataType``, `Array`, `Object`, `Map` (string keys), `AnyType` or `SparkMLVector`.
public indirect enum ColumnType: Sendable, Hashable {
    case scalar(DataType)
    case array(ColumnType)
    /// An object's properties, kept sorted by name as MLflow keeps them (never empty, names unique).
    case object([ObjectProperty])
    case map(ColumnType)
    case any
    case sparkMLVector

    /// Builds an object type, sorting the properties by name and refusing an empty list or duplicate names
    /// with MLflow's messages.
    public static func makeObject(_ properties: [ObjectProperty]) throws(ModelBundleError) -> ColumnType {
        if properties.isEmpty {
            throw ModelBundleError(.schemaInvalid, "Creating Object with empty properties is not allowed.")
        }
        var seen = Set<String>()
        var duplicates: [String] = []
        for property in properties where !seen.insert(property.name).inserted {
            duplicates.append(property.name)
        }
        if !duplicates.isEmpty {
            throw ModelBundleError(
                .schemaInvalid,
                "Found duplicated property names: `\(duplicates.joined(separator: ", "))`",
                item: duplicates[0]
            )
        }
        return .object(properties.sorted { $0.name.unicodeScalars.lexicographicallyPrecedes($1.name.unicodeScalars) })
    }

    /// The JSON type object MLflow writes (`{"type": "array", "items": {...}}`), without name or required.
    var jsonMembers: [(String, JSONValue)] {
        switch self {
        case .scalar(let dataType): [("type", .string(dataType.rawValue))]
        case .array(let items): [("type", .string("array")), ("items", .object(items.jsonMembers))]
        case .object(let properties):
            [
                ("type", .string("object")),
                ("properties", .object(properties.map { ($0.name, .object($0.jsonMembers)) })),
            ]
        case .map(let values): [("type", .string("map")), ("values", .object(values.jsonMembers))]
        case .any: [("type", .string("any"))]
        case .sparkMLVector: [("type", .string("sparkml_vector"))]
        }
    }

    /// MLflow's `repr` of the type (`Array(string)`, `{x: long (required)}`, `Map(str -> DataType.double)`).
    var pythonRepr: String {
        switch self {
        case .scalar(let dataType): dataType.rawValue
        case .array(let items): "Array(\(items.pythonRepr))"
        case .object(let properties): "{" + properties.map(\.pythonRepr).joined(separator: ", ") + "}"
        // Map's repr formats its value type with `str`, which for a DataType is `DataType.<name>`.
        case .map(.scalar(let dataType)): "Map(str -> DataType.\(dataType.rawValue))"
        case .map(let values): "Map(str -> \(values.pythonRepr))"
        case .any: "Any"
        case .sparkMLVector: "SparkML vector"
        }
    }

    /// A compact, readable spelling for tables: `double`, `array<string>`, `object{x: long, y?: string}`,
    /// `map<string, double>`, `any`, `sparkml_vector`.
    public var displayName: String {
        switch self {
        case .scalar(let dataType): dataType.rawValue
        case .array(let items): "array<\(items.displayName)>"
        case .object(let properties):
            "object{"
                + properties.map { "\($0.name)\($0.required ? "" : "?"): \($0.type.displayName)" }
                .joined(separator: ", ") + "}"
        case .map(let values): "map<string, \(values.displayName)>"
        case .any: "any"
        case .sparkMLVector: "sparkml_vector"
        }
    }

    /// Reads a type object (`{"type": …, "items"|"properties"|"values": …}`), with MLflow's error messages.
    /// `context` names the JSON kind in the "missing `type`" message (`ColSpec`, `Array's items`, …).
    static func decode(_ object: JSONObject, context: String, item: String?) throws(ModelBundleError) -> ColumnType {
        guard let typeValue = object["type"] else {
            throw ModelBundleError(
                .schemaInvalid,
                "Missing keys in \(context) JSON. Expected to find key `type`",
                item: item
            )
        }
        guard let typeName = typeValue.stringValue else {
            throw ModelBundleError(.schemaInvalid, "The `type` of \(context) must be a string", item: item)
        }
        switch typeName {
        case "array":
            guard let items = object["items"] else {
                throw ModelBundleError(
                    .schemaInvalid,
                    "Missing keys in Array JSON. Expected to find keys `items` and `type`",
                    item: item
                )
            }
            guard let itemsObject = items.objectValue else {
                throw ModelBundleError(.schemaInvalid, "Expected items to be a dictionary of Object JSON", item: item)
            }
            return .array(try decode(itemsObject, context: "Array's items", item: item))
        case "map":
            guard let values = object["values"] else {
                throw ModelBundleError(
                    .schemaInvalid,
                    "Missing keys in Map JSON. Expected to find keys `values` and `type`",
                    item: item
                )
            }
            guard let valuesObject = values.objectValue else {
                throw ModelBundleError(.schemaInvalid, "Expected values to be a dictionary of Object JSON", item: item)
            }
            return .map(try decode(valuesObject, context: "Map's items", item: item))
        case "object":
            guard let properties = object["properties"] else {
                throw ModelBundleError(
                    .schemaInvalid,
                    "Missing keys in Object JSON. Expected to find keys `properties` and `type`",
                    item: item
                )
            }
            guard let propertiesObject = properties.objectValue else {
                throw ModelBundleError(
                    .schemaInvalid,
                    "Expected properties to be a dictionary of Property JSON",
                    item: item
                )
            }
            var list: [ObjectProperty] = []
            for (name, value) in propertiesObject {
                guard let propertyObject = value.objectValue else {
                    throw ModelBundleError(
                        .schemaInvalid,
                        "Expected properties to be a dictionary of Property JSON",
                        item: name
                    )
                }
                list.append(try ObjectProperty.decode(name: name, propertyObject))
            }
            return try makeObject(list)
        case "any": return .any
        case "sparkml_vector": return .sparkMLVector
        default:
            guard let dataType = DataType(rawValue: typeName) else {
                throw ModelBundleError(
                    .schemaInvalid,
                    "Unsupported type '\(typeName)', expected instance of DataType or one of "
                        + "['boolean', 'integer', 'long', 'float', 'double', 'string', 'binary', 'datetime']",
                    item: item
                )
            }
            return .scalar(dataType)
        }
    }
}
