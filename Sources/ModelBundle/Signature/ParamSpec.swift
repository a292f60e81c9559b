/// One inference parameter (`mlflow.types.ParamSpec`): a name, a type (a ``DataType`` other than `binary`, or
/// an object), a default value, and a shape that is `nil` (scalar or object) or `[-1]` (a 1-D list).
///
/// The default is validated against the type and shape when the spec is made, as MLflow does, so a bad
/// default makes the signature unreadable. Integer defaults of a `float`/`double` param become floats, as
/// MLflow converts them. Datetime defaults are kept as the ISO text MLflow writes (`isoformat()`).
public struct ParamSpec: Sendable, Hashable {
    public private(set) var name: String
    /// `.scalar(_)` or `.object(_)`; other column types are not valid for params.
    public private(set) var type: ColumnType
    public private(set) var defaultValue: JSONValue
    public private(set) var shape: [Int]?

    public init(name: String, type: ColumnType, default defaultValue: JSONValue, shape: [Int]? = nil)
        throws(ModelBundleError)
    {
        self.name = name
        self.type = type
        self.defaultValue = defaultValue
        self.shape = shape
        switch type {
        case .scalar(.binary):
            throw ModelBundleError(
                .schemaInvalid,
                "Binary type is not supported for parameters, ParamSpec '\(name)'has dtype 'binary'",
                item: name
            )
        case .scalar, .object: break
        default:
            throw ModelBundleError(
                .schemaInvalid,
                "Parameter types must be a DataType or an object, got \(type.displayName)",
                item: name
            )
        }
        self.defaultValue = try validatedDefault()
    }

    public init(name: String, type dataType: DataType, default defaultValue: JSONValue, shape: [Int]? = nil)
        throws(ModelBundleError)
    {
        try self.init(name: name, type: .scalar(dataType), default: defaultValue, shape: shape)
    }

    /// MLflow's repr, used in its messages: `'k': long (default: 5) (shape: (-1,))`.
    var pythonRepr: String {
        let shapeText = shape.map { " (shape: \(pythonTuple($0)))" } ?? ""
        let typeText: String
        switch type {
        case .scalar(let dataType): typeText = dataType.rawValue
        default: typeText = type.pythonRepr
        }
        return "\(pythonStringRepr(name)): \(typeText) (default: \(defaultValue.pythonStr))\(shapeText)"
    }

    private func validatedDefault() throws(ModelBundleError) -> JSONValue {
        let spec = pythonRepr
        if shape == [-1] {
            guard case .array(let elements) = defaultValue, !elements.contains(where: \.isContainer) else {
                let ndim = defaultValue.pythonNDim
                throw ModelBundleError(
                    .schemaInvalid,
                    "Value must be a 1D array with shape (-1,) for param \(spec), received "
                        + "\(defaultValue.pythonTypeName) with ndim \(ndim)",
                    item: name
                )
            }
            var converted: [JSONValue] = []
            for element in elements {
                converted.append(try Self.enforce(element, type, spec: spec, item: name))
            }
            return .array(converted)
        }
        guard let shape else {
            return try Self.enforce(defaultValue, type, spec: spec, item: name)
        }
        throw ModelBundleError(
            .schemaInvalid,
            "Shape must be None for scalar or dictionary value, or (-1,) for 1D array value for ParamSpec \(spec)), "
                + "received \(pythonTuple(shape))",
            item: name
        )
    }

    /// `_enforce_param_datatype` / `_enforce_object` for one value: exact types, int → float/double allowed.
    private static func enforce(_ value: JSONValue, _ type: ColumnType, spec: String, item: String)
        throws(ModelBundleError) -> JSONValue
    {
        func failure(_ reason: String) -> ModelBundleError {
            ModelBundleError(
                .schemaInvalid,
                "Failed to validate type and shape for \(spec), error: \(reason)",
                item: item
            )
        }
        if value.isNull { return value }
        switch type {
        case .scalar(.datetime):
            guard let text = value.stringValue, isISODateTime(text) else {
                throw failure("Failed to convert value `\(value.pythonStr)` to `datetime`; expected an ISO date")
            }
            return value
        case .scalar(let dataType):
            if value.isContainer {
                throw failure("Value must be a scalar for type `\(dataType.rawValue)`, got `\(value.pythonStr)`")
            }
            switch (dataType, value) {
            case (.boolean, .bool), (.integer, .integer), (.long, .integer), (.float, .double), (.double, .double),
                (.string, .string):
                return value
            case (.float, .integer(let integer)), (.double, .integer(let integer)):
                return .double(Double(integer))
            default:
                throw failure(
                    "Can not safely convert `<class '\(value.pythonTypeName)'>` to `DataType.\(dataType.rawValue)` "
                        + "for value `\(value.pythonStr)`"
                )
            }
        case .object(let properties):
            guard case .object(let object) = value else {
                throw failure("Expected value to be a dict, got \(value.pythonTypeName)")
            }
            for property in properties {
                guard let member = object[property.name], !member.isNull else {
                    if property.required { throw failure("Missing required property `\(property.name)`") }
                    continue
                }
                switch property.type {
                case .scalar, .object:
                    _ = try enforce(member, property.type, spec: spec, item: item)
                default:
                    break  // Nested arrays and maps in object params are accepted as written.
                }
            }
            return value
        default:
            return value
        }
    }

    /// `YYYY-MM-DD` optionally followed by `THH:MM[:SS[.ffffff]]` (what `isoformat()` and numpy accept).
    private static func isISODateTime(_ text: String) -> Bool {
        let bytes = Array(text.utf8)
        func digits(_ range: Range<Int>) -> Bool {
            range.upperBound <= bytes.count && bytes[range].allSatisfy { $0 >= 0x30 && $0 <= 0x39 }
        }
        guard bytes.count >= 10, digits(0..<4), bytes[4] == 0x2D, digits(5..<7), bytes[7] == 0x2D, digits(8..<10)
        else { return false }
        if bytes.count == 10 { return true }
        guard bytes[10] == UInt8(ascii: "T") || bytes[10] == 0x20, digits(11..<13), bytes.count >= 16,
            bytes[13] == 0x3A, digits(14..<16)
        else { return false }
        if bytes.count == 16 { return true }
        guard bytes.count >= 19, bytes[16] == 0x3A, digits(17..<19) else { return false }
        if bytes.count == 19 { return true }
        return bytes[19] == 0x2E && bytes.count > 20 && bytes.count <= 29 && digits(20..<bytes.count)
    }

    /// The JSON MLflow writes: `name`, `default`, `shape`, `type` (+ `properties` for objects).
    var json: JSONValue {
        var members: [(String, JSONValue)] = [
            ("name", .string(name)),
            ("default", defaultValue),
            ("shape", shape.map { .array($0.map { .integer(Int64($0)) }) } ?? .null),
        ]
        members.append(contentsOf: type.jsonMembers)
        return .object(members)
    }

    static func decode(_ object: JSONObject, item: String) throws(ModelBundleError) -> ParamSpec {
        let typeValue = object["type"] ?? object["dtype"]
        guard let nameValue = object["name"], let defaultValue = object["default"], let typeValue else {
            let keys = "dict_keys([" + object.keys.map(pythonStringRepr).joined(separator: ", ") + "])"
            throw ModelBundleError(
                .schemaInvalid,
                "Missing keys in ParamSpec JSON. Expected to find keys `name`, `type`(or `dtype`) and `default`. "
                    + "Received keys: \(keys)",
                item: item
            )
        }
        let name: String
        switch nameValue {
        case .string(let text): name = text
        case .integer(let number): name = String(number)
        default: throw ModelBundleError(.schemaInvalid, "The `name` of a ParamSpec must be a string", item: item)
        }
        guard let typeName = typeValue.stringValue else {
            throw ModelBundleError(.schemaInvalid, "The `type` of a ParamSpec must be a string", item: name)
        }
        let type: ColumnType
        if typeName == "object" {
            var typeObject = object
            typeObject["type"] = .string("object")
            type = try ColumnType.decode(typeObject, context: "Object", item: name)
        } else if let dataType = DataType(rawValue: typeName) {
            type = .scalar(dataType)
        } else {
            throw ModelBundleError(
                .schemaInvalid,
                "Unsupported type '\(typeName.prefix(40))', expected instance of DataType or one of "
                    + "['boolean', 'integer', 'long', 'float', 'double', 'string', 'datetime']",
                item: name
            )
        }
        var shape: [Int]?
        switch object["shape"] {
        case nil, .null?: shape = nil
        case .array(let dims)? where dims.count <= TensorSpec.maximumRank:
            shape = []
            for dim in dims {
                guard case .integer(let value) = dim, value >= -1, value <= Int64(Int32.max) else {
                    throw ModelBundleError(.schemaInvalid, "A ParamSpec `shape` must hold integers", item: name)
                }
                shape?.append(Int(value))
            }
        default:
            throw ModelBundleError(.schemaInvalid, "A ParamSpec `shape` must be null or [-1]", item: name)
        }
        return try ParamSpec(name: name, type: type, default: defaultValue, shape: shape)
    }
}

func pythonTuple(_ values: [Int]) -> String {
    values.count == 1 ? "(\(values[0]),)" : "(" + values.map(String.init).joined(separator: ", ") + ")"
}

extension JSONValue {
    var isContainer: Bool {
        switch self {
        case .array, .object: true
        default: false
        }
    }

    /// `np.array(value).ndim` for regular nested lists (0 for scalars and dicts).
    var pythonNDim: Int {
        guard case .array(let elements) = self else { return 0 }
        return 1 + (elements.first?.pythonNDim ?? 0)
    }

    /// Python's `str(value)` for the value as `json.loads` would return it (used in MLflow's messages).
    var pythonStr: String {
        if case .string(let text) = self { return text }
        return pythonReprText
    }

    /// Python's `repr(value)`.
    var pythonReprText: String {
        switch self {
        case .null: "None"
        case .bool(let flag): flag ? "True" : "False"
        case .integer(let integer): String(integer)
        case .double(let double): JSONWriter.pythonRepr(double)
        case .string(let text): pythonStringRepr(text)
        case .array(let elements): "[" + elements.map(\.pythonReprText).joined(separator: ", ") + "]"
        case .object(let object):
            "{"
                + object.members.map { pythonStringRepr($0.key) + ": " + $0.value.pythonReprText }
                .joined(separator: ", ") + "}"
        }
    }
}
