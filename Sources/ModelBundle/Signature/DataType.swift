/// MLflow's scalar column types (`mlflow.types.DataType`), spelled as MLflow writes them.
public enum DataType: String, Sendable, Hashable, CaseIterable, CustomStringConvertible {
    case boolean
    case integer
    case long
    case float
    case double
    case string
    case binary
    case datetime

    /// The numpy dtype MLflow associates with the type (`DataType.to_numpy()`).
    public var numpyName: String {
        switch self {
        case .boolean: "bool"
        case .integer: "int32"
        case .long: "int64"
        case .float: "float32"
        case .double: "float64"
        case .string: "str"
        case .binary: "bytes"
        case .datetime: "datetime64[ns]"
        }
    }

    /// Whether values of the type are numbers (integer or floating point).
    public var isNumeric: Bool {
        switch self {
        case .integer, .long, .float, .double: true
        default: false
        }
    }

    public var description: String { rawValue }
}
