/// The values of one column (or the elements of a tensor), in one contiguous typed buffer.
///
/// Numbers are never boxed: a `double` column is one `[Double]`. Nulls are not stored here but in
/// the column's ``ValidityMask`` (a null cell holds a placeholder: `NaN`, `0`, `false`, `""`).
/// When a request's values do not all fit the column's type without loss (`1.7` or `"7"` for a
/// `long` column, a string among numbers), the decoder keeps them as written in ``Cells`` so that
/// schema enforcement can refuse each offending cell by row and value instead of casting silently.
public enum ColumnValues: Sendable, Equatable {
    case double([Double])
    case float([Float])
    case long([Int64])
    case integer([Int32])
    case boolean([Bool])
    case string([String])
    case binary([[UInt8]])
    /// Nanoseconds since 1970-01-01T00:00:00, timezone-naive (pandas' `datetime64[ns]`).
    case datetime([Int64])
    /// Raw JSON text of each cell, for `array`, `object`, `map` and `any` columns; enforcement
    /// parses and checks it against the nested type later.
    case json([String])
    /// Values as written, for a column whose cells have mixed kinds.
    case cells(Cells)

    /// The number of cells.
    public var count: Int {
        switch self {
        case .double(let v): v.count
        case .float(let v): v.count
        case .long(let v): v.count
        case .integer(let v): v.count
        case .boolean(let v): v.count
        case .string(let v): v.count
        case .binary(let v): v.count
        case .datetime(let v): v.count
        case .json(let v): v.count
        case .cells(let v): v.kinds.count
        }
    }

    /// The numpy dtype the values have, or `nil` for ``cells(_:)`` and ``json(_:)``.
    public var dtype: TensorDType? {
        switch self {
        case .double: .float64
        case .float: .float32
        case .long: .int64
        case .integer: .int32
        case .boolean: .bool
        case .string: .str
        case .binary: .bytes
        case .datetime: .datetime64ns
        case .json, .cells: nil
        }
    }

    /// Cells kept exactly as the request wrote them: a kind byte per cell plus parallel buffers.
    public struct Cells: Sendable, Equatable {
        /// What a cell was in the request text.
        public enum Kind: UInt8, Sendable {
            case null
            /// Integer text that fits `Int64` (`integers` holds it exactly).
            case integral
            /// Integer text outside `Int64` (`numbers` holds the nearest double, `texts` the text).
            case largeIntegral
            /// A number with a fraction or an exponent, or `NaN`/`Infinity`.
            case fractional
            case boolean
            case string
            /// An array or object (`texts` holds its raw JSON).
            case nested
        }

        public internal(set) var kinds: [Kind] = []
        /// The double value of number cells (correctly rounded), 1 or 0 for booleans, else 0.
        public internal(set) var numbers: [Double] = []
        /// The exact value of `integral` cells, 1 or 0 for booleans, else 0.
        public internal(set) var integers: [Int64] = []
        /// The text of `string`, `nested` and `largeIntegral` cells, else empty.
        public internal(set) var texts: [String] = []

        public init() {}

        package mutating func append(_ kind: Kind, number: Double = 0, integer: Int64 = 0, text: String = "") {
            kinds.append(kind)
            numbers.append(number)
            integers.append(integer)
            texts.append(text)
        }

        /// A human-readable rendering of cell `index` for error messages.
        public func describe(_ index: Int) -> String {
            guard index >= 0 && index < kinds.count else { return "" }
            switch kinds[index] {
            case .null: return "null"
            case .integral: return String(integers[index])
            case .fractional: return String(numbers[index])
            case .boolean: return integers[index] != 0 ? "true" : "false"
            case .string: return "\"\(texts[index])\""
            case .largeIntegral, .nested: return texts[index]
            }
        }
    }
}
