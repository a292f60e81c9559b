/// One tensor of a tensor-based schema (`mlflow.types.TensorSpec`): a numpy dtype and a shape where `-1`
/// marks a variable dimension (`[]` for a 0-d tensor).
public struct TensorSpec: Sendable, Hashable {
    public var dtype: TensorDType
    public var shape: [Int]
    public var name: String?

    public init(dtype: TensorDType, shape: [Int], name: String? = nil) {
        self.dtype = dtype
        self.shape = shape
        self.name = name
    }

    /// The JSON MLflow writes: `name` first when named, then `type`, then `tensor-spec`.
    var json: JSONValue {
        var members: [(String, JSONValue)] = []
        if let name {
            members.append(("name", .string(name)))
        }
        members.append(("type", .string("tensor")))
        members.append(
            (
                "tensor-spec",
                .object([("dtype", .string(dtype.rawValue)), ("shape", .array(shape.map { .integer(Int64($0)) }))])
            )
        )
        return .object(members)
    }

    /// The shape as Python prints a tuple: `()`, `(-1,)`, `(-1, 2)`.
    var shapeText: String {
        shape.count == 1 ? "(\(shape[0]),)" : "(" + shape.map(String.init).joined(separator: ", ") + ")"
    }

    /// MLflow's repr: `Tensor('float32', (-1, 2))`, prefixed by `'name': ` when named.
    var pythonRepr: String {
        let tensor = "Tensor(\(pythonStringRepr(dtype.rawValue)), \(shapeText))"
        guard let name else { return tensor }
        return "\(pythonStringRepr(name)): \(tensor)"
    }

    /// The largest rank accepted when reading, so a hostile shape cannot make us allocate much.
    static let maximumRank = 64

    static func decode(_ object: JSONObject, item: String) throws(ModelBundleError) -> TensorSpec {
        let name = try decodeName(object, item: item)
        guard let spec = object["tensor-spec"] else {
            throw ModelBundleError(
                .schemaInvalid,
                "Missing keys in TensorSpec JSON. Expected to find keys `tensor-spec` and `type`",
                item: name ?? item
            )
        }
        guard let spec = spec.objectValue, let dtypeValue = spec["dtype"], let shapeValue = spec["shape"] else {
            throw ModelBundleError(
                .schemaInvalid,
                "Missing keys in TensorSpec JSON. Expected to find keys `dtype` and `shape`",
                item: name ?? item
            )
        }
        guard let dtypeName = dtypeValue.stringValue else {
            throw ModelBundleError(.schemaInvalid, "The tensor `dtype` must be a string", item: name ?? item)
        }
        guard let dtype = TensorDType(rawValue: dtypeName) else {
            if let first = dtypeName.drop(while: { $0 == "<" || $0 == ">" || $0 == "|" || $0 == "=" }).first,
                first == "U" || first == "S"
            {
                throw ModelBundleError(
                    .schemaInvalid,
                    "MLflow does not support size information in flexible numpy data types. Use np.dtype(\"str\") instead",
                    item: name ?? item
                )
            }
            throw ModelBundleError(
                .schemaInvalid,
                "Unsupported tensor dtype '\(dtypeName.prefix(40))'",
                item: name ?? item
            )
        }
        guard let dims = shapeValue.arrayValue, dims.count <= maximumRank else {
            throw ModelBundleError(
                .schemaInvalid,
                "The tensor `shape` must be a list of at most \(maximumRank) integers",
                item: name ?? item
            )
        }
        var shape: [Int] = []
        for dim in dims {
            guard case .integer(let value) = dim, value >= -1, value <= Int64(Int32.max) else {
                throw ModelBundleError(
                    .schemaInvalid,
                    "Tensor dimensions must be integers >= -1 (-1 marks a variable dimension)",
                    item: name ?? item
                )
            }
            shape.append(Int(value))
        }
        return TensorSpec(dtype: dtype, shape: shape, name: name)
    }
}
