/// The numpy dtype names a `TensorSpec` may carry (`{"dtype": "float32", …}`).
///
/// MLflow writes numpy's names; sized string dtypes (`<U10`, `S5`) are refused, as MLflow does.
public enum TensorDType: String, Sendable, Hashable, CaseIterable, CustomStringConvertible {
    case bool
    case int8, int16, int32, int64
    case uint8, uint16, uint32, uint64
    case float16, float32, float64
    case str
    case bytes
    case object
    case datetime64ns = "datetime64[ns]"
    case datetime64us = "datetime64[us]"
    case datetime64ms = "datetime64[ms]"
    case datetime64s = "datetime64[s]"
    case datetime64D = "datetime64[D]"

    /// Bytes per element for fixed-width numeric types; `nil` for strings, bytes and objects.
    public var byteWidth: Int? {
        switch self {
        case .bool, .int8, .uint8: 1
        case .int16, .uint16, .float16: 2
        case .int32, .uint32, .float32: 4
        case .int64, .uint64, .float64: 8
        case .datetime64ns, .datetime64us, .datetime64ms, .datetime64s, .datetime64D: 8
        case .str, .bytes, .object: nil
        }
    }

    /// Whether the dtype is a floating-point type.
    public var isFloatingPoint: Bool { self == .float16 || self == .float32 || self == .float64 }

    /// Whether the dtype is a signed or unsigned integer type.
    public var isInteger: Bool {
        switch self {
        case .int8, .int16, .int32, .int64, .uint8, .uint16, .uint32, .uint64: true
        default: false
        }
    }

    public var description: String { rawValue }
}
