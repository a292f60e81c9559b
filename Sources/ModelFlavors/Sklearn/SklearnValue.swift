import ModelBundle

/// A fitted attribute as plain data, the same for skops and pickle: what the preprocessing readers
/// (``SklearnPreprocessingState``) walk. Nothing here can run code: a nested object is another
/// allowlisted ``SklearnAttributeSource``, a class reference only its name.
enum SklearnValue {
    case null
    case bool(Bool)
    case int(Int64)
    case float(Double)
    case string(String)
    /// A list or tuple, or an object array (items rebuilt as data: str, None, NaN, numbers, arrays).
    case list([SklearnValue])
    /// Keys as text (int keys written in decimal, as skops' JSON keys are).
    case dict([(key: String, value: SklearnValue)])
    case array(WeightTensor)
    /// A str array (`<U<n>` or an object array of str).
    case strings([String])
    case object(SklearnObject)
    case slice(start: Int64?, stop: Int64?, step: Int64?)
    /// A class or dtype given as a parameter (`dtype=np.float64`): its name, never loaded.
    case type(String)
    /// ``SklearnNumericCheck``'s `partial(check_array, …)`, recognised and never called.
    case numericCheck
    /// A `make_column_selector` (its pattern and dtypes are never evaluated: a fitted
    /// ColumnTransformer's resolved columns are in `_transformer_to_input_indices`).
    case columnSelector
    /// A function the file names as data (``SklearnInertFunction``): its qualified name, never called.
    case function(String)

    var kindName: String {
        switch self {
        case .null: "None"
        case .bool: "a bool"
        case .int: "an int"
        case .float: "a float"
        case .string: "a str"
        case .list: "a list"
        case .dict: "a dict"
        case .array: "a numpy array"
        case .strings: "a str array"
        case .object(let object): object.source.kind.shortName
        case .slice: "a slice"
        case .type(let name): "the type \(name)"
        case .numericCheck: SklearnNumericCheck.description
        case .columnSelector: "a make_column_selector"
        case .function(let name): "the function \(name)"
        }
    }

    /// Items of a list, an array (one dimension) or a str array, each as a value.
    var items: [SklearnValue]? {
        switch self {
        case .list(let items): return items
        case .strings(let strings): return strings.map { .string($0) }
        case .array(let tensor) where tensor.shape.count <= 1:
            if tensor.dtype.isInteger && tensor.dtype != .uint64 {
                return SklearnValue.integers(tensor).map { .int($0) }
            }
            return tensor.float64Values().map { .float($0) }
        default: return nil
        }
    }

    /// The nested object, when the value is one.
    var object: SklearnObject? {
        if case .object(let object) = self { object } else { nil }
    }

    /// None or "passthrough": a Pipeline step that does nothing.
    var isPassthrough: Bool {
        switch self {
        case .null: true
        case .string(let text): text == "passthrough"
        default: false
        }
    }

    /// The value of a dict entry.
    subscript(key: String) -> SklearnValue? {
        guard case .dict(let entries) = self else { return nil }
        return entries.last { $0.key == key }?.value
    }

    var int: Int64? {
        switch self {
        case .int(let value): value
        case .bool(let flag): flag ? 1 : 0
        case .array(let tensor) where tensor.shape.isEmpty && tensor.dtype.isInteger:
            SklearnValue.integers(tensor).first
        default: nil
        }
    }

    var double: Double? {
        switch self {
        case .float(let value): value
        case .int(let value): Double(value)
        case .array(let tensor) where tensor.shape.isEmpty: tensor.float64Values().first
        default: nil
        }
    }

    /// A category as scikit-learn compares it; nil for values that are not one.
    var cell: PreprocessingCell? {
        switch self {
        case .null: PreprocessingCell.none
        case .string(let text): .text(text)
        case .bool(let flag): .number(flag ? 1 : 0)
        case .int(let value): .number(Double(value))
        case .float(let value): value.isNaN ? .nan : .number(value)
        case .array(let tensor) where tensor.shape.isEmpty:
            tensor.float64Values().first.map { $0.isNaN ? .nan : .number($0) }
        default: nil
        }
    }

    /// Integers of an integer tensor, exactly (int64 bit for bit).
    static func integers(_ tensor: WeightTensor) -> [Int64] {
        if tensor.dtype == .int64 {
            return (0..<tensor.elementCount).map { index in
                var value: UInt64 = 0
                for byte in 0..<8 { value |= UInt64(tensor.bytes[index * 8 + byte]) << (8 * UInt64(byte)) }
                return Int64(bitPattern: value)
            }
        }
        return tensor.float64Values().map { Int64($0) }
    }
}

/// A nested allowlisted object (boxed: the attribute source protocol itself returns values).
final class SklearnObject {
    let source: any SklearnAttributeSource
    init(_ source: any SklearnAttributeSource) { self.source = source }
    var kind: SklearnEstimator.Kind { source.kind }
}
