/// Infers schemas from example data the way MLflow's `infer_signature` / `_infer_schema` do (spec §2.8),
/// for data described in Swift terms: tensors by dtype and shape, data frames by columns of JSON-like values,
/// plain Python-like values as ``JSONValue``, and params.
package enum SignatureInference {
    /// The message MLflow gives when a list mixes element types.
    static let multipleTypesMessage =
        "Expected all values in the list to be of the same type. To specify a model signature with a list "
        + "containing elements of multiple types, define the signature manually using the Array(AnyType()) type "
        + "from mlflow.models.schema."

    // MARK: Tensors

    /// An `ndarray`: one unnamed tensor whose first dimension becomes variable (`(4, 2)` → `[-1, 2]`).
    public static func tensorSchema(dtype: TensorDType, shape: [Int]) throws(ModelBundleError) -> Schema {
        try Schema(tensors: [TensorSpec(dtype: dtype, shape: variableFirstDimension(shape))])
    }

    /// A `dict` of named ndarrays: one named tensor per entry, in order.
    public static func tensorSchema(named arrays: [(name: String, dtype: TensorDType, shape: [Int])])
        throws(ModelBundleError) -> Schema
    {
        try Schema(
            tensors: arrays.map { TensorSpec(dtype: $0.dtype, shape: variableFirstDimension($0.shape), name: $0.name) }
        )
    }

    private static func variableFirstDimension(_ shape: [Int]) -> [Int] {
        shape.isEmpty ? [] : [-1] + shape.dropFirst()
    }

    // MARK: Data frames

    /// A pandas data frame given as columns of values, optionally with a declared numpy/pandas dtype name
    /// (`int32`, `float32`, `Int64`, `boolean`, `string`, `object`, …). Without a dtype the column's dtype is
    /// what pandas would pick for the values (ints → `int64`, ints with nulls or floats → `float64`, strings →
    /// `str`, anything else → `object`, then inspected value by value). A column with any null (or NaN) is not
    /// required; an all-null column is `any`.
    public static func frameSchema(columns: [(name: String, values: [JSONValue], dtype: String?)])
        throws(ModelBundleError) -> Schema
    {
        var specs: [ColSpec] = []
        for column in columns {
            let hasNull = column.values.contains(where: isNullOrNaN)
            let type = try frameColumnType(column.values, dtype: column.dtype, name: column.name)
            specs.append(ColSpec(type: type, name: column.name, required: !hasNull))
        }
        return try Schema(columns: specs)
    }

    private static func frameColumnType(_ values: [JSONValue], dtype: String?, name: String)
        throws(ModelBundleError) -> ColumnType
    {
        if let dtype, dtype != "object" {
            return .scalar(try dataType(numpyName: dtype, item: name))
        }
        let present = values.filter { !isNullOrNaN($0) }
        let hasNull = present.count != values.count
        if dtype == nil, !present.isEmpty {
            if present.allSatisfy({ if case .integer = $0 { true } else { false } }) {
                return .scalar(hasNull ? .double : .long)
            }
            if present.allSatisfy({ if case .integer = $0 { true } else if case .double = $0 { true } else { false } })
            {
                return .scalar(.double)
            }
            if present.allSatisfy({ $0.stringValue != nil }) {
                return .scalar(.string)
            }
            if !hasNull, present.allSatisfy({ if case .bool = $0 { true } else { false } }) {
                return .scalar(.boolean)
            }
        }
        // An object column: MLflow infers the type of the list of values and takes the element type.
        guard case .array(let items) = try inferType(.array(values), item: name) else {
            return .any
        }
        return items
    }

    /// `_infer_numpy_dtype` for the dtype names pandas and numpy print.
    static func dataType(numpyName: String, item: String) throws(ModelBundleError) -> DataType {
        switch numpyName {
        case "bool", "boolean": return .boolean
        case "int8", "int16", "int32", "uint8", "uint16", "Int8", "Int16", "Int32", "UInt8", "UInt16": return .integer
        case "int64", "uint32", "Int64", "UInt32": return .long
        case "float16", "float32", "Float32": return .float
        case "float64", "Float64": return .double
        case "str", "string": return .string
        case "bytes": return .binary
        default:
            if numpyName.hasPrefix("datetime64") { return .datetime }
            if numpyName == "uint64" || numpyName == "UInt64" {
                throw ModelBundleError(.schemaInvalid, "Unsupported numpy data type 'uint64', kind 'u'", item: item)
            }
            throw ModelBundleError(
                .schemaInvalid,
                "Unsupported numpy data type '\(numpyName.prefix(40))'",
                item: item
            )
        }
    }

    // MARK: Python values

    /// A plain value as `json.loads` would give it: a scalar or a list of scalars → one unnamed column of that
    /// type (`[]` → `string`, MLflow's legacy rule); a dict → one named column per key; a list of dicts →
    /// columns for the union of keys, optional where a record lacks the key or holds null.
    public static func valueSchema(_ value: JSONValue) throws(ModelBundleError) -> Schema {
        switch value {
        case .array(let elements) where elements.isEmpty:
            return try Schema(columns: [ColSpec(.string)])
        case .array(let records) where records.allSatisfy({ $0.objectValue != nil }):
            var names: [String] = []
            var valuesByName: [String: [JSONValue]] = [:]
            for record in records {
                for (key, member) in record.objectValue ?? JSONObject() {
                    if valuesByName[key] == nil {
                        names.append(key)
                    }
                    valuesByName[key, default: []].append(member)
                }
            }
            var specs: [ColSpec] = []
            for name in names {
                let required = records.allSatisfy { record in
                    record[name].map { !$0.isNull } ?? false
                }
                guard case .array(let items) = try inferType(.array(valuesByName[name] ?? []), item: name) else {
                    throw ModelBundleError(.schemaInvalid, "Cannot infer a type for column", item: name)
                }
                specs.append(ColSpec(type: items, name: name, required: required))
            }
            return try Schema(columns: specs)
        case .object(let object):
            var specs: [ColSpec] = []
            for (name, member) in object {
                specs.append(
                    ColSpec(type: try inferType(member, item: name), name: name, required: !isNullOrNaN(member))
                )
            }
            return try Schema(columns: specs)
        case .array:
            guard case .array(let items) = try inferType(value, item: nil) else {
                throw ModelBundleError(.schemaInvalid, "Cannot infer a type for the list")
            }
            return try Schema(columns: [ColSpec(type: items)])
        default:
            return try Schema(columns: [ColSpec(type: try inferType(value, item: nil))])
        }
    }

    /// `_infer_datatype`: null and empty containers → `any`; dict → object; list → array of the merged
    /// element type; scalars by Python type.
    static func inferType(_ value: JSONValue, item: String?) throws(ModelBundleError) -> ColumnType {
        if isNullOrNaN(value) { return .any }
        switch value {
        case .null: return .any
        case .bool: return .scalar(.boolean)
        case .integer: return .scalar(.long)
        case .double: return .scalar(.double)
        case .string: return .scalar(.string)
        case .object(let object):
            if object.isEmpty { return .any }
            var properties: [ObjectProperty] = []
            for (name, member) in object {
                let type = try inferType(member, item: name)
                properties.append(ObjectProperty(name: name, type: type, required: type != .any))
            }
            return try ColumnType.makeObject(properties)
        case .array(let elements):
            if elements.isEmpty { return .any }
            var result: ColumnType?
            for element in elements {
                let type = try inferType(element, item: item)
                guard let current = result else {
                    result = type
                    continue
                }
                switch current {
                case .array, .object, .map, .any:
                    result = try merge(current, type, item: item)
                default:
                    if type != .any && type != current {
                        throw ModelBundleError(.schemaInvalid, multipleTypesMessage, item: item)
                    }
                }
            }
            return .array(result ?? .any)
        }
    }

    /// `BaseType._merge`: equal types merge; `any` yields to the other; arrays and maps merge their element
    /// types; objects merge properties, a property missing on one side becoming optional.
    static func merge(_ lhs: ColumnType, _ rhs: ColumnType, item: String?) throws(ModelBundleError) -> ColumnType {
        if lhs == rhs { return lhs }
        switch (lhs, rhs) {
        case (.any, _): return rhs
        case (_, .any): return lhs
        case (.array(let left), .array(let right)): return .array(try merge(left, right, item: item))
        case (.map(let left), .map(let right)): return .map(try merge(left, right, item: item))
        case (.object(let left), .object(let right)):
            var merged: [ObjectProperty] = []
            for property in left {
                if let other = right.first(where: { $0.name == property.name }) {
                    merged.append(
                        ObjectProperty(
                            name: property.name,
                            type: try merge(property.type, other.type, item: property.name),
                            required: property.required && other.required
                        )
                    )
                } else {
                    merged.append(ObjectProperty(name: property.name, type: property.type, required: false))
                }
            }
            for property in right where !left.contains(where: { $0.name == property.name }) {
                merged.append(ObjectProperty(name: property.name, type: property.type, required: false))
            }
            return try ColumnType.makeObject(merged)
        default:
            throw ModelBundleError(.schemaInvalid, multipleTypesMessage, item: item)
        }
    }

    static func isNullOrNaN(_ value: JSONValue) -> Bool {
        switch value {
        case .null: true
        case .double(let double): double.isNaN
        default: false
        }
    }

    // MARK: Params

    /// `_infer_param_schema`: each value becomes the default of a param whose type is inferred (scalars by
    /// Python type, 1-D lists by their numpy element dtype with shape `[-1]`, dicts as objects).
    public static func paramSchema(_ params: JSONObject) throws(ModelBundleError) -> ParamSchema {
        var specs: [ParamSpec] = []
        var failures: [String] = []
        var firstFailure: String?
        for (name, value) in params {
            do throws(ModelBundleError) {
                let (type, shape) = try paramTypeAndShape(value)
                specs.append(try ParamSpec(name: name, type: type, default: value, shape: shape))
            } catch {
                firstFailure = firstFailure ?? name
                failures.append(
                    "(\(pythonStringRepr(name)), \(value.pythonReprText), MlflowException(\(pythonStringRepr(error.message))))"
                )
            }
        }
        if !failures.isEmpty {
            throw ModelBundleError(
                .schemaInvalid,
                "Failed to infer schema for parameters: [" + failures.joined(separator: ", ") + "]",
                item: firstFailure
            )
        }
        return try ParamSchema(specs)
    }

    private static func paramTypeAndShape(_ value: JSONValue) throws(ModelBundleError) -> (ColumnType, [Int]?) {
        switch value {
        case .bool, .integer, .double, .string:
            return (try inferType(value, item: nil), nil)
        case .object:
            return (try inferType(value, item: nil), nil)
        case .array(let elements):
            if elements.contains(where: \.isContainer) {
                throw ModelBundleError(
                    .schemaInvalid,
                    "Expected parameters to be 1D array or scalar, got \(value.pythonNDim)D array"
                )
            }
            // numpy's promotion for a 1-D list: all bools → bool, ints → int64, any float → float64, strings → str.
            let type: DataType
            if elements.isEmpty {
                type = .double  // np.array([]) is float64
            } else if elements.allSatisfy({ if case .bool = $0 { true } else { false } }) {
                type = .boolean
            } else if elements.allSatisfy({ if case .integer = $0 { true } else { false } }) {
                type = .long
            } else if elements.allSatisfy({
                if case .integer = $0 { true } else if case .double = $0 { true } else { false }
            }) {
                type = .double
            } else if elements.allSatisfy({ $0.stringValue != nil }) {
                type = .string
            } else {
                throw ModelBundleError(.schemaInvalid, "Expected parameters to be 1D array of one type")
            }
            return (.scalar(type), [-1])
        case .null:
            throw ModelBundleError(.schemaInvalid, "Expected parameters to be 1D array or scalar, got NoneType")
        }
    }
}
