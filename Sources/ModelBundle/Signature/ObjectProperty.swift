/// One property of an object type (`mlflow.types.schema.Property`): a name, a type and whether it must be present.
public struct ObjectProperty: Sendable, Hashable {
    public var name: String
    public var type: ColumnType
    public var required: Bool

    public init(name: String, type: ColumnType, required: Bool = true) {
        self.name = name
        self.type = type
        self.required = required
    }

    /// The property's JSON value inside `properties`: its type object followed by `required`.
    var jsonMembers: [(String, JSONValue)] {
        type.jsonMembers + [("required", .bool(required))]
    }

    var pythonRepr: String {
        "\(name): \(type.pythonRepr) (\(required ? "required" : "optional"))"
    }

    static func decode(name: String, _ object: JSONObject) throws(ModelBundleError) -> ObjectProperty {
        if object["type"] == nil {
            throw ModelBundleError(
                .schemaInvalid,
                "Missing keys in Property `\(name)`. Expected to find key `type`",
                item: name
            )
        }
        let type = try ColumnType.decode(object, context: "Property `\(name)`", item: name)
        return ObjectProperty(name: name, type: type, required: try decodeRequired(object, item: name))
    }
}

/// Reads `required`: missing or `null` means true (files written before MLflow 2.10 have no `required`).
func decodeRequired(_ object: JSONObject, item: String?) throws(ModelBundleError) -> Bool {
    switch object["required"] {
    case nil, .null?: return true
    case .bool(let flag)?: return flag
    default: throw ModelBundleError(.schemaInvalid, "`required` must be true or false", item: item)
    }
}

/// Python's `repr` of a string: single quotes unless the text holds a single quote and no double quote.
func pythonStringRepr(_ text: String) -> String {
    let quote: Character = text.contains("'") && !text.contains("\"") ? "\"" : "'"
    var result = String(quote)
    for scalar in text.unicodeScalars {
        switch scalar {
        case "\\": result += "\\\\"
        case "\n": result += "\\n"
        case "\r": result += "\\r"
        case "\t": result += "\\t"
        default:
            if Character(scalar) == quote {
                result += "\\" + String(quote)
            } else if scalar.value < 0x20 || scalar.value == 0x7F {
                let hex = String(scalar.value, radix: 16)
                result += "\\x" + (hex.count < 2 ? "0" : "") + hex
            } else {
                result.unicodeScalars.append(scalar)
            }
        }
    }
    result.append(quote)
    return result
}
