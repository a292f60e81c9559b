import ModelBundle

/// The tensor datatypes of the Open Inference Protocol and how MLflow types map onto them, as
/// MLServer's MLflow runtime maps them (`mlserver_mlflow/metadata.py`).
enum V2Datatype: String, Sendable, CaseIterable {
    case bool = "BOOL"
    case uint8 = "UINT8"
    case uint16 = "UINT16"
    case uint32 = "UINT32"
    case uint64 = "UINT64"
    case int8 = "INT8"
    case int16 = "INT16"
    case int32 = "INT32"
    case int64 = "INT64"
    case fp16 = "FP16"
    case fp32 = "FP32"
    case fp64 = "FP64"
    case bytes = "BYTES"

    /// A column type: scalars by MLServer's table, nested types as pandas-JSON `BYTES`.
    static func forColumn(_ type: ColumnType) -> (V2Datatype, contentType: String) {
        guard case .scalar(let scalar) = type else { return (.bytes, "pd_json") }
        switch scalar {
        case .boolean: return (.bool, "np")
        case .integer: return (.int32, "np")
        case .long: return (.int64, "np")
        case .float: return (.fp32, "np")
        case .double: return (.fp64, "np")
        case .string: return (.bytes, "str")
        case .binary: return (.bytes, "base64")
        case .datetime: return (.bytes, "datetime")
        }
    }

    /// A tensor element type (MLServer's `to_datatype` of the numpy dtype).
    static func forTensor(_ dtype: TensorDType) -> V2Datatype {
        switch dtype {
        case .bool: .bool
        case .int8: .int8
        case .int16: .int16
        case .int32: .int32
        case .int64: .int64
        case .uint8: .uint8
        case .uint16: .uint16
        case .uint32: .uint32
        case .uint64: .uint64
        case .float16: .fp16
        case .float32: .fp32
        case .float64: .fp64
        case .str, .bytes, .object, .datetime64ns, .datetime64us, .datetime64ms, .datetime64s, .datetime64D: .bytes
        }
    }

    /// The datatype of values the model returned.
    static func forValues(_ values: ColumnValues) -> V2Datatype {
        switch values {
        case .double: .fp64
        case .float: .fp32
        case .long: .int64
        case .integer: .int32
        case .boolean: .bool
        case .string, .binary, .datetime, .json, .cells: .bytes
        }
    }

    /// Inclusive bounds of the integer datatypes.
    var integerRange: ClosedRange<Int64>? {
        switch self {
        case .int8: Int64(Int8.min)...Int64(Int8.max)
        case .int16: Int64(Int16.min)...Int64(Int16.max)
        case .int32: Int64(Int32.min)...Int64(Int32.max)
        case .int64: Int64.min...Int64.max
        case .uint8: 0...Int64(UInt8.max)
        case .uint16: 0...Int64(UInt16.max)
        case .uint32: 0...Int64(UInt32.max)
        case .uint64: 0...Int64.max
        default: nil
        }
    }
}
