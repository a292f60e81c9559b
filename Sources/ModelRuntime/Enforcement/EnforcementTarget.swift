import ModelBundle

/// The typed buffer a column or tensor is converted into, with the bounds a value must respect.
/// Built from a column's ``DataType`` or a tensor's ``TensorDType``.
struct EnforcementTarget {
    enum Storage { case double, float, long, integer, boolean, string, binary, datetime, anything }

    let storage: Storage
    /// The name used in messages (`long`, `int8`, `float32`).
    let name: String
    /// Inclusive bounds for integer storage.
    var minimum: Int64 = .min
    var maximum: Int64 = .max

    init(_ type: DataType) {
        name = type.rawValue
        switch type {
        case .double: storage = .double
        case .float: storage = .float
        case .long: storage = .long
        case .integer:
            storage = .integer
            minimum = Int64(Int32.min)
            maximum = Int64(Int32.max)
        case .boolean: storage = .boolean
        case .string: storage = .string
        case .binary: storage = .binary
        case .datetime: storage = .datetime
        }
    }

    init(_ dtype: TensorDType) {
        name = dtype.rawValue
        switch dtype {
        // float16 has no buffer of its own: its values are kept as doubles, bounded by its range.
        case .float64, .float16: storage = .double
        case .float32: storage = .float
        case .int64: storage = .long
        case .uint32, .uint64: storage = .long
        case .int8, .int16, .int32, .uint8, .uint16: storage = .integer
        case .bool: storage = .boolean
        case .str: storage = .string
        case .bytes: storage = .binary
        case .object: storage = .anything
        case .datetime64ns, .datetime64us, .datetime64ms, .datetime64s, .datetime64D: storage = .datetime
        }
        switch dtype {
        case .int8: (minimum, maximum) = (Int64(Int8.min), Int64(Int8.max))
        case .int16: (minimum, maximum) = (Int64(Int16.min), Int64(Int16.max))
        case .int32: (minimum, maximum) = (Int64(Int32.min), Int64(Int32.max))
        case .uint8: (minimum, maximum) = (0, Int64(UInt8.max))
        case .uint16: (minimum, maximum) = (0, Int64(UInt16.max))
        case .uint32: (minimum, maximum) = (0, Int64(UInt32.max))
        // uint64 values above Int64.max have no exact buffer here; they are refused as out of range.
        case .uint64: minimum = 0
        default: break
        }
    }

    var isInteger: Bool { storage == .long || storage == .integer }
    var isFloatingPoint: Bool { storage == .double || storage == .float }

    /// Whether a null cell is accepted. MLflow's `required` controls presence only: a present column
    /// may hold nulls, except integer columns, which cannot represent them (spec §3.2, §3.8).
    var acceptsNull: Bool { !isInteger }

    /// Largest finite magnitude for floating-point storage (float16's own range for float16 tensors).
    var floatingLimit: Double {
        switch name {
        case "float16": 65504
        case "float32", "float": Double(Float.greatestFiniteMagnitude)
        default: .greatestFiniteMagnitude
        }
    }
}
